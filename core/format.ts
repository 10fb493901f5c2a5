/**
 * Number, size and time formatting shared by modules. Each real tool has its
 * own conventions, so these are building blocks, not one house style.
 *
 * @module
 */

/** Zero-pads an integer to `width` digits. */
export function pad(n: number, width = 2): string {
  return String(Math.trunc(n)).padStart(width, "0");
}

/** Options for {@linkcode formatBytes}. */
export interface BytesOptions {
  /** 1024 (default) or 1000. */
  base?: 1024 | 1000;
  /** Unit names from bytes upwards (default binary: `B KiB MiB GiB TiB PiB`). */
  units?: readonly string[];
  /** Digits after the point (default 1; bytes are always whole). */
  decimals?: number;
  /** Text between number and unit (default none). */
  space?: string;
}

const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** Formats a byte count: `formatBytes(4404019)` is `4.2MiB`. */
export function formatBytes(bytes: number, options: BytesOptions = {}): string {
  const base = options.base ?? 1024;
  const units = options.units ?? BINARY_UNITS;
  const decimals = options.decimals ?? 1;
  const space = options.space ?? "";
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  if (unit > 0 && Number(value.toFixed(decimals)) >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  const text = unit === 0 ? String(Math.round(value)) : value.toFixed(decimals);
  return `${text}${space}${units[unit]}`;
}

/** Cargo/uv style elapsed time: `0.85s`, `12.34s`, `1m 05s`. */
export function formatSeconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(2)}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${pad(Math.floor(s % 60))}s`;
}

/** `HH:MM:SS` of a wall-clock date (read through its UTC fields). */
export function hms(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** `YYYY-MM-DD` of a wall-clock date (read through its UTC fields). */
export function ymd(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Formats a UTC offset in minutes as `+0100` / `-0530`. */
export function utcOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** Three-letter English month names. */
export const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

/** Three-letter English weekday names, Sunday first. */
export const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/** Clamps `value` into [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
