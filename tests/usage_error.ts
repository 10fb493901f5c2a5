/** The usage error a command line gives, for the parser tests. */

import assert from "node:assert/strict";
import { UsageError } from "../cli/errors.ts";
import { parseCommandLine } from "../cli/parse.ts";

/** The module names the parser tests offer. */
export const NAMES = ["bootlog", "cargo", "download", "llm_training"];

/** The {@linkcode UsageError} `args` give; fails the test if they parse. */
export function usageError(args: string[]): UsageError {
  try {
    parseCommandLine(args, NAMES);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  assert.fail(`no error for ${JSON.stringify(args)}`);
}
