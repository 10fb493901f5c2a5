/**
 * The run contract, one set of tests for every mode: a single session in a
 * terminal and in a pipe, the panes, a recording (single and panes) and the
 * web page, all played on a fake host on virtual time. Each mode must end the
 * same ways with the same exit codes and messages.
 */

import assert from "node:assert/strict";
import { browserHost, type WebTerminal } from "../app/browser_host.ts";
import type { OutsideStop } from "../app/host.ts";
import { PIPE_FRAME_MS, planRun, type ProcessFacts, type RunPlan } from "../app/plan.ts";
import { play } from "../app/play.ts";
import { VirtualHost } from "../app/virtual_host.ts";
import { defaultOptions, type Options } from "../cli/options.ts";
import { UsageError } from "../cli/errors.ts";
import { REAL_TIMERS, type StopCause } from "../core/clock.ts";
import { parseCast } from "../core/record.ts";
import { SAVING_MESSAGE } from "../core/runner.ts";
import { Session } from "../core/session.ts";
import type { Module } from "../core/types.ts";
import { testFacts } from "./harness.ts";

const loadPanes = () => import("../app/panes.ts");

/** Prints a numbered line every pretend second, with a live line below, ten times. */
const ticker: Module = {
  name: "ticker",
  signature: "ticker --every 1s",
  about: "ticks",
  async run(ctx) {
    for (let i = 0; i < 10; i++) {
      ctx.out.line(`tick ${i}`);
      ctx.out.live([`working ${i}`]);
      await ctx.sleep(1000);
    }
    ctx.out.live([]);
  },
};

/** Fails after its first line. */
const boom: Module = {
  name: "boom",
  signature: "boom",
  about: "fails",
  async run(ctx) {
    ctx.out.line("about to fail");
    await ctx.sleep(500);
    throw new Error("boom");
  },
};

