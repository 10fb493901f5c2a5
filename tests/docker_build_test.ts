/**
 * docker_build format tests. Plain progress: vertices are numbered in order,
 * each ends DONE or CACHED once, step numbers run 1..n per stage, log stamps
 * use BuildKit's precision and stay inside their step's time. Terminal block:
 * the final `(done/total) FINISHED` header counts the vertex lines, every
 * timer is right-aligned and no step took longer than the whole build.
 */

import assert from "node:assert/strict";
import { blockLine, docker_build, logStamp, siBytes, stepLabel } from "../modules/docker_build.ts";
import { stripAnsi } from "../core/ansi.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

Deno.test("docker_build: BuildKit's units and labels", () => {
  assert.equal(siBytes(735), "735B");
  assert.equal(siBytes(1470), "1.47kB");
  assert.equal(siBytes(2_800_000), "2.80MB");
  assert.equal(logStamp(412), "0.412");
  assert.equal(logStamp(12_345), "12.35");
  assert.equal(logStamp(123_456), "123.5");
  assert.equal(stepLabel("build", 3, 6), "[build 3/6]");
  assert.equal(stepLabel(undefined, 4, 11), "[ 4/11]");
  const line = blockLine(" => [build 4/6] RUN npm ci", "33.4s", 80);
  assert.equal(line.length, 80);
  assert.ok(line.endsWith(" 33.4s"));
});

Deno.test("docker_build: plain progress numbering, steps and timers agree over many seeds", async () => {
  let logsSeen = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(docker_build, { seed, cols: 80 });
    const lines = run.output.split("\n");
    assert.match(
      lines[0]!,
      /^#0 building with "(default|desktop-linux)" instance using docker driver$/,
    );
    const names = new Map<number, string>();
    const ends = new Map<number, string>();
    const lastStamp = new Map<number, number>();
    let expected = 1;
    for (const l of lines.slice(1)) {
      const m = l.match(/^#(\d+) (.*)$/);
      if (!m) continue;
      const n = Number(m[1]);
      const rest = m[2]!;
      if (!names.has(n)) {
        assert.equal(n, expected, `seed ${seed}: vertex #${n} announced out of order`);
        expected++;
        names.set(n, rest);
        continue;
      }
      assert.ok(!ends.has(n), `seed ${seed}: output for #${n} after it ended: ${l}`);
      if (rest === "CACHED" || rest.startsWith("DONE ")) {
        ends.set(n, rest);
        if (rest.startsWith("DONE ")) {
          const done = Number(rest.match(/^DONE (\d+\.\d)s$/)?.[1]);
          assert.ok(Number.isFinite(done), `seed ${seed}: ${l}`);
          assert.ok(
            (lastStamp.get(n) ?? 0) <= done + 0.05,
            `seed ${seed}: #${n} logs after DONE ${done}`,
          );
        }
        continue;
      }
      const log = rest.match(/^(\d+\.\d+) /);
      if (log) {
        const [int, frac] = log[1]!.split(".");
        const s = Number(log[1]);
        assert.equal(frac!.length, s < 10 ? 3 : s < 100 ? 2 : 1, `seed ${seed}: stamp ${log[1]}`);
        assert.ok(
          Number(int) >= 0 && s >= (lastStamp.get(n) ?? 0),
          `seed ${seed}: stamps go back: ${l}`,
        );
        lastStamp.set(n, s);
        logsSeen++;
      }
    }
    for (const n of names.keys()) assert.ok(ends.has(n), `seed ${seed}: #${n} never finished`);
    // Step numbers: per stage 1..n, each once, with one n.
    const stages = new Map<string, { n: number; seen: number[] }>();
    for (const name of names.values()) {
      const m = name.match(/^\[(?:(\S+) )?\s*(\d+)\/(\d+)\]/);
      if (!m) continue;
      const key = m[1] ?? "";
      const st = stages.get(key) ?? { n: Number(m[3]), seen: [] };
      assert.equal(Number(m[3]), st.n, `seed ${seed}: stage ${key} totals differ`);
      st.seen.push(Number(m[2]));
      stages.set(key, st);
    }
    assert.ok(stages.size > 0, `seed ${seed}: no steps`);
    for (const [key, st] of stages) {
      assert.deepEqual(
        st.seen,
        Array.from({ length: st.n }, (_, i) => i + 1),
        `seed ${seed}: stage ${key}`,
      );
    }
    assert.match(run.output, /^#\d+ naming to \S+:\S+ done$/m, `seed ${seed}: no naming line`);
  }
  assert.ok(logsSeen > 100, `only ${logsSeen} log lines in all seeds`);
});

Deno.test("docker_build: the final terminal block counts its vertices and aligns its timers", async () => {
  for (const seed of SEEDS.slice(0, 20)) {
    const cols = 100;
    const run = await captureModule(docker_build, { seed, cols, rows: 40, tty: true });
    const text = stripAnsi(run.output);
    const at = text.lastIndexOf("[+] Building ");
    const block = text.slice(at).split("\n");
    const head = block[0]!.match(
      /^\[\+\] Building (\d+\.\d)s \((\d+)\/(\d+)\) FINISHED +docker:\S+$/,
    );
    assert.ok(head, `seed ${seed}: final header ${block[0]}`);
    assert.equal(block[0]!.length, cols, `seed ${seed}: header not right-aligned`);
    assert.equal(head[2], head[3], `seed ${seed}: not all vertices done`);
    const rows = block.slice(1).filter((l) => l.startsWith(" => "));
    const vertices = rows.filter((l) => !l.startsWith(" => => "));
    assert.equal(vertices.length, Number(head[3]), `seed ${seed}: vertex lines vs total`);
    const total = Number(head[1]);
    for (const r of rows) {
      assert.equal(r.length, cols, `seed ${seed}: timer not at the right edge: ${r}`);
      const t = Number(r.match(/ (\d+\.\d)s$/)?.[1]);
      assert.ok(t <= total + 0.05, `seed ${seed}: ${t}s longer than the build ${total}s`);
      assert.ok(!r.startsWith(" => => # "), `seed ${seed}: log line left in the final block`);
    }
  }
});

Deno.test("docker_build snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(docker_build, { seed: 1, cols: 80 })).output);
});
