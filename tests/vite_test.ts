/**
 * vite format tests: the report is in vite's order (assets, CSS, JS, each by
 * ascending size), aligned (sizes and `│` in one column), gzip only smaller
 * than the file, 8-character base64url hashes, the chunk warning exactly when
 * a JS chunk passes 500 kB, and `built in` within the run. On a terminal the
 * step lines are live and cleared; in a pipe each is printed once.
 */

import assert from "node:assert/strict";
import { displaySize, planBuild, vite } from "../modules/vite.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 80 }, (_, i) => i + 1);

function kb(text: string): number {
  return Number(text.replace(/,/g, "").replace(" kB", ""));
}

Deno.test("vite: sizes use kB with thousands separators", () => {
  assert.equal(displaySize(460), "0.46 kB");
  assert.equal(displaySize(1_148_040), "1,148.04 kB");
});

Deno.test("vite: the report is ordered, aligned and consistent over many seeds", async () => {
  let warned = 0;
  for (const seed of SEEDS) {
    const plan = planBuild(new Rng(seed).fork());
    const run = await captureModule(vite, { seed, cols: 140 });
    const lines = run.output.split("\n");
    const report = lines.filter((l) => l.startsWith("dist/"));
    assert.equal(report.length, plan.files.length, `seed ${seed}: one line per file`);
    const groupOf = (l: string) => /\.js /.test(l) ? 2 : /\.css /.test(l) ? 1 : 0;
    let prev = { group: -1, size: 0 };
    const sizeEnds = new Set<number>();
    const bars = new Set<number>();
    for (const l of report) {
      const m = l.match(/^dist\/(\S+) +([\d,]+\.\d\d kB)(?: │ gzip: +([\d,]+\.\d\d kB))?$/);
      assert.ok(m, `seed ${seed}: ${l}`);
      const group = groupOf(l);
      const size = kb(m[2]!);
      assert.ok(
        group > prev.group || (group === prev.group && size >= prev.size),
        `seed ${seed}: out of order at ${l}`,
      );
      prev = { group, size };
      sizeEnds.add(l.indexOf(" kB") + 3);
      if (m[3]) {
        bars.add(l.indexOf("│"));
        assert.ok(kb(m[3]) < size, `seed ${seed}: gzip not smaller: ${l}`);
      } else {
        assert.match(m[1]!, /\.(woff2|webp)$/, `seed ${seed}: compressible without gzip`);
      }
      if (m[1] !== "index.html") {
        assert.match(m[1]!, /^assets\/[A-Za-z-]+-[A-Za-z0-9_-]{8}\.(js|css|svg|woff2|webp)$/);
      }
    }
    assert.equal(sizeEnds.size, 1, `seed ${seed}: sizes not aligned`);
    assert.ok(bars.size <= 1, `seed ${seed}: gzip column not aligned`);
    const big = report.some((l) => /\.js /.test(l) && kb(l.match(/([\d,]+\.\d\d) kB/)![1]!) > 500);
    const warning = lines.includes(
      "(!) Some chunks are larger than 500 kB after minification. Consider:",
    );
    assert.equal(warning, big, `seed ${seed}: chunk warning`);
    if (warning) warned++;
    const modules = Number(run.output.match(/^✓ (\d+) modules transformed\.$/m)?.[1]);
    assert.equal(modules, plan.modules);
    const built = lines.find((l) => l.startsWith("✓ built in "))!;
    const ms = built.endsWith("ms")
      ? Number(built.slice(11, -2))
      : Number(built.slice(11, -1)) * 1000;
    assert.ok(ms <= run.pretendMs + 5, `seed ${seed}: ${built}`);
    assert.equal(lines.includes("> tsc -b && vite build"), plan.viaNpm);
  }
  assert.ok(warned > 5 && warned < SEEDS.length - 5, `${warned} chunk warnings`);
});

Deno.test("vite: step lines are live on a terminal and printed once in a pipe", async () => {
  for (const seed of SEEDS.slice(0, 15)) {
    const tty = await captureModule(vite, { seed, cols: 120, tty: true });
    const pipe = await captureModule(vite, { seed, cols: 120 });
    assert.ok(!tty.output.includes("transforming...\n"), `seed ${seed}`);
    let last = 0;
    for (const u of tty.live) {
      const m = u.lines[0]?.match(/^transforming \((\d+)\)/);
      if (!m) continue;
      assert.ok(Number(m[1]) >= last, `seed ${seed}: counter went down`);
      last = Number(m[1]);
    }
    assert.ok(last > 0);
    for (const step of ["transforming...", "rendering chunks...", "computing gzip size..."]) {
      assert.equal(pipe.output.split("\n").filter((l) => l === step).length, 1, `seed ${seed}`);
    }
  }
});

Deno.test("vite snapshot, seed 3 at 100 columns", async (t) => {
  await t.assertSnapshot((await captureModule(vite, { seed: 3, cols: 100 })).output);
});
