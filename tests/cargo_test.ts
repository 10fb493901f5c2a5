/**
 * Format and arithmetic checks for the cargo module: status words aligned to 12
 * columns, the Finished line and its elapsed time, download counts and sizes,
 * dependency order of Compiling lines, the Building bar's geometry and unit
 * count, and the warning summary.
 */

import assert from "node:assert/strict";
import data from "../data/cargo.json" with { type: "json" };
import { stripAnsi } from "../core/ansi.ts";
import { formatBytes } from "../core/format.ts";
import {
  cargo,
  planUnits,
  queuePriority,
  renderProgress,
  schedule,
  selectCrates,
  type Slot,
} from "../modules/cargo.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const BY_NAME = new Map<string, (typeof data.crates)[number]>();
for (const c of data.crates) BY_NAME.set(`${c.name ?? c.id} v${c.version}`, c);
const ID_TO_KEY = new Map(data.crates.map((c) => [c.id, `${c.name ?? c.id} v${c.version}`]));

/** Parses `12.34s` / `1m 05s` into seconds. */
function seconds(text: string): number {
  const m = text.match(/^(?:(\d+)m (\d{2})s|(\d+\.\d{2})s)$/);
  assert.ok(m, `bad duration ${text}`);
  return m[3] !== undefined ? Number(m[3]) : Number(m[1]) * 60 + Number(m[2]);
}

/** All Building frames drawn in a terminal run, in order. */
function barFrames(output: string): { cur: number; max: number; line: string }[] {
  const frames: { cur: number; max: number; line: string }[] = [];
  for (const raw of stripAnsi(output).split(/[\r\n]/)) {
    const m = raw.match(/^ {4}Building \[[=> ]*\] (\d+)\/(\d+)/);
    if (m) frames.push({ cur: Number(m[1]), max: Number(m[2]), line: raw });
  }
  return frames;
}

Deno.test("cargo: status words, Finished line and elapsed time", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(cargo, { seed, cols: 80 });
    const lines = run.output.trimEnd().split("\n");
    const finishedAt = lines.findIndex((l) => l.startsWith("    Finished "));
    assert.ok(finishedAt > 0, `seed ${seed}: no Finished line`);
    const fin = lines[finishedAt] as string;
    const m = fin.match(
      /^ {4}Finished `(release|dev)` profile \[(optimized|unoptimized \+ debuginfo)\] target\(s\) in (\S+ ?\S*)$/,
    );
    assert.ok(m, `seed ${seed}: bad Finished line ${fin}`);
    assert.equal(m[1] === "release", m[2] === "optimized", `seed ${seed}: profile mismatch`);
    const elapsed = seconds(m[3] as string);
    const pretend = run.pretendMs / 1000;
    if (elapsed < 60) {
      assert.ok(Math.abs(elapsed - pretend) <= 0.0051, `seed ${seed}: ${elapsed} vs ${pretend}`);
    } else {assert.ok(
        pretend - elapsed >= 0 && pretend - elapsed < 1,
        `seed ${seed}: ${elapsed} vs ${pretend}`,
      );}
    const app = lines.find((l) => / \(\/home\/\w+\/[\w-]+\)$/.test(l))?.match(
      /Compiling ([\w-]+) v0\.1\.0/,
    )?.[1];
    assert.ok(app, `seed ${seed}: no workspace Compiling line`);
    if (m[1] === "dev") {
      assert.equal(lines[finishedAt + 1], `     Running \`target/debug/${app}\``, `seed ${seed}`);
    } else {
      assert.equal(finishedAt, lines.length - 1, `seed ${seed}: output after a release Finished`);
    }
    for (const l of lines) {
      const s = l.match(
        /^ +(Updating|Locking|Downloaded|Compiling|Finished|Running|Downloading|Building) /,
      );
      if (s) {
        assert.equal(l.indexOf(s[1] as string) + (s[1] as string).length, 12, `seed ${seed}: ${l}`);
      }
    }
  }
});

