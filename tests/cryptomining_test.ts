import assert from "node:assert/strict";
import { cryptomining, moneroHeight, rxThreads, stamp } from "../modules/cryptomining.ts";
import data from "../data/cryptomining.json" with { type: "json" };
import { captureModule, TEST_EPOCH_MS } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const LOG = /^\[(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})\] {2}(\S+) +(.*)$/;
const SPEED = /^speed 10s\/60s\/15m (\d+\.\d) (n\/a|\d+\.\d) n\/a H\/s max (\d+\.\d) H\/s$/;
const SHARE =
  /^(accepted|rejected) \((\d+)\/(\d+)\) diff (\d+) (?:"Low difficulty share" )?\((\d+) ms\)$/;
const JOB = /^new job from (\S+) diff (\d+) algo rx\/0 height (\d+) \((\d+) tx\)$/;

interface LogLine {
  time: number;
  tag: string;
  msg: string;
  raw: string;
}

async function log(
  seed: number,
): Promise<{ banner: string[]; lines: LogLine[]; ms: number; all: string[] }> {
  const run = await captureModule(cryptomining, { seed, cols: 120 });
  const all = run.output.trimEnd().split("\n");
  const banner = all.filter((l) => l.startsWith(" * ") || l.startsWith("    "));
  const table = all.filter((l) => l.startsWith("|"));
  const lines = all.filter((l) => l.startsWith("[")).map((raw) => {
    const m = raw.match(LOG);
    assert.ok(m, `seed ${seed}: not an XMRig log line: ${raw}`);
    const [, y, mo, d, h, mi, s, ms, tag, msg] = m;
    assert.ok(Number(h) < 24 && Number(mi) < 60 && Number(s) < 60, `seed ${seed}: ${raw}`);
    const time = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, +ms!);
    // The tag column is nine wide after the bracket and a space, as XMRig pads it.
    assert.equal(raw.slice(26, 35), ` ${tag!.padEnd(8)}`, `seed ${seed}: tag column ${raw}`);
    return { time, tag: tag!, msg: msg!, raw };
  });
  assert.equal(
    banner.length + lines.length + table.length,
    all.length,
    `seed ${seed}: stray lines`,
  );
  return { banner, lines, ms: run.pretendMs, all };
}

Deno.test("cryptomining: the timestamp is XMRig's, with minutes below 60", () => {
  assert.equal(stamp(new Date(Date.UTC(2026, 2, 14, 9, 26, 53, 123))), "[2026-03-14 09:26:53.123]");
  assert.equal(stamp(new Date(Date.UTC(2026, 2, 14, 10, 0, 7, 5))), "[2026-03-14 10:00:07.005]");
  assert.equal(stamp(new Date(Date.UTC(2026, 2, 14, 23, 59, 59, 999)), false), "[23:59:59.999]");
});

Deno.test("cryptomining: times increase, shares count up by one, diffs follow the job", async () => {
  for (const seed of SEEDS) {
    const { lines, ms } = await log(seed);
    assert.ok(lines.length >= 10, `seed ${seed}`);
    let acc = 0, rej = 0, diff = 0, prevDiff = 0, jobTime = 0, height = 0;
    for (const [i, l] of lines.entries()) {
      if (i > 0) {
        assert.ok(l.time >= lines[i - 1]!.time, `seed ${seed}: time went back at ${l.raw}`);
      }
      assert.ok(l.time >= TEST_EPOCH_MS && l.time <= TEST_EPOCH_MS + ms, `seed ${seed}: ${l.raw}`);
      const job = l.msg.match(JOB);
      if (job) {
        assert.equal(l.tag, "net");
        [prevDiff, diff, jobTime] = [diff, Number(job[2]), l.time];
        const h = Number(job[3]);
        assert.ok(height === 0 || h === height || h === height + 1, `seed ${seed}: height ${h}`);
        if (height === 0) assert.equal(h, moneroHeight(TEST_EPOCH_MS));
        height = h;
      }
      const share = l.msg.match(SHARE);
      if (share) {
        assert.equal(l.tag, "cpu");
        const [a, r] = [Number(share[2]), Number(share[3])];
        if (share[1] === "accepted") {
          assert.deepEqual([a, r], [acc + 1, rej], `seed ${seed}: ${l.raw}`);
        } else assert.deepEqual([a, r], [acc, rej + 1], `seed ${seed}: ${l.raw}`);
        [acc, rej] = [a, r];
        // A share found just before a new job is answered just after it.
        const late = l.time - jobTime < 1000 && Number(share[4]) === prevDiff;
        assert.ok(late || Number(share[4]) === diff, `seed ${seed}: share diff is not the job's`);
      }
    }
    assert.ok(acc > 0, `seed ${seed}: no share accepted`);
    assert.equal(lines.at(-2)!.msg, "Ctrl+C received, exiting");
    assert.match(lines.at(-1)!.msg, /^stopped \(\d+ ms\)$/);
  }
});

