import assert from "node:assert/strict";
import data from "../data/simcity.json" with { type: "json" };
import { simcity, SPINNER } from "../modules/simcity.ts";
import { captureModule, replay } from "./harness.ts";

const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);
const DONE = /^\[o\] (.+)\.\.\. (OK|DONE|YES|SUCCESS|FAIL)$/;

Deno.test("simcity: every quip settles once, from the data, and the city loads", async () => {
  const quips = new Set(data.quips);
  for (const seed of SEEDS) {
    const run = await captureModule(simcity, { seed, cols: 80 });
    const lines = run.output.trimEnd().split("\n");
    const done = lines.filter((l) => l.startsWith("[o] "));
    assert.ok(done.length >= 3, `seed ${seed}: only ${done.length} quips`);
    const seen = new Set<string>();
    for (const line of done) {
      const m = line.match(DONE);
      assert.ok(m, `seed ${seed}: ${line}`);
      assert.ok(quips.has(m[1]!), `seed ${seed}: unknown quip ${m[1]}`);
      assert.ok(!seen.has(m[1]!), `seed ${seed}: ${m[1]} loaded twice`);
      seen.add(m[1]!);
    }
    // Spinner snapshots in a log always show a whole quip, never a half-typed one.
    for (const line of lines.filter((l) => SPINNER.some((s) => l.startsWith(`[${s}] `)))) {
      assert.ok(quips.has(line.slice(4, -3)) && line.endsWith("..."), `seed ${seed}: ${line}`);
    }
    assert.ok(data.finale.includes(lines.at(-1)!), `seed ${seed}: ends with ${lines.at(-1)}`);
    assert.equal(lines.at(-2), "");
    assert.ok(
      run.pretendMs >= 10_000 && run.pretendMs <= 225_000,
      `seed ${seed}: ${run.pretendMs}`,
    );
  }
});

Deno.test("simcity: a terminal sees quips typed out beside a spinner, and no spinner at the end", async () => {
  const run = await captureModule(simcity, { seed: 4, cols: 80, tty: true });
  const first = run.output.match(/\[o\] (.+?)\.\.\. /)![1]!;
  assert.ok(run.output.includes(`[ ] ${first.slice(0, 3)}`), "quip not typed out");
  assert.ok(SPINNER.every((s) => run.output.includes(`[${s}] ${first}...`)), "spinner incomplete");
  const screen = (await replay(run.output, 80)).lines.join("\n");
  assert.ok(!SPINNER.some((s) => screen.includes(s)), "a spinner frame was left on screen");
  assert.ok(screen.includes(`[o] ${first}... `));
});

Deno.test("simcity: run lengths vary between seeds", async () => {
  const times = await Promise.all(
    SEEDS.slice(0, 20).map(async (seed) => (await captureModule(simcity, { seed })).pretendMs),
  );
  assert.ok(Math.max(...times) > 2 * Math.min(...times), `${times}`);
});

Deno.test("simcity: snapshot (seed 1, 80 columns, plain)", async (t) => {
  await t.assertSnapshot((await captureModule(simcity, { seed: 1, cols: 80 })).output);
});
