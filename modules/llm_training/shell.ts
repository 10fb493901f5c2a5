/**
 * The shell around the training job: the GPU check before launch (an idle
 * `nvidia-smi` on the head node and a cluster-wide `uniq -c` of GPU names),
 * `du -sh` of the checkpoints after it, and the closing run summary (time,
 * loss, throughput, memory, learning-rate schedule view, gradient-norm
 * statistics, sharding, checkpoints, export location, incidents).
 *
 * @module
 */

import { commas, pyE } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";
import { lrAt, scheduleCurve } from "./schedule.ts";
import { formatInterval } from "./tqdm.ts";
import { nvidiaSmi, uniqCountLine } from "./nvidia_smi.ts";
import { ctime } from "./stamps.ts";
import { humanSize } from "./export.ts";

/** The GPU check before launch. */
export async function gpuCheck(run: Run): Promise<void> {
  const c = run.sc.cluster;
  const g = c.gpu;
  await run.command("nvidia-smi");
  await run.pause(run.rng.int(300, 900));
  run.tel.step(1);
  const rows = c.gpu.busIds.slice(0, c.gpusPerNode).map((busId, i) => {
    const r = run.tel.readings[i]!;
    return {
      index: i,
      busId,
      tempC: r.tempC,
      powerW: r.powerW,
      memUsedMiB: 0,
      util: 0,
      fan: g.formFactor === "PCIe-fan" ? run.rng.int(30, 35) : null,
      perf: "P0",
    };
  });
  run.lines(nvidiaSmi(g, ctime(run.wall()), rows, []));
  if (c.nodes > 1) {
    await run.command(
      `srun -N${c.nodes} --ntasks-per-node=1 nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sort | uniq -c`,
    );
    await run.pause(run.rng.int(1500, 4000));
    run.line(uniqCountLine(g, c.world));
  }
}

/** Numbers the closing summary reports. */
export interface JobStats {
  /** Seconds (since the module started) at launch, at the first step, at the end. */
  launchSec: number;
  firstStepSec: number;
  endSec: number;
  /** Seconds spent in checkpoint saves and evaluation. */
  saveSec: number;
  evalSec: number;
  /** Optimizer steps of this job (global steps) with their loss and gradient norm. */
  steps: { step: number; loss: number; gradNorm: number }[];
  finalLoss: number;
  valLoss: number | null;
  /** Checkpoint directory and bytes; export directory, bytes, file count and format. */
  ckptDir: string;
  ckptBytes: number;
  exportDir: string;
  exportBytes: number;
  exportFiles: number;
  exportFormat: string;
  incidents: string[];
}

/** Fresh statistics for a job launched at `launchSec` that exports `exportFormat` to `exportDir`. */
export function newJobStats(launchSec: number, exportFormat: string, exportDir = ""): JobStats {
  return {
    launchSec,
    firstStepSec: 0,
    endSec: 0,
    saveSec: 0,
    evalSec: 0,
    steps: [],
    finalLoss: 0,
    valLoss: null,
    ckptDir: "",
    ckptBytes: 0,
    exportDir,
    exportBytes: 0,
    exportFiles: 0,
    exportFormat,
    incidents: [],
  };
}

/** Metric histories by name (for the wandb summary): `push` appends, `series` holds them. */
export function metricHistory(): {
  series: Map<string, number[]>;
  push: (name: string, value: number) => void;
} {
  const series = new Map<string, number[]>();
  const push = (name: string, value: number) => {
    const list = series.get(name);
    if (list) list.push(value);
    else series.set(name, [value]);
  };
  return { series, push };
}

/** `du -sh` of paths with sizes. */
export async function du(
  run: Run,
  entries: readonly { path: string; bytes: number }[],
): Promise<void> {
  if (entries.length === 0) return;
  const first = entries[0]!.path;
  const arg = entries.length > 1 ? first.replace(/[^/]+$/, (m) => m.replace(/\d+$/, "*")) : first;
  await run.command(`du -sh ${arg}`);
  await run.pause(run.rng.int(600, 2500));
  for (const e of entries) run.line(`${humanSize(e.bytes)}\t${e.path}`);
}

