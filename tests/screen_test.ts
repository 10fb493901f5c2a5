import assert from "node:assert/strict";
import { PlainRenderer, Screen, TerminalRenderer } from "../core/screen.ts";
import { replay, trimEnd } from "./harness.ts";

function terminal(cols = 40, rows = 10) {
  const chunks: string[] = [];
  const renderer = new TerminalRenderer((c) => chunks.push(c), cols, rows);
  const screen = new Screen(renderer, () => Promise.resolve());
  return { chunks, screen, bytes: () => chunks.join("") };
}

function plain(interval = 5000) {
  const chunks: string[] = [];
  let now = 0;
  const renderer = new PlainRenderer((c) => chunks.push(c), () => now, interval);
  const screen = new Screen(renderer, () => Promise.resolve());
  return { chunks, screen, bytes: () => chunks.join(""), setNow: (t: number) => (now = t) };
}

Deno.test("TerminalRenderer redraws the live region in place: only its last state stays on screen", async () => {
  const t = terminal();
  t.screen.line("Compiling a");
  for (let i = 0; i <= 5; i++) {
    t.screen.live([`Building ${i}/5`, `  jobs: ${"x".repeat(i)}`]);
    t.screen.flush();
  }
  t.screen.line("Compiling b");
  t.screen.flush();
  const view = await replay(t.bytes(), 40, 10);
  assert.deepEqual(trimEnd(view.lines), [
    "Compiling a",
    "Compiling b",
    "Building 5/5",
    "  jobs: xxxxx",
  ]);
});

Deno.test("TerminalRenderer hides the cursor while a live region exists and restores it on finish", async () => {
  const t = terminal();
  t.screen.live(["progress"]);
  t.screen.flush();
  assert.ok(t.bytes().includes("\x1b[?25l"));
  assert.equal((await replay(t.bytes(), 40)).cursorVisible, false);
  t.screen.finish();
  const view = await replay(t.bytes(), 40);
  assert.ok(view.cursorVisible);
  assert.deepEqual(trimEnd(view.lines), []);
});

Deno.test("TerminalRenderer truncates live lines and clips permanent lines to the width", async () => {
  const t = terminal(20, 10);
  t.screen.line("a".repeat(50));
  t.screen.live(["b".repeat(50)]);
  t.screen.flush();
  t.screen.finish();
  const view = await replay(t.bytes(), 20, 10);
  assert.equal(view.wrapped, false);
  assert.equal(view.lines[0], "a".repeat(20));
});

Deno.test("TerminalRenderer emits one write per flush, not one per call", () => {
  const t = terminal();
  for (let i = 0; i < 100; i++) t.screen.write("x");
  t.screen.live(["bar"]);
  t.screen.flush();
  assert.equal(t.chunks.length, 1);
  t.screen.flush();
  assert.equal(t.chunks.length, 1, "an idle flush writes nothing");
});

Deno.test("A live region starts on a fresh line after a partial line, and partial text continues after it", async () => {
  const t = terminal();
  t.screen.write("Downloading...");
  t.screen.flush();
  t.screen.live(["[====    ]"]);
  t.screen.flush();
  t.screen.live([]);
  t.screen.line("done");
  t.screen.flush();
  const view = await replay(t.bytes(), 40);
  assert.deepEqual(trimEnd(view.lines), ["Downloading...", "done"]);
});

Deno.test("TerminalRenderer keeps the live region within the terminal height", async () => {
  const t = terminal(30, 5);
  t.screen.live(Array.from({ length: 20 }, (_, i) => `row ${i}`));
  t.screen.flush();
  t.screen.live(["only"]);
  t.screen.flush();
  const view = await replay(t.bytes(), 30, 5);
  assert.deepEqual(trimEnd(view.lines), ["only"]);
});

Deno.test("PlainRenderer never emits cursor movement, carriage returns or erase codes", () => {
  const p = plain();
  for (let i = 0; i < 50; i++) {
    p.setNow(i * 1000);
    p.screen.write(`step ${i}`);
    p.screen.live([`bar ${i}`]);
    p.screen.line("");
    p.screen.flush();
  }
  p.screen.finish();
  assert.ok(!p.bytes().includes("\x1b") && !p.bytes().includes("\r"));
});

