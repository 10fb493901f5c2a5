/**
 * llm_serve: `vllm serve <model>` (vLLM 0.11, V1 engine): start-up (resolved
 * architecture, weights loading, torch.compile or its cache, KV cache sizing,
 * CUDA graph capture, routes), then the OpenAI-compatible server under load:
 * uvicorn access lines as streaming requests arrive and the engine's stats
 * line every ten seconds.
 *
 * One served model on one GPU type per run. The figures follow from them:
 * weights per GPU are parameters × 2 bytes over the tensor-parallel size, the
 * KV cache per token is 2 × layers × KV heads × head size × 2 bytes, so the
 * KV memory left gives the token capacity, blocks of 16 and the maximum
 * concurrency. A simulated scheduler (memory-bound decode steps, prefill on
 * admission, a KV budget) drives the stats: prompt and generation throughput
 * are the tokens of that interval over its length, Running and Waiting are the
 * requests in the engine, and KV usage is their tokens over the capacity.
 * Now and then a request is refused for exceeding the context length.
 *
 * @module
 */

import data from "../data/llm_serve.json" with { type: "json" };
import gpus from "../data/gpus.json" with { type: "json" };
import models from "../data/llm_models.json" with { type: "json" };
import { pad } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

const GIB = 2 ** 30;
const BLOCK = 16;
const MAX_SEQS = 256;
const STATS_MS = 10_000;
const CHUNK = 8192;

/** One server, drawn up front. */
export interface Server {
  serve: string;
  arch: string;
  params: number;
  layers: number;
  kvHeads: number;
  headDim: number;
  maxModelLen: number;
  shards: number;
  gpu: string;
  memGiB: number;
  bandwidth: number;
  tflops: number;
  tp: number;
  /** Weights per GPU, GiB. */
  weightsGiB: number;
  /** KV cache bytes per token on one GPU. */
  kvBytesPerToken: number;
  kvGiB: number;
  blocks: number;
  kvTokens: number;
  apiPid: number;
  enginePid: number;
  compileCached: boolean;
  /** Mean arrivals per second. */
  rate: number;
  promptMedian: number;
  outputMedian: number;
}

/** Draws the model, the GPU and the load. */
export function planServer(rng: Rng): Server {
  const m = rng.pick(data.models);
  const arch = models.find((x) => x.name === m.base)!;
  const gpuName = rng.pick(data.gpus);
  const gpu = gpus.find((g) => g.name === gpuName)!;
  const memGiB = gpu.memoryMiB / 1024;
  const weights = (arch.params * 2) / GIB;
  let tp = 1;
  while (weights / tp > memGiB * 0.6 && tp < 8) tp *= 2;
  const weightsGiB = weights / tp;
  const kvBytesPerToken = 2 * arch.layers * (arch.kvHeads / Math.min(tp, arch.kvHeads)) *
    arch.headDim * 2;
  const kvGiB = memGiB * 0.9 - weightsGiB - rng.float(1.2, 3.6);
  const blocks = Math.floor((kvGiB * GIB) / kvBytesPerToken / BLOCK);
  // Offered load: a share of what a batch of 32 decodes per second, in requests.
  const outputMedian = rng.int(120, 450);
  const stepMs =
    ((weightsGiB * GIB + 32 * 1500 * kvBytesPerToken) / (gpu.bandwidthGBs * 1e9 * 0.7)) * 1000 +
    0.8;
  const capacity = (32 * 1000) / stepMs;
  const promptMedian = rng.int(350, 1_800);
  const prefillCapacity = (gpu.bf16Tflops * 1e12 * 0.45 * tp) / (2 * arch.params);
  return {
    serve: m.serve,
    arch: arch.arch,
    params: arch.params,
    layers: arch.layers,
    kvHeads: arch.kvHeads,
    headDim: arch.headDim,
    maxModelLen: m.maxModelLen,
    shards: m.shards,
    gpu: gpu.name,
    memGiB,
    bandwidth: gpu.bandwidthGBs * 1e9,
    tflops: gpu.bf16Tflops * 1e12,
    tp,
    weightsGiB,
    kvBytesPerToken,
    kvGiB,
    blocks,
    kvTokens: blocks * BLOCK,
    apiPid: rng.int(1_000, 60_000),
    enginePid: 0,
    compileCached: rng.chance(0.6),
    rate:
      (Math.min(capacity / outputMedian, prefillCapacity / promptMedian) * rng.float(0.2, 0.85)) /
      1.3,
    promptMedian,
    outputMedian,
  };
}

