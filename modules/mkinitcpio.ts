/**
 * `mkinitcpio`: `mkinitcpio -P` as mkinitcpio v39/v40 prints it on Arch today.
 * Each installed kernel preset builds its `default` image, then its `fallback`
 * image (`-S autodetect`, so the autodetect hook is skipped and firmware
 * warnings show up). Colours follow mkinitcpio's `msg`/`msg2`/`warning`.
 *
 * @module
 */

import data from "../data/mkinitcpio.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** `==> message` (green arrow, bold message). */
export function msg(style: Style, text: string): string {
  return `${style.combine(style.bold, style.green)("==>")} ${style.bold(text)}`;
}

/** `  -> message` (blue arrow, bold message). */
export function msg2(style: Style, text: string): string {
  return `  ${style.combine(style.bold, style.blue)("->")} ${style.bold(text)}`;
}

/** `==> WARNING: message` (yellow label, bold message). */
export function warning(style: Style, text: string): string {
  return `${style.combine(style.bold, style.yellow)("==> WARNING:")} ${style.bold(text)}`;
}

/** One kernel preset to build. */
interface Preset {
  pkg: string;
  version: string;
}

function kernelVersion(rng: Rng, pattern: string): string {
  return pattern
    .replace("{pp}", String(rng.int(40, 72)))
    .replace("{p}", String(rng.int(1, 12)))
    .replace("{a}", String(rng.weighted([1, 2, 3], [6, 3, 1])));
}

/** How a shell glob in a UTF-8 locale orders `*.preset` names: punctuation is ignored. */
const collate = (pkg: string) => `${pkg}.preset`.replace(/[-.]/g, "");

function pickPresets(rng: Rng): Preset[] {
  const count = rng.weighted([1, 2, 3], [6, 3, 1]);
  const chosen = new Set<(typeof data.kernels)[number]>();
  while (chosen.size < count) {
    chosen.add(rng.weighted(data.kernels, data.kernels.map((k) => k.weight)));
  }
  return [...chosen]
    .map((k) => ({ pkg: k.pkg, version: kernelVersion(rng, rng.pick(k.versions)) }))
    .sort((a, b) => collate(a.pkg).localeCompare(collate(b.pkg)));
}

function pickHooks(rng: Rng): string[] {
  const hooks = [...rng.pick(data.hookSets)];
  const extras = hooks.includes("systemd") ? data.extraHooks.systemd : data.extraHooks.udev;
  for (const [after, hook] of extras) {
    if (rng.chance(0.2) && hooks.includes(after as string)) {
      hooks.splice(hooks.indexOf(after as string) + 1, 0, hook as string);
    }
  }
  return hooks;
}

/** A log-normal wait around `median` ms, clamped so a run has a hard upper bound. */
function wait(rng: Rng, median: number, sigma: number): number {
  return Math.min(median * 2.5, Math.max(median / 3, rng.logNormal(median, sigma)));
}

const times: Record<string, number[]> = data.hookTimes;
const fallbackFactor = data.fallbackFactor as Record<string, number>;
const firmware = data.firmware as Record<string, string[]>;

/** Builds one image; returns after the success line. */
async function build(
  ctx: Context,
  preset: Preset,
  name: "default" | "fallback",
  hooks: readonly string[],
  opts: {
    dropIn?: string;
    compression: string;
    missingFirmware: Set<string>;
    /** Whether /etc/vconsole.conf exists (archinstall writes one with KEYMAP). */
    vconsole: boolean;
    /** Whether it sets FONT= (most systems keep the kernel's font and do not). */
    font: boolean;
  },
): Promise<void> {
  const { out, style, rng } = ctx;
  const fallback = name === "fallback";
  const image = `/boot/initramfs-${preset.pkg}${fallback ? "-fallback" : ""}.img`;
  out.line(
    msg(style, `Building image from preset: /etc/mkinitcpio.d/${preset.pkg}.preset: '${name}'`),
  );
  out.line(msg(style, "Using default configuration file: '/etc/mkinitcpio.conf'"));
  out.line(
    msg2(style, `-k /boot/vmlinuz-${preset.pkg} -g ${image}${fallback ? " -S autodetect" : ""}`),
  );
  // mkinitcpio reads the drop-ins after the preset's options, just before the build.
  if (opts.dropIn) out.line(msg(style, `Using drop-in configuration file: '${opts.dropIn}'`));
  await ctx.sleep(wait(rng, 120, 0.4));
  out.line(msg(style, `Starting build: '${preset.version}'`));
  for (const hook of hooks) {
    if (fallback && hook === "autodetect") continue;
    out.line(msg2(style, `Running build hook: [${hook}]`));
    const [median = 0.2, sigma = 0.3] = times[hook] ?? [];
    const factor = fallback ? fallbackFactor[hook] ?? 1.3 : 1;
    await ctx.sleep(wait(rng, median * factor * 1000, sigma));
    if (hook === "consolefont" && !opts.font) {
      out.line(warning(style, "consolefont: no font found in configuration"));
    }
    if (hook === "sd-vconsole" && !opts.vconsole) {
      out.line(
        warning(style, 'sd-vconsole: "/etc/vconsole.conf" not found, will use default values'),
      );
    }
    if (!fallback) continue;
    for (const module of firmware[hook] ?? []) {
      if (opts.missingFirmware.has(module)) {
        out.line(warning(style, `Possibly missing firmware for module: '${module}'`));
      }
    }
  }
  out.line(msg(style, "Generating module dependencies"));
  await ctx.sleep(wait(rng, fallback ? 1400 : 450, 0.3));
  out.line(msg(style, `Creating ${opts.compression}-compressed initcpio image: '${image}'`));
  await ctx.sleep(wait(rng, fallback ? 5500 : 1800, 0.4));
  if (hooks.includes("microcode")) {
    out.line(msg2(style, "Early uncompressed CPIO image generation successful"));
  }
  await ctx.sleep(wait(rng, 250, 0.4));
  out.line(msg(style, "Initcpio image generation successful"));
}

export const mkinitcpio: Module = {
  name: "mkinitcpio",
  signature: "sudo mkinitcpio -P",
  about: "Arch Linux initramfs build for every kernel preset: default and fallback images",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { rng } = ctx;
    const hooks = pickHooks(rng);
    const missingFirmware = new Set<string>();
    if (rng.chance(0.7)) {
      for (const list of Object.values(firmware)) {
        for (const m of list) if (rng.chance(0.5)) missingFirmware.add(m);
      }
    }
    const opts = {
      ...(rng.chance(0.12) ? { dropIn: rng.pick(data.dropIns) } : {}),
      compression: rng.pick(data.compression),
      missingFirmware,
      vconsole: rng.chance(0.85),
      font: false,
    };
    opts.font = opts.vconsole && rng.chance(0.15);
    for (const preset of pickPresets(rng)) {
      await build(ctx, preset, "default", hooks, opts);
      await build(ctx, preset, "fallback", hooks, opts);
    }
  },
};
