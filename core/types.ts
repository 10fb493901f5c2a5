/**
 * The module contract: what a module is and what it receives.
 *
 * A module is a pure function of its {@linkcode Context}: it never touches
 * `Deno.*`, `console`, `Math.random`, `Date.now` or timers.
 *
 * @module
 */

import type { PretendClock } from "./clock.ts";
import type { Rng } from "./rng.ts";
import type { Out } from "./screen.ts";
import type { Style } from "./style.ts";

/** What a module knows about the terminal. Values follow resizes. */
export interface TermInfo {
  /** Columns available (80 when unknown). */
  readonly cols: number;
  /** Rows available (24 when unknown). */
  readonly rows: number;
  /** Whether output goes to an interactive terminal (live regions redraw in place). */
  readonly isTTY: boolean;
  /** Whether colour is on (mirrors `ctx.style.enabled`). */
  readonly color: boolean;
}

/** Everything a module may use. */
export interface Context {
  /** The screen: permanent lines and the live region. */
  readonly out: Out;
  /** Waits pretend milliseconds; throws a stop signal when the run must end. */
  sleep(ms: number): Promise<void>;
  /** The seeded random source. */
  readonly rng: Rng;
  /** The pretend clock. */
  readonly clock: PretendClock;
  /** Terminal facts. */
  readonly term: TermInfo;
  /** Colours and text styles (identity when colour is off). */
  readonly style: Style;
}

/** A fake activity. */
export interface Module {
  /** The CLI id, snake_case (`llm_training`). */
  readonly name: string;
  /** The command line it pretends to run (`cargo build --release`). */
  readonly signature: string;
  /** One line describing it for `--list-modules`. */
  readonly about: string;
  /** Upper bound of one run in pretend milliseconds at speed 1 (default 5 minutes). */
  readonly maxDurationMs?: number;
  /**
   * What happens to the live region when a run is stopped (Ctrl-C, an exit
   * limit) in the middle of this module: `"clear"` (default) erases it, as cargo
   * clears its bar; `"keep"` leaves its last frame, as BuildKit does.
   */
  readonly liveOnStop?: LiveOnStop;
  /** Runs once, from start to finish, then resolves. */
  run(ctx: Context): Promise<void>;
}

/** What a stopped run does with the live region: erase it or keep its last frame. */
export type LiveOnStop = "keep" | "clear";

/** Default upper bound of one module run, in pretend milliseconds. */
export const DEFAULT_MAX_DURATION_MS = 5 * 60_000;
