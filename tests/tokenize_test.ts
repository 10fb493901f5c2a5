import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { OPTION_TABLE } from "../cli/options.ts";
import { tokenize } from "../cli/tokenize.ts";

const SPECS = OPTION_TABLE.map((spec) => ({
  long: spec.long,
  ...(spec.short ? { short: spec.short } : {}),
  takesValue: spec.value !== undefined,
}));

/** What node:util parseArgs (non-strict, with tokens) makes of the same arguments. */
function reference(args: string[]) {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const s of SPECS) {
    options[s.long] = {
      type: s.takesValue ? "string" : "boolean",
      ...(s.short ? { short: s.short } : {}),
    };
  }
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return tokens.map((t) => {
    if (t.kind === "option") {
      return {
        kind: t.kind,
        name: t.name,
        rawName: t.rawName,
        value: t.value,
        inlineValue: t.inlineValue ?? false,
      };
    }
    return t.kind === "positional" ? { kind: t.kind, value: t.value } : { kind: t.kind };
  });
}

Deno.test("tokenize agrees with node:util parseArgs on any mix of known, unknown and grouped options", () => {
  const pieces = fc.constantFrom(
    "-l",
    "-m",
    "-mcargo",
    "-lV",
    "-s",
    "-s2",
    "-si",
    "-x",
    "--seed",
    "--seed=3",
    "--speed-factor",
    "--color",
    "--bogus",
    "--bogus=1",
    "--inhibit",
    "--inhibit=yes",
    "--",
    "-",
    "cargo",
    "2",
    "-1",
    "--exit-after-time",
    "1h 5m",
    "",
  );
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 8 }), (args) => {
      const ours = tokenize(args, SPECS).map((t) => (t.kind === "option" ? { ...t } : t));
      assert.deepEqual(ours, reference(args), JSON.stringify(args));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("tokenize keeps everything after -- as positionals", () => {
  assert.deepEqual(tokenize(["--", "-l", "--seed"], SPECS), [
    { kind: "option-terminator" },
    { kind: "positional", value: "-l" },
    { kind: "positional", value: "--seed" },
  ]);
});
