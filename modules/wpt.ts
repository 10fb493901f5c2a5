/**
 * wpt: a web-platform-tests run through wptrunner's grouping formatter, as
 * Servo's `mach test-wpt` prints it. A live block shows `[done/total]` and the
 * test each worker is running; unexpected results are printed as `▶ │ └`
 * blocks; the summary's counts are those of the results that were printed.
 * In a pipe there is no live block: each test that ran as expected prints
 * `  [done/total] /path` as it finishes (the formatter's non-interactive mode).
 * Test paths are built from folder and file-name parts in the data file; a
 * test's subtests, messages and crash backtraces belong to that test's file
 * and area.
 *
 * @module
 */

import data from "../data/wpt.json" with { type: "json" };
import { pad } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

/** A test's harness: reftests PASS/FAIL, testharness tests OK/ERROR/TIMEOUT with subtests. */
export type TestKind = "reftest" | "testharness";

/** An unexpected subtest result. */
export interface SubtestResult {
  name: string;
  status: string;
  expected: string;
  message?: string;
  /** Shared by the subtests of one failure group; absent for stackless failures. */
  stack?: string[];
}

/** The outcome of one test. */
export interface TestResult {
  path: string;
  kind: TestKind;
  status: string;
  /** Set when the test's own status was unexpected. */
  expected?: string;
  message?: string;
  stack?: string[];
  subtests: SubtestResult[];
}

/** A test of the run: its path, harness and the file (folder/stem) its subtests come from. */
export interface Test {
  path: string;
  kind: TestKind;
  /** `dir/stem`: the key of the file's subtests in the data. */
  file: string;
}

/** One test on one worker. */
export interface Slot extends Test {
  worker: number;
  start: number;
  end: number;
}

type Dir = (typeof data.dirs)[number];

/** Every test a folder holds in this run (numbered reftests, `.any.js` expansions, splits). */
export function expandDir(rng: Rng, dir: Dir): Test[] {
  const out: Test[] = [];
  const kind = dir.kind as TestKind;
  for (const stem of dir.stems) {
    const file = `${dir.dir}/${stem}`;
    if (kind === "reftest") {
      // CSS reftests come as `-001`, `-002`… series; older underscore names stand alone.
      const [lo, hi] = dir.count ?? [1, 1];
      const n = stem.includes("_") ? 0 : rng.int(lo!, hi!);
      if (n === 0) out.push({ path: `/${file}.html`, kind, file });
      for (let i = 1; i <= n; i++) out.push({ path: `/${file}-${pad(i, 3)}.html`, kind, file });
      continue;
    }
    const numbered = dir.count ? rng.int(dir.count[0]!, dir.count[1]!) : 0;
    const names = numbered > 0
      ? Array.from({ length: numbered }, (_, i) => `${stem}_${i + 1}`)
      : [stem];
    for (const name of names) {
      for (const variant of dir.variants ?? [".html"]) {
        for (const split of dir.splits ?? [""]) {
          out.push({ path: `/${dir.dir}/${name}${variant}${split}`, kind, file });
        }
      }
    }
  }
  return out;
}

