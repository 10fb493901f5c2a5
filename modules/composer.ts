/**
 * composer: `composer install` in a Laravel, Symfony or plain PHP project, as
 * Composer 2.8 prints it. From the lock file (or, without one, an update that
 * locks first), the package operations summary, `Downloading` lines for what is
 * not in the cache, `Installing … : Extracting archive` lines, Symfony's
 * progress bar below them (` 23/31 [====================>-------]  74%`), the
 * autoload dump with the framework's scripts, the funding note and the audit.
 *
 * Without a terminal the bar is not redrawn: as Symfony's ProgressBar does on
 * an undecorated output, a new bar line is printed at every tenth of the way.
 *
 * @module
 */

import data from "../data/composer_packages.json" with { type: "json" };
import { clamp } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** A package from the data file. */
interface PackageData {
  name: string;
  version: string;
  funding: boolean;
  discover?: boolean;
}

/** What happens to one package. */
export interface Operation {
  kind: "install" | "update" | "remove";
  name: string;
  version: string;
  /** The installed version an update replaces. */
  from?: string;
  /** Whether the archive has to be downloaded (not in Composer's cache). */
  download: boolean;
  funding: boolean;
  discover: boolean;
}

/** One `composer install` run, drawn up front. */
export interface InstallPlan {
  kind: "laravel" | "symfony" | "library";
  /** No composer.lock: Composer updates (and locks) first. */
  lockMissing: boolean;
  /** Whether the lock file is older than composer.json (a warning). */
  staleLock: boolean;
  operations: Operation[];
  /** Packages installed after the run (for the funding count). */
  fundingCount: number;
  /** Suggestions the new dependencies add (an update without a lock file reports them). */
  suggestions: number;
}

/** Draws the plan of one install. */
export function planInstall(rng: Rng): InstallPlan {
  const flavour = rng.weighted(data.flavours, [5, 3, 2]);
  const kind = flavour.kind as InstallPlan["kind"];
  let chosen: PackageData[];
  if (kind === "library") {
    chosen = [
      ...rng.sample(flavour.core, rng.int(12, 34)),
      ...rng.sample(flavour.dev, rng.int(8, 30)),
    ];
  } else {
    chosen = [
      ...flavour.core.filter(() => rng.chance(0.97)),
      ...flavour.dev.filter(() => rng.chance(0.95)),
      ...rng.sample(flavour.extra, rng.int(0, 8)),
    ];
  }
  const unique = new Map(chosen.map((p) => [p.name, p]));
  const packages = [...unique.values()].sort(installOrder);
  const lockMissing = rng.chance(0.3);
  const existingVendor = !lockMissing && rng.chance(0.15);
  const coldCache = rng.chance(0.55);
  const operations: Operation[] = [];
  for (const p of packages) {
    const base = {
      name: p.name,
      version: p.version,
      funding: p.funding,
      discover: p.discover === true,
    };
    if (existingVendor) {
      if (rng.chance(0.7)) continue;
      const from = rng.chance(0.85) ? previousVersion(rng, p.version) : undefined;
      operations.push({
        ...base,
        kind: from ? "update" : "install",
        ...(from ? { from } : {}),
        download: rng.chance(0.8),
      });
    } else {
      operations.push({ ...base, kind: "install", download: coldCache || rng.chance(0.15) });
    }
  }
  if (existingVendor && operations.length < 3) {
    for (const p of packages) {
      if (operations.length >= 3) break;
      const from = previousVersion(rng, p.version);
      if (!from || operations.some((o) => o.name === p.name)) continue;
      operations.push({
        name: p.name,
        version: p.version,
        funding: p.funding,
        discover: p.discover === true,
        kind: "update",
        from,
        download: true,
      });
    }
    operations.sort((a, b) => installOrder(a, b));
  }
  if (existingVendor && rng.chance(0.4)) {
    // A package the project dropped, at the last version it had installed.
    const [name, version] = rng.pick(
      [
        ["laravel/ui", "v4.6.1"],
        ["fideloper/proxy", "4.4.2"],
        ["fruitcake/laravel-cors", "v3.0.0"],
        ["swiftmailer/swiftmailer", "v6.3.0"],
        ["symfony/polyfill-php72", "v1.31.0"],
        ["doctrine/cache", "2.2.0"],
        ["sensio/framework-extra-bundle", "v6.2.10"],
      ] as const,
    );
    operations.push({
      kind: "remove",
      name,
      version,
      download: false,
      funding: false,
      discover: false,
    });
  }
  return {
    kind,
    lockMissing,
    staleLock: !lockMissing && rng.chance(0.1),
    operations,
    fundingCount: packages.filter((p) => p.funding).length,
    // Frameworks suggest a lot (Laravel about 70 for 110 packages), small libraries a few.
    suggestions: kind === "library"
      ? rng.int(1, Math.max(1, Math.round(packages.length / 6)))
      : Math.round(packages.length * rng.float(0.45, 0.7)),
  };
}

