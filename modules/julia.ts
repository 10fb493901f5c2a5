/**
 * `julia`: the Julia 1.12 REPL banner, then `pkg> add …` in Pkg mode: registry
 * update, resolve, `Installed Name ──── vX` lines with artifact downloads, the
 * Project/Manifest diffs, and parallel precompilation. In a terminal the
 * precompile step is Julia's live bar and spinner list, ending with
 * `Precompiling packages finished.`; in a pipe it is the per-package timing
 * lines Julia prints when not on a TTY. Both end with the summary line.
 *
 * @module
 */

import data from "../data/julia.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

const [VERSION, DATE] = data.version as [string, string];
const ENV = `~/.julia/environments/v${VERSION.split(".").slice(0, 2).join(".")}`;
const PROMPT = `(@v${VERSION.split(".").slice(0, 2).join(".")}) pkg> `;

/** A package as Pkg shows it. */
interface Pkg {
  name: string;
  uuid: string;
  version: string;
  jll: boolean;
  stdlib: boolean;
}

/** A stable 8-hex-digit UUID prefix for a registry package name (FNV-1a). */
export function uuidPrefix(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

const parse = (list: string, jll: boolean): Pkg[] =>
  list.split("|").map((entry) => {
    const [name = "", version = ""] = entry.split(" ");
    return { name, uuid: uuidPrefix(name), version, jll, stdlib: false };
  });
const PACKAGES = parse(data.packages, false);
const JLLS = parse(data.jlls, true);
const STDLIBS: Pkg[] = data.stdlibs.split("|").map((entry) => {
  const [name = "", uuid = "", version = ""] = entry.split(" ");
  return { name, uuid, version, jll: false, stdlib: true };
});

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

/** The dependency set an `add` pulls in. */
function resolve(rng: Rng, targets: string[]): { added: Pkg[]; fresh: Pkg[] } {
  const byName = new Map(PACKAGES.map((p) => [p.name, p]));
  const added = targets.map((t) => byName.get(t) as Pkg);
  const others = rng.sample(PACKAGES.filter((p) => !targets.includes(p.name)), rng.int(12, 60));
  const jlls = targets.some((t) => /Plots|Makie|FFMPEG|GR/.test(t))
    ? rng.sample(JLLS, rng.int(10, JLLS.length))
    : rng.sample(JLLS, rng.int(0, 5));
  const fresh = [...added, ...others, ...jlls, ...rng.sample(STDLIBS, rng.int(4, 14))];
  return { added, fresh: fresh.sort((a, b) => a.name.localeCompare(b.name, "en")) };
}

/** A diff line: `  [91a5bcdd] + Plots v1.40.19`. */
function diffLine(style: Style, p: Pkg): string {
  return `  ${style.gray(`[${p.uuid}]`)} ${style.brightGreen(`+ ${p.name} v${p.version}`)}`;
}

export const julia: Module = {
  name: "julia",
  signature: "julia --project=@. -q",
  about:
    "Julia 1.12 REPL: pkg> add with registry update, installs, artifacts and parallel precompilation",
  maxDurationMs: 240_000,
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

    const { added, fresh } = resolve(rng, targets);
    const downloads = rng.shuffle(fresh.filter((p) => !p.stdlib));
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
      out.live([
        ` ${progressBar(style, "Downloading packages", i + 1, downloads.length, ctx.term.cols)}`,
      ]);
      await wait(p.jll ? 700 : 220, 0.7);
    }
    out.live([]);
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

    await precompile(ctx, fresh.filter((p) => !p.stdlib), added);
    out.line();
    out.write(style.combine(style.bold, style.blue)(PROMPT));
    await wait(1200);
    out.line();
  },
};

/** Parallel precompilation: a worker pool over the new packages and some extensions. */
async function precompile(ctx: Context, pkgs: Pkg[], added: Pkg[]): Promise<void> {
  const { out, rng, style } = ctx;
  const names = [...pkgs.map((p) => p.name), ...rng.sample(data.extensions, rng.int(0, 8))];
  const direct = new Set(added.map((p) => p.name));
  const workers = rng.pick([4, 8, 8, 12, 16]);
  const budget = Math.min(110_000, Math.max(8_000, rng.logNormal(35_000, 0.5)));
  const raw = names.map((n) => (data.heavy.includes(n) ? 8 : 1) * rng.logNormal(1, 0.8));
  const free = new Array<number>(workers).fill(0);
  const jobs = names.map((name, i) => {
    const slot = free.indexOf(Math.min(...free));
    const start = free[slot] as number;
    free[slot] = start + (raw[i] as number);
    return { name, start, end: free[slot] as number };
  });
  const scale = budget / Math.max(...free);
  for (const j of jobs) j.start *= scale, j.end *= scale;
  const already = rng.int(0, 160);
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
  out.live([]);
  const seconds = Math.round((ctx.clock.now() - t0) / 1000);
  if (fancy) out.line(pkgStyle(style, "Precompiling", "packages finished.").trimStart());
  const tail = already > 0 ? `. ${already} already precompiled.` : "";
  out.line(`  ${names.length} dependencies successfully precompiled in ${seconds} seconds${tail}`);
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
