import assert from "node:assert/strict";
import { stripAnsi } from "../core/ansi.ts";
import data from "../data/simcity.json" with { type: "json" };
import { simcity, SPINNER } from "../modules/simcity.ts";
import { captureModule, replay } from "./harness.ts";

const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);
const DONE = /^\[o\] (.+)\.\.\. (OK|SUCCESS|YES|FAIL)$/;
/** SGR foreground codes of genact's colours. */
const ESC = "\x1b";
const FG: Record<string, string> = { red: "31", green: "32", blue: "34", cyan: "36", white: "37" };

Deno.test("simcity: every quip settles once, from the data, as genact prints it", async () => {
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
    // A log gets only the settled lines: the typing and the spinner are terminal-only.
    assert.ok(!lines.some((l) => l.startsWith("[ ] ")), `seed ${seed}: a loading line in a pipe`);
    // The run ends on the last settled quip, with no flavour line of its own.
    assert.match(lines.at(-1)!, DONE, `seed ${seed}: ends with ${lines.at(-1)}`);
    assert.ok(
      run.pretendMs >= 10_000 && run.pretendMs <= 225_000,
      `seed ${seed}: ${run.pretendMs}`,
    );
  }
});

Deno.test("simcity: the whole settled line is one colour; FAIL is red, white about half the time", async () => {
  let white = 0, total = 0;
  for (const seed of SEEDS.slice(0, 20)) {
    const run = await captureModule(simcity, { seed, cols: 80, color: true });
    for (const line of run.output.split("\n").filter((l) => stripAnsi(l).startsWith("[o] "))) {
      const m = line.match(new RegExp(`^${ESC}\\[(\\d+)m(\\[o\\] [^${ESC}]+)${ESC}\\[39m$`));
      assert.ok(m, `seed ${seed}: not coloured whole: ${JSON.stringify(line)}`);
      assert.ok(Object.values(FG).includes(m[1]!), `seed ${seed}: colour ${m[1]}`);
      if (m[2]!.endsWith(" FAIL")) assert.equal(m[1], FG.red, `seed ${seed}: FAIL not red`);
      else if (m[1] === FG.white) white++;
      total++;
    }
  }
  assert.ok(white > total * 0.4 && white < total * 0.8, `${white} white of ${total}`);
});

Deno.test("simcity: a terminal sees quips typed out, then the spinner turning after them", async () => {
  const run = await captureModule(simcity, { seed: 4, cols: 80, tty: true });
  const first = stripAnsi(run.output).match(/\[o\] (.+?)\.\.\. /)![1]!;
  assert.ok(run.output.includes(`[ ] ${first.slice(0, 3)}`), "quip not typed out");
  assert.ok(
    SPINNER.every((s) => run.output.includes(`[ ] ${first}... ${s}`)),
    "spinner incomplete",
  );
  const screen = (await replay(run.output, 80)).lines.join("\n");
  assert.ok(!screen.includes("[ ] "), "a loading line was left on screen");
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
