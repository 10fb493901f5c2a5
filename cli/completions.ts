/**
 * Shell completion scripts, generated from the option table, so they offer
 * exactly the options the parser accepts. One writer per shell lives in
 * `cli/completions/`.
 *
 * @module
 */

import { OPTION_TABLE, type OptionSpec, type Shell } from "./options.ts";
import { bashScript } from "./completions/bash.ts";
import { elvishScript } from "./completions/elvish.ts";
import { fishScript } from "./completions/fish.ts";
import { completionOptions } from "./completions/model.ts";
import { powershellScript } from "./completions/powershell.ts";
import { zshScript } from "./completions/zsh.ts";

/**
 * The completion script for `shell`, offering `moduleNames` for `--modules`.
 * `table` defaults to the program's option table.
 */
export function completionScript(
  shell: Shell,
  moduleNames: readonly string[],
  table: readonly OptionSpec[] = OPTION_TABLE,
): string {
  const options = completionOptions(table, moduleNames);
  switch (shell) {
    case "bash":
      return bashScript(options);
    case "elvish":
      return elvishScript(options);
    case "fish":
      return fishScript(options);
    case "powershell":
      return powershellScript(options);
    case "zsh":
      return zshScript(options);
  }
}
