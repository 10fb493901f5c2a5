/**
 * Panes: the grid maths, the compositor's diff, and whole pane displays run on
 * the shared virtual timeline and read back through a headless terminal.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { visibleWidth } from "../core/ansi.ts";
import { titleText } from "../core/panes/chrome.ts";
import { CLEAR_SCREEN, diffFrames } from "../core/panes/compositor.ts";
import { PaneDisplay } from "../core/panes/display.ts";
import { ATTR, DEFAULT_COLOR, Frame, PLAIN, RGB_FLAG } from "../core/panes/frame.ts";
import {
  type GridPlan,
  MIN_PANE_COLS,
  MIN_PANE_ROWS,
  type PaneLayout,
  parsePaneLayout,
  planGrid,
  rowShape,
} from "../core/panes/layout.ts";
import { paneSeed } from "../core/panes/pane.ts";
import { PaneTerminal } from "../core/panes/vt.ts";
import { parseCast } from "../core/record.ts";
import { VirtualTimeline } from "../core/panes/timeline.ts";
import type { StopCause } from "../core/clock.ts";
import type { Module } from "../core/types.ts";
import { MODULES } from "../modules/mod.ts";
import { TEST_EPOCH_MS } from "./harness.ts";
import {
  frameAfter,
  frameDifference,
  screenAfter,
  stamps,
  TEST_MODULES,
  typist,
  wideLines,
} from "./panes_fixtures.ts";

interface DisplayRun {
  output: string;
  frames: { bytes: string; time: number }[];
  /** For each resize, how many frames had been drawn before it was announced. */
  resizes: number[];
  display: PaneDisplay;
  cause: StopCause;
}

/** Runs a pane display on a virtual timeline until `untilMs` (or a module limit). */
async function runDisplay(options: {
  layout: PaneLayout;
  cols: number;
  rows: number;
  modules?: readonly Module[];
  seed?: bigint;
  untilMs?: number;
  color?: boolean;
  exitAfterModules?: number;
  speed?: number;
  resize?: { atMs: number; cols: number; rows: number };
}): Promise<DisplayRun> {
  const timeline = new VirtualTimeline();
  const frames: { bytes: string; time: number }[] = [];
  const resizes: number[] = [];
  const display = new PaneDisplay({
    onFrame: (bytes, time) => void frames.push({ bytes, time }),
    onResize: () => void resizes.push(frames.length),
    cols: options.cols,
    rows: options.rows,
    layout: options.layout,
    modules: options.modules ?? TEST_MODULES,
    seed: options.seed ?? 1n,
    color: options.color ?? true,
    speed: options.speed ?? 1,
    epochMs: TEST_EPOCH_MS,
    timeline,
    ...(options.exitAfterModules !== undefined
      ? { exitAfterModules: options.exitAfterModules }
      : {}),
  });
  if (options.untilMs !== undefined) timeline.after(options.untilMs, () => display.stop("time"));
  const resize = options.resize;
  if (resize) timeline.after(resize.atMs, () => display.resize(resize.cols, resize.rows));
  const cause = await display.run();
  for (const pane of display.panes) pane.dispose();
  return { output: frames.map((f) => f.bytes).join(""), frames, resizes, display, cause };
}

/** Which grid element every screen cell belongs to: "t" title, "c" content, "|" separator. */
function cellRoles(plan: GridPlan): string[][] {
  const roles = Array.from({ length: plan.rows }, () => new Array<string>(plan.cols).fill(""));
  const mark = (x: number, y: number, role: string) => {
    assert.equal(roles[y]?.[x], "", `cell (${x}, ${y}) claimed twice`);
    (roles[y] as string[])[x] = role;
  };
  for (const pane of plan.panes) {
    for (let x = 0; x < pane.title.cols; x++) {
      for (let y = 0; y < pane.title.rows; y++) mark(pane.title.x + x, pane.title.y + y, "t");
    }
    for (let y = 0; y < pane.content.rows; y++) {
      for (let x = 0; x < pane.content.cols; x++) mark(pane.content.x + x, pane.content.y + y, "c");
    }
  }
  for (const sep of plan.separators) {
    for (let y = 0; y < sep.rows; y++) mark(sep.x, sep.y + y, "|");
  }
  return roles;
}

