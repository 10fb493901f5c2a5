/**
 * The page's program without a browser: URL errors first, then the rotation of
 * the valid modules on the terminal renderer, following resizes, ending on the
 * limits and on Ctrl-C. Runs on the virtual clock.
 */

import assert from "node:assert/strict";
import type { Context, Module } from "../core/types.ts";
import { SAVING_MESSAGE } from "../core/runner.ts";
import { stripAnsi } from "../core/ansi.ts";
import { type StartOptions, startWebRun, type WebTerminal } from "../web/app.ts";

type Listener<T> = (value: T) => void;

/** Just enough of an xterm.js terminal: records writes, fires resize and key events. */
class FakeTerminal implements WebTerminal {
  cols = 80;
  rows = 24;
  written = "";
  #resize: Listener<{ cols: number; rows: number }>[] = [];
  #data: Listener<string>[] = [];
  write(data: string): void {
    this.written += data;
  }
  onResize(listener: Listener<{ cols: number; rows: number }>) {
    this.#resize.push(listener);
    return { dispose: () => void (this.#resize = this.#resize.filter((l) => l !== listener)) };
  }
  onData(listener: Listener<string>) {
    this.#data.push(listener);
    return { dispose: () => void (this.#data = this.#data.filter((l) => l !== listener)) };
  }
  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    for (const listener of this.#resize) listener({ cols, rows });
  }
  type(data: string): void {
    for (const listener of this.#data) listener(data);
  }
  get listeners(): number {
    return this.#resize.length + this.#data.length;
  }
}

/** A module that prints the width it sees, calls `between` halfway, and prints it again. */
function widthModule(name: string, between: () => void = () => {}): Module {
  return {
    name,
    signature: name,
    about: "prints the width it sees",
    async run(ctx: Context) {
      ctx.out.line(`${name} sees ${ctx.term.cols}x${ctx.term.rows} ${ctx.rng.hex(8)}`);
      await ctx.sleep(1000);
      between();
      await ctx.sleep(1000);
      ctx.out.line(`${name} now sees ${ctx.term.cols}x${ctx.term.rows}`);
    },
  };
}

function options(modules: Module[], search: string): StartOptions {
  return {
    modules,
    search,
    randomSeed: () => 99n,
    epochMs: Date.UTC(2026, 0, 1),
    utcOffsetMinutes: 0,
    startedAgoMs: 0,
    virtual: true,
  };
}

Deno.test("web app: URL errors come first, in red, then the valid rest runs to its limit", async () => {
  const term = new FakeTerminal();
  const alpha = widthModule("alpha"), beta = widthModule("beta");
  const run = startWebRun(
    term,
    options([alpha, beta], "?module=alpha&module=gamma&speed-factor=x&exit-after-modules=3"),
  );
  assert.equal(await run.done, "modules");
  assert.equal(run.session.clock.speed, 1);
  const text = stripAnsi(term.written).split("\n");
  assert.equal(text[0], "error: invalid value 'gamma' for '--modules <MODULES>': no such module");
  assert.ok(term.written.startsWith("\x1b[1;31merror:\x1b[0m"), "error: in bold red");
  const second = text.indexOf(
    "error: invalid value 'x' for '--speed-factor <SPEED_FACTOR>': invalid number",
  );
  assert.ok(second > 0);
  const ran = text.filter((line) => /^\w+ sees /.test(line));
  assert.equal(ran.length, 3);
  assert.ok(ran.every((line) => line.startsWith("alpha sees 80x24")));
  assert.equal(text.filter((line) => line === SAVING_MESSAGE).length, 1);
  assert.ok(text.indexOf(SAVING_MESSAGE) > second);
  assert.equal(term.listeners, 0, "listeners are removed when the run ends");
});

Deno.test("web app: without valid modules every module runs; the seed makes it repeatable", async () => {
  const runOnce = async (search: string) => {
    const term = new FakeTerminal();
    const run = startWebRun(term, options([widthModule("alpha"), widthModule("beta")], search));
    await run.done;
    return stripAnsi(term.written).split("\n").filter((line) => / sees /.test(line));
  };
  const a = await runOnce("?module=nope&seed=5&exit-after-modules=6");
  assert.deepEqual(a, await runOnce("?module=nope&seed=5&exit-after-modules=6"));
  assert.notDeepEqual(a, await runOnce("?seed=6&exit-after-modules=6"));
  assert.deepEqual(
    await runOnce("?exit-after-modules=6"),
    await runOnce("?seed=99&exit-after-modules=6"),
  );
  const names = new Set(a.map((line) => line.split(" ")[0]));
  assert.deepEqual([...names].sort(), ["alpha", "beta"]);
});

Deno.test("web app: a resize reaches the modules and the renderer", async () => {
  const term = new FakeTerminal();
  const module = widthModule("alpha", () => term.resize(33, 12));
  const run = startWebRun(term, options([module], "?exit-after-modules=1"));
  await run.done;
  const text = stripAnsi(term.written);
  assert.match(text, /alpha sees 80x24 /);
  assert.match(text, /alpha now sees 33x12/);
  assert.equal(run.session.term.cols, 33);
});

Deno.test("web app: exit-after-time and Ctrl-C end the run with the saving message", async () => {
  const slow: Module = {
    name: "slow",
    signature: "slow",
    about: "sleeps a lot",
    async run(ctx) {
      for (let i = 0; i < 100; i++) {
        ctx.out.line(`step ${i}`);
        await ctx.sleep(1000);
      }
    },
  };
  const timed = new FakeTerminal();
  const byTime = startWebRun(timed, options([slow], "?exit-after-time=5s&speed-factor=2"));
  assert.equal(await byTime.done, "time");
  assert.match(stripAnsi(timed.written), /step 9\nSaving work to disk\.\.\.\n$/);

  const typed = new FakeTerminal();
  const interactive: Module = {
    ...slow,
    async run(ctx) {
      ctx.out.line("working");
      await ctx.sleep(500);
      typed.type("\x03");
      await ctx.sleep(500);
      ctx.out.line("not reached");
    },
  };
  const byKey = startWebRun(typed, options([interactive], ""));
  assert.equal(await byKey.done, "SIGINT");
  assert.equal(stripAnsi(typed.written), "working\nSaving work to disk...\n");
});

Deno.test("web app: a failing module is reported in the terminal", async () => {
  const term = new FakeTerminal();
  const broken: Module = {
    name: "broken",
    signature: "broken",
    about: "throws",
    run() {
      return Promise.reject(new Error("boom"));
    },
  };
  await assert.rejects(startWebRun(term, options([broken], "")).done, /boom/);
  assert.match(stripAnsi(term.written), /error: internal error: boom\n$/);
});