/** A fake xterm.js terminal that parses what it is given at once. */
class FakeTerminal implements WebTerminal {
  cols = 80;
  rows = 24;
  written = "";
  #data = new Set<(data: string) => void>();
  write(data: string, parsed?: () => void): void {
    this.written += data;
    parsed?.();
  }
  onResize() {
    return { dispose() {} };
  }
  onData(listener: (data: string) => void) {
    this.#data.add(listener);
    return { dispose: () => void this.#data.delete(listener) };
  }
  type(data: string): void {
    for (const listener of [...this.#data]) listener(data);
  }
}

/** How the page shows `error:`. */
const RED_ERROR = "\x1b[1;31merror:\x1b[0m";

function facts(tty: boolean): ProcessFacts {
  return testFacts({ stdoutIsTerminal: tty, size: tty ? { cols: 80, rows: 24 } : undefined });
}

interface Mode {
  readonly name: string;
  readonly options: Partial<Options>;
  readonly tty: boolean;
  /** Played on the browser's host. */
  readonly web?: boolean;
  /**
   * Saving messages a person sees at the end: one, below the run; a recording
   * of panes has no main screen, so there it is each pane's own.
   */
  readonly saving?: number;
}

const MODES: readonly Mode[] = [
  { name: "a single session in a terminal", options: {}, tty: true },
  { name: "a single session in a pipe", options: {}, tty: false },
  { name: "panes", options: { panes: { count: 2 } }, tty: true },
  { name: "a live recording", options: { record: "run.cast" }, tty: true },
  {
    name: "a fast-forward recording",
    options: { record: "run.cast", fastForward: true },
    tty: false,
  },
  {
    name: "fast-forward panes",
    options: { record: "run.cast", fastForward: true, panes: { count: 2 } },
    tty: false,
    saving: 2,
  },
  { name: "the web page", options: {}, tty: true, web: true },
];

interface Outcome {
  code: number;
  cause: StopCause | undefined;
  /** What a person would have seen (the recording, for a fast-forward). */
  shown: string;
  reports: string[];
  /** Virtual milliseconds since program start when the run ended. */
  endedAt: number;
  /** Listeners left registered. */
  listeners: number;
}

/** Plays `mode` with `extra` options; `outside` may stop it at a virtual time. */
async function playMode(
  mode: Mode,
  extra: Partial<Options>,
  modules: readonly Module[],
  outside?: { atMs: number; cause: OutsideStop },
  startMs = 0,
): Promise<Outcome> {
  const options: Options = { ...defaultOptions(), seed: 3n, ...mode.options, ...extra };
  if (mode.options.fastForward) options.exitAfterTime ??= 60 * 60_000;
  const plan = planRun(options, facts(mode.tty));
  assert.ok(!(plan instanceof UsageError), String(plan));
  const term = new FakeTerminal();
  const host = mode.web
    ? new VirtualHost({ base: browserHost(term), startMs })
    : new VirtualHost({ startMs });
  if (outside) {
    host.time.timeline.after(outside.atMs - startMs, () => {
      if (mode.web && outside.cause === "SIGINT") term.type("\x03");
      else host.stop(outside.cause);
    });
  }
  const ending = await play(plan, host, modules, { loadPanes }).done;
  const file = host.files.get("run.cast");
  const shown = mode.options.fastForward && file
    ? parseCast(file.text).events.filter((e) => e[1] === "o").map((e) => e[2]).join("")
    : mode.web
    ? term.written
    : host.output;
  const reports = mode.web
    ? term.written.split("\n").filter((line) => line.startsWith(RED_ERROR)).map((line) =>
      line.replace(RED_ERROR, "error:") + "\n"
    )
    : host.reports.filter((r) => !r.startsWith("Recorded "));
  return {
    code: ending.code,
    cause: ending.cause,
    shown,
    reports,
    endedAt: host.time.timeline.now(),
    listeners: host.listeners,
  };
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Saving messages on the screen a person is left with (after leaving the alternate screen). */
function savingShown(shown: string): number {
  return count(shown.slice(shown.lastIndexOf("\x1b[?1049l") + 1), SAVING_MESSAGE);
}

for (const mode of MODES) {
  Deno.test(`${mode.name}: --exit-after-modules ends with exit 0 and one saving message`, async () => {
    const out = await playMode(mode, { exitAfterModules: 2 }, [ticker]);
    assert.equal(out.code, 0);
    assert.equal(out.cause, "modules");
    assert.equal(savingShown(out.shown), mode.saving ?? 1);
    assert.deepEqual(out.reports, []);
    assert.equal(out.listeners, 0, "listeners left behind");
  });

  Deno.test(`${mode.name}: --exit-after-time counts from program start, exit 0`, async () => {
    const out = await playMode(mode, { exitAfterTime: 5000 }, [ticker], undefined, 2000);
    assert.equal(out.code, 0);
    assert.equal(out.cause, "time");
    assert.equal(
      out.endedAt,
      5000,
      "the limit is 5 s after program start, not after the run's start",
    );
    assert.equal(savingShown(out.shown), mode.saving ?? 1);
    assert.equal(out.listeners, 0);
  });

  const signals: [OutsideStop, number][] = mode.web
    ? [["SIGINT", 130]]
    : [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]];
  for (const [signal, code] of signals) {
    Deno.test(`${mode.name}: ${signal} ends with exit ${code} and one saving message`, async () => {
      const out = await playMode(mode, {}, [ticker], { atMs: 2500, cause: signal });
      assert.equal(out.code, code);
      assert.equal(out.cause, signal);
      assert.equal(out.endedAt, 2500);
      assert.equal(savingShown(out.shown), mode.saving ?? 1);
      assert.equal(out.listeners, 0);
    });
  }

  if (!mode.web) {
    Deno.test(`${mode.name}: a closed output ends quietly with exit 0, no saving message`, async () => {
      const out = await playMode(mode, {}, [ticker], { atMs: 1500, cause: "pipe" });
      assert.equal(out.code, 0);
      assert.equal(out.cause, "pipe");
      assert.equal(count(out.shown, SAVING_MESSAGE), 0);
      assert.deepEqual(out.reports, []);
    });
  }

  Deno.test(`${mode.name}: a module's error is one reported line and exit 1, terminal restored`, async () => {
    const out = await playMode(mode, {}, [boom]);
    assert.equal(out.code, 1);
    assert.deepEqual(out.reports, ["error: internal error: boom\n"]);
    assert.equal(count(out.shown, SAVING_MESSAGE), 0);
    const hide = out.shown.lastIndexOf("\x1b[?25l");
    assert.ok(hide === -1 || out.shown.lastIndexOf("\x1b[?25h") > hide, "cursor left hidden");
    assert.ok(
      out.shown.lastIndexOf("\x1b[?1049h") <= out.shown.lastIndexOf("\x1b[?1049l"),
      "alternate screen left on",
    );
    assert.equal(out.listeners, 0);
  });
}

Deno.test("play: a recording that cannot be opened is one error line and exit 1, nothing runs", async () => {
  const plan = planRun({ ...defaultOptions(), record: "  " }, facts(true)) as RunPlan;
  const host = new VirtualHost();
  const ending = await play(plan, host, [ticker]).done;
  assert.equal(ending.code, 1);
  assert.deepEqual(host.reports, ["error: cannot record: the file name is empty\n"]);
  assert.equal(host.output, "");
});

Deno.test("play: --inhibit takes the keep-awake lock for a live run and releases it at the end", async () => {
  const plan = planRun(
    { ...defaultOptions(), inhibit: true, exitAfterModules: 1 },
    facts(true),
  ) as RunPlan;
  const host = new VirtualHost();
  await play(plan, host, [ticker]).done;
  assert.deepEqual(host.keepAwakes, [{ reason: "Pretending to work (denact)", released: true }]);
});

Deno.test("play: Ctrl-Z takes the live region away and shows the cursor; fg draws again below", async () => {
  const plan = planRun({ ...defaultOptions(), exitAfterModules: 1 }, facts(true)) as RunPlan;
  const host = new VirtualHost();
  let before = "";
  host.time.timeline.after(2500, () => {
    const mark = host.output.length;
    host.suspendAndResume();
    before = host.output.slice(mark);
  });
  await play(plan, host, [ticker]).done;
  assert.ok(before.includes("\x1b[J"), "the live region is erased on Ctrl-Z");
  assert.ok(before.endsWith("\x1b[?25h"), "the cursor is shown before the process stops");
  assert.ok(host.output.includes("working 3"), "the live region is drawn again after fg");
});

Deno.test("plan: a pipe gets one frame a second; the bytes are those of any other frame rate", async () => {
  const plan = planRun(defaultOptions(), facts(false)) as RunPlan;
  assert.equal(plan.frameMs, PIPE_FRAME_MS);
  const chatty: Module = {
    ...ticker,
    async run(ctx) {
      for (let i = 0; i < 400; i++) {
        if (i % 7 === 0) ctx.out.line(`line ${i}`);
        ctx.out.live([`progress ${i}/400`]);
        await ctx.sleep(37);
      }
    },
  };
  const bytes = async (frameMs: number) => {
    let out = "";
    const session = new Session({
      sink: (chunk) => void (out += chunk),
      tty: false,
      color: false,
      virtual: true,
      seed: 1n,
      epochMs: 0,
      frameMs,
    });
    await chatty.run(session.context());
    session.screen.finish();
    return out;
  };
  const fine = await bytes(100);
  assert.ok(fine.includes("progress"), "the live region shows in a pipe at its throttled rate");
  assert.equal(await bytes(PIPE_FRAME_MS), fine);
});

Deno.test("timers past 2^31-1 ms are chained, never fired at once (the page uses them too)", () => {
  const delays: number[] = [];
  const original = globalThis.setTimeout;
  let fired = false;
  globalThis.setTimeout = ((_fn: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return 0;
  }) as unknown as typeof setTimeout;
  try {
    REAL_TIMERS.after(30 * 86_400_000, () => fired = true)();
  } finally {
    globalThis.setTimeout = original;
  }
  assert.deepEqual(delays, [2 ** 31 - 1], "one 24.8-day step, then another");
  assert.equal(fired, false);
});
