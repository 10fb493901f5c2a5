/**
 * The option table: every command-line option, described once. The parser,
 * `--help`, the shell completions, the man page and the web page's URL
 * parameters are all derived from it, so they cannot disagree.
 *
 * @module
 */

import { parseDuration } from "./duration.ts";
import { type PaneLayout, parsePaneLayout } from "../core/panes/layout.ts";
import { parseRecordSize } from "../core/record.ts";

/** The shells `--print-completions` supports. */
export const SHELLS = ["bash", "elvish", "fish", "powershell", "zsh"] as const;
/** A supported shell. */
export type Shell = typeof SHELLS[number];

/** The values `--color` accepts. */
export const COLOR_MODES = ["auto", "always", "never"] as const;
/** When to colour output. */
export type ColorMode = typeof COLOR_MODES[number];

/** Everything the command line can say. */
export interface Options {
  listModules: boolean;
  modules: string[];
  speedFactor: number;
  instantPrintLines: number;
  exitAfterTime: number | undefined;
  exitAfterModules: number | undefined;
  seed: bigint | undefined;
  color: ColorMode;
  inhibit: boolean;
  panes: PaneLayout | undefined;
  record: string | undefined;
  force: boolean;
  fastForward: boolean;
  recordSize: { cols: number; rows: number } | undefined;
  printCompletions: Shell | undefined;
  printManpage: boolean;
  help: boolean;
  version: boolean;
}

/** Whether the command line uses panes or recording (such runs load every module up front). */
export function usesPanesOrRecording(options: Options): boolean {
  return options.panes !== undefined || options.record !== undefined || options.fastForward ||
    options.force || options.recordSize !== undefined;
}

/** The defaults of {@linkcode Options}. */
export function defaultOptions(): Options {
  return {
    listModules: false,
    modules: [],
    speedFactor: 1,
    instantPrintLines: 0,
    exitAfterTime: undefined,
    exitAfterModules: undefined,
    seed: undefined,
    color: "auto",
    inhibit: false,
    panes: undefined,
    record: undefined,
    force: false,
    fastForward: false,
    recordSize: undefined,
    printCompletions: undefined,
    printManpage: false,
    help: false,
    version: false,
  };
}

/** What to offer when completing an option's value. */
export type Completion = "modules" | "none" | readonly string[];

/** One option. */
export interface OptionSpec {
  /** Long name without dashes. */
  readonly long: string;
  /** Short name without the dash. */
  readonly short?: string;
  /** Value name as shown in help (`SPEED_FACTOR`); absent for flags. */
  readonly value?: string;
  /** May be given more than once (values accumulate). */
  readonly multiple?: boolean;
  /** One-line help. */
  readonly help: string;
  /** Longer explanation for the man page and `--help`. */
  readonly details?: string;
  /** Default shown in help. */
  readonly defaultText?: string;
  /** What completions offer for the value. */
  readonly complete?: Completion;
  /** The options this sets. `raw` is undefined for flags. Throws `RangeError` with the reason. */
  apply(options: Options, raw: string | undefined): void;
}

const NUMBER_REGEXP = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a finite float; throws `RangeError` naming what is wrong. */
export function parseFiniteNumber(raw: string): number {
  const text = raw.trim();
  if (/^[+-]?(inf|infinity)$/i.test(text)) throw new RangeError("must be a finite number");
  if (/^[+-]?nan$/i.test(text)) throw new RangeError("must be a number, not NaN");
  if (!NUMBER_REGEXP.test(text)) throw new RangeError("invalid number");
  const value = Number(text);
  if (!Number.isFinite(value)) throw new RangeError("must be a finite number");
  return value;
}

/** Parses a whole number in [min, max]; throws `RangeError` naming what is wrong. */
export function parseInteger(raw: string, min: number, max: number): number {
  const text = raw.trim();
  if (/^-\d+$/.test(text)) throw new RangeError(`must be at least ${min}`);
  if (!/^\+?\d+$/.test(text)) throw new RangeError("must be a whole number");
  const value = Number(text);
  if (value < min) throw new RangeError(`must be at least ${min}`);
  if (value > max) throw new RangeError(`must be at most ${max}`);
  return value;
}