Deno.test("PlainRenderer prints the live region at most once per interval of pretend time", () => {
  const p = plain(5000);
  for (let t = 0; t <= 20_000; t += 100) {
    p.setNow(t);
    p.screen.live([`progress at ${t}`]);
  }
  p.screen.flush();
  const shown = p.bytes().trim().split("\n");
  assert.deepEqual(shown, [
    "progress at 0",
    "progress at 5000",
    "progress at 10000",
    "progress at 15000",
    "progress at 20000",
  ]);
});

Deno.test("Screen counts permanent lines, not live-region updates", () => {
  const t = terminal();
  t.screen.line("a");
  t.screen.write("b\nc\n");
  t.screen.write("partial");
  t.screen.live(["x", "y"]);
  assert.equal(t.screen.linesPrinted, 3);
});

Deno.test("Screen.settle ends an unterminated line exactly once", () => {
  const p = plain();
  p.screen.write("no newline");
  p.screen.settle();
  p.screen.settle();
  p.screen.flush();
  assert.equal(p.bytes(), "no newline\n");
});

Deno.test("After narrowing a reflowing terminal, the live region is still erased completely", async () => {
  const xterm = (await import("@xterm/headless")).default;
  const term = new xterm.Terminal({ cols: 60, rows: 12, allowProposedApi: true, convertEol: true });
  const write = (data: string) => new Promise<void>((resolve) => term.write(data, resolve));
  const chunks: string[] = [];
  const renderer = new TerminalRenderer((c) => chunks.push(c), 60, 12);
  const screen = new Screen(renderer, () => Promise.resolve());
  screen.line("log line");
  screen.live(["Building [" + "=".repeat(45) + ">] 57/120"]);
  screen.flush();
  await write(chunks.splice(0).join(""));
  term.resize(20, 12);
  screen.resize(20, 12);
  screen.live(["Building 58/120"]);
  screen.flush();
  await write(chunks.splice(0).join(""));
  const lines: string[] = [];
  for (let i = 0; i < term.buffer.active.length; i++) {
    lines.push(term.buffer.active.getLine(i)?.translateToString(true) ?? "");
  }
  term.dispose();
  assert.deepEqual(trimEnd(lines), ["log line", "Building 58/120"]);
});

Deno.test("Clipping keeps escape codes after the cut, so colours never leak past a clipped line", async () => {
  const t = terminal(10, 5);
  t.screen.line(`\x1b[31m${"r".repeat(30)}\x1b[39m plain`);
  t.screen.line("next line");
  t.screen.flush();
  assert.ok(t.bytes().includes("\x1b[39m"), "the closing code was dropped with the text");
  const view = await replay(t.bytes(), 10, 5);
  assert.deepEqual(trimEnd(view.lines), ["r".repeat(10), "next line"]);
});

Deno.test("Live updates of unchanged height rewrite only the changed rows, and the screen stays exact", async () => {
  const fc = (await import("fast-check")).default;
  const step = fc.oneof(
    fc.record({ log: fc.constantFrom("Compiling a", "Compiling bb", "x".repeat(50)) }),
    fc.record({
      live: fc.array(fc.constantFrom("", "row", "=> step 1.2s", "[====>   ] 7/9", "y".repeat(45)), {
        minLength: 0,
        maxLength: 4,
      }),
    }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
      const t = terminal(30, 12);
      const log: string[] = [];
      let live: string[] = [];
      for (const s of steps) {
        if ("log" in s) {
          t.screen.line(s.log);
          log.push(s.log.slice(0, 30));
        } else {
          t.screen.live(s.live);
          live = s.live.map((l) => l.slice(0, 30));
        }
        t.screen.flush();
      }
      const view = await replay(t.bytes(), 30, 12);
      const expected = [...log, ...live];
      assert.deepEqual(trimEnd(view.lines.map((l) => l.trimEnd())), trimEnd(expected));
    }),
    { numRuns: 200 },
  );
  const t = terminal(40, 12);
  const block = Array.from({ length: 8 }, (_, i) => `=> step ${i}   0.0s`);
  t.screen.live(block);
  t.screen.flush();
  const before = t.bytes().length;
  t.screen.live(block.map((l, i) => (i === 3 ? "=> step 3   0.1s" : l)));
  t.screen.flush();
  const delta = t.bytes().length - before;
  assert.ok(delta < 40, `one changed row cost ${delta} bytes`);
});