Deno.test("parsePaneLayout() accepts counts 1-16 and grids of at most 16 panes", () => {
  assert.deepEqual(parsePaneLayout("4"), { count: 4 });
  assert.deepEqual(parsePaneLayout("16"), { count: 16 });
  assert.deepEqual(parsePaneLayout("2x2"), { count: 4, columns: 2 });
  assert.deepEqual(parsePaneLayout("3X2"), { count: 6, columns: 3 });
  assert.deepEqual(parsePaneLayout(" 4x4 "), { count: 16, columns: 4 });
  for (const bad of ["0", "17", "-1", "", "x", "2x", "0x3", "5x4", "17x1", "2.5", "two", "2x2x2"]) {
    assert.throws(() => parsePaneLayout(bad), RangeError, `accepted ${JSON.stringify(bad)}`);
  }
  assert.throws(() => parsePaneLayout("5x4"), /at most 16 panes \(5x4 would be 20\)/);
});

Deno.test("rowShape() fills rows left to right and holds exactly the panes asked for", () => {
  assert.deepEqual(rowShape({ count: 1 }), [1]);
  assert.deepEqual(rowShape({ count: 2 }), [2]);
  assert.deepEqual(rowShape({ count: 3 }), [2, 1]);
  assert.deepEqual(rowShape({ count: 5 }), [3, 2]);
  assert.deepEqual(rowShape({ count: 6, columns: 3 }), [3, 3]);
  assert.deepEqual(rowShape({ count: 4, columns: 4 }), [4]);
  for (let n = 1; n <= 16; n++) {
    const shape = rowShape({ count: n });
    assert.equal(shape.reduce((a, b) => a + b, 0), n);
    assert.ok(shape.every((k, i) => i === 0 || k <= (shape[i - 1] as number)));
  }
});

Deno.test("planGrid() gives every screen cell to exactly one title, content or separator", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 16 }),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 120 }),
      (count, columns, cols, rows) => {
        const layout: PaneLayout = columns === undefined
          ? { count }
          : { count: columns * Math.max(1, Math.floor(count / columns)), columns };
        const plan = planGrid(layout, cols, rows);
        assert.equal(plan.panes.length, layout.count);
        const roles = cellRoles(plan);
        const widest = Math.max(...rowShape(layout));
        if (cols >= 2 * widest - 1) {
          for (const row of roles.slice(0, rows)) {
            assert.ok(row.every((r) => r !== ""), `unclaimed cell at ${cols}x${rows}`);
          }
        }
        for (const pane of plan.panes) {
          const small = pane.content.cols < MIN_PANE_COLS || pane.content.rows < MIN_PANE_ROWS;
          assert.equal(pane.tooSmall, small);
        }
      },
    ),
    { numRuns: 400 },
  );
});

Deno.test("titleText() carries the signature in a rule of exactly the width", () => {
  assert.equal(titleText("cargo build", 20), "─ cargo build ──────");
  assert.equal(titleText("cargo build --release --locked", 16), "─ cargo build… ─");
  assert.equal(titleText("", 5), "─────");
  assert.equal(titleText("x", 3), "───");
  for (const title of ["docker compose up --build", "typist 漢字 --fast", "a"]) {
    for (let cols = 0; cols < 40; cols++) {
      const text = titleText(title, cols);
      assert.equal(visibleWidth(text), cols, `${title} at ${cols}: ${text}`);
      const label = text.replace(/^─ /, "").replace(/ ─*$/, "");
      if (!label.startsWith("─")) {
        assert.ok(title.startsWith(label.replace(/…$/, "")), `${title} at ${cols}: ${text}`);
      }
    }
  }
});

