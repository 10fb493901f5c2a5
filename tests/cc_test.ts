/**
 * Format tests for `cc`: make echoes one compile line per source (with the
 * source file, identical flags, sorted), `mkdir -p` before a directory's first
 * object, compiler warnings that point at the code they quote, and a link line
 * that takes every object exactly once.
 */

import assert from "node:assert/strict";
import { cc } from "../modules/cc.ts";
import data from "../data/cc.json" with { type: "json" };
import { captureModule } from "./harness.ts";

const COMPILE = /^(gcc|clang|cc) (.+) -c (\S+)\.c -o (\S+)\.o$/;

Deno.test("cc compile lines: source present, sorted, same flags, objects mirror sources", async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const run = await captureModule(cc, { seed, cols: 80 });
    const lines = run.output.trimEnd().split("\n");
    const compiles = lines.map((l) => l.match(COMPILE)).filter((m) => m !== null);
    assert.ok(compiles.length >= 15, `seed ${seed}: ${compiles.length} files`);
    const compiler = compiles[0]![1];
    const flags = compiles[0]![2];
    const sources = compiles.map((m) => m[3]!);
    assert.deepEqual(sources, [...sources].sort(), "sources in sorted order");
    assert.equal(new Set(sources).size, sources.length, "each source once");
    const prefix = compiles[0]![4]!.slice(0, compiles[0]![4]!.length - sources[0]!.length);
    for (const m of compiles) {
      assert.equal(m[1], compiler);
      assert.equal(m[2], flags);
      assert.equal(m[4], prefix + m[3], "object path mirrors the source path");
    }
    assert.ok(/(^| )-O[0123sg]( |$)/.test(flags!) && flags!.includes("-Wall"));
    assert.ok(sources.some((s) => s.endsWith("/core/main")));
    const objects = sources.map((s) => `${prefix}${s}.o`);
    for (const [i, line] of lines.entries()) {
      const dir = line.match(/^mkdir -p (\S+)$/)?.[1];
      if (!dir) continue;
      assert.ok(prefix !== "");
      assert.equal(lines.filter((l) => l === line).length, 1, "mkdir once per directory");
      const first = lines.findIndex((l) => l.includes(` -o ${dir}/`));
      assert.ok(first > i, "mkdir comes before the directory's first object");
    }
    const link = lines.at(-1)!;
    assert.ok(link.startsWith(`${compiler} -o `), `seed ${seed}: last line links: ${link}`);
    const ar = lines.find((l) => l.startsWith("ar rcs "));
    const linked = link.split(" ").filter((w) => w.endsWith(".o"));
    if (ar) {
      const archive = ar.split(" ")[2]!;
      const archived = ar.split(" ").slice(3);
      assert.ok(link.includes(` ${archive} `));
      assert.deepEqual([...archived, ...linked].sort(), [...objects].sort());
      assert.equal(lines.at(-2), ar);
    } else {
      assert.deepEqual(linked, objects, "link line takes every object once, in order");
    }
    assert.match(link, / -lm( |$)/);
  }
});

Deno.test("cc warnings quote the line and column they report", async () => {
  let seen = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const lines = (await captureModule(cc, { seed })).output.trimEnd().split("\n");
    const compiled: string[] = [];
    for (const [i, line] of lines.entries()) {
      const c = line.match(COMPILE);
      if (c) compiled.push(`${c[3]}.c`);
      const w = line.match(/^(\S+\.c):(\d+):(\d+): warning: (.+) \[(-W[\w-]+)\]$/);
      if (!w) continue;
      seen++;
      assert.ok(compiled.includes(w[1]!), "a warning comes from a file already being compiled");
      const code = lines[i + 1]!.match(/^ *(\d+) \| (.*)$/)!;
      assert.equal(code[1], w[2], "snippet shows the reported line");
      const marker = lines[i + 2]!;
      assert.ok(marker.startsWith("      | "));
      assert.equal(marker.indexOf("^") - 8 + 1, Number(w[3]), "caret under the reported column");
      const clang = line.includes("'") || !lines[i - 1]!.includes("In function");
      if (w[5] === "-Wunused-variable") {
        const name = w[4]!.match(/[‘']([^’']+)[’']/)![1]!;
        assert.equal(code[2]!.slice(Number(w[3]) - 1, Number(w[3]) - 1 + name.length), name);
      }
      if (clang) assert.equal(lines[i + 3], "1 warning generated.");
      else assert.match(lines[i - 1]!, /^\S+\.c: In function ‘\w+’:$/);
    }
  }
  assert.ok(seen >= 20, `only ${seen} warnings over 60 seeds`);
});