Deno.test("cryptomining: speed lines every minute, 60s n/a for the first minute, max is the max", async () => {
  for (const seed of SEEDS) {
    const { lines, banner } = await log(seed);
    const ready = lines.find((l) => l.msg.startsWith("READY threads"))!;
    const m = ready.msg.match(
      /^READY threads (\d+)\/\1 \(\1\) huge pages (100|0)% (\d+)\/\1 memory (\d+) KB/,
    );
    assert.ok(m, `seed ${seed}: ${ready.msg}`);
    const threads = Number(m[1]);
    assert.equal(Number(m[4]), threads * 2048, `seed ${seed}: scratchpads`);
    const cpu = data.cpus.find((c) => banner.some((b) => b.includes(c.name)))!;
    assert.equal(threads, rxThreads(cpu));
    const speeds = lines.filter((l) => l.tag === "miner");
    assert.ok(speeds.length >= 1, `seed ${seed}: no speed line`);
    let lastMax = 0, lastTime = TEST_EPOCH_MS;
    for (const s of speeds) {
      const sp = s.msg.match(SPEED);
      assert.ok(sp, `seed ${seed}: ${s.msg}`);
      const [s10, s60, max] = [Number(sp[1]), sp[2], Number(sp[3])];
      assert.ok(
        max >= s10 && max >= lastMax,
        `seed ${seed}: max ${max} below ${s10} or ${lastMax}`,
      );
      assert.equal(
        s60 === "n/a",
        s.time - ready.time < 60_000,
        `seed ${seed}: 60s column ${s.msg}`,
      );
      if (s60 !== "n/a") {
        assert.ok(Math.abs(Number(s60) - s10) / s10 < 0.05, `seed ${seed}: ${s.msg}`);
      }
      assert.ok(
        s.time - lastTime <= 61_000,
        `seed ${seed}: more than a minute without a speed line`,
      );
      lastMax = max;
      lastTime = s.time;
    }
    assert.ok(
      cpu.hashrate * 0.5 < lastMax && lastMax < cpu.hashrate * 1.1,
      `seed ${seed}: ${lastMax}`,
    );
  }
});

Deno.test("cryptomining: accepted shares match hashrate × time ÷ difficulty (over all seeds)", async () => {
  let expected = 0, found = 0;
  for (const seed of SEEDS) {
    const { lines } = await log(seed);
    const rates = lines.filter((l) => l.tag === "miner").map((l) => Number(l.msg.match(SPEED)![1]));
    const rate = rates.reduce((a, b) => a + b, 0) / rates.length;
    const ready = lines.find((l) => l.msg.startsWith("READY"))!.time;
    const end = lines.at(-2)!.time;
    let diff = 0, from = ready;
    for (const l of lines) {
      const job = l.msg.match(JOB);
      if (job) {
        if (diff > 0 && l.time > ready) expected += (rate * (l.time - from)) / 1000 / diff;
        diff = Number(job[2]);
        from = Math.max(ready, l.time);
      }
      if (SHARE.test(l.msg)) found++;
    }
    expected += (rate * (end - from)) / 1000 / diff;
  }
  const ratio = found / expected;
  assert.ok(ratio > 0.8 && ratio < 1.2, `found ${found} shares, expected ${expected.toFixed(1)}`);
});

