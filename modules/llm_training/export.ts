/**
 * Everything about bytes on disk: the model's tensors in Hugging Face order,
 * safetensors sharding at 5 GB (greedy, as `split_torch_state_dict_into_shards`
 * packs them), GGUF tensor names and sizes, checkpoint sizes per framework,
 * and `du -sh` / `ls -lh` size formatting.
 *
 * @module
 */

import type { ModelSpec } from "./data.ts";

/** One tensor of a checkpoint. */
export interface Tensor {
  name: string;
  shape: number[];
}

/** Elements of a tensor. */
export function numel(t: Tensor): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** The model's tensors in state-dict order, with HF names. */
export function hfTensors(m: ModelSpec): Tensor[] {
  const h = m.hidden;
  const q = m.heads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  const out: Tensor[] = [];
  if (m.modelType === "gpt2") {
    out.push({ name: "transformer.wte.weight", shape: [m.vocab, h] }, {
      name: "transformer.wpe.weight",
      shape: [m.context, h],
    });
    for (let i = 0; i < m.layers; i++) {
      const p = `transformer.h.${i}.`;
      out.push(
        { name: `${p}ln_1.weight`, shape: [h] },
        { name: `${p}ln_1.bias`, shape: [h] },
        { name: `${p}attn.c_attn.weight`, shape: [h, 3 * h] },
        { name: `${p}attn.c_attn.bias`, shape: [3 * h] },
        { name: `${p}attn.c_proj.weight`, shape: [h, h] },
        { name: `${p}attn.c_proj.bias`, shape: [h] },
        { name: `${p}ln_2.weight`, shape: [h] },
        { name: `${p}ln_2.bias`, shape: [h] },
        { name: `${p}mlp.c_fc.weight`, shape: [h, m.ffn] },
        { name: `${p}mlp.c_fc.bias`, shape: [m.ffn] },
        { name: `${p}mlp.c_proj.weight`, shape: [m.ffn, h] },
        { name: `${p}mlp.c_proj.bias`, shape: [h] },
      );
    }
    out.push({ name: "transformer.ln_f.weight", shape: [h] }, {
      name: "transformer.ln_f.bias",
      shape: [h],
    });
    return out;
  }
  if (m.modelType === "gpt_neox") {
    out.push({ name: "gpt_neox.embed_in.weight", shape: [m.vocab, h] });
    for (let i = 0; i < m.layers; i++) {
      const p = `gpt_neox.layers.${i}.`;
      out.push(
        { name: `${p}input_layernorm.weight`, shape: [h] },
        { name: `${p}input_layernorm.bias`, shape: [h] },
        { name: `${p}post_attention_layernorm.weight`, shape: [h] },
        { name: `${p}post_attention_layernorm.bias`, shape: [h] },
        { name: `${p}attention.query_key_value.weight`, shape: [3 * h, h] },
        { name: `${p}attention.query_key_value.bias`, shape: [3 * h] },
        { name: `${p}attention.dense.weight`, shape: [h, h] },
        { name: `${p}attention.dense.bias`, shape: [h] },
        { name: `${p}mlp.dense_h_to_4h.weight`, shape: [m.ffn, h] },
        { name: `${p}mlp.dense_h_to_4h.bias`, shape: [m.ffn] },
        { name: `${p}mlp.dense_4h_to_h.weight`, shape: [h, m.ffn] },
        { name: `${p}mlp.dense_4h_to_h.bias`, shape: [h] },
      );
    }
    out.push(
      { name: "gpt_neox.final_layer_norm.weight", shape: [h] },
      { name: "gpt_neox.final_layer_norm.bias", shape: [h] },
      { name: "embed_out.weight", shape: [m.vocab, h] },
    );
    return out;
  }
  out.push({ name: "model.embed_tokens.weight", shape: [m.vocab, h] });
  const fused = m.modelType === "phi3";
  for (let i = 0; i < m.layers; i++) {
    const p = `model.layers.${i}.`;
    if (fused) {
      out.push({ name: `${p}self_attn.qkv_proj.weight`, shape: [q + 2 * kv, h] });
    } else {
      out.push({ name: `${p}self_attn.q_proj.weight`, shape: [q, h] });
      if (m.bias !== "none") out.push({ name: `${p}self_attn.q_proj.bias`, shape: [q] });
      out.push({ name: `${p}self_attn.k_proj.weight`, shape: [kv, h] });
      if (m.bias !== "none") out.push({ name: `${p}self_attn.k_proj.bias`, shape: [kv] });
      out.push({ name: `${p}self_attn.v_proj.weight`, shape: [kv, h] });
      if (m.bias !== "none") out.push({ name: `${p}self_attn.v_proj.bias`, shape: [kv] });
    }
    out.push({ name: `${p}self_attn.o_proj.weight`, shape: [h, q] });
    if (fused) out.push({ name: `${p}mlp.gate_up_proj.weight`, shape: [2 * m.ffn, h] });
    else {
      out.push({ name: `${p}mlp.gate_proj.weight`, shape: [m.ffn, h] }, {
        name: `${p}mlp.up_proj.weight`,
        shape: [m.ffn, h],
      });
    }
    out.push(
      { name: `${p}mlp.down_proj.weight`, shape: [h, m.ffn] },
      { name: `${p}input_layernorm.weight`, shape: [h] },
      { name: `${p}post_attention_layernorm.weight`, shape: [h] },
    );
  }
  out.push({ name: "model.norm.weight", shape: [h] });
  if (!m.tied) out.push({ name: "lm_head.weight", shape: [m.vocab, h] });
  return out;
}

