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

/** The number of terminal columns one code point occupies (0, 1 or 2). */
export function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (
    (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x20d0 && cp <= 0x20ff)
  ) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
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
