/**
 * Panes under resizes (issue 11, F2): the headless terminal behind each pane
 * survives any sequence of sizes and writes, keeps a bounded buffer, and a
 * whole pane display survives window drags and random resize storms on the
 * virtual timeline.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { PaneDisplay } from "../core/panes/display.ts";
import { Frame } from "../core/panes/frame.ts";
import { PaneTerminal } from "../core/panes/vt.ts";
import { VirtualTimeline } from "../core/panes/timeline.ts";
import type { StopCause } from "../core/clock.ts";
import { MODULES } from "../modules/mod.ts";
import { TEST_EPOCH_MS } from "./harness.ts";
import { TEST_MODULES } from "./panes_fixtures.ts";

/** The visible rows of a pane terminal, right-trimmed. */
function visibleRows(term: PaneTerminal): string[] {
  const frame = new Frame(term.cols, term.rows);
  term.copyInto(frame, { x: 0, y: 0, cols: term.cols, rows: term.rows });
  const rows: string[] = [];
  for (let y = 0; y < term.rows; y++) {
    rows.push(frame.chars.slice(y * term.cols, (y + 1) * term.cols).join("").trimEnd());
  }
  return rows;
}

Deno.test("a pane terminal survives the probe's minimal repro (shrink then grow a wrapped line)", () => {
  const term = new PaneTerminal(80, 5);
  try {
    term.write("x".repeat(60) + "\r\n");
    term.resize(20, 3);
    term.resize(398, 5);
    term.write("a\r\nb\r\nc\r\n");
    const rows = visibleRows(term);
    assert.deepEqual(rows.slice(-4), ["a", "b", "c", ""]);
  } finally {
    term.dispose();
  }
});

Deno.test("a pane terminal keeps a bounded buffer however much is written", () => {
  const term = new PaneTerminal(40, 10);
  try {
    for (let i = 0; i < 5_000; i++) term.write(`line ${i} ${"#".repeat(i % 90)}\n`);
    assert.ok(term.bufferLines <= 10 + 1, `${term.bufferLines} lines kept`);
    term.resize(120, 30);
    for (let i = 0; i < 500; i++) term.write(`again ${i}\n`);
    assert.ok(term.bufferLines <= 30 + 1, `${term.bufferLines} lines kept`);
  } finally {
    term.dispose();
  }
});

/** One step of a storm: a resize, or a write of wrapped, wide or plain text. */
const step = fc.oneof(
  // xterm's smallest terminal is 2x1.
  fc.record({ cols: fc.integer({ min: 2, max: 400 }), rows: fc.integer({ min: 1, max: 100 }) }),
  fc.record({
    text: fc.oneof(
      fc.integer({ min: 0, max: 900 }).map((n) => "w".repeat(n)),
      fc.integer({ min: 1, max: 40 }).map((n) => "漢字".repeat(n)),
      fc.constantFrom("a\nb\nc\n", "\x1b[31mred\x1b[0m\n", "\r\x1b[2Klive", "\x1b[1A\x1b[2K"),
    ),
  }),
);

Deno.test("a pane terminal survives any sequence of resizes and writes, and shows the last line", () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
      const term = new PaneTerminal(80, 24);
      try {
        for (const s of steps) {
          if ("cols" in s) {
            term.resize(s.cols, s.rows);
            assert.equal(term.cols, s.cols);
            assert.equal(term.rows, s.rows);
          } else term.write(s.text);
          visibleRows(term);
          assert.ok(term.bufferLines <= term.rows + 1);
        }
        // To the bottom row, scroll one line, write there: the screen's last row shows it.
        const end = "END".slice(0, term.cols);
        term.write(`\x1b[999B\r\n${end}`);
        assert.equal(visibleRows(term).at(-1), end);
      } finally {
        term.dispose();
      }
    }),
    { numRuns: 150 },
  );
});

/** Runs a display on a virtual timeline with `resizes` (time, size) until `untilMs`. */
async function runResized(
  seed: bigint,
  resizes: { atMs: number; cols: number; rows: number }[],
  untilMs: number,
  start = { cols: 120, rows: 40 },
): Promise<{ cause: StopCause; display: PaneDisplay; frames: number }> {
  const timeline = new VirtualTimeline();
  let frames = 0;
  const display = new PaneDisplay({
    onFrame: () => void frames++,
    cols: start.cols,
    rows: start.rows,
    layout: { count: 4 },
    modules: MODULES.length > 0 ? MODULES : TEST_MODULES,
    seed,
    color: true,
    speed: 3,
    epochMs: TEST_EPOCH_MS,
    timeline,
  });
  for (const r of resizes) timeline.after(r.atMs, () => display.resize(r.cols, r.rows));
  timeline.after(untilMs, () => display.stop("time"));
  try {
    const cause = await display.run();
    return { cause, display, frames };
  } finally {
    for (const pane of display.panes) pane.dispose();
  }
}

Deno.test("pane displays survive window drags between 40x13 and 200x66", async () => {
  // Seed 12 crashed with `isWrapped` before the fix (the probe's tmux drag, on the virtual timeline).
  for (const seed of [3n, 7n, 12n]) {
    // As a window manager reports a drag: a size every 16 ms, down to 40 wide and up to 200.
    const sizes: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let w = 120; w >= 40; w -= 3) sizes.push(w);
      for (let w = 40; w <= 200; w += 3) sizes.push(w);
    }
    const resizes = sizes.map((w, i) => ({
      atMs: 2_000 + 16 * i,
      cols: w,
      rows: Math.floor(w / 3),
    }));
    const end = resizes.at(-1)!;
    const run = await runResized(seed, resizes, end.atMs + 3_000);
    assert.equal(run.cause, "time", `seed ${seed}`);
    assert.equal(run.display.plan.cols, end.cols);
    assert.equal(run.display.plan.rows, end.rows);
    assert.ok(run.frames > sizes.length / 4, `seed ${seed}: only ${run.frames} frames`);
  }
});

Deno.test("pane displays survive random resize storms", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.bigInt({ min: 1n, max: 1_000_000n }),
      fc.array(
        fc.record({
          gapMs: fc.integer({ min: 1, max: 400 }),
          cols: fc.integer({ min: 1, max: 400 }),
          rows: fc.integer({ min: 1, max: 100 }),
        }),
        { minLength: 1, maxLength: 60 },
      ),
      async (seed, storm) => {
        let at = 500;
        const resizes = storm.map((r) => ({ atMs: at += r.gapMs, cols: r.cols, rows: r.rows }));
        const run = await runResized(seed, resizes, at + 2_000);
        assert.equal(run.cause, "time");
        const last = resizes.at(-1)!;
        assert.equal(run.display.plan.cols, last.cols);
        for (const placement of run.display.plan.panes) {
          const pane = run.display.panes[placement.index]!;
          if (placement.tooSmall) continue;
          assert.equal(pane.terminal.cols, placement.content.cols);
          assert.equal(pane.terminal.rows, placement.content.rows);
        }
      },
    ),
    { numRuns: 25 },
  );
});
