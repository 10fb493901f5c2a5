/**
 * DeepSpeed's communication logger (`"comms_logger": {"enabled": true}`):
 * `deepspeed.comm.log_summary()` prints, on rank 0, one row per collective and
 * message size with its count, total and mean latency, and the algorithm and
 * bus bandwidth DeepSpeed derives from them (`calc_bw_log`).
 *
 * @module
 */

import { hfTensors, numel } from "./export.ts";
import type { Run } from "./runtime.ts";

/** One row of the summary. */
export interface CommRow {
  op: string;
  /** Bytes of the logged message (a rank's shard for all-gather and reduce-scatter). */
  bytes: number;
  count: number;
  /** Mean latency in ms. */
  latMs: number;
}

/** `convert_size`: bytes in 1024 steps, rounded to 2 decimals (`59.6 MB`, `4.0 B`). */
export function convertSize(bytes: number): string {
  if (bytes === 0) return "0B";
  const names = ["B", "KB", "MB", "GB", "TB"];
  const i = Math.floor(Math.log(bytes) / Math.log(1024));
  const s = Math.round((bytes / 1024 ** i) * 100) / 100;
  return `${Number.isInteger(s) ? `${s}.0` : s} ${names[i]}`;
}

/** Algorithm and bus bandwidth in Gbps as DeepSpeed computes them for `n` ranks. */
export function commBandwidth(
  op: string,
  bytes: number,
  latMs: number,
  n: number,
): [number, number] {
  let size = bytes;
  let tput: number;
  let busbw: number;
  if (op.startsWith("all_gather") || op.startsWith("reduce_scatter")) {
    size *= n;
    tput = size / latMs;
    busbw = tput * ((n - 1) / n);
  } else if (op.startsWith("all_reduce")) {
    tput = (size * 2) / latMs;
    busbw = (size / latMs) * ((2 * (n - 1)) / n);
  } else {
    tput = size / latMs;
    busbw = tput;
  }
  return [(tput * 8) / 1e6, (busbw * 8) / 1e6];
}

/** The collectives of `steps` optimizer steps (and the start-up broadcast of the weights). */
export function commRows(run: Run, steps: number): CommRow[] {
  const sc = run.sc;
  const m = sc.model;
  const n = sc.cluster.world;
  const stage3 = sc.parallel.sharding === "zero3";
  const multi = sc.cluster.nodes > 1;
  const hopper = sc.cluster.gpu.arch === "Hopper" || sc.cluster.gpu.arch === "Blackwell";
  // large-message bus bandwidth (Gbps): NVLink inside a node, the NICs across nodes
  const big = (multi ? (hopper ? 340 : 170) : hopper ? 2100 : 1300) * run.rng.float(0.85, 1);
  const base = multi ? 0.09 : 0.025;
  const lat = (op: string, bytes: number) => {
    const [, per] = commBandwidth(op, bytes, 1, n);
    return base + per / big;
  };
  const rows: CommRow[] = [];
  // engine start: every parameter tensor broadcast from rank 0
  const sizes = new Map<number, number>();
  for (const t of hfTensors(m)) {
    const b = numel(t) * 2;
    sizes.set(b, (sizes.get(b) ?? 0) + 1);
  }
  for (const [b, count] of sizes) {
    rows.push({ op: "broadcast", bytes: b, count, latMs: lat("broadcast", b) });
  }
  const bucket = 5e8;
  const buckets = (elems: number) => {
    const out: number[] = [];
    for (let left = elems; left > 0; left -= bucket) out.push(Math.min(bucket, left));
    return out;
  };
  const add = (op: string, elems: number, perStep: number) => {
    const shard = Math.ceil(elems / n) * 2;
    const row = rows.find((r) => r.op === op && r.bytes === shard);
    if (row) row.count += perStep * steps;
    else rows.push({ op, bytes: shard, count: perStep * steps, latMs: lat(op, shard) });
  };
  const ga = sc.batch.gradAccum;
  if (stage3) {
    // parameters gathered layer by layer in forward and backward, gradients reduce-scattered
    const layer = (m.params - m.vocab * m.hidden * (m.tied ? 1 : 2)) / m.layers;
    add("all_gather_into_tensor", layer, 2 * m.layers * ga);
    add("reduce_scatter_tensor", layer, m.layers * ga);
  } else {
    for (const b of buckets(m.params)) add("reduce_scatter_tensor", b, ga);
    for (const b of buckets(m.params)) add("all_gather_into_tensor", b, 1);
  }
  rows.push({ op: "all_reduce", bytes: 4, count: 2 * steps, latMs: base * 1.6 });
  return rows.map((r) => ({ ...r, latMs: r.latMs * run.rng.float(0.97, 1.05) }));
}

/** The printed table (columns 20 wide, as `log_all` pads them). */
export function commsSummaryLines(run: Run, steps: number): string[] {
  const n = run.sc.cluster.world;
  const col = (s: string | number) => String(s).padEnd(20);
  const out = [
    `${col("Comm. Op")}${col("Message Size")}${col("Count")}${col("Total Latency(ms)")}${
      col("Avg Latency(ms)")
    }${col("tput_avg (Gbps)")}${col("busbw_avg (Gbps)")}`,
  ];
  const rows = commRows(run, steps);
  for (const op of [...new Set(rows.map((r) => r.op))]) {
    out.push(op);
    for (const r of rows.filter((x) => x.op === op).sort((a, b) => a.bytes - b.bytes)) {
      // the mean drops the slowest and fastest tenth: the total is a little above count × mean
      const total = r.latMs * r.count * run.rng.float(1.0, 1.04);
      const [tput, busbw] = commBandwidth(r.op, r.bytes, r.latMs, n);
      out.push(
        `${col(" ")}${col(convertSize(r.bytes))}${col(r.count)}${col(total.toFixed(2))}${
          col(r.latMs.toFixed(2))
        }${col(tput.toFixed(2))}${col(busbw.toFixed(2))}`,
      );
    }
  }
  return out;
}
