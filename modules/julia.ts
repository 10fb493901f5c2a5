/**
 * `julia`: the Julia 1.12 REPL banner, then `pkg> add …` in Pkg mode: registry
 * update, resolve, `Installed Name ──── vX` lines with artifact downloads, the
 * Project/Manifest diffs, and parallel precompilation. In a terminal the
 * precompile step is Julia's live bar and spinner list, ending with
 * `Precompiling packages finished.`; in a pipe it is the per-package timing
 * lines Julia prints when not on a TTY (and no download bar either: Pkg draws
 * bars only on a terminal). Both end with the summary line.
 *
 * One world per run: the packages added bring their real dependency closure,
 * with the real UUIDs, versions, dependencies and extensions recorded in
 * data/julia.json (taken from real manifests); precompilation follows that
 * graph (a package after its dependencies) with real-scale times for heavy
 * packages, so `add Plots` takes a minute or two as it does.
 *
 * @module
 */

import data from "../data/julia.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

const [VERSION, DATE] = data.version as [string, string];
const SECONDS = data.precompileSeconds as unknown as Record<string, [number, number]>;
const ENV = `~/.julia/environments/v${VERSION.split(".").slice(0, 2).join(".")}`;
const PROMPT = `(@v${VERSION.split(".").slice(0, 2).join(".")}) pkg> `;

/** A package as Pkg shows it. */
export interface Pkg {
  name: string;
  /** The full UUID from the General registry (Pkg shows its first 8 digits). */
  uuid: string;
  version: string;
  jll: boolean;
  stdlib: boolean;
  /** Names of the packages it depends on. */
  deps: string[];
  /** Its package extensions: name → the packages that trigger it. */
  extensions: Record<string, string[]>;
}

type RegistryEntry = [string, string, string[], Record<string, string[]>?];

/** Every registry package the module can print, with its real UUID, version and dependencies. */
export const REGISTRY: ReadonlyMap<string, Pkg> = new Map(
  Object.entries(data.registry as unknown as Record<string, RegistryEntry>).map(([name, entry]) => {
    const [uuid, version, deps, extensions] = entry;
    return [name, {
      name,
      uuid,
      version,
      jll: name.endsWith("_jll"),
      stdlib: false,
      deps,
      extensions: extensions ?? {},
    }];
  }),
);

/** The standard libraries of this Julia version. */
export const STDLIBS: ReadonlyMap<string, Pkg> = new Map(
  Object.entries(data.stdlibs as unknown as Record<string, [string, string]>).map((
    [name, [uuid, version]],
  ) => [
    name,
    { name, uuid, version, jll: false, stdlib: true, deps: [], extensions: {} },
  ]),
);

