/**
 * The page's program, independent of the DOM: read the URL parameters, print
 * their errors, then run the rotation on a terminal renderer writing into an
 * xterm.js-like terminal, following its resizes. The same session, runner and
 * modules as the command line.
 *
 * @module
 */

import { browserHost, type WebTerminal } from "../app/browser_host.ts";
import { planRun } from "../app/plan.ts";
import { play } from "../app/play.ts";
import { VirtualHost } from "../app/virtual_host.ts";
import { UsageError } from "../cli/errors.ts";
import type { StopCause } from "../core/clock.ts";
import type { Session } from "../core/session.ts";
import type { Module } from "../core/types.ts";
import { parseWebParams } from "./params.ts";

export type { WebTerminal };

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
  const plan = planRun(cli, {
    stdoutIsTerminal: true,
    size: { cols: term.cols, rows: term.rows },
    columns: undefined,
    noColor: false,
    forceColor: undefined,
    term: "xterm-256color",
    epochMs: options.epochMs,
    utcOffsetMinutes: options.utcOffsetMinutes,
    randomSeed: options.randomSeed(),
  });
  // The page's parameters cannot ask for panes or a recording: a plan always results.
  if (plan instanceof UsageError) throw plan;
  const byName = new Map(options.modules.map((m) => [m.name, m]));
  const selected = plan.modules.length > 0
    ? plan.modules.map((name) => byName.get(name) as Module)
    : options.modules;
  const terminal = browserHost(term);
  const host = options.virtual
    ? new VirtualHost({ base: terminal, startMs: options.startedAgoMs })
    : terminal;
  const playing = play(plan, host, selected);
  const done = playing.done.then((ending) => {
    if (ending.error !== undefined) throw ending.error;
    return ending.cause ?? "modules";
  });
  return { session: playing.session as Session, done };
}
