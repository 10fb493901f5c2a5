/**
 * vitest format tests: the summary counts are the sums of the file lines
 * above (files, tests, failures), every `×` has its `FAIL` block and its
 * `[i/N]` divider, dividers span the width, the durations fit in the run, and
 * Jest's `Test Suites:` / `Tests:` agree with its `PASS` / `FAIL` lines and
 * `●` blocks. The live view exists only on a terminal.
 */

import assert from "node:assert/strict";
import { divider, planRun, vitest, vitestTime } from "../modules/vitest.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 80 }, (_, i) => i + 1);

function planFor(seed: number) {
  return planRun(new Rng(seed).fork());
}

function seconds(text: string): number {
  return text.endsWith("ms") ? Number(text.slice(0, -2)) / 1000 : Number(text.slice(0, -1));
}

Deno.test("vitest: time format and divider width", () => {
  assert.equal(vitestTime(912), "912ms");
  assert.equal(vitestTime(4_561), "4.56s");
  assert.equal([...divider(" x ", 3, 40)].length, 40);
  assert.ok(divider("[1/2]", 5, 40, 1).endsWith("[1/2]⎯"));
});

Deno.test("vitest: both runners appear across seeds", () => {
  const runners = new Set(SEEDS.map((s) => planFor(s).runner));
  assert.deepEqual([...runners].sort(), ["jest", "vitest"]);
});

