/**
 * go_test: `go test ./...` in a Go module, as the go command (1.24/1.25)
 * prints it, with the `-v`, `-race` and `-cover` variants.
 *
 * One module per run: an HTTP API, a CLI or a queue worker at
 * `github.com/<org>/<name>`, its packages (some without tests), and the real
 * modules it requires. On a cold module cache the go command first prints
 * `go: downloading <module> <version>` for every module whose packages the
 * build loads (the requirements and their dependencies, real versions); then
 * the long silence of compiling (longer with `-race`), then one line per
 * package in import-path order: `ok`, `FAIL`, `?   … [no test files]`, with
 * `(cached)` for packages whose results the build cache already has. `-cover`
 * adds `coverage: 78.3% of statements` (and, since Go 1.22, `0.0%` for
 * packages without tests that have statements); `-v` streams `=== RUN` /
 * `--- PASS` lines with subtests. A failing package prints its `--- FAIL`
 * block (a `t.Errorf` line, a testify `Error Trace` block or a go-cmp diff),
 * `FAIL`, `FAIL\t<pkg>\t0.231s`, and the run ends with `FAIL`.
 *
 * The go command writes tabs; a terminal expands them, so on a terminal this
 * module prints the expanded columns, and real tabs in a pipe.
 *
 * @module
 */

import data from "../data/go_test.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

type Project = (typeof data.projects)[number];
type PackageData = Project["packages"][number];
const MODULES = data.modules as Record<string, { version: string; deps: string[] }>;

/** One test function and its subtests. */
export interface GoTest {
  name: string;
  subtests: string[];
  /** The failing subtest (or the test itself when it has none). */
  fails: string | undefined;
  ms: number;
}

/** One package's part of the run. */
export interface GoPackage {
  importPath: string;
  data: PackageData;
  /** No `_test.go` files. */
  noTests: boolean;
  cached: boolean;
  tests: GoTest[];
  /** Seconds the test binary ran, as printed. */
  seconds: number;
  coverage: number;
  failed: boolean;
}

/** One `go test ./...`, drawn up front. */
export interface GoTestPlan {
  module: string;
  root: string;
  flags: { v: boolean; race: boolean; cover: boolean };
  /** `go: downloading` lines, in print order (empty on a warm module cache). */
  downloads: string[];
  packages: GoPackage[];
  /** Pretend ms of compiling before the first result. */
  buildMs: number;
}

/** Every module the build loads, from the project's requirements. */
export function moduleClosure(requires: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...requires];
  while (queue.length > 0) {
    const m = queue.shift()!;
    if (seen.has(m) || !MODULES[m]) continue;
    seen.add(m);
    queue.push(...MODULES[m]!.deps);
  }
  return [...seen];
}

