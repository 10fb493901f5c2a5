/**
 * Random option sets, run for real (issue 11): whatever the mix of valid and
 * invalid options, the program never reports an internal error or a stack
 * trace, exits with a code it documents, and a run ends by its
 * `--exit-after-time`. A bounded number of short runs, a few at a time, so it
 * stays fast on a shared machine.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_INSTANT_LINES, MAX_SPEED_FACTOR } from "../cli/options.ts";
import { MODULE_NAMES } from "../modules/registry.ts";
import { PROGRAM, ROOT } from "./program.ts";

/** Runs in flight at once. */
const PARALLEL = 4;
/** Option sets tried. */
const CASES = 24;
/**
 * Fastest speed drawn: the whole accepted range (issue 11 F1, the rotation
 * starving the event loop far behind the pretend clock, is fixed on the run
 * path, so limits and signals hold at any speed).
 */
const MAX_DRAWN_SPEED = MAX_SPEED_FACTOR;
/** What a run may take beyond its limit: Deno's start, module loading, the exit message. */
const SLACK_MS = 4_000;

/** One option and its value(s), as argv words; valid and invalid forms alike. */
const option = fc.oneof(
  fc.subarray([...MODULE_NAMES], { minLength: 1, maxLength: 3 }).map((m) => ["-m", m.join(",")]),
  fc.constantFrom(["-m", "nonexistent"], ["-m", ""], ["-m", "cargo,,"]),
  fc.double({ min: 0.01, max: MAX_DRAWN_SPEED, noNaN: true }).map((s) => ["-s", String(s)]),
  fc.constantFrom(["-s", "0"], ["-s", "1e400"], ["-s", "-1"], ["-s", "1e15"], ["-s", "x"]),
  fc.integer({ min: 0, max: MAX_INSTANT_LINES }).map((n) => ["-i", String(n)]),
  fc.constantFrom(["-i", "-3"], ["-i", "4294967296"], ["-i", "1.5"]),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => ["--seed", String(n)]),
  fc.constantFrom(["--seed", "-1"], ["--seed", "18446744073709551616"]),
  fc.integer({ min: 1, max: 3 }).map((n) => ["--exit-after-modules", String(n)]),
  fc.constantFrom(["--color", "always"], ["--color", "never"], ["--color", "sometimes"]),
  fc.constantFrom(["--panes", "4"], ["--panes", "2x2"], ["--panes", "17"]),
  fc.constantFrom(["--inhibit"], ["--force"], ["--fast-forward"], ["--record-size", "90x20"]),
  fc.constantFrom(["--bogus"], ["positional"], ["--exit-after-time"], ["-"]),
  fc.string({ maxLength: 6 }).map((s) => ["-m", s]),
);

/** An option set: a few options and always a short time limit, in random order. */
const optionSet = fc.record({
  options: fc.array(option, { maxLength: 4 }),
  limitMs: fc.integer({ min: 200, max: 900 }),
  limitFirst: fc.boolean(),
});

interface Outcome {
  args: string[];
  limitMs: number;
  code: number;
  stderr: string;
  elapsedMs: number;
}

async function runOnce(args: string[], limitMs: number): Promise<Outcome> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", PROGRAM, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    signal: AbortSignal.timeout(limitMs + 20_000),
  }).output();
  return {
    args,
    limitMs,
    code: out.code,
    stderr: new TextDecoder().decode(out.stderr),
    elapsedMs: performance.now() - started,
  };
}

Deno.test("random option sets never give an internal error and never outlive their time limit", async () => {
  const sets = fc.sample(optionSet, { numRuns: CASES });
  const outcomes: Outcome[] = [];
  for (let i = 0; i < sets.length; i += PARALLEL) {
    outcomes.push(
      ...await Promise.all(
        sets.slice(i, i + PARALLEL).map(({ options, limitMs, limitFirst }) => {
          const limit = ["--exit-after-time", `${limitMs}ms`];
          const args = limitFirst ? [...limit, ...options.flat()] : [...options.flat(), ...limit];
          return runOnce(args, limitMs);
        }),
      ),
    );
  }
  for (const r of outcomes) {
    const label = `denact ${r.args.map((a) => JSON.stringify(a)).join(" ")}`;
    assert.ok(!r.stderr.includes("internal error"), `${label}\n${r.stderr}`);
    assert.ok(!/^\s+at /m.test(r.stderr), `stack trace: ${label}\n${r.stderr}`);
    // 0: a run ended by a limit; 1: a recording could not be written; 2: a usage error.
    assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}: ${label}\n${r.stderr}`);
    if (r.code === 2) assert.match(r.stderr, /^error: /, label);
    assert.ok(
      r.elapsedMs < r.limitMs + SLACK_MS,
      `${label} took ${Math.round(r.elapsedMs)} ms for a ${r.limitMs} ms limit`,
    );
  }
  // The sample is not all usage errors: some runs really ran to their limit.
  assert.ok(outcomes.some((r) => r.code === 0), "no option set ran");
});