/** HF's default `max_shard_size` ("5GB"). */
export const MAX_SHARD_BYTES = 5e9;

/** Safetensors shards (bytes each) for `bytesPerParam`, packed greedily in state-dict order. */
export function shardSizes(m: ModelSpec, bytesPerParam = 2, max = MAX_SHARD_BYTES): number[] {
  const shards: number[] = [];
  let cur = 0;
  for (const t of hfTensors(m)) {
    const b = numel(t) * bytesPerParam;
    if (cur > 0 && cur + b > max) {
      shards.push(cur);
      cur = 0;
    }
    cur += b;
  }
  if (cur > 0) shards.push(cur);
  return shards;
}

/** GGUF name and type of an HF tensor (`blk.0.attn_q.weight`). */
export function ggufName(m: ModelSpec, name: string): string {
  const layer = name.match(/\.(?:h|layers)\.(\d+)\./)?.[1];
  const tail = name.replace(/^.*\.(?:h|layers)\.\d+\./, "");
  const table: Record<string, string> = {
    "input_layernorm.weight": "attn_norm.weight",
    "input_layernorm.bias": "attn_norm.bias",
    "ln_1.weight": "attn_norm.weight",
    "ln_1.bias": "attn_norm.bias",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.qkv_proj.weight": "attn_qkv.weight",
    "attn.c_attn.weight": "attn_qkv.weight",
    "attn.c_attn.bias": "attn_qkv.bias",
    "attention.query_key_value.weight": "attn_qkv.weight",
    "attention.query_key_value.bias": "attn_qkv.bias",
    "self_attn.o_proj.weight": "attn_output.weight",
    "attn.c_proj.weight": "attn_output.weight",
    "attn.c_proj.bias": "attn_output.bias",
    "attention.dense.weight": "attn_output.weight",
    "attention.dense.bias": "attn_output.bias",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "post_attention_layernorm.bias": "ffn_norm.bias",
    "ln_2.weight": "ffn_norm.weight",
    "ln_2.bias": "ffn_norm.bias",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.gate_up_proj.weight": "ffn_up.weight",
    "mlp.c_fc.weight": "ffn_up.weight",
    "mlp.c_fc.bias": "ffn_up.bias",
    "mlp.dense_h_to_4h.weight": "ffn_up.weight",
    "mlp.dense_h_to_4h.bias": "ffn_up.bias",
    "mlp.down_proj.weight": "ffn_down.weight",
    "mlp.c_proj.weight": "ffn_down.weight",
    "mlp.c_proj.bias": "ffn_down.bias",
    "mlp.dense_4h_to_h.weight": "ffn_down.weight",
    "mlp.dense_4h_to_h.bias": "ffn_down.bias",
  };
  if (layer !== undefined) return `blk.${layer}.${table[tail] ?? tail}`;
  const top: Record<string, string> = {
    "model.embed_tokens.weight": "token_embd.weight",
    "transformer.wte.weight": "token_embd.weight",
    "gpt_neox.embed_in.weight": "token_embd.weight",
    "transformer.wpe.weight": "position_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "transformer.ln_f.weight": "output_norm.weight",
    "transformer.ln_f.bias": "output_norm.bias",
    "gpt_neox.final_layer_norm.weight": "output_norm.weight",
    "gpt_neox.final_layer_norm.bias": "output_norm.bias",
    "lm_head.weight": "output.weight",
    "embed_out.weight": "output.weight",
  };
  void m;
  return top[name] ?? name;
}

/** `du -h` / `ls -lh` size: 1024-based, rounded up, one decimal below 10. */
export function humanSize(bytes: number): string {
  const units = ["", "K", "M", "G", "T", "P"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return String(Math.ceil(v));
  if (v < 10) {
    const r = Math.ceil(v * 10 - 1e-9) / 10;
    if (r < 10) return `${r.toFixed(1)}${units[u]}`;
    return `10${units[u]}`;
  }
  const r = Math.ceil(v - 1e-9);
  if (r >= 1024 && u < units.length - 1) return `1.0${units[u + 1]}`;
  return `${r}${units[u]}`;
}

/** GGUF writer's size text (`16.1G`, 1000-based). */
export function ggufSize(bytes: number): string {
  let v = bytes;
  for (const u of ["", "K", "M", "G", "T"]) {
    if (Math.abs(v) < 1000) return `${v.toFixed(1)}${u}`;
    v /= 1000;
  }
  return `${v.toFixed(1)}P`;
}

/** Bytes of a full training checkpoint per framework (weights, master weights, Adam moments, extras). */
export function checkpointBytes(
  kind: "megatron" | "zero2" | "zero3" | "hf",
  params: number,
): number {
  switch (kind) {
    case "megatron":
      return 14 * params;
    case "zero2":
      return 14 * params + 3e6;
    case "zero3":
      return 12 * params + params * 0.002 + 3e6;
    case "hf":
      // fp32 weights (model.safetensors) and fp32 Adam moments (optimizer.pt)
      return 12 * params + 2.2e7;
  }
}
