/**
 * rsync: `rsync -avh --info=progress2` of a photo library or a dataset to a
 * NAS, and in some runs a `zpool scrub` on the NAS watched through
 * `zpool status`.
 *
 * One dataset per run, with its directories and file sizes. rsync's own
 * formats: `sending incremental file list`, each name as it starts (with
 * `-v`), the progress2 line (`1.23G  45%  112.34MB/s    0:00:12 (xfr#12,
 * ir-chk=1000/1234)`, `ir-chk` while the incremental scan is running, then
 * `to-chk`) left in place when the next name is printed, as rsync does, and the
 * summary with `-h` units of 1000 (the rate over whole seconds plus a half, and
 * the speedup as total size over bytes on the wire). Files already on the NAS
 * are skipped. Sometimes the connection drops part-way; rsync reports the
 * broken pipe and the rerun picks up where it left off.
 *
 * The scrub's figures agree: scanned and issued over elapsed are the rates
 * shown, the percentage is issued over allocated, and the time to go is what
 * is left at the issue rate.
 *
 * @module
 */

import data from "../data/rsync.json" with { type: "json" };
import { clamp, MONTHS, pad, WEEKDAYS } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

/** One file of the dataset. */
export interface FileEntry {
  path: string;
  size: number;
  /** Already on the destination, unchanged. */
  present: boolean;
}

/** One run, drawn up front. */
export interface Plan {
  source: string;
  dest: string;
  files: FileEntry[];
  /** Directories, in the order the incremental list sends them. */
  dirs: string[];
  /** Bytes per second over the wire. */
  rate: number;
  /** Index of the file during which the connection drops, or -1. */
  dropAt: number;
  scrub: boolean;
}

/** Draws the dataset and the link. */
export function planSync(rng: Rng): Plan {
  const set = rng.pick(data.sets);
  const files: FileEntry[] = [];
  const dirs: string[] = [];
  const resync = rng.chance(0.35);
  const rate = clamp(rng.logNormal(set.rateMB, 0.3), 30, 900) * 1e6;
  // About a minute or two of transfer at this rate.
  const budget = rate * rng.float(50, 110);
  let bytes = 0;
  let d = 0;
  while (bytes < budget && d < 400) {
    const dir = set.dir.replace("{n}", String(d)).replace("{y}", String(2019 + Math.floor(d / 12)))
      .replace("{m}", pad((d % 12) + 1));
    dirs.push(dir);
    const count = rng.int(set.perDir[0]!, set.perDir[1]!);
    for (let k = 0; k < count; k++) {
      const kind = rng.weighted(set.kinds, set.kinds.map((x) => x.weight));
      const size = Math.round(rng.logNormal(kind.medianMB * 1e6, kind.sigma));
      const name = kind.name.replace(
        "{i}",
        String(set.start + files.length).padStart(kind.digits, "0"),
      )
        .replace("{n}", String(d * 100 + k).padStart(5, "0"));
      const present = resync && rng.chance(0.85);
      files.push({ path: `${dir}${name}`, size, present });
      if (!present) bytes += size;
      if (bytes >= budget) break;
    }
    d++;
  }
  return {
    source: set.source,
    dest: rng.pick(set.dests),
    files,
    dirs,
    rate,
    dropAt: rng.chance(0.1) ? rng.int(Math.floor(files.length / 3), files.length - 1) : -1,
    scrub: rng.chance(0.4),
  };
}

/** rsync's `-h` numbers (units of 1000): `842`, `4.32K`, `1.23G`. */
export function human(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (n < 1000) return String(Math.round(n));
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(2)}${units[u]}`;
}

/** The progress2 line. */
export function progressLine(
  bytes: number,
  pct: number,
  rateBps: number,
  etaSeconds: number,
  xfr: number,
  chk: { done: boolean; left: number; total: number },
): string {
  let rate = rateBps / 1024;
  let units = "kB/s";
  if (rate > 1024 * 1024) {
    rate /= 1024 * 1024;
    units = "GB/s";
  } else if (rate > 1024) {
    rate /= 1024;
    units = "MB/s";
  }
  const s = Math.max(0, Math.round(etaSeconds));
  const eta = `${String(Math.floor(s / 3600)).padStart(4)}:${pad(Math.floor(s / 60) % 60)}:${
    pad(s % 60)
  }`;
  return `${human(bytes).padStart(15)} ${String(Math.floor(pct)).padStart(3)}% ${
    rate.toFixed(2).padStart(7)
  }${units} ${eta} (xfr#${xfr}, ${chk.done ? "to" : "ir"}-chk=${chk.left}/${chk.total})`;
}