/** Composer-like order: leaf packages first, frameworks and tools last, alphabetical within. */
function installOrder(a: { name: string }, b: { name: string }): number {
  return level(a.name) - level(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function level(name: string): number {
  if (
    /^psr\/|polyfill|contracts$|^doctrine\/(lexer|inflector|deprecations)$|^webmozart\/|^ralouphie\/|^symfony\/deprecation/
      .test(name)
  ) return 0;
  if (
    /framework|bundle$|^laravel\/(?!serializable|prompts)|^phpunit\/phpunit$|^livewire|^inertiajs|^spatie\/laravel|^nunomaduro\/collision|^pestphp|^api-platform|^larastan/
      .test(name)
  ) return 2;
  return 1;
}

/**
 * An older release of `version` that exists: only its last non-zero component
 * is lowered (releases in a series are numbered one after another: v7.3.4 had
 * v7.3.1, v1.33.0 had v1.30.0), never below 1 for a major, and the components
 * after it stay 0. Undefined for a first release such as 1.0.0.
 */
export function previousVersion(rng: Rng, version: string): string | undefined {
  const prefix = version.startsWith("v") ? "v" : "";
  const parts = version.replace(/^v/, "").split(".").map(Number);
  if (parts.some((p) => !Number.isInteger(p))) return undefined;
  let i = parts.length - 1;
  while (i > 0 && parts[i] === 0) i--;
  const floor = i === 0 ? 1 : 0;
  const room = parts[i]! - floor;
  if (room <= 0) return undefined;
  parts[i] = parts[i]! - rng.int(1, Math.min(i === 0 ? 1 : 3, room));
  return prefix + parts.join(".");
}

/** `Package operations: 112 installs, 0 updates, 0 removals` without colour. */
export function operationsSummary(label: string, ops: readonly Operation[]): string {
  const n = (k: Operation["kind"]) => ops.filter((o) => o.kind === k).length;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return `${label}: ${plural(n("install"), "install")}, ${plural(n("update"), "update")}, ${
    plural(n("remove"), "removal")
  }`;
}

/**
 * Symfony's ProgressBar line, ` 23/31 [====================>-------]  74%`,
 * with the bar shrunk (as Symfony does) when the terminal is narrower.
 */
export function progressBar(current: number, max: number, cols: number): string {
  const step = String(current).padStart(String(max).length);
  const percent = max > 0 ? current / max : 0;
  const pct = String(Math.floor(percent * 100)).padStart(3);
  const fixed = ` ${step}/${max} [] ${pct}%`.length;
  const width = clamp(cols - 1 - fixed, 1, 28);
  const complete = Math.floor(percent * width);
  let bar = "=".repeat(complete);
  if (complete < width) bar += ">" + "-".repeat(width - complete - 1);
  return ` ${step}/${max} [${bar}] ${pct}%`;
}

/** Symfony console's `<warning>` style: black on yellow. */
function warning(style: Style, text: string): string {
  return style.bgYellow(style.black(text));
}

function pkg(style: Style, name: string, version: string): string {
  return `${style.green(name)} (${style.yellow(version)})`;
}

/** Prints progress for `done` of `max`: redrawn in a terminal, every tenth in a log. */
class Bar {
  #ctx: Context;
  #max: number;
  #lastTenth = -1;
  constructor(ctx: Context, max: number) {
    this.#ctx = ctx;
    this.#max = max;
  }
  show(done: number): void {
    const { out, term } = this.#ctx;
    if (term.isTTY) {
      out.live([progressBar(done, this.#max, term.cols)]);
      return;
    }
    const tenth = Math.floor((done * 10) / Math.max(1, this.#max));
    if (tenth !== this.#lastTenth) {
      this.#lastTenth = tenth;
      out.line(progressBar(done, this.#max, 80));
    }
  }
  clear(): void {
    this.#ctx.out.live([]);
  }
}

/**
 * Prints `lines` in bursts while a bar of completions trails behind. In a log
 * the bar lines follow the item lines, as they do when Composer is piped.
 */
async function runBatch(
  ctx: Context,
  lines: readonly string[],
  msPerItem: () => number,
): Promise<void> {
  const { out, rng, term } = ctx;
  const bar = new Bar(ctx, lines.length);
  let printed = 0;
  let done = 0;
  while (done < lines.length) {
    const burst = rng.int(2, 14);
    for (let i = 0; i < burst && printed < lines.length; i++) out.line(lines[printed++]!);
    if (term.isTTY || printed === lines.length) bar.show(done);
    const finishing = Math.min(printed, done + rng.int(1, 6)) - done;
    let wait = 0;
    for (let i = 0; i < finishing; i++) wait += msPerItem();
    await ctx.sleep(wait);
    done += finishing;
  }
  bar.show(done);
  await ctx.sleep(rng.int(30, 200));
  bar.clear();
}

async function lockFirst(ctx: Context, plan: InstallPlan): Promise<void> {
  const { out, rng, style } = ctx;
  out.line(
    warning(
      style,
      "No composer.lock file present. Updating dependencies to latest instead of installing from lock file. See https://getcomposer.org/install for more information.",
    ),
  );
  out.line(style.green("Loading composer repositories with package information"));
  await ctx.sleep(rng.int(800, 4000));
  out.line(style.green("Updating dependencies"));
  await ctx.sleep(rng.int(1500, 9000));
  out.line(style.green(operationsSummary("Lock file operations", plan.operations)));
  // Composer lists lock operations by name, not in install order.
  const byName = plan.operations.slice().sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const op of byName) {
    out.line(`  - Locking ${pkg(style, op.name, op.version)}`);
    if (rng.chance(0.1)) await ctx.sleep(rng.int(5, 40));
  }
  out.line(style.green("Writing lock file"));
  await ctx.sleep(rng.int(50, 400));
}

async function afterInstall(ctx: Context, plan: InstallPlan): Promise<void> {
  const { out, rng, style } = ctx;
  const optimized = plan.kind !== "library" || rng.chance(0.3);
  out.line(style.green(`Generating ${optimized ? "optimized " : ""}autoload files`));
  await ctx.sleep(rng.int(400, 2500));
  const installed = plan.operations.filter((o) => o.kind !== "remove");
  if (plan.kind === "laravel") {
    out.line("> Illuminate\\Foundation\\ComposerScripts::postAutoloadDump");
    out.line("> @php artisan package:discover --ansi");
    await ctx.sleep(rng.int(300, 1200));
    out.line();
    out.line(`  ${style.bgBlue(style.white(" INFO "))} Discovering packages.`);
    out.line();
    const width = ctx.term.isTTY ? Math.min(ctx.term.cols, 150) : 80;
    const discovered = installed.filter((o) => o.discover).map((o) => o.name).sort();
    for (const name of discovered) {
      const dots = Math.max(0, width - 4 - name.length - " DONE".length - 1);
      out.line(`  ${name} ${style.gray(".".repeat(dots))} ${style.bold(style.green("DONE"))}`);
      await ctx.sleep(rng.int(2, 25));
    }
    out.line();
  }
  if (plan.fundingCount > 0) {
    const n = plan.fundingCount;
    out.line(
      `${n} package${n === 1 ? " you are using is" : "s you are using are"} looking for funding.`,
    );
    out.line("Use the `composer fund` command to find out more!");
  }
  if (plan.kind === "laravel" && plan.lockMissing) {
    out.line("> @php artisan vendor:publish --tag=laravel-assets --ansi --force");
    await ctx.sleep(rng.int(300, 900));
    out.line();
    out.line(
      `  ${style.bgBlue(style.white(" INFO "))} No publishable resources for tag ${
        style.bold("[laravel-assets]")
      }.`,
    );
    out.line();
  }
  if (plan.kind === "symfony") {
    out.line();
    out.line("Run composer recipes at any time to see the status of your Symfony recipes.");
    out.line();
    for (const script of ["cache:clear", "assets:install public", "importmap:install"]) {
      out.write(`Executing script ${script}`);
      await ctx.sleep(rng.int(400, 3000));
      out.line(` [${style.green("OK")}]`);
    }
  }
  await ctx.sleep(rng.int(300, 1800));
  out.line(style.green("No security vulnerability advisories found."));
}

async function run(ctx: Context): Promise<void> {
  const { out, rng, style } = ctx;
  const plan = planInstall(rng);
  if (plan.lockMissing) await lockFirst(ctx, plan);
  out.line(style.green("Installing dependencies from lock file (including require-dev)"));
  // Only a lock file read from disk is verified; one just written by the update is not.
  if (!plan.lockMissing) {
    out.line(style.green("Verifying lock file contents can be installed on current platform."));
  }
  if (plan.staleLock) {
    out.line(
      warning(
        style,
        "Warning: The lock file is not up to date with the latest changes in composer.json. You may be getting outdated dependencies. It is recommended that you run `composer update` or `composer update <package name>`.",
      ),
    );
  }
  await ctx.sleep(rng.int(100, 600));
  const ops = plan.operations;
  out.line(style.green(operationsSummary("Package operations", ops)));
  const speed = clamp(rng.logNormal(170, 0.5), 50, 320);
  const downloads = ops.filter((o) => o.download);
  if (downloads.length > 0) {
    const lines = downloads.map((o) => `  - Downloading ${pkg(style, o.name, o.version)}`);
    await runBatch(ctx, lines, () => clamp(rng.exp(speed), 5, 2.5 * speed));
  }
  const lines = ops.map((o) => {
    if (o.kind === "remove") return `  - Removing ${pkg(style, o.name, o.version)}`;
    if (o.kind === "update") {
      return `  - Upgrading ${style.green(o.name)} (${
        style.yellow(`${o.from} => ${o.version}`)
      }): Extracting archive`;
    }
    return `  - Installing ${pkg(style, o.name, o.version)}: Extracting archive`;
  });
  await runBatch(ctx, lines, () => clamp(rng.exp(55), 3, 200));
  if (plan.lockMissing && plan.suggestions > 0) {
    // Composer prints the count as is, "1 package suggestions" included.
    out.line(
      style.green(
        `${plan.suggestions} package suggestions were added by new dependencies, use \`composer suggest\` to see details.`,
      ),
    );
  }
  await afterInstall(ctx, plan);
}

/** `composer install`: lock file, downloads, extraction with the bar, autoload, scripts. */
export const composer: Module = {
  name: "composer",
  signature: "composer install",
  about: "Install a PHP project's dependencies with Composer",
  maxDurationMs: 200_000,
  run,
};
