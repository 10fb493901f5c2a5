/**
 * Recording: the asciicast v2 writer, recordings made on the virtual clock
 * (single session and panes), and the command line around `--record`.
 */

import assert from "node:assert/strict";
import { StopSignal } from "../core/clock.ts";
import { PaneDisplay } from "../core/panes/display.ts";
import { VirtualTimeline } from "../core/panes/timeline.ts";
import {
  castHeader,
  CastRecorder,
  type CastSink,
  parseCast,
  type ParsedCast,
  parseRecordSize,
} from "../core/record.ts";
import { combinationProblem, planRun, type ProcessFacts } from "../app/plan.ts";
import { play } from "../app/play.ts";
import { VirtualHost } from "../app/virtual_host.ts";
import { type Options, usesPanesOrRecording } from "../cli/options.ts";
import { endSession, runRotation } from "../core/runner.ts";
import { Session } from "../core/session.ts";
import type { Module } from "../core/types.ts";
import { MODULES } from "../modules/mod.ts";
import { TEST_EPOCH_MS } from "./harness.ts";
import {
  frameAfter,
  frameDifference,
  optionsWith,
  screenAfter,
  stamps,
  TEST_MODULES,
} from "./panes_fixtures.ts";
import { PROGRAM } from "./program.ts";

/** A cast sink in memory; fails with `error` once `failAfter` writes have been made. */
function memorySink(failAfter = Infinity): CastSink & { text: string; closed: boolean } {
  let writes = 0;
  return {
    text: "",
    closed: false,
    write(text) {
      if (writes++ >= failAfter) throw new Error("No space left on device (os error 28)");
      this.text += text;
    },
    close() {
      this.closed = true;
    },
  };
}

/** Checks a cast's shape: header fields, event kinds, non-decreasing times. */
function assertValidCast(
  cast: ParsedCast,
  cols: number,
  rows: number,
  epochMs = TEST_EPOCH_MS,
): void {
  assert.equal(cast.header.version, 2);
  assert.equal(cast.header.width, cols);
  assert.equal(cast.header.height, rows);
  assert.ok(Math.abs(cast.header.timestamp - Math.floor(epochMs / 1000)) <= 5, "timestamp");
  assert.equal(typeof cast.header.env.TERM, "string");
  let last = 0;
  for (const [time, code] of cast.events) {
    assert.ok(code === "o" || code === "r", `event code ${code}`);
    assert.ok(time >= last, `time ${time} after ${last}`);
    last = time;
  }
}

/** The process facts of these tests: a 80x24 terminal, no environment. */
const FACTS: ProcessFacts = {
  stdoutIsTerminal: false,
  size: undefined,
  columns: undefined,
  noColor: false,
  forceColor: undefined,
  term: undefined,
  epochMs: TEST_EPOCH_MS,
  utcOffsetMinutes: 0,
  randomSeed: 0n,
};

/** Plays `options` on a virtual host through the same plan and play the CLI uses. */
async function playRecorded(
  options: Options,
  modules: readonly Module[],
  cols: number,
  rows: number,
): Promise<{ code: number; text: string; closed: boolean }> {
  const plan = planRun(options, FACTS);
  assert.ok(!(plan instanceof Error), String(plan));
  const host = new VirtualHost();
  const loadPanes = () => import("../app/panes.ts");
  const { code } = await play({ ...plan, cols, rows }, host, modules, { loadPanes }).done;
  const file = host.files.get("memory");
  assert.ok(file, "no recording was made");
  return { code, text: file.text, closed: file.closed };
}

/** A recorded single-session fast-forward run of `modules`. */
async function recordSession(
  modules: readonly Module[],
  fields: { seed: bigint; speed?: number; exitAfterTime?: number; exitAfterModules?: number },
  cols = 80,
  rows = 24,
): Promise<{ cast: ParsedCast; code: number }> {
  const options = optionsWith({
    fastForward: true,
    record: "memory",
    speedFactor: fields.speed ?? 1,
    exitAfterTime: fields.exitAfterTime,
    exitAfterModules: fields.exitAfterModules,
    seed: fields.seed,
    color: "always",
  });
  const { code, text, closed } = await playRecorded(options, modules, cols, rows);
  assert.ok(closed);
  return { cast: parseCast(text), code };
}

