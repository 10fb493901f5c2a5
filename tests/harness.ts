/**
 * Test helpers: run a module on the virtual clock and capture its bytes, and
 * replay bytes into a headless terminal to see what a person would see.
 *
 * @module
 */

import xterm from "@xterm/headless";

const { Terminal } = xterm;
import { charWidth, stripAnsi, truncate, visibleWidth, wrapRows } from "../core/ansi.ts";
import { StopSignal } from "../core/clock.ts";
import { Session } from "../core/session.ts";
import type { Module } from "../core/types.ts";
import type { ProcessFacts } from "../app/plan.ts";

/** Fixed epoch for deterministic runs: 2026-03-14 09:26:53 UTC. */
export const TEST_EPOCH_MS = Date.UTC(2026, 2, 14, 9, 26, 53);

/** How to run a module in a test. */
export interface CaptureOptions {
  seed?: number | bigint;
  cols?: number;
  rows?: number;
  tty?: boolean;
  color?: boolean;
  speed?: number;
  /** Stop after this much virtual real time (ms). */
  exitAfterMs?: number;
}

/** What a captured run produced. */
export interface Capture {
  /** Everything written, concatenated. */
  output: string;
  /** Each write the sink received (one per frame). */
  chunks: string[];
  /** Pretend milliseconds the run took. */
  pretendMs: number;
  /** Permanent lines printed. */
  lines: number;
  /** Whether it was cut short by the time limit. */
  stopped: boolean;
  /** Every live-region update the module made, with its pretend time (independent of rendering). */
  live: { at: number; lines: readonly string[] }[];
  /**
   * Permanent text and every live update, in the order the module made them (each
   * update as its own lines): what the module said, before any renderer skips or throttles.
   */
  transcript: string;
  /** The permanent text alone (what `line`, `write` and `type` printed), without live updates. */
  log: string;
  /**
   * For each chunk in `chunks`, the module's state when it was written: how much
   * of `log` had been printed, and the index in `live` of the latest live update (−1: none yet).
   */
  chunkStates: { log: number; live: number }[];
}

/** Runs one module to completion on the virtual clock and captures its output. */
export async function captureModule(
  module: Module,
  options: CaptureOptions = {},
): Promise<Capture> {
  const chunks: string[] = [];
  const chunkStates: Capture["chunkStates"] = [];
  const logParts: string[] = [];
  let logLength = 0;
  const live: Capture["live"] = [];
  const session = new Session({
    sink: (chunk) => {
      chunks.push(chunk);
      chunkStates.push({ log: logLength, live: live.length - 1 });
    },
    cols: options.cols ?? 80,
    rows: options.rows ?? 24,
    tty: options.tty ?? false,
    color: options.color ?? false,
    speed: options.speed ?? 1,
    virtual: true,
    seed: BigInt(options.seed ?? 1),
    epochMs: TEST_EPOCH_MS,
    ...(options.exitAfterMs !== undefined ? { exitAfterMs: options.exitAfterMs } : {}),
  });
  let stopped = false;
  // Kept as parts (joined once at the end): a growing string's endsWith would flatten it each time.
  const transcript: string[] = [];
  let atLineStart = true;
  const note = (text: string) => {
    if (text.length === 0) return;
    transcript.push(text);
    logParts.push(text);
    logLength += text.length;
    atLineStart = text.endsWith("\n");
  };
  const base = session.context();
  const screen = session.screen;
  const ctx = {
    ...base,
    out: {
      line: (text = "") => {
        note(text + "\n");
        screen.line(text);
      },
      write: (text: string) => {
        note(text);
        screen.write(text);
      },
      type: async (text: string, ms: number) => {
        // One character at a time, as Screen.type does, so chunk states stay exact.
        for (const ch of text) {
          note(ch);
          screen.write(ch);
          await session.clock.sleep(ms);
        }
      },
      live: (lines: readonly string[]) => {
        live.push({ at: session.clock.now(), lines: lines.slice() });
        if (lines.length > 0) transcript.push((atLineStart ? "" : "\n") + lines.join("\n") + "\n");
        screen.live(lines);
      },
    },
  };
  try {
    await module.run(ctx);
    session.screen.settle();
  } catch (error) {
    if (!(error instanceof StopSignal)) throw error;
    stopped = true;
  }
  session.screen.finish(module.liveOnStop);
  return {
    output: chunks.join(""),
    chunks,
    pretendMs: session.clock.now(),
    lines: session.screen.linesPrinted,
    stopped,
    live,
    transcript: transcript.join(""),
    log: logParts.join(""),
    chunkStates,
  };
}

/** What a person sees after bytes are written into a terminal of the given size. */
export interface ScreenView {
  /** Every buffer line (scrollback included), right-trimmed. */
  lines: string[];
  /** Whether any line was soft-wrapped (something was wider than the terminal). */
  wrapped: boolean;
  /** For each of `lines`, whether it continues the line above (a soft wrap). */
  continued: boolean[];
  /** Whether the cursor is visible at the end. */
  cursorVisible: boolean;
  /** The cursor: its column and its line index in `lines`. */
  cursor: { x: number; y: number };
}