/** A random frame: a few characters (wide ones too), palette, 24-bit colours and attributes. */
const frameArbitrary = (cols: number, rows: number) =>
  fc.array(
    fc.record({
      x: fc.nat(cols - 1),
      y: fc.nat(rows - 1),
      text: fc.constantFrom("a", "b", "Z", " ", "#", "─", "漢", "字", "é", "⠋"),
      fg: fc.constantFrom(DEFAULT_COLOR, 1, 9, 130, RGB_FLAG + 0x336699),
      bg: fc.constantFrom(DEFAULT_COLOR, DEFAULT_COLOR, 4, 236),
      attrs: fc.constantFrom(0, 0, ATTR.BOLD, ATTR.DIM | ATTR.ITALIC, ATTR.UNDERLINE, ATTR.INVERSE),
    }),
    { maxLength: 60 },
  ).map((cells) => {
    const frame = new Frame(cols, rows);
    for (const c of cells) {
      // Never split an existing wide character: only write on plain narrow cells.
      const i = c.y * cols + c.x;
      if (frame.chars[i] === "" || frame.chars[i + 1] === "") continue;
      if ((c.text === "漢" || c.text === "字") && (c.x + 1 >= cols || frame.chars[i + 2] === "")) {
        continue;
      }
      frame.text(c.x, c.y, c.text, cols - c.x, { fg: c.fg, bg: c.bg, attrs: c.attrs });
    }
    return frame;
  });

Deno.test("diffFrames() turns a terminal showing one frame into one showing the next", () => {
  const cols = 17;
  const rows = 5;
  fc.assert(
    fc.property(frameArbitrary(cols, rows), frameArbitrary(cols, rows), (a, b) => {
      const first = diffFrames(undefined, a);
      assert.ok(first.startsWith(CLEAR_SCREEN));
      assert.equal(frameDifference(frameAfter(first, cols, rows), a), "");
      const second = diffFrames(a, b);
      assert.equal(frameDifference(frameAfter(first + second, cols, rows), b), "");
      assert.equal(diffFrames(b, b), "");
      assert.ok(!second.includes("\n"), "a diff never relies on line feeds");
    }),
    { numRuns: 300 },
  );
});

Deno.test("diffFrames() writes only the changed cells", () => {
  const a = new Frame(80, 24);
  a.text(0, 0, "hello world", 80, PLAIN);
  const b = a.clone();
  b.text(6, 0, "there", 80, PLAIN);
  b.text(70, 23, "end", 10, { fg: 2, bg: DEFAULT_COLOR, attrs: ATTR.BOLD });
  const diff = diffFrames(a, b);
  assert.equal(diff, "\x1b[1;7Hthere\x1b[24;71H\x1b[0;1;32mend\x1b[0m");
});

Deno.test("paneSeed() differs per pane and is stable per seed", () => {
  const seeds = Array.from({ length: 16 }, (_, i) => paneSeed(42n, i));
  assert.equal(new Set(seeds).size, 16);
  assert.deepEqual(seeds, Array.from({ length: 16 }, (_, i) => paneSeed(42n, i)));
  assert.notEqual(paneSeed(1n, 0), paneSeed(2n, 0));
});

/**
 * Checks the chrome of a composed screen (read cell by cell) against the plan:
 * title bars, vertical rules, and the junctions where they meet.
 */
function assertChrome(screen: Frame, plan: GridPlan, titles: readonly string[]): void {
  const at = (x: number, y: number) => screen.chars[y * screen.cols + x] ?? "";
  const rule = new Set(
    plan.separators.flatMap((s) => Array.from({ length: s.rows }, (_, r) => `${s.x},${s.y + r}`)),
  );
  for (const pane of plan.panes) {
    if (pane.title.rows === 0) continue;
    const expected = [...titleText(titles[pane.index] ?? "", pane.title.cols)];
    let x = pane.title.x;
    for (const ch of expected) {
      const { y } = pane.title;
      const above = rule.has(`${x},${y - 1}`);
      assert.equal(
        at(x, y),
        above && ch === "─" ? "┴" : ch,
        `title of pane ${pane.index} at x ${x}`,
      );
      x += visibleWidth(ch);
    }
  }
  for (const sep of plan.separators) {
    const above = rule.has(`${sep.x},${sep.y - 1}`);
    assert.equal(at(sep.x, sep.y), above ? "┼" : "┬", `junction at (${sep.x}, ${sep.y})`);
    for (let y = sep.y + 1; y < sep.y + sep.rows; y++) {
      assert.equal(at(sep.x, y), "│", `rule at (${sep.x}, ${y})`);
    }
  }
}

