/**
 * `llm_training`: a multi-node LLM training run that holds up to an ML
 * engineer's reading. One coherent scenario per run (see `scenario.ts`),
 * printed as one of three real stacks: the Hugging Face Trainer, Megatron-LM,
 * or Accelerate with DeepSpeed ZeRO.
 *
 * @module
 */

import type { Context, Module } from "../../core/types.ts";
import { runDeepspeed } from "./deepspeed.ts";
import { runHfTrainer } from "./hf_trainer.ts";
import { runMegatron } from "./megatron.ts";
import { Run } from "./runtime.ts";
import { drawScenario, type Flavour, MAX_RUN_MS, type Scenario } from "./scenario.ts";

/** Plays one scenario to the end. */
export async function playScenario(ctx: Context, sc: Scenario): Promise<void> {
  const run = new Run(ctx, sc);
  try {
    if (sc.flavour === "megatron") await runMegatron(run);
    else if (sc.flavour === "hf") await runHfTrainer(run);
    else await runDeepspeed(run);
  } finally {
    run.clearLive();
  }
}

/** Runs the module with a forced flavour (tests, demos). */
export function runFlavour(ctx: Context, flavour: Flavour): Promise<void> {
  return playScenario(ctx, drawScenario(ctx.rng, flavour));
}

/** The module. */
export const llm_training: Module = {
  name: "llm_training",
  signature: "torchrun --nnodes=8 --nproc-per-node=8 train.py --config configs/llama-70b.yaml",
  about: "Train a large language model on a GPU cluster (HF Trainer, Megatron-LM or DeepSpeed)",
  maxDurationMs: MAX_RUN_MS,
  run: (ctx) => playScenario(ctx, drawScenario(ctx.rng)),
};
