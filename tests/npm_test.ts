/**
 * npm format tests: the summary agrees with itself (audited = added + 1, the
 * audit total = its parts), warnings name packages of the drawn project, the
 * integrity in a retry is a real sha512 of that tarball, and pnpm's counters
 * add up (`Packages: +N` = resolved = added, reused + downloaded = N) and only
 * grow. A terminal shows npm's spinner; a pipe never does.
 */

import assert from "node:assert/strict";
import data from "../data/npm.json" with { type: "json" };
import { npm, npmElapsed, planInstall, pnpmElapsed, warningBox } from "../modules/npm.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 80 }, (_, i) => i + 1);

/** The plan a captured run with this seed draws (the session forks its generator once). */
function planFor(seed: number) {
  return planInstall(new Rng(seed).fork());
}

/** Milliseconds an npm elapsed figure can stand for (its rounding interval). */
function npmRange(text: string): [number, number] {
  let m = text.match(/^(\d+)ms$/);
  if (m) return [Number(m[1]), Number(m[1]) + 1];
  m = text.match(/^(\d+)s$/);
  if (m) return [(Number(m[1]) - 0.5) * 1000, (Number(m[1]) + 0.5) * 1000];
  m = text.match(/^(\d+)m$/);
  assert.ok(m, `bad elapsed ${text}`);
  return [(Number(m[1]) - 0.5) * 60_000, (Number(m[1]) + 0.5) * 60_000];
}

Deno.test("npm: elapsed formats follow ms and pretty-ms", () => {
  assert.equal(npmElapsed(682), "682ms");
  assert.equal(npmElapsed(31_600), "32s");
  assert.equal(npmElapsed(95_000), "2m");
  assert.equal(pnpmElapsed(8_460), "8.4s");
  assert.equal(pnpmElapsed(64_250), "1m 4.2s");
  const box = warningBox(["a", "longer line"]);
  assert.ok(box.every((l) => [...l].length === [...box[0]!].length), "box edges line up");
});

Deno.test("npm: the tool and the stack vary across seeds", () => {
  const tools = new Set<string>();
  const stacks = new Set<string>();
  for (const seed of SEEDS) {
    const plan = planFor(seed);
    tools.add(`${plan.tool} ${plan.command}`);
    stacks.add(plan.profile.id);
  }
  assert.deepEqual([...tools].sort(), ["npm ci", "npm install", "pnpm install"]);
  assert.equal(stacks.size, data.profiles.length);
});

