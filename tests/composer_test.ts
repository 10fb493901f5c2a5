/**
 * composer format tests: the operations summary agrees with the lines below
 * it, the lock file lists the same packages, downloads are a subset of the
 * installs, bars count to their maximum, and the funding note fits the set.
 */

import assert from "node:assert/strict";
import { composer, progressBar } from "../modules/composer.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
const PKG = String.raw`([a-z0-9_-]+\/[a-z0-9._-]+) \((v?\d[\w.]*)\)`;

Deno.test("composer: the progress bar is Symfony's", () => {
  assert.equal(progressBar(0, 112, 80), "   0/112 [>---------------------------]   0%");
  assert.equal(progressBar(23, 31, 80), " 23/31 [====================>-------]  74%");
  assert.equal(progressBar(31, 31, 80), " 31/31 [============================] 100%");
  assert.ok(progressBar(5, 120, 20).length <= 20);
});

Deno.test("composer: summaries agree with the operations printed, over many seeds", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(composer, { seed, cols: 80 });
    const lines = run.output.split("\n");
    const summary = (label: string) => {
      const re = new RegExp(`^${label}: (\\d+) installs?, (\\d+) updates?, (\\d+) removals?$`);
      const m = lines.map((l) => l.match(re)).find((x) => x);
      return m
        ? { installs: Number(m[1]), updates: Number(m[2]), removals: Number(m[3]) }
        : undefined;
    };
    const ops = summary("Package operations");
    assert.ok(ops, `seed ${seed}: no Package operations line`);
    const installs = lines.map((l) =>
      l.match(new RegExp(`^  - Installing ${PKG}: Extracting archive$`))
    )
      .filter((m) => m !== null);
    const upgrades = lines.filter((l) =>
      /^ {2}- Upgrading [a-z0-9_-]+\/[a-z0-9._-]+ \(v?[\d.]+ => v?[\d.]+\): Extracting archive$/
        .test(l)
    );
    const removals = lines.filter((l) => new RegExp(`^  - Removing ${PKG}$`).test(l));
    assert.equal(installs.length, ops.installs, `seed ${seed}: installs`);
    assert.equal(upgrades.length, ops.updates, `seed ${seed}: updates`);
    assert.equal(removals.length, ops.removals, `seed ${seed}: removals`);
    const total = ops.installs + ops.updates + ops.removals;
    assert.ok(total > 0, `seed ${seed}: nothing to do`);

    const installed = new Map(installs.map((m) => [m[1]!, m[2]!]));
    const downloads = lines.map((l) => l.match(new RegExp(`^  - Downloading ${PKG}$`)))
      .filter((m) => m !== null);
    for (const d of downloads) {
      const upgraded = upgrades.some((u) => u.includes(` ${d[1]} (`) && u.includes(`=> ${d[2]})`));
      assert.ok(installed.get(d[1]!) === d[2] || upgraded, `seed ${seed}: ${d[0]} not installed`);
    }

    const lock = summary("Lock file operations");
    if (lock) {
      const locking = lines.map((l) => l.match(new RegExp(`^  - Locking ${PKG}$`)))
        .filter((m) => m !== null);
      assert.equal(locking.length, lock.installs, `seed ${seed}: locking count`);
      assert.deepEqual(
        new Map(locking.map((m) => [m[1]!, m[2]!])),
        installed,
        `seed ${seed}: locked and installed differ`,
      );
      assert.ok(lines.indexOf("Writing lock file") > 0, `seed ${seed}: lock not written`);
    }

    // Bar lines count up to the batch size, never past it.
    for (const m of run.output.matchAll(/^ +(\d+)\/(\d+) \[[=>-]+\] +(\d+)%$/gm)) {
      const [cur, max, pct] = [Number(m[1]), Number(m[2]), Number(m[3])];
      assert.ok(cur <= max, `seed ${seed}: ${m[0]}`);
      assert.equal(pct, Math.floor((cur * 100) / max), `seed ${seed}: ${m[0]}`);
      assert.ok(max === downloads.length || max === total, `seed ${seed}: bar max ${max}`);
    }

    const funding = run.output.match(
      /^(\d+) packages? you are using (?:are|is) looking for funding\.$/m,
    );
    if (funding && ops.updates === 0) {
      assert.ok(Number(funding[1]) <= installs.length, `seed ${seed}: funding above installs`);
    }
    const autoload = lines.findIndex((l) => /^Generating (optimized )?autoload files$/.test(l));
    const lastOp = lines.findLastIndex((l) => /^ {2}- (Installing|Upgrading|Removing) /.test(l));
    assert.ok(autoload > lastOp, `seed ${seed}: autoload before the last operation`);
    assert.equal(lines.at(-2), "No security vulnerability advisories found.", `seed ${seed}`);
    for (const m of run.output.matchAll(/^ {2}([a-z0-9_-]+\/[a-z0-9._-]+) \.+ DONE$/gm)) {
      assert.ok(
        installed.has(m[1]!) || upgrades.some((u) => u.includes(m[1]!)),
        `${m[1]} discovered`,
      );
    }
  }
});

Deno.test("composer: a terminal bar ends at its maximum", async () => {
  for (const seed of SEEDS.slice(0, 15)) {
    const run = await captureModule(composer, { seed, cols: 90, tty: true });
    const bars = [...run.output.matchAll(/ +(\d+)\/(\d+) \[/g)];
    assert.ok(bars.length > 0, `seed ${seed}: no bar`);
    const maxima = new Set(bars.map((b) => b[2]));
    for (const max of maxima) {
      assert.ok(
        bars.some((b) => b[2] === max && b[1] === max),
        `seed ${seed}: bar ${max} unfinished`,
      );
    }
  }
});

Deno.test("composer snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(composer, { seed: 1, cols: 80 })).output);
});
