/**
 * Text typed by a user, made safe to echo back to a terminal: control
 * characters are shown, never interpreted. An `ESC [ 2 J` in a module name, a
 * bidirectional override in a file name or an OSC 8 hyperlink in a URL
 * parameter comes out as `\u{1b}[2J`, `\u{202e}` and so on, so an error
 * message can neither clear the screen, retitle the window, hide text nor show
 * a link. Pure, with no Deno or DOM API: the CLI, the recorder and the web
 * page share it.
 *
 * @module
 */

/**
 * Characters that a terminal would act on or that change how the text around
 * them looks: C0 and C1 controls and DEL (`Cc`), invisible format characters
 * such as bidirectional overrides and zero-width spaces (`Cf`), line and
 * paragraph separators, and unpaired surrogates.
 */
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const NAMED: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** Most characters of a value echoed back; longer values are cut with an ellipsis. */
export const MAX_ECHOED_CHARS = 200;

/**
 * `text` with every control character written out visibly (`\n`, `\t`,
 * `\r`, otherwise `\u{hex}` as Rust prints it); everything else unchanged.
 * The result never contains a control character.
 */
export function visible(text: string): string {
  return text.replace(
    CONTROL,
    (c) => NAMED[c] ?? `\\u{${(c.codePointAt(0) as number).toString(16)}}`,
  );
}

/**
 * A value as an error message quotes it: cut to {@linkcode MAX_ECHOED_CHARS}
 * characters (saying how long it was), then made {@linkcode visible}.
 */
export function echoed(value: string): string {
  if (value.length <= MAX_ECHOED_CHARS) return visible(value);
  let count = 0;
  let cut = value.length;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    // The second half of a surrogate pair belongs to the character before it.
    if (code >= 0xdc00 && code <= 0xdfff && i > 0) {
      const before = value.charCodeAt(i - 1);
      if (before >= 0xd800 && before <= 0xdbff) continue;
    }
    if (count === MAX_ECHOED_CHARS) cut = Math.min(cut, i);
    count++;
  }
  if (count <= MAX_ECHOED_CHARS) return visible(value);
  return `${visible(value.slice(0, cut))}… (${count} characters)`;
}
