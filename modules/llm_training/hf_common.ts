/**
 * Hugging Face pieces shared by the Trainer and the Accelerate/DeepSpeed
 * flavours: the transformers explicit log format, the model config dump,
 * tokenizer and weight loading from the hub cache, `datasets` map bars, and
 * `save_pretrained` lines.
 *
 * @module
 */

import type { ModelSpec } from "./data.ts";
import { shardSizes } from "./export.ts";
import { pyRepr } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";
import { asctime } from "./stamps.ts";
import { Tqdm } from "./tqdm.ts";

/** Line numbers of transformers log calls, fixed per version. */
export interface HfLines {
  config: number;
  configDump: number;
  tokenizer: number;
  weights: number;
  instantiate: number;
  genConfig: number;
  allUsed: number;
  allInit: number;
  genLoad: number;
  autoHalf: number;
  wandbEnable: number;
  banner: number;
  resume: number;
  evalHead: number;
  save: number;
  cfgSaved: number;
  genSaved: number;
  shards: number;
  tokSaved: number;
  specialSaved: number;
  deleting: number;
  completed: number;
}

const LINES: Record<string, HfLines> = {
  "4.44.2": {
    config: 733,
    configDump: 800,
    tokenizer: 2269,
    weights: 3678,
    instantiate: 1606,
    genConfig: 1038,
    allUsed: 4507,
    allInit: 4515,
    genLoad: 993,
    autoHalf: 685,
    wandbEnable: 783,
    banner: 2134,
    resume: 2163,
    evalHead: 3819,
    save: 3503,
    cfgSaved: 472,
    genSaved: 807,
    shards: 2799,
    tokSaved: 2684,
    specialSaved: 2693,
    deleting: 3595,
    completed: 2394,
  },
  "4.46.3": {
    config: 679,
    configDump: 746,
    tokenizer: 2211,
    weights: 3937,
    instantiate: 1670,
    genConfig: 1096,
    allUsed: 4800,
    allInit: 4808,
    genLoad: 1051,
    autoHalf: 698,
    wandbEnable: 831,
    banner: 2314,
    resume: 2343,
    evalHead: 4117,
    save: 3801,
    cfgSaved: 410,
    genSaved: 868,
    shards: 3043,
    tokSaved: 2646,
    specialSaved: 2655,
    deleting: 3893,
    completed: 2645,
  },
  "4.48.3": {
    config: 699,
    configDump: 771,
    tokenizer: 2034,
    weights: 3948,
    instantiate: 1622,
    genConfig: 1140,
    allUsed: 4928,
    allInit: 4936,
    genLoad: 1093,
    autoHalf: 701,
    wandbEnable: 831,
    banner: 2369,
    resume: 2398,
    evalHead: 4179,
    save: 3860,
    cfgSaved: 419,
    genSaved: 929,
    shards: 3057,
    tokSaved: 2500,
    specialSaved: 2509,
    deleting: 3952,
    completed: 2700,
  },
  "4.51.3": {
    config: 693,
    configDump: 765,
    tokenizer: 2058,
    weights: 1121,
    instantiate: 2167,
    genConfig: 1142,
    allUsed: 4926,
    allInit: 4934,
    genLoad: 1097,
    autoHalf: 745,
    wandbEnable: 831,
    banner: 2405,
    resume: 2434,
    evalHead: 4307,
    save: 3984,
    cfgSaved: 419,
    genSaved: 911,
    shards: 3593,
    tokSaved: 2510,
    specialSaved: 2519,
    deleting: 4074,
    completed: 2681,
  },
};

/** The line-number table for the scenario's transformers version. */
export function hfLines(run: Run): HfLines {
  return LINES[run.sc.versions.transformers] ?? LINES["4.46.3"]!;
}

/** `[INFO|trainer.py:2405] 2025-03-06 12:04:09,913 >> message` (or bare when `explicit` is false). */
export function hfLog(
  run: Run,
  explicit: boolean,
  file: string,
  line: number,
  msg: string,
  level = "INFO",
): string {
  return explicit ? `[${level}|${file}:${line}] ${asctime(run.wall())} >> ${msg}` : msg;
}

/**
 * The commit a model's hub cache snapshot is named after: 40 lowercase hex
 * digits, one per repository (the same in every run), unrelated to the run.
 */