const SIZES = [["2x2", 80, 24], ["3x2", 150, 40], ["3", 100, 30], ["1", 60, 12]] as const;
for (const [layoutText, cols, rows] of SIZES) {
  Deno.test(`a ${layoutText} display on ${cols}x${rows} draws titles and rules, and each pane's content stays in its cell`, async () => {
    const layout = parsePaneLayout(layoutText);
    const run = await runDisplay({ layout, cols, rows, untilMs: 20_000, seed: 7n });
    assert.equal(run.cause, "time");
    const screen = await screenAfter(run.output, cols, rows);
    const shown = frameAfter(run.output, cols, rows);
    const plan = run.display.plan;
    const titles = run.display.panes.map((p) => p.title);
    assert.ok(titles.every((t) => TEST_MODULES.some((m) => m.signature === t)), "titles set");
    assertChrome(shown, plan, titles);
    // What the screen shows in each content cell is exactly the pane's own terminal.
    for (const placement of plan.panes) {
      const pane = run.display.panes[placement.index];
      assert.ok(pane);
      const own = new Frame(cols, rows);
      own.fill(0, 0, cols, rows, "?", PLAIN);
      pane.terminal.copyInto(own, placement.content);
      const { x, y, cols: w, rows: h } = placement.content;
      for (let r = y; r < y + h; r++) {
        for (let c = x; c < x + w; c++) {
          const i = r * cols + c;
          assert.ok(own.same(i, shown, i), `pane ${placement.index} cell (${c}, ${r}) differs`);
        }
      }
    }
    // Lines of 300 '#' never leak into a rule or a title bar, at any point of the run.
    const roles = cellRoles(plan);
    let seen = 0;
    for (let k = 0; k < run.frames.length; k += 8) {
      const upTo = run.frames.slice(0, k + 1).map((f) => f.bytes).join("");
      frameAfter(upTo, cols, rows).chars.forEach((ch, i) => {
        if (ch !== "#" && ch !== "=") return;
        seen++;
        const x = i % cols;
        const y = Math.floor(i / cols);
        assert.equal(roles[y]?.[x], "c", `'${ch}' at (${x}, ${y}) in frame ${k}`);
      });
    }
    assert.ok(seen > 0, "no wide line shown at all");
    assert.ok(screen.rows.every((line) => visibleWidth(line) <= cols));
  });
}

