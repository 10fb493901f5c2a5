/**
 * One coherent training scenario per run, and every number derived from it.
 *
 * A scenario fixes the identity (model, GPU, nodes, world size), the
 * parallelism and sharding, the precision, the batch, the learning-rate
 * schedule and the model FLOPs utilisation; from these follow the step time,
 * throughput, memory per GPU, checkpoint sizes and the plan of the run
 * (resume point, log/eval/save intervals, an optional failure) that fits the
 * pretend-time budget of one module run.
 *
 * @module
 */

import type { Rng } from "../../core/rng.ts";
import { DATASETS, type DatasetSpec, GPUS, type GpuSpec, MODELS, type ModelSpec } from "./data.ts";
import { chinchilla, type CurveParams, type Spike } from "./loss.ts";
import { checkpointBytes } from "./export.ts";
import { megatronMemory, paddedVocab, type RankMemory, shardedMemory } from "./memory.ts";
import type { LrSchedule } from "./schedule.ts";

/** The software stack a run prints as. */
export type Flavour = "hf" | "megatron" | "deepspeed";

/** Every flavour. */
export const FLAVOURS: readonly Flavour[] = ["hf", "megatron", "deepspeed"];

/** How model states are spread over the GPUs. */
export type Sharding = "megatron" | "ddp" | "fsdp" | "zero2" | "zero3";

/** Hard upper bound of one run, in pretend milliseconds. */
export const MAX_RUN_MS = 300_000;

/** Software versions printed in the log. */
export interface Versions {
  torch: string;
  cudaTag: string;
  nccl: string;
  runPyLine: number;
  transformers: string;
  accelerate: string;
  deepspeed: string;
  wandb: string;
  python: string;
}

/** The machines. */
export interface Cluster {
  gpu: GpuSpec;
  nodes: number;
  gpusPerNode: number;
  world: number;
  hosts: string[];
  user: string;
  jobId: number;
  port: number;
  /** The torchrun agent's PID on the first node; workers follow it. */
  agentPid: number;
  /** `cudaDriverVersion` as NCCL prints it (12040 for CUDA 12.4). */
  cudaDriverVersion: number;
  /** Node IP prefix, e.g. `10.10.1.`. */
  ipBase: string;
}

/** Parallel layout. */
export interface Parallel {
  tp: number;
  pp: number;
  dp: number;
  sharding: Sharding;
  recompute: "selective" | "full" | "checkpointing" | "none";
}

/** Batch shape. */
export interface Batch {
  micro: number;
  gradAccum: number;
  /** Sequences per optimizer step. */
  global: number;
  seq: number;
  tokensPerStep: number;
}

/**
 * What goes wrong. Local faults can happen on any job: an uncorrectable ECC
 * error (Xid 48), a GPU that falls off the bus (Xid 79), an uncorrectable
 * NVLink error (Xid 74), a collective that hangs until the NCCL watchdog's
 * timeout. Network faults need a peer on another node: an InfiniBand
 * completion error, or a remote rank's host closing its connection.
 */
export type FailureKind = "ecc" | "xid79" | "nvlink" | "watchdog" | "ib" | "peer";

/** Failure kinds that need more than one node. */
export const NETWORK_FAILURES: readonly FailureKind[] = ["ib", "peer"];

/** A failure injected into the run. */
export interface Failure {
  /** The step at which it happens (the step does not finish). */
  atStep: number;
  kind: FailureKind;
  /** Node index and local rank of the rank that dies (or hangs). */
  node: number;
  localRank: number;
  /** Network faults: the node at the other end of the broken connection. */
  peerNode: number;
  /** The collective the ranks were in: `ALLREDUCE` or `_ALLGATHER_BASE`, its sequence number and size. */
  op: string;
  seqNum: number;
  numel: number;
  /** The checkpoint step the restarted job resumes from. */
  resumeFrom: number;
  /** Seconds until the failure is noticed on the console's node, and until the restart. */
  detectSec: number;
  restartSec: number;
}

/** What happens during the run and how long it takes. */
export interface Plan {
  /** Steps of the whole schedule (`--train-iters`, `Total optimization steps`). */
  totalSteps: number;
  /** The last step this job runs: `totalSteps`, or an `--exit-interval` boundary. */
  endStep: number;
  /** Megatron `--exit-interval` (null: run to the end). */
  exitInterval: number | null;
  /** Step of the checkpoint the run resumes from (0: a fresh run). */
  startStep: number;
  logInterval: number;
  evalInterval: number;
  saveInterval: number;
  /** Evaluation batches (Megatron `--eval-iters`) or examples (HF, DeepSpeed). */
  evalSize: number;
  evalSec: number;
  saveSec: number;
  loadSec: number;
  /** Seconds of the start-up phases (before the first step). */
  startupSec: number;
  /** Seconds after the last step (final save, evaluation, export, summary). */
  finalSec: number;
  exportSec: number;
  /** Examples per epoch and epochs (HF and DeepSpeed). */
  numExamples: number;
  /** HF `max_steps` (-1: train for `epochs`). */
  maxSteps: number;
  epochs: number;
  stepsPerEpoch: number;
  failure: Failure | null;
  /** The pretend duration this plan was fitted to, in ms. */
  budgetMs: number;
  /** The plan's own estimate of the whole run, in ms. */
  estimateMs: number;
}

/** One corpus of a training mixture and its sampling weight. */
export interface BlendPart {
  dataset: DatasetSpec;
  weight: number;
}

/** One coherent run. */
export interface Scenario {
  flavour: Flavour;
  model: ModelSpec;
  /** The main corpus (the only one unless `blend` mixes several). */
  dataset: DatasetSpec;
  /** The training mixture: the main corpus alone (weight 1) or several with weights. */
  blend: BlendPart[];
  cluster: Cluster;
  precision: "bf16" | "fp16";
  parallel: Parallel;
  batch: Batch;
  schedule: LrSchedule;
  /** Model FLOPs utilisation the run achieves. */
  mfu: number;
  /** Training FLOPs per token: 6·N + 12·L·h·s. */
  flopsPerToken: number;
  /** Peak dense TFLOP/s of the GPU in the run's precision. */
  peakTflops: number;
  /** Seconds per optimizer step. */
  stepSec: number;
  memory: RankMemory & { reserved: number; nvsmiUsedMiB: number; steady: number };
  curves: CurveParams;
  /** Validation minus training loss (run constant). */
  valGap: number;
  plan: Plan;
  versions: Versions;
  names: Names;
  /** The fp16 loss scale at the start (1 for bf16). */
  lossScale: number;
  /** The collective timeout the job was started with, in seconds. */
  timeoutSec: number;
}

/** Paths and names of the run. */
export interface Names {
  /** Short lowercase model tag, `llama-3-8b`. */
  tag: string;
  runName: string;
  wandbEntity: string;
  wandbProject: string;
  wandbId: string;
  outDir: string;
  config: string;
  workdir: string;
  dataPath: string;
}

