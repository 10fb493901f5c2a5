/**
 * apt: `sudo apt update && sudo apt full-upgrade` on a Debian 13 (trixie) host
 * with apt 3: the index fetch, the apt 3 column lists (`Upgrading:`,
 * `Installing:`, `Not upgrading:`) and `Summary:` block, the numbered `Get:`
 * lines, `Fetched … in …s (… /s)`, then dpkg: the database read, numbered
 * archives unpacked over their old versions, `Setting up`, the new kernel's
 * initramfs and GRUB hooks, and the triggers.
 *
 * One host per run: a server or a desktop package set from this point
 * release, each package with its real name, Multi-Arch qualifier, old and new
 * version and size; the download size is the sum of the `Get:` sizes and the
 * fetch rate is that over the time taken. Sometimes a package is on hold and
 * stays behind. On a terminal apt draws the download status line and dpkg's
 * `Progress:` bar at the bottom; in a pipe it warns that its CLI is not stable,
 * draws neither, and the upgrade runs with `-y`.
 *
 * @module
 */

import data from "../data/apt.json" with { type: "json" };
import { padEndVisible, visibleWidth } from "../core/ansi.ts";
import { clamp } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

/** A package in the upgrade. */
export interface Pkg {
  name: string;
  old?: string;
  new: string;
  size: number;
  ma?: boolean;
  /** `all` for architecture-independent packages (default amd64). */
  arch?: string;
  suite: string;
  early?: boolean;
  /** Newly installed (the new kernel). */
  fresh?: boolean;
}

/** One upgrade, drawn up front. */
export interface Plan {
  upgrades: Pkg[];
  installs: Pkg[];
  held: Pkg[];
  /** Bytes per second from the mirror. */
  rate: number;
  /** Files and directories dpkg knows before the upgrade. */
  files: number;
  /** Free space on / in bytes. */
  free: number;
}

/** Draws the host and its upgrade. */
export function planUpgrade(rng: Rng): Plan {
  const profile = rng.pick(["server", "desktop"] as const);
  const pool = [...data.base, ...data.profiles[profile]] as Pkg[];
  // A point release always carries base-files; the rest is a sample.
  const chosen = pool.filter((p) => p.name === "base-files" || p.early || rng.chance(0.55));
  const kernel = rng.chance(0.6);
  const k = data.kernel;
  const upgrades = chosen.slice();
  const installs: Pkg[] = [];
  if (kernel) {
    upgrades.push({
      name: "linux-image-amd64",
      old: k.oldVersion,
      new: k.newVersion,
      size: k.metaSize,
      suite: "main",
    });
    installs.push({
      name: `linux-image-${k.newAbi}-amd64`,
      new: k.newVersion,
      size: k.imageSize,
      suite: "main",
      fresh: true,
    });
  }
  let held: Pkg[] = [];
  if (rng.chance(0.15) && upgrades.length > 6) {
    const victim = rng.pick(upgrades.filter((p) => !p.early && p.name !== "base-files"));
    held = [victim];
    upgrades.splice(upgrades.indexOf(victim), 1);
  }
  upgrades.sort((a, b) => a.name.localeCompare(b.name));
  return {
    upgrades,
    installs,
    held,
    rate: clamp(rng.logNormal(18, 0.6), 2.5, 95) * 1e6,
    files: rng.int(
      profile === "server" ? 38_000 : 180_000,
      profile === "server" ? 72_000 : 320_000,
    ),
    free: rng.float(14, 420) * 1e9,
  };
}

/** apt's SizeToStr with its unit: `2,848 kB`, `73.0 kB`, `5,412 B`, `101 MB`. */
export function aptSize(bytes: number): string {
  const ext = ["", "k", "M", "G", "T"];
  let size = bytes;
  for (let i = 0; i < ext.length; i++) {
    if (size < 100 && i !== 0) return `${size.toFixed(1)} ${ext[i]}B`;
    if (size < 10_000) return `${Math.round(size).toLocaleString("en-US")} ${ext[i]}B`;
    size /= 1000;
  }
  return `${Math.round(size)} PB`;
}

