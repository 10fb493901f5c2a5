/**
 * pytest format tests: the letters above equal the counts in the final rule,
 * the `[ NN%]` column is right-aligned to the width, only grows and ends at
 * 100, each failure has a block and a short-summary line that agree, the
 * warnings count equals the tests listed, and the coverage table adds up.
 */

import assert from "node:assert/strict";
import { coveragePercent, planRun, pytest, pytestDuration, sep } from "../modules/pytest.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

function planFor(seed: number) {
  return planRun(new Rng(seed).fork());
}

Deno.test("pytest: separators and durations match pytest's", () => {
  assert.equal(
    sep("=", "test session starts", 80),
    "============================= test session starts ==============================",
  );
  assert.equal(sep("_ ", undefined, 10), "_ _ _ _ _ ");
  assert.equal(pytestDuration(45_670), "45.67s");
  assert.equal(pytestDuration(125_320), "125.32s (0:02:05)");
  assert.equal(coveragePercent(1000, 1), 99);
  assert.equal(coveragePercent(7, 0), 100);
});

Deno.test("pytest: flavours, xdist and coverage vary across seeds", () => {
  const seen = new Set<string>();
  for (const seed of SEEDS) {
    const p = planFor(seed);
    seen.add(`${p.flavour.id}:${p.workers > 0}:${p.coverage}`);
  }
  assert.ok(seen.size >= 8, `only ${seen.size} combinations`);
});

Deno.test("pytest: the final rule counts the letters above it", async () => {
  let failedRuns = 0;
  for (const seed of SEEDS) {
    for (const cols of [80, 132]) {
      const run = await captureModule(pytest, { seed, cols });
      const lines = run.output.trimEnd().split("\n");
      assert.equal(lines[0], sep("=", "test session starts", cols));
      const collected = Number(
        (run.output.match(/^collected (\d+) items?$/m) ??
          run.output.match(/^\d+ workers \[(\d+) items?\]$/m))?.[1],
      );
      assert.ok(collected > 0, `seed ${seed}: no collection line`);
      const progress = lines.filter((l) => / \[ *\d+%\]$/.test(l));
      let letters = "";
      let last = -1;
      for (const l of progress) {
        assert.equal(l.length, cols - 1, `seed ${seed}: [ NN%] not at the edge: ${l}`);
        const pct = Number(l.match(/\[ *(\d+)%\]$/)![1]);
        assert.ok(pct >= last, `seed ${seed}: percentage went down at ${l}`);
        last = pct;
        const body = l.replace(/ *\[ *\d+%\]$/, "");
        letters += body.match(/(?:^| )([.FsxX]+)$/)?.[1] ?? (/^[.FsxX]+$/.test(body) ? body : "");
      }
      assert.equal(last, 100, `seed ${seed}: did not end at 100%`);
      assert.equal(letters.length, collected, `seed ${seed}: letters vs collected`);
      const count = (c: string) => [...letters].filter((x) => x === c).length;
      const final = lines.at(-1)!;
      assert.equal(final.length, cols, `seed ${seed}: final rule width`);
      const num = (word: string) => Number(final.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
      assert.equal(num("passed"), count("."), `seed ${seed}: passed`);
      assert.equal(num("failed"), count("F"), `seed ${seed}: failed`);
      assert.equal(num("skipped"), count("s"), `seed ${seed}: skipped`);
      assert.equal(num("xfailed"), count("x"), `seed ${seed}: xfailed`);
      const seconds = Number(final.match(/ in (\d+\.\d\d)s/)?.[1]);
      assert.ok(seconds * 1000 <= run.pretendMs + 10, `seed ${seed}: ${seconds}s`);
      // Failures: one titled block and one summary line each, with the same reason.
      const fails = lines.filter((l) => l.startsWith("FAILED "));
      assert.equal(fails.length, count("F"), `seed ${seed}: short summary lines`);
      if (fails.length > 0) {
        failedRuns++;
        assert.ok(lines.includes(sep("=", "FAILURES", cols)));
        for (const f of fails) {
          const m = f.match(/^FAILED (\S+)::(\S+) - (.+)$/)!;
          assert.ok(m, `seed ${seed}: ${f}`);
          const title = lines.indexOf(sep("_", m[2]!, cols));
          assert.ok(title > 0, `seed ${seed}: no block for ${m[2]}`);
          const e = lines.slice(title).find((l) => l.startsWith("E   "))!;
          assert.equal(e.slice(1).trim(), m[3], `seed ${seed}: reason of ${m[2]}`);
          assert.ok(
            lines.slice(title).some((l) => l.startsWith(`${m[1]}:`)),
            `seed ${seed}: the block does not end in ${m[1]}`,
          );
        }
      }
      // Warnings: the count is the number of test ids listed in the summary.
      const w = lines.indexOf(sep("=", "warnings summary", cols));
      const listed = w < 0 ? 0 : lines.slice(w + 1).filter((l) => /^\S+\.py::\S+$/.test(l)).length;
      assert.equal(num("warnings?"), listed, `seed ${seed}: warnings`);
      // Coverage: TOTAL is the sum of the rows.
      const c = lines.indexOf(sep("=", "tests coverage", cols));
      if (c >= 0) {
        const rows = lines.slice(c + 5).filter((l) => /^\S+\.py +\d+ +\d+ +\d+%/.test(l));
        const total = lines.find((l) => l.startsWith("TOTAL "))!.split(/ +/);
        const stmts = rows.reduce((a, r) => a + Number(r.split(/ +/)[1]), 0);
        const miss = rows.reduce((a, r) => a + Number(r.split(/ +/)[2]), 0);
        assert.equal(Number(total[1]), stmts, `seed ${seed}: Stmts`);
        assert.equal(Number(total[2]), miss, `seed ${seed}: Miss`);
        assert.equal(total[3], `${coveragePercent(stmts, miss)}%`, `seed ${seed}: Cover`);
      }
    }
  }
  assert.ok(failedRuns > 5, "failures happen in some runs");
});

Deno.test("pytest: a terminal shows collecting while it collects; a pipe does not", async () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const tty = await captureModule(pytest, { seed, cols: 100, tty: true });
    const pipe = await captureModule(pytest, { seed, cols: 100 });
    assert.ok(tty.live.some((u) => u.lines.length > 0), `seed ${seed}`);
    assert.equal(pipe.live.filter((u) => u.lines.length > 0).length, 0, `seed ${seed}`);
  }
});

Deno.test("pytest snapshot, seed 2 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(pytest, { seed: 2, cols: 80 })).output);
});
