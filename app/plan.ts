/**
 * Turning parsed options into a run, purely: the options plus the facts of
 * the process (terminal or not, size, environment, clock, seed) give a plain
 * {@linkcode RunPlan}, or the {@linkcode UsageError} of a bad combination.
 * Everything a run decides up front is decided here, once, for every mode;
 * no `Options` object travels past it.
 *
 * @module
 */

import type { ColorMode, Options } from "../cli/options.ts";
import { UsageError } from "../cli/errors.ts";
import type { PaneLayout } from "../core/panes/layout.ts";
import { fallbackColumns } from "../core/term_size.ts";

/** What the process knows about its surroundings when it starts. */
export interface ProcessFacts {
  /** Whether standard output is an interactive terminal. */
  readonly stdoutIsTerminal: boolean;
  /** The terminal's size, if there is one. */
  readonly size: { readonly cols: number; readonly rows: number } | undefined;
  /** `COLUMNS`, when readable. */
  readonly columns: string | undefined;
  /** Whether `NO_COLOR` is set (or the runtime says colour is off). */
  readonly noColor: boolean;
  /** `FORCE_COLOR`, when readable. */
  readonly forceColor: string | undefined;
  /** `TERM`, when readable. */
  readonly term: string | undefined;
  /** Wall clock at start, epoch milliseconds. */
  readonly epochMs: number;
  /** Local time zone offset in minutes (east positive). */
  readonly utcOffsetMinutes: number;
  /** A fresh random seed, used when the options give none. */
  readonly randomSeed: bigint;
}

/** Where and how a run is recorded. */
export interface RecordPlan {
  readonly path: string;
  /** Overwrite an existing file. */
  readonly force: boolean;
  /** `TERM` written into the cast's header. */
  readonly term: string;
}

/** Everything a run needs, decided. Plain data. */
export interface RunPlan {
  /** One session, or a grid of panes. */
  readonly mode: "single" | "panes";
  /** The pane grid (panes only). */
  readonly layout: PaneLayout | undefined;
  /** Selected module names, in the order given (may repeat); empty means every module. */
  readonly modules: readonly string[];
  /** Colour on or off for what is drawn. */
  readonly color: boolean;
  /** Draw for a terminal (live regions in place) rather than plain lines. */
  readonly tty: boolean;
  /** Screen size drawn (and recorded). */
  readonly cols: number;
  readonly rows: number;
  readonly seed: bigint;
  /** Pretend wall clock at start. */
  readonly epochMs: number;
  readonly utcOffsetMinutes: number;
  readonly speed: number;
  readonly instantLines: number;
  /** Waits shorter than this many real milliseconds are coalesced into one frame. */
  readonly frameMs: number;
  /** End this many milliseconds after program start. */
  readonly exitAfterMs: number | undefined;
  /** End after this many finished modules. */
  readonly exitAfterModules: number | undefined;
  /** The recording, if any. */
  readonly record: RecordPlan | undefined;
  /** Run on virtual time, drawing only into the recording. */
  readonly fastForward: boolean;
  /** Keep the machine awake while running. */
  readonly inhibit: boolean;
}

/**
 * Frame interval in a terminal: about ten frames a second, the rate real tools
 * redraw at; each wake-up of the runtime costs CPU whatever it draws.
 */
const TERMINAL_FRAME_MS = 100;
/**
 * Frame interval in a pipe: one write a second. Plain output is paced by
 * pretend time, so the bytes are the same as at any other interval.
 */
export const PIPE_FRAME_MS = 1000;
/** Frame interval on virtual time (fast-forward): fine-grained, as it costs no wake-ups. */
const VIRTUAL_FRAME_MS = 8;

/** Decides whether to colour: `--color` first, then NO_COLOR, FORCE_COLOR, then the terminal. */
export function resolveColor(
  mode: ColorMode,
  isTerminal: boolean,
  noColor: boolean,
  forceColor: string | undefined,
): boolean {
  if (mode === "always") return true;
  if (mode === "never") return false;
  if (noColor) return false;
  if (
    forceColor !== undefined && forceColor !== "" && forceColor !== "0" && forceColor !== "false"
  ) {
    return true;
  }
  return isTerminal;
}

/** Colour for a fast-forward recording: meant for a terminal player, so `auto` means on. */
function recordingColor(mode: ColorMode, noColor: boolean): boolean {
  return mode === "always" || (mode === "auto" && !noColor);
}

/** What is wrong with how the pane and recording options combine, if anything. */
export function combinationProblem(options: Options, stdoutTTY: boolean): string | undefined {
  if (options.record === undefined) {
    if (options.fastForward) {
      return "'--fast-forward' needs '--record <FILE>': a fast-forward run only draws into the recording";
    }
    if (options.force) return "'--force' only applies with '--record <FILE>'";
  }
  if (options.recordSize !== undefined && !options.fastForward) {
    return "'--record-size <COLSxROWS>' only applies with '--fast-forward': a live recording has the terminal's size";
  }
  if (
    options.fastForward && options.exitAfterTime === undefined &&
    options.exitAfterModules === undefined
  ) {
    return "'--fast-forward' needs '--exit-after-time <DURATION>' or '--exit-after-modules <N>' so the recording ends";
  }
  if (options.panes !== undefined && !options.fastForward && !stdoutTTY) {
    return "'--panes <LAYOUT>' needs a terminal, and standard output is not one (a pipe or a file); to record panes without a terminal, add '--record <FILE> --fast-forward'";
  }
  return undefined;
}

/** Plans a run from parsed options and the process's facts, or says what is wrong. */
export function planRun(options: Options, facts: ProcessFacts): RunPlan | UsageError {
  const problem = combinationProblem(options, facts.stdoutIsTerminal);
  if (problem !== undefined) return new UsageError(problem);
  const fastForward = options.fastForward;
  const size = fastForward
    ? options.recordSize ?? facts.size ?? { cols: 80, rows: 24 }
    : facts.size ?? { cols: fallbackColumns(facts.columns), rows: 24 };
  const tty = fastForward || facts.stdoutIsTerminal;
  const color = fastForward
    ? recordingColor(options.color, facts.noColor)
    : resolveColor(options.color, facts.stdoutIsTerminal, facts.noColor, facts.forceColor);
  const frameMs = fastForward
    ? VIRTUAL_FRAME_MS
    : facts.stdoutIsTerminal
    ? TERMINAL_FRAME_MS
    : PIPE_FRAME_MS;
  return {
    mode: options.panes === undefined ? "single" : "panes",
    layout: options.panes,
    modules: options.modules,
    color,
    tty,
    cols: size.cols,
    rows: size.rows,
    seed: options.seed ?? facts.randomSeed,
    epochMs: facts.epochMs,
    utcOffsetMinutes: facts.utcOffsetMinutes,
    speed: options.speedFactor,
    instantLines: options.instantPrintLines,
    frameMs,
    exitAfterMs: options.exitAfterTime,
    exitAfterModules: options.exitAfterModules,
    record: options.record === undefined ? undefined : {
      path: options.record,
      force: options.force,
      term: fastForward ? "xterm-256color" : facts.term || "xterm-256color",
    },
    fastForward,
    inhibit: options.inhibit,
  };
}
