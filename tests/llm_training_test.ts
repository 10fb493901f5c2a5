/**
 * llm_training: format fidelity and physical consistency, checked on the
 * output of full runs (every flavour, 200 seeds, plain mode) and on the pure
 * pieces (tqdm, Python number formats, schedules, sharding, scenarios).
 */

import assert from "node:assert/strict";
import { captureModule } from "./harness.ts";
import { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";
import { llmTraining, runFlavour } from "../modules/llm_training/mod.ts";
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
  drawScenario,
  type Flavour,
  FLAVOURS,
  flopsPerToken,
  MAX_RUN_MS,
} from "../modules/llm_training/scenario.ts";
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
    assert.ok(loss > 1.2 && loss < 4.5, `${where}: lm loss ${loss}`);
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
  const theo = ls.find((l) => l.startsWith("Theoretical memory footprints"))!.match(
    /total=([\d.]+) MB/,
  )!;
  assert.ok(Number(theo[1]) <= gpu.memoryMiB, `${where}: theoretical memory`);
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
  assert.ok(Math.abs(Number(fin[2]) - (N * E) / rt) <= 0.0006, `${where}: train samples/s`);
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
      /\[Rank 0\] step=(\d+), skipped=0, lr=\[(\S+)\], mom=\[\[0\.9, 0\.95\]\]$/,
    );
    if (!s) continue;
    const step = Number(s[1]);
    assert.equal(s[2], pyRepr(lrAt(sched, step)), `${where}: DeepSpeed lr at ${step}`);
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

Deno.test("llm_training: every flavour, 200 seeds, transcripts are consistent", async () => {
  const checks: Record<Flavour, (t: string, w: string) => void> = {
    hf: checkHf,
    megatron: checkMegatron,
    deepspeed: checkDeepspeed,
  };
  for (const seed of SEEDS) {
    const f = FLAVOURS[seed % 3]!;
    const run = await captureModule(flavourModule(f), { seed, cols: 200 });
    assert.ok(
      run.pretendMs >= 60_000 && run.pretendMs <= MAX_RUN_MS,
      `${f} seed ${seed}: ${run.pretendMs} ms`,
    );
    checks[f](run.output, `${f} seed ${seed}`);
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