Deno.test("cargo: in a terminal, Downloaded lines agree with the summary; Locking covers them", async () => {
  let withDownloads = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(cargo, { seed, cols: 80, tty: true });
    const lines = run.log.split("\n");
    const items = lines.filter((l) => /^ {2}Downloaded \S+ v\S+$/.test(l)).map((l) => l.slice(13));
    const summary = lines.find((l) => /^ {2}Downloaded \d+ crates? \(/.test(l));
    if (!summary) {
      assert.equal(items.length, 0, `seed ${seed}: items without summary`);
      assert.ok(
        !lines.some((l) => l.includes("Locking")),
        `seed ${seed}: Locking without downloads`,
      );
      continue;
    }
    withDownloads++;
    const m = summary.match(
      /^ {2}Downloaded (\d+) crates? \((\S+)\) in (\S+)(?: \(largest was `(\S+)` at (\S+)\))?$/,
    );
    assert.ok(m, `seed ${seed}: bad summary ${summary}`);
    assert.equal(Number(m[1]), items.length, `seed ${seed}: count`);
    const sizes = items.map((key) => {
      const c = BY_NAME.get(key);
      assert.ok(c, `seed ${seed}: unknown crate ${key}`);
      return { name: key.split(" ")[0], size: c.kib * 1024 };
    });
    const total = sizes.reduce((a, s) => a + s.size, 0);
    assert.equal(m[2], formatBytes(total), `seed ${seed}: total size`);
    const largest = sizes.reduce((a, s) => (s.size > a.size ? s : a));
    if (largest.size > 1024 * 1024) {
      assert.equal(m[4], largest.name, `seed ${seed}: largest`);
      assert.equal(m[5], formatBytes(largest.size), `seed ${seed}: largest size`);
    } else {
      assert.equal(m[4], undefined, `seed ${seed}: largest shown under 1 MiB`);
    }
    const locking = lines.find((l) => l.startsWith("     Locking "))?.match(
      /Locking (\d+) packages/,
    );
    assert.ok(locking && Number(locking[1]) >= items.length, `seed ${seed}: Locking count`);
    const compiled = lines.filter((l) => l.startsWith("   Compiling ") && !l.endsWith(")"))
      .map((l) => l.slice(13));
    assert.deepEqual(
      [...compiled].sort(),
      [...items].sort(),
      `seed ${seed}: downloaded ≠ compiled`,
    );
    const fin = lines.find((l) => l.startsWith("    Finished"))?.match(/in (\S+ ?\S*)$/)?.[1];
    assert.ok(seconds(m[3] as string) <= seconds(fin as string), `seed ${seed}: download time`);
  }
  assert.ok(withDownloads > 10, "too few runs with downloads");
});

