/**
 * A session wires one screen, one clock, one random source and the terminal
 * facts together, and makes module contexts from them. The CLI, the tests, the
 * web page and each pane all build their runs through here.
 *
 * @module
 */

import { Clock, type Timers } from "./clock.ts";
import { Rng } from "./rng.ts";
import { PlainRenderer, Screen, type Sink, TerminalRenderer } from "./screen.ts";
import { createStyle, type Style } from "./style.ts";
import type { Context, Module, TermInfo } from "./types.ts";

/** How to set up a session. */
export interface SessionOptions {
  /** Where rendered output goes. */
  sink: Sink;
  /** Terminal columns (80 when unknown). */
  cols?: number;
  /** Terminal rows (24 when unknown). */
  rows?: number;
  /** Interactive terminal: redraw live regions in place. Otherwise plain lines. */
  tty: boolean;
  /** Colour on or off. */
  color: boolean;
  /** Speed factor (default 1). */
  speed?: number;
  /** Run on the virtual clock (no real waiting). */
  virtual?: boolean;
  /** Seed of the random source. */
  seed: bigint;
  /** Pretend wall clock at start, epoch milliseconds. */
  epochMs: number;
  /** Local time zone offset in minutes (east positive). */
  utcOffsetMinutes?: number;
  /** The first N permanent lines appear without waiting. */
  instantLines?: number;
  /**
   * Virtual clocks only (tests, benchmarks): end the run once this many virtual
   * milliseconds have passed since program start. A real run puts its limit on
   * its host's timers (app/play.ts); setting this without `virtual` throws.
   */
  exitAfterMs?: number;
  /** Real milliseconds that passed between program start and this session. */
  startedAgoMs?: number;
  /** Plain mode prints the live region at most once per this much pretend time. */
  plainIntervalMs?: number;
  /**
   * Waits shorter than this many real milliseconds are coalesced into the next
   * frame (default 8). The CLI uses 100: about ten frames a second, as real tools redraw.
   */
  frameMs?: number;
  /** Wall timers for the clock's real waits and yields (default: the runtime's). */
  timers?: Timers;
  /** Real time source for the clock (tests). */
  realNow?: () => number;
  /** Backpressure from the output (see `ClockOptions.backlog`). */
  backlog?: () => Promise<void> | undefined;
}

/** Terminal facts that change on resize. */
class TermState implements TermInfo {
  cols: number;
  rows: number;
  readonly isTTY: boolean;
  readonly color: boolean;
  constructor(cols: number, rows: number, isTTY: boolean, color: boolean) {
    this.cols = cols;
    this.rows = rows;
    this.isTTY = isTTY;
    this.color = color;
  }
}

/** A screen, a clock, a random source and terminal facts, ready to run modules. */
export class Session {
  readonly screen: Screen;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly term: TermInfo;
  readonly style: Style;
  /** The module the rotation runs now (or ran last); its `liveOnStop` decides how a stop ends the screen. */
  running: Module | undefined;
  #term: TermState;

  /** Creates a session. */
  constructor(options: SessionOptions) {
    const cols = sanitizeSize(options.cols, 80);
    const rows = sanitizeSize(options.rows, 24);
    this.#term = new TermState(cols, rows, options.tty, options.color);
    this.term = this.#term;
    this.style = createStyle(options.color);
    this.rng = new Rng(options.seed);
    const clock = new Clock({
      speed: options.speed ?? 1,
      virtual: options.virtual ?? false,
      epochMs: options.epochMs,
      utcOffsetMinutes: options.utcOffsetMinutes ?? 0,
      startedAgoMs: options.startedAgoMs ?? 0,
      stopAfterMs: options.exitAfterMs,
      timers: options.timers,
      realNow: options.realNow,
      backlog: options.backlog,
      minWaitMs: options.frameMs,
    });
    const renderer = options.tty
      ? new TerminalRenderer(options.sink, cols, rows)
      : new PlainRenderer(options.sink, () => clock.now(), options.plainIntervalMs);
    this.clock = clock;
    this.screen = new Screen(renderer, (ms) => clock.sleep(ms));
    clock.setBeforeWait(() => this.screen.flush());
    const instant = options.instantLines ?? 0;
    if (instant > 0) clock.setInstant(() => this.screen.linesPrinted < instant);
  }

  /** Applies a new terminal size; modules see it on their next read. */
  resize(cols: number, rows: number): void {
    this.#term.cols = sanitizeSize(cols, this.#term.cols);
    this.#term.rows = sanitizeSize(rows, this.#term.rows);
    this.screen.resize(this.#term.cols, this.#term.rows);
  }

  /** A module context drawing from `rng` (a fork of the session's by default). */
  context(rng: Rng = this.rng.fork()): Context {
    const clock = this.clock;
    return {
      out: this.screen,
      sleep: (ms: number) => clock.sleep(ms),
      rng,
      clock,
      term: this.term,
      style: this.style,
    };
  }
}

function sanitizeSize(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}