/** apt's TimeToStr: `4s`, `1min 12s`. */
export function aptTime(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}min ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor(s / 60) % 60}min ${s % 60}s`;
}

/** Lays names out in columns, top to bottom, as apt 3 does (two-space indent). */
export function columns(names: readonly string[], width: number): string[] {
  const room = Math.max(20, width - 2);
  for (let cols = Math.min(names.length, 8); cols >= 1; cols--) {
    const rows = Math.ceil(names.length / cols);
    const widths: number[] = [];
    for (let c = 0; c < cols; c++) {
      widths.push(Math.max(0, ...names.slice(c * rows, (c + 1) * rows).map((n) => n.length)));
    }
    const total = widths.reduce((a, b) => a + b, 0) + 2 * (cols - 1);
    if (total > room && cols > 1) continue;
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      const cells: string[] = [];
      for (let c = 0; c < cols; c++) {
        const n = names[c * rows + r];
        if (n !== undefined) cells.push(n.padEnd(widths[c]!));
      }
      lines.push(`  ${cells.join("  ").trimEnd()}`);
    }
    return lines;
  }
  return names.map((n) => `  ${n}`);
}

function source(p: Pkg): { uri: string; dist: string } {
  if (p.suite === "security") return { uri: data.security, dist: `${data.suite}-security/main` };
  if (p.suite === "updates") return { uri: data.mirror, dist: `${data.suite}-updates/main` };
  return { uri: data.mirror, dist: `${data.suite}/main` };
}

async function prompt(ctx: Context, command: string): Promise<void> {
  await ctx.sleep(ctx.rng.int(500, 2_000));
  ctx.out.line(`${ctx.style.bold(ctx.style.green("$"))} ${ctx.style.bold(command)}`);
}

function cliWarning(ctx: Context): void {
  if (ctx.term.isTTY) return;
  ctx.out.line("");
  ctx.out.line("WARNING: apt does not have a stable CLI interface. Use with caution in scripts.");
  ctx.out.line("");
}

/** Downloads files one after another at the mirror's rate, printing `Get:` lines. */
async function fetch(
  ctx: Context,
  items: readonly { line: string; size: number; label: string }[],
  rate: number,
  first = 1,
): Promise<number> {
  const { out, rng } = ctx;
  const total = items.reduce((a, i) => a + i.size, 0);
  const start = ctx.clock.now();
  let got = 0;
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    out.line(`Get:${first + k} ${item.line} [${aptSize(item.size)}]`);
    const ms = (item.size / rate) * 1000 + rng.int(5, 40);
    const steps = Math.max(1, Math.round(ms / 200));
    for (let s = 1; s <= steps; s++) {
      await ctx.sleep(ms / steps);
      if (!ctx.term.isTTY) continue;
      const done = got + (item.size * s) / steps;
      const left = aptSize((item.size * s) / steps);
      const head = `${Math.floor((done * 100) / total)}% [${first + k} ${item.label} ${left}/${
        aptSize(item.size)
      } ${Math.floor((s * 100) / steps)}%]`;
      const tail = `${aptSize(rate)}/s ${aptTime((total - done) / rate)}`;
      const width = ctx.term.cols - 1;
      out.live([
        `${padEndVisible(head, Math.max(visibleWidth(head) + 1, width - tail.length))}${tail}`,
      ]);
    }
    got += item.size;
  }
  out.live([]);
  return (ctx.clock.now() - start) / 1000;
}

async function update(ctx: Context, p: Plan): Promise<void> {
  const { out, rng } = ctx;
  await prompt(ctx, "sudo apt update");
  cliWarning(ctx);
  await ctx.sleep(rng.int(300, 1_200));
  const pointRelease = p.upgrades.some((u) => u.suite === "main");
  const lines: { line: string; size: number; label: string }[] = [];
  const hits: string[] = [];
  if (pointRelease) {
    lines.push({
      line: `${data.mirror} ${data.suite} InRelease`,
      size: rng.int(138_000, 142_000),
      label: "InRelease",
    });
  } else {
    hits.push(`${data.mirror} ${data.suite} InRelease`);
  }
  lines.push({
    line: `${data.mirror} ${data.suite}-updates InRelease`,
    size: rng.int(46_000, 48_000),
    label: "InRelease",
  });
  lines.push({
    line: `${data.security} ${data.suite}-security InRelease`,
    size: rng.int(42_000, 44_500),
    label: "InRelease",
  });
  lines.push({
    line: `${data.security} ${data.suite}-security/main amd64 Packages`,
    size: rng.int(60_000, 140_000),
    label: "Packages",
  });
  lines.push({
    line: `${data.security} ${data.suite}-security/main Translation-en`,
    size: rng.int(40_000, 90_000),
    label: "Translation-en",
  });
  if (pointRelease) {
    lines.push({
      line: `${data.mirror} ${data.suite}/main amd64 Packages`,
      size: rng.int(9_600_000, 9_800_000),
      label: "Packages",
    });
    lines.push({
      line: `${data.mirror} ${data.suite}/main Translation-en`,
      size: rng.int(6_400_000, 6_600_000),
      label: "Translation-en",
    });
  }
  if (p.upgrades.some((u) => u.suite === "updates")) {
    lines.push({
      line: `${data.mirror} ${data.suite}-updates/main amd64 Packages`,
      size: rng.int(4_000, 9_000),
      label: "Packages",
    });
  }
  hits.forEach((h, k) => out.line(`Hit:${k + 1} ${h}`));
  const seconds = await fetch(ctx, lines, p.rate, hits.length + 1);
  const total = lines.reduce((a, l) => a + l.size, 0);
  out.line(`Fetched ${aptSize(total)} in ${aptTime(seconds)} (${aptSize(total / seconds)}/s)`);
  await ctx.sleep(rng.int(800, 2_500));
  out.line("Reading package lists... Done");
  await ctx.sleep(rng.int(200, 600));
  out.line("Building dependency tree... Done");
  out.line("Reading state information... Done");
  const n = p.upgrades.length + p.held.length;
  out.line(`${n} packages can be upgraded. Run 'apt list --upgradable' to see them.`);
}

async function upgrade(ctx: Context, p: Plan): Promise<void> {
  const { out, rng, style } = ctx;
  const tty = ctx.term.isTTY;
  await prompt(ctx, `sudo apt full-upgrade${tty ? "" : " -y"}`);
  cliWarning(ctx);
  out.line("Reading package lists... Done");
  await ctx.sleep(rng.int(300, 800));
  out.line("Building dependency tree... Done");
  out.line("Reading state information... Done");
  out.line("Calculating upgrade... Done");
  await ctx.sleep(rng.int(100, 400));
  const width = tty ? ctx.term.cols : 80;
  out.line("Upgrading:");
  for (const l of columns(p.upgrades.map((u) => u.name), width)) out.line(style.green(l));
  out.line("");
  if (p.installs.length > 0) {
    out.line("Installing:");
    for (const l of columns(p.installs.map((u) => u.name), width)) out.line(style.green(l));
    out.line("");
  }
  if (p.held.length > 0) {
    out.line("Not upgrading:");
    for (const l of columns(p.held.map((u) => u.name), width)) out.line(l);
    out.line("");
  }
  const pkgs = [...p.upgrades, ...p.installs];
  const download = pkgs.reduce((a, x) => a + x.size, 0);
  const space = p.installs.reduce((a, x) => a + x.size * 4.1, 0) + rng.int(20_000, 900_000);
  out.line("Summary:");
  out.line(
    `  Upgrading: ${p.upgrades.length}, Installing: ${p.installs.length}, Removing: 0, Not Upgrading: ${p.held.length}`,
  );
  out.line(`  Download size: ${aptSize(download)}`);
  out.line(`  Space needed: ${aptSize(space)} / ${aptSize(p.free)} available`);
  out.line("");
  if (tty) {
    out.write("Continue? [Y/n] ");
    await ctx.sleep(rng.int(900, 3_000));
    out.line("y");
  }
  const items = pkgs.map((x) => {
    const s = source(x);
    return {
      line: `${s.uri} ${s.dist} amd64 ${x.name} ${x.arch ?? "amd64"} ${x.new}`,
      size: x.size,
      label: x.name,
    };
  });
  const seconds = await fetch(ctx, items, p.rate);
  out.line(
    `Fetched ${aptSize(download)} in ${aptTime(seconds)} (${aptSize(download / seconds)}/s)`,
  );
  await dpkg(ctx, p);
}

/** The dpkg runs: early packages alone, then the rest; unpack all, configure all, triggers. */
async function dpkg(ctx: Context, p: Plan): Promise<void> {
  const { out, rng } = ctx;
  const tty = ctx.term.isTTY;
  const all = [...p.upgrades, ...p.installs];
  // The C library goes first, on its own: libc6, then libc-bin.
  const early = all.filter((x) => x.early).sort((
    a,
    b,
  ) => (a.name === "libc6" ? -1 : b.name === "libc6" ? 1 : 0));
  const rest = all.filter((x) => !x.early);
  const runs = early.length > 0 ? [early, rest] : [rest];
  // Each package is prepared, unpacked and configured: three steps of dpkg's progress.
  const steps = all.length * 3 + 2;
  let step = 0;
  let files = p.files;
  const bar = () => {
    if (!tty) return;
    const pct = Math.floor((step * 100) / steps);
    const label = `Progress: [${String(pct).padStart(3)}%]`;
    const width = Math.max(10, ctx.term.cols - label.length - 3);
    const fill = Math.round((width * step) / steps);
    out.live([
      `${ctx.style.combine(ctx.style.bgGreen, ctx.style.black)(label)} [${"#".repeat(fill)}${
        ".".repeat(width - fill)
      }]`,
    ]);
  };
  const qualified = (x: Pkg) => (x.ma ? `${x.name}:amd64` : x.name);
  for (const run of runs) {
    if (tty) {
      for (const pct of [0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) {
        out.live([`(Reading database ... ${pct}%`]);
        await ctx.sleep(rng.int(15, 60));
      }
      out.live([]);
    }
    out.line(`(Reading database ... ${files} files and directories currently installed.)`);
    const numbered = run.length > 1;
    for (let k = 0; k < run.length; k++) {
      const x = run[k]!;
      const deb = `${numbered ? `${String(k).padStart(2, "0")}-` : ""}${x.name}_${
        x.new.replace(/^\d+:/, "")
      }_${x.arch ?? "amd64"}.deb`;
      if (x.fresh) out.line(`Selecting previously unselected package ${qualified(x)}.`);
      out.line(`Preparing to unpack .../${deb} ...`);
      step++;
      bar();
      await ctx.sleep(rng.int(40, 200) + x.size / 4e5);
      out.line(
        x.fresh
          ? `Unpacking ${qualified(x)} (${x.new}) ...`
          : `Unpacking ${qualified(x)} (${x.new}) over (${x.old}) ...`,
      );
      step++;
      bar();
      await ctx.sleep(rng.int(60, 400) + x.size / 1.5e5);
      if (x.fresh) files += data.kernel.files;
    }
    for (const x of run.slice().sort((a, b) => a.name.localeCompare(b.name))) {
      out.line(`Setting up ${qualified(x)} (${x.new}) ...`);
      step++;
      bar();
      await ctx.sleep(rng.int(40, 500));
      if (x.fresh) await kernelHooks(ctx);
    }
  }
  const triggers = data.triggers.filter(([name]) =>
    name === "man-db" || name === "libc-bin"
      ? true
      : rng.chance(0.4) && !(name === "initramfs-tools" && p.installs.length > 0)
  );
  for (const [name, version] of triggers) {
    out.line(`Processing triggers for ${name} (${version}) ...`);
    step = Math.min(steps, step + 1);
    bar();
    await ctx.sleep(name === "man-db" ? rng.int(1_500, 6_000) : rng.int(200, 1_200));
  }
  step = steps;
  bar();
  await ctx.sleep(rng.int(100, 300));
  out.live([]);
}

async function kernelHooks(ctx: Context): Promise<void> {
  const { out, rng } = ctx;
  const k = data.kernel;
  out.line(`I: /vmlinuz is now a symlink to boot/vmlinuz-${k.newAbi}-amd64`);
  out.line(`I: /initrd.img is now a symlink to boot/initrd.img-${k.newAbi}-amd64`);
  out.line("/etc/kernel/postinst.d/initramfs-tools:");
  out.line(`update-initramfs: Generating /boot/initrd.img-${k.newAbi}-amd64`);
  await ctx.sleep(rng.int(8_000, 22_000));
  out.line("/etc/kernel/postinst.d/zz-update-grub:");
  out.line("Generating grub configuration file ...");
  await ctx.sleep(rng.int(800, 2_000));
  for (const abi of [k.newAbi, k.oldAbi]) {
    out.line(`Found linux image: /boot/vmlinuz-${abi}-amd64`);
    out.line(`Found initrd image: /boot/initrd.img-${abi}-amd64`);
    await ctx.sleep(rng.int(300, 900));
  }
  if (rng.chance(0.5)) {
    out.line("Warning: os-prober will not be executed to detect other bootable partitions.");
    out.line("Systems on them will not be added to the GRUB boot configuration.");
    out.line("Check GRUB_DISABLE_OS_PROBER documentation entry.");
  }
  out.line("Adding boot menu entry for UEFI Firmware Settings ...");
  await ctx.sleep(rng.int(200, 600));
  out.line("done");
}

async function run(ctx: Context): Promise<void> {
  const plan = planUpgrade(ctx.rng);
  await update(ctx, plan);
  await upgrade(ctx, plan);
}

/** `apt update && apt full-upgrade` on Debian 13. */
export const apt: Module = {
  name: "apt",
  signature: "sudo apt update && sudo apt full-upgrade",
  about: "Upgrade a Debian 13 host with apt 3: index fetch, package lists, downloads, dpkg",
  maxDurationMs: 150_000,
  run,
};
