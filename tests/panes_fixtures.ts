/**
 * Small test-local modules and helpers for the pane and recording tests: they
 * do not depend on which real modules are registered yet.
 *
 * @module
 */

import xterm from "@xterm/headless";
import { defaultOptions, type Options } from "../cli/options.ts";
import { Frame } from "../core/panes/frame.ts";
import { PaneTerminal } from "../core/panes/vt.ts";
import type { Module } from "../core/types.ts";

const { Terminal } = xterm;

/** Prints numbered lines far wider than any pane, with colour, and a live progress line. */
export const wideLines: Module = {
  name: "wide_lines",
  signature: "wide-lines --all",
  about: "test: lines wider than the pane",
  maxDurationMs: 20_000,
  async run(ctx) {
    const n = ctx.rng.int(8, 20);
    for (let i = 1; i <= n; i++) {
      ctx.out.line(ctx.style.green(`W${i} `) + "#".repeat(300));
      ctx.out.live([`progress ${i}/${n} ` + "=".repeat(200)]);
      await ctx.sleep(ctx.rng.int(100, 400));
    }
    ctx.out.live([]);
    ctx.out.line("wide done");
  },
};

/** Prints the pretend time at which each line is written, for timing checks. */
export const stamps: Module = {
  name: "stamps",
  signature: "stamps --every 250ms",
  about: "test: prints its pretend time",
  maxDurationMs: 20_000,
  async run(ctx) {
    const n = ctx.rng.int(5, 12);
    for (let i = 0; i < n; i++) {
      ctx.out.line(`at ${ctx.clock.now().toFixed(3)}`);
      await ctx.sleep(ctx.rng.int(50, 900));
    }
  },
};

/** Types a short command, with wide characters, then redraws a live spinner. */
export const typist: Module = {
  name: "typist",
  signature: "typist 漢字 --fast",
  about: "test: typed text and wide characters",
  maxDurationMs: 20_000,
  async run(ctx) {
    await ctx.out.type("$ echo 漢字かな and more\n", 30);
    for (let i = 0; i < ctx.rng.int(5, 15); i++) {
      ctx.out.live([ctx.style.cyan("⠋⠙⠹⠸"[i % 4] as string) + ` working ${i}`]);
      await ctx.sleep(120);
    }
    ctx.out.live([]);
    ctx.out.line(ctx.style.bold("done ✓"));
  },
};

/** The three test modules. */
export const TEST_MODULES: readonly Module[] = [wideLines, stamps, typist];

/** Command-line options with some fields set. */
export function optionsWith(fields: Partial<Options>): Options {
  return { ...defaultOptions(), ...fields };
}

/** A headless terminal's screen after `data`: visible rows (right-trimmed), buffer type, cursor. */
export interface Screen {
  rows: string[];
  alternate: boolean;
  cursorVisible: boolean;
  /** Whether the pen (SGR state) is back to default after the data. */
  penReset: boolean;
}

/** Writes `data` into a fresh headless terminal and reads the visible screen. */
export async function screenAfter(
  data: string,
  cols: number,
  rows: number,
  convertEol = false,
): Promise<Screen> {
  const term = new Terminal({ cols, rows, scrollback: 0, allowProposedApi: true, convertEol });
  await new Promise<void>((resolve) => term.write(data, resolve));
  const buffer = term.buffer.active;
  // deno-lint-ignore no-explicit-any
  const core = (term as any)._core;
  const pen = core?._inputHandler?._curAttrData;
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    out.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? "");
  }
  const result = {
    rows: out,
    alternate: buffer.type === "alternate",
    cursorVisible: !(core?.coreService?.isCursorHidden ?? false),
    penReset: pen !== undefined && pen.fg === 0 && pen.bg === 0,
  };
  term.dispose();
  return result;
}

/** Every visible cell (character and attributes) after `data`, read through the pane terminal. */
export function frameAfter(data: string, cols: number, rows: number): Frame {
  const term = new PaneTerminal(cols, rows);
  term.write(data);
  const frame = new Frame(cols, rows);
  term.copyInto(frame, { x: 0, y: 0, cols, rows });
  term.dispose();
  return frame;
}

/** A cell-by-cell description of the differences between two frames ("" when equal). */
export function frameDifference(a: Frame, b: Frame): string {
  if (a.cols !== b.cols || a.rows !== b.rows) return "different sizes";
  for (let i = 0; i < a.chars.length; i++) {
    if (!a.same(i, b, i)) {
      const at = `(${i % a.cols}, ${Math.floor(i / a.cols)})`;
      return `cell ${at}: ${JSON.stringify([a.chars[i], a.fg[i], a.bg[i], a.attrs[i]])} vs ${
        JSON.stringify([b.chars[i], b.fg[i], b.bg[i], b.attrs[i]])
      }`;
    }
  }
  return "";
}
