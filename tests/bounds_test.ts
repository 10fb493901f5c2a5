/**
 * Values bounded to what still means something (issue 11, F5 and F10): the
 * speed factor and instant lines have upper limits with clear errors, and
 * terminal sizes (from the terminal or `COLUMNS`) are bounded to what
 * terminals have.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { UsageError } from "../cli/errors.ts";
import { MAX_INSTANT_LINES, MAX_SPEED_FACTOR } from "../cli/options.ts";
import { parseCommandLine } from "../cli/parse.ts";
import {
  boundedSize,
  fallbackColumns,
  MAX_TERMINAL_COLS,
  MAX_TERMINAL_ROWS,
} from "../core/term_size.ts";
import { PROGRAM, ROOT } from "./program.ts";

function problem(args: string[]): string {
  try {
    parseCommandLine(args, ["cargo"]);
  } catch (error) {
    if (error instanceof UsageError) return error.problem;
    throw error;
  }
  return "";
}

Deno.test("the speed factor goes up to 100000 and no further, with a clear error", () => {
  assert.equal(parseCommandLine(["-s", "100000"], []).speedFactor, MAX_SPEED_FACTOR);
  assert.equal(parseCommandLine(["-s", "1e5"], []).speedFactor, MAX_SPEED_FACTOR);
  for (const raw of ["100000.5", "1e6", "1e15", "1e308", "1.7e308"]) {
    assert.equal(
      problem(["-s", raw]),
      `invalid value '${raw}' for '--speed-factor <SPEED_FACTOR>': must be at most 100000 (everything is instant by then)`,
    );
  }
});

Deno.test("instant lines go up to 10000 and no further, with a clear error", () => {
  assert.equal(parseCommandLine(["-i", "10000"], []).instantPrintLines, MAX_INSTANT_LINES);
  for (const raw of ["10001", "200000", "4294967295"]) {
    assert.equal(
      problem(["-i", raw]),
      `invalid value '${raw}' for '--instant-print-lines <N>': must be at most 10000`,
    );
  }
});

Deno.test("terminal sizes are whole and between 1x1 and 1000x500", () => {
  fc.assert(
    fc.property(fc.double(), fc.double(), (cols, rows) => {
      const size = boundedSize(cols, rows);
      assert.ok(Number.isInteger(size.cols) && size.cols >= 1 && size.cols <= MAX_TERMINAL_COLS);
      assert.ok(Number.isInteger(size.rows) && size.rows >= 1 && size.rows <= MAX_TERMINAL_ROWS);
      if (Number.isInteger(cols) && cols >= 1 && cols <= MAX_TERMINAL_COLS) {
        assert.equal(size.cols, cols);
      }
    }),
  );
  assert.deepEqual(boundedSize(100_000, 40), { cols: 1000, rows: 40 });
});

Deno.test("COLUMNS counts when it is a positive whole number, bounded to 1000", () => {
  assert.equal(fallbackColumns(undefined), 80);
  assert.equal(fallbackColumns("132"), 132);
  assert.equal(fallbackColumns(" 40 "), 40);
  for (const huge of ["1000", "1001", "10000000", "1000000000", "1000000000000"]) {
    assert.equal(fallbackColumns(huge), 1000, huge);
  }
  for (const junk of ["", "0", "-5", "1e9", "abc", "12.5", "Infinity"]) {
    assert.equal(fallbackColumns(junk), 80, junk);
  }
});

async function spawn(
  denoFlags: string[],
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...denoFlags, PROGRAM, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("a huge speed factor is refused up front: exit 2, not an internal error or NaN dates", async () => {
  const r = await spawn([], [
    "-s",
    "1e15",
    "-m",
    "cargo",
    "--seed",
    "1",
    "--exit-after-modules",
    "1",
  ]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^error: invalid value '1e15' for '--speed-factor <SPEED_FACTOR>'/);
  assert.ok(!r.stderr.includes("internal error"));
});

Deno.test("a huge COLUMNS in a pipe draws 1000 columns wide, not a gigabyte", async () => {
  const r = await spawn(
    ["--allow-env=COLUMNS"],
    ["-m", "download", "--seed", "1", "--exit-after-time", "1500ms", "-s", "50"],
    { COLUMNS: "1000000000" },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.ok(r.stdout.endsWith("Saving work to disk...\n"));
  assert.ok(r.stdout.length < 2_000_000, `${r.stdout.length} bytes`);
});
