/**
 * vitest: a TypeScript project's unit tests, as `vitest run` (3.2 / 4.0)
 * prints them, or, in some runs, as Jest 30 does.
 *
 * One project per run (a React front end on jsdom or a Node API), its test
 * files and the tests in them. Files run in parallel on a few workers and are
 * reported as they finish: vitest's ` ✓ src/lib/date.test.ts (5 tests) 12ms`
 * with slow tests listed under their file, ` ❯ … (4 tests | 1 failed)` with
 * the failed test and its `→` message; then the `Failed Tests` banner with the
 * assertion, the diff and the code frame, and the summary whose counts are the
 * sums of the lines above (`Duration` is the wall time; its breakdown sums the
 * workers' time, as vitest's does). Jest prints ` PASS ` / ` FAIL ` badges,
 * `●` failure blocks with its own code frame and the `Test Suites:` summary.
 *
 * On a terminal both draw their live view below the finished files (vitest:
 * the running files and the running totals; Jest: ` RUNS ` lines, the totals
 * and its progress bar); in a pipe they print only the finished files.
 *
 * @module
 */

import data from "../data/vitest.json" with { type: "json" };
import { hms } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** One test. */
export interface JsTest {
  /** `describe > it` parts. */
  suite: string;
  title: string;
  ms: number;
  failed: boolean;
}

/** One test file. */
export interface JsFile {
  path: string;
  tests: JsTest[];
  /** Pretend ms to import and collect it. */
  collectMs: number;
  transformMs: number;
  /** When it finishes, pretend ms after the first file starts. */
  endAt: number;
  startAt: number;
}

/** One run, drawn up front. */
export interface JsPlan {
  runner: "vitest" | "jest";
  version: string;
  root: string;
  environment: string;
  files: JsFile[];
  workers: number;
  /** Pretend ms before the first file starts (start-up, environment). */
  prepareMs: number;
  setupMs: number;
  environmentMs: number;
}

/** Draws one run. */
export function planRun(rng: Rng): JsPlan {
  const project = rng.pick(data.projects);
  const name = rng.pick(project.names);
  const runner = rng.chance(0.25) ? "jest" : "vitest";
  const root = rng.chance(0.35)
    ? `/home/runner/work/${name}/${name}`
    : `/home/${rng.pick(data.users)}/${rng.pick(["src", "code", "work"])}/${name}`;
  const dom = project.environment === "jsdom";
  const files: JsFile[] = project.files.filter(() => rng.chance(0.9)).map(
    ([path, suite, titles]) => {
      const chosen = (titles as string[]).filter(() => rng.chance(0.85));
      return {
        path: path as string,
        tests: (chosen.length > 0 ? chosen : [(titles as string[])[0]!]).map((title) => ({
          suite: suite as string,
          title,
          ms: rng.chance(0.04) ? rng.int(310, 1600) : rng.logNormal(dom ? 18 : 4, 0.9),
          failed: false,
        })),
        collectMs: rng.logNormal(dom ? 420 : 160, 0.5),
        transformMs: rng.logNormal(dom ? 90 : 40, 0.6),
        startAt: 0,
        endAt: 0,
      };
    },
  );
  if (rng.chance(0.28)) {
    const all = files.flatMap((f) => f.tests);
    for (const t of rng.sample(all, rng.weighted([1, 2], [3, 1]))) t.failed = true;
  }
  const workers = Math.min(files.length, rng.pick([2, 4, 4, 8]));
  const envPer = dom ? rng.int(250, 700) : 0;
  const free = Array.from({ length: workers }, () => 0);
  for (const f of files) {
    const w = free.indexOf(Math.min(...free));
    f.startAt = free[w]!;
    f.endAt = f.startAt + envPer + f.collectMs + f.tests.reduce((a, t) => a + t.ms, 0);
    free[w] = f.endAt;
  }
  return {
    runner,
    version: runner === "jest" ? data.jest : rng.pick(data.vitest),
    root,
    environment: project.environment,
    files,
    workers,
    prepareMs: rng.int(300, 1200) + (runner === "jest" ? rng.int(1500, 5000) : 0),
    setupMs: dom ? rng.int(150, 900) : 0,
    environmentMs: envPer * files.length,
  };
}

