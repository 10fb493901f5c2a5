/**
 * The page's URL parameters: the same options and, word for word, the same
 * errors as the command line; bad values are reported and the rest is used.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { defaultOptions, findOption, type Options } from "../cli/options.ts";
import { UsageError } from "../cli/errors.ts";
import { parseCommandLine } from "../cli/parse.ts";
import { parseWebParams, WEB_PARAMS } from "../web/params.ts";

const NAMES = ["bootlog", "cargo", "docker_build", "memdump"];

function web(query: string) {
  return parseWebParams(new URLSearchParams(query), NAMES);
}

/** The CLI's outcome for one `--long=value`: its options, or its error text. */
function cli(long: string, value: string): Options | string {
  try {
    return parseCommandLine([`--${long}=${value}`], NAMES);
  } catch (error) {
    if (error instanceof UsageError) return error.format(false);
    throw error;
  }
}

Deno.test("web params: every accepted parameter stands for an option of the CLI table", () => {
  assert.deepEqual([...WEB_PARAMS.keys()], [
    "module",
    "speed-factor",
    "instant-print-lines",
    "seed",
    "exit-after-time",
    "exit-after-modules",
  ]);
  for (const [param, long] of WEB_PARAMS) {
    assert.ok(findOption(long)?.value, `${param} maps to --${long}, an option taking a value`);
  }
});

Deno.test("web params: valid values give exactly the options the command line gives", () => {
  const { options, errors } = web(
    "module=cargo,memdump&module=bootlog&speed-factor=2.5&instant-print-lines=40&seed=18446744073709551615" +
      "&exit-after-time=1h%2030m&exit-after-modules=3",
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(
    options,
    parseCommandLine([
      "-m",
      "cargo,memdump",
      "--modules",
      "bootlog",
      "-s",
      "2.5",
      "-i",
      "40",
      "--seed",
      "18446744073709551615",
      "--exit-after-time",
      "1h 30m",
      "--exit-after-modules",
      "3",
    ], NAMES),
  );
  assert.equal(options.exitAfterTime, 5_400_000);
});

Deno.test("web params: no parameters give the CLI defaults", () => {
  assert.deepEqual(web(""), { options: defaultOptions(), errors: [] });
});

Deno.test("web params: bad values are reported as the CLI words them, and the valid rest is used", () => {
  const { options, errors } = web(
    "speed-factor=0&module=carg&seed=7&module=cargo&exit-after-time=10&exit-after-modules=2",
  );
  assert.equal(options.speedFactor, 1);
  assert.equal(options.seed, 7n);
  assert.deepEqual(options.modules, ["cargo"]);
  assert.equal(options.exitAfterTime, undefined);
  assert.equal(options.exitAfterModules, 2);
  assert.deepEqual(errors.map((e) => e.format(false)), [
    cli("speed-factor", "0"),
    cli("modules", "carg"),
    cli("exit-after-time", "10"),
  ]);
  assert.match(errors[0]?.problem ?? "", /^invalid value '0' for '--speed-factor <SPEED_FACTOR>'/);
  assert.deepEqual(errors[1]?.tips, [
    "a similar module exists: 'cargo'",
    "see every module with 'denact --list-modules'",
  ]);
});

Deno.test("web params: each bad name in a comma list is reported; good ones keep their order", () => {
  const { options, errors } = web("module=memdump,nope,,cargo&module=bootlg");
  assert.deepEqual(options.modules, ["memdump", "cargo"]);
  assert.deepEqual(errors.map((e) => e.problem), [
    "invalid value 'nope' for '--modules <MODULES>': no such module",
    "invalid value '' for '--modules <MODULES>': module name is empty",
    "invalid value 'bootlg' for '--modules <MODULES>': no such module",
  ]);
});

Deno.test("web params: a value given twice keeps the first and reports the CLI's error", () => {
  const { options, errors } = web("seed=1&seed=2&speed-factor=3&speed-factor=4");
  assert.equal(options.seed, 1n);
  assert.equal(options.speedFactor, 3);
  let expected = "";
  try {
    parseCommandLine(["--seed", "1", "--seed", "2"], NAMES);
  } catch (error) {
    expected = (error as UsageError).format(false);
  }
  assert.equal(errors[0]?.format(false), expected);
  assert.equal(errors.length, 2);
});

Deno.test("web params: unknown parameters are reported, with the closest real one as a tip", () => {
  const { options, errors } = web("speed_factor=3&fbclid=abc&modules=cargo");
  assert.deepEqual(options, defaultOptions());
  assert.deepEqual(errors.map((e) => [e.problem, e.tips]), [
    ["unexpected argument 'speed_factor' found", ["a similar argument exists: 'speed-factor'"]],
    ["unexpected argument 'fbclid' found", []],
    ["unexpected argument 'modules' found", ["a similar argument exists: 'module'"]],
  ]);
});

Deno.test("web params: any single value gives the CLI's options or the CLI's first error", () => {
  const value = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("1", "0", "-1", "1e3", "0.01", "inf", "NaN", "2h", "90", "cargo", "cargo,x"),
  );
  fc.assert(
    fc.property(fc.constantFrom(...WEB_PARAMS.entries()), value, ([param, long], raw) => {
      const expected = cli(long, raw);
      const { options, errors } = parseWebParams(new URLSearchParams([[param, raw]]), NAMES);
      if (typeof expected === "string") {
        assert.equal(errors[0]?.format(false), expected);
      } else {
        assert.deepEqual(errors, []);
        assert.deepEqual(options, expected);
      }
    }),
    { numRuns: 500 },
  );
});
