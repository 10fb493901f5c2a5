/**
 * npm: a Node project's dependencies installed, as npm 10/11 (`npm ci` or
 * `npm install`) or, in some runs, pnpm 10 (`pnpm install`) print it.
 *
 * One project per run: a real stack (Vite + React, Next.js, an Express API,
 * Angular, NestJS) with its real direct dependencies, the tree size that stack
 * installs, and the deprecation warnings that tree really produces.
 *
 * npm: `npm warn deprecated …` lines (repeated per copy in the tree, as npm
 * does), sometimes a corrupted-tarball retry naming the package's real sha512
 * integrity, the root project's `prepare` script banner, then `added N
 * packages, and audited N+1 packages in 32s`, the funding note, the audit
 * result and sometimes the update notice. The braille spinner is drawn only on
 * a terminal; in a pipe npm prints nothing while it works.
 *
 * pnpm: `Lockfile is up to date…` (or a fresh resolution with its ` WARN `
 * lines), `Packages: +N` with its row of `+`, the `Progress:` line (redrawn on
 * a terminal, appended once a second in a pipe, as pnpm's append-only reporter
 * does), the direct dependencies, the ignored-build-scripts box and `Done in`.
 *
 * @module
 */

import data from "../data/npm.json" with { type: "json" };
import { visibleWidth } from "../core/ansi.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** A stack as stored in the data file. */
interface Profile {
  id: string;
  names: string[];
  version: string;
  packages: number[];
  funding: number;
  dependencies: string[][];
  devDependencies: string[][];
  deprecated: (string | number)[][];
  builds: string[];
  tarballs: string[][];
  prepare: string | null;
}

const PROFILES = data.profiles as Profile[];
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Vulnerability counts by severity, as `npm audit` reports them. */
export interface Vulnerabilities {
  low: number;
  moderate: number;
  high: number;
  critical: number;
  /** Whether a full fix needs `npm audit fix --force` (breaking changes). */
  breaking: boolean;
}

/** One install, drawn up front. */
export interface InstallPlan {
  tool: "npm" | "pnpm";
  /** `ci` or `install` (pnpm: always `install`). */
  command: "ci" | "install";
  /** The project: `storefront-web@0.0.0`. */
  name: string;
  version: string;
  profile: Profile;
  /** node_modules already matches the lock file (npm install only). */
  upToDate: boolean;
  /** Packages installed (the whole tree, without the root). */
  packages: number;
  funding: number;
  /** Deprecation warnings in print order, one per copy in the tree. */
  deprecations: { spec: string; message: string }[];
  /** A tarball whose first download fails its integrity check. */
  retry: { spec: string; integrity: string } | undefined;
  vulnerabilities: Vulnerabilities;
  node: string;
  npmVersion: string;
  /** Shown after the summary: the newer npm. */
  notice: string | undefined;
  pnpmVersion: string;
  /** pnpm: the lock file is up to date, resolution is skipped. */
  lockfile: boolean;
  /** pnpm: packages fetched from the registry (the rest come from the store). */
  downloaded: number;
  /** Pretend milliseconds of the whole install. */
  durationMs: number;
}

/** Draws one install. */
export function planInstall(rng: Rng): InstallPlan {
  const profile = rng.pick(PROFILES);
  const runtime = rng.weighted(data.runtimes, data.runtimes.map((r) => r.weight));
  const tool = rng.chance(0.3) ? "pnpm" : "npm";
  const [lo, hi] = profile.packages as [number, number];
  const packages = rng.int(lo, hi);
  const command = tool === "npm" && rng.chance(0.55) ? "ci" : "install";
  const upToDate = tool === "npm" && command === "install" && rng.chance(0.15);
  const lockfile = tool === "pnpm" && rng.chance(0.75);
  const coldCache = rng.chance(0.45);
  const deprecations = rng.shuffle(
    profile.deprecated.flatMap(([spec, message, times]) =>
      Array.from({ length: times as number }, () => ({
        spec: spec as string,
        message: message as string,
      }))
    ),
  );
  const retry = !upToDate && profile.tarballs.length > 0 && rng.chance(0.1)
    ? (([spec, integrity]) => ({ spec: spec!, integrity: integrity! }))(rng.pick(profile.tarballs))
    : undefined;
  // npm: a cold cache fetches ~35 packages a second, a warm one ~90; pnpm links
  // from its store faster still.
  const rate = tool === "pnpm"
    ? (coldCache ? rng.float(45, 80) : rng.float(160, 320))
    : (coldCache ? rng.float(28, 45) : rng.float(70, 110));
  const durationMs = upToDate ? rng.int(600, 2_200) : Math.round(
    rng.int(900, 2_500) + (packages / rate) * 1000 + (retry ? rng.int(1500, 4000) : 0),
  );
  const downloaded = coldCache
    ? packages
    : rng.chance(0.5)
    ? 0
    : rng.int(1, Math.min(40, packages));
  return {
    tool,
    command,
    name: rng.pick(profile.names),
    version: profile.version,
    profile,
    upToDate,
    packages,
    funding: Math.round(packages * profile.funding * rng.float(0.92, 1.08)),
    deprecations,
    retry,
    vulnerabilities: drawVulnerabilities(rng, profile),
    node: runtime.node,
    npmVersion: runtime.npm,
    notice: runtime.npm !== data.npmLatest && rng.chance(0.3) ? data.npmLatest : undefined,
    pnpmVersion: rng.pick(data.pnpmVersions),
    lockfile,
    downloaded,
    durationMs,
  };
}

