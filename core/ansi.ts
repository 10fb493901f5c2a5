/**
 * Escape-sequence aware string measurement: visible width, stripping,
 * truncation to a column count without ever cutting an escape sequence in half,
 * and the rows a line occupies once a terminal wraps it.
 *
 * One grammar for escape sequences lives here ({@linkcode escapeLength}); every
 * function in this file, and the screen, measure text through it.
 *
 * Written here rather than taken from npm (string-width, slice-ansi): the job is
 * small, and keeping it local keeps start-up fast and the web bundle tiny.
 *
 * @module
 */

const ESC = 0x1b;

/**
 * The length of the escape sequence starting at `text[i]` (an ESC), as ECMA-48
 * and a VT terminal parse it:
 *
 * - CSI `ESC [`, parameter bytes `0x30–0x3f`, intermediate bytes `0x20–0x2f`, a
 *   final byte `0x40–0x7e` (SGR, cursor movement, erase…);
 * - control strings `ESC ]` (OSC), `ESC P` (DCS), `ESC X`, `ESC ^`, `ESC _`,
 *   ended by BEL or ST (`ESC \`);
 * - `ESC`, intermediate bytes, one final byte `0x30–0x7e` (`ESC ( B`, `ESC 7`, `ESC M`).
 *
 * A sequence cut off by the end of the text runs to the end; a malformed one
 * ends before the first byte that does not belong to it. A lone ESC has length 1.
 */
export function escapeLength(text: string, i: number): number {
  const n = text.length;
  const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
  if (next === 0x5b) { // CSI
    let j = i + 2;
    while (j < n && inRange(text.charCodeAt(j), 0x30, 0x3f)) j++;
    while (j < n && inRange(text.charCodeAt(j), 0x20, 0x2f)) j++;
    if (j < n && inRange(text.charCodeAt(j), 0x40, 0x7e)) j++;
    return j - i;
  }
  if (next === 0x5d || next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f) {
    let j = i + 2;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 0x07) return j + 1 - i;
      if (c === ESC && text.charCodeAt(j + 1) === 0x5c) return j + 2 - i;
      j++;
    }
    return n - i;
  }
  let j = i + 1;
  while (j < n && inRange(text.charCodeAt(j), 0x20, 0x2f)) j++;
  if (j < n && inRange(text.charCodeAt(j), 0x30, 0x7e)) j++;
  return j - i;
}

function inRange(code: number, lo: number, hi: number): boolean {
  return code >= lo && code <= hi;
}

/** Removes every escape sequence. */
export function stripAnsi(text: string): string {
  let i = text.indexOf("\x1b");
  if (i === -1) return text;
  let out = "";
  let from = 0;
  while (i !== -1) {
    out += text.slice(from, i);
    from = i + escapeLength(text, i);
    i = text.indexOf("\x1b", from);
  }
  return out + text.slice(from);
}

/** Code point ranges drawn two columns wide: East Asian wide characters and emoji. */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

/** The number of terminal columns one code point occupies (0, 1 or 2). */
export function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (
    (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x20d0 && cp <= 0x20ff)
  ) return 0;
  let lo = 0, hi = WIDE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = WIDE_RANGES[mid] as readonly [number, number];
    if (cp < start) hi = mid - 1;
    else if (cp > end) lo = mid + 1;
    else return 2;
  }
  return 1;
}

/** The visible width of a string in terminal columns, ignoring escape sequences. */
export function visibleWidth(text: string): number {
  let width = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code === ESC) {
      i += escapeLength(text, i);
      continue;
    }
    if (code < 0x300) {
      width += code < 0x20 || (code >= 0x7f && code < 0xa0) ? 0 : 1;
      i++;
      continue;
    }
    const cp = text.codePointAt(i) ?? 0;
    width += charWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return width;
}

/**
 * Cuts `text` to at most `cols` visible columns. Escape sequences are kept
 * (so colours stay balanced) and a reset is appended when anything styled was cut.
 * With `ellipsis`, a cut line ends in `…`.
 */
export function truncate(text: string, cols: number, ellipsis = false): string {
  if (visibleWidth(text) <= Math.max(0, cols)) return text;
  if (cols <= 0) return "";
  const limit = ellipsis ? cols - 1 : cols;
  let out = "";
  let width = 0;
  let styled = false;
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === ESC) {
      const end = i + escapeLength(text, i);
      out += text.slice(i, end);
      styled = true;
      i = end;
      continue;
    }
    const cp = text.codePointAt(i) ?? 0;
    const len = cp > 0xffff ? 2 : 1;
    const w = charWidth(cp);
    if (width + w > limit) break;
    out += text.slice(i, i + len);
    width += w;
    i += len;
  }
  if (ellipsis) out += "…";
  return styled ? out + "\x1b[0m" : out;
}

/**
 * The rows `line` (one line, no newline) occupies when written from the first
 * column of a terminal `cols` wide that wraps: each row's text with its escape
 * sequences, at least one row. A wide glyph that does not fit in what is left of
 * a row moves to the next one, as terminals draw it.
 */
export function wrapRows(line: string, cols: number): string[] {
  const width = Math.max(1, cols);
  const rows: string[] = [];
  let row = "";
  let col = 0;
  let i = 0;
  while (i < line.length) {
    if (line.charCodeAt(i) === ESC) {
      const end = i + escapeLength(line, i);
      row += line.slice(i, end);
      i = end;
      continue;
    }
    const cp = line.codePointAt(i) ?? 0;
    const len = cp > 0xffff ? 2 : 1;
    const w = Math.min(charWidth(cp), width);
    if (w > 0 && col + w > width) {
      rows.push(row);
      row = "";
      col = 0;
    }
    row += line.slice(i, i + len);
    col += w;
    i += len;
  }
  rows.push(row);
  return rows;
}

/** Pads (or cuts) `text` on the right to exactly `cols` visible columns. */
export function padEndVisible(text: string, cols: number): string {
  const w = visibleWidth(text);
  return w >= cols ? truncate(text, cols) : text + " ".repeat(cols - w);
}

/** Pads `text` on the left to at least `cols` visible columns. */
export function padStartVisible(text: string, cols: number): string {
  const w = visibleWidth(text);
  return w >= cols ? text : " ".repeat(cols - w) + text;
}