/** vLLM's `MM-DD HH:MM:SS`. */
function stamp(d: Date): string {
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }:${pad(d.getUTCSeconds())}`;
}

/** `1,031,376`. */
function grouped(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A request in the engine. */
interface Req {
  prompt: number;
  /** Prompt tokens in the KV cache so far (cached prefix or computed). */
  prefilled: number;
  output: number;
  done: number;
}

/** What one stats line reports. */
export interface Stats {
  promptTps: number;
  genTps: number;
  running: number;
  waiting: number;
  kvUsage: number;
  prefixHit: number;
}

/** The engine's stats line. */
export function statsLine(s: Stats): string {
  return `Engine 000: Avg prompt throughput: ${
    s.promptTps.toFixed(1)
  } tokens/s, Avg generation throughput: ${
    s.genTps.toFixed(1)
  } tokens/s, Running: ${s.running} reqs, Waiting: ${s.waiting} reqs, GPU KV cache usage: ${
    s.kvUsage.toFixed(1)
  }%, Prefix cache hit rate: ${s.prefixHit.toFixed(1)}%`;
}

/** tqdm's `[00:04<00:00,  1.04s/it]` timing block. */
function tqdmTimes(elapsed: number, left: number, perIt: number): string {
  const mmss = (s: number) => `${pad(Math.floor(s / 60))}:${pad(Math.floor(s % 60))}`;
  const rate = perIt >= 1
    ? `${perIt.toFixed(2).padStart(5)}s/it`
    : `${(1 / perIt).toFixed(2).padStart(5)}it/s`;
  return `[${mmss(elapsed)}<${mmss(left)}, ${rate}]`;
}

class Log {
  constructor(readonly ctx: Context, readonly s: Server) {}

  api(file: string, text: string, level = "INFO"): void {
    this.ctx.out.line(
      `(APIServer pid=${this.s.apiPid}) ${level} ${stamp(this.ctx.clock.wall())} [${file}] ${text}`,
    );
  }

  engine(file: string, text: string): void {
    this.ctx.out.line(
      `(EngineCore_DP0 pid=${this.s.enginePid}) INFO ${
        stamp(this.ctx.clock.wall())
      } [${file}] ${text}`,
    );
  }

  /** Model-runner lines: the worker's prefix under tensor parallelism. */
  worker(file: string, text: string): void {
    const who = this.s.tp > 1
      ? `(Worker_TP0 pid=${this.s.enginePid + 4})`
      : `(EngineCore_DP0 pid=${this.s.enginePid})`;
    this.ctx.out.line(`${who} INFO ${stamp(this.ctx.clock.wall())} [${file}] ${text}`);
  }

  uvicorn(text: string): void {
    this.ctx.out.line(`(APIServer pid=${this.s.apiPid}) INFO:     ${text}`);
  }
}

/** A tqdm bar that runs for `count` items; live on a terminal, the final state kept. */
async function tqdm(
  ctx: Context,
  label: string,
  count: number,
  perItem: number,
  bar: boolean,
): Promise<void> {
  let elapsed = 0;
  const draw = (k: number) => {
    const pct = Math.floor((k * 100) / count);
    const left = (count - k) * perItem;
    const times = k === 0 ? "[00:00<?, ?it/s]" : tqdmTimes(elapsed, left, perItem);
    return bar
      ? `${label}: ${String(pct).padStart(3)}%|${"█".repeat(Math.floor(pct / 10))}${
        " ".repeat(10 - Math.floor(pct / 10))
      }| ${k}/${count} ${times}`
      : `${label}: ${String(pct).padStart(3)}% Completed | ${k}/${count} ${times}`;
  };
  if (ctx.term.isTTY) ctx.out.live([draw(0)]);
  for (let k = 1; k <= count; k++) {
    const ms = perItem * 1000 * ctx.rng.float(0.85, 1.15);
    await ctx.sleep(ms);
    elapsed += ms / 1000;
    if (ctx.term.isTTY) ctx.out.live([draw(k)]);
  }
  ctx.out.live([]);
  ctx.out.line(draw(count));
}

async function startup(ctx: Context, s: Server, log: Log): Promise<void> {
  const { rng } = ctx;
  ctx.out.line(
    `${ctx.style.bold("$")} vllm serve ${s.serve} --max-model-len ${s.maxModelLen}${
      s.tp > 1 ? ` --tensor-parallel-size ${s.tp}` : ""
    }`,
  );
  await ctx.sleep(rng.int(2_500, 5_000));
  log.api("api_server.py:1885", `vLLM API server version ${data.vllm}`);
  log.api(
    "utils.py:233",
    `non-default args: {'model_tag': '${s.serve}', 'model': '${s.serve}', 'max_model_len': ${s.maxModelLen}${
      s.tp > 1 ? `, 'tensor_parallel_size': ${s.tp}` : ""
    }}`,
  );
  await ctx.sleep(rng.int(3_000, 7_000));
  log.api("model.py:547", `Resolved architecture: ${s.arch}`);
  log.api("model.py:1510", `Using max model len ${s.maxModelLen}`);
  log.api("scheduler.py:205", "Chunked prefill is enabled with max_num_batched_tokens=8192.");
  await ctx.sleep(rng.int(4_000, 8_000));
  s.enginePid = s.apiPid + rng.int(150, 400);
  log.engine("core.py:644", "Waiting for init message from front-end.");
  log.engine(
    "core.py:77",
    `Initializing a V1 LLM engine (v${data.vllm}) with config: model='${s.serve}', speculative_config=None, tokenizer='${s.serve}', skip_tokenizer_init=False, tokenizer_mode=auto, revision=None, trust_remote_code=False, dtype=torch.bfloat16, max_seq_len=${s.maxModelLen}, download_dir=None, load_format=auto, tensor_parallel_size=${s.tp}, pipeline_parallel_size=1, data_parallel_size=1, disable_custom_all_reduce=False, quantization=None, enforce_eager=False, kv_cache_dtype=auto, device_config=cuda, seed=0, served_model_name=${s.serve}, enable_prefix_caching=True, chunked_prefill_enabled=True, pooler_config=None`,
  );
  await ctx.sleep(rng.int(1_500, 3_000));
  log.worker(
    "parallel_state.py:1208",
    `rank 0 in world size ${s.tp} is assigned as DP rank 0, PP rank 0, TP rank 0, EP rank 0`,
  );
  log.worker("gpu_model_runner.py:2602", `Starting to load model ${s.serve}...`);
  log.worker("gpu_model_runner.py:2634", "Loading model from scratch...");
  log.worker("cuda.py:366", "Using Flash Attention backend on V1 engine.");
  log.worker("weight_utils.py:392", "Using model weights format ['*.safetensors']");
  // Safetensors shards load at page-cache speed: a few GB/s per rank.
  const perShard = ((s.params * 2) / s.shards) / (rng.float(2.2, 4.5) * 1e9);
  const started = ctx.clock.now();
  await tqdm(ctx, "Loading safetensors checkpoint shards", s.shards, perShard, false);
  const took = (ctx.clock.now() - started) / 1000;
  ctx.out.line(`(EngineCore_DP0 pid=${s.enginePid}) `);
  log.worker("default_loader.py:267", `Loading weights took ${took.toFixed(2)} seconds`);
  log.worker(
    "gpu_model_runner.py:2653",
    `Model loading took ${s.weightsGiB.toFixed(4)} GiB and ${
      (took + rng.float(0.6, 1.6)).toFixed(6)
    } seconds`,
  );
  const hash = rng.hex(10);
  await ctx.sleep(rng.int(4_000, 7_000));
  log.worker(
    "backends.py:548",
    `Using cache directory: /root/.cache/vllm/torch_compile_cache/${hash}/rank_0_0/backbone for vLLM's torch.compile`,
  );
  const dynamo = rng.float(4.5, 9);
  log.worker("backends.py:559", `Dynamo bytecode transform time: ${dynamo.toFixed(2)} s`);
  let compile: number;
  if (s.compileCached) {
    compile = rng.float(2, 5);
    await ctx.sleep(compile * 1000);
    log.worker(
      "backends.py:164",
      `Directly load the compiled graph(s) for dynamic shape from the cache, took ${
        compile.toFixed(3)
      } s`,
    );
  } else {
    await ctx.sleep(rng.int(3_000, 6_000));
    log.worker("backends.py:197", "Cache the graph for dynamic shape for later use");
    compile = rng.float(18, 40);
    await ctx.sleep(compile * 1000);
    log.worker(
      "backends.py:218",
      `Compiling a graph for dynamic shape takes ${compile.toFixed(2)} s`,
    );
  }
  log.worker("monitor.py:34", `torch.compile takes ${(dynamo + compile).toFixed(2)} s in total`);
  await ctx.sleep(rng.int(1_500, 3_500));
  log.worker("gpu_worker.py:298", `Available KV cache memory: ${s.kvGiB.toFixed(2)} GiB`);
  log.engine("kv_cache_utils.py:1087", `GPU KV cache size: ${grouped(s.kvTokens)} tokens`);
  log.engine(
    "kv_cache_utils.py:1091",
    `Maximum concurrency for ${grouped(s.maxModelLen)} tokens per request: ${
      (s.kvTokens / s.maxModelLen).toFixed(2)
    }x`,
  );
  const graphStart = ctx.clock.now();
  await tqdm(
    ctx,
    "Capturing CUDA graphs (mixed prefill-decode, PIECEWISE)",
    67,
    rng.float(0.05, 0.09),
    true,
  );
  await tqdm(ctx, "Capturing CUDA graphs (decode, FULL)", 35, rng.float(0.05, 0.09), true);
  const graphs = (ctx.clock.now() - graphStart) / 1000;
  log.worker(
    "gpu_model_runner.py:3480",
    `Graph capturing finished in ${Math.round(graphs)} secs, took ${
      rng.float(0.3, 0.9).toFixed(2)
    } GiB`,
  );
  log.engine(
    "core.py:210",
    `init engine (profile, create kv cache, warmup model) took ${
      (dynamo + compile + graphs + rng.float(3, 6)).toFixed(2)
    } seconds`,
  );
  await ctx.sleep(rng.int(500, 1_200));
  log.api(
    "loggers.py:147",
    `Engine 000: vllm cache_config_info with initialization after num_gpu_blocks is: ${s.blocks}`,
  );
  log.api("api_server.py:1634", "Supported_tasks: ['generate']");
  log.api("api_server.py:1912", "Starting vLLM API server 0 on http://0.0.0.0:8000");
  log.api("launcher.py:34", "Available routes are:");
  for (const [path, methods] of data.routes) {
    log.api("launcher.py:42", `Route: ${path}, Methods: ${methods}`);
  }
  log.uvicorn(`Started server process [${s.apiPid}]`);
  log.uvicorn("Waiting for application startup.");
  log.uvicorn("Application startup complete.");
}

