/**
 * The pane display: N panes laid out in a grid, each running its own
 * rotation, composed into one screen at most ~30 times a second. Each frame
 * copies the panes that changed into a {@linkcode Frame}, draws the chrome,
 * and hands the difference from the previous frame to a sink. Works the same
 * live and fast-forward: panes and frames share one timeline, real
 * (`RealTimeline`) or virtual (`VirtualTimeline`); the
 * platform side (alternate screen, signals, resize events) lives in `run.ts`.
 *
 * @module
 */

import type { StopCause } from "../clock.ts";
import type { Module } from "../types.ts";
import { chromePens, drawChrome } from "./chrome.ts";
import { diffFrames } from "./compositor.ts";
import { Frame } from "./frame.ts";
import { type GridPlan, type PaneLayout, paneTerminalSize, planGrid } from "./layout.ts";
import { Pane, paneSeed } from "./pane.ts";
import type { Timeline } from "./timeline.ts";

/** Frames per second at most. */
export const MAX_FPS = 30;

/** How to set up a pane display. */
export interface PaneDisplayOptions {
  /** Receives each frame's bytes and the time (ms since program start) it was drawn. */
  onFrame: (bytes: string, timeMs: number) => void;
  /** Told of a new screen size before any frame drawn for it (a recording's resize event). */
  onResize?: (cols: number, rows: number, timeMs: number) => void;
  /** Screen size. */
  cols: number;
  rows: number;
  layout: PaneLayout;
  /** The selected modules (each pane rotates through all of them). */
  modules: readonly Module[];
  seed: bigint;
  color: boolean;
  speed: number;
  epochMs: number;
  utcOffsetMinutes?: number;
  instantLines?: number;
  /** Stop after this many modules finished across all panes. */
  exitAfterModules?: number;
  /** Live: a `RealTimeline`. Fast-forward: a `VirtualTimeline`. */
  timeline: Timeline;
  /** Frames per second at most (default {@linkcode MAX_FPS}). */
  fps?: number;
}

/** A running grid of panes. */
export class PaneDisplay {
  readonly panes: readonly Pane[];
  #options: PaneDisplayOptions;
  #timeline: Timeline;
  #plan: GridPlan;
  /** What the terminal shows (undefined: unknown, repaint everything). */
  #shown: Frame | undefined;
  /** The frame being composed; kept between frames, only changes are written into it. */
  #next: Frame | undefined;
  #frameMs: number;
  #lastFrame = Number.NEGATIVE_INFINITY;
  #cancelFrame: (() => void) | undefined;
  #chromeDirty = true;
  #stopped: StopCause | undefined;
  #failure: { error: unknown } | undefined;
  #finished = 0;
  #frames = 0;
  #bytes = 0;

  /** Creates the panes (nothing runs until {@linkcode PaneDisplay.run}). */
  constructor(options: PaneDisplayOptions) {
    this.#options = options;
    this.#timeline = options.timeline;
    this.#frameMs = 1000 / (options.fps ?? MAX_FPS);
    this.#plan = planGrid(options.layout, options.cols, options.rows);
    this.panes = this.#plan.panes.map((placement) => {
      const size = paneTerminalSize(placement.content);
      return new Pane({
        index: placement.index,
        cols: size.cols,
        rows: size.rows,
        seed: paneSeed(options.seed, placement.index),
        color: options.color,
        speed: options.speed,
        epochMs: options.epochMs,
        utcOffsetMinutes: options.utcOffsetMinutes ?? 0,
        instantLines: options.instantLines ?? 0,
        timeline: options.timeline,
        onOutput: () => this.#requestFrame(),
      });
    });
  }

  /** The current grid. */
  get plan(): GridPlan {
    return this.#plan;
  }

  /** Frames drawn and bytes they took so far. */
  get stats(): { frames: number; bytes: number; modulesFinished: number } {
    return { frames: this.#frames, bytes: this.#bytes, modulesFinished: this.#finished };
  }

  /**
   * Runs every pane until a limit or {@linkcode PaneDisplay.stop}; draws the
   * final frame and resolves with the cause. A module's error stops all panes
   * and is rethrown.
   */
  async run(): Promise<StopCause> {
    this.#requestFrame();
    const limit = this.#options.exitAfterModules;
    const results = await Promise.all(this.panes.map((pane) =>
      pane.run({
        modules: this.#options.modules,
        onModuleStart: () => {
          this.#chromeDirty = true;
          this.#requestFrame();
        },
        onModuleFinished: () => {
          this.#finished++;
          if (limit !== undefined && this.#finished >= limit) this.stop("modules");
        },
      }).catch((error) => {
        this.#failure ??= { error };
        this.stop("pipe");
        return "pipe" as StopCause;
      })
    ));
    this.#cancelFrame?.();
    this.#cancelFrame = undefined;
    if (!this.#failure) this.#draw();
    if (this.#failure) throw this.#failure.error;
    return this.#stopped ?? results[0] ?? "time";
  }

  /** Ends the run in every pane. */
  stop(cause: StopCause): void {
    if (this.#stopped) return;
    this.#stopped = cause;
    for (const pane of this.panes) pane.stop(cause);
    this.#timeline.stop(cause);
  }

  /** Lays the grid out again for a new screen size; the next frame repaints everything. */
  resize(cols: number, rows: number): void {
    this.#options.onResize?.(cols, rows, this.#timeline.now());
    this.#plan = planGrid(this.#options.layout, cols, rows);
    for (const placement of this.#plan.panes) {
      const size = paneTerminalSize(placement.content);
      this.panes[placement.index]?.resize(size.cols, size.rows);
    }
    this.#shown = undefined;
    this.#chromeDirty = true;
    this.#requestFrame();
  }

  /** Schedules a frame, no sooner than one frame interval after the last. */
  #requestFrame(): void {
    if (this.#cancelFrame) return;
    const wait = Math.max(0, this.#lastFrame + this.#frameMs - this.#timeline.now());
    this.#cancelFrame = this.#timeline.after(wait, () => {
      this.#cancelFrame = undefined;
      try {
        this.#draw();
      } catch (error) {
        // Never let a drawing error escape into a timer: end the run so the terminal is restored.
        this.#failure ??= { error };
        this.stop("pipe");
      }
    });
  }

  /** Composes the changed panes and chrome, and emits the difference. */
  #draw(): void {
    const plan = this.#plan;
    let next = this.#next;
    let shown = this.#shown;
    if (!next || next.cols !== plan.cols || next.rows !== plan.rows) {
      next = this.#next = new Frame(plan.cols, plan.rows);
      shown = undefined;
    }
    const full = shown === undefined;
    for (const placement of plan.panes) {
      const pane = this.panes[placement.index] as Pane;
      if (placement.tooSmall || (!full && !pane.dirty)) continue;
      pane.terminal.copyInto(next, placement.content, full);
    }
    for (const pane of this.panes) pane.dirty = false;
    if (this.#chromeDirty || full) {
      drawChrome(next, plan, this.panes.map((p) => p.title), chromePens(this.#options.color));
      this.#chromeDirty = false;
    }
    const bytes = diffFrames(shown, next, true);
    if (shown) shown.copyDirtyRows(next);
    else this.#shown = next.clone();
    next.clean();
    this.#lastFrame = this.#timeline.now();
    if (bytes.length === 0) return;
    this.#frames++;
    this.#bytes += bytes.length;
    this.#options.onFrame(bytes, this.#lastFrame);
  }
}
