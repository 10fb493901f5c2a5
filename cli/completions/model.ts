/**
 * What every completion script is generated from: the option table reduced to
 * names, help and what to offer for each value. The per-shell writers only
 * decide how to say it.
 *
 * @module
 */

import type { OptionSpec } from "../options.ts";

/** What to offer after an option that takes a value. */
export type ValueOffer =
  /** A fixed list of words; `commaList` allows `a,b,c` (completes after the last comma). */
  | { readonly kind: "words"; readonly words: readonly string[]; readonly commaList: boolean }
  /** A free value (a number, a duration): offer nothing. */
  | { readonly kind: "free" }
  /** A path: the shell's own file completion. */
  | { readonly kind: "files" };

/** One option as completions see it. */
export interface CompletionOption {
  /** Long name without dashes. */
  readonly long: string;
  /** Short name without the dash, if any. */
  readonly short?: string;
  /** One-line help, used as the description. */
  readonly help: string;
  /** Value name (`SPEED_FACTOR`); absent for flags. */
  readonly valueName?: string;
  /** What to offer for the value; absent for flags. */
  readonly offer?: ValueOffer;
  /** May be given more than once. */
  readonly multiple: boolean;
}

/**
 * The value offer for an option: `complete: "modules"` offers the module names
 * (comma lists allowed), a word list offers those words, `"none"` offers
 * nothing, and a value option without `complete` (such as a `FILE`) offers paths.
 */
function valueOffer(
  spec: OptionSpec,
  moduleNames: readonly string[],
): ValueOffer | undefined {
  if (!spec.value) return undefined;
  const complete = spec.complete;
  if (complete === "modules") return { kind: "words", words: moduleNames, commaList: true };
  if (complete === "none") return { kind: "free" };
  if (complete === undefined) return { kind: "files" };
  return { kind: "words", words: complete, commaList: false };
}

/** The option table as completions see it. */
export function completionOptions(
  table: readonly OptionSpec[],
  moduleNames: readonly string[],
): CompletionOption[] {
  return table.map((spec) => {
    const offer = valueOffer(spec, moduleNames);
    return {
      long: spec.long,
      ...(spec.short ? { short: spec.short } : {}),
      help: spec.help,
      ...(spec.value ? { valueName: spec.value } : {}),
      ...(offer ? { offer } : {}),
      multiple: spec.multiple === true,
    };
  });
}

/** Every spelling of an option: `-s`, `--speed-factor`. */
export function optionNames(option: CompletionOption): string[] {
  return [...(option.short ? [`-${option.short}`] : []), `--${option.long}`];
}

/** Every option spelling in the table, shorts first within each option. */
export function allOptionNames(options: readonly CompletionOption[]): string[] {
  return options.flatMap(optionNames);
}