Deno.test("npm: summaries agree with themselves and with the project over many seeds", async () => {
  const integrities = new Map(data.profiles.flatMap((p) => p.tarballs.map(([s, i]) => [s!, i!])));
  let npmRuns = 0;
  for (const seed of SEEDS) {
    const plan = planFor(seed);
    if (plan.tool !== "npm") continue;
    npmRuns++;
    const run = await captureModule(npm, { seed, cols: 100 });
    const lines = run.output.trimEnd().split("\n");
    const i = lines.findIndex((l) => /^(added|up to date)/.test(l));
    assert.ok(i > 0, `seed ${seed}: no summary`);
    assert.equal(lines[i - 1], "", `seed ${seed}: summary not after a blank line`);
    const m = lines[i]!.match(
      /^(?:added (\d+) packages?, and audited|up to date, audited) (\d+) packages in (\S+)$/,
    );
    assert.ok(m, `seed ${seed}: bad summary ${lines[i]}`);
    if (m[1]) assert.equal(Number(m[2]), Number(m[1]) + 1, `seed ${seed}: audited = added + 1`);
    const [lo] = npmRange(m[3]!);
    assert.ok(lo <= run.pretendMs, `seed ${seed}: ${m[3]} claimed in ${run.pretendMs} ms`);
    const funding = lines.find((l) => /looking for funding$/.test(l));
    if (funding) assert.ok(Number(funding.split(" ")[0]) <= Number(m[2]), `seed ${seed}: funding`);
    // Everything before the summary is a warning or the project's own prepare script.
    const profile = data.profiles.find((p) => p.names.includes(plan.name))!;
    const known = new Set(profile.deprecated.map((d) => d[0]));
    for (const l of lines.slice(0, i)) {
      if (l === "") continue;
      const dep = l.match(/^npm warn deprecated (\S+): (.+)$/);
      const tar = l.match(
        /^npm warn tarball tarball data for (\S+) \((sha512-[A-Za-z0-9+/]{86}==)\) seems to be corrupted\. Trying again\.$/,
      );
      const script = l === `> ${plan.name}@${plan.version} prepare` || l === "> husky";
      assert.ok(dep || tar || script, `seed ${seed}: unexpected line ${l}`);
      if (dep) {
        assert.ok(known.has(dep[1]!), `seed ${seed}: ${dep[1]} not in the ${profile.id} tree`);
      }
      if (tar) {
        assert.equal(integrities.get(tar[1]!), tar[2], `seed ${seed}: integrity of ${tar[1]}`);
      }
    }
    const glob = lines.filter((l) => l.startsWith("npm warn deprecated glob@7.2.3:")).length;
    const expected = profile.deprecated.find((d) => d[0] === "glob@7.2.3")?.[2] ?? 0;
    assert.equal(glob, expected, `seed ${seed}: one glob warning per copy in the tree`);
    // The audit: a total equal to its parts, and the fix hint real npm always adds.
    const vuln = lines.find((l) => /^\d+ .*vulnerabilit/.test(l));
    if (vuln) {
      const parts = [...vuln.matchAll(/(\d+) (low|moderate|high|critical)/g)];
      const sum = parts.reduce((a, p) => a + Number(p[1]), 0);
      const total = vuln.match(/^(\d+) vulnerabilities \(/);
      if (total) assert.equal(Number(total[1]), sum, `seed ${seed}: ${vuln}`);
      else assert.equal(parts.length, 1, `seed ${seed}: ${vuln}`);
      assert.ok(lines.includes("  npm audit fix"), `seed ${seed}: no fix hint`);
      assert.ok(lines.includes("Run `npm audit` for details."), `seed ${seed}: no details hint`);
    } else {
      assert.ok(lines.includes("found 0 vulnerabilities"), `seed ${seed}: no audit line`);
    }
  }
  assert.ok(npmRuns > 30);
});

Deno.test("npm: pnpm's counters add up and only grow", async () => {
  let pnpmRuns = 0;
  for (const seed of SEEDS) {
    const plan = planFor(seed);
    if (plan.tool !== "pnpm") continue;
    pnpmRuns++;
    for (const cols of [60, 120]) {
      const run = await captureModule(npm, { seed, cols });
      const lines = run.output.trimEnd().split("\n");
      const n = Number(lines.find((l) => l.startsWith("Packages: +"))?.slice(11));
      assert.equal(n, plan.packages, `seed ${seed}: Packages`);
      const row = lines[lines.findIndex((l) => l.startsWith("Packages: +")) + 1]!;
      assert.equal(row, "+".repeat(Math.min(n, cols)), `seed ${seed}: the + row`);
      let prev = [0, 0, 0, 0];
      const progress = lines.filter((l) => l.startsWith("Progress: "));
      for (const l of progress) {
        const m = l.match(
          /^Progress: resolved (\d+), reused (\d+), downloaded (\d+), added (\d+)(, done)?$/,
        );
        assert.ok(m, `seed ${seed}: bad ${l}`);
        const now = m.slice(1, 5).map(Number);
        now.forEach((v, k) => assert.ok(v >= prev[k]!, `seed ${seed}: counter went down: ${l}`));
        assert.ok(now[1]! + now[2]! <= now[0]!, `seed ${seed}: fetched more than resolved: ${l}`);
        assert.ok(now[3]! <= now[1]! + now[2]!, `seed ${seed}: added before fetched: ${l}`);
        prev = now;
      }
      const last = progress.at(-1)!;
      assert.ok(last.endsWith(", done"), `seed ${seed}: last progress not done`);
      assert.equal(prev[0], n);
      assert.equal(prev[3], n);
      assert.equal(prev[1]! + prev[2]!, n, `seed ${seed}: reused + downloaded`);
      assert.equal(
        lines.includes("Lockfile is up to date, resolution step is skipped"),
        plan.lockfile,
      );
      const sub = lines.find((l) => / WARN {2}\d+ deprecated subdependencies/.test(l));
      if (sub) {
        const m = sub.match(/(\d+) deprecated subdependencies found: (.+)$/)!;
        assert.equal(Number(m[1]), m[2]!.split(", ").length, `seed ${seed}: ${sub}`);
        assert.ok(!plan.lockfile, `seed ${seed}: deprecations without a resolution`);
      }
      const listed = lines.filter((l) => /^\+ \S+ \d/.test(l)).map((l) => l.split(" ")[1]);
      const deps = [...plan.profile.dependencies, ...plan.profile.devDependencies].map((d) => d[0]);
      assert.deepEqual(listed.sort(), deps.sort(), `seed ${seed}: listed direct dependencies`);
      const done = lines.at(-1)!.match(/^Done in (\d+\.\d)s using pnpm v10\.\d+\.\d+$/);
      assert.ok(done, `seed ${seed}: ${lines.at(-1)}`);
      assert.ok(Number(done[1]) * 1000 <= run.pretendMs, `seed ${seed}: Done in`);
    }
  }
  assert.ok(pnpmRuns > 10);
});

Deno.test("npm: the spinner is drawn on a terminal and never in a pipe", async () => {
  for (const seed of SEEDS.slice(0, 30)) {
    const plan = planFor(seed);
    const tty = await captureModule(npm, { seed, cols: 100, tty: true });
    const pipe = await captureModule(npm, { seed, cols: 100 });
    if (plan.tool === "npm") {
      assert.ok(tty.live.some((u) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]$/.test(u.lines[0] ?? "")), `seed ${seed}`);
      assert.equal(
        pipe.live.filter((u) => u.lines.length > 0).length,
        0,
        `seed ${seed}: live region in a pipe`,
      );
    } else {
      const permanent = tty.transcript.split("\n").filter((l) => l.startsWith("Progress: "));
      assert.ok(tty.live.some((u) => u.lines[0]?.startsWith("Progress: ")), `seed ${seed}`);
      assert.ok(permanent.length >= 1);
      assert.ok(pipe.output.split("\n").filter((l) => l.startsWith("Progress: ")).length >= 2);
    }
  }
});

Deno.test("npm snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(npm, { seed: 1, cols: 80 })).output);
});

Deno.test("npm snapshot, pnpm at 100 columns", async (t) => {
  const seed = SEEDS.find((s) => planFor(s).tool === "pnpm")!;
  await t.assertSnapshot((await captureModule(npm, { seed, cols: 100 })).output);
});
