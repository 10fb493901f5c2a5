/**
 * llm_training: format fidelity and physical consistency, checked on the
 * output of full runs (every flavour, 200 seeds, plain mode) and on the pure
 * pieces (tqdm, Python number formats, schedules, sharding, scenarios).
 */

import assert from "node:assert/strict";
import { captureModule } from "./harness.ts";
import { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";
import { llm_training as llmTraining, runFlavour } from "../modules/llm_training/mod.ts";
import {
  DATASETS,
  GPUS,
  type GpuSpec,
  MODELS,
  type ModelSpec,
} from "../modules/llm_training/data.ts";
import {
  checkpointBytes,
  hfTensors,
  humanSize,
  numel,
  shardSizes,
} from "../modules/llm_training/export.ts";
import { pyE, pyG, pyRepr } from "../modules/llm_training/pyfmt.ts";
import {
  corpusTokens,
  drawFailure,
  drawScenario,
  finetuneLevels,
  type Flavour,
  FLAVOURS,
  flopsPerToken,
  hasNvlink,
  MAX_RUN_MS,
  NETWORK_FAILURES,
} from "../modules/llm_training/scenario.ts";
import { hasMig } from "../modules/llm_training/nvidia_smi.ts";
import { lrAt, type LrSchedule } from "../modules/llm_training/schedule.ts";
import { formatInterval, formatMeter } from "../modules/llm_training/tqdm.ts";
import { formatNum } from "../modules/llm_training/deepspeed.ts";

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);

function flavourModule(f: Flavour): Module {
  return { ...llmTraining, run: (ctx: Context) => runFlavour(ctx, f) };
}

// ------------------------------------------------------------------ parsing helpers

const BAR_RE =
  /^(?:(.+?): )?([ \d]{2}\d)%\|([ ▏▎▍▌▋▊▉█]*)\| ([\d.]+[kMGTP]?)\/([\d.]+[kMGTP]?) \[([\d:]+)<([\d:?]+), (\?|[ \d.]+[kMGTP]?)(s\/| ?[a-z ]*\/s)?([a-z ]*)(?:, (.*))?\]/;

interface Bar {
  desc: string;
  pct: number;
  cells: string;
  n: number;
  total: number;
  elapsed: number;
  remaining: number | null;
  rate: number | null;
  postfix: string;
  raw: string;
}

function parseSi(s: string): number {
  const m = s.match(/^([\d.]+)([kMGTP]?)$/)!;
  const mult: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
  return Number(m[1]) * mult[m[2]!]!;
}

function parseInterval(s: string): number {
  const parts = s.split(":").map(Number);
  return parts.reduce((a, b) => a * 60 + b, 0);
}

/** Every tqdm bar in the text (a bar may be glued to a following log line). */
function parseBars(text: string): Bar[] {
  const out: Bar[] = [];
  for (const line of text.split("\n")) {
    const m = line.match(BAR_RE);
    if (!m) continue;
    const rateText = m[8]!.trim();
    const unitPart = (m[9] ?? "") + (m[10] ?? "");
    let rate: number | null = null;
    if (rateText !== "?") {
      const v = parseSi(rateText);
      rate = unitPart.startsWith("s/") ? 1 / v : v;
    }
    out.push({
      desc: m[1] ?? "",
      pct: Number(m[2]!.trim()),
      cells: m[3]!,
      n: parseSi(m[4]!),
      total: parseSi(m[5]!),
      elapsed: parseInterval(m[6]!),
      remaining: m[7] === "?" ? null : parseInterval(m[7]!),
      rate,
      postfix: m[11] ?? "",
      raw: line,
    });
  }
  return out;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  return x - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(x);
}

/** The arithmetic inside one bar. */
function checkBar(b: Bar, where: string): void {
  const frac = b.total > 0 ? b.n / b.total : 0;
  // n and total printed with SI suffixes are rounded to 3 figures: allow one step of slack
  const slack = /[kMGTP]\//.test(b.raw) ? 1 : 0;
  assert.ok(
    Math.abs(b.pct - roundHalfEven(frac * 100)) <= slack,
    `${where}: percentage of ${b.raw}`,
  );
  const width = [...b.cells].length;
  const eighths = Math.floor(frac * width * 8);
  const full = [...b.cells].filter((c) => c === "█").length;
  assert.ok(
    Math.abs(full - Math.min(width, Math.floor(eighths / 8))) <= slack,
    `${where}: full cells of ${b.raw}`,
  );
  if (b.rate !== null && b.remaining !== null) {
    const want = (b.total - b.n) / b.rate;
    // the displayed rate is rounded to 2 decimals (or 3 significant figures)
    assert.ok(
      Math.abs(b.remaining - want) <= 1 + want * 0.02,
      `${where}: remaining ${b.remaining} vs ${want} in ${b.raw}`,
    );
  }
  if (b.rate !== null && !b.raw.match(/[kMG]?byte\/s|[kMG]?it\/s, v_num/)) {
    const inv = b.raw.includes("s/it");
    if (inv) assert.ok(b.rate <= 1.0001, `${where}: s/it with rate ${b.rate}`);
    else if (!b.raw.includes("examples/s")) {
      assert.ok(b.rate >= 0.995, `${where}: it/s below 1 in ${b.raw}`);
    }
  }
}

function lines(text: string): string[] {
  return text.split("\n");
}

function modelByHfId(id: string): ModelSpec {
  const m = MODELS.find((x) => x.hfId === id);
  assert.ok(m, `unknown model ${id}`);
  return m;
}

function gpuByName(name: string): GpuSpec {
  // nvidia-smi cuts long product names with "..."
  const g = name.endsWith("...")
    ? GPUS.find((x) => x.name.startsWith(name.slice(0, -3)))
    : GPUS.find((x) => x.name === name);
  assert.ok(g, `unknown GPU ${name}`);
  return g;
}

function peakOf(g: GpuSpec): number {
  return g.bf16Tflops > 0 ? g.bf16Tflops : g.fp16Tflops;
}

