/**
 * Stands in for `node:util` in the browser bundle. `cli/parse.ts` imports
 * `parseArgs` from it for the command line; the page reuses that file's error
 * helpers but never parses a command line, so this is never called.
 *
 * @module
 */

/** Always throws: the page has no command line to parse. */
export function parseArgs(): never {
  throw new Error("parseArgs is not available in the browser");
}