/** Training FLOPs per token (the Megatron/PaLM formula without recomputation). */
export function flopsPerToken(m: ModelSpec, seq: number): number {
  return 6 * m.params + 12 * m.layers * m.hidden * seq;
}

/** Step time in seconds for `tokens` per step on `world` GPUs at `mfu`. */
export function stepSeconds(
  tokens: number,
  fpt: number,
  mfu: number,
  peakTflops: number,
  world: number,
): number {
  return (tokens * fpt) / (mfu * peakTflops * 1e12 * world);
}

const TORCH: readonly Omit<
  Versions,
  "transformers" | "accelerate" | "deepspeed" | "wandb" | "python"
>[] = [
  { torch: "2.4.1", cudaTag: "12.4", nccl: "2.20.5", runPyLine: 779 },
  { torch: "2.5.1", cudaTag: "12.4", nccl: "2.21.5", runPyLine: 793 },
  { torch: "2.6.0", cudaTag: "12.4", nccl: "2.21.5", runPyLine: 793 },
  { torch: "2.7.1", cudaTag: "12.6", nccl: "2.26.2", runPyLine: 766 },
  { torch: "2.7.1", cudaTag: "12.8", nccl: "2.26.2", runPyLine: 766 },
];

/**
 * Whether a torch build runs on a GPU: Blackwell (sm_100) needs the CUDA 12.8
 * builds (torch 2.7+); the CUDA 12.8 builds no longer carry Volta (sm_70).
 */
export function buildSupports(cudaTag: string, gpu: GpuSpec): boolean {
  const cc = Number(gpu.computeCap);
  if (cc >= 10) return Number(cudaTag) >= 12.8;
  if (cc < 7.5) return Number(cudaTag) < 12.8;
  return true;
}

const USERS = [
  "alice",
  "kchen",
  "rpatel",
  "mlops",
  "jdoe",
  "yuki",
  "svc-train",
  "okafor",
  "mgarcia",
  "lwang",
];
const ENTITIES = ["acme-research", "foundation-team", "llm-infra", "applied-ml", "skunkworks-ai"];
const ADJ = [
  "winter",
  "silent",
  "brisk",
  "golden",
  "misty",
  "crimson",
  "lively",
  "ancient",
  "cosmic",
  "gentle",
  "fluent",
  "vivid",
];
const NOUN = [
  "waterfall",
  "meadow",
  "forest",
  "river",
  "glade",
  "sunset",
  "thunder",
  "lake",
  "galaxy",
  "breeze",
  "canyon",
  "dawn",
];

function hostPrefix(gpu: GpuSpec, rng: Rng): string {
  const s = gpu.short.toLowerCase().replace(/[^a-z0-9]/g, "");
  return rng.pick([
    `gpu-${s}-`,
    `${s}-node`,
    "node",
    gpu.formFactor === "SXM" ? `hgx-${s}-` : `ws-${s}-`,
  ]);
}

function makeCluster(rng: Rng, gpu: GpuSpec, nodes: number, versions: Versions): Cluster {
  const prefix = hostPrefix(gpu, rng);
  const first = rng.int(0, 40) * (nodes >= 32 ? 1 : rng.int(1, 4)) + 1;
  const digits = nodes + first > 999 ? 4 : 3;
  const hosts = Array.from(
    { length: nodes },
    (_, i) => `${prefix}${String(first + i).padStart(digits, "0")}`,
  );
  const [maj, min] = gpu.cuda.split(".").map(Number) as [number, number];
  void versions;
  return {
    gpu,
    nodes,
    gpusPerNode: gpu.gpusPerNode,
    world: nodes * gpu.gpusPerNode,
    hosts,
    user: rng.pick(USERS),
    jobId: rng.int(1_200_000, 9_800_000),
    port: rng.pick([29500, 29500, 29400, 6000, 12355]),
    agentPid: rng.int(1800, 90000),
    cudaDriverVersion: maj * 1000 + min * 10,
    ipBase: `10.${rng.pick([10, 20, 64, 128, 200])}.${rng.int(0, 9)}.`,
  };
}

function drawVersions(rng: Rng, gpu: GpuSpec): Versions {
  const driverCuda = Number(gpu.cuda);
  const options = TORCH.filter((t) =>
    Number(t.cudaTag) <= driverCuda && buildSupports(t.cudaTag, gpu)
  );
  const t = options.length > 0 ? rng.pick(options) : { ...TORCH[0]!, cudaTag: "12.1" };
  const cudaTag = Number(t.cudaTag) > driverCuda ? gpu.cuda : t.cudaTag;
  return {
    ...t,
    cudaTag,
    transformers: rng.pick(["4.44.2", "4.46.3", "4.48.3", "4.51.3"]),
    accelerate: rng.pick(["0.34.2", "1.2.1", "1.6.0"]),
    deepspeed: rng.pick(["0.14.4", "0.15.4", "0.16.4"]),
    wandb: rng.pick(["0.17.9", "0.18.7", "0.19.8"]),
    python: rng.pick(["3.10", "3.11", "3.12"]),
  };
}

/** A short lowercase tag for paths and run names: `llama-3.1-8b`. */
export function modelTag(m: ModelSpec): string {
  return m.name.toLowerCase().replace(/[^a-z0-9.]+/g, "-").replace(/-+$/, "");
}

function niceRound(x: number, choices: readonly number[]): number {
  let best = choices[0] as number;
  for (const c of choices) if (Math.abs(Math.log(c / x)) < Math.abs(Math.log(best / x))) best = c;
  return best;
}

function peakFor(gpu: GpuSpec, precision: "bf16" | "fp16"): number {
  return precision === "bf16" ? gpu.bf16Tflops : gpu.fp16Tflops;
}

function memoryView(rng: Rng, mem: RankMemory, gpu: GpuSpec): Scenario["memory"] {
  const cap = gpu.memoryMiB * 2 ** 20;
  const reserved = Math.min(cap * 0.965, mem.peak * rng.float(1.03, 1.12));
  const context = rng.int(480, 720) * 2 ** 20;
  const nvsmiUsedMiB = Math.min(
    gpu.memoryMiB - rng.int(40, 400),
    Math.round((reserved + context) / 2 ** 20),
  );
  return { ...mem, reserved, nvsmiUsedMiB, steady: mem.states + mem.buffers * 0.4 };
}

function gpuWeights(gpus: readonly GpuSpec[], table: Record<string, number>): number[] {
  return gpus.map((g) => table[g.name] ?? 1);
}

/** Loss offset of a corpus's domain against web text (code and math are more predictable). */
export function domainOffset(d: DatasetSpec): number {
  return d.domain === "code" ? -0.78 : d.domain === "math" ? -0.45 : d.domain === "chat" ? -0.1 : 0;
}