/**
 * The fastest speed factor. At 100000 a five-minute build takes 3 ms and a
 * day of pretend time passes in under a second: nothing faster can be seen.
 * It also keeps the pretend clock a valid date (JavaScript dates end 8.64e15
 * ms after 1970, which -s 1e15 reached at once and 1e12 in hours) for years
 * of running, and every timer delay a finite number (issue 11, F5).
 */
export const MAX_SPEED_FACTOR = 100_000;

/** The most lines `--instant-print-lines` prints at once: over a hundred screens. */
export const MAX_INSTANT_LINES = 10_000;

/** Parses the speed factor: finite, from 0.01 to {@linkcode MAX_SPEED_FACTOR}. */
export function parseSpeedFactor(raw: string): number {
  const value = parseFiniteNumber(raw);
  if (value < 0.01) throw new RangeError("must be at least 0.01");
  if (value > MAX_SPEED_FACTOR) {
    throw new RangeError(`must be at most ${MAX_SPEED_FACTOR} (everything is instant by then)`);
  }
  return value;
}

/** Parses a seed: a whole number from 0 to 2^64-1. */
export function parseSeed(raw: string): bigint {
  const text = raw.trim();
  if (!/^\+?\d+$/.test(text)) {
    throw new RangeError("must be a whole number from 0 to 18446744073709551615");
  }
  const value = BigInt(text);
  if (value > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError("must be a whole number from 0 to 18446744073709551615");
  }
  return value;
}

function oneOf<T extends string>(allowed: readonly T[], raw: string): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new RangeError(`possible values: ${allowed.join(", ")}`);
}

