/**
 * uv: `uv sync` in a Python project, as uv 0.9 prints it. The interpreter and
 * virtual environment lines, a resolution (from the lock file in a few
 * milliseconds, or a fresh one behind a spinner), the prepare phase with its
 * spinner and concurrent download bars (largest at the bottom), a quick
 * `Installing wheels` bar, the dim summary lines and the sorted change list.
 *
 * Without a terminal uv draws no bars; it announces downloads over 1 MiB with
 * `Downloading torch (845.9MiB)` / ` Downloaded torch`, and so does this module.
 *
 * @module
 */

import data from "../data/pypi_packages.json" with { type: "json" };
import { padEndVisible, visibleWidth } from "../core/ansi.ts";
import { clamp, formatBytes } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** A package as stored in the data file. */
interface PackageData {
  version: string;
  size: number;
  deps: string[];
  previous?: string;
}

const PACKAGES = data.packages as Record<string, PackageData>;
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const MIB = 1024 * 1024;
/** The prepare phase never takes longer than this, however slow the link. */
const MAX_PREPARE_MS = 150_000;

/** One line of the final change list. */
export interface Change {
  /** `+` installed, `-` removed. */
  sign: "+" | "-";
  name: string;
  version: string;
  /** Shown after the version, e.g. `(from file:///home/me/app)`. */
  source?: string;
}

/** A wheel (or the local project) that has to be fetched or built. */
export interface Download {
  name: string;
  size: number;
  /** Bytes received so far. */
  done: number;
  /** Pretend ms before the first byte. */
  latency: number;
}

/** Everything one `uv sync` run will do, drawn up front. */
export interface SyncPlan {
  /** `3.13.7`. */
  python: string;
  /** Path of a system interpreter, or undefined for a uv-managed one. */
  interpreter: string | undefined;
  /** Whether `.venv` is created (a fresh sync) or already there (an upgrade). */
  createVenv: boolean;
  /** Whether resolution runs from `uv.lock` (a few ms) or from scratch. */
  fromLock: boolean;
  /** The project itself. */
  project: { name: string; version: string; url: string; build: boolean };
  /** Packages in the resolution (including platform-only ones and the project). */
  resolved: number;
  /** Names and versions the resolver walks through (for the spinner). */
  walk: string[];
  /** What has to be downloaded. */
  downloads: Download[];
  /** Wheels to install. */
  installs: { name: string; version: string; size: number }[];
  /** Packages removed (upgrades). */
  removals: number;
  /** The printed change list, sorted. */
  changes: Change[];
  /** Whether hardlinking fails and uv copies files. */
  copyFallback: boolean;
}

/** Draws the plan of one sync. */
export function planSync(rng: Rng): SyncPlan {
  const profile = rng.pick(data.profiles);
  const top = [
    ...profile.top.filter(() => rng.chance(0.9)),
    ...rng.sample(profile.optional, rng.int(2, 8)),
    ...(rng.chance(0.85) ? rng.sample(profile.dev, rng.int(2, 6)) : []),
  ];
  const closure = closeOver(top);
  const projectName = rng.pick(data.projects);
  const user = rng.pick(data.users);
  const project = {
    name: projectName,
    version: rng.pick(["0.1.0", "0.1.0", "0.2.0", "0.3.1", "1.0.0", "1.4.2", "2026.3.0"]),
    url: `file:///home/${user}/${rng.pick(["src", "code", "work", "projects"])}/${projectName}`,
    build: false,
  };
  const python = rng.pick(data.pythons);
  const minor = python.split(".").slice(0, 2).join(".");
  const interpreter = rng.chance(0.45)
    ? rng.pick([`/usr/bin/python${minor}`, `/usr/local/bin/python${minor}`])
    : undefined;
  const resolved = closure.length + 1 + rng.int(0, 5);
  const fresh = rng.chance(0.7);
  const walk = rng.shuffle(closure).map((n) => `${n}==${PACKAGES[n]!.version}`);
  if (fresh) {
    const cachedShare = rng.chance(0.5) ? rng.float(0, 0.1) : rng.float(0.3, 0.7);
    project.build = rng.chance(0.6);
    const cached = cachedSet(closure, () => rng.chance(cachedShare));
    const downloads: Download[] = rng.shuffle(closure)
      .filter((n) => !cached.has(n))
      .map((n) => newDownload(rng, n, PACKAGES[n]!.size));
    if (project.build) downloads.unshift(newDownload(rng, project.name, 0));
    if (downloads.length === 0) {
      downloads.push(newDownload(rng, closure[0]!, PACKAGES[closure[0]!]!.size));
    }
    const installs = closure.map((n) => ({
      name: n,
      version: PACKAGES[n]!.version,
      size: PACKAGES[n]!.size,
    }));
    installs.push({ name: project.name, version: project.version, size: 4096 });
    const changes: Change[] = installs.map((i) => ({
      sign: "+",
      name: i.name,
      version: i.version,
      ...(i.name === project.name ? { source: `(from ${project.url})` } : {}),
    }));
    return {
      python,
      interpreter,
      createVenv: true,
      fromLock: rng.chance(0.75),
      project,
      resolved,
      walk,
      downloads,
      installs,
      removals: 0,
      changes: sortChanges(changes),
      copyFallback: rng.chance(0.1),
    };
  }
  // An existing environment catching up with an updated lock file: a few upgrades,
  // at least one of them a sizeable wheel so there is something to wait for.
  const upgradable = closure.filter((n) => PACKAGES[n]!.previous !== undefined);
  const big = upgradable.filter((n) => PACKAGES[n]!.size >= 2 * MIB);
  const pool = big.length > 0
    ? big
    : Object.keys(PACKAGES).filter((n) => PACKAGES[n]!.size >= 8 * MIB);
  const first = rng.pick(pool);
  const upgrades = [first, ...rng.sample(upgradable.filter((n) => n !== first), rng.int(1, 7))];
  const changes: Change[] = [];
  const installs = upgrades.map((n) => ({
    name: n,
    version: PACKAGES[n]!.version,
    size: PACKAGES[n]!.size,
  }));
  for (const n of upgrades) {
    changes.push({ sign: "-", name: n, version: rng.pick(previousVersions(n)) });
    changes.push({ sign: "+", name: n, version: PACKAGES[n]!.version });
  }
  return {
    python,
    interpreter,
    createVenv: false,
    fromLock: true,
    project,
    resolved: Math.max(resolved, upgrades.length + 1),
    walk,
    downloads: upgrades.map((n) => newDownload(rng, n, PACKAGES[n]!.size)),
    installs,
    removals: upgrades.length,
    changes: sortChanges(changes),
    copyFallback: false,
  };
}

