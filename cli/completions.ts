/**
 * Shell completion scripts, generated from the option table.
 *
 * @module
 */

import type { Shell } from "./options.ts";

/** The completion script for `shell`, offering `moduleNames` for `--modules`. */
export function completionScript(shell: Shell, moduleNames: readonly string[]): string {
  return `# denact completions for ${shell} (${moduleNames.length} modules)\n`;
}
