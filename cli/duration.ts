/**
 * Human durations for `--exit-after-time`: `90s`, `2h10min`, `1h 5m`, `1.5h`.
 * Accepts the units humantime (genact's parser) accepts, plus fractions.
 *
 * @module
 */

import { echoed } from "../core/visible.ts";

const UNITS: ReadonlyMap<string, number> = new Map([
  ...["ns", "nsec", "nsecs", "nanosecond", "nanoseconds"].map((u) => [u, 1e-6] as const),
  ...["us", "µs", "usec", "usecs", "microsecond", "microseconds"].map((u) => [u, 1e-3] as const),
  ...["ms", "msec", "msecs", "millisecond", "milliseconds"].map((u) => [u, 1] as const),
  ...["s", "sec", "secs", "second", "seconds"].map((u) => [u, 1000] as const),
  ...["m", "min", "mins", "minute", "minutes"].map((u) => [u, 60_000] as const),
  ...["h", "hr", "hrs", "hour", "hours"].map((u) => [u, 3_600_000] as const),
  ...["d", "day", "days"].map((u) => [u, 86_400_000] as const),
  ...["w", "week", "weeks"].map((u) => [u, 604_800_000] as const),
  ...["M", "month", "months"].map((u) => [u, 2_630_016_000] as const),
  ...["y", "year", "years"].map((u) => [u, 31_557_600_000] as const),
]);

const PART_REGEXP = /^(\d+(?:\.\d+)?)\s*([a-zA-Zµ]+)\s*/;

/** Parses a human duration into milliseconds; throws `RangeError` with a readable reason. */
export function parseDuration(text: string): number {
  let rest = text.trim();
  if (rest.length === 0) {
    throw new RangeError("expected a duration such as '90s', '5min' or '1h 30m'");
  }
  let total = 0;
  while (rest.length > 0) {
    const match = PART_REGEXP.exec(rest);
    if (!match) {
      if (/^\d+(?:\.\d+)?$/.test(rest)) {
        throw new RangeError(
          `time unit needed after '${echoed(rest)}', for example '${
            rest.length <= 20 ? rest : "90"
          }s' or '${rest.length <= 20 ? rest : "5"}min'`,
        );
      }
      throw new RangeError(
        "expected a number followed by a unit, such as '90s', '5min' or '1h 30m'",
      );
    }
    const [whole, number, unit] = match as unknown as [string, string, string];
    const scale = UNITS.get(unit) ?? UNITS.get(unit.toLowerCase());
    if (scale === undefined) {
      throw new RangeError(
        `unknown time unit '${echoed(unit)}', supported are ns, us, ms, s, min, h, d, w, M, y`,
      );
    }
    total += Number(number) * scale;
    rest = rest.slice(whole.length);
  }
  if (!Number.isFinite(total)) throw new RangeError("duration is too long");
  if (total <= 0) throw new RangeError("duration must be longer than zero");
  return total;
}
