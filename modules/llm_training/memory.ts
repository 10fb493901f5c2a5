/**
 * GPU memory per rank, from the sharded model states plus activations, for
 * each way of training: Megatron (tensor × pipeline parallel, distributed
 * optimizer), DeepSpeed ZeRO-1/2/3, PyTorch FSDP and plain DDP.
 *
 * All figures are bytes. Model states follow the ZeRO paper (2 B bf16 weights,
 * 2 or 4 B gradients, 12 B fp32 master weights and Adam moments); activations
 * follow Korthikanti et al. (34·s·b·h bytes per layer, divided by the tensor
 * parallel size with sequence parallelism).
 *
 * @module
 */

import type { ModelSpec } from "./data.ts";

/** One rank's memory. */
export interface RankMemory {
  /** Weights, gradients and optimizer state. */
  states: number;
  /** Activations and logits at peak. */
  activations: number;
  /** Communication buffers, workspaces. */
  buffers: number;
  /** Peak allocated = states + activations + buffers. */
  peak: number;
}

/** Megatron's padded vocabulary: a multiple of 128 × TP. */
export function paddedVocab(vocab: number, tp: number): number {
  const multiple = 128 * tp;
  return Math.ceil(vocab / multiple) * multiple;
}

/** Parameters of one transformer layer on one tensor-parallel rank. */
export function layerParamsPerTp(m: ModelSpec, tp: number): number {
  const q = m.heads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  let shard = m.hidden * (q + 2 * kv) + q * m.hidden;
  if (m.bias !== "none") shard += q + 2 * kv;
  shard += m.mlp === "swiglu" ? 3 * m.hidden * m.ffn : 2 * m.hidden * m.ffn;
  if (m.bias === "all") shard += m.ffn;
  const normSize = m.norm === "rmsnorm" ? m.hidden : 2 * m.hidden;
  const replicated = 2 * normSize + (m.bias === "all" ? 2 * m.hidden : 0);
  return shard / tp + replicated;
}

/**
 * Parameters on tensor-parallel rank 0 of each pipeline stage, as Megatron's
 * `number of parameters on (tensor, pipeline) model parallel rank` lines print.
 */
export function megatronStageParams(m: ModelSpec, tp: number, pp: number): number[] {
  const vpad = paddedVocab(m.vocab, tp);
  const perStage = m.layers / pp;
  const normSize = m.norm === "rmsnorm" ? m.hidden : 2 * m.hidden;
  const stages: number[] = [];
  for (let s = 0; s < pp; s++) {
    let n = perStage * layerParamsPerTp(m, tp);
    if (s === 0) n += (vpad * m.hidden) / tp + (m.learnedPos ? m.context * m.hidden : 0);
    if (s === pp - 1) {
      n += normSize;
      if (!m.tied || pp > 1) n += (vpad * m.hidden) / tp;
    }
    stages.push(Math.round(n));
  }
  return stages;
}

/** Activation bytes of one layer for one micro-batch, without recomputation. */
function layerActivations(seq: number, mbs: number, hidden: number, tp: number): number {
  return (34 * seq * mbs * hidden) / tp;
}

/** Megatron layout of one run. */
export interface MegatronLayout {
  tp: number;
  pp: number;
  dp: number;
  mbs: number;
  seq: number;
  microBatches: number;
  recompute: "selective" | "full";
}

/** Megatron with the distributed optimizer: memory of every pipeline stage. */
export function megatronStageMemory(m: ModelSpec, o: MegatronLayout): RankMemory[] {
  const stages = megatronStageParams(m, o.tp, o.pp);
  const vpad = paddedVocab(m.vocab, o.tp);
  const inflight = Math.min(o.pp, o.microBatches);
  const layersPerStage = m.layers / o.pp;
  const perLayer = o.recompute === "selective"
    ? layerActivations(o.seq, o.mbs, m.hidden, o.tp)
    : (2 * o.seq * o.mbs * m.hidden) / o.tp;
  const full = layerActivations(o.seq, o.mbs, m.hidden, o.tp);
  const logits = (o.seq * o.mbs * vpad * 4 * 2) / o.tp;
  return stages.map((p, s) => {
    const states = 6 * p + (12 * p) / o.dp;
    let act = layersPerStage * Math.max(1, inflight - s) * perLayer +
      (o.recompute === "full" ? full : 0);
    if (s === o.pp - 1) act += logits;
    const buffers = 1.5 * 2 ** 30 + 0.05 * states;
    return { states, activations: act, buffers, peak: states + act + buffers };
  });
}

/** Megatron with the distributed optimizer: the worst pipeline stage. */
export function megatronMemory(m: ModelSpec, o: MegatronLayout): RankMemory {
  return megatronStageMemory(m, o).reduce((a, b) => (b.peak > a.peak ? b : a));
}

/**
 * Hugging Face model with gradient checkpointing under DeepSpeed ZeRO, FSDP or
 * DDP: activations are each layer's input plus one layer being recomputed, plus
 * the logits (bf16 and an fp32 copy).
 */
export function shardedMemory(
  m: ModelSpec,
  o: {
    sharding: "ddp" | "zero2" | "zero3" | "fsdp";
    dp: number;
    mbs: number;
    seq: number;
    checkpointing: boolean;
  },
): RankMemory {
  const P = m.params;
  let states: number;
  switch (o.sharding) {
    case "ddp":
      states = 16 * P;
      break;
    case "zero2":
      states = 2 * P + (14 * P) / o.dp;
      break;
    case "zero3":
    case "fsdp":
      states = (16 * P) / o.dp;
      break;
  }
  const sbh = o.seq * o.mbs * m.hidden;
  const act = (o.checkpointing ? 2 * sbh * m.layers + 34 * sbh : 34 * sbh * m.layers) +
    o.seq * o.mbs * m.vocab * 6;
  const gathered = o.sharding === "zero3" || o.sharding === "fsdp"
    ? 2 * 2 * layerParamsPerTp(m, 1)
    : o.sharding === "ddp"
    ? 2 * Math.min(P, 25e6 * 4)
    : 0;
  const buffers = 1.2 * 2 ** 30 + gathered;
  return { states, activations: act, buffers, peak: states + act + buffers };
}
