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

/** A uniform number in [0, 1) that depends only on `key` and `n` (a 32-bit hash). */
export function hashUnit(key: number, n: number): number {
  let x = (Math.imul(key | 0, 0x9e3779b1) ^ Math.imul(n | 0, 0x85ebca77)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  x = (x ^ (x >>> 15)) >>> 0;
  return x / 2 ** 32;
}

/** A standard normal number that depends only on `key` and `n`. */
export function hashNormal(key: number, n: number): number {
  const u = Math.max(1e-12, hashUnit(key, 2 * n));
  const v = hashUnit(key, 2 * n + 1);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Generates the per-step loss and gradient norm (AR(1) state inside). A step
 * asked for again (a replay after a restart from a checkpoint) gets the values
 * it had, up to the float noise of a non-deterministic reduction.
 */
export class TrainingSignal {
  readonly params: CurveParams;
  #rng: Rng;
  #noise = 0;
  #gradNoise = 0;
  #key: number;
  #seen = new Map<number, StepSignal>();
  #last = Number.NEGATIVE_INFINITY;

  /** Creates the generator; it draws from `rng` only. */
  constructor(params: CurveParams, rng: Rng) {
    this.params = params;
    this.#rng = rng;
    this.#key = rng.int(1, 2 ** 30);
  }

  /** The values for optimizer step `step` (new steps in increasing order). */
  next(step: number): StepSignal {
    const seen = this.#seen.get(step);
    if (seen && step <= this.#last) {
      const j = hashNormal(this.#key, step);
      return {
        loss: seen.loss * (1 + 2e-6 * j),
        gradNorm: seen.gradNorm * (1 + 3e-5 * j),
        overflow: seen.overflow,
      };
    }
    const s = this.#fresh(step);
    this.#seen.set(step, s);
    this.#last = step;
    return s;
  }

  #fresh(step: number): StepSignal {
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

/**
 * Validation loss as a function of the weights: the weights after `step`
 * steps are summarised by how far the learning rate has carried them (the
 * cumulative learning rate, as an equivalent step of the smooth curve), so
 * two evaluations of the same step print the same loss and evaluations with
 * the learning rate near zero between them differ by almost nothing.
 */
export class Evaluator {
  readonly params: CurveParams;
  readonly gap: number;
  #key: number;
  #cum: Float64Array | null = null;
  #knot: number;

  /** `lr(step)` is the schedule; `key` fixes the evaluation set's noise. */
  constructor(params: CurveParams, gap: number, lr: (step: number) => number, key: number) {
    this.params = params;
    this.gap = gap;
    this.#key = key;
    const T = params.totalSteps;
    if (params.kind === "finetune" && T <= 200_000) {
      const cum = new Float64Array(T + 1);
      for (let k = 1; k <= T; k++) cum[k] = cum[k - 1]! + lr(k);
      this.#cum = cum;
    }
    this.#knot = Math.max(1, T / 24);
  }

  /** The step of the smooth curve the weights after `step` steps sit at. */
  effectiveStep(step: number): number {
    const cum = this.#cum;
    const T = this.params.totalSteps;
    if (!cum) return step;
    const s = Math.max(0, Math.min(T, step));
    return cum[T]! > 0 ? (T * cum[s]!) / cum[T]! : s;
  }

  /** Loss on evaluation set `set` (0: validation, 1: test) of the weights after `step` steps. */
  loss(step: number, set = 0): number {
    const p = this.params;
    const e = this.effectiveStep(step);
    const epochGap = p.kind === "finetune"
      ? 0.04 * Math.floor(Math.min(e, p.totalSteps - 1) / Math.max(1, p.stepsPerEpoch))
      : 0;
    // value noise, smooth in the effective step: same weights, same loss
    const x = e / this.#knot;
    const i = Math.floor(x);
    const f = x - i;
    const key = this.#key + 7919 * set;
    const n = hashNormal(key, i) * (1 - f) + hashNormal(key, i + 1) * f;
    const sd = p.kind === "pretrain" ? 0.006 : 0.01;
    return smoothLoss(p, e) + this.gap + epochGap + sd * n + (set === 1 ? 0.004 + sd : 0);
  }
}
