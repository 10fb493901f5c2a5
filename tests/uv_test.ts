/**
 * uv format tests: the summary counts agree with the change list, downloads
 * are announced and finished in pairs, bars never run past their totals, and
 * the elapsed figures use uv's format and fit inside the run.
 */

import assert from "node:assert/strict";
import { binaryBytes, humanBytes, uv, uvElapsed } from "../modules/uv.ts";
import { captureModule } from "./harness.ts";
import pypi from "../data/pypi_packages.json" with { type: "json" };

const PACKAGES = pypi.packages as Record<string, { size: number; deps: string[] }>;

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
const ELAPSED = String.raw`(\d+ms|\d+\.\d\ds|\d+m \d\ds)`;

/** Parses a uv elapsed figure back into milliseconds (lower bound). */
function elapsedMs(text: string): number {
  let m = text.match(/^(\d+)ms$/);
  if (m) return Number(m[1]);
  m = text.match(/^(\d+)\.(\d\d)s$/);
  if (m) return Number(m[1]) * 1000 + Number(m[2]) * 10;
  m = text.match(/^(\d+)m (\d\d)s$/);
  assert.ok(m, `bad elapsed ${text}`);
  return (Number(m[1]) * 60 + Number(m[2])) * 1000;
}

function parseUnit(text: string): number {
  const [n, unit] = text.trim().split(" ");
  const pow = { B: 0, KiB: 1, MiB: 2, GiB: 3 }[unit as "B"];
  assert.ok(pow !== undefined, `unit ${unit}`);
  return Number(n) * 1024 ** pow;
}

Deno.test("uv: formats match uv and indicatif", () => {
  assert.equal(uvElapsed(12), "12ms");
  assert.equal(uvElapsed(1234), "1.23s");
  assert.equal(uvElapsed(65_400), "1m 05s");
  assert.equal(binaryBytes(512), "512 B");
  assert.equal(binaryBytes(412 * 1024 * 1024), "412.00 MiB");
  assert.equal(humanBytes(886_999_040), "845.9MiB");
});

Deno.test("uv: summary counts agree with the change list over many seeds", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(uv, { seed, cols: 80 });
    const lines = run.output.split("\n");
    const summary = (verb: string) => {
      const re = new RegExp(`^${verb} (\\d+) packages? in ${ELAPSED}$`);
      const hits = lines.map((l) => l.match(re)).filter((m) => m !== null);
      assert.ok(hits.length <= 1, `seed ${seed}: ${verb} printed twice`);
      return hits[0] ? { n: Number(hits[0][1]), ms: elapsedMs(hits[0][2]!) } : undefined;
    };
    const resolved = summary("Resolved");
    const prepared = summary("Prepared");
    const installed = summary("Installed");
    const uninstalled = summary("Uninstalled");
    assert.ok(resolved && prepared && installed, `seed ${seed}: a summary line is missing`);
    const plus = lines.filter((l) => /^ \+ [a-z0-9-]+==\S+( \(from file:\/\/\/\S+\))?$/.test(l));
    const minus = lines.filter((l) => /^ - [a-z0-9-]+==\S+$/.test(l));
    assert.equal(plus.length, installed.n, `seed ${seed}: Installed vs + lines`);
    assert.equal(minus.length, uninstalled?.n ?? 0, `seed ${seed}: Uninstalled vs - lines`);
    assert.ok(prepared.n <= installed.n, `seed ${seed}: prepared more than installed`);
    assert.ok(installed.n <= resolved.n, `seed ${seed}: installed more than resolved`);
    const names = [...plus, ...minus].map((l) => l.slice(3).split("==")[0]!);
    const changeBlock = lines.filter((l) => /^ [+-] /.test(l)).map((l) =>
      l.slice(3).split("==")[0]!
    );
    assert.deepEqual(changeBlock, [...names].sort(), `seed ${seed}: change list not sorted`);
    const timed = resolved.ms + prepared.ms + installed.ms + (uninstalled?.ms ?? 0);
    assert.ok(
      timed <= run.pretendMs,
      `seed ${seed}: summaries claim ${timed} ms of ${run.pretendMs}`,
    );
    const starts = lines.filter((l) => l.startsWith("Downloading "));
    const ends = lines.filter((l) => l.startsWith(" Downloaded "));
    assert.equal(starts.length, ends.length, `seed ${seed}: unpaired downloads`);
    assert.ok(starts.length <= prepared.n, `seed ${seed}: more downloads than prepared`);
    for (const s of starts) {
      const m = s.match(/^Downloading ([a-z0-9-]+) \((\d+\.\d)(MiB|GiB)\)$/);
      assert.ok(m, `seed ${seed}: bad line ${s}`);
      assert.ok(ends.includes(` Downloaded ${m[1]}`), `seed ${seed}: ${m[1]} never finished`);
    }
  }
});