/** Loss offset of a tokenizer: a bigger vocabulary packs more text into a token. */
export function tokenizerOffset(m: ModelSpec): number {
  return 0.09 * Math.log(m.vocab / 50_000);
}

/**
 * Fine-tuning loss at the first and the last step: lower for bigger models,
 * for code and math, and for smaller vocabularies (a 355M GPT-2 on chat data
 * stays near 2, a 7B model ends near 1, math SFT well below).
 */
export function finetuneLevels(
  rng: Rng,
  m: ModelSpec,
  d: DatasetSpec,
): { start: number; end: number } {
  const size = Math.max(0.55, 0.78 + 0.2 * Math.log(2e10 / m.params));
  const domain = d.domain === "math" ? 0.55 : d.domain === "code" ? 0.72 : 1;
  const end = size * domain * (1 + 0.6 * tokenizerOffset(m)) * rng.float(0.94, 1.06);
  return { start: end * rng.float(1.25, 1.6), end };
}

/** Pretraining loss offset over the Chinchilla fit for a corpus and a model. */
function pretrainOffset(d: DatasetSpec, m: ModelSpec): number {
  return domainOffset(d) + tokenizerOffset(m);
}

/** Tokens of `d` in the tokenizer of `m` (the table counts in a 32k-vocabulary tokenizer). */
export function corpusTokens(d: DatasetSpec, m: ModelSpec): number {
  return d.tokens * (32_000 / m.vocab) ** 0.12;
}

/**
 * `run_clm.py`'s train blocks: the 95 % train split tokenized and grouped into
 * `seq`-token blocks. The same for every run of one dataset, tokenizer and block size.
 */
export function trainBlocks(
  d: DatasetSpec,
  m: ModelSpec,
  seq: number,
  capTokens = Infinity,
): number {
  return Math.floor((Math.min(capTokens, corpusTokens(d, m)) * 0.95) / seq);
}

/** Draws a scenario; `flavour` forces the stack (tests). */
export function drawScenario(rng: Rng, flavour?: Flavour): Scenario {
  const f = flavour ?? rng.weighted(FLAVOURS, [0.36, 0.34, 0.3]);
  for (let attempt = 0; attempt < 400; attempt++) {
    const sc = f === "megatron" ? drawMegatron(rng) : f === "hf" ? drawHf(rng) : drawDeepspeed(rng);
    if (sc) return sc;
  }
  throw new Error(`no ${f} scenario fits`);
}

// ---------------------------------------------------------------- shared plan fitting

interface FitInput {
  stepSec: number;
  startupSec: number;
  finalSec: number;
  /** Seconds added per step of the window by periodic events (eval, save) on average. */
  perStepOverhead: number;
  budgetSec: number;
}

/** How many steps fit the budget. */
function windowSteps(i: FitInput): number {
  return Math.floor((i.budgetSec - i.startupSec - i.finalSec) / (i.stepSec + i.perStepOverhead));
}

function drawSpikes(rng: Rng, from: number, to: number, pretrain: boolean): Spike[] {
  const spikes: Spike[] = [];
  const span = to - from;
  if (span >= 10 && rng.chance(0.35)) {
    spikes.push({
      step: from + Math.floor(span * rng.float(0.15, 0.7)),
      height: pretrain ? rng.float(0.12, 0.6) : rng.float(0.15, 0.8),
      tau: Math.max(2, span * rng.float(0.03, 0.1)),
      gradMult: rng.float(2.5, 8),
    });
  }
  return spikes;
}

/** The job's shape as the failure draw needs it. */
interface Shape {
  nodes: number;
  gpusPerNode: number;
  /** Elements of the gradient buckets all-reduced each step (for the collective's size). */
  bucketNumel: number;
  /** The collective timeout (seconds) the launcher configured, when a hang may be drawn. */
  timeoutSec: number;
  /** Whether the GPUs talk over NVLink (an NVLink error needs NVLink). */
  nvlink?: boolean;
}

/** Whether the GPUs of a node are linked by NVLink (SXM boards, NVL bridged pairs). */
export function hasNvlink(gpu: GpuSpec): boolean {
  return gpu.formFactor === "SXM" || gpu.name.includes(" NVL");
}

/** Draws what fails: the kind fits the job (network faults only with peers on other nodes). */
export function drawFailure(
  rng: Rng,
  shape: Shape,
  atStep: number,
  resumeFrom: number,
  allowHang: boolean,
): Failure {
  const multi = shape.nodes > 1;
  const kinds: FailureKind[] = ["ecc", "xid79"];
  const weights = [0.3, 0.25];
  if (shape.nvlink !== false) {
    kinds.push("nvlink");
    weights.push(0.2);
  }
  if (allowHang) {
    kinds.push("watchdog");
    weights.push(0.25);
  }
  if (multi) {
    kinds.push("ib", "peer");
    weights.push(0.45, 0.25);
  }
  const kind = rng.weighted(kinds, weights);
  const node = rng.int(0, shape.nodes - 1);
  let peerNode = node;
  if (multi) {
    peerNode = rng.int(0, shape.nodes - 2);
    if (peerNode >= node) peerNode++;
  }
  const op = rng.weighted(["ALLREDUCE", "_ALLGATHER_BASE", "_REDUCE_SCATTER_BASE"], [
    0.6,
    0.2,
    0.2,
  ]);
  return {
    atStep,
    kind,
    node,
    localRank: rng.int(0, shape.gpusPerNode - 1),
    peerNode,
    op,
    seqNum: 0,
    numel: Math.max(1 << 20, Math.round(shape.bucketNumel / 2 ** 16) * 2 ** 16),
    resumeFrom,
    detectSec: kind === "watchdog" ? shape.timeoutSec + rng.float(0.02, 0.09) : rng.float(2, 7),
    restartSec: rng.float(6, 14),
  };
}

function finishPlan(
  rng: Rng,
  base: Omit<Plan, "failure" | "estimateMs">,
  stepSec: number,
  savePoints: (from: number, to: number) => number[],
  reloadSec: number,
  shape: Shape,
): Plan {
  let failure: Failure | null = null;
  const window = base.endStep - base.startStep;
  if (window >= 12 && rng.chance(0.3)) {
    const at = base.startStep + Math.max(3, Math.floor(window * rng.float(0.3, 0.75)));
    const saves = savePoints(base.startStep, at - 1);
    const resumeFrom = saves.length > 0 ? saves[saves.length - 1] as number : base.startStep;
    if (resumeFrom > 0) {
      const room = base.budgetMs / 1000 - base.startupSec - window * stepSec - base.finalSec;
      failure = drawFailure(rng, shape, at, resumeFrom, shape.timeoutSec <= 180 && room > 0);
    }
  }
  const evals = savePointsOf(base.startStep, base.endStep - 1, base.evalInterval).length;
  const saves = savePoints(base.startStep, base.endStep - 1).length;
  let est = base.startupSec + window * stepSec + evals * base.evalSec + saves * base.saveSec +
    base.finalSec;
  if (failure) {
    est += failure.detectSec + failure.restartSec + reloadSec +
      (failure.atStep - failure.resumeFrom) * stepSec;
  }
  return { ...base, failure, estimateMs: est * 1000 };
}