/** Draws one run. */
export function planGoTest(rng: Rng): GoTestPlan {
  const project = rng.pick(data.projects);
  const name = rng.pick(project.names);
  const module = `github.com/${rng.pick(data.orgs)}/${name}`;
  const root = rng.chance(0.4)
    ? `/home/runner/work/${name}/${name}`
    : `/home/${rng.pick(["alex", "sam", "dev", "priya", "mk"])}/src/${name}`;
  const flags = { v: rng.chance(0.25), race: rng.chance(0.25), cover: rng.chance(0.35) };
  const state = rng.weighted(["cold", "warm", "cached"], [4, 4, 2]);
  // Downloads: requirements first as the loader meets them, their dependencies after.
  const closure = moduleClosure(project.requires);
  const direct = rng.shuffle(closure.filter((m) => project.requires.includes(m)));
  const indirect = rng.shuffle(closure.filter((m) => !project.requires.includes(m)));
  const downloads = state === "cold"
    ? [...direct, ...indirect].map((m) => `go: downloading ${m} ${MODULES[m]!.version}`)
    : [];
  const failing = state !== "cached" && rng.chance(0.3);
  const tested = project.packages.filter((p) => p.tests.length > 0);
  const failPkg = failing ? rng.pick(tested).path : undefined;
  const packages: GoPackage[] = project.packages.map((p) => {
    const importPath = p.path ? `${module}/${p.path.replace("{name}", name)}` : module;
    const noTests = p.tests.length === 0;
    const cached = !noTests && (state === "cached" || (state === "warm" && rng.chance(0.6)));
    const tests: GoTest[] = p.tests.filter(() => rng.chance(0.85)).map((t) => ({
      name: t,
      subtests: rng.chance(0.45) ? rng.sample(p.subtests ?? [], rng.int(2, 4)) : [],
      fails: undefined,
      ms: rng.chance(0.85) ? 0 : rng.int(1, "slow" in p ? 900 : 40),
    }));
    if (tests.length === 0 && !noTests) {
      tests.push({ name: p.tests[0]!, subtests: [], fails: undefined, ms: 0 });
    }
    const failed = !cached && p.path === failPkg;
    if (failed) {
      const t = rng.pick(tests);
      t.fails = t.subtests.length > 0 ? rng.pick(t.subtests) : t.name;
    }
    const base = "slow" in p ? rng.float(0.4, 3.5) : rng.float(0.003, 0.06);
    const seconds = Math.max(
      0.002,
      base * (flags.race ? rng.float(2, 6) : 1) + tests.reduce((a, t) => a + t.ms, 0) / 1000,
    );
    return {
      importPath,
      data: p,
      noTests,
      cached,
      tests,
      seconds,
      coverage: Math.round(rng.float(38, 94) * 10) / 10,
      failed,
    };
  }).sort((a, b) => (a.importPath < b.importPath ? -1 : 1));
  const compiled = packages.filter((p) => !p.cached).length;
  const buildMs = state === "cached"
    ? rng.int(400, 1500)
    : (state === "cold" ? rng.int(9_000, 28_000) : rng.int(1_500, 6_000)) *
      (compiled / packages.length + 0.2) * (flags.race ? rng.float(1.8, 2.6) : 1);
  return { module, root, flags, downloads, packages, buildMs };
}

/** Expands tabs to 8-column stops, as a terminal shows them. */
export function expandTabs(line: string): string {
  let out = "";
  for (const ch of line) {
    if (ch === "\t") out += " ".repeat(8 - (out.length % 8));
    else out += ch;
  }
  return out;
}

function secs(s: number): string {
  return `${s.toFixed(3)}s`;
}

function elapsed(ms: number): string {
  return `(${(ms / 1000).toFixed(2)}s)`;
}

/** The lines a failing test prints under its `--- FAIL` header. */
export function failureLines(
  plan: GoTestPlan,
  pkg: GoPackage,
  test: GoTest,
  rng: Rng,
  indent: string,
): string[] {
  const file = pkg.data.file ?? "main_test.go";
  const line = rng.int(24, 260);
  const where = `${indent}${file}:${line}: `;
  const kind = pkg.data.kind ?? "value";
  if (kind === "testify") {
    const want = rng.int(2, 12);
    const got = want - rng.int(1, 2);
    const dir = pkg.importPath.slice(plan.module.length + 1);
    const full = test.fails === test.name ? test.name : `${test.name}/${test.fails}`;
    const pad = `${indent}    \t`;
    return [
      where,
      `${pad}Error Trace:\t${plan.root}/${dir}/${file}:${line}`,
      `${pad}Error:      \tNot equal: `,
      `${pad}            \texpected: ${want}`,
      `${pad}            \tactual  : ${got}`,
      `${pad}Test:       \t${full}`,
    ];
  }
  if (kind === "http") {
    return [
      `${where}${rng.pick(["POST", "GET"])} /v1/orders: got status ${
        rng.pick([500, 400, 404])
      }, want ${rng.pick([200, 201])}`,
    ];
  }
  if (kind === "cmp") {
    const key = rng.pick(["indent", "sort_keys", "output", "color"]);
    return [
      `${where}Format() mismatch (-want +got):`,
      `${indent}      strings.Join({`,
      `${indent}      \t"{",`,
      `${indent}    - \t"  \\"${key}\\": 2,",`,
      `${indent}    + \t"  \\"${key}\\": 4,",`,
      `${indent}      \t"}",`,
      `${indent}      }, "\\n")`,
    ];
  }
  const got = rng.pick(["<nil>", `"${rng.pick(["a.b", "x[0]", "\\u00e9"])}"`, "0"]);
  return [`${where}${test.name.replace(/^Test/, "")}() = ${got}, want error`];
}

