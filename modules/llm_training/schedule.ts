/**
 * Learning-rate schedules exactly as the frameworks compute them: Megatron's
 * `OptimizerParamScheduler` (linear warmup from 0, cosine or linear decay to a
 * floor, constant after) and the Hugging Face `get_scheduler` lambdas
 * (`cosine` decays to 0, `linear` decays to 0, `cosine_with_min_lr`).
 *
 * @module
 */

/** A declared schedule. */
export interface LrSchedule {
  /** `megatron-cosine`, `megatron-linear`, or an HF `lr_scheduler_type`. */
  kind: "megatron-cosine" | "megatron-linear" | "cosine" | "linear" | "cosine_with_min_lr";
  /** Peak learning rate. */
  peak: number;
  /** Floor (Megatron `--min-lr`, HF `min_lr`); 0 for plain HF cosine/linear. */
  min: number;
  /** Warmup steps. */
  warmup: number;
  /** Step at which decay ends (Megatron `--lr-decay-iters`; HF: the total steps). */
  decaySteps: number;
}

/** The learning rate in effect after `step` optimizer steps. */
export function lrAt(s: LrSchedule, step: number): number {
  switch (s.kind) {
    case "megatron-cosine":
    case "megatron-linear": {
      if (s.warmup > 0 && step <= s.warmup) return (s.peak * step) / s.warmup;
      if (step > s.decaySteps) return s.min;
      const ratio = (step - s.warmup) / (s.decaySteps - s.warmup);
      const coeff = s.kind === "megatron-cosine"
        ? 0.5 * (Math.cos(Math.PI * ratio) + 1)
        : 1 - ratio;
      return s.min + coeff * (s.peak - s.min);
    }
    case "linear": {
      if (step < s.warmup) return s.peak * (step / Math.max(1, s.warmup));
      return s.peak * Math.max(0, (s.decaySteps - step) / Math.max(1, s.decaySteps - s.warmup));
    }
    case "cosine":
    case "cosine_with_min_lr": {
      if (step < s.warmup) return s.peak * (step / Math.max(1, s.warmup));
      const progress = (step - s.warmup) / Math.max(1, s.decaySteps - s.warmup);
      const factor = Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 2 * 0.5 * progress)));
      if (s.kind === "cosine") return s.peak * factor;
      const floor = s.min / s.peak;
      return s.peak * (factor * (1 - floor) + floor);
    }
  }
}

/** A one-line view of the schedule: a sparkline of `width` cells and a marker position. */
export function scheduleCurve(
  s: LrSchedule,
  total: number,
  width: number,
): { cells: string; markerAt: (step: number) => number } {
  const ramp = "▁▂▃▄▅▆▇█";
  let cells = "";
  for (let i = 0; i < width; i++) {
    const step = Math.round(((i + 0.5) / width) * total);
    const v = lrAt(s, step) / s.peak;
    cells += ramp[Math.min(7, Math.max(0, Math.round(v * 7)))];
  }
  return {
    cells,
    markerAt: (step) => Math.min(width - 1, Math.max(0, Math.floor((step / total) * width))),
  };
}