async function prompt(ctx: Context, command: string): Promise<void> {
  await ctx.sleep(ctx.rng.int(500, 1_800));
  ctx.out.line(`${ctx.style.bold("$")} ${command}`);
}

/** One rsync run from file `from`; returns the index it stopped at (files.length when done). */
async function sync(ctx: Context, p: Plan, from: number, drop: number): Promise<number> {
  const { out, rng } = ctx;
  await prompt(ctx, `rsync -avh --info=progress2 ${p.source} ${p.dest}`);
  await ctx.sleep(rng.int(400, 1_500));
  out.line("sending incremental file list");
  const start = ctx.clock.now();
  const total = p.files.reduce((a, f) => a + f.size, 0);
  let sent = 0;
  let xfr = 0;
  let done = 0;
  let dirIndex = -1;
  let lastProgress = "";
  // Per directory: where its files start and whether all of them are in place.
  const dirOf = p.files.map((f) => p.dirs.indexOf(f.path.slice(0, f.path.lastIndexOf("/") + 1)));
  const firstOf: number[] = p.dirs.map(() => p.files.length);
  const allPresent: boolean[] = p.dirs.map(() => true);
  dirOf.forEach((d, i) => {
    firstOf[d] = Math.min(firstOf[d]!, i);
    if (!p.files[i]!.present) allPresent[d] = false;
  });
  // The incremental scan stays a directory ahead of the transfer.
  const scanned = (i: number) => {
    const upTo = Math.min(p.dirs.length, dirOf[i]! + 2);
    return {
      count: upTo === p.dirs.length ? p.files.length : firstOf[upTo]!,
      complete: upTo === p.dirs.length,
    };
  };
  for (let i = 0; i < p.files.length; i++) {
    const f = p.files[i]!;
    const d = dirOf[i]!;
    const dir = p.dirs[d]!;
    if (d !== dirIndex) {
      dirIndex = d;
      if (i >= from && !allPresent[d]) {
        if (lastProgress) out.line(lastProgress);
        lastProgress = "";
        out.line(dir);
      }
    }
    if (i < from || f.present) {
      done += f.size;
      continue;
    }
    if (lastProgress) out.line(lastProgress);
    out.line(f.path);
    xfr++;
    const ms = (f.size / p.rate) * 1000 + rng.int(2, 15);
    const steps = Math.max(1, Math.round(ms / 500));
    const scan = scanned(i);
    const chk = { done: scan.complete, left: scan.count - i - 1, total: scan.count };
    for (let k = 1; k <= steps; k++) {
      if (i === drop && k > steps / 2) {
        out.live([]);
        out.line(lastProgress || progressLine(sent, (done * 100) / total, p.rate, 0, xfr, chk));
        out.line("client_loop: send disconnect: Broken pipe");
        out.line(`rsync: [sender] write error: Broken pipe (32)`);
        out.line("rsync error: error in socket IO (code 10) at io.c(848) [sender=3.4.1]");
        return i;
      }
      await ctx.sleep(ms / steps);
      const part = (f.size * k) / steps;
      const elapsed = (ctx.clock.now() - start) / 1000;
      const speed = (sent + part) / Math.max(0.5, elapsed);
      const line = progressLine(
        sent + part,
        ((done + part) * 100) / total,
        speed,
        (total - done - part) / p.rate,
        xfr,
        chk,
      );
      // rsync rewrites the line with \r; only a terminal shows it moving.
      if (ctx.term.isTTY) out.live([line]);
      lastProgress = line;
    }
    out.live([]);
    sent += f.size;
    done += f.size;
  }
  if (lastProgress) out.line(lastProgress);
  const seconds = Math.floor((ctx.clock.now() - start) / 1000);
  const overhead = p.files.length * rng.int(60, 90) + rng.int(2_000, 9_000);
  const received = p.files.length * rng.int(20, 40) + rng.int(800, 3_000);
  const wire = sent + overhead;
  out.line("");
  out.line(
    `sent ${human(wire)} bytes  received ${human(received)} bytes  ${
      human((wire + received) / (seconds + 0.5))
    } bytes/sec`,
  );
  out.line(`total size is ${human(total)}  speedup is ${(total / (wire + received)).toFixed(2)}`);
  return p.files.length;
}

/** Go-style `Wed Dec  2 23:41:07 2026` as zpool prints it. */
function ctime(d: Date): string {
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${
    String(d.getUTCDate()).padStart(2)
  } ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${
    pad(d.getUTCSeconds())
  } ${d.getUTCFullYear()}`;
}

/** zpool's sizes: `987G`, `4.56T`, `812M`. */
export function zfsSize(bytes: number): string {
  const units = ["B", "K", "M", "G", "T", "P"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)}B`;
  return v < 10
    ? `${v.toFixed(2)}${units[u]}`
    : v < 100
    ? `${v.toFixed(1)}${units[u]}`
    : `${Math.round(v)}${units[u]}`;
}