/** Multiples of `interval` in (from, to]. */
export function savePointsOf(from: number, to: number, interval: number): number[] {
  const out: number[] = [];
  if (interval <= 0) return out;
  for (let s = (Math.floor(from / interval) + 1) * interval; s <= to; s += interval) out.push(s);
  return out;
}

function names(
  rng: Rng,
  m: ModelSpec,
  kind: string,
  workdir: string,
  dataPath: string,
  config: string,
  outDir: string,
): Names {
  const tag = modelTag(m);
  return {
    tag,
    runName: rng.chance(0.5)
      ? `${tag}-${kind}-${rng.pick(["v1", "v2", "run3", "lr-sweep-2", "final", "ablate-data"])}`
      : `${rng.pick(ADJ)}-${rng.pick(NOUN)}-${rng.int(1, 97)}`,
    wandbEntity: rng.pick(ENTITIES),
    wandbProject: kind === "pt"
      ? rng.pick(["pretrain", "foundation", `${tag}-pretrain`])
      : rng.pick(["sft", "finetune", `${tag}-sft`, "post-training"]),
    wandbId: Array.from({ length: 8 }, () => rng.pick([..."abcdefghijklmnopqrstuvwxyz0123456789"]))
      .join(""),
    outDir,
    config,
    workdir,
    dataPath,
  };
}

// ---------------------------------------------------------------- Megatron-LM pretraining

function drawMegatron(rng: Rng): Scenario | null {
  const gpus = GPUS.filter((g) => g.roles.includes("pretrain"));
  const gpu = rng.weighted(
    gpus,
    gpuWeights(gpus, {
      "NVIDIA H100 80GB HBM3": 8,
      "NVIDIA H200": 4,
      "NVIDIA A100-SXM4-80GB": 4,
      "NVIDIA B200": 3,
      "NVIDIA GB200": 1.5,
      "NVIDIA H800": 1.5,
      "NVIDIA A800-SXM4-80GB": 1,
      "NVIDIA GH200 480GB": 1,
      "NVIDIA A100-SXM4-40GB": 1,
      "Tesla V100-SXM2-32GB": 0.6,
    }),
  );
  const precision = gpu.bf16Tflops > 0 ? "bf16" : "fp16";
  const peak = peakFor(gpu, precision);
  const models = MODELS.filter((m) => m.params >= 1e9 && m.modelType !== "gpt2");
  const model = rng.pick(models);
  const seq = model.context >= 8192 ? rng.pick([4096, 8192, 8192]) : Math.min(model.context, 4096);
  const P = model.params;
  const tokTarget = P < 4e9
    ? rng.pick([1, 2]) * 2 ** 20
    : P < 20e9
    ? rng.pick([2, 4]) * 2 ** 20
    : P < 150e9
    ? 4 * 2 ** 20
    : rng.pick([8, 16]) * 2 ** 20;
  const global = Math.max(64, Math.round(tokTarget / seq));
  const mfu = gpu.arch === "Volta"
    ? rng.float(0.3, 0.4)
    : gpu.arch === "Blackwell"
    ? rng.float(0.34, 0.46)
    : rng.float(0.38, 0.5);
  const fpt = flopsPerToken(model, seq);
  const tokens = global * seq;
  const gpn = gpu.gpusPerNode;
  const feasible: {
    nodes: number;
    tp: number;
    pp: number;
    mbs: number;
    recompute: "selective" | "full";
    mem: RankMemory;
    step: number;
  }[] = [];
  const pipelineFirst = P >= 30e9 && rng.chance(0.55);
  for (const nodes of [4, 8, 16, 32, 64, 128, 256, 512]) {
    const world = nodes * gpn;
    const step = stepSeconds(tokens, fpt, mfu, peak, world);
    if (step < 1.2 || step > 20) continue;
    const cfg = bestMegatronLayout(model, world, gpn, global, seq, gpu, pipelineFirst);
    if (cfg) feasible.push({ nodes, ...cfg, step });
  }
  if (feasible.length === 0) return null;
  const pickF = rng.pick(feasible);
  const { nodes, tp, pp, mbs, recompute, mem, step } = pickF;
  const versions = drawVersions(rng, gpu);
  const cluster = makeCluster(rng, gpu, nodes, versions);
  const dp = cluster.world / (tp * pp);
  const logInterval = [1, 2, 5, 10, 20, 50, 100].find((k) => k * step >= 3) ?? 100;
  // the corpus bounds the tokens: at most four passes over it
  const wanted = Math.min(1.6e13, Math.max(1e11, P * rng.float(25, 220)));
  const corpora = DATASETS.filter((d) => d.kind === "pretrain");
  const roomy = corpora.filter((d) => corpusTokens(d, model) * 4 >= wanted);
  const dataset = rng.pick(roomy.length > 0 && rng.chance(0.85) ? roomy : corpora);
  const totalTokens = Math.min(wanted, corpusTokens(dataset, model) * rng.float(0.6, 4));
  const totalSteps = Math.floor(totalTokens / tokens / 1000) * 1000;
  if (totalSteps < 2_000) return null;
  const blend = drawBlend(rng, dataset, model, totalSteps * tokens);
  const peakLr = P < 2e9
    ? rng.pick([4e-4, 6e-4])
    : P < 10e9
    ? 3e-4
    : P < 40e9
    ? rng.pick([2e-4, 1.5e-4])
    : P < 150e9
    ? 1.5e-4
    : 8e-5;
  const warmup = Math.min(2000, Math.round(totalSteps * 0.01 / 100) * 100 || 100);
  const decaySteps = rng.chance(0.7) ? totalSteps : Math.round(totalSteps * 0.95 / 100) * 100;
  const schedule: LrSchedule = {
    kind: rng.chance(0.85) ? "megatron-cosine" : "megatron-linear",
    peak: peakLr,
    min: Number((rng.chance(0.8) ? peakLr / 10 : peakLr / 100).toPrecision(6)),
    warmup,
    decaySteps,
  };
  const ckptBytes = 14 * P;
  const writeRate = nodes * rng.float(2.5, 8) * 1e9;
  const saveSec = ckptBytes / writeRate + rng.float(2, 5);
  const loadSec = ckptBytes / (nodes * rng.float(5, 14) * 1e9) + rng.float(3, 7);
  const evalIters = [100, 50, 20, 10, 5].find((k) => (k * step) / 3 <= 12) ?? 5;
  const evalSec = (evalIters * step) / 3 + 0.5;
  const exportBytes = 2 * P;
  const exportRate = rng.float(1.5, 3.5) * 1e9;
  const exportSec = exportBytes / exportRate <= 40 ? exportBytes / exportRate + 6 : 2;
  const startupSec = 22 + loadSec + rng.float(0, 8);
  const budgetSec = rng.float(90, 255);
  const distTimeoutSec = rng.chance(0.3) ? 120 : 600;
  const fullFinal = saveSec + 2 * evalSec + exportSec + 16;
  let w = windowSteps({
    stepSec: step,
    startupSec,
    finalSec: fullFinal,
    perStepOverhead: 0,
    budgetSec,
  });
  w = Math.min(w, 400);
  // The job loads a checkpoint that was saved: on the save grid. Saves come every
  // few hundred iterations, so the window holds at least one save interval.
  const saveInterval = [1000, 500, 250, 200, 100, 50, 25, 20, 10].find((k) =>
    k <= w * 0.9 && k * step >= 100
  );
  if (!saveInterval || w < 3 * logInterval) return null;
  const evalInterval = saveInterval * rng.pick([1, 2, 4]);
  // Either the job runs to the end of the schedule, or it is one chunk of it,
  // ending at an `--exit-interval` boundary with the LR still decaying.
  const chunked = rng.chance(0.35);
  let startStep: number;
  let endStep: number;
  let exitInterval: number | null = null;
  if (chunked) {
    const per = Math.floor(w / saveInterval);
    exitInterval = saveInterval * rng.pick([4, 5, 10]);
    const chunks = Math.floor((totalSteps - 1) / exitInterval);
    if (chunks < 2 || per < 1) return null;
    endStep = rng.int(1, chunks) * exitInterval;
    startStep = endStep - rng.int(1, per) * saveInterval;
  } else {
    endStep = totalSteps;
    startStep = Math.ceil((totalSteps - w) / saveInterval) * saveInterval;
  }
  if (startStep < warmup * 2 || startStep >= endStep) return null;
  const finalSec = chunked ? saveSec + 8 : fullFinal;
  const savePoints = (a: number, b: number) => savePointsOf(a, b, saveInterval);
  const plan = finishPlan(
    rng,
    {
      totalSteps,
      endStep,
      exitInterval,
      startStep,
      logInterval,
      evalInterval,
      saveInterval,
      evalSize: evalIters,
      evalSec,
      saveSec,
      loadSec,
      startupSec,
      finalSec,
      exportSec,
      numExamples: 0,
      maxSteps: -1,
      epochs: 1,
      stepsPerEpoch: totalSteps,
      budgetMs: budgetSec * 1000,
    },
    step,
    savePoints,
    startupSec + 10,
    {
      nodes,
      gpusPerNode: gpn,
      bucketNumel: Math.max(40_000_000, 1_000_000 * (cluster.world / (tp * pp))),
      timeoutSec: distTimeoutSec,
    },
  );
  if (plan.estimateMs > 285_000) return null;
  const curves: CurveParams = {
    kind: "pretrain",
    params: P,
    tokensPerStep: tokens,
    offset: blend.reduce((a, b) => a + b.weight * domainOffset(b.dataset), 0) +
      tokenizerOffset(model) + rng.float(-0.04, 0.06),
    start: 0,
    end: 0,
    tau: 1,
    gamma: 1,
    stepsPerEpoch: totalSteps,
    epochs: 1,
    epochDrop: 0,
    totalSteps,
    noiseSd: rng.float(0.008, 0.02),
    rho: rng.float(0.3, 0.7),
    spikes: drawSpikes(rng, startStep, endStep, true),
    gradBase: rng.float(0.15, 0.55),
    gradDrift: rng.float(0.2, 0.8),
    gradEarly: 0,
    gradEarlyTau: 1,
    gradSd: rng.float(0.04, 0.1),
    overflowRate: precision === "fp16" ? 0.01 : 0,
  };
  const tag = modelTag(model);
  return {
    flavour: "megatron",
    model,
    dataset,
    blend,
    cluster,
    precision,
    parallel: { tp, pp, dp, sharding: "megatron", recompute },
    batch: { micro: mbs, gradAccum: global / (mbs * dp), global, seq, tokensPerStep: tokens },
    schedule,
    mfu,
    flopsPerToken: fpt,
    peakTflops: peak,
    stepSec: step,
    memory: memoryView(rng, mem, gpu),
    curves,
    valGap: rng.float(-0.03, 0.03),
    plan,
    versions,
    timeoutSec: distTimeoutSec,
    names: names(
      rng,
      model,
      "pt",
      "~/Megatron-LM",
      dataPathFor(dataset),
      `configs/${tag}.yaml`,
      `/lustre/ckpt/${tag}`,
    ),
    lossScale: precision === "fp16" ? 2 ** rng.int(13, 17) : 1,
  };
}

