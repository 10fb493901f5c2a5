/**
 * The man page (roff), generated from the option table and the registry.
 *
 * @module
 */

import type { Module } from "../core/types.ts";

/** The man page source for `version`, listing `modules`. */
export function manPage(version: string, modules: readonly Module[]): string {
  return `.TH DENACT 1 "" "denact ${version}"\n.SH NAME\ndenact (${modules.length} modules)\n`;
}