Deno.test("CastRecorder writes a v2 header and [time, code, data] events in seconds", () => {
  const sink = memorySink();
  const recorder = new CastRecorder(sink, castHeader(100, 30, 1_700_000_000_500, "xterm"));
  recorder.output(0, "hello\nworld\r\n");
  recorder.output(1234.5678, "\x1b[1mbold\x1b[0m");
  recorder.output(1000, "late"); // never goes back in time
  recorder.resize(2000, 120, 40);
  recorder.output(2500, "");
  recorder.close();
  const lines = sink.text.trimEnd().split("\n");
  assert.deepEqual(JSON.parse(lines[0] as string), {
    version: 2,
    width: 100,
    height: 30,
    timestamp: 1_700_000_000,
    env: { TERM: "xterm" },
  });
  assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l)), [
    [0, "o", "hello\r\nworld\r\n"],
    [1.234568, "o", "\x1b[1mbold\x1b[0m"],
    [1.234568, "o", "late"],
    [2, "r", "120x40"],
  ]);
  assert.equal(recorder.events, 4);
  assert.ok(sink.closed);
});

Deno.test("CastRecorder keeps going quietly when writing fails and says why", () => {
  const sink = memorySink(2);
  const recorder = new CastRecorder(sink, castHeader(80, 24, 0, "xterm"), { immediate: true });
  recorder.output(10, "one");
  assert.equal(recorder.failure, undefined);
  recorder.output(20, "two");
  assert.match(recorder.failure ?? "", /No space left on device/);
  recorder.output(30, "three");
  recorder.close();
  assert.equal(sink.text.split("\n").filter(Boolean).length, 2);
});

Deno.test("parseRecordSize() reads COLSxROWS within limits", () => {
  assert.deepEqual(parseRecordSize("100x30"), { cols: 100, rows: 30 });
  assert.deepEqual(parseRecordSize(" 80X24 "), { cols: 80, rows: 24 });
  for (const bad of ["", "100", "x30", "10x30", "100x2", "2000x30", "100x30x2", "axb"]) {
    assert.throws(() => parseRecordSize(bad), RangeError, bad);
  }
});

Deno.test("parseCast() rejects what is not asciicast v2", () => {
  assert.throws(() => parseCast('{"version":1}\n'), SyntaxError);
  assert.throws(() => parseCast('{"version":2}\n[1,"o"]\n'), /line 2/);
});