export function snapshotCommit(hfId: string): string {
  let out = "";
  for (let part = 0; out.length < 40; part++) {
    let h = 0x811c9dc5 ^ part;
    for (const ch of `${hfId}#${part}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 12;
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}

/** The snapshot folder of a model in the hub cache. */
export function hubSnapshot(run: Run): string {
  const [org, name] = run.sc.model.hfId.split("/");
  return `/home/${run.sc.cluster.user}/.cache/huggingface/hub/models--${org}--${name}/snapshots/${
    snapshotCommit(run.sc.model.hfId)
  }`;
}

/**
 * The files `from_pretrained` looks up for a tokenizer class (a missing one is
 * logged `from cache at None`): byte-level BPE classes read `vocab.json` and
 * `merges.txt`, SentencePiece ones `tokenizer.model`, all fast ones `tokenizer.json`.
 */
export function tokenizerFiles(m: ModelSpec): [string, boolean][] {
  const hasSp = m.tokenizer === "GemmaTokenizerFast" ||
    (m.tokenizer === "LlamaTokenizerFast" && !m.hfId.startsWith("deepseek-ai/"));
  const bpe = m.tokenizer === "GPT2TokenizerFast" || m.tokenizer === "Qwen2TokenizerFast" ||
    m.tokenizer === "GPTNeoXTokenizerFast";
  const vocabFiles: [string, boolean][] = bpe
    ? [["vocab.json", m.tokenizer !== "GPTNeoXTokenizerFast"], [
      "merges.txt",
      m.tokenizer !== "GPTNeoXTokenizerFast",
    ]]
    : m.tokenizer === "PreTrainedTokenizerFast"
    ? []
    : [["tokenizer.model", hasSp]];
  return [
    ...vocabFiles,
    ["tokenizer.json", true],
    ["added_tokens.json", false],
    ["special_tokens_map.json", true],
    ["tokenizer_config.json", true],
  ];
}

/** BOS/EOS ids of a tokenizer by vocabulary. */
export function specialIds(m: ModelSpec): [number, number] {
  const table: Record<number, [number, number]> = {
    128256: [128000, 128001],
    32000: [1, 2],
    32064: [1, 32000],
    151936: [151643, 151643],
    152064: [151643, 151643],
    256000: [2, 1],
    50257: [50256, 50256],
    50304: [0, 0],
    50432: [0, 0],
    50688: [0, 0],
    100352: [100257, 100257],
    49152: [0, 0],
    102400: [100000, 100001],
    64000: [1, 2],
    131072: [1, 2],
  };
  return table[m.vocab] ?? [1, 2];
}

const CONFIG_CLASS: Record<string, string> = {
  llama: "LlamaConfig",
  mistral: "MistralConfig",
  qwen2: "Qwen2Config",
  olmo2: "Olmo2Config",
  phi3: "Phi3Config",
  gemma: "GemmaConfig",
  gpt2: "GPT2Config",
  gpt_neox: "GPTNeoXConfig",
};

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function dumpJson(v: Json, indent: number): string {
  const pad = " ".repeat(indent);
  if (v instanceof PyFloat) return pyRepr(v.v);
  if (Array.isArray(v)) {
    return `[\n${v.map((x) => `${pad}  ${dumpJson(x, indent + 2)}`).join(",\n")}\n${pad}]`;
  }
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{\n${
      keys.map((k) => `${pad}  "${k}": ${dumpJson(v[k]!, indent + 2)}`).join(",\n")
    }\n${pad}}`;
  }
  if (typeof v === "string") return `"${v}"`;
  return String(v);
}

/** A float as JSON prints it from Python (`0.0`, `1e-05`, `500000.0`). */
class PyFloat {
  readonly v: number;
  constructor(v: number) {
    this.v = v;
  }
}

/** The `Model config XxxConfig { ... }` dump lines (keys sorted, as `to_json_string`). */
export function configDump(run: Run): string[] {
  const m = run.sc.model;
  const [bos, eos] = specialIds(m);
  const f = (x: number) => new PyFloat(x) as unknown as Json;
  let cfg: Record<string, Json>;
  if (m.modelType === "gpt2") {
    cfg = {
      _name_or_path: m.hfId,
      activation_function: "gelu_new",
      architectures: [m.arch],
      attn_pdrop: f(0.1),
      bos_token_id: bos,
      embd_pdrop: f(0.1),
      eos_token_id: eos,
      initializer_range: f(0.02),
      layer_norm_epsilon: f(m.normEps),
      model_type: "gpt2",
      n_ctx: m.context,
      n_embd: m.hidden,
      n_head: m.heads,
      n_inner: null,
      n_layer: m.layers,
      n_positions: m.context,
      resid_pdrop: f(0.1),
      torch_dtype: "float32",
      transformers_version: run.sc.versions.transformers,
      use_cache: true,
      vocab_size: m.vocab,
    };
  } else if (m.modelType === "gpt_neox") {
    cfg = {
      _name_or_path: m.hfId,
      architectures: [m.arch],
      attention_bias: true,
      attention_dropout: f(0),
      bos_token_id: bos,
      eos_token_id: eos,
      hidden_act: "gelu",
      hidden_size: m.hidden,
      initializer_range: f(0.02),
      intermediate_size: m.ffn,
      layer_norm_eps: f(m.normEps),
      max_position_embeddings: m.context,
      model_type: "gpt_neox",
      num_attention_heads: m.heads,
      num_hidden_layers: m.layers,
      rotary_emb_base: m.ropeTheta ?? 10000,
      rotary_pct: f(0.25),
      tie_word_embeddings: false,
      torch_dtype: "float16",
      transformers_version: run.sc.versions.transformers,
      use_cache: true,
      use_parallel_residual: true,
      vocab_size: m.vocab,
    };
  } else {
    cfg = {
      _name_or_path: m.hfId,
      architectures: [m.arch],
      attention_bias: m.bias !== "none",
      attention_dropout: f(0),
      bos_token_id: bos,
      eos_token_id: eos,
      head_dim: m.headDim,
      hidden_act: m.modelType === "gemma" ? "gelu" : "silu",
      hidden_size: m.hidden,
      initializer_range: f(0.02),
      intermediate_size: m.ffn,
      max_position_embeddings: m.context,
      model_type: m.modelType,
      num_attention_heads: m.heads,
      num_hidden_layers: m.layers,
      num_key_value_heads: m.kvHeads,
      rms_norm_eps: f(m.normEps),
      rope_scaling: null,
      rope_theta: f(m.ropeTheta ?? 10000),
      tie_word_embeddings: m.tied,
      torch_dtype: "bfloat16",
      transformers_version: run.sc.versions.transformers,
      use_cache: true,
      vocab_size: m.vocab,
    };
    if (m.modelType === "mistral" || m.modelType === "qwen2") cfg.sliding_window = null;
    if (m.modelType === "qwen2") cfg.use_sliding_window = false;
  }
  const text = dumpJson(cfg, 0);
  return [
    `Model config ${CONFIG_CLASS[m.modelType] ?? "PretrainedConfig"} ${text.split("\n")[0]}`,
    ...text.split("\n").slice(1),
    "",
  ];
}

/** Config, tokenizer and weight loading from the hub cache, with the shard bar. */
export async function loadPretrained(run: Run, explicit: boolean, loadSec: number): Promise<void> {
  const L = hfLines(run);
  const m = run.sc.model;
  const snap = hubSnapshot(run);
  const log = (file: string, line: number, msg: string) =>
    run.line(hfLog(run, explicit, file, line, msg));
  log(
    "configuration_utils.py",
    L.config,
    `loading configuration file config.json from cache at ${snap}/config.json`,
  );
  const dump = configDump(run);
  log("configuration_utils.py", L.configDump, dump[0]!);
  run.lines(dump.slice(1));
  await run.pause(run.rng.int(200, 600));
  for (const [f, present] of tokenizerFiles(m)) {
    log(
      "tokenization_utils_base.py",
      L.tokenizer,
      `loading file ${f} from cache at ${present ? `${snap}/${f}` : "None"}`,
    );
  }
  await run.pause(run.rng.int(300, 1200));
  const shards = shardSizes(m, m.modelType === "gpt2" ? 4 : 2);
  const index = shards.length > 1 ? "model.safetensors.index.json" : "model.safetensors";
  log(
    "modeling_utils.py",
    L.weights,
    `loading weights file model.safetensors from cache at ${snap}/${index}`,
  );
  log(
    "modeling_utils.py",
    L.instantiate,
    `Instantiating ${m.arch} model under default dtype torch.bfloat16.`,
  );
  const [bos, eos] = specialIds(m);
  log("configuration_utils.py", L.genConfig, "Generate config GenerationConfig {");
  run.line(`  "bos_token_id": ${bos},`);
  run.line(`  "eos_token_id": ${eos}`);
  run.line("}");
  run.line("");
  if (shards.length > 1) {
    const bar = new Tqdm(shards.length, run.nowSec());
    const total = shards.reduce((a, b) => a + b, 0);
    const draw = () =>
      bar.render(run.nowSec(), {
        desc: "Loading checkpoint shards",
        ncols: run.ctx.term.isTTY ? run.cols : undefined,
      });
    for (const s of shards) {
      run.bar = [draw()];
      await run.pause((loadSec * 1000 * s) / total);
      bar.update(1, run.nowSec());
    }
    const final = draw();
    run.clearLive();
    run.line(final);
  } else await run.pause(loadSec * 1000);
  log(
    "modeling_utils.py",
    L.allUsed,
    `All model checkpoint weights were used when initializing ${m.arch}.`,
  );
  run.line("");
  log(
    "modeling_utils.py",
    L.allInit,
    `All the weights of ${m.arch} were initialized from the model checkpoint at ${m.hfId}.`,
  );
  run.line(
    `If your task is similar to the task the model of the checkpoint was trained on, you can already use ${m.arch} for predictions without further training.`,
  );
  log(
    "configuration_utils.py",
    L.genLoad,
    `loading configuration file generation_config.json from cache at ${snap}/generation_config.json`,
  );
  log("configuration_utils.py", L.genConfig, "Generate config GenerationConfig {");
  run.line(`  "bos_token_id": ${bos},`);
  run.line(`  "eos_token_id": ${eos}`);
  run.line("}");
  run.line("");
}

/**
 * The `datasets` cache folder: `org___name/default/0.0.0` for a hub dataset,
 * `json/default-<hash>/0.0.0` for local files.
 */
export function datasetCacheDir(id: string, hash: string): string {
  return id.startsWith("/")
    ? `json/default-${hash}/0.0.0`
    : `${id.replace("/", "___")}/default/0.0.0`;
}

/** A `datasets` map over `n` examples at `rate` examples/s (cached when it would take long). */
export async function datasetMap(
  run: Run,
  desc: string,
  n: number,
  rate: number,
  cached: boolean,
): Promise<void> {
  const sec = n / rate;
  if (cached) {
    run.line(
      `Loading cached processed dataset at /home/${run.sc.cluster.user}/.cache/huggingface/datasets/${
        datasetCacheDir(run.sc.dataset.id, run.rng.hex(16))
      }/${run.rng.hex(16)}/cache-${run.rng.hex(16)}.arrow`,
    );
    await run.pause(run.rng.int(100, 400));
    return;
  }
  const bar = new Tqdm(n, run.nowSec());
  const steps = Math.max(2, Math.min(12, Math.ceil(sec)));
  let done = 0;
  const ncols = run.ctx.term.isTTY ? run.cols : undefined;
  for (let i = 1; i <= steps; i++) {
    await run.pause((sec * 1000) / steps);
    const target = Math.round((n * i) / steps);
    bar.update(target - done, run.nowSec());
    done = target;
    run.bar = [bar.render(run.nowSec(), { desc, ncols, unit: " examples" })];
    run.refresh();
  }
  const final = bar.render(run.nowSec(), { desc, ncols, unit: " examples" });
  run.clearLive();
  run.line(final);
}

/** `save_pretrained` lines for `dir` (sharded or single file). */
export function savePretrainedLines(run: Run, explicit: boolean, dir: string): string[] {
  const L = hfLines(run);
  const shards = shardSizes(run.sc.model, 2);
  const log = (file: string, line: number, msg: string) => hfLog(run, explicit, file, line, msg);
  const out = [
    log("configuration_utils.py", L.cfgSaved, `Configuration saved in ${dir}/config.json`),
    log(
      "configuration_utils.py",
      L.genSaved,
      `Configuration saved in ${dir}/generation_config.json`,
    ),
  ];
  out.push(
    shards.length > 1
      ? log(
        "modeling_utils.py",
        L.shards,
        `The model is bigger than the maximum size per checkpoint (5GB) and is going to be split in ${shards.length} checkpoint shards. You can find where each parameters has been saved in the index located at ${dir}/model.safetensors.index.json.`,
      )
      : log("modeling_utils.py", L.shards, `Model weights saved in ${dir}/model.safetensors`),
  );
  out.push(
    log(
      "tokenization_utils_base.py",
      L.tokSaved,
      `tokenizer config file saved in ${dir}/tokenizer_config.json`,
    ),
    log(
      "tokenization_utils_base.py",
      L.specialSaved,
      `Special tokens file saved in ${dir}/special_tokens_map.json`,
    ),
  );
  return out;
}