/** A target list and everything it depends on (registry packages and standard libraries). */
export function closure(targets: readonly string[]): Pkg[] {
  const out = new Map<string, Pkg>();
  const visit = (name: string) => {
    const p = REGISTRY.get(name) ?? STDLIBS.get(name);
    if (!p || out.has(name)) return;
    out.set(name, p);
    for (const d of p.deps) visit(d);
  };
  for (const t of targets) visit(t);
  // Pkg lists names in Julia's string order (code points: `Zstd_jll` before `libpng_jll`).
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The REPL banner, coloured as Julia does (bold blue, red, green, magenta dots). */
export function banner(style: Style): string[] {
  const [d1, d2, d3, d4] = [style.blue, style.red, style.green, style.magenta].map((c) =>
    style.combine(style.bold, c)
  ) as [(s: string) => string, (s: string) => string, (s: string) => string, (s: string) => string];
  return [
    `               ${d3("_")}`,
    `   ${d1("_")}       _ ${d2("_")}${d3("(_)")}${
      d4("_")
    }     |  Documentation: https://docs.julialang.org`,
    `  ${d1("(_)")}     | ${d2("(_)")} ${d4("(_)")}    |`,
    `   _ _   _| |_  __ _   |  Type "?" for help, "]?" for Pkg help.`,
    "  | | | | | | |/ _` |  |",
    `  | | |_| | | | (_| |  |  Version ${VERSION} (${DATE})`,
    ` _/ |\\__'_|_|_|\\__'_|  |  Official https://julialang.org release`,
    "|__/                   |",
    "",
  ];
}

/** Pkg's action header: the verb right-aligned in 12 columns, bold green. */
export function pkgStyle(style: Style, verb: string, text: string): string {
  return `${style.combine(style.bold, style.green)(verb.padStart(12))} ${text}`;
}

/** A MiniProgressBar line: `Header words ━━━━╸━━━━ 12/54`, at most 40 cells wide. */
export function progressBar(
  style: Style,
  header: string,
  done: number,
  total: number,
  cols: number,
): string {
  const text = `${done}/${total}`;
  const width = Math.max(0, Math.min(cols - header.length - text.length - 10, 40));
  const filled = total === 0 ? 0 : (width * done) / total;
  const full = Math.floor(filled);
  let bar = style.green("━".repeat(full));
  if (full < width) {
    bar += filled - full > 0.5 ? style.green("╸") : style.gray("╺");
    bar += style.gray("━".repeat(width - full - 1));
  }
  const [first, ...rest] = header.split(" ");
  return `${style.combine(style.bold, style.green)(first as string)} ${
    rest.join(" ")
  } ${bar} ${text}`;
}

/** A diff line: `  [91a5bcdd] + Plots v1.40.19`. */
function diffLine(style: Style, p: Pkg): string {
  return `  ${style.gray(`[${p.uuid.slice(0, 8)}]`)} ${
    style.brightGreen(`+ ${p.name} v${p.version}`)
  }`;
}

export const julia: Module = {
  name: "julia",
  signature: "julia --project=@. -q",
  about:
    "Julia 1.12 REPL: pkg> add with registry update, installs, artifacts and parallel precompilation",
  // Adding Plots or a SciML stack precompiles for minutes.
  maxDurationMs: 8 * 60_000,
  async run(ctx: Context): Promise<void> {
    const { out, rng, style } = ctx;
    const wait = (median: number, sigma = 0.4) =>
      ctx.sleep(Math.min(median * 2.5, Math.max(median / 3, rng.logNormal(median, sigma))));
    for (const line of banner(style)) out.line(line);
    await wait(1500);
    const targets = rng.pick(data.targets);
    out.write(style.combine(style.bold, style.blue)(PROMPT));
    await wait(900);
    for (const ch of `add ${targets.join(" ")}`) {
      out.write(ch);
      await ctx.sleep(rng.float(40, 160));
    }
    out.line();
    await wait(400);
    out.line(pkgStyle(style, "Updating", "registry at `~/.julia/registries/General.toml`"));
    await wait(2500);
    out.line(pkgStyle(style, "Resolving", "package versions..."));
    await wait(1800);

    // One world: the targets' real dependency closure; some of it may already be in the depot.
    const fresh = closure(targets);
    const added = targets.map((t) => REGISTRY.get(t)!);
    const cached = rng.chance(0.4) ? rng.float(0, 0.5) : 0;
    const downloads = rng.shuffle(
      fresh.filter((p) => !p.stdlib && (targets.includes(p.name) || !rng.chance(cached))),
    );
    const maxName = Math.max(...downloads.map((p) => p.name.length));
    const artifacts: string[] = [];
    for (const [i, p] of downloads.entries()) {
      out.line(
        pkgStyle(style, "Installed", `${(p.name + " ").padEnd(maxName + 2, "─")} v${p.version}`),
      );
      if (p.jll) artifacts.push(p.name.replace(/_jll$/, ""));
      if (artifacts.length > 0 && rng.chance(0.3)) {
        out.line(pkgStyle(style, "Downloaded", `artifact: ${artifacts.shift()}`));
      }
      // Pkg draws its MiniProgressBar only on a terminal.
      if (ctx.term.isTTY) {
        out.live([
          ` ${progressBar(style, "Downloading packages", i + 1, downloads.length, ctx.term.cols)}`,
        ]);
      }
      await wait(p.jll ? 400 : 120, 0.7);
    }
    if (ctx.term.isTTY) out.live([]);
    for (const a of artifacts) {
      out.line(pkgStyle(style, "Downloaded", `artifact: ${a}`));
      await wait(600, 0.6);
    }
    out.line(pkgStyle(style, "Updating", `\`${ENV}/Project.toml\``));
    for (const p of [...added].sort((a, b) => a.name.localeCompare(b.name))) {
      out.line(diffLine(style, p));
    }
    out.line(pkgStyle(style, "Updating", `\`${ENV}/Manifest.toml\``));
    for (const p of fresh) out.line(diffLine(style, p));
    await wait(800);

    // The whole environment: a standard library in it can trigger an extension.
    await precompile(ctx, fresh, added, validCaches(fresh, downloads));
    out.line();
    out.write(style.combine(style.bold, style.blue)(PROMPT));
    await wait(1200);
    out.line();
  },
};

/** One precompile job: a package or an extension (`Parent → ParentExt`). */
export interface PrecompileJob {
  name: string;
  /** Jobs that must finish first. */
  after: string[];
  ms: number;
  start: number;
  end: number;
}

/**
 * Plans parallel precompilation as Julia runs it: each package after its dependencies,
 * each extension after its parent and triggers, at most `workers` at once, every job
 * taking its real time (heavy packages tens of seconds). `pkgs` is the environment;
 * packages in `fresh` already have valid caches and are not compiled again, nor is an
 * extension whose parent and triggers all have them. Returns the jobs and how many
 * packages and extensions were already precompiled.
 */
export function planPrecompile(
  rng: Rng,
  pkgs: readonly Pkg[],
  workers: number,
  fresh: ReadonlySet<string> = new Set(),
): { jobs: PrecompileJob[]; already: number } {
  const names = new Set(pkgs.map((p) => p.name));
  const compiled = (n: string) => names.has(n) && REGISTRY.has(n) && !fresh.has(n);
  const jobs: PrecompileJob[] = [];
  let already = 0;
  const seconds = (name: string, jll: boolean) => {
    const range = SECONDS[name];
    if (range) return rng.float(range[0], range[1]);
    return jll ? rng.float(0.3, 1.5) : capped(rng, rng.logNormal(0.6, 0.8), 4);
  };
  for (const p of pkgs) {
    if (p.stdlib) continue;
    if (fresh.has(p.name)) already++;
    else {
      jobs.push({
        name: p.name,
        after: p.deps.filter(compiled),
        ms: seconds(p.name, p.jll) * 1000,
        start: 0,
        end: 0,
      });
    }
    for (const [ext, triggers] of Object.entries(p.extensions)) {
      if (!triggers.every((t) => names.has(t))) continue;
      const after = [p.name, ...triggers].filter(compiled);
      if (after.length === 0) {
        already++;
        continue;
      }
      jobs.push({
        name: `${p.name} → ${ext}`,
        after,
        ms: capped(rng, rng.logNormal(0.5, 0.7), 3) * 1000,
        start: 0,
        end: 0,
      });
    }
  }
  const done = new Map<string, number>();
  const free = new Array<number>(workers).fill(0);
  const pending = [...jobs];
  while (pending.length > 0) {
    const ready = pending.filter((j) => j.after.every((a) => done.has(a)));
    // The earliest-startable ready job goes on the earliest free worker.
    const slot = free.indexOf(Math.min(...free));
    let best = ready[0]!;
    let bestAt = Infinity;
    for (const j of ready) {
      const at = Math.max(free[slot]!, ...j.after.map((a) => done.get(a)!));
      if (at < bestAt) [best, bestAt] = [j, at];
    }
    best.start = bestAt + rng.int(1, 30);
    best.end = best.start + best.ms;
    free[slot] = best.end;
    done.set(best.name, best.end);
    pending.splice(pending.indexOf(best), 1);
  }
  return { jobs, already };
}

/**
 * The packages already in the depot (not downloaded now) whose precompile caches are
 * still valid: none of their dependencies, however deep, was downloaded now. The
 * environment is new (its Manifest diff adds everything), so these are all Julia can
 * count as already precompiled.
 */
export function validCaches(env: readonly Pkg[], downloaded: readonly Pkg[]): Set<string> {
  const got = new Set(downloaded.map((p) => p.name));
  const valid = new Set(env.filter((p) => !p.stdlib && !got.has(p.name)).map((p) => p.name));
  for (let changed = true; changed;) {
    changed = false;
    for (const name of valid) {
      if (REGISTRY.get(name)!.deps.some((d) => REGISTRY.has(d) && !valid.has(d))) {
        valid.delete(name);
        changed = true;
      }
    }
  }
  return valid;
}

/** Keeps a light package's time under `cap` seconds without piling values up at the cap. */
function capped(rng: Rng, seconds: number, cap: number): number {
  return seconds > cap ? cap * rng.float(0.6, 1) : Math.max(0.05, seconds);
}

/**
 * Parallel precompilation of the environment's packages and the extensions they
 * enable, except those whose caches are still valid (`fresh`).
 */
async function precompile(
  ctx: Context,
  pkgs: Pkg[],
  added: Pkg[],
  fresh: ReadonlySet<string>,
): Promise<void> {
  const { out, rng, style } = ctx;
  const direct = new Set(added.map((p) => p.name));
  const { jobs, already } = planPrecompile(rng, pkgs, rng.pick([8, 8, 12, 16]), fresh);
  const label = (n: string) => (direct.has(n) ? n : style.gray(n));
  const t0 = ctx.clock.now();
  const fancy = ctx.term.isTTY;
  if (!fancy) out.line(pkgStyle(style, "Precompiling", "packages...").trimStart());
  const finished = [...jobs].sort((a, b) => a.end - b.end);
  let now = 0;
  let tick = 0;
  for (const [k, j] of finished.entries()) {
    while (fancy && now + 100 < j.end) {
      now += 100;
      tick++;
      drawLive(ctx, jobs, now, k, tick, label);
      await ctx.sleep(100);
    }
    await ctx.sleep(Math.max(0, j.end - now));
    now = Math.max(now, j.end);
    if (!fancy) {
      const ms = `${(j.end - j.start).toFixed(1)} ms`.padStart(12);
      out.line(`${ms}${style.green("  ✓ ")}${label(j.name)}`);
    }
  }
  if (fancy) {
    out.live([]);
    out.line(pkgStyle(style, "Precompiling", "packages finished.").trimStart());
  }
  const seconds = Math.round((ctx.clock.now() - t0) / 1000);
  const tail = already > 0 ? `. ${already} already precompiled.` : "";
  out.line(`  ${jobs.length} dependencies successfully precompiled in ${seconds} seconds${tail}`);
}

function drawLive(
  ctx: Context,
  jobs: { name: string; start: number; end: number }[],
  now: number,
  done: number,
  tick: number,
  label: (n: string) => string,
): void {
  const { style } = ctx;
  const spin = ["◐", "◓", "◑", "◒"];
  const shown = jobs
    .filter((j) => j.start <= now && j.end + 1000 > now)
    .slice(-Math.max(2, ctx.term.rows - 3))
    .map((j) =>
      j.end <= now
        ? `  ${style.green("✓")} ${label(j.name)}`
        : `  ${spin[(tick + j.name.charCodeAt(0)) % 4]} ${label(j.name)}`
    );
  ctx.out.live([
    progressBar(style, "Precompiling packages ", done, jobs.length, ctx.term.cols),
    ...shown,
  ]);
}
