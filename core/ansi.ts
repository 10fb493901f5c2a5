/**
 * Escape-sequence aware string measurement: visible width, stripping and
 * truncation to a column count without ever cutting an escape sequence in half.
 *
 * Written here rather than taken from npm (string-width, slice-ansi): the job is
 * small, and keeping it local keeps start-up fast and the web bundle tiny.
 *
 * @module
 */

/** Matches one CSI sequence (SGR, cursor movement, erase…) or an OSC sequence. */
// deno-lint-ignore no-control-regex
const ESCAPE_REGEXP = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Removes every escape sequence. */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPE_REGEXP, "");
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
  for (const ch of stripAnsi(text)) width += charWidth(ch.codePointAt(0) ?? 0);
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
  ESCAPE_REGEXP.lastIndex = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === 0x1b) {
      ESCAPE_REGEXP.lastIndex = i;
      const m = ESCAPE_REGEXP.exec(text);
      if (m && m.index === i) {
        out += m[0];
        styled = true;
        i += m[0].length;
        continue;
      }
    }
    const cp = text.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    const w = charWidth(cp);
    if (width + w > limit) break;
    out += ch;
    width += w;
    i += ch.length;
  }
  if (ellipsis) out += "…";
  return styled ? out + "\x1b[0m" : out;
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
