/**
 * The zsh completion script (`_arguments` based). Save it as `_denact` in a
 * folder on `$fpath`, or `source <(denact --print-completions zsh)` after
 * `compinit`.
 *
 * @module
 */

import type { CompletionOption } from "./model.ts";

/** Quotes `text` as one zsh word (single quotes). */
function zshQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Escapes the characters `_arguments` treats specially inside a spec. */
function specEscape(text: string): string {
  return text.replace(/[\\:\[\]]/g, (c) => `\\${c}`);
}

function action(option: CompletionOption): string {
  const offer = option.offer;
  if (!offer) return "";
  const message = specEscape(option.valueName ?? "VALUE");
  switch (offer.kind) {
    case "free":
      return `:${message}: `;
    case "files":
      return `:${message}:_files`;
    case "words":
      if (offer.commaList) return `:${message}:_denact_${option.long.replaceAll("-", "_")}`;
      return `:${message}:(${offer.words.map(specEscape).join(" ")})`;
  }
}

/** One `_arguments` spec line per spelling group of an option. */
function spec(option: CompletionOption): string {
  const names = [
    ...(option.short ? [`-${option.short}${option.offer ? "+" : ""}`] : []),
    `--${option.long}${option.offer ? "=" : ""}`,
  ];
  const exclusion = option.multiple
    ? "*"
    : `(${names.map((n) => n.replace(/[+=]$/, "")).join(" ")})`;
  const body = `[${specEscape(option.help)}]${action(option)}`;
  return names.length === 1
    ? zshQuote(`${exclusion}${names[0]}${body}`)
    : `${zshQuote(exclusion)}{${names.join(",")}}${zshQuote(body)}`;
}

/** The comma-list helpers (`-m cargo,do<TAB>`) for options that take word lists. */
function listHelpers(options: readonly CompletionOption[]): string[] {
  return options.flatMap((option) => {
    const offer = option.offer;
    if (offer?.kind !== "words" || !offer.commaList) return [];
    return [
      `_denact_${option.long.replaceAll("-", "_")}() {`,
      `    local -a words=(${offer.words.map(zshQuote).join(" ")})`,
      "    _sequence -s , compadd -a words",
      "}",
      "",
    ];
  });
}

/** The zsh completion script for `options`. */
export function zshScript(options: readonly CompletionOption[]): string {
  return [
    "#compdef denact",
    "# zsh completion for denact. Save as _denact in a folder on $fpath, or",
    "#   source <(denact --print-completions zsh)   (after compinit)",
    "",
    ...listHelpers(options),
    "_denact() {",
    "    _arguments -s -S \\",
    ...options.map((option) => `        ${spec(option)} \\`),
    "        && return 0",
    "}",
    "",
    'if [ "$funcstack[1]" = "_denact" ]; then',
    '    _denact "$@"',
    "else",
    "    compdef _denact denact",
    "fi",
    "",
  ].join("\n");
}
