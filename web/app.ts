/**
 * The page's program, independent of the DOM: read the URL parameters, print
 * their errors, then run the rotation on a terminal renderer writing into an
 * xterm.js-like terminal, following its resizes. The same session, runner and
 * modules as the command line.
 *
 * @module
 */

import type { StopCause } from "../core/clock.ts";
import { endSession, runRotation } from "../core/runner.ts";
import { Session } from "../core/session.ts";
import type { Module } from "../core/types.ts";
import { parseWebParams } from "./params.ts";

/** The part of an xterm.js `Terminal` the page uses. */
export interface WebTerminal {
  readonly cols: number;
  readonly rows: number;
  write(data: string): void;
  onResize(listener: (size: { cols: number; rows: number }) => void): { dispose(): void };
  onData(listener: (data: string) => void): { dispose(): void };
}

/** The read-only view of the page that the browser tests use (`window.denactTerm`). */
export interface DenactTermHook {
  /** Terminal columns and rows. */
  readonly cols: number;
  readonly rows: number;
  /** The width modules see as `ctx.term.cols`. */
  readonly moduleCols: number;
  /** Every line of the terminal buffer (scrollback and screen), trailing blanks trimmed. */
  lines(): string[];
  /**
   * The style of the cell at a buffer line (an index into {@linkcode DenactTermHook.lines})
   * and column: bold, and the palette colour 0–15 (-1 for the default or any other colour).
   */
  style(line: number, col: number): { bold: boolean; fg: number } | undefined;
  /** Whether the run has ended. */
  readonly finished: boolean;
}

/** How to start a run. */
export interface StartOptions {
  /** The registered modules to choose from. */
  modules: readonly Module[];
  /** The query string (`location.search`). */
  search: string;
  /** Seed used when the URL gives none. */
  randomSeed: () => bigint;
  /** Pretend wall clock at start, epoch milliseconds. */
  epochMs: number;
  /** Local time zone offset in minutes (east positive). */
  utcOffsetMinutes: number;
  /** Real milliseconds since the page started (counts towards `exit-after-time`). */
  startedAgoMs: number;
  /** Run on the virtual clock (tests). */
  virtual?: boolean;
}

/** A running page. */
export interface WebRun {
  /** The session, for reading what modules see. */
  readonly session: Session;
  /**
   * Resolves with the cause once the run has ended and `Saving work to disk...`
   * is shown; rejects (after printing it) if a module fails.
   */
  readonly done: Promise<StopCause>;
}

/**
 * Starts denact in `term`: shows the URL's errors exactly as the CLI prints
 * them (in colour), then runs the selected modules (all when none is valid)
 * until a limit is reached or Ctrl-C is typed into the terminal.
 */
export function startWebRun(term: WebTerminal, options: StartOptions): WebRun {
  const names = options.modules.map((m) => m.name);
  const { options: cli, errors } = parseWebParams(new URLSearchParams(options.search), names);
  for (const error of errors) term.write(error.format(true) + "\n");
  const byName = new Map(options.modules.map((m) => [m.name, m]));
  const selected = cli.modules.length > 0
    ? cli.modules.map((name) => byName.get(name) as Module)
    : options.modules;
  const session = new Session({
    sink: (chunk) => term.write(chunk),
    cols: term.cols,
    rows: term.rows,
    tty: true,
    color: true,
    speed: cli.speedFactor,
    seed: cli.seed ?? options.randomSeed(),
    epochMs: options.epochMs,
    utcOffsetMinutes: options.utcOffsetMinutes,
    instantLines: cli.instantPrintLines,
    startedAgoMs: options.startedAgoMs,
    virtual: options.virtual ?? false,
    ...(cli.exitAfterTime !== undefined ? { exitAfterMs: cli.exitAfterTime } : {}),
  });
  const resize = term.onResize(({ cols, rows }) => session.resize(cols, rows));
  const keys = term.onData((data) => {
    if (data === "\x03") session.clock.stop("SIGINT");
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (cli.exitAfterTime !== undefined && !options.virtual) {
    timer = setTimeout(
      () => session.clock.stop("time"),
      Math.max(0, cli.exitAfterTime - options.startedAgoMs),
    );
  }
  const run = async (): Promise<StopCause> => {
    try {
      const cause = selected.length === 0 ? "modules" : await runRotation(session, {
        modules: selected,
        ...(cli.exitAfterModules !== undefined ? { exitAfterModules: cli.exitAfterModules } : {}),
      });
      endSession(session, cause);
      return cause;
    } catch (error) {
      session.screen.finish();
      const message = error instanceof Error ? error.message : String(error);
      term.write(`\x1b[1;31merror:\x1b[0m internal error: ${message}\n`);
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      resize.dispose();
      keys.dispose();
    }
  };
  return { session, done: run() };
}
