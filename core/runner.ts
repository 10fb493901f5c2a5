/**
 * The rotation: pick a module at random among the selected ones (never the same
 * one twice in a row when there is a choice), run it, repeat, until a limit or a
 * signal ends the run.
 *
 * @module
 */

import { type StopCause, StopSignal } from "./clock.ts";
import type { Session } from "./session.ts";
import type { Module } from "./types.ts";

/** The message printed on every exit, as genact prints it. */
export const SAVING_MESSAGE = "Saving work to disk...";

/** Options for {@linkcode runRotation}. */
export interface RotationOptions {
  /** The selected modules; duplicates raise a module's weight. */
  modules: readonly Module[];
  /** Stop after this many finished modules. */
  exitAfterModules?: number;
  /** Called after each finished module with the running count. */
  onModuleFinished?: (module: Module, count: number) => void;
  /** Called before each module starts. */
  onModuleStart?: (module: Module) => void;
}

/** Picks the next module: uniform over `modules`, avoiding `previous` when another exists. */
export function pickNext(
  modules: readonly Module[],
  previous: Module | undefined,
  next: () => number,
): Module {
  const candidates = previous && modules.some((m) => m.name !== previous.name)
    ? modules.filter((m) => m.name !== previous.name)
    : modules;
  return candidates[Math.floor(next() * candidates.length)];
}

/**
 * Runs modules until the clock is stopped or `exitAfterModules` is reached.
 * Resolves with the cause; any other error from a module propagates.
 */
export async function runRotation(session: Session, options: RotationOptions): Promise<StopCause> {
  if (options.modules.length === 0) throw new RangeError("No modules to run");
  let previous: Module | undefined;
  let finished = 0;
  while (true) {
    const module = pickNext(options.modules, previous, () => session.rng.next());
    previous = module;
    session.running = module;
    options.onModuleStart?.(module);
    try {
      await module.run(session.context());
    } catch (error) {
      if (error instanceof StopSignal) return error.reason;
      throw error;
    }
    session.screen.settle();
    finished++;
    options.onModuleFinished?.(module, finished);
    if (session.clock.stopped) return session.clock.stopped;
    if (options.exitAfterModules !== undefined && finished >= options.exitAfterModules) {
      return "modules";
    }
  }
}

/** Exit codes per cause: 0 for limits and a closed pipe, 128 + signal number for signals. */
export const EXIT_CODES: Readonly<Record<StopCause, number>> = {
  modules: 0,
  time: 0,
  pipe: 0,
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

/**
 * Ends the live region as the running module's tool would (cleared, or its last
 * frame kept), restores the cursor and prints the saving message.
 */
export function endSession(session: Session, cause: StopCause): void {
  session.screen.finish(session.running?.liveOnStop);
  if (cause === "pipe") return;
  session.screen.settle();
  session.screen.line(SAVING_MESSAGE);
  session.screen.flush();
}
