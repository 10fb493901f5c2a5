/**
 * The man page (roff, man(7) macros), generated from the option table and the
 * registry, so it lists exactly the options the parser accepts and the modules
 * that exist. `mandoc -T lint` finds nothing to complain about.
 *
 * @module
 */

import type { Module } from "../core/types.ts";
import { ABOUT, wrapWords } from "./help.ts";
import { OPTION_TABLE, type OptionSpec } from "./options.ts";

/**
 * Escapes text for roff: backslashes, dashes (so options print as real minus
 * signs, searchable and copyable), and abbreviations such as "e.g." that roff
 * would otherwise take for the end of a sentence.
 */
export function roffEscape(text: string): string {
  return text.replaceAll("\\", "\\e").replaceAll("-", "\\-").replace(
    /\b(e\.g|i\.e|etc|vs)\./g,
    "$1.\\&",
  );
}

/** Text lines of at most `width` bytes, none starting with a control character. */
export function roffLines(text: string, width = 80): string[] {
  return wrapWords(text, width).map((line) => /^[.']/.test(line) ? `\\&${line}` : line);
}

/** Escaped prose, one sentence per line (roff then spaces sentences itself), wrapped. */
function prose(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=[A-Z])/).flatMap((sentence) =>
    roffLines(roffEscape(sentence))
  );
}

/** `\fB\-s\fR, \fB\-\-speed\-factor\fR \fISPEED_FACTOR\fR`: the tag of an option entry. */
function optionTag(spec: OptionSpec): string {
  const names = [
    ...(spec.short ? [`\\fB${roffEscape(`-${spec.short}`)}\\fR`] : []),
    `\\fB${roffEscape(`--${spec.long}`)}\\fR`,
  ].join(", ");
  return spec.value ? `${names} \\fI${roffEscape(spec.value)}\\fR` : names;
}

/** The body of an option entry: help, details, possible values, default. */
function optionBody(spec: OptionSpec): string[] {
  const lines = prose(/[.!?]$/.test(spec.help) ? spec.help : `${spec.help}.`);
  if (spec.details) lines.push(...prose(spec.details));
  if (Array.isArray(spec.complete)) {
    const values = spec.complete.map((v) => `\\fB${roffEscape(v)}\\fR`).join(", ");
    lines.push(...roffLines(`Possible values: ${values}.`));
  }
  if (spec.multiple) lines.push("May be given more than once.");
  if (spec.defaultText !== undefined) {
    lines.push(...roffLines(`Default: \\fB${roffEscape(spec.defaultText)}\\fR.`));
  }
  return lines;
}

/** The OPTIONS section entries for `table`: a tagged paragraph per option. */
function optionsSection(table: readonly OptionSpec[]): string[] {
  return table.flatMap((spec) => [".TP", optionTag(spec), ...optionBody(spec)]);
}

function modulesSection(modules: readonly Module[]): string[] {
  if (modules.length === 0) return ["No modules are registered in this build."];
  return [
    ...prose("Each module pretends to run a real tool; --list-modules prints the same list."),
    ...modules.flatMap((m) => [
      ".TP",
      `\\fB${roffEscape(m.name)}\\fR`,
      ...roffLines(`\\fI${roffEscape(m.signature)}\\fR`),
      ".br",
      ...prose(m.about),
    ]),
  ];
}

/** An entry of EXAMPLES: what it does, then the command, indented. */
function example(explanation: string, command: string): string[] {
  return [
    ".PP",
    ...prose(explanation),
    ".PP",
    ".RS 4",
    ".nf",
    `\\fB${roffEscape(command)}\\fR`,
    ".fi",
    ".RE",
  ];
}

/** A tagged paragraph with a bold tag. */
function entry(tag: string, text: string): string[] {
  return [".TP", `.B ${tag}`, ...prose(text)];
}

