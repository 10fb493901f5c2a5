/**
 * The part every flavour shares: attempts of the job (a start, the steps, and
 * after a failure the restart from the checkpoint the plan names), with the
 * training signal drawn once per step so replayed steps repeat it. Each
 * flavour supplies what it prints at a start and after each step.
 *
 * @module
 */

import type { StepSignal, TrainingSignal } from "./loss.ts";
import type { Run } from "./runtime.ts";
import type { JobStats } from "./shell.ts";
import { failure, incidentText } from "./startup.ts";

/** Which start of the job this is and the step it starts after. */
export interface Attempt {
  attempt: number;
  from: number;
}

/** What a flavour prints and does around the shared loop. */
export interface FlavourHooks {
  /** Everything from the launcher's (re)start to just before the first step. */
  start(a: Attempt): Promise<void>;
  /** Milliseconds of step `k` (the first steps after a start are slower). */
  stepMs(k: number, a: Attempt): number;
  /** After step `k` finished: logging, evaluation, checkpoints. */
  afterStep(k: number, sig: StepSignal, ms: number, a: Attempt): Promise<void>;
  /** The Python frames of the rank that dies. */
  traceback(): string[];
  /** How the summary names the checkpoint at `step`. */
  checkpointName(step: number): string;
  /** Around the failure output (clear the live region, switch the console's node). */
  beforeFailure?(): void;
  afterFailure?(): void;
}

/**
 * Runs the job's attempts up to the plan's last step: a failure stops an
 * attempt mid-step and the next one starts from the checkpoint it resumes from.
 */
export async function runAttempts(
  run: Run,
  signal: TrainingSignal,
  stats: JobStats,
  hooks: FlavourHooks,
): Promise<void> {
  const p = run.sc.plan;
  let a: Attempt = { attempt: 0, from: p.startStep };
  for (;;) {
    await hooks.start(a);
    if (stats.firstStepSec === 0) stats.firstStepSec = run.nowSec();
    const fail = a.attempt === 0 ? p.failure : null;
    let failed = false;
    for (let k = a.from + 1; k <= p.endStep; k++) {
      const ms = hooks.stepMs(k, a);
      if (fail && k === fail.atStep) {
        await run.pause(ms * run.rng.float(0.2, 0.8));
        hooks.beforeFailure?.();
        await failure(run, fail, hooks.traceback(), a.attempt);
        hooks.afterFailure?.();
        stats.incidents.push(incidentText(run, fail, hooks.checkpointName(fail.resumeFrom)));
        failed = true;
        break;
      }
      await run.pause(ms);
      const sig = signal.next(k);
      stats.steps.push({ step: k, loss: sig.loss, gradNorm: sig.gradNorm });
      await hooks.afterStep(k, sig, ms, a);
    }
    if (!failed || !fail) return;
    a = { attempt: a.attempt + 1, from: fail.resumeFrom };
  }
}
