/**
 * The fish completion script. Save it as
 * `~/.config/fish/completions/denact.fish`, or
 * `denact --print-completions fish | source`.
 *
 * @module
 */

import type { CompletionOption } from "./model.ts";

/** Quotes `text` as one fish word (single quotes; `\` and `'` escaped). */
export function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function functionName(option: CompletionOption): string {
  return `__denact_${option.long.replaceAll("-", "_")}`;
}

/** A function printing the words with what comes before the last comma of the token. */
function listFunction(option: CompletionOption, words: readonly string[]): string[] {
  return [
    `function ${functionName(option)}`,
    "    set -l token (string replace -r -- '^-[^=]*=' '' (commandline -ct))",
    "    set -l head (string match -r -- '^.*,' $token)",
    `    for word in ${words.map(fishQuote).join(" ")}`,
    `        printf '%s%s\\n' "$head" $word`,
    "    end",
    "end",
    "",
  ];
}

function completeLine(option: CompletionOption): string {
  const parts = ["complete -c denact"];
  if (option.short) parts.push(`-s ${option.short}`);
  parts.push(`-l ${option.long}`);
  const offer = option.offer;
  if (offer?.kind === "files") parts.push("-r -F");
  if (offer?.kind === "free") parts.push("-x");
  if (offer?.kind === "words") {
    parts.push("-x");
    parts.push(
      offer.commaList ? `-a '(${functionName(option)})'` : `-a ${fishQuote(offer.words.join(" "))}`,
    );
  }
  parts.push(`-d ${fishQuote(option.help)}`);
  return parts.join(" ");
}

/** The fish completion script for `options`. */
export function fishScript(options: readonly CompletionOption[]): string {
  const helpers = options.flatMap((option) =>
    option.offer?.kind === "words" && option.offer.commaList
      ? listFunction(option, option.offer.words)
      : []
  );
  return [
    "# fish completion for denact. Save as ~/.config/fish/completions/denact.fish, or",
    "#   denact --print-completions fish | source",
    "",
    ...helpers,
    "complete -c denact -f",
    ...options.map(completeLine),
    "",
  ].join("\n");
}
