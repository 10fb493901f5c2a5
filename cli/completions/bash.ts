/**
 * The bash completion script. It needs nothing but bash itself (no
 * bash-completion package): `source <(denact --print-completions bash)`.
 *
 * @module
 */

import { allOptionNames, type CompletionOption, optionNames } from "./model.ts";

/** Quotes `text` as one bash word. */
export function bashQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function valueCase(option: CompletionOption): string | undefined {
  const offer = option.offer;
  if (!offer) return undefined;
  const pattern = optionNames(option).join("|");
  switch (offer.kind) {
    case "free":
      return `        ${pattern})\n            return 0 ;;`;
    case "files":
      return [
        `        ${pattern})`,
        `            compopt -o filenames 2>/dev/null`,
        `            COMPREPLY=($(compgen -f -- "$cur"))`,
        `            return 0 ;;`,
      ].join("\n");
    case "words": {
      const words = bashQuote(offer.words.join(" "));
      const lines = [`        ${pattern})`];
      if (offer.commaList) {
        lines.push(
          `            if [[ "$cur" == *,* ]]; then head="\${cur%,*},"; cur="\${cur##*,}"; fi`,
        );
      }
      lines.push(
        `            COMPREPLY=($(compgen -P "$head" -W ${words} -- "$cur"))`,
        `            return 0 ;;`,
      );
      return lines.join("\n");
    }
  }
}

/** The bash completion script for `options`. */
export function bashScript(options: readonly CompletionOption[]): string {
  const cases = options.map(valueCase).filter((c) => c !== undefined);
  return [
    "# bash completion for denact. Load it with:",
    "#   source <(denact --print-completions bash)",
    "_denact() {",
    '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" opt head=""',
    '    (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    "    # bash splits --opt=value at '=': find the option the value belongs to.",
    '    if [[ "$cur" == "=" ]]; then',
    '        opt="$prev"; cur=""',
    '    elif [[ "$prev" == "=" ]] && (( COMP_CWORD > 1 )); then',
    '        opt="${COMP_WORDS[COMP_CWORD-2]}"',
    "    else",
    '        opt="$prev"',
    "    fi",
    "    COMPREPLY=()",
    '    case "$opt" in',
    ...cases,
    "    esac",
    `    COMPREPLY=($(compgen -W ${bashQuote(allOptionNames(options).join(" "))} -- "$cur"))`,
    "}",
    "complete -F _denact denact",
    "",
  ].join("\n");
}
