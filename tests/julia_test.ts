/**
 * Format tests for `julia`: banner, Pkg action headers right-aligned in 12
 * columns, `Installed` names padded with `─` to one column, diff lines that
 * agree with what was installed, and a precompile summary that counts the
 * packages precompiled and the seconds they took.
 */

import assert from "node:assert/strict";
import { julia } from "../modules/julia.ts";
import { captureModule } from "./harness.ts";

Deno.test("julia pkg> add: installs, diffs and the precompile summary agree", async () => {
  for (let seed = 1; seed <= 30; seed++) {
    const lines = (await captureModule(julia, { seed })).output.replace(/\n$/, "").split("\n");
    assert.ok(lines[5]!.includes("Version 1.12.4 (2026-01-06)"));
    const cmd = lines.find((l) => l.startsWith("(@v1.12) pkg> add "))!;
    const targets = cmd.slice("(@v1.12) pkg> add ".length).split(" ");
    assert.equal(lines.at(-1), "(@v1.12) pkg> ", "the run ends back at the prompt");
    for (const l of lines) {
      const verb = l.match(/^ *(Updating|Resolving|Installed|Downloaded|Precompiling) /)?.[1];
      if (verb && !l.startsWith("Precompiling")) assert.equal(l.indexOf(verb) + verb.length, 12, l);
    }
    const installed = lines.filter((l) => l.startsWith("   Installed "));
    const versionCol = new Set(installed.map((l) => l.indexOf(" v", 13)));
    assert.equal(versionCol.size, 1, "versions aligned after the ─ padding");
    const names = installed.map((l) =>
      l.match(/^ {3}Installed (\S+) ─+ v(\S+)$/)!.slice(1, 3).join(" ")
    );
    const project = lines.indexOf("    Updating `~/.julia/environments/v1.12/Project.toml`");
    const manifest = lines.indexOf("    Updating `~/.julia/environments/v1.12/Manifest.toml`");
    assert.ok(project > 0 && manifest > project);
    const diff = (from: number, to: number) =>
      lines.slice(from + 1, to).map((l) => l.match(/^ {2}\[([0-9a-f]{8})\] \+ (\S+) v(\S+)$/)!);
    const direct = diff(project, manifest);
    assert.deepEqual(direct.map((m) => m[2]).sort(), [...targets].sort());
    const pre = lines.findIndex((l) => l === "Precompiling packages...");
    const all = diff(manifest, pre);
    const allNames = all.map((m) => m[2]!);
    assert.deepEqual(
      allNames,
      [...allNames].sort((a, b) => a.localeCompare(b, "en")),
      "manifest sorted",
    );
    const nonStd = all.filter((m) => names.includes(`${m[2]} ${m[3]}`));
    assert.equal(nonStd.length, installed.length, "every installed package is in the manifest");
    for (const t of targets) assert.ok(names.some((n) => n.startsWith(`${t} `)));
    const artifacts = lines.filter((l) => l.startsWith("  Downloaded artifact: ")).map((l) =>
      l.slice(23)
    );
    assert.deepEqual(
      artifacts.sort(),
      installed.flatMap((l) => l.match(/Installed (\S+)_jll /)?.[1] ?? []).sort(),
      "one artifact per installed JLL",
    );
    const timings = lines.slice(pre + 1, -2).filter((l) => l.includes("✓"));
    for (const t of timings) assert.match(t, /^ *\d+\.\d ms {2}✓ \S+( → \S+)?$/);
    const summary = lines.at(-3)!.match(
      /^ {2}(\d+) dependencies successfully precompiled in (\d+) seconds(?:\. (\d+) already precompiled\.)?$/,
    );
    assert.ok(summary, lines.at(-3));
    assert.equal(Number(summary[1]), timings.length, "summary counts the packages precompiled");
    const longest = Math.max(...timings.map((t) => parseFloat(t)));
    assert.ok(
      Number(summary[2]) >= Math.floor(longest / 1000),
      "elapsed covers the longest package",
    );
  }
});

Deno.test("julia in a terminal shows the live precompile bar and a finished line", async () => {
  const run = await captureModule(julia, { seed: 2, tty: true, color: false, cols: 80 });
  assert.ok(run.output.includes("Precompiling packages finished."));
  assert.ok(run.output.includes("Precompiling packages  ━"));
  assert.ok(/\n {2}\d+ dependencies successfully precompiled in \d+ seconds/.test(run.output));
});

Deno.test("julia snapshot", async (t) => {
  await t.assertSnapshot((await captureModule(julia, { seed: 1, cols: 80 })).output);
});
