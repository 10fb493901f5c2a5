/**
 * The compositor's output side: turns the difference between two frames into
 * the fewest practical bytes (cursor jumps only where a run of changed cells
 * starts, SGR only where the pen changes, short unchanged gaps re-printed
 * rather than jumped, erase-to-end-of-line for blank row tails), and the
 * sequences that enter and leave the full-screen display.
 *
 * @module
 */

import { DEFAULT_COLOR, Frame, sgr, SGR_ATTRS } from "./frame.ts";

/** Enters the alternate screen and hides the cursor. */
export const ENTER_SCREEN = "\x1b[?1049h\x1b[?25l";
/** Resets colours, shows the cursor and leaves the alternate screen: the terminal as it was. */
export const RESTORE_SCREEN = "\x1b[0m\x1b[?25h\x1b[?1049l";
/** Resets colours, homes the cursor and clears the screen: the start of a full repaint. */
export const CLEAR_SCREEN = "\x1b[0m\x1b[H\x1b[2J";

/** Unchanged cells up to this many are re-printed instead of jumped over. */
const MAX_REPRINT_GAP = 4;

/**
 * The bytes that turn a terminal showing `prev` into one showing `next`. With
 * no `prev` (or a different size) the screen is cleared and `next` painted in
 * full. With `dirtyOnly`, rows of `next` not marked dirty are taken as
 * unchanged. Returns "" when nothing changed. Expects the pen reset on entry
 * and leaves it reset.
 */
export function diffFrames(prev: Frame | undefined, next: Frame, dirtyOnly = false): string {
  const full = !prev || prev.cols !== next.cols || prev.rows !== next.rows;
  const base = full ? new Frame(next.cols, next.rows) : prev;
  const { cols, rows } = next;
  const pen = new PenState();
  let out = full ? CLEAR_SCREEN : "";
  let cx = -1;
  let cy = -1;
  for (let y = 0; y < rows; y++) {
    if (dirtyOnly && !full && !next.dirty[y]) continue;
    const row = y * cols;
    let blankFrom = cols;
    while (blankFrom > 0 && isBlank(next, row + blankFrom - 1)) blankFrom--;
    let x = 0;
    while (x < cols) {
      const i = row + x;
      const wide = x + 1 < cols && next.chars[i + 1] === "";
      if (
        next.chars[i] === "" || (next.same(i, base, i) && (!wide || next.same(i + 1, base, i + 1)))
      ) {
        x++;
        continue;
      }
      if (x >= blankFrom) {
        out += moveTo(cx, cy, x, y) + pen.reset() + "\x1b[K";
        cx = x;
        cy = y;
        break;
      }
      if (cy === y && cx < x && x - cx <= MAX_REPRINT_GAP && pen.covers(next, row + cx, row + x)) {
        for (let g = row + cx; g < i; g++) out += next.chars[g];
      } else {
        out += moveTo(cx, cy, x, y);
      }
      out += pen.take(next, i);
      out += next.chars[i];
      x += wide ? 2 : 1;
      cx = x;
      cy = y;
    }
  }
  return out + pen.reset();
}

/** The pen the terminal is drawing with, starting reset. */
class PenState {
  #fg = DEFAULT_COLOR;
  #bg = DEFAULT_COLOR;
  #attrs = 0;

  /** The SGR that switches to cell `i`'s pen, or "" if it is current. */
  take(frame: Frame, i: number): string {
    const fg = frame.fg[i] as number;
    const bg = frame.bg[i] as number;
    const attrs = (frame.attrs[i] as number) & SGR_ATTRS;
    if (fg === this.#fg && bg === this.#bg && attrs === this.#attrs) return "";
    this.#fg = fg;
    this.#bg = bg;
    this.#attrs = attrs;
    return sgr(fg, bg, attrs);
  }

  /** Resets the pen; "" if it already is. */
  reset(): string {
    if (this.#fg === DEFAULT_COLOR && this.#bg === DEFAULT_COLOR && this.#attrs === 0) return "";
    this.#fg = DEFAULT_COLOR;
    this.#bg = DEFAULT_COLOR;
    this.#attrs = 0;
    return "\x1b[0m";
  }

  /** Whether cells [from, to) are narrow characters in the current pen. */
  covers(frame: Frame, from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      if (frame.chars[i] === "" || frame.chars[i + 1] === "") return false;
      if (
        frame.fg[i] !== this.#fg || frame.bg[i] !== this.#bg ||
        ((frame.attrs[i] as number) & SGR_ATTRS) !== this.#attrs
      ) return false;
    }
    return true;
  }
}

/** Whether a cell is exactly what erasing leaves: a space with the default pen. */
function isBlank(frame: Frame, i: number): boolean {
  return frame.chars[i] === " " && frame.fg[i] === DEFAULT_COLOR && frame.bg[i] === DEFAULT_COLOR &&
    frame.attrs[i] === 0;
}

/** The cursor movement from (cx, cy) to (x, y); "" when already there. */
function moveTo(cx: number, cy: number, x: number, y: number): string {
  if (cx === x && cy === y) return "";
  if (cy === y && cx >= 0 && cx < x) return x - cx === 1 ? "\x1b[C" : `\x1b[${x - cx}C`;
  return `\x1b[${y + 1};${x + 1}H`;
}
