/**
 * rsync format tests: progress2 lines in rsync's printf layout, bytes that
 * only grow, one xfr# per file name printed, ir-chk giving way to to-chk and
 * ending at to-chk=0/N with N the files of the run, the speedup as total size
 * over bytes on the wire, a rerun after a broken pipe that skips what already
 * arrived, and scrub snapshots whose percentage, rates and time to go agree.
 */

import assert from "node:assert/strict";
import { human, progressLine, rsync, scanLines, zfsSize } from "../modules/rsync.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const PROGRESS =
  /^ +([\d.]+[KMGT]?) +(\d+)% +([\d.]+)(kB|MB|GB)\/s +(\d+):(\d\d):(\d\d) \(xfr#(\d+), (ir|to)-chk=(\d+)\/(\d+)\)$/;

function unhuman(text: string): number {
  const m = text.match(/^([\d.]+)([KMGT]?)$/)!;
  return Number(m[1]) * ({ K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as "K"] ?? 1);
}

function unzfs(text: string): number {
  const m = text.match(/^([\d.]+)([BKMGTP])$/)!;
  return Number(m[1]) * 1024 ** "BKMGTP".indexOf(m[2]!);
}

Deno.test("rsync: progress2 and summary numbers in rsync's formats", () => {
  assert.equal(human(842), "842");
  assert.equal(human(4_320), "4.32K");
  assert.equal(human(1_230_000_000), "1.23G");
  assert.equal(
    progressLine(1_230_000_000, 45, 112.34 * 1024 * 1024, 12, 1234, {
      done: true,
      left: 5678,
      total: 12345,
    }),
    "          1.23G  45%  112.34MB/s    0:00:12 (xfr#1234, to-chk=5678/12345)",
  );
  assert.equal(zfsSize(4.56 * 2 ** 40), "4.56T");
  assert.equal(zfsSize(987 * 2 ** 30), "987G");
  const lines = scanLines("Sun Jan 11 00:24:01 2026", {
    allocated: 4 * 2 ** 40,
    scanned: 2 ** 40,
    issued: 2 ** 39,
    elapsed: 1000,
  });
  assert.match(lines[2]!, /12\.50% done, (\d\d):(\d\d):(\d\d) to go$/);
});

Deno.test("rsync: transfers, reruns and scrubs agree over many seeds", async () => {
  let drops = 0;
  let scrubs = 0;
  for (const seed of SEEDS) {
    const text = (await captureModule(rsync, { seed, cols: 120 })).output;
    const runs = text.split(/^\$ rsync /m).slice(1);
    const sent = new Set<string>();
    for (const [r, run] of runs.entries()) {
      const lines = run.split("\n");
      let files = 0;
      let lastBytes = 0;
      let sawTo = false;
      let last: RegExpMatchArray | undefined;
      for (const l of lines) {
        if (/\.[A-Za-z0-9]+$/.test(l) && !l.startsWith(" ") && !l.includes(" ")) {
          files++;
          if (r > 0) {
            assert.ok(!sent.has(l) || l === [...sent].at(-1), `seed ${seed}: ${l} sent twice`);
          }
          sent.add(l);
        }
        const m = l.match(PROGRESS);
        if (!m) continue;
        const bytes = unhuman(m[1]!);
        assert.ok(bytes >= lastBytes, `seed ${seed}: bytes went back`);
        lastBytes = bytes;
        assert.equal(Number(m[8]), files, `seed ${seed}: xfr# vs names printed`);
        if (m[9] === "to") sawTo = true;
        else assert.ok(!sawTo, `seed ${seed}: ir-chk after to-chk`);
        assert.ok(Number(m[10]) < Number(m[11]), `seed ${seed}: ${l}`);
        last = m;
      }
      if (run.includes("Broken pipe")) {
        drops++;
        assert.ok(runs[r + 1], `seed ${seed}: no rerun after the broken pipe`);
        continue;
      }
      assert.ok(last, `seed ${seed}: no progress line`);
      assert.equal(last[9], "to", `seed ${seed}: the scan never finished`);
      assert.equal(last[10], "0", `seed ${seed}: files left at the end`);
      assert.equal(last[2], "100", `seed ${seed}: not at 100%`);
      const sum = run.match(
        /^sent (\S+) bytes {2}received (\S+) bytes {2}(\S+) bytes\/sec\ntotal size is (\S+) {2}speedup is ([\d.]+)$/m,
      );
      assert.ok(sum, `seed ${seed}: no summary`);
      const wire = unhuman(sum[1]!) + unhuman(sum[2]!);
      const speedup = unhuman(sum[4]!) / wire;
      assert.ok(
        Math.abs(speedup - Number(sum[5])) / speedup < 0.02,
        `seed ${seed}: speedup ${sum[5]} vs ${speedup}`,
      );
      assert.ok(unhuman(sum[1]!) >= lastBytes * 0.99, `seed ${seed}: sent less than transferred`);
    }
    const status = text.split("Every 10.0s: zpool status").slice(1);
    if (status.length > 0) scrubs++;
    let lastPct = -1;
    for (const s of status) {
      const m = s.match(
        /scanned at (\S+)\/s, (\S+) \/ (\S+) issued at (\S+)\/s\n +0B repaired, ([\d.]+)% done, (\d\d):(\d\d):(\d\d) to go/,
      );
      assert.ok(m, `seed ${seed}: bad scan lines`);
      const [issued, allocated, rate] = [unzfs(m[2]!), unzfs(m[3]!), unzfs(m[4]!)];
      const pct = Number(m[5]);
      assert.ok(Math.abs(pct - (issued * 100) / allocated) < 0.6, `seed ${seed}: ${pct}% vs sizes`);
      const toGo = Number(m[6]) * 3600 + Number(m[7]) * 60 + Number(m[8]);
      const expected = (allocated - issued) / rate;
      assert.ok(
        Math.abs(toGo - expected) / expected < 0.06,
        `seed ${seed}: ${toGo}s to go vs ${expected}`,
      );
      assert.ok(pct >= lastPct, `seed ${seed}: scrub went back`);
      lastPct = pct;
    }
  }
  assert.ok(drops > 0 && drops < SEEDS.length / 3, `${drops} dropped connections`);
  assert.ok(scrubs > 0 && scrubs < SEEDS.length, `${scrubs} scrubs`);
});

Deno.test("rsync snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(rsync, { seed: 1, cols: 80 })).output);
});