/** Identity and physics shared by every flavour: nvidia-smi, uniq -c, NCCL, monitor, summary. */
function checkCommon(
  text: string,
  where: string,
): { gpu: GpuSpec; world: number; model: ModelSpec } {
  const ls = lines(text);
  const smiRow = ls.find((l) => /^\|\s+0 {2}\S/.test(l))!;
  const gpuName = smiRow.slice(7, 38).replace(/\s+On\s*$/, "").trim();
  const gpu = gpuByName(gpuName);
  const totals = ls.filter((l) => /MiB \/ \d+MiB/.test(l)).map((l) =>
    Number(l.match(/MiB \/ (\d+)MiB/)![1])
  );
  assert.ok(totals.every((t) => t === gpu.memoryMiB), `${where}: nvidia-smi total`);
  for (const l of ls.filter((x) => /W \/\s*\d+W/.test(x))) {
    const [, use, cap] = l.match(/(\d+)W \/\s*(\d+)W/)!;
    assert.equal(Number(cap), gpu.powerCapW, `${where}: power cap`);
    assert.ok(Number(use) <= gpu.powerCapW, `${where}: power draw`);
  }
  const summaryCluster = ls.find((l) => l.startsWith("cluster      "))!;
  const [, w, name] = summaryCluster.match(/^cluster\s+(\d+) × (.+?) \(/)!;
  const world = Number(w);
  assert.equal(name, gpu.name, `${where}: GPU name in the summary`);
  const uniq = ls.find((l) => /^\s+\d+ NVIDIA|^\s+\d+ Tesla/.test(l));
  if (uniq) {
    const [, count, rest] = uniq.match(/^\s+(\d+) (.+)$/)!;
    assert.equal(Number(count), world, `${where}: uniq -c count`);
    assert.ok(rest!.startsWith(`${gpu.name}, ${gpu.memoryMiB} MiB`), `${where}: uniq -c GPU`);
  }
  for (const l of ls.filter((x) => x.includes("NCCL INFO ncclCommInitRank"))) {
    assert.equal(Number(l.match(/ nranks (\d+) /)![1]), world, `${where}: NCCL nranks`);
  }
  // plain-mode GPU monitor tables
  for (let i = 0; i < ls.length; i++) {
    const h = ls[i]!.match(/^\[gpu-monitor\] .* · (\d+) × (.+) on (\d+) nodes?$/);
    if (!h) continue;
    assert.equal(Number(h[1]), world, `${where}: monitor GPU count`);
    assert.equal(h[2], gpu.name, `${where}: monitor GPU name`);
    const mem = ls[i + 3]!.match(
      /mem used \(MiB\)\s+(\d+)\s+(\d+)\s+(\d+)\s+[\d.]+\s+\(of (\d+)\)/,
    )!;
    assert.ok(
      Number(mem[3]) <= gpu.memoryMiB && Number(mem[4]) === gpu.memoryMiB,
      `${where}: monitor memory`,
    );
    const pw = ls[i + 5]!.match(/power \(W\)\s+(\d+)\s+(\d+)\s+(\d+)/)!;
    assert.ok(Number(pw[3]) <= gpu.powerCapW, `${where}: monitor power`);
  }
  // closing summary
  const modelLine = ls.find((l) => l.startsWith("model        "))!;
  const [, mName, mParams] = modelLine.match(/^model\s+(.+?) · ([\d,]+) params/)!;
  const model = MODELS.find((m) => m.name === mName)!;
  assert.ok(model, `${where}: model ${mName}`);
  assert.equal(
    Number(mParams!.replaceAll(",", "")),
    model.params,
    `${where}: params in the summary`,
  );
  const mfu = Number(ls.find((l) => l.startsWith("throughput   "))!.match(/MFU ([\d.]+)%/)![1]);
  assert.ok(mfu >= 18 && mfu <= 55, `${where}: MFU ${mfu}%`);
  const mem = ls.find((l) => l.startsWith("memory       "))!.match(
    /peak ([\d,]+) MiB of ([\d,]+) MiB/,
  )!;
  assert.ok(Number(mem[1]!.replaceAll(",", "")) <= gpu.memoryMiB, `${where}: peak memory`);
  assert.equal(Number(mem[2]!.replaceAll(",", "")), gpu.memoryMiB, `${where}: memory total`);
  const loss = ls.find((l) => l.startsWith("loss         "))!.match(
    /final ([\d.]+) \(ppl ([\d.]+)\)/,
  )!;
  assert.ok(
    Math.abs(Number(loss[2]) - Math.exp(Number(loss[1]))) <=
      0.0051 + Math.exp(Number(loss[1])) * 6e-5,
    `${where}: summary perplexity`,
  );
  assert.ok(Number(loss[1]) > 0.3 && Number(loss[1]) < 4.5, `${where}: final loss ${loss[1]}`);
  for (const b of parseBars(text)) checkBar(b, where);
  return { gpu, world, model };
}

// ------------------------------------------------------------------ per-flavour checks

function checkMegatron(text: string, where: string): void {
  const { gpu, world, model } = checkCommon(text, where);
  const ls = lines(text);
  const arg = (k: string) => {
    const l = ls.find((x) => x.startsWith(`  ${k} .`));
    assert.ok(l, `${where}: argument ${k}`);
    return l.replace(/^ {2}\S+ \.+ /, "");
  };
  assert.equal(Number(arg("world_size")), world, `${where}: world_size`);
  const tp = Number(arg("tensor_model_parallel_size"));
  const pp = Number(arg("pipeline_model_parallel_size"));
  const dp = Number(arg("data_parallel_size"));
  assert.equal(tp * pp * dp, world, `${where}: TP×PP×DP`);
  const launch = ls.find((l) => l.includes("torchrun --nnodes="))!;
  const [, nn, npn] = launch.match(/--nnodes=(\d+) --nproc-per-node=(\d+)/)!;
  assert.equal(Number(nn) * Number(npn), world, `${where}: torchrun world`);
  const m = modelByHfId(arg("tokenizer_model"));
  assert.equal(m.params, model.params, `${where}: same model`);
  assert.equal(Number(arg("num_layers")), m.layers);
  assert.equal(Number(arg("hidden_size")), m.hidden);
  assert.equal(Number(arg("num_attention_heads")), m.heads);
  assert.equal(Number(arg("num_query_groups")), m.kvHeads);
  assert.equal(Number(arg("ffn_hidden_size")), m.ffn);
  const G = Number(arg("global_batch_size"));
  const seq = Number(arg("seq_length"));
  const mbs = Number(arg("micro_batch_size"));
  assert.equal(G % (mbs * dp), 0, `${where}: global batch divisible by micro × DP`);
  const sched: LrSchedule = {
    kind: arg("lr_decay_style") === "cosine" ? "megatron-cosine" : "megatron-linear",
    peak: Number(arg("lr")),
    min: Number(arg("min_lr")),
    warmup: Number(arg("lr_warmup_iters")),
    decaySteps: Number(arg("lr_decay_iters")),
  };
  const trainIters = Number(arg("train_iters"));
  // per-rank parameter counts add up to the model (TP-replicated norms, padded vocab)
  const stages = new Map<number, number>();
  for (const l of ls) {
    const p = l.match(/model parallel rank \((\d+), (\d+)\): (\d+)$/);
    if (p) stages.set(Number(p[2]), Number(p[3]));
  }
  assert.equal(stages.size, pp, `${where}: one count per pipeline stage`);
  const sum = [...stages.values()].reduce((a, b) => a + b, 0) * tp;
  assert.ok(Math.abs(sum / m.params - 1) < 0.06, `${where}: rank params ${sum} vs ${m.params}`);
  // iteration lines
  const fpt = flopsPerToken(m, seq);
  const iters = ls.map((l) => l.match(ITER_RE)).filter((x): x is RegExpMatchArray => x !== null);
  assert.ok(iters.length >= 3, `${where}: iteration lines`);
  let prev: { it: number; t: number; idx: number } | null = null;
  ls.forEach((l, idx) => {
    const x = l.match(ITER_RE);
    if (!x) return;
    const it = Number(x[2]);
    const t = Date.parse(x[1]!.replace(" ", "T") + "Z") / 1000;
    assert.equal(Number(x[3]), trainIters, `${where}: train_iters`);
    assert.equal(Number(x[4]), it * G, `${where}: consumed samples at ${it}`);
    const ms = Number(x[5]);
    const tflops = Number(x[6]);
    const want = (fpt * G * seq) / ((ms / 1000) * 1e12 * world);
    assert.ok(
      Math.abs(tflops - want) <= 0.06 + want * 2e-4,
      `${where}: TFLOP/s ${tflops} vs ${want}`,
    );
    const mfu = tflops / peakOf(gpu);
    assert.ok(mfu > 0.12 && mfu < 0.6, `${where}: MFU ${mfu} at ${it}`);
    assert.equal(x[7], pyE(lrAt(sched, it), 6), `${where}: lr at ${it}`);
    assert.equal(Number(x[8]), G, `${where}: global batch`);
    const loss = Number(x[9]);
    // code corpora run near 1.0–1.3 for big models, web text near 1.9–2.3
    assert.ok(loss > 0.9 && loss < 4.5, `${where}: lm loss ${loss}`);
    if (prev && idx === prev.idx + 1 && it > prev.it) {
      const dt = t - prev.t;
      const expected = ((it - prev.it) * ms) / 1000;
      assert.ok(
        Math.abs(dt - expected) <= 1.6 + expected * 0.05,
        `${where}: timestamps ${dt}s vs ${expected}s at ${it}`,
      );
    }
    prev = { it, t, idx };
  });
  // the job ends at train_iters, or at an `--exit-interval` boundary after a save
  const endIt = Number(iters[iters.length - 1]![2]);
  const exit = text.match(/\[exiting program at iteration (\d+)\] datetime/);
  if (exit) {
    const interval = Number(
      ls.find((l) => /^ {2}exit_interval \.+ \d+$/.test(l))!.split(" ").pop(),
    );
    assert.equal(Number(exit[1]), endIt, `${where}: exit iteration`);
    assert.equal(endIt % interval, 0, `${where}: exits on the exit interval`);
    assert.ok(
      text.includes(`successfully saved checkpoint from iteration ${String(endIt).padStart(7)}`),
    );
  } else assert.equal(endIt, trainIters, `${where}: ends at train_iters`);
  // validation blocks
  for (let i = 1; i < ls.length - 1; i++) {
    const v = ls[i]!.match(
      /^ validation loss at .* \| lm loss value: (\S+) \| lm loss PPL: (\S+) \| $/,
    );
    if (!v) continue;
    assert.equal(
      v[2],
      pyE(Math.exp(Math.min(20, Number(v[1]))), 6).replace(/\d(E)/, "$1").length === 0 ? "" : v[2],
    );
    const ppl = Number(v[2]);
    assert.ok(Math.abs(ppl / Math.exp(Number(v[1])) - 1) < 5e-6, `${where}: PPL`);
    assert.equal(ls[i - 1]!.length, ls[i]!.length + 1, `${where}: dash line length`);
    assert.equal(ls[i + 1], ls[i - 1], `${where}: dash lines`);
  }
  // memory
  for (const l of ls.filter((x) => x.includes("memory (MB) | allocated:"))) {
    const r = l.match(/max reserved: ([\d.]+)/)!;
    assert.ok(Number(r[1]) <= gpu.memoryMiB, `${where}: reserved ${r[1]} MB > ${gpu.memoryMiB}`);
  }
  // after the first logged iteration: weights and optimizer, plus activations with SP + selective
  const theoIdx = ls.findIndex((l) => l.startsWith("Theoretical memory footprints"));
  assert.ok(theoIdx > ls.findIndex((l) => ITER_RE.test(l)), `${where}: theoretical memory line`);
  const theo = ls[theoIdx]!.match(/weight and optimizer=([\d.]+) MB(?:, .*total=([\d.]+) MB)?/)!;
  assert.ok(Number(theo[2] ?? theo[1]) <= gpu.memoryMiB, `${where}: theoretical memory`);
  // the shard line agrees with rank 0's parameter count
  const shardB = Number(
    ls[theoIdx - (ls[theoIdx - 1]!.includes("other shards") ? 2 : 1)]!.split(": ")[1],
  );
  const rank0 = Number(ls.find((l) => l.includes("model parallel rank (0, 0): "))!.split(": ")[1]);
  assert.equal(shardB, Number((rank0 / 1e9).toFixed(4)), `${where}: most loaded shard`);
  // DDP buckets hold rank 0's parameters once each and no more than needed over the bucket size
  const nBuckets = Number(ls.find((l) => l.includes("Number of buckets for"))!.split(": ").pop());
  const bucketLines = ls.filter((l) => l.includes("Params for bucket ")).slice(0, nBuckets);
  const elems = bucketLines.map((l) => Number(l.match(/\((\d+) elements/)![1]));
  assert.equal(elems.reduce((a, b) => a + b, 0), rank0, `${where}: bucket elements`);
  // checkpoint size on disk = 14 bytes per parameter (bf16 weights + fp32 master + Adam m, v)
  const du = ls.find((l) => /^\S+\t\/lustre\/ckpt\/.*\/iter_\d{7}$/.test(l))!;
  assert.equal(du.split("\t")[0], humanSize(14 * m.params), `${where}: checkpoint size`);
  const shards = ls.find((l) => l.includes("is going to be split in"));
  if (shards) {
    assert.equal(Number(shards.match(/split in (\d+) checkpoint/)![1]), shardSizes(m).length);
  }
}

const ITER_RE =
  /^ \[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\] iteration +(\d+)\/ *(\d+) \| consumed samples: +(\d+) \| elapsed time per iteration \(ms\): ([\d.]+) \| throughput per GPU \(TFLOP\/s\/GPU\): ([\d.]+) \| learning rate: (\S+) \| global batch size: +(\d+) \| lm loss: (\S+) \| loss scale: ([\d.]+) \| grad norm: ([\d.]+) \| number of skipped iterations: +0 \| number of nan iterations: +0 \|$/;

function checkHf(text: string, where: string): void {
  const { gpu, world, model } = checkCommon(text, where);
  const ls = lines(text);
  const banner = (k: string) => {
    const l = ls.find((x) => x.includes(`>>   ${k} = `));
    assert.ok(l, `${where}: banner ${k}`);
    return Number(l.split(" = ")[1]!.replaceAll(",", ""));
  };
  const N = banner("Num examples");
  const E = banner("Num Epochs");
  const mbs = banner("Instantaneous batch size per device");
  const total = banner("Total train batch size (w. parallel, distributed & accumulation)");
  const ga = banner("Gradient Accumulation steps");
  const T = banner("Total optimization steps");
  assert.equal(
    banner("Number of trainable parameters"),
    model.params,
    `${where}: trainable parameters`,
  );
  assert.equal(
    total,
    mbs * ga * world,
    `${where}: total batch = per device × accumulation × world`,
  );
  const spe = Math.ceil(Math.ceil(Math.ceil(N / world) / mbs) / ga);
  // epochs × steps per epoch, or `max_steps` with the epochs it reaches into
  assert.ok(
    T === E * spe || (T < E * spe && E === Math.ceil(T / spe)),
    `${where}: total optimization steps`,
  );
  const seq = Number(ls.find((l) => l.startsWith("data         "))!.match(/ seq (\d+) /)![1]);
  // the schedule as the run summary declares it
  const sl = ls.find((l) => l.startsWith("lr schedule  "))!;
  const [, kind, warm, peak, floor] = sl.match(
    /^lr schedule\s+(\S+), warmup ([\d,]+), peak (\S+), floor (\S+),/,
  )!;
  const sched: LrSchedule = {
    kind: kind as LrSchedule["kind"],
    peak: Number(peak),
    min: Number(floor),
    warmup: Number(warm!.replaceAll(",", "")),
    decaySteps: T,
  };
  // log dicts: the step is not printed; the epoch (2 decimals) narrows it, the lr must match
  let lastEpoch = -1;
  for (const l of ls) {
    const d = l.match(
      /^\{'loss': ([\d.]+), 'grad_norm': ([\d.e-]+), 'learning_rate': ([\d.e-]+), 'epoch': ([\d.]+)\}$/,
    );
    if (!d) continue;
    const epoch = Number(d[4]);
    const candidates = [];
    for (let s = 1; s <= T; s++) if (Number((s / spe).toFixed(2)) === epoch) candidates.push(s);
    assert.ok(candidates.length > 0, `${where}: epoch ${epoch}`);
    assert.ok(
      candidates.some((s) => pyRepr(lrAt(sched, s)) === d[3]),
      `${where}: lr ${d[3]} at epoch ${epoch}`,
    );
    assert.ok(Number(d[1]) > 0.2 && Number(d[1]) < 3.5, `${where}: loss ${d[1]}`);
    assert.ok(Number(d[2]) > 0, `${where}: grad norm`);
    if (!l.includes("nan")) lastEpoch = Math.max(lastEpoch, epoch);
  }
  // eval dicts
  let evalLoss = NaN;
  const evalHead = ls.indexOf("***** Running Evaluation *****");
  const evalN = Number(ls[evalHead + 1]!.split(" = ")[1]);
  for (const l of ls) {
    const d = l.match(
      /^\{'eval_loss': ([\d.]+), 'eval_runtime': ([\d.]+), 'eval_samples_per_second': ([\d.]+), 'eval_steps_per_second': ([\d.]+), 'epoch': ([\d.]+)\}$/,
    );
    if (!d) continue;
    evalLoss = Number(d[1]);
    const rt = Number(d[2]);
    assert.ok(Math.abs(Number(d[3]) - evalN / rt) <= 0.0006 + 1e-9, `${where}: eval samples/s`);
    const evalSteps = Math.ceil(evalN / (world * mbs));
    assert.ok(Math.abs(Number(d[4]) - evalSteps / rt) <= 0.0006, `${where}: eval steps/s`);
  }
  // end of training
  const fin = ls.find((l) => l.startsWith("{'train_runtime'"))!
    .match(
      /'train_runtime': ([\d.]+), 'train_samples_per_second': ([\d.]+), 'train_steps_per_second': ([\d.]+), 'train_loss': ([\d.e-]+), 'epoch': ([\d.]+)/,
    )!;
  const rt = Number(fin[1]);
  // with max_steps the Trainer counts max_steps × total batch samples
  const maxSteps = Number(ls.find((l) => l.startsWith("max_steps="))!.slice(10, -1));
  const samples = maxSteps > 0 ? maxSteps * total : N * E;
  assert.ok(Math.abs(Number(fin[2]) - samples / rt) <= 0.0006, `${where}: train samples/s`);
  assert.ok(Math.abs(Number(fin[3]) - T / rt) <= 0.0006, `${where}: train steps/s`);
  const metrics = (split: string) => {
    const i = ls.indexOf(`***** ${split} metrics *****`);
    const out: Record<string, string> = {};
    for (let j = i + 1; j < ls.length && ls[j]!.startsWith("  "); j++) {
      const [k, v] = ls[j]!.trim().split(/\s+=\s+/);
      out[k!] = v!;
    }
    return out;
  };
  const tm = metrics("train");
  assert.equal(tm.train_steps_per_second, String(Number(fin[3])), `${where}: metrics steps/s`);
  const flos = Number(tm.total_flos!.replace("GF", "")) * 2 ** 30;
  const ratio = flos / (6 * model.params * T * total * seq);
  assert.ok(ratio > 0.6 && ratio <= 1, `${where}: total_flos ratio ${ratio}`);
  const em = metrics("eval");
  assert.equal(
    Number(em.perplexity),
    Number(Math.exp(evalLoss).toFixed(4)),
    `${where}: perplexity = exp(eval_loss)`,
  );
  // the final bar agrees with the runtime, and with the GPU's MFU when the run was not interrupted
  const resumed = ls.some((l) => l.includes("Continuing training from checkpoint"));
  if (!resumed) {
    const tokS = (T / rt) * total * seq;
    const mfu = (tokS * flopsPerToken(model, seq)) / (world * peakOf(gpu) * 1e12);
    assert.ok(
      mfu > 0.05 && mfu < 0.5,
      `${where}: implied MFU ${mfu} (runtime includes evaluation and saves)`,
    );
    const bars = parseBars(text).filter((b) =>
      b.desc === "" && b.total === T && b.n === T && b.raw.includes("][INFO|trainer.py:")
    );
    assert.ok(bars.length >= 1, `${where}: final bar`);
    assert.ok(Math.abs(bars[0]!.elapsed - Math.floor(rt)) <= 1, `${where}: bar elapsed vs runtime`);
    // the bar's smoothed rate reflects the latest steps (an evaluation and a save a few steps
    // before the end pull it far down, as tqdm's moving average does)
    const barMfu = (bars[0]!.rate! * total * seq * flopsPerToken(model, seq)) /
      (world * peakOf(gpu) * 1e12);
    assert.ok(barMfu > 0.03 && barMfu < 0.5, `${where}: MFU from the bar rate ${barMfu}`);
  }
  // checkpoints
  const m = model;
  for (const l of ls.filter((x) => x.includes("is going to be split in"))) {
    assert.equal(
      Number(l.match(/split in (\d+) checkpoint/)![1]),
      shardSizes(m).length,
      `${where}: shard count`,
    );
  }
  for (const l of ls.filter((x) => /^\S+\tout\/.*\/checkpoint-\d+$/.test(x))) {
    assert.equal(
      l.split("\t")[0],
      humanSize(checkpointBytes("hf", m.params)),
      `${where}: checkpoint size`,
    );
  }
  const gguf = ls.find((l) => l.includes("gguf_writer:") && l.includes("n_tensors"));
  if (gguf) {
    assert.equal(
      Number(gguf.match(/n_tensors = (\d+)/)![1]),
      hfTensors(m).length,
      `${where}: GGUF tensors`,
    );
  }
  void lastEpoch;
}

function checkDeepspeed(text: string, where: string): void {
  const { gpu, world, model } = checkCommon(text, where);
  const ls = lines(text);
  const launch = ls.find((l) => l.includes("accelerate launch"))!;
  const opt = (k: string) => launch.match(new RegExp(`--${k} (\\S+)`))?.[1];
  assert.equal(Number(opt("num_processes")), world, `${where}: num_processes`);
  assert.equal(modelByHfId(opt("model_name_or_path")!).params, model.params, `${where}: model`);
  const mbs = Number(opt("per_device_train_batch_size"));
  const ga = Number(opt("gradient_accumulation_steps"));
  const seq = Number(opt("block_size"));
  const T = Number(opt("max_train_steps"));
  const G = mbs * ga * world;
  const cfg = ls.find((l) => l.startsWith("ds_config: "))!;
  assert.equal(Number(cfg.match(/'train_batch_size': (\d+)/)![1]), G, `${where}: train_batch_size`);
  const sched: LrSchedule = {
    kind: opt("lr_scheduler_type") as LrSchedule["kind"],
    peak: Number(opt("learning_rate")),
    min: 0,
    warmup: Number(opt("num_warmup_steps")),
    decaySteps: T,
  };
  const fpt = flopsPerToken(model, seq);
  let steps = 0;
  for (let i = 0; i < ls.length; i++) {
    const s = ls[i]!.match(
      /\[Rank 0\] step=(\d+), skipped=0, lr=\[(\S+), (\S+)\], mom=\[\(0\.9, 0\.95\), \(0\.9, 0\.95\)\]$/,
    );
    if (!s) continue;
    const step = Number(s[1]);
    // one learning rate and one beta tuple per parameter group (decay, no decay)
    assert.equal(s[2], pyRepr(lrAt(sched, step)), `${where}: DeepSpeed lr at ${step}`);
    assert.equal(s[3], s[2], `${where}: both parameter groups' lr`);
    if (step === 0) continue;
    steps++;
    const t = ls[i + 1]!.match(
      /epoch=0\/micro_step=(\d+)\/global_step=(\d+), RunningAvgSamplesPerSec=(\S+), CurrSamplesPerSec=(\S+), MemAllocated=([\d.]+)GB, MaxMemAllocated=([\d.]+)GB$/,
    );
    if (!t) continue;
    assert.equal(Number(t[2]), step);
    assert.equal(Number(t[1]), step * ga, `${where}: micro_step = global_step × accumulation`);
    const mfuOf = (samplesPerSec: number) =>
      (samplesPerSec * seq * fpt) / (world * peakOf(gpu) * 1e12);
    // the running average skips the first steps; the current rate includes a slow first step after a start
    const avg = mfuOf(Number(t[3]));
    const cur = mfuOf(Number(t[4]));
    assert.ok(avg > 0.15 && avg < 0.6, `${where}: MFU ${avg} from RunningAvgSamplesPerSec`);
    assert.ok(cur > 0.08 && cur < 0.6, `${where}: MFU ${cur} from CurrSamplesPerSec`);
    assert.ok(
      Number(t[5]) <= Number(t[6]) && Number(t[6]) * 1024 <= gpu.memoryMiB,
      `${where}: memory`,
    );
  }
  assert.ok(steps >= 2, `${where}: DeepSpeed step lines`);
  for (const b of parseBars(text).filter((x) => x.postfix.startsWith("loss="))) {
    const lr = b.postfix.match(/lr=(\S+)$/)![1];
    assert.equal(lr, formatNum(lrAt(sched, b.n)), `${where}: bar lr at ${b.n}`);
  }
  for (const l of ls) {
    const e = l.match(
      / - __main__ - epoch \d+: perplexity: (\S+) eval_loss: tensor\(([\d.]+), device='cuda:0'\)$/,
    );
    if (e) {
      assert.ok(Math.abs(Math.log(Number(e[1])) - Number(e[2])) <= 5.1e-5, `${where}: perplexity`);
    }
  }
  const stage = Number(cfg.match(/'stage': (\d)/)![1]);
  for (const l of ls.filter((x) => /^\S+\tout\/.*\/step_\d+$/.test(x))) {
    assert.equal(
      l.split("\t")[0],
      humanSize(checkpointBytes(stage === 3 ? "zero3" : "zero2", model.params)),
    );
  }
  const shards = ls.find((l) => l.includes("is going to be split in"));
  if (shards) {
    assert.equal(Number(shards.match(/split in (\d+) checkpoint/)![1]), shardSizes(model).length);
  }
}

// ------------------------------------------------------------------ tests

/** One plain-mode transcript per flavour and seed, captured once and shared by the tests below. */
interface Transcript {
  f: Flavour;
  seed: number;
  /** The output as printed (Megatron's carries `srun --label` prefixes). */
  raw: string;
  /** The output with `srun --label` prefixes removed. */
  text: string;
  lines: string[];
  pretendMs: number;
  where: string;
}

let shared: Promise<Transcript[]> | null = null;

function transcripts(): Promise<Transcript[]> {
  shared ??= (async () => {
    const out: Transcript[] = [];
    for (const f of FLAVOURS) {
      for (const seed of SEEDS) {
        const run = await captureModule(flavourModule(f), { seed, cols: 200 });
        const text = f === "megatron" ? run.output.replace(/^ *\d+: /gm, "") : run.output;
        out.push({
          f,
          seed,
          raw: run.output,
          text,
          lines: text.split("\n"),
          pretendMs: run.pretendMs,
          where: `${f} seed ${seed}`,
        });
      }
    }
    return out;
  })();
  return shared;
}

Deno.test("llm_training: every flavour, 200 seeds, transcripts are consistent", async () => {
  const checks: Record<Flavour, (t: string, w: string) => void> = {
    hf: checkHf,
    megatron: checkMegatron,
    deepspeed: checkDeepspeed,
  };
  for (const t of await transcripts()) {
    assert.ok(
      t.pretendMs >= 60_000 && t.pretendMs <= MAX_RUN_MS,
      `${t.where}: ${t.pretendMs} ms`,
    );
    checks[t.f](t.text, t.where);
  }
});

Deno.test("llm_training: the module picks every flavour and stays in time", async () => {
  const seen = new Set<string>();
  for (let seed = 1; seed <= 12; seed++) {
    const run = await captureModule(llmTraining, { seed, cols: 120 });
    if (run.output.includes("pretrain_gpt.py")) seen.add("megatron");
    else if (run.output.includes("run_clm.py")) seen.add("hf");
    else if (run.output.includes("accelerate launch")) seen.add("deepspeed");
    assert.ok(run.pretendMs <= MAX_RUN_MS);
  }
  assert.equal(seen.size, 3);
});

Deno.test("llm_training: scenarios are physically consistent (900 draws)", () => {
  for (const f of FLAVOURS) {
    for (let seed = 1; seed <= 300; seed++) {
      const sc = drawScenario(new Rng(seed), f);
      const c = sc.cluster;
      const where = `${f} seed ${seed}`;
      assert.equal(c.world, c.nodes * c.gpusPerNode, where);
      assert.equal(sc.parallel.tp * sc.parallel.pp * sc.parallel.dp, c.world, where);
      assert.equal(sc.batch.global, sc.batch.micro * sc.parallel.dp * sc.batch.gradAccum, where);
      assert.equal(sc.batch.tokensPerStep, sc.batch.global * sc.batch.seq, where);
      assert.ok(sc.batch.seq <= sc.model.context, where);
      assert.ok(sc.memory.peak <= c.gpu.memoryMiB * 2 ** 20 * 0.9, `${where}: memory`);
      assert.ok(sc.memory.nvsmiUsedMiB < c.gpu.memoryMiB, `${where}: nvidia-smi memory`);
      const mfu = (sc.batch.tokensPerStep * sc.flopsPerToken) /
        (sc.stepSec * c.world * sc.peakTflops * 1e12);
      assert.ok(Math.abs(mfu - sc.mfu) < 1e-9, where);
      const band = f === "megatron" ? [0.3, 0.5] : f === "deepspeed" ? [0.25, 0.46] : [0.2, 0.4];
      assert.ok(sc.mfu >= band[0]! && sc.mfu <= band[1]!, `${where}: MFU ${sc.mfu}`);
      assert.ok(sc.plan.estimateMs <= 285_000, where);
      assert.ok(sc.plan.startStep < sc.plan.totalSteps, where);
      if (f === "megatron") {
        assert.ok(
          sc.plan.startStep > 2 * sc.schedule.warmup,
          `${where}: resumes at a high iteration`,
        );
      }
      if (sc.precision === "fp16") assert.equal(c.gpu.bf16Tflops, 0, where);
      if (sc.plan.failure) assert.ok(sc.plan.failure.resumeFrom <= sc.plan.failure.atStep, where);
    }
  }
});

Deno.test("llm_training: data tables", () => {
  assert.ok(MODELS.length >= 40 && GPUS.length >= 17 && DATASETS.length >= 30);
  assert.ok(MODELS.some((m) => m.basedOn !== null) && MODELS.some((m) => m.basedOn === null));
  for (const m of MODELS) {
    assert.equal(hfTensors(m).reduce((a, t) => a + numel(t), 0), m.params, m.name);
    assert.equal(m.heads % m.kvHeads, 0, m.name);
    if (m.basedOn) {
      assert.ok(MODELS.some((b) => b.name === m.basedOn && b.params === m.params), m.name);
    }
  }
  const known: Record<string, number> = {
    "Llama-3-8B": 8_030_261_248,
    "Llama-2-7B": 6_738_415_616,
    "Qwen2.5-7B": 7_615_616_512,
    "Llama-3.1-405B": 405_853_388_800,
    "GPT-2": 124_439_808,
    "Pythia-1.4B": 1_414_647_808,
  };
  for (const [name, params] of Object.entries(known)) {
    assert.equal(MODELS.find((m) => m.name === name)!.params, params);
  }
  for (const g of GPUS) {
    assert.ok(g.memoryMiB > 10000 && g.powerCapW >= 250 && g.fp16Tflops > 0, g.name);
    assert.ok(g.name.startsWith("NVIDIA ") || g.name.startsWith("Tesla "), g.name);
  }
  assert.equal(GPUS.find((g) => g.name === "NVIDIA H100 80GB HBM3")!.memoryMiB, 81559);
  assert.equal(GPUS.find((g) => g.name === "NVIDIA H200")!.memoryMiB, 143771);
});

Deno.test("llm_training: tqdm, Python formats, schedules, shards", () => {
  assert.equal(
    formatMeter({ n: 371, total: 1000, elapsed: 185, rate: 2, ncols: 100 }),
    " 37%|██████████████████████▎                                     | 371/1000 [03:05<05:14,  2.00it/s]",
  );
  assert.equal(
    formatMeter({ n: 371, total: 1000, elapsed: 185, rate: 2 }),
    " 37%|███▋      | 371/1000 [03:05<05:14,  2.00it/s]",
  );
  assert.equal(
    formatMeter({ n: 1000, total: 1000, elapsed: 7215, rate: 1 / 7.22 }),
    "100%|██████████| 1000/1000 [2:00:15<00:00,  7.22s/it]",
  );
  assert.equal(
    formatMeter({ n: 0, total: 1000, elapsed: 0, rate: null }),
    "  0%|          | 0/1000 [00:00<?, ?it/s]",
  );
  assert.equal(formatInterval(3050), "50:50");
  assert.equal(pyRepr(4.5833333333333334e-05), "4.5833333333333334e-05");
  assert.equal(pyRepr(2e-5), "2e-05");
  assert.equal(pyRepr(0.0003), "0.0003");
  assert.equal(pyRepr(3), "3.0");
  assert.equal(pyE(1.818812, 6), "1.818812E+00");
  assert.equal(pyG(3e-4, 3), "0.0003");
  assert.equal(formatNum(2.9999e-5), "3e-5");
  const s: LrSchedule = {
    kind: "megatron-cosine",
    peak: 3e-4,
    min: 3e-5,
    warmup: 2000,
    decaySteps: 500000,
  };
  const want: [number, string][] = [
    [1000, "1.500000E-04"],
    [2000, "3.000000E-04"],
    [100000, "2.750126E-04"],
    [251000, "1.650000E-04"],
    [400000, "5.598329E-05"],
    [500000, "3.000000E-05"],
  ];
  for (const [step, v] of want) assert.equal(pyE(lrAt(s, step), 6), v);
  const llama8 = MODELS.find((m) => m.name === "Llama-3-8B")!;
  assert.deepEqual(shardSizes(llama8).map((b) => (b / 1e9).toFixed(2)), [
    "4.98",
    "5.00",
    "4.92",
    "1.17",
  ]);
  assert.equal(shardSizes(MODELS.find((m) => m.name === "Llama-3-70B")!).length, 30);
  assert.equal(shardSizes(MODELS.find((m) => m.name === "Llama-3.1-405B")!).length, 191);
  assert.equal(humanSize(16_060_522_496), "15G");
});

for (const [f, seed] of [["hf", 1], ["megatron", 2], ["deepspeed", 3]] as const) {
  Deno.test(`llm_training: ${f} snapshot`, async (t) => {
    await t.assertSnapshot((await captureModule(flavourModule(f), { seed, cols: 80 })).output);
  });
}

// ------------------------------------------------------------------ invariants over every flavour

/** Facts every transcript states: the console node, its ranks and the job's hosts and IPs. */
interface JobFacts {
  nodes: number;
  gpn: number;
  consoleNode: number;
  hosts: string[];
  consoleHost: string;
  model: ModelSpec;
  gpu: GpuSpec;
  ips: string[] | null;
}

function jobFacts(t: Transcript): JobFacts {
  const ls = t.lines;
  const cl = ls.find((l) => l.startsWith("cluster      "))!;
  const [, , gpuName, nodes, gpn] = cl.match(/^cluster\s+(\d+) × (.+?) \((\d+) nodes? × (\d+)\)/)!;
  const modelName = ls.find((l) => l.startsWith("model        "))!.slice(13).split(" · ")[0]!;
  const model = MODELS.find((m) => m.name === modelName)!;
  const prompt = ls.find((l) => /^\S+@\S+:\S+\$ /.test(l))!;
  const consoleHost = prompt.match(/^\S+@([^:]+):/)![1]!;
  const groupRank = ls.find((l) => l.includes("]   group_rank="));
  const consoleNode = groupRank ? Number(groupRank.split("=")[1]) : 0;
  const [, prefix, num] = consoleHost.match(/^(.*?)(\d+)$/)!;
  const first = Number(num) - consoleNode;
  const hosts = Array.from(
    { length: Number(nodes) },
    (_, i) => `${prefix}${String(first + i).padStart(num!.length, "0")}`,
  );
  const boot = ls.find((l) => / NCCL INFO Bootstrap ?: Using \S+:[\d.]+<0>/.test(l));
  let ips: string[] | null = null;
  if (boot) {
    const ip = boot.match(/:([\d.]+)<0>/)![1]!;
    const base = ip.replace(/\d+$/, "");
    const own = Number(ip.split(".").pop()) - consoleNode;
    ips = hosts.map((_, i) => `${base}${own + i}`);
  }
  return {
    nodes: Number(nodes),
    gpn: Number(gpn),
    consoleNode,
    hosts,
    consoleHost,
    model,
    gpu: GPUS.find((g) => g.name === gpuName)!,
    ips,
  };
}

const LOCAL_INCIDENTS = ["Xid 48 ", "Xid 79 ", "Xid 74 ", "NCCL watchdog timeout "];

Deno.test("llm_training: invariants over 200 seeds of every flavour", async (t) => {
  const all = await transcripts();
  const facts = new Map(all.map((x) => [x, jobFacts(x)]));

  await t.step("no undefined, NaN or [object Object] anywhere", () => {
    for (const x of all) {
      const bad = x.text.match(/undefined|NaN|\[object Object\]|pid: null|Infinity/);
      assert.equal(bad, null, `${x.where}: ${bad?.[0]}`);
    }
  });

  await t.step("a failure is a local rank of the console's node; the others get SIGTERM", () => {
    let failures = 0;
    for (const x of all) {
      const j = facts.get(x)!;
      const ls = x.lines;
      const raw = x.raw.split("\n");
      let pids = new Map<number, number>();
      let from = 0;
      for (let i = 0; i < ls.length; i++) {
        const l = ls[i]!;
        if (l.includes("Rendezvous complete for workers")) {
          pids = new Map();
          from = i;
        }
        const nccl = l.match(/^\S+?:(\d+):\d+ \[(\d+)\] NCCL INFO cudaDriverVersion/);
        if (nccl) pids.set(Number(nccl[2]), Number(nccl[1]));
        if (l.startsWith("terminate called after throwing")) {
          assert.ok(ls[i + 1]!.startsWith("  what():  "), `${x.where}: what() after terminate`);
        }
        const failed = l.match(/\] failed \(exitcode: (-?\d+)\) local_rank: (\d+) \(pid: (\d+)\)/);
        if (!failed) continue;
        failures++;
        const r = Number(failed[2]);
        const pid = Number(failed[3]);
        assert.ok(r < j.gpn, `${x.where}: local_rank ${r} on ${j.gpn} GPUs per node`);
        const node = x.f === "megatron"
          ? Number(x.raw.split("\n")[i]!.match(/^ *(\d+): /)![1])
          : j.consoleNode;
        const ranks = new Set(Array.from({ length: j.gpn }, (_, k) => node * j.gpn + k));
        const region = ls.slice(from, i + 1);
        // this node's agent: Megatron's merged log labels each node's lines
        const mine = x.f === "megatron"
          ? region.filter((_, k) => raw[from + k]!.startsWith(raw[i]!.match(/^ *\d+: /)![0]))
          : region;
        const sigterm = mine.flatMap((y) => {
          const m = y.match(/Sending process (\d+) closing signal SIGTERM/);
          return m ? [Number(m[1])] : [];
        });
        assert.equal(sigterm.length, j.gpn - 1, `${x.where}: SIGTERM to every other local rank`);
        assert.equal(new Set([...sigterm, pid]).size, j.gpn, `${x.where}: distinct worker pids`);
        if (pids.size > 0) {
          assert.equal(pids.get(r), pid, `${x.where}: pid of local rank ${r}`);
          for (const p of sigterm) {
            assert.ok([...pids.values()].includes(p), `${x.where}: pid ${p}`);
          }
        }
        for (const y of mine) {
          const m = y.match(/^\[rank(\d+)\]:/);
          if (m) {
            assert.ok(ranks.has(Number(m[1])), `${x.where}: [rank${m[1]}] is not on this node`);
          }
        }
      }
    }
    assert.ok(failures >= 60, `only ${failures} failures in ${all.length} runs`);
  });

  await t.step("network faults only across nodes, with a peer among the job's hosts", () => {
    let single = 0;
    let network = 0;
    for (const x of all) {
      const j = facts.get(x)!;
      const incident = x.lines.find((l) => l.startsWith("incidents    "))!.slice(13);
      if (incident.startsWith("Xid 74 ")) {
        assert.ok(hasNvlink(j.gpu), `${x.where}: NVLink error on ${j.gpu.name}`);
      }
      if (j.nodes === 1 && incident !== "none") {
        single++;
        assert.ok(
          LOCAL_INCIDENTS.some((k) => incident.startsWith(k)),
          `${x.where}: single-node incident ${incident}`,
        );
      }
      for (const l of x.lines) {
        const ib = l.match(/NET\/IB : Got completion from peer ([\d.]+)</);
        const closed = l.match(/Connection closed by remote peer ([^<\s]+)</);
        if (!ib && !closed) continue;
        network++;
        assert.ok(j.nodes > 1, `${x.where}: network fault on a single-node job`);
        if (closed) {
          assert.ok(j.hosts.includes(closed[1]!), `${x.where}: peer ${closed[1]} not in the job`);
          assert.notEqual(closed[1], j.consoleHost, `${x.where}: peer is this host`);
        }
        if (ib && j.ips) {
          assert.ok(j.ips.includes(ib[1]!), `${x.where}: IB peer ${ib[1]} not in the job`);
          assert.notEqual(ib[1], j.ips[j.consoleNode], `${x.where}: IB peer is this host`);
        }
      }
    }
    assert.ok(single >= 10 && network >= 10, `single-node ${single}, network ${network}`);
  });

  await t.step("evaluations of the same step print the same loss", () => {
    let pairs = 0;
    for (const x of all) {
      const seen = new Map<string, string>();
      const note = (key: string, v: string) => {
        const old = seen.get(key);
        if (old !== undefined) {
          pairs++;
          assert.equal(v, old, `${x.where}: evaluation at ${key}`);
        } else seen.set(key, v);
      };
      const ls = x.lines;
      let total = 0;
      let finalEval = false;
      for (let i = 0; i < ls.length; i++) {
        const l = ls[i]!;
        if (x.f === "hf") {
          if (l.includes(">>   Total optimization steps = ")) {
            total = Number(l.split(" = ")[1]!.replaceAll(",", ""));
          }
          if (l.endsWith("*** Evaluate ***")) finalEval = true;
          const e = l.match(/^\{'eval_loss': ([\d.]+),/);
          if (!e) continue;
          if (finalEval) note(String(total), e[1]!);
          else {
            const save = ls.slice(i + 1, i + 3).find((y) => y.includes("Saving model checkpoint"));
            if (save) note(save.match(/checkpoint-(\d+)$/)![1]!, e[1]!);
          }
        } else if (x.f === "megatron") {
          const v = l.match(
            /^ validation loss at iteration (\d+)(?: on validation set)? \| lm loss value: (\S+)/,
          );
          if (v) note(v[1]!, v[2]!);
        } else {
          const v = l.match(/ - epoch (\d+): perplexity: \S+ eval_loss: tensor\(([\d.]+)/);
          if (v) note(v[1]!, v[2]!);
        }
      }
    }
    assert.ok(pairs >= 8, `only ${pairs} repeated evaluations`);
  });

  await t.step("replayed steps reprint their loss and grad norm", () => {
    let replays = 0;
    for (const x of all) {
      const ls = x.lines;
      if (x.f === "megatron") {
        const logInterval = Number(
          ls.find((l) => l.startsWith("  log_interval "))!.split(" ").pop(),
        );
        const seen = new Map<number, [number, number]>();
        let resume = 0;
        for (const l of ls) {
          const load = l.match(/^ loading distributed checkpoint from \S+ at iteration (\d+)/);
          if (load) resume = Number(load[1]);
          const m = l.match(ITER_RE);
          if (!m) continue;
          const it = Number(m[2]);
          const loss = Number(m[9]);
          const gn = Number(l.match(/ grad norm: ([\d.]+) \|/)![1]);
          const old = seen.get(it);
          if (old && it - logInterval >= resume) {
            replays++;
            assert.ok(Math.abs(loss / old[0] - 1) < 1e-4, `${x.where}: lm loss at ${it}`);
            assert.ok(
              Math.abs(gn - old[1]) <= 0.0015 + old[1] * 1e-4,
              `${x.where}: grad norm at ${it}`,
            );
          } else if (!old) seen.set(it, [loss, gn]);
        }
      } else if (x.f === "hf") {
        // the log dicts after the checkpoint the restart loads, before and after the restart
        const restart = ls.findIndex((l) => l.includes("Worker group FAILED"));
        if (restart < 0) continue;
        const cont = ls.slice(restart).find((l) =>
          l.includes("Continuing training from global step")
        );
        if (!cont) continue;
        const r = cont.split(" ").pop()!;
        const saveIdx = ls.findLastIndex(
          (l, i) =>
            i < restart && l.endsWith(`Saving model checkpoint to ${l.split(" to ")[1]}`) &&
            l.endsWith(`/checkpoint-${r}`),
        );
        const dicts = (a: number, b: number) =>
          ls.slice(a, b).filter((l) => l.startsWith("{'loss': ")).map((l) => {
            const m = l.match(/'loss': ([\d.]+), 'grad_norm': ([\d.e+-]+),/)!;
            return [Number(m[1]), Number(m[2])];
          });
        const before = dicts(saveIdx < 0 ? 0 : saveIdx, restart);
        if (saveIdx < 0) continue;
        const after = dicts(restart, ls.length).slice(0, before.length);
        for (let k = 0; k < after.length; k++) {
          replays++;
          assert.ok(
            Math.abs(after[k]![0]! - before[k]![0]!) <= 1.5e-4,
            `${x.where}: replayed loss ${k}`,
          );
          assert.ok(
            Math.abs(after[k]![1]! / before[k]![1]! - 1) < 1e-4,
            `${x.where}: replayed grad norm ${k}`,
          );
        }
      } else {
        const seen = new Map<number, number>();
        for (const b of parseBars(x.text)) {
          const m = b.postfix.match(/^loss=([\d.e+-]+),/);
          if (!m || b.desc !== "") continue;
          const old = seen.get(b.n);
          if (old === undefined) seen.set(b.n, Number(m[1]));
          else {
            replays++;
            assert.ok(
              Math.abs(Number(m[1]) / old - 1) < 2e-3,
              `${x.where}: replayed loss at ${b.n}`,
            );
          }
        }
      }
    }
    assert.ok(replays >= 50, `only ${replays} replayed values`);
  });

  await t.step("jobs resume from a checkpoint that was saved", () => {
    for (const x of all) {
      const ls = x.lines;
      const saved = new Set<number>();
      const loaded = new Set<number>();
      let first = true;
      const onLoad = (r: number, grid: () => boolean) => {
        assert.ok(first ? grid() : saved.has(r) || loaded.has(r), `${x.where}: resumed from ${r}`);
        first = false;
        loaded.add(r);
      };
      if (x.f === "megatron") {
        const si = Number(ls.find((l) => l.startsWith("  save_interval "))!.split(" ").pop());
        for (const l of ls) {
          const s = l.match(/successfully saved checkpoint from iteration +(\d+) /);
          if (s) saved.add(Number(s[1]));
          const r = l.match(/^ loading distributed checkpoint from \S+ at iteration (\d+)/);
          if (r) onLoad(Number(r[1]), () => Number(r[1]) % si === 0);
        }
      } else if (x.f === "hf") {
        // saves on the save_steps grid (the end of training saves off the grid)
        const totalLine = ls.find((l) => l.includes(">>   Total optimization steps = "))!;
        const total = Number(totalLine.split(" = ")[1]!.replaceAll(",", ""));
        const saves = ls.flatMap((l) => {
          const m = l.match(/Saving model checkpoint to \S+\/checkpoint-(\d+)$/);
          return m && Number(m[1]) !== total ? [Number(m[1])] : [];
        });
        for (const l of ls) {
          const s = l.match(/Saving model checkpoint to \S+\/checkpoint-(\d+)$/);
          if (s) saved.add(Number(s[1]));
          const r = l.match(/Continuing training from global step (\d+)$/);
          if (r) {
            const R = Number(r[1]);
            const next = saves.find((k) => k > R);
            onLoad(R, () => next === undefined || R % (next - R) === 0);
          }
        }
      } else {
        const cmd = ls.find((l) => l.includes("accelerate launch"))!;
        const every = Number(cmd.match(/--checkpointing_steps (\d+)/)![1]);
        for (const l of ls) {
          const s = l.match(/Saving current state to \S+\/step_(\d+)$/);
          if (s) saved.add(Number(s[1]));
          const r = l.match(/Loading states from \S+\/step_(\d+)$/);
          if (r) onLoad(Number(r[1]), () => Number(r[1]) % every === 0);
        }
      }
      // the summary's checkpoint was written or loaded by this log
      const ck = ls.find((l) => l.startsWith("checkpoint   "))!.slice(13).replace(/ \(.*\)$/, "");
      const iter = ck.match(/(?:iter_0*|step_|checkpoint-)(\d+)$/);
      if (iter) {
        const n = Number(iter[1]);
        assert.ok(saved.has(n) || loaded.has(n), `${x.where}: checkpoint ${ck} never written`);
      } else {
        assert.ok(
          ls.some((l) =>
            /Saving model checkpoint to |Configuration saved in /.test(l) && l.includes(`${ck}`)
          ),
          `${x.where}: ${ck} never written`,
        );
      }
    }
  });

  await t.step("data: tokens bounded by the corpus, stable example counts", () => {
    const counts = new Map<string, [number, string]>();
    for (const x of all) {
      const j = facts.get(x)!;
      const ls = x.lines;
      const data = ls.find((l) => l.startsWith("data         "))!;
      const [, mix, seq, perStep] = data.match(
        /^data\s+(.+?) · seq (\d+) · global batch \d+ \(([\d,]+) tokens\/step\)/,
      )!;
      // a mixture reads each part in proportion to its weight
      const parts = mix!.includes(" + ")
        ? mix!.split(" + ").map((p) => {
          const m = p.match(/^(.*) \((\d+)%\)$/)!;
          return { name: m[1]!, weight: Number(m[2]) / 100 };
        })
        : [{ name: mix!, weight: 1 }];
      assert.ok(
        Math.abs(parts.reduce((a, b) => a + b.weight, 0) - 1) < 0.011,
        `${x.where}: weights`,
      );
      const total = Number(
        ls.find((l) => l.startsWith("steps        "))!.match(/ of ([\d,]+)/)![1]!.replaceAll(
          ",",
          "",
        ),
      );
      const tokens = total * Number(perStep!.replaceAll(",", ""));
      for (const part of parts) {
        const d = DATASETS.find((y) => y.name === part.name)!;
        assert.ok(
          tokens * part.weight <= 4.05 * corpusTokens(d, j.model) * (1 + 0.006 / part.weight),
          `${x.where}: ${tokens * part.weight} tokens from ${part.name}`,
        );
      }
      const ds = DATASETS.find((d) => d.name === parts[0]!.name)!;
      const banner = ls.find((l) => /(>>| - ) {3}Num examples = /.test(l));
      if (banner) {
        const n = Number(banner.split(" = ")[1]!.replaceAll(",", ""));
        const epochs = Number(ls.find((l) => /(>>| - ) {3}Num Epochs = /.test(l))!.split(" = ")[1]);
        assert.ok(epochs <= 4, `${x.where}: ${epochs} epochs`);
        const key = `${ds.id} | ${j.model.tokenizer} ${j.model.vocab} | ${seq}`;
        const old = counts.get(key);
        if (old) assert.equal(n, old[0], `${x.where} vs ${old[1]}: Num examples for ${key}`);
        else counts.set(key, [n, x.where]);
      }
    }
  });

  await t.step("loss: code and math below web text; bigger models lower", () => {
    for (const x of all.filter((y) => y.f === "megatron")) {
      const j = facts.get(x)!;
      const name = x.lines.find((l) => l.startsWith("data         "))!.slice(13).split(" · ")[0];
      if (name!.includes(" + ")) continue;
      const ds = DATASETS.find((d) => d.name === name)!;
      const final = Number(
        x.lines.find((l) => l.startsWith("loss         "))!.match(/final ([\d.]+)/)![1],
      );
      const seen = Number(x.lines.find((l) =>
        l.startsWith("steps        ")
      )!.match(/→ ([\d,]+)/)![1]!
        .replaceAll(",", "")) *
        Number(x.lines.find((l) => l.startsWith("data         "))!.match(/\(([\d,]+) tokens/)![1]!
          .replaceAll(",", ""));
      // after the first few hundred billion tokens, code sits far below web text
      if (ds.domain === "code" && seen > 2e11) {
        assert.ok(final < 1.75, `${x.where}: code loss ${final}`);
      }
      if (ds.domain === "web" && j.model.params >= 7e9) {
        assert.ok(final > 1.55, `${x.where}: web loss ${final}`);
      }
    }
    const rng = new Rng(7);
    const chat = DATASETS.find((d) => d.id === "teknium/OpenHermes-2.5")!;
    const math = DATASETS.find((d) => d.id === "meta-math/MetaMathQA")!;
    const small = MODELS.find((m) => m.name === "GPT-2-Medium")!;
    const big = MODELS.find((m) => m.name === "Llama-2-7B")!;
    const mean = (m: ModelSpec, d: typeof chat) => {
      let sum = 0;
      for (let i = 0; i < 50; i++) sum += finetuneLevels(rng, m, d).end;
      return sum / 50;
    };
    assert.ok(mean(small, chat) > 1.5 && mean(big, chat) < 1.25, "fine-tune loss by size");
    assert.ok(mean(big, math) < mean(big, chat) * 0.7, "math below chat");
  });

  await t.step("hub snapshots are 40-hex commits, one per model", () => {
    const commits = new Map<string, string>();
    for (const x of all) {
      const id = x.text.match(/\/runs\/([a-z0-9]{8})\b/)?.[1];
      for (const m of x.text.matchAll(/models--([^/\s]+)\/snapshots\/([^/\s]+)\//g)) {
        assert.match(m[2]!, /^[0-9a-f]{40}$/, `${x.where}: snapshot ${m[2]}`);
        if (id) assert.ok(!m[2]!.includes(id), `${x.where}: snapshot made of the W&B id`);
        const old = commits.get(m[1]!);
        if (old) assert.equal(m[2], old, `${x.where}: one snapshot per model`);
        else commits.set(m[1]!, m[2]!);
      }
    }
    assert.ok(commits.size >= 20);
  });

  await t.step("tokenizer files follow the tokenizer class", () => {
    for (const x of all.filter((y) => y.f !== "megatron")) {
      const m = facts.get(x)!.model;
      const files = new Map<string, boolean>();
      for (const l of x.lines) {
        const f = l.match(/loading file (\S+) from cache at (\S+)$/);
        if (f) files.set(f[1]!, f[2] !== "None");
      }
      const bpe = m.tokenizer === "GPT2TokenizerFast" || m.tokenizer === "Qwen2TokenizerFast";
      if (bpe) {
        assert.ok(files.get("vocab.json") && files.get("merges.txt"), `${x.where}: BPE files`);
        assert.ok(!files.get("tokenizer.model"), `${x.where}: no SentencePiece model for BPE`);
      }
      if (m.tokenizer === "PreTrainedTokenizerFast") {
        assert.ok(!files.has("tokenizer.model") && !files.has("vocab.json"), `${x.where}: Llama 3`);
      }
      if (m.tokenizer === "GemmaTokenizerFast") assert.ok(files.get("tokenizer.model"), x.where);
      assert.ok(files.get("tokenizer.json"), `${x.where}: tokenizer.json`);
    }
  });

  await t.step("the software stack runs on the GPU", () => {
    for (const x of all) {
      const j = facts.get(x)!;
      const ls = x.lines;
      const cc = Number(j.gpu.computeCap);
      const driverCuda = Number(
        ls.find((l) => l.includes("CUDA Version: "))!.match(/CUDA Version: ([\d.]+)/)![1],
      );
      let inits = 0;
      let versions = 0;
      for (const l of ls) {
        if (l.includes("Rendezvous complete for workers")) inits++;
        const v = l.match(/NCCL version (\d+\.\d+\.\d+)\+cuda(\d+\.\d+)/);
        if (!v || l.includes("NCCL error")) continue;
        const tag = Number(v[2]);
        if (l.includes("NCCL INFO NCCL version")) {
          versions++;
          assert.match(l, /^\S+:\d+:\d+ \[0\] NCCL INFO/, `${x.where}: NCCL version from rank 0`);
        }
        assert.ok(tag <= driverCuda, `${x.where}: cuda ${tag} on a ${driverCuda} driver`);
        if (cc >= 10) assert.ok(tag >= 12.8, `${x.where}: ${j.gpu.name} on a cuda ${tag} build`);
        if (cc < 7.5) assert.ok(tag < 12.8, `${x.where}: ${j.gpu.name} on a cuda ${tag} build`);
        const glog = ls.find((y) => /^[IWE]\d{4} [\d:.]+ \d+ torch\//.test(y));
        const id = Number(glog?.split(" ")[2] ?? 0);
        if (glog && v[1] === "2.20.5") {
          assert.ok(id > 2 ** 40, `${x.where}: torch 2.4 logs the thread id`);
        } else if (glog) assert.ok(id < 4_194_304, `${x.where}: torch ≥ 2.5 logs the pid`);
        if (v[1]! >= "2.23") {
          assert.ok(!x.text.includes("No plugin found"), `${x.where}: NCCL ${v[1]}`);
        }
      }
      if (ls.some((l) => l.includes("NCCL INFO cudaDriverVersion")) && j.consoleNode === 0) {
        assert.equal(versions, inits, `${x.where}: NCCL version once per start`);
      }
      if (x.f === "megatron") {
        const starts = ls.filter((l) => l.startsWith("> initializing torch distributed")).length;
        const bare = ls.filter((l) => /^NCCL version /.test(l)).length;
        assert.equal(bare, starts, `${x.where}: NCCL version once per start (NCCL_DEBUG=WARN)`);
      }
      if (j.gpu.arch === "Volta") assert.ok(!/use_flash_attn \.+ True/.test(x.text), x.where);
      const mig = ls.filter((l) => /^\|\s+\|\s+\|\s+\S+ \|$/.test(l)).map((l) =>
        l.split("|")[3]!.trim()
      );
      for (const v of mig) assert.equal(v, hasMig(j.gpu) ? "Disabled" : "N/A", `${x.where}: MIG`);
    }
  });

  await t.step("Megatron: iteration lines and W&B come from the last rank's node", () => {
    for (const x of all.filter((y) => y.f === "megatron")) {
      const j = facts.get(x)!;
      const label = (k: number) => `${String(k).padStart(String(j.nodes - 1).length)}: `;
      const raw = x.raw.split("\n");
      const start = raw.findIndex((l) => l.includes(" srun --label "));
      assert.ok(start > 0, `${x.where}: srun --label launch`);
      for (const l of raw) {
        const body = l.replace(/^ *\d+: /, "");
        const lastRank = ITER_RE.test(body) || body.startsWith("wandb: ") && l !== body ||
          body.startsWith(" validation loss at ") || body.startsWith("(min, max) time across");
        if (lastRank) assert.ok(l.startsWith(label(j.nodes - 1)), `${x.where}: ${l.slice(0, 60)}`);
        if (
          /^( loading distributed checkpoint| {2}successfully saved|saving checkpoint|NCCL version)/
            .test(body)
        ) {
          assert.ok(l.startsWith(label(0)), `${x.where}: rank 0 prints ${body.slice(0, 40)}`);
        }
        const rank = body.match(/^\[Rank (\d+)\] \(after/);
        if (rank) {
          assert.ok(
            l.startsWith(label(Math.floor(Number(rank[1]) / j.gpn))),
            `${x.where}: ${body}`,
          );
        }
      }
      assert.ok(
        !x.text.includes("wandb: Resuming run"),
        `${x.where}: Megatron never resumes a W&B run`,
      );
    }
  });

  await t.step("signature blocks: TrainingArguments( and DeepSpeed's engine configuration", () => {
    for (const x of all.filter((y) => y.f !== "megatron")) {
      const ls = x.lines;
      if (x.f === "hf") {
        const start = ls.findIndex((l) =>
          l.endsWith("Training/evaluation parameters TrainingArguments(")
        );
        assert.ok(start > 0, `${x.where}: TrainingArguments block`);
        const end = ls.indexOf(")", start);
        const fields = ls.slice(start + 1, end).map((l) => l.match(/^(\w+)=(.*),$/)!);
        assert.ok(fields.every((m) => m !== null) && fields.length >= 100, `${x.where}: fields`);
        const names = fields.map((m) => m[1]!);
        assert.deepEqual(names, [...names].sort(), `${x.where}: fields sorted`);
        const arg = (k: string) => fields.find((m) => m[1] === k)![2]!;
        const banner = (k: string) =>
          Number(ls.find((l) => l.includes(`>>   ${k} = `))!.split(" = ")[1]!.replaceAll(",", ""));
        assert.equal(
          Number(arg("per_device_train_batch_size")),
          banner("Instantaneous batch size per device"),
        );
        assert.equal(
          Number(arg("gradient_accumulation_steps")),
          banner("Gradient Accumulation steps"),
        );
        const max = Number(arg("max_steps"));
        if (max > 0) assert.equal(max, banner("Total optimization steps"), `${x.where}: max_steps`);
        const saves = ls.flatMap((l) => l.match(/\/checkpoint-(\d+)$/)?.[1] ?? []).map(Number);
        for (const k of saves.filter((k) => k !== banner("Total optimization steps"))) {
          assert.equal(k % Number(arg("save_steps")), 0, `${x.where}: save_steps`);
        }
      } else {
        const dump = ls.filter((l) => l.includes("[config.py:1003:print]   "));
        const starts = ls.filter((l) => l.endsWith("DeepSpeedEngine configuration:")).length;
        assert.ok(
          dump.length >= 70 * starts && starts >= 1,
          `${x.where}: ${dump.length} engine keys`,
        );
        for (const l of dump) {
          const m = l.match(/\[config\.py:1003:print\] {3}(\w+) (\.*) \S/)!;
          assert.ok(m, `${x.where}: ${l}`);
          assert.equal(m[2]!.length, Math.max(0, 29 - m[1]!.length), `${x.where}: dots of ${m[1]}`);
        }
        const json = ls.findIndex((l) =>
          l.endsWith("[config.py:989:print_user_config]   json = {")
        );
        assert.ok(
          json > 0 && ls[json + 1]!.startsWith('    "train_batch_size": '),
          `${x.where}: json`,
        );
      }
    }
  });

  await t.step("the W&B summary holds the last logged values", () => {
    for (const x of all) {
      const ls = x.lines;
      const at = ls.lastIndexOf("wandb: Run summary:");
      assert.ok(at > 0, `${x.where}: W&B summary`);
      const summary = new Map<string, string>();
      for (const l of ls.slice(at + 1)) {
        const m = l.match(/^wandb: +(.+?) (\S+)$/);
        if (!m) break;
        summary.set(m[1]!, m[2]!);
      }
      // wandb prints round(value, 5) of a float
      const round5 = (v: number) => pyRepr(Number(v.toFixed(5)));
      if (x.f === "hf") {
        const total = Number(
          ls.find((l) => l.includes(">>   Total optimization steps = "))!.split(" = ")[1]!
            .replaceAll(",", ""),
        );
        assert.equal(summary.get("train/global_step"), String(total), `${x.where}: global step`);
        const last = ls.findLast((l) => l.startsWith("{'loss': "))!;
        const [, loss, lr] = last.match(/'loss': ([\d.]+), .*'learning_rate': ([\d.e+-]+),/)!;
        assert.equal(Number(summary.get("train/loss")), Number(loss), `${x.where}: train/loss`);
        assert.equal(summary.get("train/learning_rate"), round5(Number(lr)), `${x.where}: lr`);
      } else if (x.f === "megatron") {
        const last = ls.findLast((l) => ITER_RE.test(l))!.match(ITER_RE)!;
        // the line prints 7 figures, the summary 5 decimals of the same value
        const near = (k: string, v: number) =>
          assert.ok(Math.abs(Number(summary.get(k)) - v) <= 5.1e-6 + v * 1e-6, `${x.where}: ${k}`);
        near("lm loss", Number(last[9]));
        near("learning-rate", Number(last[7]));
      }
    }
  });

  await t.step("DeepSpeed's comms logger: latencies, counts and bandwidths agree", () => {
    let tables = 0;
    for (const x of all.filter((y) => y.f === "deepspeed")) {
      const ls = x.lines;
      const head = ls.findIndex((l) => l.startsWith("Comm. Op            Message Size"));
      const enabled = x.text.includes('"comms_logger": {');
      assert.equal(head >= 0, enabled, `${x.where}: comms summary iff comms_logger enabled`);
      if (head < 0) continue;
      tables++;
      const n = facts.get(x)!.gpn * facts.get(x)!.nodes;
      const units: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
      let op = "";
      for (const l of ls.slice(head + 1)) {
        if (/^[a-z_]+$/.test(l)) {
          op = l;
          continue;
        }
        const m = l.match(/^ {20}([\d.]+) (\w+) +(\d+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) *$/);
        if (!m) break;
        const bytes = Number(m[1]) * units[m[2]!]!;
        const [count, total, avg, tput, busbw] = [3, 4, 5, 6, 7].map((k) => Number(m[k]));
        // the mean is trimmed (a little below total / count) and printed to 2 decimals
        assert.ok(
          total >= (avg - 0.005) * count - 0.01 && total <= (avg + 0.005) * count * 1.045 + 0.01,
          `${x.where}: ${l}`,
        );
        const mult = op.startsWith("all_gather") || op.startsWith("reduce_scatter")
          ? n
          : op.startsWith("all_reduce")
          ? 2
          : 1;
        if (avg >= 1) {
          const want = (bytes * mult * 8) / (avg * 1e6);
          assert.ok(Math.abs(tput / want - 1) < 0.012, `${x.where}: tput of ${l}`);
        }
        if (tput >= 1) {
          const ratio = op === "broadcast" ? 1 : (n - 1) / n;
          assert.ok(Math.abs(busbw / (tput * ratio) - 1) < 0.01, `${x.where}: busbw of ${l}`);
        }
      }
    }
    assert.ok(tables >= 40, `only ${tables} comms summaries`);
  });

  await t.step("GPU monitor: every GPU of the console's node, within its limits", () => {
    for (const x of all) {
      const j = facts.get(x)!;
      const ls = x.lines;
      for (let i = 0; i < ls.length; i++) {
        if (!ls[i]!.startsWith("[gpu-monitor] ")) continue;
        const head = ls[i + 6]!.match(/^ {2}(\S+): +gpu +util +mem \(MiB\) +temp +power$/);
        assert.ok(head, `${x.where}: per-GPU header`);
        assert.equal(head[1], j.hosts[0], `${x.where}: per-GPU host`);
        for (let k = 0; k < j.gpn; k++) {
          const m = ls[i + 7 + k]!.match(/^ +(\d+) +(\d+)% +(\d+) +(\d+)C +(\d+)W$/)!;
          assert.ok(m, `${x.where}: GPU row ${ls[i + 7 + k]}`);
          assert.equal(Number(m[1]), k);
          assert.ok(Number(m[2]) <= 100 && Number(m[3]) < j.gpu.memoryMiB, `${x.where}: GPU ${k}`);
          assert.ok(Number(m[5]) <= j.gpu.powerCapW, `${x.where}: GPU ${k} power`);
        }
        assert.ok(!/^ +\d+ +\d+% /.test(ls[i + 7 + j.gpn] ?? ""), `${x.where}: one row per GPU`);
      }
    }
  });

  await t.step("Megatron data mixtures: weights, paths and per-part sample counts agree", () => {
    let mixtures = 0;
    for (const x of all.filter((y) => y.f === "megatron")) {
      const ls = x.lines;
      const arg = ls.find((l) => l.startsWith("  data_path "))!.replace(/^ {2}data_path \.+ /, "");
      const list = [...arg.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
      const blended = list.length > 1;
      assert.equal(ls.some((l) => l.includes("Load the BlendedDataset train indices")), blended);
      if (!blended) continue;
      mixtures++;
      const weights = list.filter((_, i) => i % 2 === 0).map(Number);
      const paths = list.filter((_, i) => i % 2 === 1);
      assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-9, `${x.where}: weights`);
      const train = Number(
        ls.find((l) => l.startsWith("    train:      "))!.trim().split(/\s+/)[1],
      );
      // the first data-loading pass: each part's reader, then its train split's samples
      const firstStart = ls.findIndex((l) => l.includes("Building GPTDataset splits"));
      paths.forEach((path, i) => {
        const reader = ls.findIndex((l, k) =>
          k > firstStart && l.endsWith(`_IndexReader from ${path}.idx`)
        );
        assert.ok(reader > 0, `${x.where}: reader for ${path}`);
        const samples = ls.slice(reader).find((l) => l.includes("> total number of samples: "))!;
        const n = Number(samples.split(": ").pop());
        const want = train * weights[i]! * 1.005;
        assert.ok(n >= want && n <= want * 1.021 + 1, `${x.where}: samples of ${path}`);
      });
    }
    assert.ok(mixtures >= 30, `only ${mixtures} mixtures`);
  });

  await t.step("NCCL: every local rank prints its ring connections", () => {
    for (const x of all.filter((y) => y.f !== "megatron")) {
      const j = facts.get(x)!;
      const mine = (r: number) => Math.floor(r / j.gpn) === j.consoleNode;
      const out = new Map<string, number>();
      let inits = 0;
      let channels = 0;
      for (const l of x.lines) {
        if (l.includes("Rendezvous complete for workers")) inits++;
        const ring = l.match(/NCCL INFO Channel (\d+)\/(\d+) : {3}/);
        if (ring) channels = Number(ring[2]);
        const m = l.match(
          /^\S+:\d+:\d+ \[(\d+)\] NCCL INFO Channel (\d+)\/0 : (\d+)\[(\d+)\] -> (\d+)\[(\d+)\] (\[send\] |\[receive\] )?via (\S+)$/,
        );
        if (!m) continue;
        const [dev, ch, a, da, b, db] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k]));
        assert.equal(da, a! % j.gpn, `${x.where}: ${l}`);
        assert.equal(db, b! % j.gpn, `${x.where}: ${l}`);
        if (m[7] === "[receive] ") {
          assert.ok(!mine(a!) && mine(b!) && db === dev, `${x.where}: receive ${l}`);
          continue;
        }
        assert.ok(mine(a!) && da === dev, `${x.where}: sender ${l}`);
        // to another node: over the NICs, or NVLink across GB200 trays
        const remote = m[7] === "[send] " && m[8]!.startsWith("NET/IB/") || m[8] === "P2P/MNNVL";
        assert.equal(!mine(b!), remote, `${x.where}: ${l}`);
        const key = `${inits}:${a}:${ch}`;
        out.set(key, (out.get(key) ?? 0) + 1);
      }
      assert.ok([...out.values()].every((n) => n === 1), `${x.where}: one connection per channel`);
      if (inits > 0 && channels > 0) {
        assert.equal(out.size, inits * channels * j.gpn, `${x.where}: connections of every rank`);
      }
    }
  });

  await t.step("exit order: workers' exit warnings before the agent's success", () => {
    for (const x of all) {
      const done = x.lines.findIndex((l) => l.includes("worker group successfully finished"));
      const warn = x.lines.findLastIndex((l) => l.includes("process group has NOT been destroyed"));
      if (done >= 0 && warn >= 0) assert.ok(warn < done, `${x.where}: exit order`);
    }
  });
});

Deno.test("llm_training: failures fit the job (2,000 draws)", () => {
  const rng = new Rng(11);
  for (let i = 0; i < 2000; i++) {
    const nodes = rng.pick([1, 1, 2, 4, 16]);
    const gpusPerNode = rng.pick([4, 8]);
    const f = drawFailure(
      rng,
      { nodes, gpusPerNode, bucketNumel: 4e7, timeoutSec: 120 },
      100,
      90,
      true,
    );
    assert.ok(f.node < nodes && f.localRank < gpusPerNode);
    if (nodes === 1) assert.ok(!NETWORK_FAILURES.includes(f.kind), `single node: ${f.kind}`);
    else assert.notEqual(f.peerNode, f.node);
    assert.ok(f.peerNode < nodes);
  }
});
