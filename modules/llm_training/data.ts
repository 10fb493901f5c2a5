/**
 * Typed access to the model, GPU and dataset tables in `data/`.
 *
 * @module
 */

import modelsJson from "../../data/llm_models.json" with { type: "json" };
import gpusJson from "../../data/gpus.json" with { type: "json" };
import datasetsJson from "../../data/datasets.json" with { type: "json" };

/** A decoder-only transformer architecture, as its Hugging Face config describes it. */
export interface ModelSpec {
  /** Display name (`Llama-3-8B`, or a humorous one). */
  name: string;
  /** Hub id or organisation path. */
  hfId: string;
  /** The real model whose architecture a humorous name borrows, or null. */
  basedOn: string | null;
  /** HF architecture class (`LlamaForCausalLM`). */
  arch: string;
  /** HF `model_type` (`llama`). */
  modelType: string;
  bias: "none" | "qkv" | "all";
  mlp: "swiglu" | "gelu";
  norm: "rmsnorm" | "layernorm";
  learnedPos: boolean;
  tied: boolean;
  normEps: number;
  vocab: number;
  context: number;
  tokenizer: string;
  layers: number;
  hidden: number;
  ffn: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ropeTheta?: number;
  /** Exact parameter count of the architecture. */
  params: number;
}

/** A GPU as nvidia-smi names it, with the figures the physics needs. */
export interface GpuSpec {
  /** The nvidia-smi product name. */
  name: string;
  short: string;
  memoryMiB: number;
  /** Peak dense BF16 TFLOP/s (0 when the part has no BF16). */
  bf16Tflops: number;
  fp16Tflops: number;
  fp8Tflops: number;
  powerCapW: number;
  idleW: [number, number];
  formFactor: "SXM" | "PCIe" | "PCIe-fan";
  gpusPerNode: number;
  hbm: string;
  bandwidthGBs: number;
  arch: string;
  computeCap: string;
  roles: ("finetune" | "pretrain")[];
  driver: string;
  cuda: string;
  busIds: string[];
  nccl: { channels: number; nvls: number; ibPerNode: number };
}

/** A training corpus or an instruction dataset. */
export interface DatasetSpec {
  name: string;
  id: string;
  kind: "pretrain" | "sft";
  /** What the text is: loss levels differ (code and math are more predictable than web text). */
  domain: "web" | "code" | "math" | "chat";
  /** Documents (pretraining) or examples (fine-tuning). */
  samples: number;
  /** Approximate token count. */
  tokens: number;
  real: boolean;
}

/** Every model. */
export const MODELS: readonly ModelSpec[] = modelsJson as ModelSpec[];
/** Every GPU. */
export const GPUS: readonly GpuSpec[] = gpusJson as GpuSpec[];
/** Every dataset. */
export const DATASETS: readonly DatasetSpec[] = datasetsJson as DatasetSpec[];
