/**
 * Turns `Deno.args` into {@linkcode Options}, or a {@linkcode UsageError} with a
 * clap-style message. Tokenising is done by `node:util` parseArgs; every check
 * and every message comes from the option table.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  defaultOptions,
  displayName,
  OPTION_TABLE,
  type Options,
  type OptionSpec,
} from "./options.ts";
import { closest } from "./suggest.ts";

/** A bad command line: printed to stderr, exit code 2. */
export class UsageError extends Error {
  /** The one-line problem, without the `error: ` prefix. */
  readonly problem: string;
  /** Hints shown below it (`tip: …`). */
  readonly tips: readonly string[];
  /** Whether to show the usage line. */
  readonly showUsage: boolean;

  /** Creates a usage error. */
  constructor(problem: string, tips: readonly string[] = [], showUsage = false) {
    super(problem);
    this.name = "UsageError";
    this.problem = problem;
    this.tips = tips;
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

/** The problem text for a bad value, as clap words it. */
export function invalidValue(spec: OptionSpec, raw: string, reason: string): string {
  return `invalid value '${raw}' for '${displayName(spec)}': ${reason}`;
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
      : `invalid value '${name}' for '${displayName(spec)}': no such module`;
    throw new UsageError(problem, tips);
  }
}

/**
 * Parses the command line. `moduleNames` are the valid `--modules` values.
 * Throws {@linkcode UsageError} on any bad input.
 */
export function parseCommandLine(args: readonly string[], moduleNames: readonly string[]): Options {
  const parseOptions: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {};
  for (const spec of OPTION_TABLE) {
    parseOptions[spec.long] = {
      type: spec.value ? "string" : "boolean",
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  const { tokens } = parseArgs({
    args: args.slice(),
    options: parseOptions,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const options = defaultOptions();
  const seen = new Set<string>();
  const known = OPTION_TABLE.map((s) => `--${s.long}`);
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      throw new UsageError(`unexpected argument '${token.value}' found`, [], true);
    }
    const spec = OPTION_TABLE.find((s) => s.long === token.name);
    if (!spec) {
      const guess = token.rawName.startsWith("--") ? closest(token.rawName, known) : undefined;
      throw new UsageError(
        `unexpected argument '${token.rawName}' found`,
        guess ? [`a similar argument exists: '${guess}'`] : [],
        true,
      );
    }
    if (!spec.value) {
      if (token.value !== undefined) {
        throw new UsageError(
          `unexpected value '${token.value}' for '${
            displayName(spec)
          }' found; no more were expected`,
        );
      }
      spec.apply(options, undefined);
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && /^--[a-zA-Z]/.test(value))) {
      throw new UsageError(`a value is required for '${displayName(spec)}' but none was supplied`);
    }
    if (!spec.multiple && seen.has(spec.long)) {
      throw new UsageError(`the argument '${displayName(spec)}' cannot be used multiple times`);
    }
    seen.add(spec.long);
    try {
      spec.apply(options, value);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new UsageError(invalidValue(spec, value, error.message));
    }
  }
  checkModules(options.modules, moduleNames);
  return options;
}