const EXAMPLES: readonly [string, string][] = [
  ["Run every module in turn, until Ctrl-C:", "denact"],
  ["Train a large language model, pretend-style:", "denact -m llm_training"],
  ["Two modules at double speed:", "denact -m cargo,docker_build -s 2"],
  [
    "Thirty seconds of plain lines, the same on every run, for a CI log:",
    "denact --exit-after-time 30s --seed 42 | cat",
  ],
  [
    "Install the bash completion for the current user:",
    "denact --print-completions bash > ~/.local/share/bash-completion/completions/denact",
  ],
];

/** Today's date as the man page header shows it (YYYY-MM-DD, UTC). */
export function manDate(date: Date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

/** Options for {@linkcode manPage}. */
export interface ManPageOptions {
  /** The options to document; defaults to the program's option table. */
  readonly table?: readonly OptionSpec[];
  /** The header date (YYYY-MM-DD); defaults to today. */
  readonly date?: string;
}

/** The man page source for `version`, listing `modules` and every option of the table. */
export function manPage(
  version: string,
  modules: readonly Module[],
  options: ManPageOptions = {},
): string {
  const table = options.table ?? OPTION_TABLE;
  const synopsis = table.map((spec) => {
    const name = roffEscape(spec.short ? `-${spec.short}` : `--${spec.long}`);
    return `[\\fB${name}\\fR${spec.value ? ` \\fI${roffEscape(spec.value)}\\fR` : ""}]`;
  });
  const [firstExample = [], ...moreExamples] = EXAMPLES.map(([text, command]) =>
    example(text, command)
  );
  return [
    `.TH DENACT 1 ${options.date ?? manDate()} "denact ${roffEscape(version)}" "User Commands"`,
    ".nh",
    ".SH NAME",
    `denact \\- ${roffEscape(ABOUT.toLowerCase())}`,
    ".SH SYNOPSIS",
    ".B denact",
    ...roffLines(synopsis.join(" ")),
    ".SH DESCRIPTION",
    ...prose(
      "denact pretends to compile code, build containers, provision clouds and train large " +
        "language models, while nothing happens at all. It picks modules at random among " +
        "those selected (never the same one twice in a row when there is a choice), runs " +
        "each to the end, and goes on until it is stopped.",
    ),
    ".PP",
    ...prose(
      "In a terminal, progress displays are redrawn in place. When standard output is not a " +
        "terminal (a pipe, a file, a CI log), it prints plain lines only: no cursor movement, " +
        "no carriage returns, and progress appears as ordinary lines at most every five " +
        "pretend seconds.",
    ),
    ".PP",
    ...prose(
      'On any exit it clears its live display, restores the cursor and prints "Saving work ' +
        'to disk...".',
    ),
    ".SH OPTIONS",
    ...optionsSection(table),
    ".SH MODULES",
    ...modulesSection(modules),
    ".SH EXIT STATUS",
    ...entry(
      "0",
      "A limit was reached (--exit-after-time, --exit-after-modules), or an informational " +
        "option (--help, --version, --list-modules, ...) finished.",
    ),
    ...entry("1", "An internal error."),
    ...entry("2", "A bad command line: an unknown option, a bad value, an unknown module."),
    ...entry("129, 130, 143", "Ended by SIGHUP, SIGINT (Ctrl-C) or SIGTERM."),
    ".SH ENVIRONMENT",
    ...entry("NO_COLOR", "When set to a non-empty value, --color auto does not colour."),
    ...entry(
      "FORCE_COLOR",
      "When set (and not 0 or false), --color auto colours even when not writing to a " +
        "terminal. Read only where environment access is granted.",
    ),
    ...entry(
      "COLUMNS",
      "The width to fit when standard output is not a terminal (default 80). Read only where " +
        "environment access is granted.",
    ),
    ".SH EXAMPLES",
    ...firstExample.slice(1),
    ...moreExamples.flat(),
    ".SH SEE ALSO",
    "\\fBgenact\\fR(1), \\fBdeno\\fR(1)",
    "",
  ].join("\n");
}
