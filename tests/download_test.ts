/**
 * Format and arithmetic checks for the download (wget) module: the request
 * preamble, Length vs bytes saved, cumulative progress, the speed shown vs the
 * bytes received in wget's 20-sample window, the ETA formula, completion rates
 * vs size and time, and the FINISHED summary vs the files and the pretend time.
 */

import assert from "node:assert/strict";
import { stripAnsi } from "../core/ansi.ts";
import data from "../data/download.json" with { type: "json" };
import {
  barRate,
  download,
  etaShort,
  geometry,
  humanReadable,
  inCidr,
  providerOf,
  renderBar,
  secsToHuman,
} from "../modules/download.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);
const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `2.21G` → [low, high] bytes allowed by the rounding of the shown digits. */
function sizeRange(text: string): [number, number] {
  const m = text.match(/^(\d+(?:\.(\d+))?)([KMGT]?)$/);
  assert.ok(m, `bad size ${text}`);
  const unit = UNITS[m[3] as string] as number;
  const half = m[3] === "" ? 0.5 : 0.5 * 10 ** -(m[2]?.length ?? 0);
  return [(Number(m[1]) - half) * unit, (Number(m[1]) + half) * unit];
}

/** `48.3MB/s` or `48.3 MB/s` → bytes per second. */
function rateOf(text: string): number {
  const m = text.trim().match(/^(\d+(?:\.\d+)?) ?([KMG]?)B\/s$/);
  assert.ok(m, `bad rate ${text}`);
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

/** wget durations `2m 6s`, `1h 2m 3s`, `65s`, `4.2s`, `0.05s` → seconds. */
function durationOf(text: string): number {
  let s = 0;
  for (const [, n, u] of text.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) {
    s += Number(n) * ({ d: 86400, h: 3600, m: 60, s: 1 }[u as "d"]);
  }
  return s;
}

/** Seconds since the epoch of a `YYYY-MM-DD HH:MM:SS` stamp. */
function stampOf(text: string): number {
  return Date.parse(text.replace(" ", "T") + "Z") / 1000;
}

const SAVED =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \((\S+ [KMG]?B\/s)\) - ‘(.+)’ saved \[(\d+)\/(\d+)\]$/;
const DONE = /^.{19} ?100%\[=*>\] +(\S+) +(--\.-KB\/s|\S+) +in (.+)$/;

Deno.test("download: each file has the wget preamble, a Length that matches what is saved, and a completion line", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(download, { seed, cols: 80 });
    const lines = run.output.split("\n");
    let length = -1;
    let saving = "";
    let files = 0;
    for (const [i, l] of lines.entries()) {
      if (l.startsWith("--") && !l.startsWith("--.-")) {
        assert.match(l, /^--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d-- {2}(\(try: 2\) {2})?https:\/\/\S+$/);
      } else if (l.startsWith("Resolving ")) {
        assert.match(
          l,
          /^Resolving (\S+) \(\1\)\.\.\. [0-9a-f.:]+(, [0-9a-f.:]+){0,2}(, \.\.\.)?$/,
          l,
        );
      } else if (l.startsWith("Connecting to ")) {
        assert.match(
          l,
          /^Connecting to (\S+) \(\1\)\|[0-9a-f.:]+\|:\d+\.\.\. (connected\.|failed: (Connection timed out|Network is unreachable)\.)$/,
        );
      } else if (l.startsWith("HTTP request sent")) {
        assert.match(l, /^HTTP request sent, awaiting response\.\.\. (200 OK|302 Found)$/);
        if (l.endsWith("302 Found")) {
          assert.match(lines[i + 1] as string, /^Location: \S+ \[following\]$/);
        }
      } else if (l.startsWith("Length: ")) {
        const m = l.match(/^Length: (\d+)(?: \((\S+)\))? \[[\w.+/-]+\]$/);
        assert.ok(m, l);
        length = Number(m[1]);
        if (length >= 1024) {
          const [lo, hi] = sizeRange(m[2] as string);
          assert.ok(length >= lo && length <= hi, `seed ${seed}: ${l}`);
        } else assert.equal(m[2], undefined);
        saving = (lines[i + 1] as string).match(/^Saving to: ‘(.+)’$/)?.[1] ?? "";
        assert.ok(saving, `seed ${seed}: no Saving to after ${l}`);
        assert.equal(lines[i + 2], "", "blank line after Saving to");
      } else if (SAVED.test(l)) {
        const m = l.match(SAVED) as RegExpMatchArray;
        files++;
        assert.equal(m[3], saving, `seed ${seed}: saved name`);
        assert.equal(Number(m[4]), length, `seed ${seed}: bytes saved vs Length`);
        assert.equal(m[4], m[5]);
        const done = (lines[i - 2] as string).match(DONE);
        assert.ok(done, `seed ${seed}: no completion bar before ${l}: ${lines[i - 2]}`);
        const [lo, hi] = sizeRange(done[1] as string);
        assert.ok(length >= lo && length <= hi, `seed ${seed}: final size ${done[1]} vs ${length}`);
        assert.ok(
          (lines[i - 2] as string).startsWith(saving.slice(0, 19)),
          `seed ${seed}: name column`,
        );
        // The saved line's rate is the size over the transfer time shown after "in".
        const secs = durationOf(done[3] as string);
        if (secs >= 1) {
          const expected = length / secs;
          const rel = (secs >= 10 ? 0.5 : 0.05) / secs + 0.006;
          const shown = rateOf(m[2] as string);
          assert.ok(
            Math.abs(shown - expected) / expected <= rel + 0.01,
            `seed ${seed}: ${l} vs ${done[3]}`,
          );
        }
      }
    }
    assert.ok(files > 0, `seed ${seed}: no file saved`);
  }
});