Deno.test("a fast-forward recording's event times are the pretend times the output was shown at", async () => {
  for (const speed of [1, 2.5]) {
    const { cast, code } = await recordSession([stamps], {
      seed: 5n,
      speed,
      exitAfterModules: 3,
    });
    assert.equal(code, 0);
    assertValidCast(cast, 80, 24);
    let checked = 0;
    for (const [time, , data] of cast.events) {
      for (const match of data.matchAll(/at (\d+\.\d{3})/g)) {
        const pretendMs = Number(match[1]);
        // Shown at the frame it was printed in: pretend time / speed, to the microsecond.
        assert.ok(
          Math.abs(time - pretendMs / speed / 1000) < 1e-5,
          `printed at ${pretendMs} ms, event at ${time} s (speed ${speed})`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 15, `only ${checked} stamps`);
    assert.equal(cast.events.at(-1)?.[2], "Saving work to disk...\r\n");
  }
});

Deno.test("a fast-forward recording ends at --exit-after-time exactly", async () => {
  const { cast } = await recordSession(TEST_MODULES, { seed: 9n, exitAfterTime: 7_000 });
  assert.equal(cast.events.at(-1)?.[0], 7);
  assert.ok((cast.events.at(-2)?.[0] ?? 99) <= 7);
});

Deno.test("replaying a single-session recording gives the same screen as the live run", async () => {
  const seed = 11n;
  // The live run: the same session a terminal would get, on its own virtual clock.
  let live = "";
  const session = new Session({
    sink: (chunk) => void (live += chunk),
    cols: 80,
    rows: 24,
    tty: true,
    color: true,
    virtual: true,
    seed,
    epochMs: TEST_EPOCH_MS,
  });
  const cause = await runRotation(session, { modules: TEST_MODULES, exitAfterModules: 4 });
  endSession(session, cause);
  const { cast } = await recordSession(TEST_MODULES, { seed, exitAfterModules: 4 });
  const replayed = cast.events.filter((e) => e[1] === "o").map((e) => e[2]).join("");
  // A terminal turns "\n" into CR LF (onlcr); the pane terminal does the same with convertEol.
  const difference = frameDifference(frameAfter(live, 80, 24), frameAfter(replayed, 80, 24));
  assert.equal(difference, "");
  assert.ok(!/(?<!\r)\n/.test(replayed), "a bare line feed in the cast");
  // A player does no line-feed translation: the cast's CR LF must stand on its own.
  const player = await screenAfter(replayed, 80, 24, false);
  assert.deepEqual(player.rows, (await screenAfter(live, 80, 24, true)).rows);
  assert.ok(player.rows.some((row) => row.startsWith("Saving work to disk...")));
});

/** Runs panes into a recording, through the same function the CLI uses. */
async function recordPanes(seed: bigint, cols: number, rows: number): Promise<ParsedCast> {
  const options = optionsWith({
    fastForward: true,
    record: "memory",
    exitAfterTime: 12_000,
    panes: { count: 4, columns: 2 },
    seed,
    color: "always",
  });
  const { code, text } = await playRecorded(options, TEST_MODULES, cols, rows);
  assert.equal(code, 0);
  return parseCast(text);
}

Deno.test("a 2x2 pane recording replays to the same final screen as the live display", async () => {
  const cols = 100;
  const rows = 30;
  const cast = await recordPanes(3n, cols, rows);
  assertValidCast(cast, cols, rows);
  assert.ok(cast.events.length > 50);
  assert.equal(cast.events.at(-1)?.[0] !== undefined && cast.events.at(-1)![0] <= 12, true);
  // The live display with the same seed, drawing to a terminal.
  const timeline = new VirtualTimeline();
  let live = "";
  const display = new PaneDisplay({
    onFrame: (bytes) => void (live += bytes),
    cols,
    rows,
    layout: { count: 4, columns: 2 },
    modules: TEST_MODULES,
    seed: 3n,
    color: true,
    speed: 1,
    epochMs: TEST_EPOCH_MS,
    timeline,
  });
  timeline.after(12_000, () => display.stop("time"));
  await display.run();
  const replayed = cast.events.map((e) => e[2]).join("");
  assert.equal(frameDifference(frameAfter(live, cols, rows), frameAfter(replayed, cols, rows)), "");
  // Frame times are the timeline's: never closer than a thirtieth of a second.
  const times = cast.events.slice(1).map((e) => e[0]);
  for (let i = 1; i < times.length - 1; i++) {
    assert.ok((times[i] as number) - (times[i - 1] as number) >= 1 / 30 - 1e-5);
  }
});

Deno.test("recordings of the registered modules are valid casts", async () => {
  if (MODULES.length === 0) return;
  const { cast } = await recordSession(MODULES, { seed: 4n, exitAfterTime: 60_000 }, 100, 30);
  assertValidCast(cast, 100, 30);
  assert.equal(cast.events.at(-1)?.[0], 60);
});

Deno.test("how --panes, --record, --force, --fast-forward and --record-size combine", () => {
  const problem = (fields: Parameters<typeof optionsWith>[0], tty = true) =>
    combinationProblem(optionsWith(fields), tty);
  assert.equal(usesPanesOrRecording(optionsWith({})), false);
  assert.equal(usesPanesOrRecording(optionsWith({ force: true })), true);
  assert.equal(problem({ panes: { count: 4 } }), undefined);
  assert.match(problem({ panes: { count: 4 } }, false) ?? "", /needs a terminal/);
  assert.equal(
    problem({ panes: { count: 4 }, record: "x", fastForward: true, exitAfterTime: 1000 }, false),
    undefined,
  );
  assert.match(problem({ fastForward: true, exitAfterTime: 1 }) ?? "", /needs '--record <FILE>'/);
  assert.match(problem({ record: "x", fastForward: true }) ?? "", /--exit-after-time/);
  assert.equal(problem({ record: "x", fastForward: true, exitAfterModules: 2 }), undefined);
  assert.match(problem({ force: true }) ?? "", /only applies with '--record/);
  assert.match(
    problem({ record: "x", recordSize: { cols: 80, rows: 24 } }) ?? "",
    /only applies with '--fast-forward'/,
  );
  assert.equal(problem({ record: "x" }, false), undefined);
});

/** Runs the real program. */
async function denact(
  args: string[],
  permissions = ["-A"],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = PROGRAM;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, main, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("denact --record: fast-forward writes a cast, refuses to overwrite, reports clearly", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "denact_record_" });
  const file = `${dir}/demo.cast`;
  try {
    const args = ["--record", file, "--fast-forward", "--exit-after-time", "20s", "--seed", "1"];
    const size = ["--record-size", "90x25", "--panes", "2x2"];
    if (MODULES.length === 0) return;
    const first = await denact([...args, ...size]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "", "a fast-forward run draws nothing on stdout");
    assert.match(first.stderr, /^Recorded 20\.0 s \(\d+ events\) to .*demo\.cast\n$/);
    const cast = parseCast(Deno.readTextFileSync(file));
    assert.equal(cast.header.width, 90);
    assert.equal(cast.header.height, 25);
    const again = await denact([...args, ...size]);
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /^error: cannot record to '.*demo\.cast': the file exists \(add --force/,
    );
    assert.deepEqual(parseCast(Deno.readTextFileSync(file)).header, cast.header);
    const forced = await denact([...args, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(parseCast(Deno.readTextFileSync(file)).header.width, 80, "not rewritten");
    const denied = await denact([...args, "--force"], []);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /no permission to write it \(under deno run, add --allow-write=/);
    const missing = await denact([
      "--record",
      `${dir}/no/such/dir.cast`,
      "--exit-after-time",
      "1s",
    ]);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^error: cannot record to '.*dir\.cast': No such file or directory/,
    );
    const piped = await denact(["--panes", "2x2", "--exit-after-time", "1s"]);
    assert.equal(piped.code, 2);
    assert.match(piped.stderr, /^error: '--panes <LAYOUT>' needs a terminal/);
    assert.match(piped.stderr, /For more information, try '--help'\./);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a live single-session recording in a pipe also writes stdout, with matching times", async () => {
  if (MODULES.length === 0) return;
  const dir = Deno.makeTempDirSync({ prefix: "denact_record_" });
  const file = `${dir}/live.cast`;
  try {
    const run = await denact([
      "--record",
      file,
      "--exit-after-time",
      "1200ms",
      "--seed",
      "2",
      "-s",
      "20",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const cast = parseCast(Deno.readTextFileSync(file));
    assertValidCast(cast, 80, 24, Date.now());
    const recorded = cast.events.map((e) => e[2]).join("");
    assert.equal(recorded, run.stdout.replaceAll("\n", "\r\n"));
    const last = cast.events.at(-1)?.[0] ?? 0;
    assert.ok(last >= 1.1 && last < 3, `last event at ${last} s`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a stop signal from a module still ends a recording cleanly", async () => {
  const stopper: Module = {
    name: "stopper",
    signature: "stopper",
    about: "test",
    run() {
      throw new StopSignal("SIGTERM");
    },
  };
  const { cast, code } = await recordSession([stopper], {
    seed: 1n,
    exitAfterTime: 5_000,
  });
  assert.equal(code, 143);
  assert.equal(cast.events.at(-1)?.[2], "Saving work to disk...\r\n");
});

Deno.test({
  name: "denact --record: a write failure mid-run is reported at exit and the run goes on",
  ignore: Deno.build.os !== "linux" || MODULES.length === 0,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "denact_record_" });
    const file = `${dir}/full.cast`;
    try {
      // A 2 KiB file-size limit (with SIGXFSZ ignored) makes writes fail once the cast grows.
      // memdump prints tens of KiB a second: the output no longer hangs on which module the
      // rotation happens to pick for this seed (that changes whenever a module is added).
      const main = PROGRAM;
      const script = `trap '' XFSZ; ulimit -f 4; exec "${Deno.execPath()}" run -A "${main}" ` +
        `--record "${file}" -m memdump --exit-after-time 1500ms -s 5 --seed 3`;
      const out = await new Deno.Command("sh", {
        args: ["-c", script],
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1);
      assert.ok(stdout.endsWith("Saving work to disk...\n"), "the run was cut short");
      assert.ok(stdout.length > 4096, "the run printed less than the recording held");
      assert.match(
        stderr,
        /^error: recording to '.*full\.cast' failed: File too large \(os error 27\); the recording is incomplete\n$/,
      );
      assert.ok(Deno.statSync(file).size <= 2048);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
