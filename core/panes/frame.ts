/**
 * A frame: the whole composed screen as a grid of cells (character, colours,
 * attributes), stored in flat typed arrays so two frames compare quickly. The
 * compositor fills one frame per tick from the panes' terminals and the grid
 * chrome, then writes only the cells that differ from the previous frame.
 *
 * @module
 */

import { charWidth } from "../ansi.ts";

/** Colour value for "the terminal's default colour". */
export const DEFAULT_COLOR = -1;
/** Added to a 24-bit colour to tell it from a 256-colour palette index. */
export const RGB_FLAG = 0x1000000;

/** Cell attribute bits. */
export const ATTR = {
  BOLD: 1,
  DIM: 2,
  ITALIC: 4,
  UNDERLINE: 8,
  BLINK: 16,
  INVERSE: 32,
  INVISIBLE: 64,
  STRIKE: 128,
  OVERLINE: 256,
  /** The right half of a wide character (drawn by the cell to its left). */
  WIDE_TAIL: 512,
} as const;

/** Attribute bits that SGR sets (everything but the layout bits). */
export const SGR_ATTRS = 511;

/** Colours and attributes of a cell. */
export interface Pen {
  readonly fg: number;
  readonly bg: number;
  readonly attrs: number;
}

/** The default pen: default colours, no attributes. */
export const PLAIN: Pen = { fg: DEFAULT_COLOR, bg: DEFAULT_COLOR, attrs: 0 };

/** A grid of cells. */
export class Frame {
  readonly cols: number;
  readonly rows: number;
  /** Characters per cell, row-major; `" "` for blank, `""` for a wide character's tail. */
  readonly chars: string[];
  readonly fg: Int32Array;
  readonly bg: Int32Array;
  readonly attrs: Uint16Array;
  /** Rows changed since {@linkcode Frame.clean} (1) or not (0). */
  readonly dirty: Uint8Array;

  /** Creates a blank frame. */
  constructor(cols: number, rows: number) {
    this.cols = Math.max(0, cols);
    this.rows = Math.max(0, rows);
    const n = this.cols * this.rows;
    this.chars = new Array<string>(n).fill(" ");
    this.fg = new Int32Array(n).fill(DEFAULT_COLOR);
    this.bg = new Int32Array(n).fill(DEFAULT_COLOR);
    this.attrs = new Uint16Array(n);
    this.dirty = new Uint8Array(this.rows).fill(1);
  }

  /** A copy of this frame. */
  clone(): Frame {
    const copy = new Frame(this.cols, this.rows);
    for (let i = 0; i < this.chars.length; i++) copy.chars[i] = this.chars[i] as string;
    copy.fg.set(this.fg);
    copy.bg.set(this.bg);
    copy.attrs.set(this.attrs);
    copy.dirty.set(this.dirty);
    return copy;
  }

  /** Copies the rows of `other` (same size) that are marked dirty there. */
  copyDirtyRows(other: Frame): void {
    for (let y = 0; y < this.rows; y++) {
      if (!other.dirty[y]) continue;
      const from = y * this.cols;
      const to = from + this.cols;
      for (let i = from; i < to; i++) this.chars[i] = other.chars[i] as string;
      this.fg.set(other.fg.subarray(from, to), from);
      this.bg.set(other.bg.subarray(from, to), from);
      this.attrs.set(other.attrs.subarray(from, to), from);
    }
  }

  /** Marks every row unchanged. */
  clean(): void {
    this.dirty.fill(0);
  }

  /** Sets one cell (ignored outside the frame). */
  set(x: number, y: number, ch: string, pen: Pen): void {
    if (x < 0 || y < 0 || x >= this.cols || y >= this.rows) return;
    const i = y * this.cols + x;
    this.dirty[y] = 1;
    this.chars[i] = ch;
    this.fg[i] = pen.fg;
    this.bg[i] = pen.bg;
    this.attrs[i] = pen.attrs;
  }

  /** Fills a rectangle with one character. */
  fill(x: number, y: number, cols: number, rows: number, ch: string, pen: Pen): void {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) this.set(x + c, y + r, ch, pen);
    }
  }

  /**
   * Writes plain text (no escape codes) from (x, y), clipped at `maxCols`
   * columns; a wide character that would not fit is left out. Returns the
   * columns used.
   */
  text(x: number, y: number, text: string, maxCols: number, pen: Pen): number {
    let used = 0;
    for (const ch of text) {
      const w = charWidth(ch.codePointAt(0) ?? 0);
      if (w === 0) continue;
      if (used + w > maxCols) break;
      this.set(x + used, y, ch, pen);
      if (w === 2) this.set(x + used + 1, y, "", { ...pen, attrs: pen.attrs | ATTR.WIDE_TAIL });
      used += w;
    }
    return used;
  }

  /** Whether cell `i` equals cell `j` of `other`. */
  same(i: number, other: Frame, j: number): boolean {
    return this.chars[i] === other.chars[j] && this.fg[i] === other.fg[j] &&
      this.bg[i] === other.bg[j] && this.attrs[i] === other.attrs[j];
  }

  /** The visible text of row `y`, right-trimmed (tests and debugging). */
  rowText(y: number): string {
    return this.chars.slice(y * this.cols, (y + 1) * this.cols).join("").trimEnd();
  }
}

/** SGR parameters for a colour: `base` is 30 (foreground) or 40 (background). */
function colorParams(color: number, base: number): string {
  if (color === DEFAULT_COLOR) return "";
  if (color >= RGB_FLAG) {
    const rgb = color - RGB_FLAG;
    return `;${base + 8};2;${(rgb >> 16) & 255};${(rgb >> 8) & 255};${rgb & 255}`;
  }
  if (color < 8) return `;${base + color}`;
  if (color < 16) return `;${base + 60 + color - 8}`;
  return `;${base + 8};5;${color}`;
}

const ATTR_CODES: readonly [number, number][] = [
  [ATTR.BOLD, 1],
  [ATTR.DIM, 2],
  [ATTR.ITALIC, 3],
  [ATTR.UNDERLINE, 4],
  [ATTR.BLINK, 5],
  [ATTR.INVERSE, 7],
  [ATTR.INVISIBLE, 8],
  [ATTR.STRIKE, 9],
  [ATTR.OVERLINE, 53],
];

/** The SGR sequence that sets exactly this pen (starting from a reset). */
export function sgr(fg: number, bg: number, attrs: number): string {
  let params = "0";
  const a = attrs & SGR_ATTRS;
  if (a !== 0) {
    for (const [bit, code] of ATTR_CODES) if (a & bit) params += `;${code}`;
  }
  params += colorParams(fg, 30) + colorParams(bg, 40);
  return `\x1b[${params}m`;
}