Deno.test("download: FINISHED summary agrees with the files and the pretend time", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(download, { seed, cols: 80 });
    const lines = run.output.trimEnd().split("\n");
    const n = lines.length;
    const fin = (lines[n - 3] as string).match(/^FINISHED --(.+)--$/);
    const wall = (lines[n - 2] as string).match(/^Total wall clock time: (.+)$/);
    const sum = (lines[n - 1] as string).match(/^Downloaded: (\d+) files, (\S+) in (.+) \((.+)\)$/);
    assert.ok(fin && wall && sum, `seed ${seed}: bad summary ${lines.slice(-3).join(" | ")}`);
    const saved = lines.filter((l) => SAVED.test(l)).map((l) => l.match(SAVED) as RegExpMatchArray);
    const ins = lines.filter((l) => DONE.test(l)).map((l) =>
      durationOf((l.match(DONE) as RegExpMatchArray)[3] as string)
    );
    assert.equal(Number(sum[1]), saved.length, `seed ${seed}: file count`);
    const total = saved.reduce((a, m) => a + Number(m[4]), 0);
    const [lo, hi] = sizeRange(sum[2] as string);
    assert.ok(total >= lo && total <= hi, `seed ${seed}: total ${sum[2]} vs ${total}`);
    const pretend = run.pretendMs / 1000;
    const shownWall = durationOf(wall[1] as string);
    assert.ok(Math.abs(shownWall - pretend) <= 0.51, `seed ${seed}: wall ${wall[1]} vs ${pretend}`);
    const first = lines[0]?.match(/^--(.{19})--/)?.[1] as string;
    const span = stampOf(fin[1] as string) - stampOf(first);
    assert.ok(
      Math.abs(span - pretend) <= 1,
      `seed ${seed}: FINISHED − start = ${span}, pretend ${pretend}`,
    );
    const dlTime = durationOf(sum[3] as string);
    const insTotal = ins.reduce((a, b) => a + b, 0);
    assert.ok(
      Math.abs(dlTime - insTotal) <= 0.5 * ins.length + 0.5,
      `seed ${seed}: ${sum[3]} vs Σ in ${insTotal}`,
    );
    assert.ok(dlTime <= shownWall + 0.5, `seed ${seed}: download time above wall time`);
    const rate = rateOf(sum[4] as string);
    assert.ok(
      Math.abs(rate - total / dlTime) / (total / dlTime) < 0.5 / dlTime + 0.01,
      `seed ${seed}: ${sum[4]}`,
    );
  }
});

/** Progress frames of one file, as redrawn every 200 ms in a terminal. */
interface Frame {
  pct: number;
  size: string;
  rate: string;
  eta: string | undefined;
}

/** Splits a terminal run into files, each with its length and live frames. */
function framesPerFile(output: string): { length: number; frames: Frame[] }[] {
  const files: { length: number; frames: Frame[] }[] = [];
  for (const raw of stripAnsi(output).split(/[\r\n]/)) {
    const len = raw.match(/^Length: (\d+)/);
    if (len) files.push({ length: Number(len[1]), frames: [] });
    const m = raw.match(/^.{30} *(\d{1,3})%\[[=> ]*\] +(\S+) +(--\.-KB\/s|\S+)(?: +eta (.+))?$/);
    if (m && !raw.includes(" in ")) {
      files.at(-1)?.frames.push({
        pct: Number(m[1]),
        size: m[2] as string,
        rate: m[3] as string,
        eta: m[4],
      });
    }
  }
  return files;
}

