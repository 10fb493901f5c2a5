/**
 * `@xterm/headless`, the panes' terminal emulator, loaded at run time by a
 * specifier the module graph builder and bundlers cannot fold: a plain run
 * never resolves, downloads or parses the npm package; only `--panes` (which
 * imports this file on demand) does. An `npm:` specifier needs no permission
 * to load this way.
 *
 * @module
 */

import type * as XtermHeadless from "@xterm/headless";

/**
 * The package as deno.json pins it (a test keeps the two equal), written as an
 * `npm:` specifier so it resolves the same from a checkout and from JSR.
 */
export const XTERM_SPECIFIER: string = ["npm:@xterm", "headless@6.0.0"].join("/");

/** The package (CommonJS: its default export holds everything). */
const xterm: typeof XtermHeadless = (await import(XTERM_SPECIFIER)).default;

export default xterm;