/**
 * Releases an environment may hold before the locked one: the release the data
 * names, and for semantic versions the releases just before the current one
 * (the patch before it, or with a zero patch one or two minors back, or the
 * previous major), which exist because those series number their releases one
 * after another. Calendar versions (certifi's 2025.11.12) keep the named one.
 */
export function previousVersions(name: string): string[] {
  const data = PACKAGES[name]!;
  const out = data.previous ? [data.previous] : [];
  const parts = data.version.split(".").map(Number);
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !Number.isInteger(p))) return out;
  if (parts[0]! >= 2000) return out;
  let i = parts.length - 1;
  while (i > 0 && parts[i] === 0) i--;
  const steps = i === parts.length - 1 ? 1 : i === 0 ? 1 : 2;
  for (let k = 1; k <= Math.min(steps, parts[i]! - (i === 0 ? 1 : 0)); k++) {
    const older = parts.slice();
    older[i] = parts[i]! - k;
    const text = older.join(".");
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

function newDownload(rng: Rng, name: string, size: number): Download {
  return { name, size, done: 0, latency: rng.int(30, 350) };
}

/**
 * Which of `names` are already in uv's cache. A wheel got there when it was
 * installed before, together with everything it needs, so the cache holds a
 * package only if it holds all its dependencies: torch is never cached while its
 * CUDA wheels download. `drawn` says whether a package was cached by itself.
 */
export function cachedSet(names: readonly string[], drawn: (name: string) => boolean): Set<string> {
  const inScope = new Set(names);
  const cached = new Set(names.filter((n) => drawn(n)));
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of cached) {
      if (PACKAGES[n]!.deps.some((d) => inScope.has(d) && !cached.has(d))) {
        cached.delete(n);
        changed = true;
      }
    }
  }
  return cached;
}

/** The dependency closure of `roots`, alphabetical. */
export function closeOver(roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name) || !PACKAGES[name]) continue;
    seen.add(name);
    stack.push(...PACKAGES[name]!.deps);
  }
  return [...seen].sort();
}

function sortChanges(changes: Change[]): Change[] {
  return changes.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.sign === b.sign ? 0 : a.sign === "-" ? -1 : 1
  );
}

/** uv's elapsed-time format: `45ms`, `1.23s`, `1m 05s`. */
export function uvElapsed(ms: number): string {
  const total = Math.max(0, ms);
  const secs = Math.floor(total / 1000);
  if (secs >= 60) return `${Math.floor(secs / 60)}m ${String(secs % 60).padStart(2, "0")}s`;
  if (secs > 0) return `${secs}.${String(Math.floor((total % 1000) / 10)).padStart(2, "0")}s`;
  return `${Math.floor(total)}ms`;
}

/** indicatif's binary bytes: `412.00 MiB`, `512 B`. */
export function binaryBytes(n: number): string {
  return formatBytes(n, { decimals: 2, space: " " });
}