Deno.test("download: bytes are cumulative, the speed is bytes over wget's window, the ETA follows wget's formula", async () => {
  let checked = 0;
  for (const seed of SEEDS.slice(0, 16)) {
    const run = await captureModule(download, { seed, cols: 120, tty: true });
    // The module's own live updates, one per 200 ms tick (the renderer skips unchanged ones).
    for (const file of framesPerFile(run.transcript)) {
      const counts = file.frames.map((f) => sizeRange(f.size));
      let prevHi = 0;
      for (const [k, f] of file.frames.entries()) {
        const [lo, hi] = counts[k] as [number, number];
        assert.ok(
          hi >= prevHi - 1e-6 || lo >= prevHi * 0.99,
          `seed ${seed}: size went down at ${f.size}`,
        );
        prevHi = Math.max(prevHi, hi);
        assert.ok(
          f.pct <= Math.floor((100 * hi) / file.length) &&
            f.pct >= Math.floor((100 * lo) / file.length) - 1,
          `seed ${seed}: ${f.pct}% of ${file.length} at ${f.size}`,
        );
        // Frame k is drawn (k + 1) × 200 ms into the transfer.
        const elapsed = 0.2 * (k + 1);
        const window = Math.min(k + 1, 20);
        const before = k + 1 > 20 ? counts[k - 20] as [number, number] : [0, 0];
        const bytesLo = lo - before[1];
        const bytesHi = hi - before[0];
        const rate = rateOf(f.rate);
        const rateTol = 0.006 * rate + 1;
        assert.ok(
          rate >= bytesLo / (0.2 * window) - rateTol && rate <= bytesHi / (0.2 * window) + rateTol,
          `seed ${seed}: frame ${k}: ${f.rate} vs ${bytesLo / (0.2 * window)}..${
            bytesHi / (0.2 * window)
          }`,
        );
        if (elapsed <= 3) assert.equal(f.eta, undefined, `seed ${seed}: ETA before 3 s`);
        if (f.eta !== undefined) {
          const eta = durationOf(f.eta);
          // Computed at most ~1 s earlier, at some frame j: elapsed_j × remaining_j / count_j.
          let ok = false;
          for (let j = Math.max(0, k - 5); j <= k && !ok; j++) {
            const [cl, ch] = counts[j] as [number, number];
            const t = 0.2 * (j + 1);
            const hiEta = (t * (file.length - cl)) / cl;
            const loEta = (t * (file.length - ch)) / ch;
            const slack = eta >= 100 ? (eta >= 6000 ? 60 : 1) : 0;
            ok = eta >= Math.floor(loEta) - 1 - slack && eta <= Math.ceil(hiEta) + 1 + slack;
          }
          assert.ok(ok, `seed ${seed}: frame ${k}: eta ${f.eta} at ${f.size} of ${file.length}`);
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 500, `only ${checked} frames checked`);
});

/** RFC 5737 and RFC 3849 documentation ranges, and other space no public host answers from. */
const NOT_PUBLIC = [
  "192.0.2.0/24",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "2001:db8::/32",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "127.0.0.0/8",
  "fc00::/7",
];

Deno.test("download: addresses come from each host's provider ranges, at most three then `, ...`", async () => {
  const seen = new Set<string>();
  for (let seed = 1; seed <= 60; seed++) {
    const run = await captureModule(download, { seed, cols: 80 });
    const lines = run.output.split("\n");
    const resolvedTo = new Map<string, string[]>();
    for (const line of lines) {
      const m = line.match(/^Resolving (\S+) \(\1\)\.\.\. (.+)$/);
      if (!m) continue;
      const host = m[1]!;
      seen.add(host);
      const shown = m[2]!.split(", ");
      const more = shown.at(-1) === "...";
      const addrs = more ? shown.slice(0, -1) : shown;
      assert.ok(addrs.length <= 3 && (!more || addrs.length === 3), `seed ${seed}: ${line}`);
      const provider = providerOf(host);
      const lan = host.endsWith(".lan");
      for (const a of addrs) {
        const ranges = a.includes(":") ? provider.v6 : provider.v4;
        assert.ok(ranges.some((r) => inCidr(a, r)), `seed ${seed}: ${a} outside ${host}'s ranges`);
        assert.ok(!NOT_PUBLIC.some((r) => inCidr(a, r)), `seed ${seed}: ${a}`);
        if (!lan) assert.ok(!inCidr(a, "192.168.0.0/16"), `seed ${seed}: ${a}`);
      }
      assert.ok(!resolvedTo.has(host), `seed ${seed}: ${host} resolved twice (wget caches DNS)`);
      resolvedTo.set(host, addrs);
    }
    // Every connection goes to an address the host resolved to.
    for (const line of lines) {
      const c = line.match(/^Connecting to (\S+) \(\1\)\|([^|]+)\|:\d+/);
      if (c && !c[2]!.includes(":")) {
        assert.ok(resolvedTo.get(c[1]!)?.includes(c[2]!), `seed ${seed}: ${line}`);
      }
    }
  }
  assert.ok(seen.size >= 10, `only ${seen.size} hosts`);
  // The ranges in the data are real provider blocks, never documentation space.
  for (const p of Object.values(data.providers)) {
    for (const cidr of [...p.v4, ...p.v6]) {
      const base = cidr.split("/")[0]!;
      assert.ok(!NOT_PUBLIC.slice(0, 4).some((r) => inCidr(base, r)), cidr);
    }
  }
});

Deno.test("download: signed redirect URLs expire after the request that got them", async () => {
  let checked = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const lines = (await captureModule(download, { seed, cols: 80 })).output.split("\n");
    lines.forEach((line, i) => {
      const loc = line.match(/^Location: (\S+) \[following\]$/);
      if (!loc) return;
      // The request's stamp is the last `--date--` line before the Location.
      const request = lines.slice(0, i).findLast((l) => l.startsWith("--"))!.slice(2, 21);
      const at = Date.parse(request.replace(" ", "T") + "Z");
      const q = new URL(loc[1]!).searchParams;
      if (q.has("se")) {
        const se = Date.parse(q.get("se")!),
          skt = Date.parse(q.get("skt")!),
          ske = Date.parse(q.get("ske")!);
        assert.ok(
          se > at && se - at <= 60 * 60_000,
          `seed ${seed}: se ${q.get("se")} vs ${request}`,
        );
        assert.ok(skt <= at && ske >= se, `seed ${seed}: key validity`);
        const payload = JSON.parse(
          atob(q.get("jwt")!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")),
        );
        assert.ok(payload.nbf * 1000 <= at && payload.exp * 1000 > at, `seed ${seed}: jwt`);
        assert.ok(/^[A-Za-z0-9+/]{43}=$/.test(q.get("sig")!), `seed ${seed}: sig ${q.get("sig")}`);
        checked++;
      }
      if (q.has("X-Amz-Date")) {
        const d = q.get("X-Amz-Date")!;
        const iso = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 11)}:${d.slice(11, 13)}:${
          d.slice(13)
        }`;
        const signed = Date.parse(iso) - at; // signed when the response came, after the stamp
        assert.ok(signed >= 0 && signed <= 30_000, `seed ${seed}: X-Amz-Date ${d} vs ${request}`);
        assert.ok(q.get("X-Amz-Credential")!.includes(d.slice(0, 8)), `seed ${seed}`);
        checked++;
      }
    });
  }
  assert.ok(checked >= 10, `only ${checked} signed URLs`);
});

Deno.test("download: wget's number formats", () => {
  assert.equal(humanReadable(6335377408, 10, 1), "5.9G");
  assert.equal(humanReadable(2372862607, 1000, 2), "2.21G");
  assert.equal(humanReadable(641_728_512, 10, 1), "612M");
  assert.equal(humanReadable(663, 10, 1), "663");
  assert.equal(humanReadable(1_030_000, 1000, 2), "1006K");
  assert.equal(barRate(48.3 * 1024 * 1024), "48.3MB/s");
  assert.equal(barRate(512), " 512 B/s");
  assert.equal(etaShort(65), "65s");
  assert.equal(etaShort(126), "2m 6s");
  assert.equal(etaShort(3 * 3600 + 120), "3h 2m");
  assert.equal(secsToHuman(451.6), "7m 32s");
  assert.equal(secsToHuman(12.3), "12s");
  assert.equal(secsToHuman(4.24), "4.2s");
  assert.equal(secsToHuman(3725), "1h 2m 5s");
});

Deno.test("download: the progress line fits every width from 20 to 200 columns", () => {
  for (let cols = 20; cols <= 200; cols++) {
    const g = geometry(cols);
    assert.ok(g.barCols === 0 || g.barCols >= 5, `${cols}: bar of ${g.barCols}`);
    for (const done of [false, true]) {
      const line = renderBar({
        name: "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
        total: 4920734016,
        count: done ? 4920734016 : 2372862607,
        elapsed: 6123,
        rate: 1023 * 1024 * 1024,
        eta: 5999,
        done,
        tick: cols,
      }, cols);
      assert.ok(line.length <= cols - 1, `${cols}: ${line.length} > ${cols - 1}: ${line}`);
      assert.match(line, done ? /100%/ : /48%/);
    }
  }
  assert.equal(geometry(80).nameCols, 19);
  assert.equal(geometry(80).barCols, 20);
});

Deno.test("download: snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(download, { seed: 1, cols: 80 })).output);
});
