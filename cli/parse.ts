/**
 * Turns `Deno.args` into {@linkcode Options}, or a {@linkcode UsageError} with a
 * clap-style message. Tokenising is done by {@linkcode tokenize}; every check
 * and every message comes from the option table.
 *
 * @module
 */

import { echoed } from "../core/visible.ts";
import { checkModules, invalidValue, UsageError } from "./errors.ts";
import { defaultOptions, displayName, OPTION_TABLE, type Options } from "./options.ts";
import { closest } from "./suggest.ts";
import { tokenize } from "./tokenize.ts";

/**
 * Parses the command line. `moduleNames` are the valid `--modules` values.
 * Throws {@linkcode UsageError} on any bad input.
 */
export function parseCommandLine(args: readonly string[], moduleNames: readonly string[]): Options {
  const tokens = tokenize(
    args,
    OPTION_TABLE.map((spec) => ({
      long: spec.long,
      ...(spec.short ? { short: spec.short } : {}),
      takesValue: spec.value !== undefined,
    })),
  );
  const options = defaultOptions();
  const seen = new Set<string>();
  const known = OPTION_TABLE.map((s) => `--${s.long}`);
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      throw new UsageError(`unexpected argument '${echoed(token.value)}' found`, [], true);
    }
    const spec = OPTION_TABLE.find((s) => s.long === token.name);
    if (!spec) {
      const guess = token.rawName.startsWith("--") ? closest(token.rawName, known) : undefined;
      throw new UsageError(
        `unexpected argument '${echoed(token.rawName)}' found`,
        guess ? [`a similar argument exists: '${guess}'`] : [],
        true,
      );
    }
    if (!spec.value) {
      if (token.value !== undefined) {
        throw new UsageError(
          `unexpected value '${echoed(token.value)}' for '${
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