/** vitest's time: `912ms`, `4.56s`. */
export function vitestTime(ms: number): string {
  return ms > 1000 ? `${(ms / 1000).toFixed(2)}s` : `${Math.round(ms)}ms`;
}

/** vitest's divider: `⎯⎯⎯ text ⎯⎯⎯` across `cols` (right margin `right`, if given). */
export function divider(text: string, textWidth: number, cols: number, right?: number): string {
  let left: number;
  let r: number;
  if (right !== undefined) {
    r = right;
    left = cols - textWidth - right;
  } else {
    left = Math.floor((cols - textWidth) / 2);
    r = cols - textWidth - left;
  }
  return `${"⎯".repeat(Math.max(0, left))}${text}${"⎯".repeat(Math.max(0, r))}`;
}

/** The source line a failing assertion sits on. */
function assertionLine(kind: Failure["kind"], want: number): string {
  return kind === "toBe"
    ? `    expect(result).toBe(${want});`
    : `    expect(onSubmit).toHaveBeenCalledTimes(${want});`;
}

interface Failure {
  file: JsFile;
  test: JsTest;
  line: number;
  col: number;
  kind: "toBe" | "calls";
  want: number;
  got: number;
}

function drawFailure(rng: Rng, file: JsFile, test: JsTest): Failure {
  const kind = rng.chance(0.6) ? "toBe" : "calls";
  const want = rng.int(1, 5);
  return {
    file,
    test,
    line: rng.int(18, 140),
    col: assertionLine(kind, want).indexOf(kind === "toBe" ? ".toBe(" : ".toHave") + 2,
    kind,
    want,
    got: kind === "toBe" ? want - 1 : 0,
  };
}

function codeFrame(f: Failure): { before: string[]; at: string; after: string[] } {
  const at = assertionLine(f.kind, f.want);
  return {
    before: [
      `  it("${f.test.title}", async () => {`,
      f.kind === "toBe"
        ? `    const result = await run(fixture);`
        : `    await user.click(submit);`,
    ],
    at,
    after: ["  });", ""],
  };
}

function counts(style: Style, failed: number, passed: number, total: number): string {
  const parts: string[] = [];
  if (failed > 0) parts.push(style.bold(style.red(`${failed} failed`)));
  if (passed > 0) parts.push(style.bold(style.green(`${passed} passed`)));
  return `${parts.join(style.dim(" | "))} ${style.gray(`(${total})`)}`;
}

function vitestSummary(
  ctx: Context,
  plan: JsPlan,
  done: JsFile[],
  start: Date,
  elapsed: number,
  breakdown: boolean,
): string[] {
  const { style } = ctx;
  const tests = done.flatMap((f) => f.tests);
  const failedFiles = done.filter((f) => f.tests.some((t) => t.failed)).length;
  const failedTests = tests.filter((t) => t.failed).length;
  const label = (s: string) => style.dim(s.padStart(11));
  let duration = vitestTime(elapsed);
  if (breakdown) {
    const sum = (fn: (f: JsFile) => number) => plan.files.reduce((a, f) => a + fn(f), 0);
    const t = (ms: number) => vitestTime(ms);
    const transform = t(sum((f) => f.transformMs));
    const collect = t(sum((f) => f.collectMs));
    const tests = t(sum((f) => f.tests.reduce((a, x) => a + x.ms, 0)));
    const env = t(plan.environmentMs);
    // Vitest 4 renamed collect to import and dropped prepare.
    duration += style.dim(
      plan.version.startsWith("4.")
        ? ` (transform ${transform}, setup ${
          t(plan.setupMs)
        }, import ${collect}, tests ${tests}, environment ${env})`
        : ` (transform ${transform}, setup ${
          t(plan.setupMs)
        }, collect ${collect}, tests ${tests}, environment ${env}, prepare ${
          t(plan.prepareMs * 0.6 * plan.workers)
        })`,
    );
  }
  return [
    `${label("Test Files")}  ${
      counts(
        style,
        failedFiles,
        done.length - failedFiles,
        breakdown ? done.length : plan.files.length,
      )
    }`,
    `${label("Tests")}  ${counts(style, failedTests, tests.length - failedTests, tests.length)}`,
    `${label("Start at")}  ${hms(start)}`,
    `${label("Duration")}  ${duration}`,
  ];
}