/** uv's human-readable bytes as in `(845.9MiB)`. */
export function humanBytes(n: number): string {
  return formatBytes(n);
}

/** A summary line such as `Resolved 128 packages in 12ms` (dim, count bold). */
export function summaryLine(style: Style, verb: string, count: number, ms: number): string {
  const noun = `${count} package${count === 1 ? "" : "s"}`;
  return style.dim(`${verb} ${style.bold(noun)} ${style.dim(`in ${uvElapsed(ms)}`)}`);
}

/** One change-list line: ` + anyio==4.11.0`. */
export function changeLine(style: Style, c: Change): string {
  const sign = c.sign === "+" ? style.green("+") : style.red("-");
  return ` ${sign} ${style.bold(c.name)}${style.dim(`==${c.version}`)}${
    c.source ? ` ${style.dim(c.source)}` : ""
  }`;
}

/** One download bar: `torch      ------------------------------ 412.00 MiB/845.91 MiB`. */
export function downloadBar(style: Style, d: Download, nameWidth: number, cols: number): string {
  const sizes = `${binaryBytes(d.done).padStart(7)}/${binaryBytes(d.size).padEnd(7)}`;
  const width = clamp(cols - nameWidth - sizes.length - 2, 6, 30);
  const filled = d.size > 0 ? Math.floor((width * d.done) / d.size) : 0;
  const bar = style.green("-".repeat(filled)) + style.dim("-".repeat(width - filled));
  return `${style.dim(padEndVisible(d.name, nameWidth))} ${bar} ${sizes}`;
}

/** The `Installing wheels` bar: `████████░░░░ [12/97] anyio==4.11.0`. */
export function installBar(style: Style, done: number, total: number, message: string): string {
  const width = 20;
  const filled = total > 0 ? Math.floor((width * done) / total) : 0;
  return `${"█".repeat(filled)}${"░".repeat(width - filled)} [${done}/${total}] ${
    style.dim(message)
  }`;
}

async function resolve(ctx: Context, plan: SyncPlan): Promise<void> {
  const { out, rng, style } = ctx;
  const start = ctx.clock.now();
  if (plan.fromLock) {
    await ctx.sleep(rng.int(2, 18));
  } else {
    let i = 0;
    // A fresh resolution walks the graph behind a spinner for a few seconds at most.
    while (i < plan.walk.length && ctx.clock.now() - start < 6_000) {
      if (ctx.term.isTTY) {
        const frame = SPINNER[Math.floor((ctx.clock.now() - start) / 200) % SPINNER.length]!;
        out.live([`${style.white(frame)} ${style.dim(plan.walk[i]!)}`]);
      }
      i += rng.int(1, 4);
      await ctx.sleep(rng.chance(0.08) ? rng.int(250, 900) : rng.int(15, 90));
    }
    out.live([]);
  }
  out.line(summaryLine(style, "Resolved", plan.resolved, ctx.clock.now() - start));
}

/** Downloads (and builds) what is not in the cache, with the live bars. */
async function prepare(ctx: Context, plan: SyncPlan): Promise<void> {
  const { out, rng, style } = ctx;
  const start = ctx.clock.now();
  const queue = plan.downloads.slice();
  const total = queue.length;
  const bytes = queue.reduce((a, d) => a + d.size, 0);
  // The link, not a phase length: a few wheels take well under a second to two,
  // torch and its CUDA wheels minutes on a slow line (kept within the module's bound).
  const link = clamp(rng.logNormal(45, 0.6), 6, 160) * MIB / 1000; // bytes per ms
  const bandwidth = Math.max(link, bytes / MAX_PREPARE_MS);
  const slots = 50; // uv's default UV_CONCURRENT_DOWNLOADS
  const active: { d: Download; started: number }[] = [];
  let prepared = 0;
  let building = plan.project.build && queue[0]?.name === plan.project.name
    ? queue.shift()
    : undefined;
  const buildUntil = building ? start + rng.int(300, 2000) : 0;
  const header = `${plan.project.name} @ ${plan.project.url}`;
  while (prepared < total) {
    while (active.length < slots && queue.length > 0) {
      const d = queue.shift()!;
      active.push({ d, started: ctx.clock.now() });
      if (!ctx.term.isTTY && d.size >= MIB) {
        out.line(
          `${style.bold(style.cyan("Downloading"))} ${d.name} ${
            style.dim(`(${humanBytes(d.size)})`)
          }`,
        );
      }
    }
    const tick = rng.chance(0.1) ? rng.int(200, 500) : rng.int(60, 140);
    const now = ctx.clock.now();
    const flowing = active.filter((a) => now - a.started >= a.d.latency);
    // The link's bandwidth for this tick, split unevenly between the flowing downloads.
    const weights = flowing.map(() => rng.float(0.6, 1.4));
    const sum = weights.reduce((x, y) => x + y, 0);
    flowing.forEach((a, k) => {
      a.d.done = Math.min(a.d.size, a.d.done + (bandwidth * tick * weights[k]!) / sum);
    });
    for (let i = active.length - 1; i >= 0; i--) {
      const a = active[i]!;
      if (a.d.done >= a.d.size && now - a.started >= a.d.latency) {
        active.splice(i, 1);
        prepared++;
        if (!ctx.term.isTTY && a.d.size >= MIB) {
          out.line(` ${style.bold(style.green("Downloaded"))} ${a.d.name}`);
        }
      }
    }
    if (building && now >= buildUntil) {
      out.line(`   ${style.bold(style.green("Built"))} ${header}`);
      building = undefined;
      prepared++;
    }
    if (ctx.term.isTTY) {
      const bars = active.map((a) => a.d);
      out.live(prepareView(ctx, bars, prepared, total, building ? header : undefined, now - start));
    }
    await ctx.sleep(tick);
  }
  out.live([]);
  out.line(summaryLine(style, "Prepared", total, ctx.clock.now() - start));
}

