/**
 * GPU telemetry and its two views: a compact grid for the live region (one
 * cell per GPU, or per node when there are many, coloured by temperature, fit
 * to the terminal's width and height) and, for logs that are not a terminal, a
 * periodic summary table.
 *
 * Telemetry evolves smoothly: every GPU has persistent offsets (temperature,
 * power) and follows its target with a first-order lag; utilisation and power
 * dip during evaluation and checkpoint saves; memory stays flat after warm-up
 * (the caching allocator).
 *
 * @module
 */

import type { Rng } from "../../core/rng.ts";
import { padEndVisible, truncate, visibleWidth } from "../../core/ansi.ts";
import type { Style } from "../../core/style.ts";
import type { GpuSpec } from "./data.ts";

/** What the GPUs are doing. */
export type Phase = "idle" | "load" | "train" | "eval" | "save" | "down";

/** One GPU's current readings. */
export interface GpuReading {
  util: number;
  tempC: number;
  powerW: number;
  memMiB: number;
}

/** The whole cluster's telemetry. */
export class Telemetry {
  readonly gpu: GpuSpec;
  readonly nodes: number;
  readonly perNode: number;
  #readings: GpuReading[];
  #peakMem: number[];
  /** Seconds not yet applied (readings are brought up to date when read). */
  #pending = 0;
  #tempOffset: number[];
  #powerScale: number[];
  #memOffset: number[];
  #rng: Rng;
  #phase: Phase = "idle";
  #trainMem: number;
  #powerFrac: number;
  #ambient: number;
  #down = new Set<number>();

