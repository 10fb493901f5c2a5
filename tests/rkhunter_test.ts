/**
 * Format tests for `rkhunter`: result columns at rkhunter's fixed position,
 * result words and colours, sections in order, and a summary whose counts and
 * elapsed time equal what was shown.
 */

import assert from "node:assert/strict";
import data from "../data/rkhunter.json" with { type: "json" };
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
    // rkhunter counts its individual rootkit tests: far more than the lines shown, in 1.4.6's range.
    const rootkits = value("    Rootkits checked ");
    assert.ok(rootkits >= rootkitLines.length && rootkits >= 478 && rootkits <= 500, `${rootkits}`);
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
    // A clean run ends with the sentence cron mails are filtered on, after a blank line.
    if (!warnings) {
      assert.deepEqual(lines.slice(-2), ["", "No warnings were found while checking the system."]);
    } else assert.equal(lines.at(-1), "Please check the log file (/var/log/rkhunter.log)");
    const took = lines.find((l) => l.startsWith("The system checks took: "))!.slice(24);
    assert.equal(
      took,
      elapsedText(Math.floor(run.pretendMs / 1000)),
      "elapsed time matches the run",
    );
    // Four pauses: after file properties, the known-rootkit list, the Linux checks and the
    // filesystem checks; each followed by two blank lines (three before the summary).
    const pauses = lines.flatMap((l, i) => (l === "[Press <ENTER> to continue]" ? [i] : []));
    assert.equal(pauses.length, 4, `seed ${seed}`);
    const after = pauses.map((i) => lines.slice(i + 1).findIndex((l) => l !== ""));
    assert.deepEqual(after, [2, 2, 2, 3], `seed ${seed}: blank lines after the pauses`);
    assert.deepEqual(
      pauses.map((i) => lines[i - 2]!.trim().replace(/ +\[.*$/, "")),
      [
        "/usr/lib/systemd/systemd",
        data.rootkits.at(-1),
        data.rootkitGroups.at(-1)!.checks.at(-1)![0],
        data.localHost.at(-1)!.checks.at(-1)![0],
      ],
      `seed ${seed}: what each pause follows`,
    );
    assert.equal(lines[pauses[3]! + 4], "System checks summary");
    // Files: the alphabetical blocks, then the release's extra binaries, then systemd.
    const paths = files.map((l) => l.trim().split(/ +/)[0]!);
    // Commands that are scripts on a release warn together or not at all.
    const warn = new Set(
      files.filter((l) => l.endsWith("[ Warning ]")).map((l) => l.trim().split(/ +/)[0]!),
    );
    const extras = paths.filter((p) => data.systems.some((t) => t.extras.includes(p)));
    const system = data.systems.find((s) => {
      const shown = s.scripts.map((c) => `/usr/bin/${c}`).filter((p) => paths.includes(p));
      const hit = shown.filter((p) => warn.has(p)).length;
      return extras.join() === s.extras.join() && (hit === 0 || hit === shown.length);
    })!;
    assert.ok(system, `seed ${seed}: no release fits ${[...warn]}`);
    const bins = paths.filter((p) => p.startsWith("/usr/bin/") && !system.extras.includes(p));
    const sorted = bins.toSorted((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    assert.deepEqual(bins, sorted, `seed ${seed}: /usr/bin block not alphabetical`);
    assert.deepEqual(paths.slice(-system.extras.length - 1), [
      ...system.extras,
      "/usr/lib/systemd/systemd",
    ]);
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
