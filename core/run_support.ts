/**
 * What the pane and recording runs share: the prepared setup, and the wiring
 * of the ways a run ends (signals, `--exit-after-time`).
 *
 * @module
 */

import type { Options } from "../cli/options.ts";
import type { StopCause } from "./clock.ts";
import type { Timers } from "./panes/timeline.ts";
import { onExitSignal } from "./platform.ts";
import type { CastRecorder } from "./record.ts";
import type { Module } from "./types.ts";

/** Everything a pane or recording run needs, decided once. */
export interface RunSetup {
  readonly options: Options;
  /** Colour on or off for what is drawn. */
  readonly color: boolean;
  readonly modules: readonly Module[];
  /** Screen size drawn (and recorded). */
  readonly cols: number;
  readonly rows: number;
  /** Whether stdout is a terminal. */
  readonly tty: boolean;
  readonly seed: bigint;
  /** Pretend wall clock at start. */
  readonly epochMs: number;
  readonly utcOffsetMinutes: number;
  /** The cast being written, if `--record` was given. */
  readonly recorder: CastRecorder | undefined;
}

/**
 * Ends the run through `stop` on an exit signal or when `--exit-after-time`
 * (counted from program start on `timers`) is reached. Returns a remover.
 */
export function wireStops(
  options: Options,
  timers: Timers,
  stop: (cause: StopCause) => void,
): () => void {
  const removeSignals = onExitSignal((signal) => stop(signal));
  const cancelTimer = options.exitAfterTime !== undefined
    ? timers.after(options.exitAfterTime - timers.now(), () => stop("time"))
    : () => {};
  return () => {
    removeSignals();
    cancelTimer();
  };
}
