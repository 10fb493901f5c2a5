/**
 * Format tests for `rkhunter`: result columns at rkhunter's fixed position,
 * result words and colours, sections in order, and a summary whose counts and
 * elapsed time equal what was shown.
 */

import assert from "node:assert/strict";
import { elapsedText, RESULT_COLUMN, rkhunter } from "../modules/rkhunter.ts";
import { captureModule } from "./harness.ts";

const RESULTS = new Set([
  "OK",
  "Not found",
  "None found",
  "Found",
  "Warning",
  "Not allowed",
  "Not set",
]);

function section(lines: string[], from: string, to: string): string[] {
  return lines.slice(lines.indexOf(from) + 1, lines.indexOf(to));
}

Deno.test("rkhunter result lines are aligned and the summary counts what was shown", async () => {
  for (let seed = 1; seed <= 30; seed++) {
    const run = await captureModule(rkhunter, { seed });
    const lines = run.output.trimEnd().split("\n");
    assert.equal(lines[0], "[ Rootkit Hunter version 1.4.6 ]");
    const titles = lines.filter((l) => /^Checking .*\.\.\.$/.test(l));
    assert.deepEqual(titles, [
      "Checking system commands...",
      "Checking for rootkits...",
      "Checking the network...",
      "Checking the local host...",
    ]);
    for (const line of lines) {
      const m = line.match(/^( {4}\S.*?) +\[ (.+) \]$/);
      if (!m) continue;
      assert.ok(RESULTS.has(m[2]!), `unknown result ${m[2]}`);
      assert.equal(line.indexOf("[ "), Math.max(m[1]!.length + 1, RESULT_COLUMN), line);
    }
    const files = section(
      lines,
      "  Performing file properties checks",
      "[Press <ENTER> to continue]",
    )
      .filter((l) => l.startsWith("    /"));
    const rootkitLines = section(lines, "Checking for rootkits...", "Checking the network...")
      .filter((l) => l.startsWith("    "));
    const value = (label: string) => Number(lines.find((l) => l.startsWith(label))!.split(":")[1]);
    assert.equal(value("    Files checked"), files.length);
    assert.equal(value("    Suspect files"), files.filter((l) => l.endsWith("[ Warning ]")).length);
    assert.equal(value("    Rootkits checked "), rootkitLines.length);
    assert.equal(
      value("    Possible rootkits"),
      rootkitLines.filter((l) => l.endsWith("[ Warning ]")).length,
    );
    assert.ok(files.length >= 90 && rootkitLines.length >= 80);
    const warnings = lines.some((l) => l.endsWith("[ Warning ]"));
    assert.equal(
      lines.includes("One or more warnings have been found while checking the system."),
      warnings,
    );
    const took = lines.find((l) => l.startsWith("The system checks took: "))!.slice(24);
    assert.equal(
      took,
      elapsedText(Math.floor(run.pretendMs / 1000)),
      "elapsed time matches the run",
    );
    assert.equal(lines.filter((l) => l === "[Press <ENTER> to continue]").length, 3);
  }
});

Deno.test("rkhunter elapsed wording", () => {
  assert.equal(elapsedText(45), "45 seconds");
  assert.equal(elapsedText(61), "1 minute and 1 second");
  assert.equal(elapsedText(132), "2 minutes and 12 seconds");
});

Deno.test("rkhunter colours results only: green OK, red Warning", async () => {
  const out = (await captureModule(rkhunter, { seed: 3, color: true })).output;
  assert.ok(out.includes("[ \x1b[1m\x1b[32mOK\x1b[39m\x1b[22m ]"));
  assert.ok(out.includes("[ \x1b[1m\x1b[32mNot found\x1b[39m\x1b[22m ]"));
  assert.ok(out.includes("[ \x1b[1m\x1b[31mWarning\x1b[39m\x1b[22m ]"));
  assert.ok(out.includes("\nChecking system commands...\n"), "headers are plain");
});

Deno.test("rkhunter snapshot", async (t) => {
  await t.assertSnapshot((await captureModule(rkhunter, { seed: 1, cols: 80 })).output);
});