function bestMegatronLayout(
  m: ModelSpec,
  world: number,
  gpn: number,
  global: number,
  seq: number,
  gpu: GpuSpec,
  preferPipeline: boolean,
) {
  const cap = gpu.memoryMiB * 2 ** 20 * 0.86;
  const layouts: { tp: number; pp: number }[] = [];
  for (const tp of [1, 2, 4, 8]) {
    if (tp > gpn || m.heads % tp !== 0 || m.kvHeads % tp !== 0) continue;
    for (const pp of [1, 2, 4, 8, 16]) {
      if (m.layers % pp !== 0 || world % (tp * pp) !== 0) continue;
      layouts.push({ tp, pp });
    }
  }
  layouts.sort((a, b) => a.tp * a.pp - b.tp * b.pp || a.pp - b.pp);
  const fits = (tp: number, pp: number) => {
    const dp = world / (tp * pp);
    for (const recompute of ["selective", "full"] as const) {
      for (const mbs of [4, 2, 1]) {
        if (global % (mbs * dp) !== 0) continue;
        const microBatches = global / (mbs * dp);
        if (pp > 1 && microBatches < pp) continue;
        const mem = megatronMemory(m, { tp, pp, dp, mbs, seq, microBatches, recompute });
        if (mem.peak <= cap) return { tp, pp, mbs, recompute, mem };
      }
    }
    return null;
  };
  // big models are often split into pipeline stages across nodes (TP within the node)
  if (preferPipeline) {
    for (const { tp, pp } of layouts) {
      if (pp < 2 || tp !== Math.min(8, gpn)) continue;
      const cfg = fits(tp, pp);
      if (cfg) return cfg;
    }
  }
  for (const { tp, pp } of layouts) {
    const cfg = fits(tp, pp);
    if (cfg) return cfg;
  }
  return null;
}

// ---------------------------------------------------------------- HF Trainer fine-tune

