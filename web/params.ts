/**
 * The web page's URL parameters, mapped onto the command line's option table:
 * `?module=cargo&speed-factor=3` means `-m cargo -s 3`. Every value goes
 * through the same parser as on the command line, and every problem becomes the
 * same {@linkcode UsageError} the CLI prints. Unlike the CLI, a problem does not
 * stop the run: it is reported and the valid rest is used.
 *
 * @module
 */

import { closest } from "../cli/suggest.ts";
import { defaultOptions, displayName, findOption, type Options } from "../cli/options.ts";
import { echoed } from "../core/visible.ts";
import { checkModules, invalidValue, UsageError } from "../cli/errors.ts";

/** Each URL parameter the page accepts, and the long name of the CLI option it stands for. */
export const WEB_PARAMS: ReadonlyMap<string, string> = new Map([
  ["module", "modules"],
  ["speed-factor", "speed-factor"],
  ["instant-print-lines", "instant-print-lines"],
  ["seed", "seed"],
  ["exit-after-time", "exit-after-time"],
  ["exit-after-modules", "exit-after-modules"],
]);

/**
 * Most problems reported one by one; the rest are counted in one last error,
 * so no address can fill the terminal (or the tab's memory) with messages.
 */
export const MAX_REPORTED_ERRORS = 8;

/** What {@linkcode parseWebParams} found: the usable options and every problem, in URL order. */
export interface WebParams {
  /** The options, from the valid parameters (defaults elsewhere). */
  options: Options;
  /** One error per bad parameter or module name, worded as the CLI words it. */
  errors: UsageError[];
}

/**
 * Reads URL parameters into CLI {@linkcode Options}. `moduleNames` are the
 * registered modules. Bad values and unknown names are collected as errors;
 * a parameter given twice keeps its first value, as the page cannot refuse.
 */
export function parseWebParams(
  params: URLSearchParams,
  moduleNames: readonly string[],
): WebParams {
  const options = defaultOptions();
  const errors: UsageError[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of params) {
    const long = WEB_PARAMS.get(key);
    const spec = long === undefined ? undefined : findOption(long);
    if (spec === undefined) {
      const guess = closest(key, [...WEB_PARAMS.keys()]);
      errors.push(
        new UsageError(
          `unexpected argument '${echoed(key)}' found`,
          guess ? [`a similar argument exists: '${guess}'`] : [],
        ),
      );
      continue;
    }
    if (spec.multiple) {
      const given = defaultOptions();
      spec.apply(given, raw);
      for (const name of given.modules) {
        try {
          checkModules([name], moduleNames);
          options.modules.push(name);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          errors.push(error);
        }
      }
      continue;
    }
    if (seen.has(spec.long)) {
      errors.push(
        new UsageError(`the argument '${displayName(spec)}' cannot be used multiple times`),
      );
      continue;
    }
    seen.add(spec.long);
    try {
      spec.apply(options, raw);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      errors.push(new UsageError(invalidValue(spec, raw, error.message)));
    }
  }
  if (errors.length > MAX_REPORTED_ERRORS) {
    const more = errors.length - (MAX_REPORTED_ERRORS - 1);
    errors.splice(
      MAX_REPORTED_ERRORS - 1,
      Infinity,
      new UsageError(`${more} more problems in the page's address are not shown`),
    );
  }
  return { options, errors };
}
