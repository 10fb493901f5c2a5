/**
 * Terminal sizes bounded to what terminals have. A size comes from the
 * terminal itself or, when stdout is no terminal, from `COLUMNS`; either way
 * it is whole and between 1x1 and {@linkcode MAX_TERMINAL_COLS} x
 * {@linkcode MAX_TERMINAL_ROWS}, so a `COLUMNS=1000000000` can neither build
 * gigabyte strings nor stall the program drawing them (issue 11, F10). Pure:
 * the CLI and every run mode call it with what they read.
 *
 * @module
 */

/** Widest terminal taken at its word (a 4K screen at a small font is about 500 columns). */
export const MAX_TERMINAL_COLS = 1000;
/** Tallest terminal taken at its word. */
export const MAX_TERMINAL_ROWS = 500;
/** Width when nothing says otherwise, as genact and most tools assume. */
export const DEFAULT_COLS = 80;

/** `value` as a whole number from 1 to `max` (values that are no number give `fallback`). */
function bounded(value: number, max: number, fallback: number): number {
  if (!Number.isFinite(value) || value < 1) return fallback;
  return Math.min(max, Math.floor(value));
}

/** A size reported by a terminal, bounded (a nonsense report gives 80x24). */
export function boundedSize(cols: number, rows: number): { cols: number; rows: number } {
  return {
    cols: bounded(cols, MAX_TERMINAL_COLS, DEFAULT_COLS),
    rows: bounded(rows, MAX_TERMINAL_ROWS, 24),
  };
}

/**
 * The width to draw for when stdout is no terminal: `COLUMNS` when it is a
 * positive number (at most {@linkcode MAX_TERMINAL_COLS}), otherwise 80.
 */
export function fallbackColumns(columnsEnv: string | undefined): number {
  const text = columnsEnv?.trim() ?? "";
  return /^\d+$/.test(text) ? bounded(Number(text), MAX_TERMINAL_COLS, DEFAULT_COLS) : DEFAULT_COLS;
}