/** Serves requests for a while, printing access lines and stats lines. */
async function serve(ctx: Context, s: Server, log: Log): Promise<void> {
  const { rng } = ctx;
  const until = ctx.clock.now() + rng.int(60_000, 110_000);
  const weightsBytes = s.weightsGiB * GIB;
  const waiting: Req[] = [];
  const running: Req[] = [];
  let nextArrival = ctx.clock.now() + rng.exp(1000 / s.rate);
  let lastStats = ctx.clock.now();
  let promptTokens = 0;
  let genTokens = 0;
  let idleLogged = true;
  let hits = 0;
  let queried = 0;
  let budget = 0;
  const tick = 100;
  const used = () => running.reduce((a, r) => a + r.prefilled + r.done, 0);
  // Serve until the load stops, then drain (the log ends here if a straggler runs long).
  while (
    (ctx.clock.now() < until || running.length + waiting.length > 0) &&
    ctx.clock.now() < until + 45_000
  ) {
    const now = ctx.clock.now();
    // Arrivals (streaming: the access line is written when the response starts).
    while (nextArrival <= now && now < until) {
      const prompt = Math.max(12, Math.round(rng.logNormal(s.promptMedian, 0.8)));
      const port = rng.int(32_768, 60_999);
      const client = rng.pick(data.clients);
      if (prompt > s.maxModelLen || rng.chance(0.01)) {
        log.uvicorn(`${client}:${port} - "POST /v1/chat/completions HTTP/1.1" 400 Bad Request`);
      } else {
        waiting.push({
          prompt,
          output: Math.max(4, Math.round(rng.logNormal(s.outputMedian, 0.7))),
          done: 0,
          prefilled: 0,
        });
        log.uvicorn(`${client}:${port} - "POST /v1/chat/completions HTTP/1.1" 200 OK`);
      }
      nextArrival += rng.exp(1000 / s.rate);
    }
    // Admission within the KV budget; a cached prefix needs no compute.
    const reserved = () => running.reduce((a, r) => a + r.prompt + r.done, 0);
    while (
      waiting.length > 0 && running.length < MAX_SEQS &&
      reserved() + waiting[0]!.prompt + 512 <= s.kvTokens
    ) {
      const r = waiting.shift()!;
      running.push(r);
      const cached = queried > 0 ? Math.round(r.prompt * rng.float(0.1, 0.6)) : 0;
      hits += cached;
      queried += r.prompt;
      r.prefilled = cached;
      promptTokens += cached;
    }
    // Engine steps: every decoding request gains a token, plus a prefill chunk;
    // a step costs the weights' and KV reads plus the chunk's compute.
    budget += tick;
    while (budget > 0) {
      const decoding = running.filter((r) => r.prefilled >= r.prompt);
      const prefilling = running.filter((r) => r.prefilled < r.prompt);
      let chunk = Math.min(CHUNK, prefilling.reduce((a, r) => a + r.prompt - r.prefilled, 0));
      if (decoding.length === 0 && chunk === 0) {
        budget = 0;
        break;
      }
      const stepMs = ((weightsBytes + used() * s.kvBytesPerToken) / (s.bandwidth * 0.7)) * 1000 +
        0.8 +
        ((2 * s.params * chunk) / (s.tflops * 0.45 * s.tp)) * 1000;
      budget -= stepMs;
      for (const r of prefilling) {
        const n = Math.min(chunk, r.prompt - r.prefilled);
        r.prefilled += n;
        promptTokens += n;
        chunk -= n;
        if (chunk === 0) break;
      }
      for (const r of decoding) {
        r.done++;
        genTokens++;
        if (r.done >= r.output) running.splice(running.indexOf(r), 1);
      }
    }
    await ctx.sleep(tick);
    if (ctx.clock.now() - lastStats >= STATS_MS) {
      const seconds = (ctx.clock.now() - lastStats) / 1000;
      const active = running.length + waiting.length > 0 || promptTokens + genTokens > 0;
      if (active || !idleLogged) {
        log.api(
          "loggers.py:123",
          statsLine({
            promptTps: promptTokens / seconds,
            genTps: genTokens / seconds,
            running: running.length,
            waiting: waiting.length,
            kvUsage: (used() * 100) / s.kvTokens,
            prefixHit: queried > 0 ? (hits * 100) / queried : 0,
          }),
        );
      }
      idleLogged = !active;
      lastStats = ctx.clock.now();
      promptTokens = 0;
      genTokens = 0;
    }
  }
}

async function run(ctx: Context): Promise<void> {
  const s = planServer(ctx.rng);
  const log = new Log(ctx, s);
  await startup(ctx, s, log);
  await serve(ctx, s, log);
}

/** `vllm serve`: an OpenAI-compatible LLM server starting up and taking requests. */
export const llm_serve: Module = {
  name: "llm_serve",
  signature: "vllm serve Qwen/Qwen2.5-7B-Instruct",
  about: "Serve an LLM with vLLM: engine start-up, KV cache sizing, requests and throughput",
  maxDurationMs: 270_000,
  run,
};
