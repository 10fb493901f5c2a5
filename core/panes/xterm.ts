/**
 * `@xterm/headless`, the panes' terminal emulator, loaded at run time by a
 * specifier the module graph builder and bundlers cannot fold: a plain run
 * never resolves, downloads or parses the npm package; only `--panes` (which
 * imports this file on demand) does. A bare npm specifier needs no permission
 * to load this way.
 *
 * @module
 */

import type * as XtermHeadless from "@xterm/headless";

const SPECIFIER = ["@xterm", "headless"].join("/");

/** The package (CommonJS: its default export holds everything). */
const xterm: typeof XtermHeadless = (await import(SPECIFIER)).default;

export default xterm;