Deno.test("panes too small for a module show a tidy placeholder instead", async () => {
  const run = await runDisplay({ layout: { count: 16 }, cols: 60, rows: 20, untilMs: 3_000 });
  const screen = await screenAfter(run.output, 60, 20);
  const plan = run.display.plan;
  assert.ok(plan.panes.every((p) => p.tooSmall));
  const text = screen.rows.join("\n");
  assert.ok(!/[#=W]|at \d|working/.test(text), "module output leaked into a tiny pane");
  assert.ok(text.includes("too small"), text);
  assertChrome(frameAfter(run.output, 60, 20), plan, run.display.panes.map((p) => p.title));
  // Mixed: one row of wide panes and one of narrow ones.
  const mixed = await runDisplay({ layout: { count: 5 }, cols: 50, rows: 24, untilMs: 2_000 });
  const small = mixed.display.plan.panes.filter((p) => p.tooSmall).length;
  assert.equal(small, 3);
});

Deno.test("resizing re-lays out the grid, repaints it and gives the panes their new size", async () => {
  const run = await runDisplay({
    layout: { count: 4, columns: 2 },
    cols: 80,
    rows: 24,
    untilMs: 8_000,
    resize: { atMs: 4_000, cols: 120, rows: 36 },
  });
  const repaint = run.frames.findIndex((f) => f.time >= 4_000 && f.bytes.startsWith(CLEAR_SCREEN));
  assert.ok(repaint > 0, "no full repaint after the resize");
  assert.deepEqual(run.resizes, [repaint], "the resize is announced right before its repaint");
  const after = run.frames.slice(repaint).map((f) => f.bytes).join("");
  const plan = run.display.plan;
  assert.equal(plan.cols, 120);
  assert.equal(plan.rows, 36);
  assertChrome(frameAfter(after, 120, 36), plan, run.display.panes.map((p) => p.title));
  for (const placement of plan.panes) {
    const pane = run.display.panes[placement.index];
    assert.equal(pane?.terminal.cols, placement.content.cols);
    assert.equal(pane?.terminal.rows, placement.content.rows);
    assert.equal(pane?.session.term.cols, placement.content.cols);
  }
  // Shrinking below the minimum turns panes into placeholders, growing brings them back.
  const shrink = await runDisplay({
    layout: { count: 4, columns: 2 },
    cols: 80,
    rows: 24,
    untilMs: 6_000,
    resize: { atMs: 3_000, cols: 30, rows: 8 },
  });
  assert.ok(shrink.display.plan.panes.every((p) => p.tooSmall));
  assert.ok(shrink.display.panes.every((p) => p.terminal.cols >= MIN_PANE_COLS));
});

Deno.test("frames come at most 30 times a second of the timeline", async () => {
  const run = await runDisplay({ layout: { count: 4 }, cols: 100, rows: 30, untilMs: 10_000 });
  assert.ok(run.frames.length > 20);
  for (let i = 1; i < run.frames.length - 1; i++) {
    const gap = (run.frames[i]?.time ?? 0) - (run.frames[i - 1]?.time ?? 0);
    assert.ok(gap >= 1000 / 30 - 1e-6, `frames ${i - 1} and ${i} only ${gap} ms apart`);
  }
});

Deno.test("--exit-after-modules counts modules finished across all panes", async () => {
  const run = await runDisplay({
    layout: { count: 3 },
    cols: 120,
    rows: 30,
    exitAfterModules: 5,
    modules: [stamps, typist],
  });
  assert.equal(run.cause, "modules");
  assert.equal(run.display.stats.modulesFinished, 5);
});

Deno.test("a seeded pane display gives identical bytes; another seed differs", async () => {
  const a = await runDisplay({ layout: { count: 4 }, cols: 90, rows: 26, untilMs: 5_000 });
  const b = await runDisplay({ layout: { count: 4 }, cols: 90, rows: 26, untilMs: 5_000 });
  const c = await runDisplay({
    layout: { count: 4 },
    cols: 90,
    rows: 26,
    untilMs: 5_000,
    seed: 2n,
  });
  assert.equal(a.output, b.output);
  assert.notEqual(a.output, c.output);
});

Deno.test("without colour the composed screen has no SGR beyond resets", async () => {
  const run = await runDisplay({
    layout: { count: 2 },
    cols: 90,
    rows: 20,
    untilMs: 4_000,
    color: false,
    modules: [wideLines, typist],
  });
  // deno-lint-ignore no-control-regex
  const codes = run.output.match(/\x1b\[[0-9;]*m/g) ?? [];
  assert.ok(codes.every((code) => code === "\x1b[0m"), codes.find((c) => c !== "\x1b[0m"));
});

Deno.test("the registered modules run in panes and stay inside their cells", async () => {
  if (MODULES.length === 0) return;
  const run = await runDisplay({
    layout: { count: 4, columns: 2 },
    cols: 120,
    rows: 40,
    untilMs: 30_000,
    modules: MODULES,
    seed: 3n,
  });
  const screen = frameAfter(run.output, 120, 40);
  assertChrome(screen, run.display.plan, run.display.panes.map((p) => p.title));
  assert.ok(run.display.panes.every((p) => MODULES.some((m) => m.signature === p.title)));
});

/**
 * Runs main.ts in a 100x30 pseudo-terminal (util-linux `script`); `keys` are
 * typed and the terminal resized at the given times.
 */
async function inTerminal(
  args: string[],
  keys?: { text: string; afterMs: number },
  resize?: { afterMs: number; cols: number; rows: number },
): Promise<{ code: number; output: string }> {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const quoted = args.map((a) => `'${a}'`).join(" ");
  const later = resize
    ? `(sleep ${resize.afterMs / 1000}; stty cols ${resize.cols} rows ${resize.rows} < /dev/tty) & `
    : "";
  const command =
    `stty cols 100 rows 30; ${later}exec "${Deno.execPath()}" run -A "${main}" ${quoted}`;
  const child = new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { TERM: "xterm-256color" },
  }).spawn();
  const writer = child.stdin.getWriter();
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (keys) {
    timer = setTimeout(() => void writer.write(new TextEncoder().encode(keys.text)), keys.afterMs);
  }
  const watchdog = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const result = await child.output();
  clearTimeout(timer);
  clearTimeout(watchdog);
  await writer.close().catch(() => {});
  return { code: result.code, output: new TextDecoder().decode(result.stdout) };
}

const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "in a real terminal, every exit (limit, Ctrl-C) restores it: main screen, cursor, colours",
  ignore: !hasScript,
  async fn() {
    const [timed, interrupted] = await Promise.all([
      inTerminal(["--panes", "2x2", "--exit-after-time", "1500ms", "--seed", "1"]),
      // Ctrl-Z first: swallowed, never stopping the program inside the alternate screen.
      inTerminal(["--panes", "3", "--seed", "2"], { text: "typed\x1a\x03", afterMs: 1500 }),
    ]);
    assert.equal(timed.code, 0);
    assert.equal(interrupted.code, 130);
    for (const run of [timed, interrupted]) {
      assert.ok(run.output.includes("\x1b[?1049h"), "never entered the alternate screen");
      const screen = await screenAfter(run.output, 100, 30);
      assert.ok(!screen.alternate, "left in the alternate screen");
      assert.ok(screen.cursorVisible, "cursor left hidden");
      assert.ok(screen.penReset, "colours left on");
      const shown = screen.rows.filter((line) => line !== "");
      assert.equal(shown.at(-1), "Saving work to disk...");
      assert.ok(!shown.some((line) => line.includes("typed")), "typed keys were echoed");
      const inside = run.output.slice(0, run.output.indexOf("\x1b[?1049l"));
      const composed = await screenAfter(inside, 100, 30);
      assert.ok(composed.alternate);
      assert.match(composed.rows[0] ?? "", /^─ .+ ─*┬─ .+ ─+$/);
    }
  },
});