function drawVulnerabilities(rng: Rng, profile: Profile): Vulnerabilities {
  const none = { low: 0, moderate: 0, high: 0, critical: 0, breaking: false };
  // Old trees (eslint 8, jest 29, karma) carry more advisories than fresh templates.
  const risk = profile.deprecated.length > 0 ? 0.5 : 0.15;
  if (!rng.chance(risk)) return none;
  return {
    low: rng.chance(0.4) ? rng.int(1, 3) : 0,
    moderate: rng.chance(0.6) ? rng.int(1, 4) : 0,
    high: rng.chance(0.3) ? rng.int(1, 2) : 0,
    critical: rng.chance(0.05) ? 1 : 0,
    breaking: rng.chance(0.3),
  };
}

/** npm's elapsed time (the `ms` package): `682ms`, `4s`, `1m`. */
export function npmElapsed(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  if (t >= 60_000) return `${Math.round(t / 60_000)}m`;
  if (t >= 1000) return `${Math.round(t / 1000)}s`;
  return `${t}ms`;
}

/** pnpm's elapsed time (pretty-ms): `812ms`, `8.4s`, `1m 4.2s`. */
export function pnpmElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m ${(Math.floor((ms % 60_000) / 100) / 10).toFixed(1)}s`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The audit lines after the funding note (npm-audit-report's install reporter). */
export function auditLines(style: Style, v: Vulnerabilities): string[] {
  const total = v.low + v.moderate + v.high + v.critical;
  if (total === 0) return [`found ${style.bold(style.green("0"))} vulnerabilities`];
  const paint: Record<string, (s: string) => string> = {
    low: (s) => s,
    moderate: style.yellow,
    high: style.red,
    critical: style.magenta,
  };
  const parts = (["low", "moderate", "high", "critical"] as const)
    .filter((k) => v[k] > 0)
    .map((k) => `${v[k]} ${paint[k]!(k)}`);
  const head = parts.length === 1
    ? `${parts[0]} severity ${total === 1 ? "vulnerability" : "vulnerabilities"}`
    : `${total} vulnerabilities (${parts.join(", ")})`;
  const fix = v.breaking
    ? [
      "To address issues that do not require attention, run:",
      "  npm audit fix",
      "",
      "To address all issues (including breaking changes), run:",
      "  npm audit fix --force",
    ]
    : ["To address all issues, run:", "  npm audit fix"];
  return [head, "", ...fix, "", "Run `npm audit` for details."];
}

/** Waits until `until` (pretend ms since `start`), drawing npm's spinner on a terminal. */
async function spinUntil(ctx: Context, start: number, until: number): Promise<void> {
  while (until - (ctx.clock.now() - start) >= 1) {
    const left = until - (ctx.clock.now() - start);
    if (ctx.term.isTTY) {
      const frame = Math.floor((ctx.clock.now() - start) / 80) % SPINNER.length;
      ctx.out.live([SPINNER[frame]!]);
      await ctx.sleep(Math.min(80, left));
    } else {
      await ctx.sleep(left);
    }
  }
}

async function runNpm(ctx: Context, plan: InstallPlan): Promise<void> {
  const { out, rng, style } = ctx;
  const start = ctx.clock.now();
  const warn = (title: string, text: string) =>
    out.line(`npm ${style.yellow("warn")} ${style.magenta(title)} ${text}`);
  const reify = plan.durationMs - (plan.upToDate ? 0 : rng.int(400, 1200));
  // Deprecations surface while manifests and tarballs are fetched: the first half of the run.
  const times = plan.deprecations.map(() => rng.float(0.08, 0.55) * reify).sort((a, b) => a - b);
  const retryAt = plan.retry ? rng.float(0.3, 0.7) * reify : Number.POSITIVE_INFINITY;
  let retried = false;
  for (let i = 0; i <= plan.deprecations.length; i++) {
    const at = i < times.length ? times[i]! : reify;
    if (!retried && retryAt <= at) {
      await spinUntil(ctx, start, retryAt);
      out.live([]);
      warn(
        "tarball",
        `tarball data for ${plan.retry!.spec} (${
          plan.retry!.integrity
        }) seems to be corrupted. Trying again.`,
      );
      retried = true;
    }
    await spinUntil(ctx, start, at);
    if (i < plan.deprecations.length) {
      const d = plan.deprecations[i]!;
      out.live([]);
      warn("deprecated", `${d.spec}: ${d.message}`);
    }
  }
  if (plan.profile.prepare && !plan.upToDate) {
    out.live([]);
    out.line();
    out.line(`> ${plan.name}@${plan.version} prepare`);
    out.line(`> ${plan.profile.prepare}`);
  }
  await spinUntil(ctx, start, plan.durationMs);
  out.live([]);
  const elapsed = npmElapsed(ctx.clock.now() - start);
  const audited = plan.packages + 1;
  out.line();
  out.line(
    plan.upToDate
      ? `up to date, audited ${audited} packages in ${elapsed}`
      : `added ${
        plural(plan.packages, "package", "packages")
      }, and audited ${audited} packages in ${elapsed}`,
  );
  out.line();
  if (plan.funding > 0) {
    out.line(
      `${plural(plan.funding, "package is", "packages are")} looking for funding`,
    );
    out.line("  run `npm fund` for details");
    out.line();
  }
  for (const l of auditLines(style, plan.vulnerabilities)) out.line(l);
  if (plan.notice) {
    const kind = plan.notice.split(".")[0] !== plan.npmVersion.split(".")[0]
      ? "major"
      : plan.notice.split(".")[1] !== plan.npmVersion.split(".")[1]
      ? "minor"
      : "patch";
    const notice = (text: string) =>
      out.line(`npm ${style.bold(style.cyan("notice"))}${text ? " " + text : ""}`);
    notice("");
    notice(
      `New ${style.red(kind)} version of npm available! ${style.red(plan.npmVersion)} -> ${
        style.green(plan.notice)
      }`,
    );
    notice(
      `Changelog: ${style.cyan(`https://github.com/npm/cli/releases/tag/v${plan.notice}`)}`,
    );
    notice(`To update run: ${style.green(`npm install -g npm@${plan.notice}`)}`);
    notice("");
  }
}

/** pnpm's `Progress:` counters. */
export interface Progress {
  resolved: number;
  reused: number;
  downloaded: number;
  added: number;
}

/** `Progress: resolved 812, reused 790, downloaded 22, added 812, done`. */
export function progressLine(p: Progress, done: boolean): string {
  return `Progress: resolved ${p.resolved}, reused ${p.reused}, downloaded ${p.downloaded}, added ${p.added}${
    done ? ", done" : ""
  }`;
}

/** pnpm's boxed warning, sized to its text as boxen draws it. */
export function warningBox(lines: readonly string[]): string[] {
  const inner = Math.max(...lines.map((l) => visibleWidth(l))) + 6;
  const title = " Warning ";
  return [
    `╭${title}${"─".repeat(inner - title.length)}╮`,
    `│${" ".repeat(inner)}│`,
    ...lines.map((l) => `│   ${l}${" ".repeat(inner - 6 - visibleWidth(l))}   │`),
    `│${" ".repeat(inner)}│`,
    `╰${"─".repeat(inner)}╯`,
  ];
}

async function runPnpm(ctx: Context, plan: InstallPlan): Promise<void> {
  const { out, rng, style } = ctx;
  const start = ctx.clock.now();
  const n = plan.packages;
  const badge = style.enabled ? style.bgYellow(style.black(" WARN ")) : " WARN ";
  const p: Progress = { resolved: 0, reused: 0, downloaded: 0, added: 0 };
  const fetchTotal = plan.downloaded;
  // Resolution (without an up-to-date lock file) takes a good part of the run.
  const resolveMs = plan.lockfile ? rng.int(150, 500) : plan.durationMs * rng.float(0.35, 0.55);
  const total = plan.durationMs;
  let lastShown = -1;
  let lastText = "";
  const show = (done: boolean) => {
    const text = progressLine(p, done);
    if (ctx.term.isTTY) {
      out.live([text]);
      return;
    }
    // The append-only reporter prints a changed line at most once a second.
    const now = ctx.clock.now() - start;
    if (text !== lastText && (done || now - lastShown >= 1000 || lastShown < 0)) {
      out.line(text);
      lastShown = now;
      lastText = text;
    }
  };
  if (plan.lockfile) out.line("Lockfile is up to date, resolution step is skipped");
  const direct = new Set(
    [...plan.profile.dependencies, ...plan.profile.devDependencies].map(([name, v]) =>
      `${name}@${v}`
    ),
  );
  const directWarnings = plan.lockfile
    ? []
    : plan.deprecations.filter((d, i, all) =>
      direct.has(d.spec) && all.findIndex((e) => e.spec === d.spec) === i
    );
  const subWarnings = plan.lockfile ? [] : [
    ...new Set(plan.deprecations.filter((d) => !direct.has(d.spec)).map((d) => d.spec)),
  ].sort();
  const warnAt = directWarnings.map(() => rng.float(0.1, 0.6) * resolveMs).sort((a, b) => a - b);
  let packagesShown = false;
  const announce = () => {
    if (packagesShown) return;
    packagesShown = true;
    if (subWarnings.length > 0) {
      out.line(
        `${badge} ${subWarnings.length} deprecated subdependencies found: ${
          subWarnings.join(", ")
        }`,
      );
    }
    out.line(`Packages: ${style.green(`+${n}`)}`);
    out.line(style.green("+".repeat(Math.max(1, Math.min(n, ctx.term.cols)))));
  };
  let warned = 0;
  while (true) {
    const t = ctx.clock.now() - start;
    while (warned < warnAt.length && warnAt[warned]! <= t) {
      const d = directWarnings[warned++]!;
      out.line(`${badge} deprecated ${d.spec}: ${d.message}`);
    }
    if (t >= resolveMs) announce();
    // Resolution finds packages; fetches follow it; linking (added) trails the fetches.
    const rFrac = Math.min(1, t / resolveMs);
    p.resolved = plan.lockfile ? (t < 100 ? 1 : n) : Math.max(1, Math.round(n * easeOut(rFrac)));
    const fetchFrac = Math.min(1, t / (total * 0.85));
    const fetched = Math.min(p.resolved, Math.round(n * easeOut(fetchFrac)));
    p.downloaded = Math.min(fetchTotal, Math.round(fetched * (fetchTotal / n)));
    p.reused = Math.min(n - fetchTotal, fetched - Math.round(fetched * (fetchTotal / n)));
    const addFrac = t <= resolveMs ? 0 : Math.min(1, (t - resolveMs) / (total - resolveMs));
    p.added = Math.min(p.reused + p.downloaded, Math.round(n * addFrac));
    if (total - t < 1) break;
    show(false);
    await ctx.sleep(Math.min(ctx.term.isTTY ? rng.int(80, 220) : rng.int(200, 400), total - t));
  }
  p.resolved = n;
  p.reused = n - fetchTotal;
  p.downloaded = fetchTotal;
  p.added = n;
  announce();
  if (ctx.term.isTTY) out.live([]);
  out.line(progressLine(p, true));
  const section = (title: string, deps: string[][]) => {
    if (deps.length === 0) return;
    out.line();
    out.line(style.cyan(`${title}:`));
    for (const [name, version] of [...deps].sort((a, b) => (a[0]! < b[0]! ? -1 : 1))) {
      out.line(`${style.green("+")} ${name} ${style.gray(version!)}`);
    }
  };
  section("dependencies", plan.profile.dependencies);
  section("devDependencies", plan.profile.devDependencies);
  if (plan.profile.builds.length > 0) {
    out.line();
    const box = warningBox([
      `Ignored build scripts: ${plan.profile.builds.join(", ")}.`,
      'Run "pnpm approve-builds" to pick which dependencies should be allowed to run scripts.',
    ]);
    for (const l of box) out.line(style.yellow(l));
  }
  out.line();
  out.line(`Done in ${pnpmElapsed(ctx.clock.now() - start)} using pnpm v${plan.pnpmVersion}`);
}

function easeOut(x: number): number {
  return 1 - (1 - x) * (1 - x);
}

async function run(ctx: Context): Promise<void> {
  const plan = planInstall(ctx.rng);
  if (plan.tool === "pnpm") await runPnpm(ctx, plan);
  else await runNpm(ctx, plan);
}

/** `npm ci` / `npm install` (or `pnpm install`) of one project. */
export const npm: Module = {
  name: "npm",
  signature: "npm install",
  about: "Install a Node project's dependencies with npm (or pnpm)",
  maxDurationMs: 60_000,
  run,
};