/** The tests of one run, in the order wptrunner hands them out. */
export function collectTests(rng: Rng): Test[] {
  const tests = data.dirs.flatMap((dir) => expandDir(rng, dir).filter(() => rng.chance(0.9)));
  return tests.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Hands tests to `workers` processes in order; each takes the next test when it is free. */
export function schedule(
  rng: Rng,
  tests: Test[],
  workers: number,
  median: number,
): Slot[] {
  const free = Array.from({ length: workers }, () => rng.float(0, 400));
  return tests.map((t) => {
    let w = 0;
    for (let i = 1; i < workers; i++) if (free[i]! < free[w]!) w = i;
    const duration = Math.min(
      9000,
      rng.logNormal(t.kind === "reftest" ? median * 0.8 : median, 0.7),
    );
    const slot = { ...t, worker: w, start: free[w]!, end: free[w]! + duration };
    free[w] = slot.end + rng.float(5, 40);
    return slot;
  });
}

/** A test area: the messages its assertions print and the values they compare. */
export type Family = (typeof data.families)[keyof typeof data.families];

/** The area a test belongs to (CSS, networking, JS APIs, or DOM and HTML). */
export function familyOf(path: string): keyof typeof data.families {
  const rel = path.slice(1);
  const names = Object.keys(data.families) as (keyof typeof data.families)[];
  return names.find((n) => data.families[n].dirs.some((d) => rel.startsWith(d)))!;
}

/** An assertion message of the test's own area, `{a}`/`{b}` one compared pair. */
function message(rng: Rng, family: Family, templates: string[] = family.messages): string {
  const [a, b] = rng.pick(family.pairs);
  const n = rng.int(1, 300);
  const m = n - rng.int(1, n);
  return rng.pick(templates).replaceAll("{a}", a!).replaceAll("{b}", b!)
    .replaceAll("{n}", String(n)).replaceAll("{m}", String(m));
}

function jsStack(rng: Rng, path: string): string[] {
  const url = `${data.host}${
    path.replace(/\?.*$/, "").replace(
      /\.any\.(worker|sharedworker|serviceworker|shadowrealm)?\.?html$/,
      ".any.js",
    )
  }`;
  return [
    `${rng.pick(["", "test_fn", "run_test", "check"])}@${url}:${rng.int(12, 240)}:${
      rng.int(3, 40)
    }`,
    `Test.prototype.step@${data.host}/resources/testharness.js:${rng.int(2600, 2700)}:${
      rng.int(10, 40)
    }`,
    `test@${data.host}/resources/testharness.js:${rng.int(600, 700)}:${rng.int(10, 40)}`,
  ];
}

/** A Rust panic of the test's area, its backtrace running through the panicking file's crate. */
function panic(rng: Rng, area: string): string[] {
  const own = data.panics.filter((p) => p.area === area);
  const p = rng.pick(own.length > 0 ? own : data.panics.filter((p) => p.area === "dom"));
  const frames = ["rust_begin_unwind", "core::panicking::panic_fmt", ...p.frames];
  return [
    `thread '${p.thread}' panicked at ${p.file}:${rng.int(40, 3200)}:${rng.int(5, 60)}:`,
    p.msg,
    "stack backtrace:",
    ...frames.map((f, i) => `${String(i).padStart(4)}: ${f}`),
  ];
}

/** Why a skipped test is disabled, as its metadata says. */
function skipReason(rng: Rng): string {
  return rng.chance(0.7)
    ? `https://github.com/servo/servo/issues/${rng.int(12000, 40500)}`
    : rng.pick(["Too slow", "Intermittent timeouts", "Hangs the test runner"]);
}

/** Rates of each kind of unexpected result, scaled per run. */
interface Rates {
  skip: number;
  crash: number;
  timeout: number;
  error: number;
  flip: number;
  subtests: number;
}

/** Decides how one test turned out; subtests and messages come from the test's own file and area. */
export function outcome(rng: Rng, test: Test, rates: Rates): TestResult {
  const { path, kind } = test;
  const area = familyOf(path);
  const family = data.families[area];
  const names = (data.subtests as Record<string, string[] | undefined>)[test.file] ?? [];
  const r: TestResult = { path, kind, status: kind === "reftest" ? "PASS" : "OK", subtests: [] };
  const roll = rng.next();
  let edge = rates.skip;
  if (roll < edge) return { ...r, status: "SKIP", message: skipReason(rng) };
  if (roll < (edge += rates.crash)) {
    return {
      ...r,
      status: "CRASH",
      expected: kind === "reftest" ? "PASS" : "OK",
      stack: ["", ...panic(rng, area)],
    };
  }
  if (kind === "reftest") {
    if (roll < (edge += rates.flip * 2)) return { ...r, status: "FAIL", expected: "PASS" };
    if (roll < (edge += rates.flip)) return { ...r, status: "PASS", expected: "FAIL" };
    return r;
  }
  if (roll < (edge += rates.timeout)) {
    const t: TestResult = { ...r, status: "TIMEOUT", expected: "OK" };
    if (names.length > 0 && rng.chance(0.5)) {
      t.subtests = [{
        name: rng.pick(names),
        status: "TIMEOUT",
        expected: "PASS",
        message: "Test timed out",
      }];
    }
    return t;
  }
  if (roll < (edge += rates.error)) {
    return { ...r, status: "ERROR", expected: "OK", message: message(rng, family, family.errors) };
  }
  if (roll < (edge += rates.flip * 0.5)) {
    return { ...r, status: "OK", expected: rng.pick(["TIMEOUT", "ERROR"]) };
  }
  if (roll < edge + rates.subtests && names.length > 0) {
    const stack = rng.chance(0.3) ? jsStack(rng, path) : undefined;
    r.subtests = rng.sample(names, rng.int(1, Math.min(3, names.length))).map((name) => {
      if (rng.chance(0.15)) return { name, status: "PASS", expected: "FAIL" };
      return {
        name,
        status: "FAIL",
        expected: "PASS",
        message: message(rng, family),
        ...(stack ? { stack } : {}),
      };
    });
  }
  return r;
}

/** `▶` on the first line, `│` in between, `└` on the last, two spaces in (wptrunner's layout). */
export function wrapLines(lines: string[]): string[] {
  if (lines.length === 1) return [`  ▶ ${lines[0]}`];
  return [`  ▶ ${lines[0]}`, ...lines.slice(1, -1).map((l) => `  │ ${l}`), `  └ ${lines.at(-1)}`];
}

function resultLines(
  status: string,
  expected: string | undefined,
  title: string,
  message?: string,
  stack?: string[],
): string[] {
  const lines = [`${status}${expected ? ` [expected ${expected}]` : ""} ${title}`];
  if (message) lines.push(`  → ${message}`);
  if (stack && stack.length > 0) lines.push("", ...stack.filter((l, i) => i > 0 || l !== ""));
  return lines;
}

/** The permanent lines for a test with unexpected results (each block ends with a blank line). */
export function renderUnexpected(r: TestResult): string[] {
  const out: string[] = [];
  if (r.expected) {
    out.push(...wrapLines(resultLines(r.status, r.expected, r.path, r.message, r.stack)), "");
  }
  const group = (subs: SubtestResult[], stack?: string[]) => {
    const lines = [`Unexpected subtest result in ${r.path}:`];
    subs.forEach((s, i) =>
      lines.push(
        ...resultLines(
          s.status,
          s.expected,
          s.name,
          s.message,
          i === subs.length - 1 ? stack : undefined,
        ),
      )
    );
    out.push(...wrapLines(lines), "");
  };
  for (const s of r.subtests.filter((s) => !s.stack)) group([s]);
  const stacked = r.subtests.filter((s) => s.stack);
  if (stacked.length > 0) group(stacked, stacked[0]!.stack);
  return out;
}

/** A skipped test's block: `▶ SKIP /path` and `└ reason`, then a blank line. */
export function renderSkip(r: TestResult): string[] {
  return [...wrapLines([`SKIP ${r.path}`, r.message ?? ""]), ""];
}

/** The summary block, counted from the results as wptrunner counts them. */
export function renderSummary(
  results: TestResult[],
  seconds: number,
  interactive: boolean,
): string[] {
  const expected = results.filter((r) => !r.expected && r.subtests.length === 0);
  const skipped = expected.filter((r) => r.status === "SKIP").length;
  const out = interactive ? [] : [""];
  out.push(`Ran ${results.length} tests finished in ${seconds.toFixed(1)} seconds.`);
  out.push(`  • ${expected.length} ran as expected.`);
  if (skipped > 0) out.push(`    • ${skipped} skipped.`);
  const sections: [string, string][] = [
    ["CRASH", "crashed unexpectedly"],
    ["ERROR", "had errors unexpectedly"],
    ["FAIL", "failed unexpectedly"],
    ["PRECONDITION_FAILED", "precondition failed unexpectedly"],
    ["TIMEOUT", "timed out unexpectedly"],
    ["PASS", "passed unexpectedly"],
    ["OK", "unexpectedly okay"],
  ];
  for (const [status, text] of sections) {
    const n = results.filter((r) => r.expected && r.status === status).length;
    if (n > 0) out.push(`  • ${n} tests ${text}`);
  }
  const withSubtests = results.filter((r) => r.subtests.length > 0).length;
  if (withSubtests > 0) out.push(`  • ${withSubtests} tests had unexpected subtest results`);
  out.push("");
  return out;
}

/**
 * The live block: the counter and one line per running test, lined up under
 * the first. Below 60 columns the counter gets a line of its own and each test
 * shows the end of its path, which is the part that tells tests apart.
 */
export function renderStatus(
  done: number,
  total: number,
  running: string[],
  maxLines: number,
  cols = 80,
): string[] {
  const head = `  [${done}/${total}] `;
  if (running.length === 0) return [`${head}No tests running.`];
  const shown = running.slice(0, Math.max(1, cols < 60 ? maxLines - 1 : maxLines));
  if (cols < 60) {
    const room = Math.max(1, cols - 3);
    return [
      head.trimEnd(),
      ...shown.map((p) => `  ${p.length <= room ? p : `…${p.slice(-(room - 1))}`}`),
    ];
  }
  const indent = " ".repeat(head.length);
  return shown.map((p, i) => (i === 0 ? head : indent) + p);
}

const TICK_MS = 125;

/** The wpt module. */
export const wpt: Module = {
  name: "wpt",
  signature: `./mach test-wpt --release --processes ${data.processes}`,
  about: "Runs web-platform-tests in Servo: live worker status, unexpected results, summary",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { rng, out } = ctx;
    const budget = rng.float(30_000, 200_000);
    const rateScale = rng.logNormal(1, 0.5);
    const rates: Rates = {
      skip: 0.006,
      crash: 0.0015 * rateScale,
      timeout: 0.006 * rateScale,
      error: 0.003 * rateScale,
      flip: 0.003 * rateScale,
      subtests: 0.035 * rateScale,
    };
    const all = schedule(rng, collectTests(rng), data.processes, rng.float(250, 900));
    // The run is the longest prefix of the queue that finishes within the budget.
    let count = 0, finish = 0;
    for (const slot of all) {
      finish = Math.max(finish, slot.end);
      if (finish > budget) break;
      count++;
    }
    const slots = all.slice(0, Math.max(1, count));
    const results = slots.map((s) => outcome(rng, s, rates));
    const total = slots.length;

    await ctx.sleep(rng.int(800, 2500)); // the web server and the first browser starting
    out.line(`Running ${total} tests in web-platform-tests`);
    out.line();
    const started = ctx.clock.now();
    const ends = slots.map((s, i) => ({ at: s.end, i })).sort((a, b) => a.at - b.at);
    let done = 0, next = 0;
    let active: Slot[] = [];
    const failures: string[] = [];
    for (let t = 0; done < total; t += TICK_MS) {
      for (; done < total && ends[done]!.at <= t; done++) {
        const r = results[ends[done]!.i]!;
        if (r.expected || r.subtests.length > 0) {
          const block = renderUnexpected(r);
          for (const line of block) out.line(line);
          failures.push(...block.filter((l) => l !== ""));
        } else if (r.status === "SKIP") {
          for (const line of renderSkip(r)) out.line(line);
        } else if (!ctx.term.isTTY) {
          // Without a terminal the formatter names each test as it finishes.
          out.line(`  [${done + 1}/${total}] ${r.path}`);
        }
      }
      // Slots start in queue order, so the running set is a sliding window.
      for (; next < total && slots[next]!.start <= t; next++) active.push(slots[next]!);
      active = active.filter((s) => s.end > t);
      if (ctx.term.isTTY) {
        const running = active.toSorted((a, b) => a.worker - b.worker).map((s) => s.path);
        out.live(renderStatus(done, total, running, ctx.term.rows - 2, ctx.term.cols));
      }
      if (done < total) await ctx.sleep(TICK_MS);
    }
    await ctx.sleep(rng.int(150, 600)); // the last browser shutting down
    out.live([]);
    const seconds = (ctx.clock.now() - started) / 1000;
    for (const line of renderSummary(results, seconds, ctx.term.isTTY)) out.line(line);
    // A log repeats the failures after the summary, where they are easy to find.
    if (!ctx.term.isTTY && failures.length > 0) {
      out.line("Tests with unexpected results:");
      for (const line of failures) out.line(line);
    }
  },
};