Deno.test("cc: one program per run; carets and snippets as gcc and clang draw them", async () => {
  const libTable = data.libs as Record<string, string[]>;
  for (let seed = 1; seed <= 80; seed++) {
    const lines = (await captureModule(cc, { seed })).output.trimEnd().split("\n");
    const compiles = lines.map((l) => l.match(COMPILE)).filter((m) => m !== null);
    const dirs = new Set(compiles.map((m) => m[3]!.split("/").at(-2)!));
    const project = lines.at(-1)!.split(" ")[2]!.split("/").at(-1)!;
    // The subsystems and the project name belong to one kind of program.
    const kind = data.archetypes.find((k) => k.projects.includes(project));
    assert.ok(kind, `seed ${seed}: ${project}`);
    for (const d of dirs) {
      assert.ok(
        [...kind.required, ...kind.optional].includes(d),
        `seed ${seed}: ${d} in a ${kind.kind}`,
      );
    }
    for (const d of kind.required) {
      assert.ok(dirs.has(d), `seed ${seed}: a ${kind.kind} without ${d}`);
    }
    // It links what its subsystems need, nothing else.
    const libs = lines.at(-1)!.split(" ").filter((w) => w.startsWith("-l"));
    const wanted = new Set([...[...dirs].flatMap((d) => libTable[d] ?? []), ...data.baseLibs]);
    assert.deepEqual(new Set(libs), wanted, `seed ${seed}`);
    for (const [i, line] of lines.entries()) {
      const w = line.match(/^(\S+\.c):(\d+):(\d+): warning: (.+) \[(-W[\w-]+)\]$/);
      if (!w) continue;
      const clang = !lines[i - 1]!.includes("In function");
      const code = lines[i + 1]!.replace(/^ *\d+ \| /, "");
      const marker = lines[i + 2]!.slice(8);
      if (w[5] === "-Wunused-variable") {
        assert.ok(!/\* \w+;$/.test(code), `seed ${seed}: ${code}`);
        if (clang) assert.equal(marker.trim(), "^", `seed ${seed}: clang marks the name only`);
      }
      if (w[5] === "-Wunused-parameter") {
        const decl = code.lastIndexOf("void *");
        if (clang) assert.equal(marker.trim(), "^", `seed ${seed}`);
        else {assert.equal(
            marker.search(/\S/),
            decl,
            `seed ${seed}: gcc underlines the declaration`,
          );}
      }
      if (w[5] === "-Wsign-compare") {
        const bound = code.match(/i < (\w+);/)![1]!;
        assert.ok(data.diagnostics.bounds.includes(bound), `seed ${seed}: i < ${bound}`);
      }
    }
  }
});

Deno.test("cc starts a burst of parallel jobs at once (make -j)", async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const run = await captureModule(cc, { seed });
    const first = run.chunks[0]!.split("\n").filter((l) => COMPILE.test(l));
    assert.ok(first.length >= 4, `seed ${seed}: first frame has ${first.length} compile lines`);
  }
});

Deno.test("cc snapshot", async (t) => {
  await t.assertSnapshot((await captureModule(cc, { seed: 1, cols: 80 })).output);
});