/** The closing summary printed by the team's own script. */
export async function runSummary(run: Run, s: JobStats): Promise<void> {
  const sc = run.sc;
  const c = sc.cluster;
  const m = sc.model;
  await run.command(`python scripts/run_summary.py --run ${sc.names.runName}`);
  await run.pause(run.rng.int(800, 2000));
  const out: string[] = [];
  const row = (k: string, v: string) => out.push(`${k.padEnd(13)}${v}`);
  const first = s.steps[0]?.step ?? sc.plan.startStep;
  const last = s.steps[s.steps.length - 1]?.step ?? sc.plan.totalSteps;
  row(
    "run",
    `${sc.names.runName}  (wandb ${sc.names.wandbEntity}/${sc.names.wandbProject}/${sc.names.wandbId})`,
  );
  row(
    "model",
    `${m.name} · ${
      commas(m.params)
    } params · ${m.layers} layers · hidden ${m.hidden} · ${m.heads} heads (${m.kvHeads} KV) · vocab ${
      commas(m.vocab)
    }`,
  );
  const par = sc.parallel;
  const shard = par.sharding === "megatron"
    ? `TP${par.tp} PP${par.pp} DP${par.dp} · distributed optimizer · ${par.recompute} recompute`
    : par.sharding === "zero2"
    ? `DeepSpeed ZeRO-2 over ${par.dp} ranks · gradient checkpointing`
    : par.sharding === "zero3"
    ? `DeepSpeed ZeRO-3 over ${par.dp} ranks · gradient checkpointing`
    : par.sharding === "fsdp"
    ? `FSDP FULL_SHARD over ${par.dp} ranks${
      par.recompute === "checkpointing" ? " · gradient checkpointing" : ""
    }`
    : `DDP over ${par.dp} ranks${
      par.recompute === "checkpointing" ? " · gradient checkpointing" : ""
    }`;
  row(
    "cluster",
    `${c.world} × ${c.gpu.name} (${c.nodes} node${c.nodes === 1 ? "" : "s"} × ${c.gpusPerNode})`,
  );
  row("parallelism", shard);
  row(
    "precision",
    sc.precision === "fp16"
      ? `fp16 mixed precision, dynamic loss scale ${sc.lossScale}`
      : sc.flavour === "hf"
      ? "bf16 autocast (fp32 weights and Adam states)"
      : sc.flavour === "megatron"
      ? "bf16 (fp32 main params and grads in the distributed optimizer)"
      : "bf16 (fp32 master weights in the ZeRO optimizer)",
  );
  row(
    "data",
    `${
      sc.blend.length > 1
        ? sc.blend.map((b) => `${b.dataset.name} (${Math.round(b.weight * 100)}%)`).join(" + ")
        : sc.dataset.name
    } · seq ${sc.batch.seq} · global batch ${sc.batch.global} (${
      commas(sc.batch.tokensPerStep)
    } tokens/step)`,
  );
  row(
    "steps",
    `${commas(first)} → ${commas(last)} of ${commas(sc.plan.totalSteps)}${
      sc.plan.startStep > 0 ? ` (resumed from ${commas(sc.plan.startStep)})` : ""
    }`,
  );
  const total = s.endSec - s.launchSec;
  row(
    "wall time",
    `${formatInterval(total)} total · start-up ${
      formatInterval(s.firstStepSec - s.launchSec)
    } · checkpoints ${formatInterval(s.saveSec)} · eval ${formatInterval(s.evalSec)}`,
  );
  const tokS = sc.batch.tokensPerStep / sc.stepSec;
  const tflops = (tokS * sc.flopsPerToken) / c.world / 1e12;
  row(
    "throughput",
    `${commas(Math.round(tokS))} tokens/s · ${tflops.toFixed(1)} TFLOP/s/GPU · MFU ${
      (100 * tflops / sc.peakTflops).toFixed(1)
    }% of ${sc.peakTflops} TFLOP/s`,
  );
  const peakMem = Math.max(...run.tel.peakMem);
  row(
    "memory",
    `peak ${commas(Math.round(peakMem))} MiB of ${commas(c.gpu.memoryMiB)} MiB per GPU (${
      (100 * peakMem / c.gpu.memoryMiB).toFixed(1)
    }%)`,
  );
  row(
    "loss",
    `final ${s.finalLoss.toFixed(4)} (ppl ${Math.exp(s.finalLoss).toFixed(2)})${
      s.valLoss !== null
        ? ` · validation ${s.valLoss.toFixed(4)} (ppl ${Math.exp(s.valLoss).toFixed(2)})`
        : ""
    }`,
  );
  const g = s.steps.map((x) => x.gradNorm).sort((a, b) => a - b);
  if (g.length > 0) {
    const q = (p: number) => g[Math.min(g.length - 1, Math.floor(p * (g.length - 1)))]!;
    const maxStep = s.steps.reduce((a, b) => (b.gradNorm > a.gradNorm ? b : a));
    const clipped = g.filter((x) => x > 1).length;
    row(
      "grad norm",
      `mean ${(g.reduce((a, b) => a + b, 0) / g.length).toFixed(3)} · p50 ${
        q(0.5).toFixed(3)
      } · p95 ${q(0.95).toFixed(3)} · max ${maxStep.gradNorm.toFixed(3)} @ ${
        commas(maxStep.step)
      } · clipped ${(100 * clipped / g.length).toFixed(1)}% (clip 1.0)`,
    );
  }
  const sch = sc.schedule;
  const width = Math.max(8, Math.min(48, run.cols - 14));
  const curve = scheduleCurve(sch, sc.plan.totalSteps, width);
  const kind = sch.kind.replace("megatron-", "");
  row(
    "lr schedule",
    `${kind}, warmup ${commas(sch.warmup)}, peak ${pyE(sch.peak, 1)}, floor ${
      pyE(sch.min, 1)
    }, now ${pyE(lrAt(sch, last), 6)}`,
  );
  row("", curve.cells);
  const a = curve.markerAt(first);
  const b = curve.markerAt(last);
  row("", `${" ".repeat(a)}${"^".repeat(Math.max(1, b - a + 1))} this job`);
  row("checkpoint", `${s.ckptDir} (${humanSize(s.ckptBytes)})`);
  row(
    "export",
    s.exportDir === ""
      ? s.exportFormat
      : `${s.exportDir} (${s.exportFormat}, ${s.exportFiles} file${
        s.exportFiles === 1 ? "" : "s"
      }, ${humanSize(s.exportBytes)})`,
  );
  row("incidents", s.incidents.length === 0 ? "none" : s.incidents[0]!);
  for (const i of s.incidents.slice(1)) row("", i);
  run.lines(out);
}