/**
 * Character widths as a current terminal draws them (Unicode 11 and later: emoji
 * two columns wide), the widths {@linkcode charWidth} models. xterm's built-in
 * table is Unicode 6, where an emoji is one column.
 */
const MODERN_WIDTHS = {
  version: "denact",
  wcwidth: (cp: number) => charWidth(cp) as 0 | 1 | 2,
  charProperties(cp: number, preceding: number): number {
    let width = charWidth(cp);
    let join = width === 0 && preceding !== 0;
    if (join) {
      const before = (preceding >> 1) & 3;
      if (before === 0) join = false;
      else if (before > width) width = before;
    }
    return ((width & 3) << 1) | (join ? 1 : 0);
  },
};

/** A headless terminal to write bytes into piece by piece and read at any point. */
export class ReplayTerminal {
  #term: InstanceType<typeof Terminal>;

  /** Opens a terminal of the given size with a large scrollback. */
  constructor(cols: number, rows = 24) {
    this.#term = new Terminal({
      cols,
      rows,
      scrollback: 100_000,
      allowProposedApi: true,
      convertEol: true,
    });
    this.#term.unicode.register(MODERN_WIDTHS);
    this.#term.unicode.activeVersion = MODERN_WIDTHS.version;
  }

  /** Writes bytes and waits until they are parsed. */
  write(bytes: string): Promise<void> {
    return new Promise<void>((resolve) => this.#term.write(bytes, resolve));
  }

  /** Resizes the terminal (it reflows as xterm.js does). */
  resize(cols: number, rows: number): void {
    this.#term.resize(cols, rows);
  }

  /** What is on screen now. */
  view(): ScreenView {
    const buffer = this.#term.buffer.active;
    const lines: string[] = [];
    const continued: boolean[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      continued.push(line.isWrapped);
      lines.push(line.translateToString(true));
    }
    // deno-lint-ignore no-explicit-any
    const core = (this.#term as any)._core;
    const cursorVisible = !(core?.coreService?.isCursorHidden ?? false);
    return {
      lines,
      wrapped: continued.some((c) => c),
      continued,
      cursorVisible,
      cursor: { x: buffer.cursorX, y: buffer.baseY + buffer.cursorY },
    };
  }

  /** Frees the terminal. */
  dispose(): void {
    this.#term.dispose();
  }
}

/** Replays `bytes` into an `@xterm/headless` terminal and reads the result. */
export async function replay(bytes: string, cols: number, rows = 24): Promise<ScreenView> {
  const term = new ReplayTerminal(cols, rows);
  await term.write(bytes);
  const view = term.view();
  term.dispose();
  return view;
}

/**
 * The screen the design promises, as text rows (scrollback included):
 * the permanent lines of `log`, each wrapped as a terminal `cols` wide wraps it,
 * then the live region (an unfinished log line first, then `live`), at most
 * `rows - 1` rows, each cut to the width. Without a live region an unfinished
 * line shows wrapped like the others.
 */
export function expectedScreen(
  log: string,
  live: readonly string[],
  cols: number,
  rows: number,
): string[] {
  const end = log.lastIndexOf("\n");
  const complete = end === -1 ? [] : log.slice(0, end).split("\n").map(expandTabs);
  const partial = expandTabs(log.slice(end + 1));
  const out = complete.flatMap((line) => wrapRows(line, cols));
  if (live.length > 0) {
    const frame = partial ? [partial, ...live] : live;
    out.push(...frame.slice(0, rows - 1).map((line) => truncate(line, cols)));
  } else if (partial) {
    out.push(...wrapRows(partial, cols));
  }
  return out.map((row) => stripAnsi(row));
}

/** A tab moves to the next multiple of 8 columns; the cells it skips read as spaces. */
function expandTabs(line: string): string {
  if (!line.includes("\t")) return line;
  let out = "";
  for (const piece of line.split("\t").slice(0, -1)) {
    out += piece;
    out += " ".repeat(8 - (visibleWidth(out) % 8));
  }
  return out + line.slice(line.lastIndexOf("\t") + 1);
}

/** Removes trailing empty lines. */
export function trimEnd(lines: string[]): string[] {
  const out = lines.slice();
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/**
 * The facts of a pretend process for `planRun`: a quiet 80x24 terminal at
 * {@linkcode TEST_EPOCH_MS} in UTC, seed 7, unless `overrides` says otherwise.
 */
export function testFacts(overrides: Partial<ProcessFacts> = {}): ProcessFacts {
  return {
    stdoutIsTerminal: true,
    size: { cols: 80, rows: 24 },
    columns: undefined,
    noColor: true,
    forceColor: undefined,
    term: undefined,
    epochMs: TEST_EPOCH_MS,
    utcOffsetMinutes: 0,
    randomSeed: 7n,
    ...overrides,
  };
}