/** `01:15:32`. */
function hhmmss(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** A scrub's state at one moment. */
export interface ScrubState {
  allocated: number;
  scanned: number;
  issued: number;
  elapsed: number;
}

/** The three `scan:` lines of `zpool status` during a scrub. */
export function scanLines(since: string, s: ScrubState): string[] {
  const pct = (s.issued * 100) / s.allocated;
  const issueRate = s.issued / s.elapsed;
  return [
    `  scan: scrub in progress since ${since}`,
    `        ${zfsSize(s.scanned)} / ${zfsSize(s.allocated)} scanned at ${
      zfsSize(s.scanned / s.elapsed)
    }/s, ${zfsSize(s.issued)} / ${zfsSize(s.allocated)} issued at ${zfsSize(issueRate)}/s`,
    `        0B repaired, ${pct.toFixed(2)}% done, ${
      hhmmss((s.allocated - s.issued) / issueRate)
    } to go`,
  ];
}

async function scrub(ctx: Context, rng: Rng): Promise<void> {
  const pool = rng.pick(data.pools);
  const disks = rng.sample(pool.disks, pool.width).map((d) =>
    `${d}${rng.hex(4).toUpperCase()}${rng.int(10, 99)}`
  );
  const allocated = rng.float(pool.allocatedTB[0]!, pool.allocatedTB[1]!) * 1e12;
  const scanRate = rng.float(0.9, 1.6) * 2 ** 30;
  const issueRate = scanRate * rng.float(0.55, 0.85);
  await prompt(ctx, `sudo zpool scrub ${pool.name}`);
  await ctx.sleep(rng.int(300, 900));
  const startedAt = ctx.clock.wall();
  const started = ctx.clock.now();
  const since = ctime(startedAt);
  await prompt(ctx, `watch -n 10 zpool status ${pool.name}`);
  const nameWidth = Math.max(10, ...disks.map((d) => d.length + 4));
  const row = (depth: number, name: string) =>
    `        ${" ".repeat(depth)}${name.padEnd(nameWidth - depth)}  ${"ONLINE".padEnd(8)} ${
      "0".padStart(5)
    } ${"0".padStart(5)} ${"0".padStart(5)}`;
  const frame = (): string[] => {
    const elapsed = (ctx.clock.now() - started) / 1000 + 1;
    const state = {
      allocated,
      // Scanning runs ahead of issuing; both start with the metadata walk.
      scanned: Math.min(allocated, scanRate * elapsed),
      issued: Math.min(allocated, issueRate * elapsed),
      elapsed,
    };
    const title = `Every 10.0s: zpool status ${pool.name}`;
    const clock = `${pool.host}: ${ctime(ctx.clock.wall())}`;
    const width = ctx.term.isTTY ? ctx.term.cols : 80;
    return [
      `${title}${" ".repeat(Math.max(1, width - title.length - clock.length))}${clock}`,
      "",
      `  pool: ${pool.name}`,
      " state: ONLINE",
      ...scanLines(since, state),
      "config:",
      "",
      `        ${"NAME".padEnd(nameWidth)}  STATE     READ WRITE CKSUM`,
      row(0, pool.name),
      row(2, `${pool.vdev}-0`),
      ...disks.map((d) => row(4, d)),
      "",
      "errors: No known data errors",
    ];
  };
  const rounds = rng.int(3, 6);
  for (let k = 0; k < rounds; k++) {
    ctx.out.live(frame());
    await ctx.sleep(10_000);
  }
  ctx.out.live([]);
  // watch leaves the last screen behind when interrupted.
  for (const l of frame()) ctx.out.line(l);
  ctx.out.line("^C");
}

async function run(ctx: Context): Promise<void> {
  const p = planSync(ctx.rng);
  let at = await sync(ctx, p, 0, p.dropAt);
  if (at < p.files.length) {
    // The rerun finds the finished files in place and resumes with the interrupted one.
    for (let i = 0; i < at; i++) p.files[i]!.present = true;
    at = await sync(ctx, p, 0, -1);
  }
  if (p.scrub) await scrub(ctx, ctx.rng);
}

/** `rsync -avh --info=progress2` to a NAS, then a scrub. */
export const rsync: Module = {
  name: "rsync",
  signature: "rsync -avh --info=progress2 /srv/photos/ nas:/tank/photos/",
  about: "Copy a dataset to a NAS with rsync's progress2 line, then watch a zpool scrub",
  maxDurationMs: 260_000,
  run,
};