/** The lines of one package's result (after its `-v` stream, if any). */
function resultLine(plan: GoTestPlan, pkg: GoPackage): string {
  const cover = plan.flags.cover ? `\tcoverage: ${pkg.coverage.toFixed(1)}% of statements` : "";
  if (pkg.noTests) {
    if (plan.flags.cover && !("nostatements" in pkg.data)) {
      return `\t${pkg.importPath}\t\tcoverage: 0.0% of statements`;
    }
    return `?   \t${pkg.importPath}\t[no test files]`;
  }
  if (pkg.failed) return `FAIL\t${pkg.importPath}\t${secs(pkg.seconds)}`;
  return `ok  \t${pkg.importPath}\t${pkg.cached ? "(cached)" : secs(pkg.seconds)}${cover}`;
}

/** Everything one package prints, in order. */
export function packageLines(plan: GoTestPlan, pkg: GoPackage, rng: Rng): string[] {
  const out: string[] = [];
  if (pkg.noTests) return [resultLine(plan, pkg)];
  // A cached package replays its -v output; keep cached runs short and print only the result.
  const verbose = plan.flags.v && !pkg.cached;
  for (const t of pkg.tests) {
    const failedHere = t.fails !== undefined;
    // With -v, a test's log lines stream right after its `=== RUN`; without, they
    // are printed under its `--- FAIL` header.
    const own = failedHere && t.subtests.length === 0
      ? failureLines(plan, pkg, t, rng, "    ")
      : [];
    const sub = failedHere && t.subtests.length > 0
      ? failureLines(plan, pkg, t, rng, "        ")
      : [];
    if (verbose) {
      out.push(`=== RUN   ${t.name}`);
      out.push(...own);
      for (const s of t.subtests) {
        out.push(`=== RUN   ${t.name}/${s}`);
        if (t.fails === s) out.push(...sub);
      }
    }
    if (!verbose && !failedHere) continue;
    out.push(`--- ${failedHere ? "FAIL" : "PASS"}: ${t.name} ${elapsed(t.ms)}`);
    if (!verbose) out.push(...own);
    for (const s of t.subtests) {
      const subFailed = t.fails === s;
      if (!verbose && !subFailed) continue;
      out.push(`    --- ${subFailed ? "FAIL" : "PASS"}: ${t.name}/${s} ${elapsed(0)}`);
      if (subFailed && !verbose) out.push(...sub);
    }
  }
  if (pkg.failed) out.push("FAIL");
  else if (verbose) out.push("PASS");
  if (verbose && plan.flags.cover && !pkg.failed) {
    out.push(`coverage: ${pkg.coverage.toFixed(1)}% of statements`);
  }
  out.push(resultLine(plan, pkg));
  return out;
}

async function run(ctx: Context): Promise<void> {
  const { out, rng } = ctx;
  const plan = planGoTest(rng);
  // The go command prints no colour of its own.
  const print = (line: string) => out.line(ctx.term.isTTY ? expandTabs(line) : line);
  // Module downloads start in waves of a few at a time.
  for (const d of plan.downloads) {
    print(d);
    await ctx.sleep(rng.chance(0.3) ? rng.int(150, 900) : rng.int(5, 60));
  }
  await ctx.sleep(plan.buildMs * 0.6);
  let pending = plan.buildMs * 0.4;
  for (const pkg of plan.packages) {
    // Results come in import-path order, each once its binary has built and run.
    const wait = pkg.noTests
      ? rng.int(5, 80)
      : pkg.cached
      ? rng.int(10, 90)
      : pending / 2 + pkg.seconds * 1000 + rng.int(50, 600);
    pending /= 2;
    await ctx.sleep(wait);
    for (const l of packageLines(plan, pkg, rng)) print(l);
  }
  if (plan.packages.some((p) => p.failed)) print("FAIL");
}

/** `go test ./...` of one Go module (cold or warm cache; -v, -race, -cover). */
export const go_test: Module = {
  name: "go_test",
  signature: "go test ./...",
  about: "Run a Go module's tests with go test (cold cache, -v, -race, -cover)",
  maxDurationMs: 120_000,
  run,
};