function drawHf(rng: Rng): Scenario | null {
  const gpus = GPUS.filter((g) => g.roles.includes("finetune"));
  const gpu = rng.weighted(
    gpus,
    gpuWeights(gpus, {
      "NVIDIA A100-SXM4-80GB": 6,
      "NVIDIA H100 80GB HBM3": 6,
      "NVIDIA H200": 2,
      "NVIDIA L40S": 2,
      "NVIDIA A100-SXM4-40GB": 2,
      "NVIDIA RTX A6000": 1.5,
      "NVIDIA GeForce RTX 4090": 1.5,
      "NVIDIA RTX 6000 Ada Generation": 1.2,
    }),
  );
  const precision = gpu.bf16Tflops > 0 ? "bf16" : "fp16";
  const peak = peakFor(gpu, precision);
  const nodes = gpu.formFactor === "PCIe-fan" ? 1 : rng.weighted([1, 2], [0.75, 0.25]);
  const world = nodes * gpu.gpusPerNode;
  const model = rng.pick(MODELS.filter((m) => m.params <= 15e9));
  const seq = Math.min(model.context, rng.weighted([1024, 2048, 4096, 8192], [1, 3, 3, 1]));
  const cap = gpu.memoryMiB * 2 ** 20;
  const checkpointing = model.params >= 1e9;
  const ddpMem = shardedMemory(model, { sharding: "ddp", dp: world, mbs: 1, seq, checkpointing });
  const sharding = ddpMem.peak <= cap * 0.6 ? "ddp" : "fsdp";
  let mbs = 0;
  let mem: RankMemory | null = null;
  for (const b of [16, 8, 4, 2, 1]) {
    const m = shardedMemory(model, { sharding, dp: world, mbs: b, seq, checkpointing });
    if (m.peak <= cap * 0.85) {
      mbs = b;
      mem = m;
      break;
    }
  }
  if (!mem) return null;
  mbs = Math.min(mbs, rng.pick([mbs, Math.max(1, mbs / 2)]));
  mem = shardedMemory(model, { sharding, dp: world, mbs, seq, checkpointing });
  const gaChoices = [1, 2, 4, 8, 16].filter((g) => mbs * world * g >= 16 && mbs * world * g <= 256);
  if (gaChoices.length === 0) return null;
  const gradAccum = rng.pick(gaChoices);
  const global = mbs * world * gradAccum;
  const tokens = global * seq;
  const mfu = checkpointing ? rng.float(0.2, 0.36) : rng.float(0.22, 0.4);
  const fpt = flopsPerToken(model, seq);
  const step = stepSeconds(tokens, fpt, mfu, peak, world);
  if (step < 0.35 || step > 15) return null;
  const dataset = rng.pick(DATASETS.filter((d) => d.kind === "sft"));
  // a fixed count for this dataset, tokenizer and block size
  const numExamples = trainBlocks(dataset, model, seq);
  if (numExamples < global * 4) return null;
  const epochs = rng.weighted([1, 2, 3], [0.4, 0.3, 0.3]);
  const budgetSec = rng.float(80, 250);
  const distTimeoutSec = rng.chance(0.3) ? 120 : 1800;
  const writeRate = rng.float(3, 8) * 1e9;
  const saveSec = checkpointBytes("hf", model.params) / writeRate + 1;
  const ggufRate = rng.float(0.5, 1.4) * 1e9;
  const exportSec = (2 * model.params) / ggufRate + 4;
  const finalSaveSec = (4 * model.params) / writeRate + 1;
  const loadSec = (4 * model.params) / (rng.float(2, 6) * 1e9) + 1;
  const startupSec = 20 + loadSec;
  const evalSecPerEx = (seq * fpt) / 3 / (mfu * 1.3 * peak * 1e12 * world);
  const evalSec0 = (n: number) => n * evalSecPerEx + 0.8;
  const firstGuess = windowSteps({
    stepSec: step,
    startupSec,
    finalSec: finalSaveSec + exportSec + 18,
    perStepOverhead: step * 0.35,
    budgetSec,
  });
  if (firstGuess < 30) return null;
  const lenDl = Math.ceil(Math.ceil(numExamples / world) / mbs);
  const stepsPerEpoch = Math.max(1, Math.ceil(lenDl / gradAccum));
  // The time budget is met with `max_steps` or by resuming near the end, never by shrinking the data.
  let totalSteps = epochs * stepsPerEpoch;
  let maxSteps = -1;
  if (totalSteps > firstGuess * 12 || (totalSteps > firstGuess && rng.chance(0.5))) {
    maxSteps = Math.max(12, Math.round(firstGuess * rng.float(0.6, 1)));
    totalSteps = maxSteps;
  }
  if (totalSteps < 12) return null;
  const epochsShown = maxSteps > 0 ? Math.ceil(maxSteps / stepsPerEpoch) : epochs;
  // the 5 % validation split, capped (`--max_eval_samples`) when it would take long
  const valBlocks = Math.max(world, Math.floor((corpusTokens(dataset, model) * 0.05) / seq));
  const evalCap = [4000, 2000, 1000, 500, 200].find((k) => k * evalSecPerEx <= 8) ?? 100;
  const evalExamples = Math.max(world, Math.min(valBlocks, evalCap));
  const logInterval = [1, 5, 10, 20, 25, 50].find((k) => k * step >= 2.5) ?? 50;
  // saves and evaluations take at most about a fifth of the time between them
  const minSave = Math.ceil(((saveSec + evalSec0(evalExamples)) * 4) / step / logInterval) *
    logInterval;
  const saveInterval = Math.max(
    logInterval,
    minSave,
    Math.round(Math.min(totalSteps, firstGuess) / rng.float(2.2, 4) / logInterval) * logInterval,
  );
  const evalInterval = saveInterval;
  const evalSec = evalSec0(evalExamples);
  let startStep = 0;
  if (totalSteps > firstGuess) {
    startStep = Math.ceil((totalSteps - firstGuess) / saveInterval) * saveInterval;
    if (startStep >= totalSteps) return null;
  }
  const finalSec = finalSaveSec + evalSec + exportSec + 18;
  const plan = finishPlan(
    rng,
    {
      totalSteps,
      startStep,
      logInterval,
      evalInterval,
      saveInterval,
      evalSize: evalExamples,
      evalSec,
      saveSec,
      loadSec,
      startupSec,
      finalSec,
      exportSec,
      numExamples,
      epochs: epochsShown,
      stepsPerEpoch,
      endStep: totalSteps,
      exitInterval: null,
      maxSteps,
      budgetMs: budgetSec * 1000,
    },
    step,
    (a, b) => savePointsOf(a, b, saveInterval),
    startupSec + 24,
    {
      nodes,
      gpusPerNode: gpu.gpusPerNode,
      bucketNumel: 25 * 2 ** 20 / 4,
      timeoutSec: distTimeoutSec,
      nvlink: hasNvlink(gpu),
    },
  );
  if (plan.estimateMs > 285_000 || plan.estimateMs < 75_000) return null;
  const peakLr = rng.pick([1e-5, 2e-5, 2e-5, 5e-6, 3e-5]);
  const warmupSteps = Math.max(0, Math.round(totalSteps * rng.pick([0, 0.03, 0.05, 0.1])));
  const kind = rng.weighted(["cosine", "linear", "cosine_with_min_lr"] as const, [0.5, 0.35, 0.15]);
  const schedule: LrSchedule = {
    kind,
    peak: peakLr,
    min: kind === "cosine_with_min_lr" ? Number((peakLr * 0.1).toPrecision(6)) : 0,
    warmup: warmupSteps,
    decaySteps: totalSteps,
  };
  const levels = finetuneLevels(rng, model, dataset);
  const curves: CurveParams = {
    kind: "finetune",
    params: model.params,
    tokensPerStep: tokens,
    offset: 0,
    start: levels.start,
    end: levels.end,
    tau: Math.max(2, totalSteps * rng.float(0.02, 0.08)),
    gamma: rng.float(0.6, 1.1),
    stepsPerEpoch,
    epochs: epochsShown,
    epochDrop: epochsShown > 1 ? rng.float(0.06, 0.2) * levels.end : 0,
    totalSteps,
    noiseSd: rng.float(0.03, 0.08),
    rho: rng.float(0.2, 0.5),
    spikes: drawSpikes(rng, startStep, totalSteps, false),
    gradBase: rng.float(0.4, 1.4),
    gradDrift: rng.float(0.1, 0.5),
    gradEarly: rng.float(2, 14),
    gradEarlyTau: Math.max(2, totalSteps * 0.03),
    gradSd: rng.float(0.08, 0.18),
    overflowRate: 0,
  };
  const versions = drawVersions(rng, gpu);
  const tag = modelTag(model);
  const dsTag = dataset.id.split("/").pop()!.toLowerCase();
  return {
    flavour: "hf",
    model,
    dataset,
    blend: [{ dataset, weight: 1 }],
    cluster: makeCluster(rng, gpu, nodes, versions),
    precision,
    parallel: {
      tp: 1,
      pp: 1,
      dp: world,
      sharding,
      recompute: checkpointing ? "checkpointing" : "none",
    },
    batch: { micro: mbs, gradAccum, global, seq, tokensPerStep: tokens },
    schedule,
    mfu,
    flopsPerToken: fpt,
    peakTflops: peak,
    stepSec: step,
    memory: memoryView(rng, mem, gpu),
    curves,
    valGap: rng.float(0.02, 0.08),
    plan,
    versions,
    names: names(
      rng,
      model,
      "sft",
      "~/transformers/examples/pytorch/language-modeling",
      dataset.id,
      `configs/${tag}-${dsTag}.json`,
      `out/${tag}-${dsTag}`,
    ),
    lossScale: precision === "fp16" ? 65536 : 1,
    timeoutSec: distTimeoutSec,
  };
}

