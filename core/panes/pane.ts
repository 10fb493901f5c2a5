/**
 * A pane: its own terminal emulator plus its own {@linkcode Session} (terminal
 * renderer, virtual clock, random stream) whose output goes into that
 * terminal, and its own rotation of the selected modules, paced by the
 * timeline all panes share. The module running in it sets its title.
 *
 * @module
 */

import type { StopCause } from "../clock.ts";
import { Rng } from "../rng.ts";
import { endSession, type RotationOptions, runRotation } from "../runner.ts";
import type { Session } from "../session.ts";
import type { Module } from "../types.ts";
import type { Timeline } from "./timeline.ts";
import { TimelineSession } from "./timeline_session.ts";
import { PaneTerminal } from "./vt.ts";

/** How to set up a pane. */
export interface PaneOptions {
  /** Index in the grid (row-major). */
  index: number;
  /** Size of the pane's terminal. */
  cols: number;
  rows: number;
  /** The pane's own seed (see {@linkcode paneSeed}). */
  seed: bigint;
  color: boolean;
  speed: number;
  epochMs: number;
  utcOffsetMinutes: number;
  instantLines: number;
  /** The timeline all panes share (real when live, virtual when fast-forwarding). */
  timeline: Timeline;
  /** Called after output reached the pane's terminal. */
  onOutput: (pane: Pane) => void;
}

/**
 * The seed of pane `index`: derived from the run's seed so a seeded run is
 * repeatable, and different for every pane so no two panes look alike.
 */
export function paneSeed(seed: bigint, index: number): bigint {
  const rng = new Rng(BigInt.asUintN(64, seed ^ (0x9e3779b97f4a7c15n * BigInt(index + 1))));
  return (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
}

/** One pane of the grid. */
export class Pane {
  readonly index: number;
  readonly terminal: PaneTerminal;
  readonly session: Session;
  /** The signature of the module running (or last run) here. */
  title = "";
  /** Whether the terminal changed since the compositor last read it. */
  dirty = true;
  #timeline: Timeline;

  /** Creates a pane; nothing runs until {@linkcode Pane.run}. */
  constructor(options: PaneOptions) {
    this.index = options.index;
    this.terminal = new PaneTerminal(options.cols, options.rows);
    this.#timeline = options.timeline;
    const sessionOptions = {
      sink: (chunk: string) => {
        this.terminal.write(chunk);
        this.dirty = true;
        options.onOutput(this);
      },
      cols: options.cols,
      rows: options.rows,
      tty: true,
      color: options.color,
      speed: options.speed,
      virtual: true,
      seed: options.seed,
      epochMs: options.epochMs,
      utcOffsetMinutes: options.utcOffsetMinutes,
      instantLines: options.instantLines,
      startedAgoMs: options.timeline.now(),
    };
    this.session = new TimelineSession(sessionOptions, options.timeline);
  }

  /** Resizes the pane's terminal; the module sees the new size on its next read. */
  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
    this.session.resize(cols, rows);
    this.dirty = true;
  }

  /** Runs the rotation until stopped; ends with the pane's own exit (live region cleared). */
  async run(options: RotationOptions): Promise<StopCause> {
    this.#timeline.join();
    try {
      const cause = await runRotation(this.session, {
        ...options,
        onModuleStart: (module: Module) => {
          this.title = module.signature;
          this.dirty = true;
          options.onModuleStart?.(module);
        },
      });
      endSession(this.session, cause);
      return cause;
    } catch (error) {
      this.session.screen.finish();
      throw error;
    } finally {
      this.#timeline.leave();
    }
  }

  /** Ends the run: the pending sleep throws a stop signal. */
  stop(cause: StopCause): void {
    this.session.clock.stop(cause);
  }

  /** Frees the terminal. */
  dispose(): void {
    this.terminal.dispose();
  }
}
