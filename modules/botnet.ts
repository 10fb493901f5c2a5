/**
 * botnet: genact's own playful idea. Connections are counted up, a list of
 * clusters boots in place (some time out and retry), then a few steps are
 * sent to every node and the update completes.
 *
 * @module
 */

import data from "../data/botnet.json" with { type: "json" };
import { pad } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** Where a cluster is in its boot. */
export type ClusterState = "booting" | "timeout" | "online";

/** One cluster of the botnet. */
export interface Cluster {
  /** Cluster number, shown as `#03`. */
  id: number;
  /** Nodes in the cluster. */
  nodes: number;
  /** What kind of device the nodes are. */
  device: string;
  /** Boot state. */
  state: ClusterState;
  /** Retries after time-outs so far. */
  retries: number;
  /** Ticks left in the current time-out. */
  cooldown: number;
}

const TICK_MS = 100;
const BOOT_CHANCE = 0.05;
const TIMEOUT_SHARE = 0.12;
const MAX_BOOT_TICKS = 150;
const MAX_COUNT_MS = 7000;

/** Splits `total` into `parts` random positive integers (each at least `min`) that sum to it. */
export function splitTotal(rng: Rng, total: number, parts: number, min: number): number[] {
  const weights = Array.from({ length: parts }, () => rng.float(0.4, 1.6));
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - parts * min;
  const sizes = weights.map((w) => min + Math.floor((spare * w) / sum));
  const used = sizes.reduce((a, b) => a + b, 0);
  sizes[rng.int(0, parts - 1)]! += total - used;
  return sizes;
}

/** A cluster's status: as in genact, only the word inside the brackets is coloured. */
function status(cluster: Cluster, style: Style): string {
  if (cluster.state === "online") return `[${style.bold(style.green("online"))}]`;
  if (cluster.state === "timeout") return `[${style.bold(style.red("timeout"))}]`;
  return `[${
    style.bold(style.yellow(cluster.retries > 0 ? `retry ${cluster.retries}` : "booting"))
  }]`;
}

const LABELS: ((c: Cluster) => string)[] = [
  (c) => `Cluster #${pad(c.id)} (${c.nodes} nodes, ${c.device})`,
  (c) => `Cluster #${pad(c.id)} (${c.nodes} nodes)`,
  (c) => `#${pad(c.id)} (${c.nodes})`,
];

/**
 * Renders the cluster list with the statuses in one column, dropping detail
 * until the widest row (with the widest status) fits `cols`.
 */
export function renderClusters(clusters: readonly Cluster[], cols: number, style: Style): string[] {
  for (const [i, label] of LABELS.entries()) {
    const width = Math.max(...clusters.map((c) => label(c).length));
    if (2 + width + 1 + "[timeout]".length <= cols || i === LABELS.length - 1) {
      return clusters.map((c) => `  ${label(c).padEnd(width)} ${status(c, style)}`);
    }
  }
  return [];
}

/** Renders the connection counter. */
export function renderCounter(done: number, total: number, cols: number): string {
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  const forms = [`Establishing connections: ${count}`, `Connecting: ${count}`, count];
  return forms.find((f) => f.length <= cols) ?? count;
}

/** Advances every cluster by one tick of the boot animation. */
export function bootTick(rng: Rng, clusters: Cluster[]): void {
  for (const c of clusters) {
    if (c.state === "timeout") {
      if (--c.cooldown <= 0) {
        c.state = "booting";
        c.retries++;
      }
    } else if (c.state === "booting" && rng.chance(BOOT_CHANCE)) {
      if (c.retries < 2 && rng.chance(TIMEOUT_SHARE)) {
        c.state = "timeout";
        c.cooldown = rng.int(5, 12);
      } else {
        c.state = "online";
      }
    }
  }
}

async function countConnections(ctx: Context, total: number): Promise<void> {
  const { rng, out } = ctx;
  const cols = () => ctx.term.cols;
  const start = ctx.clock.now();
  let done = 0;
  while (done < total && ctx.clock.now() - start < MAX_COUNT_MS) {
    done = Math.min(total, done + rng.int(1, Math.max(2, Math.round(total / 60))));
    if (done < total && ctx.term.isTTY) out.live([renderCounter(done, total, cols())]);
    // Mostly instant handshakes, now and then a slow one.
    await ctx.sleep(rng.chance(0.08) ? rng.int(150, 600) : rng.int(5, 40));
  }
  out.live([]);
  out.line(renderCounter(total, total, cols()));
}

async function bootClusters(ctx: Context, clusters: Cluster[]): Promise<void> {
  const { out, rng, style } = ctx;
  for (let tick = 0; tick < MAX_BOOT_TICKS; tick++) {
    // The finished list is printed permanently below, so it is never shown live.
    if (clusters.every((c) => c.state === "online")) break;
    // A pipe gets only the finished list: a script that redraws in place in a terminal
    // writes its settled state when stdout is not one, rather than snapshots of the redraw.
    if (ctx.term.isTTY) out.live(renderClusters(clusters, ctx.term.cols, style));
    await ctx.sleep(TICK_MS);
    bootTick(rng, clusters);
  }
  for (const c of clusters) c.state = "online";
  out.live([]);
  for (const line of renderClusters(clusters, ctx.term.cols, style)) out.line(line);
}

async function runSteps(ctx: Context, total: number): Promise<void> {
  const { out, rng, style } = ctx;
  const extras = rng.sample(data.extraSteps, rng.int(0, 2));
  const steps = [data.fixedSteps.first, ...extras, data.fixedSteps.middle, data.fixedSteps.last];
  for (const step of steps) {
    const label = step === data.fixedSteps.last ? `${step} to ${total} nodes` : step;
    out.write(`+ ${label}... `);
    await ctx.sleep(rng.chance(0.2) ? rng.int(1500, 3000) : rng.int(300, 1200));
    out.line(style.bold(style.green("[done]")));
  }
}

/** The botnet module. */
export const botnet: Module = {
  name: "botnet",
  signature: "./botnet.sh",
  about: "Boots a botnet of smart fridges and toasters, cluster by cluster",
  maxDurationMs: 60_000,
  async run(ctx: Context): Promise<void> {
    const { rng, out, style } = ctx;
    const maxClusters = Math.max(2, Math.min(16, ctx.term.rows - 2));
    const count = Math.min(rng.int(8, 16), maxClusters);
    const total = rng.int(Math.max(800, count * 40), 3200);
    await countConnections(ctx, total);
    await ctx.sleep(rng.int(200, 800));
    const devices = rng.shuffle(data.devices);
    const clusters = splitTotal(rng, total, count, 20).map((nodes, i): Cluster => ({
      id: i,
      nodes,
      device: devices[i % devices.length]!,
      state: "booting",
      retries: 0,
      cooldown: 0,
    }));
    await bootClusters(ctx, clusters);
    await runSteps(ctx, total);
    await ctx.sleep(rng.int(200, 600));
    out.line(style.bold(style.green(">> Botnet update complete.")));
  },
};
