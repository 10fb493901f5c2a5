/**
 * The one styling helper. Modules colour text through a {@linkcode Style};
 * when colour is off every method returns its input unchanged, so "no colour"
 * is one switch and not one escape byte leaks out.
 *
 * @module
 */

/** A function that wraps text in one style. */
export type Paint = (text: string) => string;

/** Text styles available to modules. */
export interface Style {
  /** Whether styles produce escape codes at all. */
  readonly enabled: boolean;
  readonly bold: Paint;
  readonly dim: Paint;
  readonly italic: Paint;
  readonly underline: Paint;
  readonly inverse: Paint;
  readonly black: Paint;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly blue: Paint;
  readonly magenta: Paint;
  readonly cyan: Paint;
  readonly white: Paint;
  readonly gray: Paint;
  readonly brightRed: Paint;
  readonly brightGreen: Paint;
  readonly brightYellow: Paint;
  readonly brightBlue: Paint;
  readonly brightMagenta: Paint;
  readonly brightCyan: Paint;
  readonly brightWhite: Paint;
  readonly bgRed: Paint;
  readonly bgGreen: Paint;
  readonly bgYellow: Paint;
  readonly bgBlue: Paint;
  /** A colour from the xterm 256-colour palette. */
  fg256(code: number): Paint;
  /** A 24-bit colour. */
  rgb(r: number, g: number, b: number): Paint;
  /** Several styles at once, applied left to right (outermost first). */
  combine(...paints: Paint[]): Paint;
}

function sgr(open: string, close: string): Paint {
  const start = `\x1b[${open}m`;
  const end = `\x1b[${close}m`;
  // Re-open the style after any inner close of the same kind, so nesting works.
  return (text) => start + text.replaceAll(end, end + start) + end;
}

const identity: Paint = (text) => text;

/** Creates the style helper; with `enabled` false it is the identity everywhere. */
export function createStyle(enabled: boolean): Style {
  if (!enabled) {
    return {
      enabled,
      bold: identity,
      dim: identity,
      italic: identity,
      underline: identity,
      inverse: identity,
      black: identity,
      red: identity,
      green: identity,
      yellow: identity,
      blue: identity,
      magenta: identity,
      cyan: identity,
      white: identity,
      gray: identity,
      brightRed: identity,
      brightGreen: identity,
      brightYellow: identity,
      brightBlue: identity,
      brightMagenta: identity,
      brightCyan: identity,
      brightWhite: identity,
      bgRed: identity,
      bgGreen: identity,
      bgYellow: identity,
      bgBlue: identity,
      fg256: () => identity,
      rgb: () => identity,
      combine: () => identity,
    };
  }
  return {
    enabled,
    bold: sgr("1", "22"),
    dim: sgr("2", "22"),
    italic: sgr("3", "23"),
    underline: sgr("4", "24"),
    inverse: sgr("7", "27"),
    black: sgr("30", "39"),
    red: sgr("31", "39"),
    green: sgr("32", "39"),
    yellow: sgr("33", "39"),
    blue: sgr("34", "39"),
    magenta: sgr("35", "39"),
    cyan: sgr("36", "39"),
    white: sgr("37", "39"),
    gray: sgr("90", "39"),
    brightRed: sgr("91", "39"),
    brightGreen: sgr("92", "39"),
    brightYellow: sgr("93", "39"),
    brightBlue: sgr("94", "39"),
    brightMagenta: sgr("95", "39"),
    brightCyan: sgr("96", "39"),
    brightWhite: sgr("97", "39"),
    bgRed: sgr("41", "49"),
    bgGreen: sgr("42", "49"),
    bgYellow: sgr("43", "49"),
    bgBlue: sgr("44", "49"),
    fg256: (code) => sgr(`38;5;${Math.max(0, Math.min(255, Math.round(code)))}`, "39"),
    rgb: (r, g, b) => sgr(`38;2;${r | 0};${g | 0};${b | 0}`, "39"),
    combine: (...paints) => (text) => paints.reduceRight((acc, p) => p(acc), text),
  };
}
