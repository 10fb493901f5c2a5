/**
 * The training signal: loss and gradient norm per optimizer step.
 *
 * Pretraining follows the Chinchilla fit L(N, D) = E + A/N^α + B/D^β in the
 * tokens seen so far (a slow power-law tail at the high iterations a resumed
 * run shows). Fine-tuning drops fast and then flattens, steps down a little at
 * each new epoch. On top: AR(1) noise whose size depends on the batch, rare
 * spikes that recover over tens of steps, and a gradient norm that is large
 * early, drifts up slowly, follows the loss noise and spikes with the loss.
 *
 * @module
 */

import type { Rng } from "../../core/rng.ts";

/** The Chinchilla constants (Hoffmann et al. 2022). */
export const CHINCHILLA = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 } as const;

/** A loss spike: starts at `step`, adds `height` nats, decays with time constant `tau` steps. */
export interface Spike {
  step: number;
  height: number;
  tau: number;
  /** Gradient-norm multiplier at the top of the spike. */
  gradMult: number;
}

/** Parameters of the loss and gradient-norm curves of one run. */
export interface CurveParams {
  kind: "pretrain" | "finetune";
  /** Model parameters (pretraining). */
  params: number;
  /** Tokens per optimizer step (pretraining). */
  tokensPerStep: number;
  /** Constant added to the Chinchilla value (tokenizer, data mix). */
  offset: number;
  /** Fine-tuning: loss at step 0, at the last step, and the curve shape. */
  start: number;
  end: number;
  tau: number;
  gamma: number;
  /** Steps per epoch and the drop at each new epoch (fine-tuning). */
  stepsPerEpoch: number;
  epochs: number;
  epochDrop: number;
  /** Total optimizer steps of the run. */
  totalSteps: number;
  /** Step-to-step noise (nats) and its autocorrelation. */
  noiseSd: number;
  rho: number;
  spikes: Spike[];
  /** Gradient norm: settled level, slow upward drift, early transient. */
  gradBase: number;
  gradDrift: number;
  gradEarly: number;
  gradEarlyTau: number;
  gradSd: number;
  /** fp16 overflow probability per step (0 for bf16). */
  overflowRate: number;
}

/** Pretraining loss from the Chinchilla fit at `tokens` seen. */
export function chinchilla(params: number, tokens: number): number {
  const c = CHINCHILLA;
  return c.E + c.A / params ** c.alpha + c.B / Math.max(1, tokens) ** c.beta;
}

/** The noiseless loss after `step` optimizer steps (no spikes). */
export function smoothLoss(p: CurveParams, step: number): number {
  if (p.kind === "pretrain") return chinchilla(p.params, step * p.tokensPerStep) + p.offset;
  const T = p.totalSteps;
  const g = (t: number) => (1 + t / p.tau) ** -p.gamma;
  const f = (g(step) - g(T)) / (1 - g(T));
  const boundaries = p.epochs - 1;
  const base = p.end + boundaries * p.epochDrop + (p.start - p.end - boundaries * p.epochDrop) * f;
  let drops = 0;
  for (let e = 1; e < p.epochs; e++) {
    drops += 1 / (1 + Math.exp(-(step - e * p.stepsPerEpoch) / 2));
  }
  return base - drops * p.epochDrop;
}

/** Extra loss from spikes at `step`. */
export function spikeAt(p: CurveParams, step: number): number {
  let extra = 0;
  for (const s of p.spikes) {
    if (step >= s.step) extra += s.height * Math.exp(-(step - s.step) / s.tau);
  }
  return extra;
}

/** One step's values. */
export interface StepSignal {
  loss: number;
  gradNorm: number;
  /** fp16 only: the step overflowed and was skipped. */
  overflow: boolean;
}

/** Generates the per-step loss and gradient norm in order (AR(1) state inside). */
export class TrainingSignal {
  readonly params: CurveParams;
  #rng: Rng;
  #noise = 0;
  #gradNoise = 0;

  /** Creates the generator; it draws from `rng` only. */
  constructor(params: CurveParams, rng: Rng) {
    this.params = params;
    this.#rng = rng;
  }

  /** The values for optimizer step `step` (call in increasing order). */
  next(step: number): StepSignal {
    const p = this.params;
    const eps = this.#rng.normal();
    this.#noise = p.rho * this.#noise + Math.sqrt(1 - p.rho * p.rho) * p.noiseSd * eps;
    const spike = spikeAt(p, step);
    const loss = Math.max(0.05, smoothLoss(p, step) + this.#noise + spike);
    this.#gradNoise = 0.7 * this.#gradNoise + Math.sqrt(1 - 0.49) * p.gradSd * this.#rng.normal();
    const progress = Math.min(1, step / Math.max(1, p.totalSteps));
    let g = p.gradBase * (1 + p.gradDrift * progress) +
      p.gradEarly * Math.exp(-step / p.gradEarlyTau);
    g *= Math.exp(
      this.#gradNoise + 0.25 * p.gradSd * (p.noiseSd > 0 ? this.#noise / p.noiseSd : 0),
    );
    for (const s of p.spikes) {
      if (step >= s.step) g *= 1 + (s.gradMult - 1) * Math.exp(-(step - s.step) / (s.tau / 3));
    }
    const overflow = p.overflowRate > 0 && this.#rng.chance(p.overflowRate);
    return { loss, gradNorm: g, overflow };
  }
}

/** Validation loss at `step`: the smooth curve plus a run-constant gap and a little noise. */
export function validationLoss(p: CurveParams, step: number, gap: number, rng: Rng): number {
  const epochGap = p.kind === "finetune"
    ? 0.04 * Math.floor(Math.min(step, p.totalSteps - 1) / Math.max(1, p.stepsPerEpoch))
    : 0;
  return smoothLoss(p, step) + gap + epochGap + rng.normal(0, p.kind === "pretrain" ? 0.006 : 0.01);
}