// ---------------------------------------------------------------- Accelerate + DeepSpeed ZeRO

function drawDeepspeed(rng: Rng): Scenario | null {
  const gpus = GPUS.filter((g) => g.formFactor !== "PCIe-fan" && g.bf16Tflops >= 300);
  const gpu = rng.weighted(
    gpus,
    gpuWeights(gpus, {
      "NVIDIA H100 80GB HBM3": 6,
      "NVIDIA A100-SXM4-80GB": 5,
      "NVIDIA H200": 2,
      "NVIDIA A100-SXM4-40GB": 1.5,
    }),
  );
  const precision = "bf16";
  const peak = peakFor(gpu, precision);
  const nodes = rng.weighted([1, 2, 4, 8], [0.25, 0.3, 0.3, 0.15]);
  const world = nodes * gpu.gpusPerNode;
  const model = rng.pick(MODELS.filter((m) => m.params >= 1e9 && m.params <= 75e9));
  const seq = Math.min(model.context, rng.weighted([2048, 4096, 8192], [1, 3, 2]));
  const cap = gpu.memoryMiB * 2 ** 20;
  let sharding: "zero2" | "zero3" = "zero2";
  let mem: RankMemory | null = null;
  let mbs = 0;
  const stages = model.params >= 6e9 && rng.chance(0.35)
    ? (["zero3", "zero2"] as const)
    : (["zero2", "zero3"] as const);
  for (const z of stages) {
    for (const b of [8, 4, 2, 1]) {
      const m = shardedMemory(model, { sharding: z, dp: world, mbs: b, seq, checkpointing: true });
      if (m.peak <= cap * 0.85) {
        sharding = z;
        mem = m;
        mbs = b;
        break;
      }
    }
    if (mem) break;
  }
  if (!mem) return null;
  const gaChoices = [1, 2, 4, 8, 16, 32].filter((g) => {
    const t = mbs * world * g * seq;
    return t >= 2 ** 18 && t <= 2 ** 22;
  });
  if (gaChoices.length === 0) return null;
  const gradAccum = rng.pick(gaChoices);
  const global = mbs * world * gradAccum;
  const tokens = global * seq;
  const mfu = sharding === "zero2" ? rng.float(0.3, 0.46) : rng.float(0.26, 0.42);
  const fpt = flopsPerToken(model, seq);
  const step = stepSeconds(tokens, fpt, mfu, peak, world);
  if (step < 0.8 || step > 20) return null;
  const continued = rng.chance(0.4);
  const dataset = rng.pick(DATASETS.filter((d) => d.kind === (continued ? "pretrain" : "sft")));
  const budgetSec = rng.float(90, 250);
  const writeRate = nodes * rng.float(2, 6) * 1e9;
  const saveSec = (14 * model.params) / writeRate + rng.float(1, 3);
  const loadSec = (14 * model.params) / (nodes * rng.float(4, 10) * 1e9) + 2;
  const exportSec = (2 * model.params) / (rng.float(1.5, 4) * 1e9) + 3;
  const startupSec = 26 + (2 * model.params) / (rng.float(3, 8) * 1e9);
  const evalSecPerEx = (seq * fpt) / 3 / (mfu * 1.3 * peak * 1e12 * world);
  const evalExamples = Math.max(
    world * 2,
    Math.min(4000, Math.floor(rng.float(4, 10) / evalSecPerEx)),
  );
  const evalSec = evalExamples * evalSecPerEx + 0.6;
  const finalSec = evalSec + exportSec + 16;
  const w0 = windowSteps({
    stepSec: step,
    startupSec: startupSec + (rng.chance(0.6) ? loadSec : 0),
    finalSec,
    perStepOverhead: 0,
    budgetSec,
  });
  if (w0 < 10) return null;
  const saveInterval = niceRound(w0 * rng.float(0.35, 0.6), [
    5,
    10,
    20,
    25,
    50,
    100,
    200,
    250,
    500,
    1000,
  ]);
  const w = windowSteps({
    stepSec: step,
    startupSec,
    finalSec,
    perStepOverhead: saveSec / saveInterval,
    budgetSec,
  }) - 1;
  if (w < 15) return null;
  // a fixed count for this dataset, tokenizer and block size (a corpus is read up to 50B tokens)
  const numExamples = trainBlocks(dataset, model, seq, 5e10);
  const lenDl = Math.ceil(Math.ceil(numExamples / world) / mbs);
  const stepsPerEpoch = Math.max(1, Math.ceil(lenDl / gradAccum));
  let totalSteps: number;
  if (continued) {
    totalSteps = niceRound(w * rng.float(2, 20), [
      500,
      1000,
      1500,
      2000,
      2500,
      3000,
      4000,
      5000,
      8000,
      10000,
    ]);
    if (totalSteps <= w) totalSteps = w;
  } else {
    totalSteps = rng.pick([1, 2]) * stepsPerEpoch;
    if (totalSteps > w * 8) totalSteps = Math.round(w * rng.float(1, 6));
  }
  if (totalSteps < 10) return null;
  const epochs = Math.ceil(totalSteps / stepsPerEpoch);
  if (epochs > 4) return null;
  let startStep = 0;
  if (totalSteps > w) startStep = Math.ceil((totalSteps - w) / saveInterval) * saveInterval;
  if (startStep >= totalSteps) return null;
  const logInterval = [1, 2, 5, 10, 20, 50].find((k) => k * step >= 3) ?? 50;
  const plan = finishPlan(
    rng,
    {
      totalSteps,
      startStep,
      logInterval,
      evalInterval: stepsPerEpoch,
      saveInterval,
      evalSize: evalExamples,
      evalSec,
      saveSec,
      loadSec,
      startupSec: startupSec + (startStep > 0 ? loadSec : 0),
      finalSec,
      exportSec,
      numExamples,
      maxSteps: totalSteps,
      epochs,
      stepsPerEpoch,
      endStep: totalSteps,
      exitInterval: null,
      budgetMs: budgetSec * 1000,
    },
    step,
    (a, b) => savePointsOf(a, b, saveInterval),
    startupSec + loadSec + 12,
    {
      nodes,
      gpusPerNode: gpu.gpusPerNode,
      bucketNumel: 500_000_000,
      timeoutSec: 1800,
      nvlink: hasNvlink(gpu),
    },
  );
  if (plan.estimateMs > 285_000 || plan.estimateMs < 75_000) return null;
  const peakLr = continued ? rng.pick([1e-4, 5e-5, 3e-5]) : rng.pick([1e-5, 2e-5, 5e-6]);
  const warmup = Math.max(1, Math.round(totalSteps * rng.pick([0.01, 0.03, 0.05])));
  const kind = rng.weighted(["cosine", "linear"] as const, [0.7, 0.3]);
  // continued pretraining starts where the base model's pretraining left it on this domain
  const base = chinchilla(model.params, 2e12) + pretrainOffset(dataset, model);
  const levels = continued
    ? { start: base + rng.float(0.08, 0.3), end: base + rng.float(-0.06, 0.04) }
    : finetuneLevels(rng, model, dataset);
  const versions = drawVersions(rng, gpu);
  const tag = modelTag(model);
  const dsTag = dataset.id.split("/").pop()!.toLowerCase().replace(/[^a-z0-9.-]/g, "");
  return {
    flavour: "deepspeed",
    model,
    dataset,
    blend: [{ dataset, weight: 1 }],
    cluster: makeCluster(rng, gpu, nodes, versions),
    precision,
    parallel: { tp: 1, pp: 1, dp: world, sharding, recompute: "checkpointing" },
    batch: { micro: mbs, gradAccum, global, seq, tokensPerStep: tokens },
    schedule: { kind, peak: peakLr, min: 0, warmup, decaySteps: totalSteps },
    mfu,
    flopsPerToken: fpt,
    peakTflops: peak,
    stepSec: step,
    memory: memoryView(rng, mem, gpu),
    curves: {
      kind: "finetune",
      params: model.params,
      tokensPerStep: tokens,
      offset: 0,
      start: levels.start,
      end: levels.end,
      tau: Math.max(2, totalSteps * rng.float(0.01, 0.05)),
      gamma: rng.float(0.5, 1),
      stepsPerEpoch,
      epochs,
      epochDrop: epochs > 1 ? rng.float(0.05, 0.15) * levels.end : 0,
      totalSteps,
      noiseSd: rng.float(0.015, 0.05),
      rho: rng.float(0.2, 0.6),
      spikes: drawSpikes(rng, startStep, totalSteps, continued),
      gradBase: rng.float(0.25, 1.0),
      gradDrift: rng.float(0.1, 0.6),
      gradEarly: rng.float(1, 8),
      gradEarlyTau: Math.max(2, totalSteps * 0.02),
      gradSd: rng.float(0.06, 0.14),
      overflowRate: 0,
    },
    valGap: rng.float(0.01, 0.05),
    plan,
    versions,
    timeoutSec: 1800,
    names: names(
      rng,
      model,
      continued ? "cpt" : "sft",
      "~/llm-train",
      dataset.id,
      `configs/ds_zero${sharding === "zero2" ? 2 : 3}.json`,
      `out/${tag}-${dsTag}`,
    ),
    lossScale: 1,
  };
}