function prepareView(
  ctx: Context,
  active: Download[],
  prepared: number,
  total: number,
  building: string | undefined,
  elapsed: number,
): string[] {
  const { style } = ctx;
  const lines: string[] = [];
  if (building) lines.push(`${style.bold(style.cyan("Building"))} ${building}`);
  const frame = SPINNER[Math.floor(elapsed / 200) % SPINNER.length]!;
  lines.push(`${style.white(frame)} ${style.dim("Preparing packages...")} (${prepared}/${total})`);
  const room = Math.max(0, Math.min(12, ctx.term.rows - 2 - lines.length));
  const bars = active.filter((d) => d.size > 0).sort((a, b) => a.size - b.size).slice(-room);
  const nameWidth = Math.max(10, ...bars.map((d) => visibleWidth(d.name)));
  for (const d of bars) lines.push(downloadBar(style, d, nameWidth, ctx.term.cols));
  return lines;
}

async function install(ctx: Context, plan: SyncPlan): Promise<void> {
  const { out, rng, style } = ctx;
  if (plan.copyFallback) {
    out.line(
      `${style.bold(style.yellow("warning"))}${style.bold(":")} ${
        style.bold(
          "Failed to hardlink files; falling back to full copy. This may lead to degraded performance.",
        )
      }`,
    );
    out.line(
      style.bold(
        "         If the cache and target directories are on different filesystems, hardlinking may not be supported.",
      ),
    );
    out.line(
      style.bold(
        "         If this is intentional, set `export UV_LINK_MODE=copy` or use `--link-mode=copy` to suppress this warning.",
      ),
    );
  }
  const rate = plan.copyFallback ? rng.float(250, 500) : rng.float(1500, 4000); // bytes per µs ≈ MB/s
  const items = rng.shuffle(plan.installs);
  if (plan.removals > 0) {
    const removalStart = ctx.clock.now();
    await ctx.sleep(rng.int(4, 12) + plan.removals * rng.float(1, 4));
    out.line(summaryLine(style, "Uninstalled", plan.removals, ctx.clock.now() - removalStart));
  }
  const installStart = ctx.clock.now();
  let done = 0;
  let owed = rng.int(3, 12);
  for (const item of items) {
    owed += 0.15 + item.size / (rate * 1000);
    done++;
    if (owed >= 40) {
      if (ctx.term.isTTY) {
        out.live([installBar(style, done, items.length, `${item.name}==${item.version}`)]);
      }
      await ctx.sleep(owed);
      owed = 0;
    }
  }
  await ctx.sleep(owed);
  out.live([]);
  out.line(summaryLine(style, "Installed", items.length, ctx.clock.now() - installStart));
}

async function run(ctx: Context): Promise<void> {
  const { out, style } = ctx;
  const plan = planSync(ctx.rng);
  if (plan.createVenv) {
    out.line(
      plan.interpreter
        ? `Using CPython ${style.cyan(plan.python)} interpreter at: ${style.cyan(plan.interpreter)}`
        : `Using CPython ${style.cyan(plan.python)}`,
    );
    out.line(`Creating virtual environment at: ${style.cyan(".venv")}`);
    await ctx.sleep(ctx.rng.int(20, 120));
  }
  await resolve(ctx, plan);
  await prepare(ctx, plan);
  await install(ctx, plan);
  for (const change of plan.changes) out.line(changeLine(style, change));
}

/** `uv sync`: resolve, download, install, list the changes. */
export const uv: Module = {
  name: "uv",
  signature: "uv sync",
  about: "Sync a Python project's virtual environment with uv",
  maxDurationMs: 200_000,
  run,
};