  /** Creates idle telemetry; `trainMemMiB` is the per-GPU memory once training runs. */
  constructor(gpu: GpuSpec, nodes: number, trainMemMiB: number, rng: Rng) {
    this.gpu = gpu;
    this.nodes = nodes;
    this.perNode = gpu.gpusPerNode;
    this.#rng = rng;
    const n = nodes * gpu.gpusPerNode;
    this.#tempOffset = Array.from({ length: n }, () => rng.normal(0, 2.5));
    this.#powerScale = Array.from({ length: n }, () => 1 + rng.normal(0, 0.035));
    this.#memOffset = Array.from(
      { length: n },
      (_, i) => (i % gpu.gpusPerNode === 0 ? 180 : 0) + rng.int(-90, 90),
    );
    this.#trainMem = trainMemMiB;
    this.#powerFrac = rng.float(0.72, 0.93);
    this.#ambient = rng.float(24, 32);
    const [lo, hi] = gpu.idleW;
    this.#readings = Array.from({ length: n }, (_, i) => ({
      util: 0,
      tempC: this.#ambient + 6 + this.#tempOffset[i]!,
      powerW: lo + (hi - lo) * rng.next(),
      memMiB: 0,
    }));
    this.#peakMem = this.#readings.map(() => 0);
  }

  /** The current reading of every GPU. */
  get readings(): readonly GpuReading[] {
    this.#flush();
    return this.#readings;
  }

  /** Largest memory reading so far, per GPU. */
  get peakMem(): readonly number[] {
    this.#flush();
    return this.#peakMem;
  }

  /** Number of GPUs. */
  get count(): number {
    return this.#readings.length;
  }

  /** Current phase. */
  get phase(): Phase {
    return this.#phase;
  }

  /** Switches the phase; the readings move toward the new targets from now on. */
  setPhase(phase: Phase): void {
    this.#flush();
    this.#phase = phase;
    if (phase !== "down") this.#down.clear();
  }

  /** Marks GPUs as lost (their process died): they go idle and release memory. */
  markDown(indices: readonly number[]): void {
    this.#flush();
    for (const i of indices) this.#down.add(i);
  }

  /** Advances the readings by `dtSec` seconds (applied when they are next read). */
  step(dtSec: number): void {
    this.#pending += dtSec;
  }

  #flush(): void {
    const dtSec = this.#pending;
    if (dtSec <= 0) return;
    this.#pending = 0;
    const g = this.gpu;
    const k = 1 - Math.exp(-dtSec / 8);
    const ku = 1 - Math.exp(-dtSec / 1.5);
    const [idleLo, idleHi] = g.idleW;
    const idle = (idleLo + idleHi) / 2;
    this.#readings.forEach((r, i) => {
      const down = this.#down.has(i) || this.#phase === "down";
      let util: number;
      let frac: number;
      let mem = r.memMiB;
      switch (down ? "idle" : this.#phase) {
        case "train":
          util = 100 - Math.abs(this.#rng.normal(0, 1.6));
          frac = this.#powerFrac;
          mem = this.#trainMem + this.#memOffset[i]!;
          break;
        case "eval":
          util = 92 + this.#rng.normal(0, 3);
          frac = this.#powerFrac * 0.72;
          mem = this.#trainMem + this.#memOffset[i]!;
          break;
        case "save":
          util = Math.max(0, this.#rng.normal(6, 5));
          frac = 0.22;
          break;
        case "load":
          util = Math.max(0, this.#rng.normal(3, 3));
          frac = 0.15;
          mem = Math.min(this.#trainMem * 0.35, mem + dtSec * 2500);
          break;
        default:
          util = 0;
          frac = 0;
          if (down || this.#phase === "idle") mem = down ? Math.max(0, mem - dtSec * 40000) : mem;
      }
      const targetPower = frac === 0
        ? idle
        : Math.max(idle, g.powerCapW * frac * this.#powerScale[i]!);
      r.powerW +=
        (Math.min(g.powerCapW, targetPower * (0.985 + 0.03 * this.#rng.next())) - r.powerW) * ku;
      r.util += (Math.min(100, Math.max(0, util)) - r.util) * ku;
      const targetTemp = this.#ambient + 4 +
        (r.powerW / g.powerCapW) * (g.formFactor === "SXM" ? 46 : 52) +
        this.#tempOffset[i]!;
      r.tempC += (targetTemp - r.tempC) * k;
      r.memMiB = Math.min(g.memoryMiB - 64, Math.max(0, mem));
      this.#peakMem[i] = Math.max(this.#peakMem[i]!, r.memMiB);
    });
  }
}

const RAMP = "▁▂▃▄▅▆▇█";
const HEAT = [46, 82, 118, 154, 190, 226, 220, 214, 208, 202, 196];

function heatColour(style: Style, tempC: number): (s: string) => string {
  const i = Math.max(
    0,
    Math.min(HEAT.length - 1, Math.round(((tempC - 35) / 50) * (HEAT.length - 1))),
  );
  return style.fg256(HEAT[i] as number);
}

function glyph(tempC: number): string {
  return RAMP[Math.max(0, Math.min(7, Math.round(((tempC - 30) / 55) * 7)))] as string;
}

/** Aggregates over GPUs. */
export function stats(
  values: readonly number[],
): { min: number; p50: number; max: number; mean: number } {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return {
    min: s[0] ?? 0,
    p50: s[Math.floor((s.length - 1) / 2)] ?? 0,
    max: s[s.length - 1] ?? 0,
    mean,
  };
}

/** The live grid: a header line and rows of cells, at most `maxRows` lines and `cols` wide. */
export function gridLines(
  t: Telemetry,
  hosts: readonly string[],
  cols: number,
  maxRows: number,
  style: Style,
): string[] {
  const r = t.readings;
  const util = stats(r.map((x) => x.util));
  const mem = stats(r.map((x) => x.memMiB));
  const temp = stats(r.map((x) => x.tempC));
  const power = stats(r.map((x) => x.powerW));
  const g = t.gpu;
  const headerParts = [
    `${t.count} × ${g.name}`,
    `util ${Math.round(util.mean)}%`,
    `mem ${(mem.max / 1024).toFixed(1)}/${(g.memoryMiB / 1024).toFixed(1)} GiB`,
    `${Math.round(power.mean)} W avg`,
    `${Math.round(temp.min)}–${Math.round(temp.max)}°C`,
  ];
  let header = headerParts.join(" · ");
  if (visibleWidth(header) > cols) {
    header = [`${t.count}×${g.short}`, ...headerParts.slice(1)].join(" · ");
  }
  const lines = [style.bold(truncate(header, cols))];
  const rowsLeft = Math.max(1, maxRows - 1);
  const per = t.perNode;
  const labelW = Math.max(3, String(hosts.length).length);
  const label = (node: number) => style.dim(hostSuffix(hosts[node] ?? "", labelW));
  // Layout W: utilisation, memory and temperature of every GPU, one node per row.
  const cellW = 17;
  if (labelW + 1 + cellW * per <= cols && t.nodes <= rowsLeft) {
    for (let n = 0; n < t.nodes; n++) {
      const cells = r.slice(n * per, n * per + per).map((x) =>
        `  ${String(Math.round(x.util)).padStart(3)}% ${
          (x.memMiB / 1024).toFixed(1).padStart(5)
        }G ${heatColour(style, x.tempC)(`${String(Math.round(x.tempC)).padStart(2)}°`)}`
      );
      lines.push(`${label(n)}${style.dim("│")}${cells.join("")}`);
    }
    return lines;
  }
  // Layout A: temperature numbers per GPU.
  const blockA = labelW + 1 + 3 * per;
  const perRowA = Math.max(1, Math.floor((cols + 2) / (blockA + 2)));
  if (blockA <= cols && Math.ceil(t.nodes / perRowA) <= rowsLeft) {
    for (let n0 = 0; n0 < t.nodes; n0 += perRowA) {
      const blocks: string[] = [];
      for (let n = n0; n < Math.min(t.nodes, n0 + perRowA); n++) {
        const cells = r.slice(n * per, n * per + per).map((x) =>
          heatColour(style, x.tempC)(String(Math.round(x.tempC)).padStart(3))
        );
        blocks.push(`${label(n)}${style.dim("│")}${cells.join("")}`);
      }
      lines.push(blocks.join("  "));
    }
    return lines;
  }
  // Layout B: one glyph per GPU.
  const blockB = labelW + 1 + per;
  const perRowB = Math.max(1, Math.floor((cols + 1) / (blockB + 1)));
  if (blockB <= cols && Math.ceil(t.nodes / perRowB) <= rowsLeft) {
    for (let n0 = 0; n0 < t.nodes; n0 += perRowB) {
      const blocks: string[] = [];
      for (let n = n0; n < Math.min(t.nodes, n0 + perRowB); n++) {
        const cells = r.slice(n * per, n * per + per).map((x) =>
          heatColour(style, x.tempC)(glyph(x.tempC))
        );
        blocks.push(`${label(n)} ${cells.join("")}`);
      }
      lines.push(blocks.join(" "));
    }
    return lines;
  }
  // Layout C: one glyph per node (or per group of nodes), its hottest GPU.
  const perRowC = Math.max(1, cols - labelW - 1);
  const group = Math.max(1, Math.ceil(t.nodes / (perRowC * rowsLeft)));
  const cells: string[] = [];
  for (let n = 0; n < t.nodes; n += group) {
    const hottest = Math.max(
      ...r.slice(n * per, Math.min(t.nodes, n + group) * per).map((x) => x.tempC),
    );
    cells.push(heatColour(style, hottest)(glyph(hottest)));
  }
  for (let i = 0; i < cells.length && lines.length <= rowsLeft; i += perRowC) {
    lines.push(`${label(i * group)} ${cells.slice(i, i + perRowC).join("")}`);
  }
  return lines.map((l) => (visibleWidth(l) > cols ? truncate(l, cols) : l));
}

function hostSuffix(host: string, width: number): string {
  const digits = host.match(/(\d+)$/)?.[1] ?? host;
  return padEndVisible(digits.slice(-width), width);
}

/**
 * The plain-mode summary table: min/p50/max/mean of each reading over all
 * GPUs, then each GPU of the console's node (`host`, node index `node`).
 */
export function monitorTable(
  t: Telemetry,
  stamp: string,
  nodes: number,
  host: string,
  node = 0,
): string[] {
  const r = t.readings;
  const g = t.gpu;
  const rows: [string, ReturnType<typeof stats>, number, string][] = [
    ["util (%)", stats(r.map((x) => x.util)), 0, ""],
    ["mem used (MiB)", stats(r.map((x) => x.memMiB)), 0, `of ${g.memoryMiB}`],
    ["temp (C)", stats(r.map((x) => x.tempC)), 0, ""],
    ["power (W)", stats(r.map((x) => x.powerW)), 0, `cap ${g.powerCapW}`],
  ];
  const out = [
    `[gpu-monitor] ${stamp} · ${t.count} × ${g.name} on ${nodes} node${nodes === 1 ? "" : "s"}`,
    `  ${"metric".padEnd(15)} ${"min".padStart(7)} ${"p50".padStart(7)} ${"max".padStart(7)} ${
      "mean".padStart(9)
    }`,
  ];
  for (const [name, s, , note] of rows) {
    const f = (v: number) => String(Math.round(v)).padStart(7);
    out.push(
      `  ${name.padEnd(15)} ${f(s.min)} ${f(s.p50)} ${f(s.max)} ${s.mean.toFixed(1).padStart(9)}${
        note ? `   (${note})` : ""
      }`,
    );
  }
  out.push(
    `  ${host}: ${"gpu".padStart(4)} ${"util".padStart(5)} ${"mem (MiB)".padStart(10)} ${
      "temp".padStart(5)
    } ${"power".padStart(6)}`,
  );
  r.slice(node * t.perNode, node * t.perNode + t.perNode).forEach((x, i) => {
    out.push(
      `  ${" ".repeat(host.length + 1)} ${String(i).padStart(4)} ${
        `${Math.round(x.util)}%`.padStart(5)
      } ${String(Math.round(x.memMiB)).padStart(10)} ${`${Math.round(x.tempC)}C`.padStart(5)} ${
        `${Math.round(x.powerW)}W`.padStart(6)
      }`,
    );
  });
  return out;
}