Deno.test("cryptomining: the h table comes before its speed line and adds up to it", async () => {
  let tables = 0;
  for (const seed of SEEDS) {
    const { all, lines } = await log(seed);
    const threads = Number(
      lines.find((l) => l.msg.startsWith("READY threads"))!.msg.split(" ")[2]!.split("/")[0],
    );
    const timer: number[] = [];
    for (let i = 0; i < all.length; i++) {
      const line = all[i]!;
      const speed = line.match(/^\[.{23}\] {2}miner {4}(.*)$/);
      if (speed && !all[i - 1]!.startsWith("|")) {
        // Off the table, a speed line comes from the 60-second timer.
        const t = Date.parse(line.slice(1, 24).replace(" ", "T") + "Z");
        timer.push(t);
      }
      if (!line.startsWith("|    CPU # |")) continue;
      tables++;
      assert.equal(line, "|    CPU # | AFFINITY | 10s H/s | 60s H/s | 15m H/s |");
      const rows = all.slice(i + 1, i + 1 + threads).map((r) => r.split("|").map((c) => c.trim()));
      rows.forEach((r, n) => assert.equal(r[1], String(n), `seed ${seed}: row ${n}`));
      const total = all[i + 1 + threads]!.split("|").map((c) => c.trim());
      assert.deepEqual(total.slice(1, 3), ["-", "-"], `seed ${seed}: total row`);
      const sp = lines.find((l) => l.raw === all[i + 2 + threads])!.msg.match(SPEED)!;
      assert.ok(sp, `seed ${seed}: the table is not followed by its speed line`);
      assert.equal(total[3], sp[1], `seed ${seed}: 10s total vs speed line`);
      assert.equal(total[4], sp[2], `seed ${seed}: 60s total vs speed line`);
      assert.equal(total[5], "n/a");
      const sum = rows.reduce((a, r) => a + Number(r[3]), 0);
      assert.ok(
        Math.abs(sum - Number(sp[1])) <= 0.06 * threads,
        `seed ${seed}: rows sum ${sum} vs ${sp[1]}`,
      );
      if (sp[2] === "n/a") assert.ok(rows.every((r) => r[4] === "n/a"), `seed ${seed}`);
      i += threads + 1;
    }
    for (const t of timer) {
      assert.equal(
        (t - timer[0]!) % 60_000,
        0,
        `seed ${seed}: a speed line off the timer without its table`,
      );
    }
  }
  assert.ok(tables >= 10, `only ${tables} h tables in ${SEEDS.length} runs`);
});

Deno.test("cryptomining: startup lines agree with the machine, the pool and root", async () => {
  for (const seed of SEEDS) {
    const { banner, lines } = await log(seed);
    const cpu = data.cpus.find((c) => banner.some((b) => b.includes(c.name)))!;
    const root = lines.some((l) => l.tag === "msr" && l.msg.includes("set successfully"));
    const dimms = banner.filter((b) => /^ {16}\S+: /.test(b));
    const board = banner.find((b) => b.startsWith(" * MOTHERBOARD  "));
    assert.equal(dimms.length > 0, root, `seed ${seed}: DIMM rows need root`);
    assert.equal(board, root ? ` * MOTHERBOARD  ${cpu.board}` : undefined, `seed ${seed}`);
    if (root) {
      const total = Number(
        banner.find((b) => b.startsWith(" * MEMORY"))!.match(/\/([\d.]+) GB/)![1],
      );
      const gb = dimms.reduce((a, d) => a + Number(d.match(/: (\d+) GB /)?.[1] ?? 0), 0);
      assert.ok(
        total < gb && total > gb * 0.95,
        `seed ${seed}: ${gb} GB of DIMMs, ${total} GB shown`,
      );
      for (const d of dimms) {
        if (!d.endsWith("<empty>")) {
          assert.ok(d.includes(` ${cpu.memType} @ ${cpu.memSpeed} MHz `), d);
        }
      }
    }
    const use = lines.find((l) => l.msg.startsWith("use pool "))!;
    const pool = data.pools.find((p) => use.msg.includes(`${p.host}:${p.port}`))!;
    assert.ok(
      use.msg.endsWith(` ${pool.ipPrefix}.${use.msg.split(".").at(-1)}`),
      `seed ${seed}: ${use.msg}`,
    );
    const next = lines[lines.indexOf(use) + 1]!;
    assert.equal(
      /^fingerprint \(SHA-256\): "[0-9a-f]{64}"$/.test(next.msg),
      pool.tls,
      `seed ${seed}`,
    );
    const argon = lines.find((l) => l.msg.startsWith("use argon2 implementation "))!;
    assert.equal(argon.tag, "cpu");
    assert.equal(
      argon.msg.endsWith(cpu.avx512 ? "AVX-512F" : "AVX2"),
      true,
      `seed ${seed}: ${argon.msg}`,
    );
    const msr = lines.find((l) => l.tag === "msr")!;
    assert.ok(argon.time <= msr.time, `seed ${seed}: argon2 line after msr`);
  }
});

Deno.test("cryptomining: narrow terminals keep the time of day", async () => {
  const line = async (cols: number) =>
    (await captureModule(cryptomining, { seed: 2, cols })).output.split("\n").find((l) =>
      l.includes("new job")
    )!;
  assert.match(await line(40), /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] {2}net {6}new job/);
  assert.match(await line(20), /^\d{2}:\d{2}:\d{2} net new job/);
});

Deno.test("cryptomining: snapshot (seed 1, 80 columns, plain)", async (t) => {
  await t.assertSnapshot((await captureModule(cryptomining, { seed: 1, cols: 80 })).output);
});
