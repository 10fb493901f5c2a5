import assert from "node:assert/strict";
import fc from "fast-check";
import { parseDuration } from "../cli/duration.ts";
import { OPTION_TABLE } from "../cli/options.ts";
import { parseCommandLine } from "../cli/parse.ts";
import { closest } from "../cli/suggest.ts";
import { NAMES, usageError } from "./usage_error.ts";

Deno.test("parseDuration reads humantime-style durations", () => {
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("2h10min"), 7_800_000);
  assert.equal(parseDuration("1h 5m"), 3_900_000);
  assert.equal(parseDuration("1.5h"), 5_400_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("1d 2h 3m 4s"), 93_784_000);
});

Deno.test("parseDuration rejects malformed durations with a reason", () => {
  for (const bad of ["", "abc", "10", "10 parsecs", "s10", "-5s", "1h-5m", "0s"]) {
    assert.throws(() => parseDuration(bad), RangeError, bad);
  }
  assert.throws(() => parseDuration("10"), /time unit needed/);
  assert.throws(() => parseDuration("10 parsecs"), /unknown time unit 'parsecs'/);
});

Deno.test("parseDuration sums its parts for any combination of units", () => {
  const units = [["h", 3_600_000], ["min", 60_000], ["s", 1000], ["ms", 1]] as const;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom(...units)), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.boolean(),
      (parts, spaced) => {
        const text = parts.map(([n, [u]]) => `${n}${u}`).join(spaced ? " " : "");
        const expected = parts.reduce((sum, [n, [, ms]]) => sum + n * ms, 0);
        assert.equal(parseDuration(text), expected);
      },
    ),
  );
});

Deno.test("parseCommandLine gives genact's defaults for no arguments", () => {
  const o = parseCommandLine([], NAMES);
  assert.equal(o.speedFactor, 1);
  assert.equal(o.instantPrintLines, 0);
  assert.deepEqual(o.modules, []);
  assert.equal(o.color, "auto");
  assert.equal(o.exitAfterTime, undefined);
});

Deno.test("parseCommandLine accepts repeated and comma-separated modules, short and inline forms", () => {
  const o = parseCommandLine([
    "-m",
    "cargo,bootlog",
    "--modules=download",
    "-mcargo",
    "-s2.5",
    "--seed",
    "18446744073709551615",
    "-i",
    "10",
    "--exit-after-time",
    "1h 5m",
    "--exit-after-modules=3",
    "--color=never",
  ], NAMES);
  assert.deepEqual(o.modules, ["cargo", "bootlog", "download", "cargo"]);
  assert.equal(o.speedFactor, 2.5);
  assert.equal(o.seed, 18446744073709551615n);
  assert.equal(o.instantPrintLines, 10);
  assert.equal(o.exitAfterTime, 3_900_000);
  assert.equal(o.exitAfterModules, 3);
  assert.equal(o.color, "never");
  assert.ok(parseCommandLine(["-lV"], NAMES).listModules);
});

Deno.test("every bad value names the flag and the value", () => {
  const cases: [string[], string, string][] = [
    [["-s", "abc"], "--speed-factor <SPEED_FACTOR>", "abc"],
    [["-s", "NaN"], "--speed-factor <SPEED_FACTOR>", "NaN"],
    [["-s", "inf"], "--speed-factor <SPEED_FACTOR>", "inf"],
    [["-s", "-1"], "--speed-factor <SPEED_FACTOR>", "-1"],
    [["-s", "0"], "--speed-factor <SPEED_FACTOR>", "0"],
    [["-s", "0.001"], "--speed-factor <SPEED_FACTOR>", "0.001"],
    [["-i", "-3"], "--instant-print-lines <N>", "-3"],
    [["-i", "2.5"], "--instant-print-lines <N>", "2.5"],
    [["--exit-after-modules", "0"], "--exit-after-modules <N>", "0"],
    [["--exit-after-modules", "x"], "--exit-after-modules <N>", "x"],
    [["--exit-after-time", "soon"], "--exit-after-time <DURATION>", "soon"],
    [["--seed", "-1"], "--seed <SEED>", "-1"],
    [["--seed", "18446744073709551616"], "--seed <SEED>", "18446744073709551616"],
    [["--color", "sometimes"], "--color <WHEN>", "sometimes"],
    [["--print-completions", "tcsh"], "--print-completions <SHELL>", "tcsh"],
    [["-m", "carg"], "--modules <MODULES>", "carg"],
  ];
  for (const [args, flag, value] of cases) {
    const error = usageError(args);
    assert.ok(error.problem.includes(`'${flag}'`), `${args.join(" ")}: ${error.problem}`);
    assert.ok(error.problem.includes(`'${value}'`), `${args.join(" ")}: ${error.problem}`);
    assert.ok(!error.problem.includes("\n"));
  }
});

Deno.test("an unknown module gets the closest name and the --list-modules hint", () => {
  const error = usageError(["-m", "carg"]);
  assert.ok(error.tips.some((t) => t.includes("'cargo'")));
  assert.ok(error.tips.some((t) => t.includes("--list-modules")));
  assert.ok(!usageError(["-m", "zzzzzzzz"]).tips.some((t) => t.includes("similar")));
});

Deno.test("unknown flags, missing values, positionals and repeated single options are errors", () => {
  assert.match(usageError(["--speed"]).problem, /unexpected argument '--speed'/);
  assert.ok(usageError(["--speed"]).tips.some((t) => t.includes("--speed-factor")));
  assert.match(usageError(["-x"]).problem, /unexpected argument '-x'/);
  assert.match(
    usageError(["-s"]).problem,
    /a value is required for '--speed-factor <SPEED_FACTOR>'/,
  );
  assert.match(
    usageError(["--seed", "--color", "never"]).problem,
    /a value is required for '--seed <SEED>'/,
  );
  assert.match(usageError(["cargo"]).problem, /unexpected argument 'cargo'/);
  assert.match(usageError(["--inhibit=yes"]).problem, /unexpected value 'yes' for '--inhibit'/);
  assert.match(usageError(["--seed", "1", "--seed", "2"]).problem, /cannot be used multiple times/);
});

Deno.test("UsageError.format prints error, tips and the --help pointer, coloured only when asked", () => {
  const error = usageError(["-m", "carg"]);
  const plain = error.format(false);
  assert.ok(plain.startsWith("error: invalid value 'carg'"));
  assert.ok(plain.includes("For more information, try '--help'."));
  assert.ok(!plain.includes("\x1b"));
  assert.ok(error.format(true).includes("\x1b[1;31merror:"));
});

Deno.test("closest suggests plausible typos only", () => {
  assert.equal(closest("dowload", NAMES), "download");
  assert.equal(closest("llm", NAMES), "llm_training");
  assert.equal(closest("xyz", NAMES), undefined);
});

Deno.test("the option table has unique long and short names", () => {
  const longs = OPTION_TABLE.map((o) => o.long);
  const shorts = OPTION_TABLE.flatMap((o) => (o.short ? [o.short] : []));
  assert.equal(new Set(longs).size, longs.length);
  assert.equal(new Set(shorts).size, shorts.length);
});