Deno.test("cargo: in a pipe, one `Downloading crates ...` and no summary, no remaining-bytes line, no bar", async () => {
  let withDownloads = 0;
  for (const seed of SEEDS) {
    const plain = (await captureModule(cargo, { seed, cols: 80 })).output.split("\n");
    const tty = (await captureModule(cargo, { seed, cols: 80, tty: true })).log.split("\n");
    const items = plain.filter((l) => /^ {2}Downloaded \S+ v\S+$/.test(l));
    const announce = plain.filter((l) => l === " Downloading crates ...");
    assert.ok(
      !plain.some((l) => /^ {2}Downloaded \d+ crates? \(/.test(l)),
      `seed ${seed}: summary`,
    );
    assert.ok(!plain.some((l) => l.includes("remaining bytes")), `seed ${seed}: remaining bytes`);
    assert.ok(!plain.some((l) => l.startsWith("    Building ")), `seed ${seed}: a Building bar`);
    assert.equal(announce.length, items.length > 0 ? 1 : 0, `seed ${seed}: Downloading crates`);
    if (items.length > 0) {
      withDownloads++;
      const at = plain.indexOf(announce[0]!);
      assert.ok(at < plain.indexOf(items[0]!), `seed ${seed}: announced after the first crate`);
      assert.ok(plain[at - 1]?.startsWith("     Locking "), `seed ${seed}: not after Locking`);
    }
    // The same run in a terminal prints the same permanent story, plus the summary.
    const story = (lines: string[]) =>
      lines.filter((l) => /^ +(Compiling|Downloaded \S+ v|Finished|Locking)/.test(l));
    assert.deepEqual(story(plain), story(tty).filter((l) => !/Downloaded \d+ crates? \(/.test(l)));
  }
  assert.ok(withDownloads > 10, "too few runs with downloads");
});

Deno.test("cargo: what `cargo run` prints follows from the crates it was built with", async () => {
  let runs = 0;
  for (const seed of SEEDS) {
    const lines = (await captureModule(cargo, { seed, cols: 80 })).output.split("\n");
    const at = lines.findIndex((l) => l.startsWith("     Running `target/debug/"));
    if (at === -1) continue;
    runs++;
    const built = new Set(
      lines.filter((l) => l.startsWith("   Compiling ")).map((l) => l.split(" ")[4]),
    );
    const said = lines.slice(at + 1).filter((l) => l !== "").join("\n");
    const server = ["axum", "tower-http", "hyper"].some((c) => built.has(c));
    assert.equal(/[Ll]istening on/.test(said), server, `seed ${seed}: ${said}`);
    assert.equal(/ INFO /.test(said), server && built.has("tracing-subscriber"), `seed ${seed}`);
  }
  assert.ok(runs >= 5, `only ${runs} cargo run outputs`);
});

Deno.test("cargo: a fresh build starts as cargo's queue priority orders it", async () => {
  let proc = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(cargo, { seed, cols: 80 });
    const first = run.output.split("\n").find((l) => l.startsWith("   Compiling "));
    const name = first?.split(" ")[4];
    if (name === "proc-macro2") proc++;
    // The opening line names a crate of the data, at its version.
    assert.ok(name && BY_NAME.has(`${name} ${first?.split(" ")[5]}`), `seed ${seed}: ${first}`);
  }
  assert.ok(
    proc >= SEEDS.length * 0.8,
    `proc-macro2 opened only ${proc} of ${SEEDS.length} builds`,
  );
  // A unit outranks every unit it enables, and a build script outranks its library.
  const rng = new Rng(3n);
  const { roots, crates } = selectCrates(rng);
  const units = planUnits(crates, roots, "app", { release: true, machine: 1 }, rng);
  const priority = queuePriority(units);
  for (const u of units) {
    for (const d of u.deps) {
      assert.ok((priority[d.unit] as number) > (priority[u.index] as number), u.label);
    }
  }
});

Deno.test("cargo: Compiling lines follow dependency order; the workspace crate is last", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(cargo, { seed, cols: 80 });
    const compiling = run.output.split("\n").filter((l) => l.startsWith("   Compiling "))
      .map((l) => l.slice(13));
    assert.match(compiling.at(-1) as string, /^[\w-]+ v0\.1\.0 \(\/home\/\w+\/[\w-]+\)$/);
    assert.equal(
      new Set(compiling).size,
      compiling.length,
      `seed ${seed}: a package compiled twice`,
    );
    const position = new Map(compiling.map((k, i) => [k, i]));
    for (const [i, key] of compiling.slice(0, -1).entries()) {
      const c = BY_NAME.get(key);
      assert.ok(c, `seed ${seed}: unknown ${key}`);
      // A crate with a build script announces itself when its build script starts,
      // which may be before its dependencies; a plain library waits for them.
      if (c.build !== undefined) continue;
      for (const d of c.deps) {
        const at = position.get(ID_TO_KEY.get(d) as string);
        assert.ok(at !== undefined && at < i, `seed ${seed}: ${key} before its dependency ${d}`);
      }
    }
  }
});

Deno.test("cargo: the Building bar counts units (Compiling lines plus two per build script) and draws to cargo's geometry", async () => {
  let frames = 0;
  for (const seed of SEEDS) {
    const cols = [80, 120, 40][seed % 3] as number;
    const run = await captureModule(cargo, { seed, cols, tty: true });
    const compiling = stripAnsi(run.output).split(/[\r\n]/).filter((l) =>
      l.startsWith("   Compiling ")
    ).map((l) => l.slice(13));
    const scripts = compiling.filter((k) => BY_NAME.get(k)?.build !== undefined).length;
    const bars = barFrames(run.output);
    assert.ok(bars.length > 0, `seed ${seed}: no Building frame`);
    frames += bars.length;
    let last = -1;
    for (const b of bars) {
      assert.equal(b.max, compiling.length + 2 * scripts, `seed ${seed}: total ${b.line}`);
      assert.ok(b.cur >= last && b.cur < b.max, `seed ${seed}: ${b.line}`);
      last = b.cur;
      const stats = ` ${b.cur}/${b.max}`;
      const width = Math.min(cols, 50) - stats.length - 17;
      const bar = b.line.slice(13, 13 + width + 2);
      // cargo multiplies in floating point: width * (cur / max), then truncates.
      const hashes = Math.floor(width * (b.cur / b.max));
      const expected = "[" + (hashes > 0 ? "=".repeat(hashes - 1) + ">" : "") +
        " ".repeat(width - hashes) + "]";
      assert.equal(bar, expected, `seed ${seed}: ${b.line}`);
      assert.ok(b.line.length <= cols - 2, `seed ${seed}: bar line too long`);
    }
  }
  assert.ok(frames > SEEDS.length * 3);
});

