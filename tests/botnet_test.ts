import assert from "node:assert/strict";
import { stripAnsi } from "../core/ansi.ts";
import { botnet } from "../modules/botnet.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);
const CLUSTER = /^ {2}Cluster #(\d{2}) \((\d+) nodes, ([a-zA-Z -]+)\) +\[online\]$/;

/** The final, permanent cluster list: right above the first step. */
function finalClusters(lines: string[]): RegExpMatchArray[] {
  const firstStep = lines.findIndex((l) => l.startsWith("+ "));
  const top = lines.slice(0, firstStep).findLastIndex((l) => l.startsWith("  Cluster #00 "));
  return lines.slice(top, firstStep).map((l) => {
    const m = l.match(CLUSTER);
    assert.ok(m, `not a finished cluster row: ${l}`);
    return m;
  });
}

Deno.test("botnet: cluster sizes add up to the connections established", async () => {
  for (const seed of SEEDS) {
    const lines = (await captureModule(botnet, { seed, cols: 80 })).output.trimEnd().split("\n");
    const counted = lines.filter((l) => l.startsWith("Establishing connections: "));
    const last = counted.at(-1)!.match(/: +(\d+)\/(\d+)$/)!;
    assert.equal(last[1], last[2], `seed ${seed}: counter stopped short: ${counted.at(-1)}`);
    const total = Number(last[2]);
    assert.ok(total >= 800 && total <= 3200, `seed ${seed}: ${total} nodes`);
    const clusters = finalClusters(lines);
    assert.ok(clusters.length >= 8 && clusters.length <= 16, `seed ${seed}: ${clusters.length}`);
    clusters.forEach((m, i) => assert.equal(Number(m[1]), i, `seed ${seed}: cluster numbering`));
    const sum = clusters.reduce((a, m) => a + Number(m[2]), 0);
    assert.equal(sum, total, `seed ${seed}: clusters hold ${sum} nodes of ${total}`);
    assert.ok(clusters.every((m) => Number(m[2]) >= 20), `seed ${seed}: a tiny cluster`);
    const steps = lines.filter((l) => l.startsWith("+ "));
    assert.ok(steps.every((l) => l.endsWith("... [done]")), `seed ${seed}: ${steps}`);
    assert.equal(steps[0], "+ Synchronizing clocks... [done]");
    assert.equal(steps.at(-1), `+ Sending command to ${total} nodes... [done]`);
    assert.equal(lines.at(-1), ">> Botnet update complete.");
  }
});

Deno.test("botnet: clusters boot in place in a terminal, some after a time-out", async () => {
  let retried = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(botnet, { seed, cols: 80, tty: true });
    assert.ok(run.output.includes("[booting]"), `seed ${seed}: never showed booting clusters`);
    if (run.output.includes("[timeout]")) retried++;
  }
  assert.ok(retried > 0, "no cluster ever timed out");
});

Deno.test("botnet: a pipe gets the counter and the cluster list once, settled", async () => {
  for (const seed of SEEDS) {
    const lines = (await captureModule(botnet, { seed, cols: 80 })).output.trimEnd().split("\n");
    const counters = lines.filter((l) => /^Establishing connections: /.test(l));
    assert.equal(counters.length, 1, `seed ${seed}: counter printed ${counters.length} times`);
    const firstRows = lines.filter((l) => l.startsWith("  Cluster #00 "));
    assert.equal(
      firstRows.length,
      1,
      `seed ${seed}: cluster list printed ${firstRows.length} times`,
    );
    const rows = lines.filter((l) => l.startsWith("  Cluster #"));
    assert.equal(rows.length, finalClusters(lines).length, `seed ${seed}: stray cluster rows`);
  }
});

Deno.test("botnet: only the status word inside the brackets is coloured, as in genact", async () => {
  const ESC = "\x1b";
  let statuses = 0;
  for (const seed of SEEDS.slice(0, 10)) {
    const run = await captureModule(botnet, { seed, cols: 80, tty: true, color: true });
    const words = run.transcript.match(/\[[^\]\n]*(online|booting|timeout|retry \d)[^\]\n]*\]/g) ??
      [];
    for (const w of words) {
      assert.ok(
        w.startsWith(`[${ESC}[`),
        `seed ${seed}: the bracket is inside the colour: ${JSON.stringify(w)}`,
      );
      assert.ok(w.endsWith(`${ESC}[0m]`) || /m\]$/.test(w), `seed ${seed}: ${JSON.stringify(w)}`);
      const plain = stripAnsi(w);
      assert.match(plain, /^\[(online|booting|timeout|retry \d)\]$/);
      statuses++;
    }
  }
  assert.ok(statuses > 100, `only ${statuses} statuses seen`);
});

Deno.test("botnet: a short terminal gets fewer clusters so the block fits", async () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const run = await captureModule(botnet, { seed, cols: 80, rows: 8 });
    const clusters = finalClusters(run.output.split("\n"));
    assert.ok(
      clusters.length >= 2 && clusters.length <= 6,
      `seed ${seed}: ${clusters.length} clusters in 8 rows`,
    );
  }
});

Deno.test("botnet: narrow terminals get the compact cluster form", async () => {
  const run = await captureModule(botnet, { seed: 3, cols: 20 });
  const rows = run.output.split("\n").filter((l) => /^ {2}#\d{2} \(\d+\) +\[online\]$/.test(l));
  assert.ok(rows.length >= 8, run.output);
});

Deno.test("botnet: snapshot (seed 1, 80 columns, plain)", async (t) => {
  await t.assertSnapshot((await captureModule(botnet, { seed: 1, cols: 80 })).output);
});
