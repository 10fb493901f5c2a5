/**
 * Every module, loaded: for listing, completions, the man page, the web page
 * and tests. The one list of modules is in `registry.ts`.
 *
 * @module
 */

import type { Module } from "../core/types.ts";
import { loadModules } from "./registry.ts";

/** Every module, sorted by name. */
export const MODULES: readonly Module[] = await loadModules();

/** Looks a module up by its CLI name. */
export function findModule(name: string): Module | undefined {
  return MODULES.find((m) => m.name === name);
}
