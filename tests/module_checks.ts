/**
 * Checks every registered module inherits: it finishes within its bound, a seed
 * gives identical bytes, a rendered terminal shows the permanent lines wrapped
 * plus the live region (never a wrapped live row) and the cursor ends visible,
 * plain mode has no cursor control, and plain mode without colour has no escape
 * byte at all.
 *
 * The checks are split over three test files (contract, plain, terminal) so the
 * runner can take them in parallel; each file registers one group from here.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MODULES } from "../modules/mod.ts";
import { DEFAULT_MAX_DURATION_MS, type Module } from "../core/types.ts";
import { captureModule, expectedScreen, replay, ReplayTerminal, trimEnd } from "./harness.ts";

const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);
const WIDTHS = [20, 80, 200] as const;
// deno-lint-ignore no-control-regex
const CURSOR_CONTROL_REGEXP = /\r|\x1b\[[0-9;?]*[ABCDEFGHJKSTfhlsu]/;

/** The groups of generic checks. */
export type CheckGroup = "contract" | "plain" | "terminal";

/** Registers one group of generic checks for every module in the registry. */
export function registerModuleChecks(group: CheckGroup): void {
  for (const module of MODULES) {
    const bound = module.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
    if (group === "contract") registerContract(module);
    if (group === "plain") registerPlain(module, bound);
    if (group === "terminal") registerTerminal(module, bound);
  }
}

function registerContract(module: Module): void {
  Deno.test(`[${module.name}] has a snake_case name, a signature and a one-line description`, () => {
    assert.match(module.name, /^[a-z][a-z0-9_]*$/);
    assert.ok(module.signature.trim().length > 0);
    assert.ok(module.about.length > 0 && !module.about.includes("\n"));
  });

  Deno.test(`[${module.name}] the same seed gives identical bytes`, async () => {
    for (const seed of [1, 7, 42]) {
      for (const tty of [false, true]) {
        const a = await captureModule(module, { seed, tty, color: true });
        const b = await captureModule(module, { seed, tty, color: true });
        assert.equal(a.output, b.output, `seed ${seed} tty ${tty}`);
      }
    }
    const c = await captureModule(module, { seed: 1 });
    const d = await captureModule(module, { seed: 2 });
    assert.notEqual(c.output, d.output, "different seeds gave the same output");
  });
}

function registerPlain(module: Module, bound: number): void {
  Deno.test(`[${module.name}] plain mode without colour emits no escape byte, finishes within ${bound / 1000}s`, async () => {
    for (const seed of SEEDS) {
      for (const cols of WIDTHS) {
        const run = await captureModule(module, { seed, cols, tty: false, color: false });
        assert.ok(
          !run.output.includes("\x1b"),
          `seed ${seed} width ${cols}: escape byte in plain output`,
        );
        assert.ok(
          !run.output.includes("\r"),
          `seed ${seed} width ${cols}: carriage return in plain output`,
        );
        assert.ok(
          run.pretendMs <= bound,
          `seed ${seed}: ran ${run.pretendMs} ms, bound ${bound} ms`,
        );
        assert.ok(run.pretendMs > 0, `seed ${seed}: took no pretend time at all`);
        assert.ok(run.lines > 0, `seed ${seed}: printed no line`);
        assert.ok(run.output.endsWith("\n"), `seed ${seed}: last line not terminated`);
      }
    }
  });

  Deno.test(`[${module.name}] plain mode with colour has no cursor movement, \\r or erase code`, async () => {
    for (const seed of SEEDS.slice(0, 20)) {
      const run = await captureModule(module, {
        seed,
        cols: WIDTHS[seed % 3],
        tty: false,
        color: true,
      });
      const bad = run.output.match(CURSOR_CONTROL_REGEXP);
      assert.equal(bad, null, `seed ${seed}: ${JSON.stringify(bad?.[0])} in plain output`);
    }
  });
}

function registerTerminal(module: Module, bound: number): void {
  Deno.test(`[${module.name}] in a terminal the screen shows the permanent lines wrapped plus the live region, no live row wraps, the cursor ends visible`, async () => {
    const rows = 24;
    for (const seed of SEEDS) {
      const cols = WIDTHS[seed % 3] as number;
      const run = await captureModule(module, { seed, cols, rows, tty: true, color: true });
      assert.ok(run.pretendMs <= bound, `seed ${seed}: ran ${run.pretendMs} ms`);
      const term = new ReplayTerminal(cols, rows);
      // A few frames spread over the run, each compared whole with what the design promises.
      const checkpoints = [
        ...new Set([1, 2, 3, 4, 5].map((k) => Math.floor((run.chunks.length * k) / 6))),
      ];
      try {
        let written = 0;
        for (const i of checkpoints) {
          await term.write(run.chunks.slice(written, i + 1).join(""));
          written = i + 1;
          const state = run.chunkStates[i];
          if (!state) continue;
          const live = run.live[state.live]?.lines ?? [];
          const view = term.view();
          const where = `seed ${seed} width ${cols} frame ${i}`;
          assert.deepEqual(
            trimEnd(view.lines),
            trimEnd(expectedScreen(run.log.slice(0, state.log), live, cols, rows)),
            `${where}: screen differs`,
          );
          if (live.length > 0) {
            const shown = Math.min(rows - 1, live.length);
            const top = view.cursor.y - shown + 1;
            assert.ok(
              view.continued.slice(top + 1, view.cursor.y + 1).every((c) => !c),
              `${where}: a live row wrapped`,
            );
            assert.ok(!view.cursorVisible, `${where}: cursor visible over a live region`);
          }
        }
        await term.write(run.chunks.slice(written).join(""));
        const end = term.view();
        assert.ok(end.cursorVisible, `seed ${seed} width ${cols}: cursor left hidden`);
        assert.deepEqual(
          trimEnd(end.lines),
          trimEnd(expectedScreen(run.log, [], cols, rows)),
          `seed ${seed} width ${cols}: final screen differs`,
        );
      } finally {
        term.dispose();
      }
    }
  });

  Deno.test(`[${module.name}] stopped mid-run in a terminal, the live region is ${module.liveOnStop === "keep" ? "kept" : "cleared"} as its tool leaves it`, async () => {
    const rows = 24;
    for (const seed of SEEDS.slice(0, 6)) {
      const cols = WIDTHS[seed % 3] as number;
      const exitAfterMs = 1500 + seed * 1700;
      const run = await captureModule(module, { seed, cols, rows, tty: true, exitAfterMs });
      if (!run.stopped) continue;
      const last = run.live.at(-1)?.lines ?? [];
      const kept = module.liveOnStop === "keep" ? last : [];
      const view = await replay(run.output, cols, rows);
      assert.ok(view.cursorVisible, `seed ${seed}: cursor left hidden`);
      assert.deepEqual(
        trimEnd(view.lines),
        trimEnd(expectedScreen(run.log, kept, cols, rows)),
        `seed ${seed} width ${cols}: screen after the stop`,
      );
    }
  });
}