Deno.test("vitest: the summary is the sum of the file lines over many seeds", async () => {
  let failing = 0;
  for (const seed of SEEDS) {
    const plan = planFor(seed);
    if (plan.runner !== "vitest") continue;
    const cols = seed % 2 ? 80 : 120;
    const run = await captureModule(vitest, { seed, cols });
    const lines = run.output.split("\n");
    assert.match(lines[1]!, /^ RUN {2}v(3\.2|4\.0)\.\d+ \/home\/\S+$/);
    const fileLines = lines.filter((l) => /^ [✓❯] \S+\.test\.tsx? \(/.test(l));
    assert.equal(fileLines.length, plan.files.length, `seed ${seed}: file lines`);
    let tests = 0;
    let failedTests = 0;
    for (const l of fileLines) {
      const m = l.match(/\((\d+) tests?(?: \| (\d+) failed)?\) (\d+ms|\d+\.\d\ds)$/);
      assert.ok(m, `seed ${seed}: ${l}`);
      tests += Number(m[1]);
      failedTests += Number(m[2] ?? 0);
      assert.equal(l.startsWith(" ❯"), m[2] !== undefined, `seed ${seed}: ${l}`);
    }
    const failedFiles = fileLines.filter((l) => l.startsWith(" ❯")).length;
    const files = lines.find((l) => l.startsWith(" Test Files  "))!;
    const expectFiles = failedFiles > 0
      ? ` Test Files  ${failedFiles} failed | ${
        fileLines.length - failedFiles
      } passed (${fileLines.length})`
      : ` Test Files  ${fileLines.length} passed (${fileLines.length})`;
    assert.equal(files, expectFiles, `seed ${seed}`);
    const testsLine = lines.find((l) => l.startsWith("      Tests  "))!;
    assert.equal(
      testsLine,
      failedTests > 0
        ? `      Tests  ${failedTests} failed | ${tests - failedTests} passed (${tests})`
        : `      Tests  ${tests} passed (${tests})`,
      `seed ${seed}`,
    );
    const crosses = lines.filter((l) => /^ {3}( {2})?× /.test(l));
    assert.equal(crosses.length, failedTests, `seed ${seed}: × lines`);
    if (failedTests > 0) {
      failing++;
      const banner = lines.find((l) => l.includes(" Failed Tests "))!;
      assert.ok(banner.includes(` Failed Tests ${failedTests} `), `seed ${seed}: ${banner}`);
      assert.equal([...banner].length, cols, `seed ${seed}: banner width`);
      const blocks = lines.filter((l) => l.startsWith(" FAIL  "));
      assert.equal(blocks.length, failedTests);
      for (let i = 1; i <= failedTests; i++) {
        const d = lines.find((l) => l.endsWith(`[${i}/${failedTests}]⎯`));
        assert.ok(d && [...d].length === cols, `seed ${seed}: divider ${i}`);
      }
      for (const c of crosses) {
        const name = c.trimStart().slice(2).replace(/ (\d+ms|\d+\.\d\ds)$/, "");
        assert.ok(
          blocks.some((b) => b.endsWith(` > ${name}`)),
          `seed ${seed}: no block for ${name}`,
        );
      }
    }
    const duration = lines.find((l) => l.startsWith("   Duration  "))!;
    const m = plan.version.startsWith("4.")
      ? duration.match(
        /^ {3}Duration {2}(\S+) \(transform \S+, setup \S+, import \S+, tests \S+, environment \S+\)$/,
      )
      : duration.match(
        /^ {3}Duration {2}(\S+) \(transform \S+, setup \S+, collect \S+, tests \S+, environment \S+, prepare \S+\)$/,
      );
    assert.ok(m, `seed ${seed}: ${duration}`);
    assert.ok(seconds(m[1]!) * 1000 <= run.pretendMs + 10, `seed ${seed}: Duration`);
    assert.match(
      lines.find((l) => l.startsWith("   Start at  "))!,
      /^ {3}Start at {2}\d\d:\d\d:\d\d$/,
    );
  }
  assert.ok(failing > 3, "some vitest runs fail");
});

Deno.test("vitest: Jest's totals agree with its PASS and FAIL lines", async () => {
  let runs = 0;
  for (const seed of SEEDS) {
    if (planFor(seed).runner !== "jest") continue;
    runs++;
    const run = await captureModule(vitest, { seed, cols: 100 });
    const lines = run.output.split("\n");
    const pass = lines.filter((l) => /^PASS \S+/.test(l)).length;
    const fail = lines.filter((l) => /^FAIL \S+/.test(l)).length;
    const bullets = lines.filter((l) => l.startsWith("  ● ")).length;
    const suites = lines.find((l) => l.startsWith("Test Suites: "))!;
    assert.equal(
      suites,
      `Test Suites: ${fail ? `${fail} failed, ` : ""}${pass ? `${pass} passed, ` : ""}${
        pass + fail
      } total`,
    );
    const tests = lines.find((l) => l.startsWith("Tests: "))!.match(
      /^Tests: {7}(?:(\d+) failed, )?(?:(\d+) passed, )?(\d+) total$/,
    )!;
    assert.equal(Number(tests[1] ?? 0), bullets, `seed ${seed}: failed tests vs ● blocks`);
    assert.equal(Number(tests[1] ?? 0) + Number(tests[2] ?? 0), Number(tests[3]));
    const time = Number(lines.find((l) => l.startsWith("Time: "))!.match(/(\d+\.\d{3}) s$/)![1]);
    assert.ok(time * 1000 <= run.pretendMs + 1, `seed ${seed}: Time`);
    assert.equal(lines.at(-2), "Ran all test suites.");
  }
  assert.ok(runs > 5);
});

Deno.test("vitest: the live view is drawn only on a terminal", async () => {
  for (const seed of SEEDS.slice(0, 12)) {
    const tty = await captureModule(vitest, { seed, cols: 100, tty: true });
    const pipe = await captureModule(vitest, { seed, cols: 100 });
    assert.ok(tty.live.some((u) => u.lines.length > 0), `seed ${seed}`);
    assert.equal(pipe.live.filter((u) => u.lines.length > 0).length, 0, `seed ${seed}`);
  }
});

Deno.test("vitest snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(vitest, { seed: 1, cols: 80 })).output);
});

Deno.test("vitest snapshot, jest at 80 columns", async (t) => {
  const seed = SEEDS.find((s) => planFor(s).runner === "jest")!;
  await t.assertSnapshot((await captureModule(vitest, { seed, cols: 80 })).output);
});
