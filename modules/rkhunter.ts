/**
 * `rkhunter`: `rkhunter --check` as Rootkit Hunter 1.4.6 prints it. Sections,
 * groups and checks are indented 0/2/4, results sit in a column that starts at
 * column 62 (rkhunter pads to a fixed width, whatever the terminal), the four
 * `[Press <ENTER> to continue]` pauses are "answered" after a moment (the
 * Enter echoes a newline, so two blank lines follow each), and the summary
 * counts the files shown. `Rootkits checked` counts rkhunter's individual
 * rootkit tests (its database, less what this system skips), not the lines
 * shown. The system (Debian or Ubuntu release) decides which commands are
 * scripts that warn, and the extra binaries listed after the alphabetical ones.
 *
 * @module
 */

import data from "../data/rkhunter.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** rkhunter pads every result line so that `[` lands here (0-based). */
export const RESULT_COLUMN = 61;

/** The colour rkhunter gives a result word. */
function paint(style: Style, result: string): string {
  if (result === "Warning") return style.combine(style.bold, style.red)(result);
  if (result === "Skipped" || result === "Not set") {
    return style.combine(style.bold, style.yellow)(result);
  }
  return style.combine(style.bold, style.green)(result);
}

/** A check line: indented text padded to the result column, then `[ result ]`. */
export function checkLine(style: Style, text: string, result: string): string {
  const spaces = Math.max(1, RESULT_COLUMN - text.length);
  return `${text}${" ".repeat(spaces)}[ ${paint(style, result)} ]`;
}

/** rkhunter's elapsed-time wording: `1 minute and 12 seconds`, `45 seconds`. */
export function elapsedText(seconds: number): string {
  const s = seconds % 60;
  const m = Math.floor(seconds / 60);
  const secs = `${s} second${s === 1 ? "" : "s"}`;
  if (m === 0) return secs;
  return `${m} minute${m === 1 ? "" : "s"} and ${secs}`;
}

type Check = readonly string[];
interface Group {
  group: string;
  checks: readonly Check[];
}

/** Counts gathered while checking. */
interface Tally {
  files: number;
  suspect: number;
  rootkits: number;
  possible: number;
  warnings: number;
}

/** Resolves `"A|B"` result alternatives: the second (a warning) is rare. */
function result(rng: Rng, spec: string): string {
  const [usual, rare] = spec.split("|");
  return rare !== undefined && rng.chance(0.12) ? rare : (usual as string);
}

export const rkhunter: Module = {
  name: "rkhunter",
  signature: "sudo rkhunter --check",
  about: "Rootkit Hunter 1.4.6 system check with its sections, result column and summary",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { out, rng, style } = ctx;
    const start = ctx.clock.now();
    const pace = rng.float(0.6, 1.3);
    const wait = (median: number) =>
      ctx.sleep(pace * Math.min(median * 3, Math.max(median / 3, rng.logNormal(median, 0.5))));
    const tally: Tally = { files: 0, suspect: 0, rootkits: 0, possible: 0, warnings: 0 };

    const show = async (text: string, res: string, median: number) => {
      await wait(data.slowChecks.some((s) => text.endsWith(s)) ? median * 25 : median);
      out.line(checkLine(style, text, res));
      if (res === "Warning") tally.warnings++;
    };
    const groups = async (
      list: readonly Group[],
      median: number,
      onCheck?: (r: string) => void,
    ) => {
      for (const g of list) {
        out.line();
        out.line(`  ${g.group}`);
        for (const [text, spec] of g.checks) {
          const res = result(rng, spec as string);
          await show(`    ${text}`, res, median);
          onCheck?.(res);
        }
      }
    };
    const section = async (title: string) => {
      out.line();
      out.line(title);
      await wait(300);
    };
    const pause = async () => {
      out.line();
      out.line("[Press <ENTER> to continue]");
      await ctx.sleep(rng.float(900, 3500));
      out.line(); // the Enter, echoed
    };
    const system = rng.pick(data.systems);

    out.line(`[ Rootkit Hunter version 1.4.6 ]`);
    await wait(800);
    await section("Checking system commands...");
    await groups(data.commandChecks, 150);
    out.line();
    out.line("  Performing file properties checks");
    await show("    Checking for prerequisites", "OK", 150);
    const drop = rng.float(0, 0.2);
    const files = [
      ...data.sbin.map((f) => `/usr/sbin/${f}`),
      ...data.bin.map((f) => `/usr/bin/${f}`),
    ].filter(() => !rng.chance(drop));
    files.push(...system.extras, ...data.lib);
    // Commands that are scripts on this release warn together; a changed binary now and then.
    const scripts = rng.chance(0.8) ? system.scripts : [];
    const warned = new Set([
      ...scripts,
      ...rng.sample(data.warningFiles, rng.weighted([0, 1, 2], [6, 3, 1])),
    ]);
    for (const file of files) {
      const res = warned.has(file.slice(file.lastIndexOf("/") + 1)) ? "Warning" : "OK";
      await show(`    ${file}`, res, rng.chance(0.08) ? 900 : 160);
      tally.files++;
      if (res === "Warning") tally.suspect++;
    }
    await pause();

    await section("Checking for rootkits...");
    out.line();
    out.line("  Performing check of known rootkit files and directories");
    for (const name of data.rootkits) {
      await show(`    ${name}`, "Not found", 45);
    }
    await pause();
    await groups(data.rootkitGroups, 120, (res) => {
      if (res === "Warning") tally.possible++;
    });
    tally.rootkits = rng.int(system.rootkitsChecked[0]!, system.rootkitsChecked[1]!);
    await pause();

    await section("Checking the network...");
    await groups(data.network, 200);
    await section("Checking the local host...");
    await groups(data.localHost, 150);
    await pause();

    const took = Math.floor((ctx.clock.now() - start) / 1000);
    const summary = [
      "",
      "",
      "System checks summary",
      "=====================",
      "",
      "File properties checks...",
      `    Files checked: ${tally.files}`,
      `    Suspect files: ${tally.suspect}`,
      "",
      "Rootkit checks...",
      `    Rootkits checked : ${tally.rootkits}`,
      `    Possible rootkits: ${tally.possible}`,
      "",
      "Applications checks...",
      "    All checks skipped",
      "",
      `The system checks took: ${elapsedText(took)}`,
      "",
      "All results have been written to the log file: /var/log/rkhunter.log",
    ];
    summary.push(
      "",
      ...(tally.warnings > 0
        ? [
          "One or more warnings have been found while checking the system.",
          "Please check the log file (/var/log/rkhunter.log)",
        ]
        : ["No warnings were found while checking the system."]),
    );
    for (const line of summary) out.line(line);
  },
};
