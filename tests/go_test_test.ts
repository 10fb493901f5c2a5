/**
 * go_test format tests: one result line per package in import-path order,
 * `FAIL` packages exactly those with a `--- FAIL` block, the closing `FAIL`
 * only when one failed, every `=== RUN` closed by a `--- PASS/FAIL`, the
 * downloads a dependency-closed set of real module versions (none on a warm
 * cache), and tabs as the go command writes them in a pipe.
 */

import assert from "node:assert/strict";
import data from "../data/go_test.json" with { type: "json" };
import { expandTabs, go_test, planGoTest } from "../modules/go_test.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 80 }, (_, i) => i + 1);
const MODULES = data.modules as Record<string, { version: string; deps: string[] }>;

function planFor(seed: number) {
  return planGoTest(new Rng(seed).fork());
}

Deno.test("go_test: tabs expand to 8-column stops", () => {
  assert.equal(expandTabs("ok  \tgithub.com/a/b\t0.012s"), "ok      github.com/a/b  0.012s");
});

Deno.test("go_test: flags, caches and projects vary", () => {
  const seen = new Set<string>();
  for (const seed of SEEDS) {
    const p = planFor(seed);
    seen.add(`${p.flags.v}${p.flags.race}${p.flags.cover}${p.downloads.length > 0}`);
  }
  assert.ok(seen.size >= 10, `only ${seen.size} variants`);
});

Deno.test("go_test: package results agree with the failures and the downloads over many seeds", async () => {
  let failures = 0;
  for (const seed of SEEDS) {
    const plan = planFor(seed);
    const run = await captureModule(go_test, { seed, cols: 100 });
    const lines = run.output.trimEnd().split("\n");
    const results = lines.filter((l) => /^(ok {2}|FAIL|\? {3}|)\t\S+\t/.test(l));
    const paths = results.map((l) => l.split("\t")[1]!);
    assert.deepEqual(paths, [...paths].sort(), `seed ${seed}: not in import-path order`);
    assert.deepEqual(paths, plan.packages.map((p) => p.importPath), `seed ${seed}: packages`);
    for (const l of results) {
      assert.ok(l.split("\t")[1]!.startsWith(plan.module), `seed ${seed}: ${l}`);
      if (l.startsWith("ok  ")) {
        assert.match(
          l,
          /^ok {2}\t\S+\t(\(cached\)|\d+\.\d{3}s)(\tcoverage: \d+\.\d% of statements)?$/,
        );
        assert.equal(l.includes("coverage:"), plan.flags.cover, `seed ${seed}: ${l}`);
      }
    }
    // Each FAIL package follows its own --- FAIL block and a bare FAIL.
    const failed = results.filter((l) => l.startsWith("FAIL\t"));
    const blocks = lines.filter((l) => l.startsWith("--- FAIL: "));
    assert.equal(blocks.length, failed.length, `seed ${seed}: FAIL blocks vs FAIL packages`);
    for (const f of failed) {
      const i = lines.indexOf(f);
      assert.equal(lines[i - 1], "FAIL", `seed ${seed}: no FAIL before ${f}`);
    }
    assert.equal(lines.at(-1) === "FAIL", failed.length > 0, `seed ${seed}: closing FAIL`);
    if (failed.length > 0) failures++;
    // -v: every RUN is closed by a PASS or FAIL at its depth.
    for (const l of lines.filter((l) => l.startsWith("=== RUN   "))) {
      const name = l.slice(10);
      const depth = name.split("/").length - 1;
      const close = new RegExp(
        `^${" ".repeat(4 * depth)}--- (PASS|FAIL): ${
          name.replace(/[/]/g, "\\/")
        } \\(\\d+\\.\\d\\ds\\)$`,
      );
      assert.ok(lines.some((x) => close.test(x)), `seed ${seed}: ${name} never closed`);
    }
    // Downloads: real versions, each once, dependency-closed, none when anything was cached.
    const downloads = lines.filter((l) => l.startsWith("go: downloading "));
    const got = new Map(downloads.map((l) => l.slice(16).split(" ") as [string, string]));
    assert.equal(got.size, downloads.length, `seed ${seed}: a module downloaded twice`);
    for (const [m, v] of got) {
      assert.equal(MODULES[m]?.version, v, `seed ${seed}: ${m} ${v}`);
      for (const d of MODULES[m]!.deps) assert.ok(got.has(d), `seed ${seed}: ${m} needs ${d}`);
    }
    if (results.some((l) => l.includes("(cached)"))) assert.equal(downloads.length, 0);
    assert.ok(!got.has("github.com/inconshreveable/mousetrap"), "windows-only module");
  }
  assert.ok(failures > 5 && failures < SEEDS.length / 2, `${failures} failing runs`);
});

Deno.test("go_test: real tabs in a pipe, expanded columns on a terminal", async () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const pipe = await captureModule(go_test, { seed, cols: 100 });
    const tty = await captureModule(go_test, { seed, cols: 100, tty: true });
    assert.ok(pipe.output.includes("\t"), `seed ${seed}`);
    assert.ok(!tty.transcript.includes("\t"), `seed ${seed}`);
  }
});

Deno.test("go_test snapshot, seed 4 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(go_test, { seed: 4, cols: 80 })).output);
});
