/**
 * A pane's own terminal emulator: `@xterm/headless` behind a small surface
 * (write, resize, copy the visible cells into a {@linkcode Frame}), so the
 * dependency can be swapped in this one file.
 *
 * Writes are parsed synchronously, so the compositor (and the virtual
 * timeline of a fast-forward recording) always reads what was written. Reads
 * compare xterm's packed cells with the last read and decode only what
 * changed, which keeps composing cheap (the public API alone is kept as the
 * fallback should the packed storage ever look different).
 *
 * The terminal keeps one line of scrollback, not none: `@xterm/headless` 6.0.0
 * with `scrollback: 0` loses track of its lines when a resize reflows more
 * wrapped rows than fit and a later one adds rows (the next line feed throws,
 * issue 11 F2). One line is enough to avoid that, and keeps each pane's memory
 * bounded by its size.
 *
 * @module
 */

import xterm from "./xterm.ts";
import { ATTR, DEFAULT_COLOR, type Frame, RGB_FLAG } from "./frame.ts";
import type { Rect } from "./layout.ts";

const { Terminal } = xterm;
type XTerminal = InstanceType<typeof Terminal>;
type XLine = NonNullable<ReturnType<XTerminal["buffer"]["active"]["getLine"]>>;
type XCell = NonNullable<
  ReturnType<NonNullable<ReturnType<XTerminal["buffer"]["active"]["getLine"]>>["getCell"]>
>;

/**
 * xterm's packed cell storage behind a public line: three 32-bit words per
 * cell (content, foreground, background). Compared word for word to find the
 * cells that changed; decoding goes through the public cell API.
 */
interface RawLine {
  _line?: { _data?: unknown };
}
const CELL_WORDS = 3;
/** Content flag: the cell holds a combined string stored elsewhere. */
const COMBINED = 0x200000;
/** Background flag: extended attributes (underline style, colour) stored elsewhere. */
const HAS_EXTENDED = 0x10000000;

/** Lines kept above the screen (see the module note: 0 crashes on resizes). */
const SCROLLBACK = 1;

/** The parser entry point behind xterm's asynchronous `write`. */
interface SyncCore {
  writeSync(data: string): void;
}

/** A headless terminal of a fixed size that a pane's session writes into. */
export class PaneTerminal {
  #term: XTerminal;
  #core: SyncCore;
  #cell: XCell | undefined;
  #seen: Uint32Array[] = [];
  #seenCols = 0;

  /** Creates a terminal of `cols` x `rows`. */
  constructor(cols: number, rows: number) {
    this.#term = new Terminal({
      cols,
      rows,
      scrollback: SCROLLBACK,
      allowProposedApi: true,
      convertEol: true,
      logLevel: "off",
    });
    this.#core = (this.#term as unknown as { _core: SyncCore })._core;
  }

  /** Columns. */
  get cols(): number {
    return this.#term.cols;
  }

  /** Rows. */
  get rows(): number {
    return this.#term.rows;
  }

  /** Lines the terminal keeps: its rows plus at most one line of scrollback. */
  get bufferLines(): number {
    return this.#term.buffer.active.length;
  }

  /** Feeds output to the terminal; parsed before this returns. */
  write(data: string): void {
    this.#core.writeSync(data);
  }

  /** Changes the size (the terminal reflows its lines). */
  resize(cols: number, rows: number): void {
    if (cols !== this.#term.cols || rows !== this.#term.rows) this.#term.resize(cols, rows);
    this.#seen = [];
  }

  /**
   * Copies the visible cells into `frame` at `area` (clipped to the area and
   * to this terminal's size). Only cells that changed since the last copy are
   * decoded (and their rows marked dirty), unless `full` is set (the frame's
   * area holds something else).
   */
  copyInto(frame: Frame, area: Rect, full = true): void {
    const buffer = this.#term.buffer.active;
    const cols = Math.min(area.cols, this.#term.cols);
    const rows = Math.min(area.rows, this.#term.rows);
    const top = buffer.viewportY;
    if (full || this.#seen.length !== rows || this.#seenCols !== cols) {
      this.#seen = Array.from({ length: rows }, () => new Uint32Array(cols * CELL_WORDS));
      this.#seenCols = cols;
      full = true;
    }
    for (let y = 0; y < rows; y++) {
      const line = buffer.getLine(top + y);
      if (!line) continue;
      const data = (line as unknown as RawLine)._line?._data;
      const seen = this.#seen[y] as Uint32Array;
      const start = (area.y + y) * frame.cols + area.x;
      if (!(data instanceof Uint32Array) || data.length < cols * CELL_WORDS) {
        frame.dirty[area.y + y] = 1;
        for (let x = 0; x < cols; x++) this.#decode(line, x, cols, frame, start + x);
        continue;
      }
      for (let x = 0, w = 0; x < cols; x++, w += CELL_WORDS) {
        const content = data[w] as number;
        const fg = data[w + 1] as number;
        const bg = data[w + 2] as number;
        const special = (content & COMBINED) !== 0 || (bg & HAS_EXTENDED) !== 0;
        if (!full && !special && seen[w] === content && seen[w + 1] === fg && seen[w + 2] === bg) {
          continue;
        }
        frame.dirty[area.y + y] = 1;
        seen[w] = content;
        seen[w + 1] = fg;
        seen[w + 2] = bg;
        this.#decode(line, x, cols, frame, start + x);
      }
    }
  }

  /** Decodes cell `x` of `line` into frame cell `i`. */
  #decode(line: XLine, x: number, cols: number, frame: Frame, i: number): void {
    const cell = line.getCell(x, this.#cell);
    if (!cell) return;
    this.#cell = cell;
    const width = cell.getWidth();
    if (width === 2 && x === cols - 1) {
      // A wide character cut by the pane's edge: show a blank instead of half a glyph.
      frame.chars[i] = " ";
      frame.fg[i] = DEFAULT_COLOR;
      frame.bg[i] = DEFAULT_COLOR;
      frame.attrs[i] = 0;
      return;
    }
    let attrs = width === 0 ? ATTR.WIDE_TAIL : 0;
    if (cell.isBold()) attrs |= ATTR.BOLD;
    if (cell.isDim()) attrs |= ATTR.DIM;
    if (cell.isItalic()) attrs |= ATTR.ITALIC;
    if (cell.isUnderline()) attrs |= ATTR.UNDERLINE;
    if (cell.isBlink()) attrs |= ATTR.BLINK;
    if (cell.isInverse()) attrs |= ATTR.INVERSE;
    if (cell.isInvisible()) attrs |= ATTR.INVISIBLE;
    if (cell.isStrikethrough()) attrs |= ATTR.STRIKE;
    if (cell.isOverline()) attrs |= ATTR.OVERLINE;
    frame.chars[i] = width === 0 ? "" : cell.getChars() || " ";
    frame.fg[i] = cell.isFgDefault()
      ? DEFAULT_COLOR
      : cell.isFgRGB()
      ? RGB_FLAG + cell.getFgColor()
      : cell.getFgColor();
    frame.bg[i] = cell.isBgDefault()
      ? DEFAULT_COLOR
      : cell.isBgRGB()
      ? RGB_FLAG + cell.getBgColor()
      : cell.getBgColor();
    frame.attrs[i] = attrs;
  }

  /** Frees the terminal. */
  dispose(): void {
    this.#term.dispose();
  }
}