function pathLine(style: Style, path: string): string {
  const i = path.lastIndexOf("/");
  return `${style.dim(path.slice(0, i + 1))}${path.slice(i + 1)}`;
}

async function runVitest(ctx: Context, plan: JsPlan): Promise<void> {
  const { out, rng, style } = ctx;
  const cols = ctx.term.cols;
  const startWall = ctx.clock.wall();
  const t0 = ctx.clock.now();
  out.line();
  out.line(
    `${style.inverse(style.bold(style.cyan(" RUN ")))} ${style.cyan(`v${plan.version}`)} ${
      style.gray(plan.root)
    }`,
  );
  out.line();
  await ctx.sleep(plan.prepareMs);
  const order = [...plan.files].sort((a, b) => a.endAt - b.endAt);
  const done: JsFile[] = [];
  const failures: Failure[] = [];
  const base = ctx.clock.now();
  for (const f of order) {
    // Live view: the files still running and the totals so far, redrawn until f finishes.
    while (ctx.clock.now() - base < f.endAt - 1) {
      if (ctx.term.isTTY) {
        const now = ctx.clock.now() - base;
        const running = plan.files.filter((x) => x.startAt <= now && x.endAt > now);
        out.live([
          ...running.map((x) => {
            let spent = now - x.startAt - x.collectMs;
            const n = x.tests.filter((t) => (spent -= t.ms) >= 0).length;
            return ` ${style.yellow("❯")} ${pathLine(style, x.path)} ${
              style.dim(`${n}/${x.tests.length}`)
            }`;
          }),
          "",
          ...vitestSummary(ctx, plan, done, startWall, ctx.clock.now() - t0, false),
        ]);
      }
      await ctx.sleep(Math.min(ctx.term.isTTY ? 100 : 1e9, f.endAt - (ctx.clock.now() - base)));
    }
    done.push(f);
    const failed = f.tests.filter((t) => t.failed);
    const ms = vitestTime(f.collectMs * 0.1 + f.tests.reduce((a, t) => a + t.ms, 0));
    const n = `${f.tests.length} test${f.tests.length === 1 ? "" : "s"}`;
    if (failed.length === 0) {
      out.line(
        ` ${style.green("✓")} ${pathLine(style, f.path)} ${style.dim(`(${n})`)} ${style.dim(ms)}`,
      );
    } else {
      out.line(
        ` ${style.red("❯")} ${pathLine(style, f.path)} ${style.dim(`(${n} |`)} ${
          style.red(`${failed.length} failed`)
        }${style.dim(")")} ${style.dim(ms)}`,
      );
    }
    // Vitest 3 lists `suite > test` with the `→` reason; Vitest 4 indents the bare
    // test name further and keeps the reason for the Failed Tests section.
    const v4 = plan.version.startsWith("4.");
    const indent = v4 ? "     " : "   ";
    for (const t of f.tests) {
      const name = v4 ? t.title : `${t.suite} > ${t.title}`;
      if (t.failed) {
        const fail = drawFailure(rng, f, t);
        failures.push(fail);
        out.line(`${indent}${style.red("×")} ${name} ${style.dim(vitestTime(t.ms))}`);
        if (!v4) out.line(`     ${style.red(`→ ${message(fail)}`)}`);
      } else if (t.ms > 300) {
        out.line(`${indent}${style.green("✓")} ${name} ${style.yellow(vitestTime(t.ms))}`);
      }
    }
  }
  out.live([]);
  if (failures.length > 0) {
    out.line();
    const banner = ` Failed Tests ${failures.length} `;
    out.line(divider(style.bold(style.bgRed(banner)), banner.length, cols));
    out.line();
    failures.forEach((f, i) => {
      out.line(
        `${style.bold(style.bgRed(" FAIL "))} ${f.file.path} > ${f.test.suite} > ${f.test.title}`,
      );
      out.line(style.red(`${style.bold("AssertionError")}: ${message(f)}`));
      if (f.kind === "toBe") {
        out.line();
        out.line(style.green("- Expected"));
        out.line(style.red("+ Received"));
        out.line();
        out.line(style.green(`- ${f.want}`));
        out.line(style.red(`+ ${f.got}`));
      }
      out.line();
      out.line(style.cyan(` ❯ ${f.file.path}:${f.line}:${f.col}`));
      const frame = codeFrame(f);
      const num = (n: number) => String(n).padStart(7);
      frame.before.forEach((l, k) => out.line(style.gray(`${num(f.line - 2 + k)}| ${l}`)));
      out.line(`${num(f.line)}| ${frame.at}`);
      out.line(`${" ".repeat(7)}| ${" ".repeat(f.col - 1)}${style.red("^")}`);
      frame.after.forEach((l, k) => out.line(style.gray(`${num(f.line + 1 + k)}| ${l}`)));
      out.line();
      const tag = `[${i + 1}/${failures.length}]`;
      out.line(style.red(divider(style.dim(tag), tag.length, cols, 1)));
      out.line();
    });
  }
  out.line();
  for (const l of vitestSummary(ctx, plan, done, startWall, ctx.clock.now() - t0, true)) {
    out.line(l);
  }
  out.line();
}

function message(f: Failure): string {
  return f.kind === "toBe"
    ? `expected ${f.got} to be ${f.want} // Object.is equality`
    : `expected "vi.fn()" to be called ${f.want} times, but got ${f.got} times`;
}

/** Jest's time: `12.345 s`. */
export function jestTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function jestTotals(style: Style, plan: JsPlan, done: JsFile[], final: boolean): string[] {
  const tests = done.flatMap((f) => f.tests);
  const fs = done.filter((f) => f.tests.some((t) => t.failed)).length;
  const ft = tests.filter((t) => t.failed).length;
  const part = (failed: number, passed: number) =>
    [
      failed > 0 ? style.bold(style.red(`${failed} failed`)) : "",
      passed > 0 ? style.bold(style.green(`${passed} passed`)) : "",
    ].filter((x) => x).join(", ");
  const suites = part(fs, done.length - fs);
  const total = final ? `${done.length} total` : `${done.length} of ${plan.files.length} total`;
  const testPart = part(ft, tests.length - ft);
  return [
    `${style.bold("Test Suites:")} ${suites ? suites + ", " : ""}${total}`,
    `${style.bold("Tests:")}       ${testPart ? testPart + ", " : ""}${tests.length} total`,
    `${style.bold("Snapshots:")}   0 total`,
  ];
}

async function runJest(ctx: Context, plan: JsPlan): Promise<void> {
  const { out, rng, style } = ctx;
  const t0 = ctx.clock.now();
  const badge = (text: string, paint: (s: string) => string) =>
    style.enabled ? style.inverse(style.bold(paint(` ${text} `))) : text;
  await ctx.sleep(plan.prepareMs);
  const order = [...plan.files].sort((a, b) => a.endAt - b.endAt);
  const done: JsFile[] = [];
  const base = ctx.clock.now();
  const estimate = Math.round((order.at(-1)!.endAt + plan.prepareMs) / 1000 * rng.float(0.9, 1.3));
  for (const f of order) {
    while (ctx.clock.now() - base < f.endAt - 1) {
      if (ctx.term.isTTY) {
        const now = ctx.clock.now() - base;
        const running = plan.files.filter((x) => x.startAt <= now && x.endAt > now);
        const secs = Math.floor((ctx.clock.now() - t0) / 1000);
        const width = Math.max(10, Math.min(40, ctx.term.cols - 2));
        const filled = Math.min(width, Math.floor((width * secs) / Math.max(1, estimate)));
        out.live([
          ...running.map((x) => `${badge("RUNS", style.yellow)} ${pathLine(style, x.path)}`),
          "",
          ...jestTotals(style, plan, done, false),
          `${style.bold("Time:")}        ${secs} s, estimated ${estimate} s`,
          `${style.green("█".repeat(filled))}${style.dim("░".repeat(width - filled))}`,
        ]);
      }
      await ctx.sleep(Math.min(ctx.term.isTTY ? 250 : 1e9, f.endAt - (ctx.clock.now() - base)));
    }
    done.push(f);
    const failed = f.tests.filter((t) => t.failed);
    const spent = f.endAt - f.startAt;
    const slow = spent > 5000 ? ` ${style.bold(style.red(`(${jestTime(spent)})`))}` : "";
    out.live([]);
    out.line(
      `${failed.length > 0 ? badge("FAIL", style.red) : badge("PASS", style.green)} ${
        pathLine(style, f.path)
      }${slow}`,
    );
    for (const t of failed) {
      const fail = drawFailure(rng, f, t);
      out.line(style.bold(style.red(`  ● ${t.suite} › ${t.title}`)));
      out.line();
      if (fail.kind === "toBe") {
        out.line(
          `    ${style.dim("expect(")}${style.red("received")}${style.dim(").")}toBe${
            style.dim("(")
          }${style.green("expected")}${style.dim(")")} ${style.dim("// Object.is equality")}`,
        );
        out.line();
        out.line(`    Expected: ${style.green(String(fail.want))}`);
        out.line(`    Received: ${style.red(String(fail.got))}`);
      } else {
        out.line(
          `    ${style.dim("expect(")}${style.red("jest.fn()")}${
            style.dim(").")
          }toHaveBeenCalledTimes${style.dim("(")}${style.green("expected")}${style.dim(")")}`,
        );
        out.line();
        out.line(`    Expected number of calls: ${style.green(String(fail.want))}`);
        out.line(`    Received number of calls: ${style.red(String(fail.got))}`);
      }
      out.line();
      const frame = codeFrame(fail);
      const w = String(fail.line + 2).length;
      const num = (n: number) => String(n).padStart(w);
      frame.before.forEach((l, k) => out.line(style.dim(`      ${num(fail.line - 2 + k)} | ${l}`)));
      out.line(`    ${style.bold(style.red(">"))} ${num(fail.line)} | ${frame.at}`);
      out.line(`      ${" ".repeat(w)} | ${" ".repeat(fail.col - 1)}${style.bold(style.red("^"))}`);
      frame.after.forEach((l, k) => out.line(style.dim(`      ${num(fail.line + 1 + k)} | ${l}`)));
      out.line();
      out.line(
        style.dim(`      at Object.${fail.kind === "toBe" ? "toBe" : "toHaveBeenCalledTimes"} (`) +
          style.cyan(`${f.path}:${fail.line}:${fail.col}`) + style.dim(")"),
      );
      out.line();
    }
  }
  out.live([]);
  out.line();
  for (const l of jestTotals(style, plan, done, true)) out.line(l);
  out.line(`${style.bold("Time:")}        ${jestTime(ctx.clock.now() - t0)}`);
  out.line(style.dim("Ran all test suites."));
}

async function run(ctx: Context): Promise<void> {
  const plan = planRun(ctx.rng);
  if (plan.runner === "jest") await runJest(ctx, plan);
  else await runVitest(ctx, plan);
}

/** `vitest run` (or `jest`) of one TypeScript project. */
export const vitest: Module = {
  name: "vitest",
  signature: "vitest run",
  about: "Run a TypeScript project's unit tests with Vitest (or Jest)",
  maxDurationMs: 30_000,
  run,
};