Deno.test("uv: live bars count up to the prepared total and never pass their sizes", async () => {
  for (const seed of SEEDS.slice(0, 25)) {
    const run = await captureModule(uv, { seed, cols: 100, rows: 30, tty: true });
    const prepared = Number(run.output.match(/Prepared (\d+) packages?/)?.[1]);
    let last = 0;
    for (const m of run.output.matchAll(/Preparing packages\.\.\. \((\d+)\/(\d+)\)/g)) {
      assert.equal(Number(m[2]), prepared, `seed ${seed}: spinner total vs Prepared`);
      assert.ok(Number(m[1]) >= last && Number(m[1]) <= prepared, `seed ${seed}: spinner count`);
      last = Number(m[1]);
    }
    for (const m of run.output.matchAll(/ -{6,30} +([\d.]+ [KMG]?i?B)\/([\d.]+ [KMG]?i?B)/g)) {
      assert.ok(parseUnit(m[1]!) <= parseUnit(m[2]!) * 1.0001, `seed ${seed}: ${m[0]}`);
    }
  }
});

/** Plain-mode facts of one run: announced downloads with sizes, installed names, prepare time. */
function plainFacts(output: string) {
  const lines = output.split("\n");
  const announced = new Map<string, number>();
  for (const l of lines) {
    const m = l.match(/^Downloading ([a-z0-9-]+) \((\d+\.\d)(MiB|GiB)\)$/);
    if (m) announced.set(m[1]!, Number(m[2]) * 1024 ** (m[3] === "GiB" ? 3 : 2));
  }
  const installed = lines.filter((l) => l.startsWith(" + ")).map((l) => l.slice(3).split("==")[0]!);
  const prepared = lines.map((l) => l.match(new RegExp(`^Prepared \\d+ packages? in ${ELAPSED}$`)))
    .find((m) => m !== null);
  assert.ok(prepared, "no Prepared line");
  return {
    announced,
    installed,
    fresh: lines.some((l) => l.startsWith("Creating virtual environment")),
    preparedMs: elapsedMs(prepared[1]!),
  };
}

Deno.test("uv: the prepare phase takes what its bytes take on a real link, not a fixed phase", async () => {
  let small = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(uv, { seed, cols: 80 });
    const { announced, preparedMs } = plainFacts(run.output);
    const bytes = [...announced.values()].reduce((a, b) => a + b, 0);
    // No link here is faster than 160 MiB/s, so the announced wheels alone take this long.
    assert.ok(
      preparedMs + 10 >= (bytes / (160 * 1024 * 1024)) * 1000 * 0.95,
      `seed ${seed}: ${bytes} bytes prepared in ${preparedMs} ms`,
    );
    if (bytes < 8 * 1024 * 1024) {
      small++;
      assert.ok(preparedMs < 3000, `seed ${seed}: a few small wheels took ${preparedMs} ms`);
    }
  }
  assert.ok(small >= 5, `only ${small} seeds with small downloads`);
});

Deno.test("uv: the cache is coherent: a package downloads whenever a dependency of it does", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(uv, { seed, cols: 80 });
    const { announced, installed, fresh } = plainFacts(run.output);
    if (!fresh) continue;
    for (const name of installed) {
      const data = PACKAGES[name];
      if (!data || data.size < 1024 * 1024 || announced.has(name)) continue;
      const fetchedDep = data.deps.find((d) => announced.has(d));
      assert.equal(fetchedDep, undefined, `seed ${seed}: ${fetchedDep} downloaded but not ${name}`);
    }
  }
});

Deno.test("uv: an upgrade replaces an older release, and the pairs vary from run to run", async () => {
  const seen = new Map<string, Set<string>>();
  const older = (a: string, b: string) => {
    const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
    }
    return false;
  };
  for (const seed of SEEDS) {
    const lines = (await captureModule(uv, { seed, cols: 80 })).output.split("\n");
    const removed = new Map(
      lines.filter((l) => l.startsWith(" - ")).map((l) =>
        l.slice(3).split("==") as [string, string]
      ),
    );
    for (const l of lines.filter((l) => l.startsWith(" + "))) {
      const [name, version] = l.slice(3).split("==") as [string, string];
      const from = removed.get(name);
      if (from === undefined) continue;
      assert.ok(older(from, version), `seed ${seed}: ${name} ${from} -> ${version}`);
      seen.set(name, (seen.get(name) ?? new Set()).add(from));
    }
  }
  assert.ok(
    [...seen.values()].some((froms) => froms.size > 1),
    "every package upgrades from one version",
  );
});

Deno.test("uv snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(uv, { seed: 1, cols: 80 })).output);
});