/** Every option, in the order `--help` lists them. */
export const OPTION_TABLE: readonly OptionSpec[] = [
  {
    long: "list-modules",
    short: "l",
    help: "List available modules",
    details: "Prints every module with the command it pretends to run and a short description.",
    apply: (o) => void (o.listModules = true),
  },
  {
    long: "modules",
    short: "m",
    value: "MODULES",
    multiple: true,
    help: "Run only these modules (repeat the flag or separate with commas)",
    details:
      "Selects the modules to rotate through. Repeat the flag (-m cargo -m bootlog) or give a comma-separated list (-m cargo,bootlog). A module named twice runs twice as often. By default all modules run.",
    complete: "modules",
    apply: (o, raw) => {
      for (const name of (raw ?? "").split(",")) o.modules.push(name.trim());
    },
  },
  {
    long: "speed-factor",
    short: "s",
    value: "SPEED_FACTOR",
    help: "Global speed factor",
    details:
      "Multiplies the speed of everything: 2 runs twice as fast, 0.5 half as fast. From 0.01 to 100000. Figures that modules print (elapsed times, rates) stay consistent with the pretend time.",
    defaultText: "1",
    complete: "none",
    apply: (o, raw) => void (o.speedFactor = parseSpeedFactor(raw ?? "")),
  },
  {
    long: "instant-print-lines",
    short: "i",
    value: "N",
    help: "Print the first N lines instantly, so it looks busy from the start",
    details:
      "The first N lines of output (at most 10000) appear at once, without waiting; then the normal pace resumes.",
    defaultText: "0",
    complete: "none",
    apply: (o, raw) => void (o.instantPrintLines = parseInteger(raw ?? "", 0, MAX_INSTANT_LINES)),
  },
  {
    long: "exit-after-time",
    value: "DURATION",
    help: "Exit after running for this long (e.g. 90s, 5min, 2h10min, '1h 30m')",
    details:
      "Counted from program start. Accepts durations such as 90s, 5min, 2h10min or '1h 30m' (units ns, us, ms, s, min, h, d, w, M, y).",
    complete: "none",
    apply: (o, raw) => {
      o.exitAfterTime = parseDuration(raw ?? "");
    },
  },
  {
    long: "exit-after-modules",
    value: "N",
    help: "Exit after running this many modules",
    complete: "none",
    apply: (o, raw) => void (o.exitAfterModules = parseInteger(raw ?? "", 1, 4_294_967_295)),
  },
  {
    long: "seed",
    value: "SEED",
    help: "Seed the random source, for a reproducible run",
    details:
      "A whole number from 0 to 18446744073709551615. The same seed gives the same sequence of modules and output.",
    complete: "none",
    apply: (o, raw) => void (o.seed = parseSeed(raw ?? "")),
  },
  {
    long: "color",
    value: "WHEN",
    help: "When to use colours",
    details:
      "auto colours only when writing to a terminal and NO_COLOR is not set (FORCE_COLOR forces it where environment access is granted); always and never override both.",
    defaultText: "auto",
    complete: COLOR_MODES,
    apply: (o, raw) => void (o.color = oneOf(COLOR_MODES, raw ?? "")),
  },
  {
    long: "inhibit",
    help: "Keep the computer awake while running (no screensaver, no sleep)",
    details:
      "Runs systemd-inhibit on Linux, caffeinate on macOS or PowerShell on Windows for as long as denact runs. Under deno run this needs --allow-run for that program.",
    apply: (o) => void (o.inhibit = true),
  },
  {
    long: "panes",
    value: "LAYOUT",
    help: "Split the terminal into panes, each running its own modules (e.g. 4, 2x2, 3x2)",
    details:
      "A pane count from 1 to 16, or a grid COLSxROWS of at most 16 panes. Each pane is its own terminal with a title bar showing the command it pretends to run, and rotates through the selected modules with its own random stream (derived from --seed when given). Runs full-screen and needs a terminal; --exit-after-modules counts modules across all panes.",
    complete: "none",
    apply: (o, raw) => void (o.panes = parsePaneLayout(raw ?? "")),
  },
  {
    long: "record",
    value: "FILE",
    help: "Record what is shown to FILE as an asciicast v2 file (asciinema)",
    details:
      "Writes the output with its timing, for asciinema players and GIF converters. Refuses to overwrite an existing file unless --force is given. Under deno run this needs --allow-write for that file. If writing fails during a run, the run goes on and the error is reported at exit.",
    apply: (o, raw) => void (o.record = raw ?? ""),
  },
  {
    long: "force",
    help: "Let --record overwrite an existing file",
    apply: (o) => void (o.force = true),
  },
  {
    long: "fast-forward",
    help: "With --record: render into the file without waiting, then exit",
    details:
      "Runs on a virtual clock: minutes of pretend time are recorded in a moment, with the event times they would have had. Nothing is drawn on the terminal. Needs --record and --exit-after-time or --exit-after-modules; --seed makes the recording repeatable.",
    apply: (o) => void (o.fastForward = true),
  },
  {
    long: "record-size",
    value: "COLSxROWS",
    help: "Screen size of a --fast-forward recording (e.g. 100x30)",
    details:
      "A live recording has the terminal's size; a fast-forward one uses this size, or the terminal's, or 80x24.",
    defaultText: "terminal size",
    complete: "none",
    apply: (o, raw) => void (o.recordSize = parseRecordSize(raw ?? "")),
  },
  {
    long: "print-completions",
    value: "SHELL",
    help: "Print a shell completion script and exit",
    complete: SHELLS,
    apply: (o, raw) => void (o.printCompletions = oneOf(SHELLS, raw ?? "")),
  },
  {
    long: "print-manpage",
    help: "Print the man page (roff) and exit",
    apply: (o) => void (o.printManpage = true),
  },
  {
    long: "help",
    short: "h",
    help: "Print help",
    apply: (o) => void (o.help = true),
  },
  {
    long: "version",
    short: "V",
    help: "Print version",
    apply: (o) => void (o.version = true),
  },
];

/** `--long <VALUE>` as errors and help show an option. */
export function displayName(spec: OptionSpec): string {
  return spec.value ? `--${spec.long} <${spec.value}>` : `--${spec.long}`;
}

/** Finds an option by long name. */
export function findOption(long: string): OptionSpec | undefined {
  return OPTION_TABLE.find((spec) => spec.long === long);
}
