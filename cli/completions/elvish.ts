/**
 * The elvish completion script: an argument completer for `denact`. Add
 * `eval (denact --print-completions elvish | slurp)` to `~/.config/elvish/rc.elv`.
 *
 * @module
 */

import { allOptionNames, type CompletionOption, optionNames } from "./model.ts";

/** Quotes `text` as one elvish string (single quotes; `'` doubled). */
export function elvishQuote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function list(words: readonly string[]): string {
  return `[${words.map(elvishQuote).join(" ")}]`;
}

/** The branch that completes the value of `option`, if it takes one. */
function valueBranch(option: CompletionOption): string[] {
  const offer = option.offer;
  if (!offer) return [];
  const test = `has-value ${list(optionNames(option))} $opt`;
  switch (offer.kind) {
    case "free":
    case "files":
      // Nothing to offer: a number, a duration, or a path (elvish's own
      // filename completion needs the interactive editor).
      return [`  } elif (${test}) {`, "    nop"];
    case "words":
      return [
        `  } elif (${test}) {`,
        ...(offer.commaList
          ? [
            "    if (str:contains $cur ',') {",
            "      var i = (+ (str:last-index $cur ',') 1)",
            "      set head = $head$cur[..$i]",
            "    }",
          ]
          : []),
        `    for word ${list(offer.words)} { put $head$word }`,
      ];
  }
}

/** The elvish completion script for `options`. */
export function elvishScript(options: readonly CompletionOption[]): string {
  return [
    "# elvish completion for denact. Add to ~/.config/elvish/rc.elv:",
    "#   eval (denact --print-completions elvish | slurp)",
    "use str",
    "set edit:completion:arg-completer[denact] = {|@words|",
    "  var cur = $words[-1]",
    "  var opt = ''",
    "  if (> (count $words) 2) { set opt = $words[-2] }",
    "  var head = ''",
    "  if (and (str:has-prefix $cur '--') (str:contains $cur '=')) {",
    "    var i = (str:index $cur '=')",
    "    set opt = $cur[..$i]",
    "    set head = $cur[..(+ $i 1)]",
    "    set cur = $cur[(+ $i 1)..]",
    "  }",
    "  if $false {",
    "    nop",
    ...options.flatMap(valueBranch),
    "  } else {",
    `    for name ${list(allOptionNames(options))} { put $name }`,
    "  }",
    "}",
    "",
  ].join("\n");
}