Deno.test("cargo: renderProgress cuts names with … and drops the bar when too narrow", () => {
  assert.equal(renderProgress(1, 4, [], 80), "[======>" + " ".repeat(22) + "] 1/4");
  assert.equal(renderProgress(4, 4, [], 80), "[" + "=".repeat(29) + "] 4/4");
  const line = renderProgress(
    57,
    120,
    ["syn", "serde_derive", "tokio(build)", "ring(build.rs)"],
    60,
  );
  assert.equal(line, "[" + "=".repeat(11) + ">" + " ".repeat(14) + "] 57/120: syn, se…");
  assert.equal((line as string).length + 15, 60);
  assert.equal(renderProgress(5, 120, ["syn"], 22), undefined);
  assert.equal(renderProgress(5, 120, ["syn"], 23), "[] 5/120");
  assert.equal(renderProgress(5, 9, ["syn"], 24), "[>  ] 5/9");
});

Deno.test("cargo: the warning summary counts the warning blocks and fixable suggestions", async () => {
  let seen = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const run = await captureModule(cargo, { seed, cols: 80 });
    const lines = run.output.split("\n");
    const summary = lines.find((l) => /^warning: `[\w-]+` \(bin "[\w-]+"\) generated/.test(l));
    const blocks = lines.filter((l) => l.startsWith("warning: ") && l !== summary);
    if (!summary) {
      assert.equal(blocks.length, 0, `seed ${seed}`);
      continue;
    }
    seen++;
    const m = summary.match(
      /generated (\d+) warnings?(?: \(run `cargo fix --bin "[\w-]+"` to apply (\d+) suggestions?\))?$/,
    );
    assert.ok(m, `seed ${seed}: ${summary}`);
    assert.equal(Number(m[1]), blocks.length, `seed ${seed}: warning count`);
    const fixable = blocks.filter((b) => !b.includes("is never used")).length;
    assert.equal(Number(m[2] ?? 0), fixable, `seed ${seed}: suggestion count`);
    for (const [i, l] of lines.entries()) {
      if (!blocks.includes(l)) continue;
      const arrow = (lines[i + 1] as string).match(/^( +)--> src\/\w+\.rs:(\d+):(\d+)$/);
      assert.ok(arrow, `seed ${seed}: no code frame after ${l}`);
      assert.equal(arrow[1]?.length, (arrow[2] as string).length, `seed ${seed}: gutter`);
      assert.ok((lines[i + 3] as string).startsWith(`${arrow[2]} | `), `seed ${seed}: source line`);
    }
  }
  assert.ok(seen >= 10, `only ${seen} runs with warnings`);
});

Deno.test("cargo: crate data refers only to known crates and has no cycle", () => {
  const ids = new Set(data.crates.map((c) => c.id));
  for (const c of data.crates) for (const d of c.deps) assert.ok(ids.has(d), `${c.id} → ${d}`);
  for (const r of data.roots) assert.ok(ids.has(r), r);
  const state = new Map<string, number>();
  const byId = new Map(data.crates.map((c) => [c.id, c]));
  const visit = (id: string): void => {
    if (state.get(id) === 2) return;
    assert.notEqual(state.get(id), 1, `cycle through ${id}`);
    state.set(id, 1);
    for (const d of byId.get(id)?.deps ?? []) visit(d);
    state.set(id, 2);
  };
  for (const id of ids) visit(id);
});

Deno.test("cargo: snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(cargo, { seed: 1, cols: 80 })).output);
});

Deno.test("cargo: the schedule runs each unit once, at most `jobs` at a time, after what it waits for", () => {
  for (let seed = 1; seed <= 150; seed++) {
    const rng = new Rng(BigInt(seed));
    const { roots, crates } = selectCrates(rng);
    const units = planUnits(crates, roots, "app", { release: rng.chance(0.5), machine: 1 }, rng);
    for (const jobs of [1, 4, 16]) {
      const slots = schedule(units, jobs);
      const at = new Map<number, Slot>(slots.map((s) => [s.unit.index, s]));
      assert.equal(at.size, units.length, `seed ${seed}: a unit missing or run twice`);
      for (const s of slots) {
        for (const d of s.unit.deps) {
          const dep = at.get(d.unit) as Slot;
          const ready = d.full ? dep.end : dep.start + dep.unit.duration * dep.unit.metaFraction;
          assert.ok(ready <= s.start, `seed ${seed}: ${s.unit.label} before ${dep.unit.label}`);
        }
        const busy = slots.filter((o) => o.start <= s.start && o.end > s.start).length;
        assert.ok(busy <= jobs, `seed ${seed}: ${busy} units at once with -j${jobs}`);
      }
    }
  }
});