/**
 * A pretraining mixture: often the main corpus alone, sometimes with code and
 * math corpora mixed in (Megatron's `--data-path w1 p1 w2 p2 ...`), each part
 * read at most four times over `tokens`.
 */
function drawBlend(rng: Rng, main: DatasetSpec, m: ModelSpec, tokens: number): BlendPart[] {
  if (!rng.chance(0.4)) return [{ dataset: main, weight: 1 }];
  // other domains than the main corpus, one corpus per domain
  const others: DatasetSpec[] = [];
  for (const d of rng.shuffle(DATASETS.filter((x) => x.kind === "pretrain"))) {
    if (d.domain !== main.domain && !others.some((o) => o.domain === d.domain)) others.push(d);
  }
  others.splice(rng.int(1, 2));
  const w0 = rng.pick([0.55, 0.6, 0.65, 0.7, 0.75, 0.8]);
  const parts: BlendPart[] = [{ dataset: main, weight: w0 }];
  let left = Number((1 - w0).toFixed(2));
  others.forEach((d, i) => {
    const w = i === others.length - 1
      ? left
      : Number((left * rng.pick([0.5, 0.6, 0.7])).toFixed(2));
    left = Number((left - w).toFixed(2));
    parts.push({ dataset: d, weight: w });
  });
  const ok = parts.every((p) => tokens * p.weight <= 4 * corpusTokens(p.dataset, m)) &&
    parts.every((p) => p.weight > 0);
  return ok ? parts : [{ dataset: main, weight: 1 }];
}

/** Megatron's tokenized corpus prefix for a dataset. */
export function dataPathFor(d: DatasetSpec): string {
  const slug = d.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `/lustre/data/${slug}/${slug.replace(/-/g, "_")}_text_document`;
}

/** Megatron's padded vocabulary for the scenario's tensor-parallel size. */
export function scenarioPaddedVocab(sc: Scenario): number {
  return paddedVocab(sc.model.vocab, sc.parallel.tp);
}
