/**
 * Format tests for `julia`: banner, Pkg action headers right-aligned in 12
 * columns, `Installed` names padded with `─` to one column, diff lines that
 * agree with what was installed, and a precompile summary that counts the
 * packages precompiled and the seconds they took.
 */

import assert from "node:assert/strict";
import { closure, julia, REGISTRY, STDLIBS } from "../modules/julia.ts";
import type { Pkg } from "../modules/julia.ts";
import data from "../data/julia.json" with { type: "json" };
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
      [...allNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
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

/** Registry dependencies of `name`, however deep. */
function depsOf(name: string, seen = new Set<string>()): Set<string> {
  for (const d of REGISTRY.get(name)?.deps ?? []) {
    if (REGISTRY.has(d) && !seen.has(d)) depsOf(d, seen.add(d));
  }
  return seen;
}

Deno.test("julia: what is precompiled now and what was already agree with the depot", async () => {
  let skipped = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const lines = (await captureModule(julia, { seed })).output.split("\n");
    const targets = lines.find((l) => l.startsWith("(@v1.12) pkg> add "))!.split(" ").slice(3);
    const world: Pkg[] = closure(targets);
    const names = new Set(world.map((p) => p.name));
    const installed = new Set(
      lines.flatMap((l) => l.match(/^ {3}Installed (\S+) ─/)?.[1] ?? []),
    );
    const compiled = new Set(lines.flatMap((l) => l.match(/^ *\d+\.\d ms {2}✓ (.+)$/)?.[1] ?? []));
    // Downloaded now means compiled now.
    for (const n of installed) assert.ok(compiled.has(n), `seed ${seed}: ${n} not precompiled`);
    // A package left out had its cache already: it was in the depot, and so was all it needs.
    const left = world.filter((p) => !p.stdlib && !compiled.has(p.name));
    for (const p of left) {
      assert.ok(!installed.has(p.name), `seed ${seed}: ${p.name}`);
      for (const d of depsOf(p.name)) {
        assert.ok(!installed.has(d), `seed ${seed}: ${p.name} kept its cache though ${d} is new`);
      }
    }
    // Extensions whose triggers are all in the environment (standard libraries too) are built.
    const exts = world.flatMap((p) =>
      Object.entries(p.extensions).filter(([, ts]) => ts.every((t) => names.has(t))).map(([e]) =>
        `${p.name} → ${e}`
      )
    );
    const extLeft = exts.filter((e) => !compiled.has(e));
    for (const e of extLeft) {
      const [parent] = e.split(" → ");
      assert.ok(!compiled.has(parent!), `seed ${seed}: ${e} skipped though its parent was rebuilt`);
    }
    for (const c of compiled) {
      assert.ok(names.has(c) || exts.includes(c), `seed ${seed}: ${c} is not in the environment`);
    }
    // The summary's counts are exactly those, never more than the environment holds.
    const summary = lines.find((l) => / dependencies successfully precompiled in /.test(l))!;
    const m = summary.match(/^ {2}(\d+) .*? in \d+ seconds(?:\. (\d+) already precompiled\.)?$/)!;
    assert.equal(Number(m[1]), compiled.size, `seed ${seed}: ${summary}`);
    assert.equal(Number(m[2] ?? 0), left.length + extLeft.length, `seed ${seed}: ${summary}`);
    skipped += left.length;
  }
  assert.ok(skipped > 0, "no package ever had its cache already");
});

Deno.test("julia: the package table holds real-form, distinct UUIDs and closed dependency sets", () => {
  const uuids = new Set<string>();
  for (const p of [...REGISTRY.values(), ...STDLIBS.values()]) {
    assert.match(p.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, p.name);
    assert.ok(!uuids.has(p.uuid), `${p.name}: UUID used twice`);
    uuids.add(p.uuid);
  }
  // Every dependency is in the table, or a standard library deliberately not printed.
  for (const p of REGISTRY.values()) {
    for (const d of p.deps) {
      assert.ok(
        REGISTRY.has(d) || STDLIBS.has(d) || data.unprintedStdlibs.includes(d),
        `${p.name} needs ${d}`,
      );
    }
  }
  for (const t of data.targets.flat()) assert.ok(REGISTRY.has(t), t);
});

Deno.test("julia: one world per add: closure, UUIDs, versions and precompile order agree", async () => {
  const seconds = data.precompileSeconds as unknown as Record<string, [number, number]>;
  let heavy = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const run = await captureModule(julia, { seed });
    const lines = run.output.split("\n");
    // Pkg prints no progress bars in a pipe.
    assert.ok(!/[━╸╺]/.test(run.output), `seed ${seed}: a progress bar in plain mode`);
    const targets = lines.find((l) => l.startsWith("(@v1.12) pkg> add "))!.split(" ").slice(3);
    const world = closure(targets);
    const manifest = lines.indexOf("    Updating `~/.julia/environments/v1.12/Manifest.toml`");
    const pre = lines.indexOf("Precompiling packages...");
    const diff = lines.slice(manifest + 1, pre).map((l) =>
      l.match(/^ {2}\[([0-9a-f]{8})\] \+ (\S+) v(\S+)$/)!
    );
    // The Manifest diff is the targets' dependency closure, each with its registry UUID and version.
    assert.deepEqual(diff.map((m) => m[2]), world.map((p) => p.name), `seed ${seed}`);
    for (const [, uuid, name, version] of diff) {
      const p = REGISTRY.get(name!) ?? STDLIBS.get(name!);
      assert.ok(p && p.uuid.startsWith(uuid!) && p.version === version, `seed ${seed}: ${name}`);
    }
    for (const l of lines.filter((l) => l.startsWith("   Installed "))) {
      const [, name, version] = l.match(/Installed (\S+) ─+ v(\S+)$/)!;
      assert.equal(REGISTRY.get(name!)?.version, version, `seed ${seed}: ${l}`);
    }
    // A package finishes precompiling after its dependencies; heavy ones take their real time.
    const doneAt = new Map<string, number>();
    lines.forEach((l, i) => {
      const m = l.match(/^ *(\d+\.\d) ms {2}✓ (.+)$/);
      if (!m) return;
      const name = m[2]!;
      doneAt.set(name, i);
      const range = seconds[name];
      if (range) {
        heavy++;
        const s = Number(m[1]) / 1000;
        assert.ok(s >= range[0] && s <= range[1], `seed ${seed}: ${l}`);
      }
      if (name.includes(" → ")) {
        assert.ok(world.some((p) => p.name === name.split(" → ")[0]), `seed ${seed}: ${name}`);
      } else {
        assert.ok(world.some((p) => p.name === name && !p.stdlib), `seed ${seed}: ${name}`);
      }
    });
    for (const [name, at] of doneAt) {
      for (const d of REGISTRY.get(name)?.deps ?? []) {
        if (doneAt.has(d)) assert.ok(doneAt.get(d)! < at, `seed ${seed}: ${name} before ${d}`);
      }
    }
    assert.ok(run.pretendMs <= julia.maxDurationMs!, `seed ${seed}: ${run.pretendMs}`);
  }
  assert.ok(heavy >= 60, `only ${heavy} heavy packages timed`);
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
