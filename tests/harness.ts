/**
 * Test helpers: run a module on the virtual clock and capture its bytes, and
 * replay bytes into a headless terminal to see what a person would see.
 *
 * @module
 */

import xterm from "@xterm/headless";

const { Terminal } = xterm;
import { StopSignal } from "../core/clock.ts";
import { Session } from "../core/session.ts";
import type { Module } from "../core/types.ts";

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
}

/** Runs one module to completion on the virtual clock and captures its output. */
export async function captureModule(
  module: Module,
  options: CaptureOptions = {},
): Promise<Capture> {
  const chunks: string[] = [];
  const session = new Session({
    sink: (chunk) => chunks.push(chunk),
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
  const live: Capture["live"] = [];
  // Kept as parts (joined once at the end): a growing string's endsWith would flatten it each time.
  const transcript: string[] = [];
  let atLineStart = true;
  const note = (text: string) => {
    if (text.length === 0) return;
    transcript.push(text);
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
      type: (text: string, ms: number) => {
        note(text);
        return screen.type(text, ms);
      },
      live: (lines: readonly string[]) => {
        live.push({ at: session.clock.now(), lines: lines.slice() });
        if (lines.length > 0) note((atLineStart ? "" : "\n") + lines.join("\n") + "\n");
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
  session.screen.finish();
  return {
    output: chunks.join(""),
    chunks,
    pretendMs: session.clock.now(),
    lines: session.screen.linesPrinted,
    stopped,
    live,
    transcript: transcript.join(""),
  };
}

/** What a person sees after bytes are written into a terminal of the given size. */
export interface ScreenView {
  /** Every buffer line (scrollback included), right-trimmed. */
  lines: string[];
  /** Whether any line was soft-wrapped (something was wider than the terminal). */
  wrapped: boolean;
  /** Whether the cursor is visible at the end. */
  cursorVisible: boolean;
}

/** Replays `bytes` into an `@xterm/headless` terminal and reads the result. */
export async function replay(bytes: string, cols: number, rows = 24): Promise<ScreenView> {
  const term = new Terminal({
    cols,
    rows,
    scrollback: 100_000,
    allowProposedApi: true,
    convertEol: true,
  });
  await new Promise<void>((resolve) => term.write(bytes, resolve));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  let wrapped = false;
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    if (!line) continue;
    if (line.isWrapped) wrapped = true;
    lines.push(line.translateToString(true));
  }
  // deno-lint-ignore no-explicit-any
  const core = (term as any)._core;
  const cursorVisible = !(core?.coreService?.isCursorHidden ?? false);
  term.dispose();
  return { lines, wrapped, cursorVisible };
}

/** Removes trailing empty lines. */
export function trimEnd(lines: string[]): string[] {
  const out = lines.slice();
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}