Deno.test({
  name: "in a real terminal, a resize re-lays out the panes and a live recording follows it",
  ignore: !hasScript,
  async fn() {
    const file = Deno.makeTempFileSync({ suffix: ".cast" });
    try {
      const run = await inTerminal(
        ["--panes", "2x2", "--exit-after-time", "2s", "--seed", "4", "--record", file, "--force"],
        undefined,
        { afterMs: 900, cols: 120, rows: 36 },
      );
      assert.equal(run.code, 0);
      const cast = parseCast(Deno.readTextFileSync(file));
      assert.equal(cast.header.width, 100);
      // stty sets columns and rows one after the other, so a loaded machine may show the
      // intermediate 120x30 too; the recording must end on the final size.
      const resizes = cast.events.filter((e) => e[1] === "r").map((e) => e[2]);
      assert.equal(resizes.at(-1), "120x36");
      assert.ok(resizes.every((r) => r === "120x30" || r === "120x36"), resizes.join(" "));
      // Replayed as a player would, resizing where the cast says so.
      const term = new PaneTerminal(100, 30);
      for (const [, code, data] of cast.events) {
        if (code === "r") term.resize(120, 36);
        else term.write(data);
      }
      const screen = new Frame(120, 36);
      term.copyInto(screen, { x: 0, y: 0, cols: 120, rows: 36 });
      term.dispose();
      const plan = planGrid({ count: 4, columns: 2 }, 120, 36);
      const titles = plan.panes.map((p) =>
        screen.chars.slice(p.title.y * 120 + p.title.x, p.title.y * 120 + p.title.x + p.title.cols)
          .join("").replace(/^─ /, "").replace(/ ─*[┬┼┴─]*$/, "")
      );
      assert.ok(titles.every((t) => t.length > 0), JSON.stringify(titles));
      assertChrome(screen, plan, titles);
    } finally {
      Deno.removeSync(file);
    }
  },
});

Deno.test("a module's error in one pane stops every pane and comes out of run()", async () => {
  const bomb: Module = {
    name: "bomb",
    signature: "bomb --in 2s",
    about: "test: fails",
    async run(ctx) {
      ctx.out.line("ticking");
      await ctx.sleep(2_000);
      throw new Error("boom");
    },
  };
  const timeline = new VirtualTimeline();
  let frames = 0;
  const display = new PaneDisplay({
    onFrame: () => void frames++,
    cols: 100,
    rows: 30,
    layout: { count: 3 },
    modules: [typist, bomb],
    seed: 5n,
    color: true,
    speed: 1,
    epochMs: TEST_EPOCH_MS,
    timeline,
  });
  timeline.after(60_000, () => display.stop("time"));
  await assert.rejects(display.run(), /boom/);
  assert.ok(timeline.now() < 60_000, "the other panes ran on to the time limit");
  assert.ok(frames > 0);
  for (const pane of display.panes) pane.dispose();
});
