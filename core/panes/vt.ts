/**
 * A pane's own terminal emulator: `@xterm/headless` behind a small surface
 * (write, resize, copy the visible cells into a {@linkcode Frame}), so the
 * dependency can be swapped in this one file.
 *
 * Writes are parsed synchronously, so the compositor (and the virtual
 * timeline of a fast-forward recording) always reads what was written.
 *
 * @module
 */

import xterm from "@xterm/headless";
import { ATTR, DEFAULT_COLOR, type Frame, RGB_FLAG } from "./frame.ts";
import type { Rect } from "./layout.ts";

const { Terminal } = xterm;
type XTerminal = InstanceType<typeof Terminal>;
type XCell = NonNullable<
  ReturnType<NonNullable<ReturnType<XTerminal["buffer"]["active"]["getLine"]>>["getCell"]>
>;

/** The parser entry point behind xterm's asynchronous `write`. */
interface SyncCore {
  writeSync(data: string): void;
}

/** A headless terminal of a fixed size that a pane's session writes into. */
export class PaneTerminal {
  #term: XTerminal;
  #core: SyncCore;
  #cell: XCell | undefined;

  /** Creates a terminal of `cols` x `rows`. */
  constructor(cols: number, rows: number) {
    this.#term = new Terminal({
      cols,
      rows,
      scrollback: 0,
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

  /** Feeds output to the terminal; parsed before this returns. */
  write(data: string): void {
    this.#core.writeSync(data);
  }

  /** Changes the size (the terminal reflows its lines). */
  resize(cols: number, rows: number): void {
    if (cols !== this.#term.cols || rows !== this.#term.rows) this.#term.resize(cols, rows);
  }

  /**
   * Copies the visible cells into `frame` at `area` (clipped to the area and
   * to this terminal's size; cells beyond this terminal's size are left as
   * they are). Reads the top-left of the screen when the area is smaller.
   */
  copyInto(frame: Frame, area: Rect): void {
    const buffer = this.#term.buffer.active;
    const cols = Math.min(area.cols, this.#term.cols);
    const rows = Math.min(area.rows, this.#term.rows);
    const top = buffer.viewportY;
    for (let y = 0; y < rows; y++) {
      const line = buffer.getLine(top + y);
      if (!line) continue;
      let i = (area.y + y) * frame.cols + area.x;
      for (let x = 0; x < cols; x++, i++) {
        const cell = line.getCell(x, this.#cell);
        if (!cell) continue;
        this.#cell = cell;
        const width = cell.getWidth();
        let attrs = 0;
        if (width === 0) attrs |= ATTR.WIDE_TAIL;
        else if (width === 2 && x === cols - 1) {
          // A wide character cut by the pane's edge: show a blank instead of half a glyph.
          frame.chars[i] = " ";
          frame.fg[i] = DEFAULT_COLOR;
          frame.bg[i] = DEFAULT_COLOR;
          frame.attrs[i] = 0;
          continue;
        }
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
    }
  }

  /** Frees the terminal. */
  dispose(): void {
    this.#term.dispose();
  }
}
