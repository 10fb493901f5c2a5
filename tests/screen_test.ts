import assert from "node:assert/strict";
import { PlainRenderer, Screen, TerminalRenderer } from "../core/screen.ts";
import { expectedScreen, replay, ReplayTerminal, trimEnd } from "./harness.ts";

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

Deno.test("TerminalRenderer wraps permanent lines as a terminal does and truncates live lines", async () => {
  const t = terminal(20, 10);
  t.screen.line("a".repeat(50));
  t.screen.live(["b".repeat(50), "c"]);
  t.screen.flush();
  const during = await replay(t.bytes(), 20, 10);
  assert.deepEqual(trimEnd(during.lines), [
    "a".repeat(20),
    "a".repeat(20),
    "a".repeat(10),
    "b".repeat(20),
    "c",
  ]);
  assert.deepEqual(during.continued.slice(0, 5), [false, true, true, false, false]);
  t.screen.finish();
  const view = await replay(t.bytes(), 20, 10);
  assert.deepEqual(trimEnd(view.lines), ["a".repeat(20), "a".repeat(20), "a".repeat(10)]);
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

Deno.test("An unfinished line becomes the live region's first row, and the line continues after it", async () => {
  const t = terminal();
  t.screen.line("log");
  t.screen.write("Downloading...");
  t.screen.flush();
  t.screen.live(["[====    ]"]);
  t.screen.flush();
  assert.deepEqual(trimEnd((await replay(t.bytes(), 40)).lines), [
    "log",
    "Downloading...",
    "[====    ]",
  ]);
  t.screen.live([]);
  t.screen.line(" done");
  t.screen.flush();
  const view = await replay(t.bytes(), 40);
  assert.deepEqual(trimEnd(view.lines), ["log", "Downloading... done"]);
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

Deno.test("A wide glyph that does not fit at the end of a row wraps whole to the next", async () => {
  const t = terminal(5, 5);
  t.screen.line("abcd日本");
  t.screen.flush();
  const view = await replay(t.bytes(), 5, 5);
  assert.deepEqual(trimEnd(view.lines), ["abcd", "日本"]);
  assert.deepEqual(trimEnd(view.lines), trimEnd(expectedScreen("abcd日本\n", [], 5, 5)));
});

Deno.test("The expected screen of the checks reads tabs as a terminal does", async () => {
  const t = terminal(40, 5);
  t.screen.line("rcu: \tRCU restricting CPUs");
  t.screen.line("\tTrampoline variant");
  t.screen.flush();
  const view = await replay(t.bytes(), 40, 5);
  assert.deepEqual(
    trimEnd(view.lines),
    trimEnd(expectedScreen("rcu: \tRCU restricting CPUs\n\tTrampoline variant\n", [], 40, 5)),
  );
});

Deno.test("finish('keep') leaves the last frame on screen, the cursor shown on a fresh line below it", async () => {
  const t = terminal(30, 10);
  t.screen.line("log");
  t.screen.live(["[+] Building 12.3s (4/9)", " => [2/5] RUN apt-get update"]);
  t.screen.flush();
  t.screen.finish("keep");
  t.screen.settle();
  t.screen.line("Saving work to disk...");
  t.screen.flush();
  const view = await replay(t.bytes(), 30, 10);
  assert.deepEqual(trimEnd(view.lines), [
    "log",
    "[+] Building 12.3s (4/9)",
    " => [2/5] RUN apt-get update",
    "Saving work to disk...",
  ]);
  assert.ok(view.cursorVisible);
  assert.deepEqual(view.cursor, { x: 0, y: 4 });
});

Deno.test("finish('clear') (the default) erases the live region", async () => {
  const t = terminal(30, 10);
  t.screen.line("log");
  t.screen.live(["Building [====>   ] 7/9"]);
  t.screen.flush();
  t.screen.finish();
  const view = await replay(t.bytes(), 30, 10);
  assert.deepEqual(trimEnd(view.lines), ["log"]);
  assert.ok(view.cursorVisible);
});

Deno.test("PlainRenderer finish('keep') prints a last frame the throttle held back, once; 'clear' prints nothing more", () => {
  for (const mode of ["keep", "clear"] as const) {
    const p = plain(5000);
    p.setNow(0);
    p.screen.live(["step 1"]);
    p.setNow(1000);
    p.screen.live(["step 2"]);
    p.screen.finish(mode);
    const shown = p.bytes().trim().split("\n");
    assert.deepEqual(shown, mode === "keep" ? ["step 1", "step 2"] : ["step 1"]);
  }
  const p = plain(5000);
  p.screen.live(["only"]);
  p.screen.finish("keep");
  assert.equal(p.bytes(), "only\n", "a frame already printed is not printed twice");
  const q = plain(5000);
  q.screen.live(["bar"]);
  q.setNow(1000);
  q.screen.live(["bar 2"]);
  q.screen.live([]);
  q.screen.finish("keep");
  assert.equal(q.bytes(), "bar\n", "a live region the module cleared is not kept");
});

Deno.test("TerminalRenderer's drawn state keeps its invariants: the screen is the log wrapped plus the live frame", async () => {
  const fc = (await import("fast-check")).default;
  const text = fc.constantFrom(
    "Compiling a",
    "日本語のテキスト",
    "x".repeat(45),
    "\x1b[32mok\x1b[39m",
    "",
    "é✅",
  );
  const step = fc.oneof(
    fc.record({ line: text }),
    fc.record({ write: text }),
    fc.record({ live: fc.array(text, { maxLength: 14 }) }),
    fc.record({ resize: fc.integer({ min: 4, max: 50 }) }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { maxLength: 30 }),
      fc.constantFrom("keep", "clear" as const),
      async (steps, ending: "keep" | "clear") => {
        let cols = 30;
        const rows = 12;
        const term = new ReplayTerminal(cols, rows);
        const t = terminal(cols, rows);
        let log = "";
        let live: string[] = [];
        let sent = 0;
        const sync = async () => {
          await term.write(t.bytes().slice(sent));
          sent = t.bytes().length;
        };
        try {
          for (const s of steps) {
            if ("line" in s) {
              t.screen.line(s.line);
              log += s.line + "\n";
            } else if ("write" in s) {
              t.screen.write(s.write);
              log += s.write;
            } else if ("live" in s) {
              t.screen.live(s.live);
              live = s.live;
            } else if (live.length === 0 && (log === "" || log.endsWith("\n"))) {
              // Resizes under a live region have their own test above: rows that a
              // reflow pushes into the scrollback are out of any program's reach.
              // Reflowing the cursor's own line differs between terminals.
              cols = s.resize;
              term.resize(cols, rows);
              t.screen.resize(cols, rows);
            }
            t.screen.flush();
            await sync();
            const view = term.view();
            assert.deepEqual(
              trimEnd(view.lines),
              trimEnd(expectedScreen(log, live, cols, rows)),
              "screen differs from the log wrapped plus the live frame",
            );
            assert.equal(view.cursorVisible, live.length === 0, "cursor hidden iff a live region");
            if (live.length > 0) assert.equal(view.cursor.x, 0, "cursor at the last row's start");
          }
          t.screen.finish(ending);
          await sync();
          const view = term.view();
          assert.ok(view.cursorVisible);
          const end = log.lastIndexOf("\n");
          const kept = ending === "keep" && live.length > 0;
          const expected = kept
            ? [...expectedScreen(log, live, cols, rows), ""]
            : expectedScreen(log, [], cols, rows);
          assert.deepEqual(trimEnd(view.lines), trimEnd(expected));
          if (kept || end === log.length - 1) assert.equal(view.cursor.x, 0);
        } finally {
          term.dispose();
        }
      },
    ),
    { numRuns: 150 },
  );
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
      let log = "";
      let live: string[] = [];
      for (const s of steps) {
        if ("log" in s) {
          t.screen.line(s.log);
          log += s.log + "\n";
        } else {
          t.screen.live(s.live);
          live = s.live;
        }
        t.screen.flush();
      }
      const view = await replay(t.bytes(), 30, 12);
      assert.deepEqual(trimEnd(view.lines), trimEnd(expectedScreen(log, live, 30, 12)));
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
