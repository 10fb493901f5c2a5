/**
 * The program the CLI tests spawn: `main.ts` (the source) by default, or the
 * file `DENACT_PROGRAM` names, such as the built bundle's entry, which `.ci/run`
 * tests once as well, so what is published is what is tested.
 *
 * @module
 */

/** Path of the entry the CLI tests run with `deno run`. */
export const PROGRAM: string = Deno.env.get("DENACT_PROGRAM") ||
  new URL("../main.ts", import.meta.url).pathname;

/** The repository root (the CLI tests' working directory). */
export const ROOT: string = new URL("..", import.meta.url).pathname;
