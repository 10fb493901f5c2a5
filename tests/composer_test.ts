/**
 * composer format tests: the operations summary agrees with the lines below
 * it, the lock file lists the same packages, downloads are a subset of the
 * installs, bars count to their maximum, and the funding note fits the set.
 */

import assert from "node:assert/strict";
import { composer, previousVersion, progressBar } from "../modules/composer.ts";
import { Rng } from "../core/rng.ts";
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

Deno.test("composer: an upgrade comes from an older release of the same series, zeros after the lowered part", async () => {
  let seen = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(composer, { seed, cols: 80 });
    for (
      const m of run.output.matchAll(/^ {2}- Upgrading \S+ \((v?)([\d.]+) => (v?)([\d.]+)\)/gm)
    ) {
      seen++;
      assert.equal(m[1], m[3], `seed ${seed}: ${m[0]} changes the v prefix`);
      const from = m[2]!.split(".").map(Number);
      const to = m[4]!.split(".").map(Number);
      assert.equal(from.length, to.length, m[0]);
      const k = from.findIndex((p, i) => p !== to[i]);
      assert.ok(k >= 0 && from[k]! < to[k]!, `seed ${seed}: ${m[0]} is not older`);
      assert.ok(
        to.slice(k + 1).every((p) => p === 0),
        `seed ${seed}: ${m[0]} lowers a middle part`,
      );
      assert.ok(from.slice(k + 1).every((p) => p === 0), `seed ${seed}: ${m[0]} invents a patch`);
      if (k === 0) assert.ok(from[0]! >= 1 && to[0]! - from[0]! === 1, `seed ${seed}: ${m[0]}`);
    }
  }
  assert.ok(seen > 10, `only ${seen} upgrades in ${SEEDS.length} seeds`);
  const rng = new Rng(7n);
  assert.equal(previousVersion(rng, "1.0.0"), undefined, "a first release has no predecessor");
  assert.equal(previousVersion(rng, "v1.33.0")?.match(/^v1\.3[0-2]\.0$/)?.length, 1);
});

Deno.test("composer: an update locks alphabetically, installs without re-verifying, and reports suggestions", async () => {
  let updates = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(composer, { seed, cols: 80 });
    const lines = run.output.split("\n");
    const locking = lines.filter((l) => l.startsWith("  - Locking ")).map((l) => l.split(" ")[4]!);
    const verifying = lines.indexOf(
      "Verifying lock file contents can be installed on current platform.",
    );
    const suggestions = lines.filter((l) =>
      /^\d+ package suggestions were added by new dependencies, use `composer suggest` to see details\.$/
        .test(l)
    );
    const fromLock = lines.indexOf(
      "Installing dependencies from lock file (including require-dev)",
    );
    assert.ok(fromLock >= 0, `seed ${seed}`);
    if (locking.length === 0) {
      assert.equal(
        verifying,
        fromLock + 1,
        `seed ${seed}: an install from a lock file verifies it`,
      );
      assert.equal(suggestions.length, 0, `seed ${seed}: suggestions without an update`);
      continue;
    }
    updates++;
    assert.deepEqual(locking, [...locking].sort(), `seed ${seed}: Locking not alphabetical`);
    assert.equal(verifying, -1, `seed ${seed}: a lock just written is verified again`);
    assert.equal(lines[fromLock - 1], "Writing lock file", `seed ${seed}`);
    assert.equal(suggestions.length, 1, `seed ${seed}: no suggestions line after an update`);
    const at = lines.indexOf(suggestions[0]!);
    const lastOp = lines.findLastIndex((l) => /^ {2}- (Installing|Upgrading|Removing) /.test(l));
    assert.ok(
      at > lastOp && lines.slice(lastOp + 1, at).every((l) => /^ +\d+\/\d+ \[/.test(l)),
      `seed ${seed}: suggestions not right after the operations (and their bar)`,
    );
    assert.match(lines[at + 1]!, /^Generating (optimized )?autoload files$/, `seed ${seed}`);
    assert.ok(Number(suggestions[0]!.split(" ")[0]) <= locking.length, `seed ${seed}: count`);
  }
  assert.ok(updates >= 5, `only ${updates} updates`);
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
