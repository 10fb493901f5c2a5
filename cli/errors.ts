/**
 * Usage errors in clap's words, and the value checks shared by the command line
 * and the web page's URL parameters. Free of Deno and Node APIs so the browser
 * bundle can use it as it is.
 *
 * @module
 */

import { echoed, visible } from "../core/visible.ts";
import { displayName, OPTION_TABLE, type OptionSpec } from "./options.ts";
import { closest } from "./suggest.ts";

/**
 * A bad command line: printed to stderr, exit code 2. The problem and the tips
 * quote what the user typed, so both have their control characters made
 * {@linkcode visible} here, whoever built the message: nothing typed is ever
 * interpreted by the terminal (or the web page) that shows it.
 */
export class UsageError extends Error {
  /** The one-line problem, without the `error: ` prefix. */
  readonly problem: string;
  /** Hints shown below it (`tip: …`). */
  readonly tips: readonly string[];
  /** Whether to show the usage line. */
  readonly showUsage: boolean;

  /** Creates a usage error. */
  constructor(problem: string, tips: readonly string[] = [], showUsage = false) {
    const shown = visible(problem);
    super(shown);
    this.name = "UsageError";
    this.problem = shown;
    this.tips = tips.map(visible);
    this.showUsage = showUsage;
  }

  /** The full text as printed (with colour codes when `color` is set). */
  format(color: boolean): string {
    const red = color ? (s: string) => `\x1b[1;31m${s}\x1b[0m` : (s: string) => s;
    const yellow = color ? (s: string) => `\x1b[33m${s}\x1b[0m` : (s: string) => s;
    const bold = color ? (s: string) => `\x1b[1m${s}\x1b[0m` : (s: string) => s;
    let text = `${red("error:")} ${this.problem}\n`;
    if (this.tips.length > 0) {
      text += "\n" + this.tips.map((tip) => `  ${yellow("tip:")} ${tip}\n`).join("");
    }
    if (this.showUsage) text += `\n${bold("Usage:")} denact [OPTIONS]\n`;
    text += `\nFor more information, try '${bold("--help")}'.\n`;
    return text;
  }
}

/** The problem text for a bad value, as clap words it (the value {@linkcode echoed}). */
export function invalidValue(spec: OptionSpec, raw: string, reason: string): string {
  return `invalid value '${echoed(raw)}' for '${displayName(spec)}': ${reason}`;
}

/** Checks module names against the registry, with a "did you mean" tip. */
export function checkModules(names: readonly string[], known: readonly string[]): void {
  const spec = OPTION_TABLE.find((s) => s.long === "modules") as OptionSpec;
  for (const name of names) {
    if (known.includes(name)) continue;
    const guess = name === "" ? undefined : closest(name, known);
    const tips = [
      ...(guess ? [`a similar module exists: '${guess}'`] : []),
      "see every module with 'denact --list-modules'",
    ];
    const problem = name === ""
      ? `invalid value '' for '${displayName(spec)}': module name is empty`
      : invalidValue(spec, name, "no such module");
    throw new UsageError(problem, tips);
  }
}
