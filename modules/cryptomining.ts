/**
 * cryptomining: an XMRig (Monero, RandomX on the CPU) session. The start-up
 * banner, the pool connection, the RandomX dataset, then a log of new jobs,
 * accepted shares at a rate that follows hashrate ÷ difficulty, and the
 * `miner speed 10s/60s/15m` line every minute, until Ctrl+C. Run as root (the
 * MSR mod applied), XMRig reads the DMI tables: the banner lists the DIMMs and
 * the motherboard. Pressing `h` prints the per-thread hashrate table, then the
 * speed line; its rows add up to the total.
 *
 * @module
 */

import data from "../data/cryptomining.json" with { type: "json" };
import { hms, pad } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Paint, Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** A CPU from the data file. */
export type Cpu = (typeof data.cpus)[number];
/** A mining pool from the data file. */
export type Pool = (typeof data.pools)[number];

/** One log line at a pretend time (ms since the module started). */
export interface MinerEvent {
  t: number;
  tag: Tag;
  text: (s: Style) => string;
  /** Printed without timestamp or tag (the `h` table rows). */
  raw?: boolean;
}

/** The log tags XMRig prints after the timestamp. */
export type Tag = "net" | "cpu" | "miner" | "randomx" | "msr" | "signal";

const PRINT_TIME_MS = 60_000;
const DATASET_MB = 2080;
const CACHE_MB = 256;

/** `[2026-03-14 09:26:53.123]` (or only the time, for narrow terminals). */
export function stamp(date: Date, withDate = true): string {
  const time = `${hms(date)}.${pad(date.getUTCMilliseconds(), 3)}`;
  if (!withDate) return `[${time}]`;
  return `[${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${
    pad(date.getUTCDate())
  } ${time}]`;
}

function tagPaint(s: Style, tag: Tag): Paint {
  const colour = {
    net: s.blue,
    cpu: s.cyan,
    miner: s.magenta,
    randomx: s.fg256(99),
    msr: s.blue,
    signal: s.yellow,
  }[tag];
  return s.combine(s.bold, s.inverse, colour);
}

/**
 * A whole log line: timestamp, tag and message. Narrow terminals drop the date
 * (below 60 columns), then the milliseconds and the tag padding (below 40).
 */
export function renderEvent(e: MinerEvent, date: Date, s: Style, cols = 80): string {
  if (e.raw) return e.text(s);
  if (cols < 40) {
    const time = hms(date);
    return `${s.gray(time)} ${tagPaint(s, e.tag)(e.tag)} ${e.text(s)}`;
  }
  const tag = tagPaint(s, e.tag)(` ${e.tag.padEnd(8)}`);
  return `${s.gray(stamp(date, cols >= 60))} ${tag} ${e.text(s)}`;
}

/** Threads XMRig picks for RandomX: one per 2 MB of L3, at most one per hardware thread. */
export function rxThreads(cpu: Cpu): number {
  return Math.min(cpu.threads, Math.floor(cpu.l3 / 2));
}

/** The start-up banner. */
/** A memory module as XMRig lists it from the DMI tables. */
export interface Dimm {
  slot: string;
  /** GB, or 0 for an empty slot. */
  gb: number;
  part: string;
}

/** The DIMM slots of the machine: populated in pairs (A2/B2 first) or all of a server's channels. */
export function dimms(rng: Rng, cpu: Cpu, totalGb: number): Dimm[] {
  const server = cpu.slots > 4;
  const count = server ? cpu.slots : totalGb >= 128 ? 4 : 2;
  const parts: Record<string, string> = data.dimmParts[server ? "RDIMM" : cpu.memType as "DDR4"];
  const part = parts[String(totalGb / count)] ?? rng.pick(Object.values(parts));
  if (server) {
    return Array.from({ length: count }, (_, i) => ({
      slot: `P1-DIMM${String.fromCharCode(65 + i)}1`,
      gb: totalGb / count,
      part,
    }));
  }
  return ["A1", "A2", "B1", "B2"].map((slot) => ({
    slot: `DIMM_${slot}`,
    gb: count === 4 || slot.endsWith("2") ? totalGb / count : 0,
    part,
  }));
}

/** The start-up banner; `dmi` (root only) adds the DIMM rows and the motherboard. */
export function banner(
  cpu: Cpu,
  pool: Pool,
  hugePages: boolean,
  memGb: number,
  usedGb: number,
  s: Style,
  dmi?: Dimm[],
): string[] {
  const row = (key: string, value: string) => ` ${s.green("*")} ${s.bold(key.padEnd(13))}${value}`;
  const cmd = (w: string) => `${s.combine(s.bold, s.magenta)(w[0]!)}${s.bold(w.slice(1))}`;
  return [
    row(
      "ABOUT",
      `${
        s.combine(s.bold, s.cyan)(`XMRig/${data.version}`)
      } ${data.compiler} (built for Linux x86-64, 64 bit)`,
    ),
    row("LIBS", data.libs),
    row(
      "HUGE PAGES",
      hugePages ? s.combine(s.bold, s.green)("supported") : s.combine(s.bold, s.red)("unavailable"),
    ),
    row("1GB PAGES", s.yellow("disabled")),
    row("CPU", `${cpu.name} (1) ${s.green("64-bit")} ${s.green("AES")}`),
    `${" ".repeat(16)}${
      s.gray(
        `L2:${cpu.l2.toFixed(1)} MB L3:${
          cpu.l3.toFixed(1)
        } MB ${cpu.cores}C/${cpu.threads}T NUMA:1`,
      )
    }`,
    row(
      "MEMORY",
      `${s.bold(`${usedGb.toFixed(1)}/${memGb.toFixed(1)}`)} GB (${
        Math.round((usedGb / memGb) * 100)
      }%)`,
    ),
    ...(dmi ?? []).map((d) =>
      `${" ".repeat(16)}${d.slot}: ${
        d.gb > 0
          ? `${s.combine(s.bold, s.cyan)(String(d.gb))}${s.cyan(" GB ")}${
            s.bold(`${cpu.memType} @ ${cpu.memSpeed} MHz `)
          }${s.gray(d.part)}`
          : s.gray("<empty>")
      }`
    ),
    ...(dmi ? [row("MOTHERBOARD", cpu.board)] : []),
    row("DONATE", s.bold("1%")),
    row("ASSEMBLY", `auto:${s.bold(cpu.asm)}`),
    row(
      "POOL #1",
      `${s.combine(s.bold, s.cyan)(`${pool.host}:${pool.port}`)} algo ${s.bold("auto")}`,
    ),
    row("COMMANDS", ["hashrate", "pause", "resume", "results", "connection"].map(cmd).join(", ")),
    row("OPENCL", s.yellow("disabled")),
    row("CUDA", s.yellow("disabled")),
  ];
}

/** A Monero block height for a wall-clock time, from one known height and 2-minute blocks. */
export function moneroHeight(wallMs: number): number {
  const h = data.moneroHeight;
  return h.height + Math.floor((wallMs - h.atMs) / (h.blockSeconds * 1000));
}

/** Speed-line figures: 10 s and 60 s averages (null until enough data) and the best 10 s value. */
export interface Speed {
  s10: number;
  s60: number | null;
  max: number;
}

function fmtRate(v: number | null): string {
  return v === null ? "n/a" : v.toFixed(1);
}

/** The `miner speed` message. */
export function speedText(sp: Speed, s: Style): string {
  const c = s.combine(s.bold, s.cyan);
  return `speed 10s/60s/15m ${c(fmtRate(sp.s10))} ${s.cyan(fmtRate(sp.s60))} ${s.cyan("n/a")} ` +
    `${c("H/s")} max ${c(`${fmtRate(sp.max)} H/s`)}`;
}

/** A share the pool answered. */
export interface Share {
  ok: boolean;
  /** Running totals after this answer. */
  accepted: number;
  rejected: number;
  diff: number;
  /** Round trip to the pool. */
  ms: number;
}

/** `accepted (12/0) diff 120000 (45 ms)` or the rejected form. */
export function shareText(sh: Share, s: Style): string {
  const r = sh.rejected > 0 ? s.red(String(sh.rejected)) : "0";
  const word = sh.ok
    ? s.combine(s.bold, s.green)("accepted")
    : s.combine(s.bold, s.red)("rejected");
  const reason = sh.ok ? "" : ` ${s.red('"Low difficulty share"')}`;
  return `${word} (${sh.accepted}/${r}) diff ${s.bold(String(sh.diff))}${reason} ${
    s.gray(`(${sh.ms} ms)`)
  }`;
}

/** Options for {@linkcode simulateMiner}. */
export interface MinerSetup {
  cpu: Cpu;
  pool: Pool;
  hugePages: boolean;
  msrOk: boolean;
  /** Pretend ms at which the user presses Ctrl+C. */
  lengthMs: number;
  /** Wall-clock epoch ms at the module start (for the block height). */
  wallMs: number;
}

/** Generates the whole log after the banner, sorted by time. */
export function simulateMiner(rng: Rng, setup: MinerSetup): MinerEvent[] {
  const { cpu, pool, lengthMs } = setup;
  const ev: MinerEvent[] = [];
  const add = (t: number, tag: Tag, text: (s: Style) => string, raw = false) => {
    if (t < lengthMs) ev.push({ t, tag, text, ...(raw ? { raw } : {}) });
  };
  const threads = rxThreads(cpu);
  const pages = (DATASET_MB + CACHE_MB) / 2;
  // The pool's servers sit in its hosting provider's network (OVH, Hetzner).
  const ip = `${pool.ipPrefix}.${rng.int(2, 250)}`;
  const bold = (s: Style) => s.bold;
  const pct = (
    s: Style,
    ok: boolean,
  ) => (ok ? s.combine(s.bold, s.green)("100%") : s.combine(s.bold, s.red)("0%"));
  let t = rng.int(5, 60);
  add(
    t,
    "net",
    (s) =>
      `use pool ${s.combine(s.bold, s.cyan)(`${pool.host}:${pool.port}`)} ${
        pool.tls ? `${s.bold("TLSv1.3")} ` : ""
      }${s.gray(ip)}`,
  );

  if (pool.tls) {
    const fingerprint = rng.hex(64);
    add(t + 1, "net", (s) => `fingerprint (SHA-256): "${s.bold(fingerprint)}"`);
  }

  let height = moneroHeight(setup.wallMs);
  let diff = pool.startDiff;
  const job = (at: number, newBlock: boolean) => {
    if (newBlock) height++;
    const h = height, d = diff, tx = rng.int(newBlock ? 2 : 10, 90);
    add(
      at,
      "net",
      (s) =>
        `${s.combine(s.bold, s.magenta)("new job")} from ${
          bold(s)(`${pool.host}:${pool.port}`)
        } diff ${bold(s)(String(d))} algo ${bold(s)("rx/0")} height ${
          bold(s)(String(h))
        } (${tx} tx)`,
    );
  };
  t += rng.int(150, 700);
  job(t, false);

  // The CPU backend takes the first job: it names its argon2 code path, then applies the MSR preset.
  t += rng.int(1, 4);
  add(t, "cpu", (s) => `use argon2 implementation ${s.bold(cpu.avx512 ? "AVX-512F" : "AVX2")}`);
  t += rng.int(1, 4);
  const msrMs = rng.int(1, 9);
  if (setup.msrOk) {
    add(
      t,
      "msr",
      (s) =>
        `register values for "${s.bold(cpu.msr)}" preset have been set successfully ${
          s.gray(`(${msrMs} ms)`)
        }`,
    );
  } else {add(t, "msr", (s) =>
      s.combine(s.bold, s.red)("FAILED TO APPLY MSR MOD, HASHRATE WILL BE LOW"));}
  const seed = rng.hex(16);
  add(
    t + 1,
    "randomx",
    (s) =>
      `${s.combine(s.bold, s.magenta)("init dataset")} algo ${s.bold("rx/0")} (${
        s.cyan(String(cpu.threads))
      } threads) ${s.gray(`seed ${seed}...`)}`,
  );
  const hp = setup.hugePages ? pages : 0;
  const jitMs = rng.int(0, 3);
  add(
    t + 2,
    "randomx",
    (s) =>
      `${s.green("allocated")} ${s.cyan(`${DATASET_MB + CACHE_MB} MB`)} ${
        s.gray(`(${DATASET_MB}+${CACHE_MB})`)
      } huge pages ${pct(s, setup.hugePages)} ${hp}/${pages} +JIT ${s.gray(`(${jitMs} ms)`)}`,
  );
  const datasetMs = Math.round(
    (110_000 / cpu.threads) * rng.float(0.9, 1.15) * (setup.hugePages ? 1 : 1.6),
  );
  t += 2 + datasetMs;
  add(
    t,
    "randomx",
    (s) => `${s.combine(s.bold, s.green)("dataset ready")} ${s.gray(`(${datasetMs} ms)`)}`,
  );
  add(
    t + 1,
    "cpu",
    (s) =>
      `use profile ${s.inverse(" rx ")} (${s.cyan(String(threads))} threads) scratchpad ${
        s.cyan("2048 KB")
      }`,
  );
  const readyMs = rng.int(8, 160);
  t += 1 + readyMs;
  const tp = setup.hugePages ? threads : 0;
  add(
    t,
    "cpu",
    (s) =>
      `${s.combine(s.bold, s.green)("READY")} threads ${
        s.cyan(`${threads}/${threads}`)
      } (${threads}) huge pages ${pct(s, setup.hugePages)} ${tp}/${threads} memory ${
        s.cyan(`${threads * 2048} KB`)
      } ${s.gray(`(${readyMs} ms)`)}`,
  );
  const mining = t;

  // Hashrate, second by second: a short ramp, then a steady rate with a little noise.
  const base = cpu.hashrate * (setup.msrOk ? 1 : 0.87) * (setup.hugePages ? 1 : 0.62) *
    rng.float(0.94, 1.04);
  const seconds = Math.ceil((lengthMs - mining) / 1000) + 1;
  const rate: number[] = [];
  for (let i = 0; i < seconds; i++) {
    rate.push(base * Math.min(1, 0.55 + i * 0.12) * (1 + rng.normal(0, 0.012)));
  }
  const rateAt = (ms: number) =>
    rate[Math.max(0, Math.min(rate.length - 1, Math.floor((ms - mining) / 1000)))]!;
  const avg = (from: number, to: number) => {
    const a = Math.max(0, Math.floor((from - mining) / 1000)),
      b = Math.max(a + 1, Math.floor((to - mining) / 1000));
    let sum = 0;
    for (let i = a; i < b; i++) sum += rate[Math.min(i, rate.length - 1)]!;
    return sum / (b - a);
  };

  // Jobs: one per block (about every 2 minutes) plus template refreshes; vardiff retargets early.
  const retargetAt = mining + rng.float(20_000, 60_000);
  let nextBlock = mining + rng.exp(120_000);
  let nextRefresh = mining + rng.exp(40_000);
  const diffAt: { t: number; diff: number }[] = [{ t: 0, diff }];
  while (Math.min(nextBlock, nextRefresh) < lengthMs) {
    const at = Math.min(nextBlock, nextRefresh);
    const block = at === nextBlock;
    if (at >= retargetAt && diff === pool.startDiff) {
      diff = Math.round(base * rng.float(24, 36));
      diffAt.push({ t: at, diff });
    }
    job(at, block);
    if (block) nextBlock = at + rng.exp(120_000);
    else nextRefresh = at + rng.exp(40_000);
  }
  const diffFor = (at: number) => diffAt.filter((d) => d.t <= at).at(-1)!.diff;

  // Shares: a Poisson process at hashrate ÷ difficulty, answered after the pool's latency.
  let accepted = 0, rejected = 0, answered = 0;
  const latency = rng.int(20, 140);
  for (let at = mining + rng.exp((diffFor(mining) / base) * 1000); at < lengthMs;) {
    const d = diffFor(at);
    const ms = Math.round(latency * rng.float(0.8, 1.6));
    // The pool answers in submission order.
    answered = Math.max(answered + 1, Math.round(at + ms));
    const ok = !rng.chance(0.006);
    if (ok) accepted++;
    else rejected++;
    const share: Share = { ok, accepted, rejected, diff: d, ms };
    add(answered, "cpu", (s) => shareText(share, s));
    at += rng.exp((diffFor(at) / rateAt(at)) * 1000);
  }

  // Speed lines every print-time, and when the user presses `h`.
  const presses = Array.from({ length: rng.int(0, 2) }, () => rng.float(mining + 12_000, lengthMs));
  const speedTimes = [...presses];
  const phase = rng.int(1, 999); // the print timer's offset from the start
  for (let at = PRINT_TIME_MS + phase; at < lengthMs; at += PRINT_TIME_MS) {
    if (at > mining + 10_000) speedTimes.push(at);
  }
  let best = 0;
  for (const at of speedTimes.sort((a, b) => a - b)) {
    for (let sec = mining + 10_000; sec <= at; sec += 1000) {
      best = Math.max(best, avg(sec - 10_000, sec));
    }
    const sp: Speed = {
      s10: avg(at - 10_000, at),
      s60: at - mining >= 60_000 ? avg(at - 60_000, at) : null,
      max: best,
    };
    sp.max = Math.max(sp.max, sp.s10);
    if (presses.includes(at)) {
      for (const row of hashrateTable(rng, cpu, threads, sp)) add(at, "miner", row, true);
    }
    add(at, "miner", (s) => speedText(sp, s));
  }
  return ev.sort((a, b) => a.t - b.t);
}

/** XMRig's hashrate cell: one decimal, or `n/a`, right-aligned in 7. */
function cell(v: number | null): string {
  return (v === null ? "n/a" : v.toFixed(1)).padStart(7);
}

/**
 * The table the `h` key prints before the speed line: one row per mining
 * thread (pinned one per core first) and the total, which is the speed line's.
 */
export function hashrateTable(
  rng: Rng,
  cpu: Cpu,
  threads: number,
  sp: Speed,
): ((s: Style) => string)[] {
  const weights = Array.from({ length: threads }, () => 1 + rng.normal(0, 0.01));
  const sum = weights.reduce((a, b) => a + b, 0);
  const share = (v: number | null, w: number) => (v === null ? null : (v * w) / sum);
  const smt = cpu.threads === cpu.cores * 2 && threads <= cpu.cores;
  const rows: ((s: Style) => string)[] = [
    (s) => s.bold("|    CPU # | AFFINITY | 10s H/s | 60s H/s | 15m H/s |"),
  ];
  weights.forEach((w, i) => {
    const affinity = smt ? 2 * i : i;
    rows.push(() =>
      `| ${String(i).padStart(8)} | ${String(affinity).padStart(8)} | ${cell(share(sp.s10, w))} | ${
        cell(share(sp.s60, w))
      } | ${cell(null)} |`
    );
  });
  rows.push((s) =>
    s.bold(`|        - |        - | ${cell(sp.s10)} | ${cell(sp.s60)} | ${cell(null)} |`)
  );
  return rows;
}

/** The cryptomining module. */
export const cryptomining: Module = {
  name: "cryptomining",
  signature: "./xmrig -c config.json",
  about: "Mines Monero with XMRig on the CPU: jobs, accepted shares, hashrate",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { rng, out, style } = ctx;
    const start = ctx.clock.now();
    const wallMs = ctx.clock.wall().getTime();
    const cpu = rng.pick(data.cpus);
    const pool = rng.pick(data.pools);
    const hugePages = rng.chance(0.82);
    // DDR5 machines come with 2 × 16 GB at least.
    const memGb = rng.pick(
      data.memoryGb.filter((m) => m >= cpu.threads / 2 && (cpu.memType !== "DDR5" || m >= 32)),
    );
    const lengthMs = Math.round(rng.float(65_000, 230_000));
    // Applying the MSR preset needs root, and as root XMRig can read the DMI tables.
    const msrOk = rng.chance(0.7);
    const dmi = msrOk ? dimms(rng, cpu, memGb) : undefined;
    for (
      const line of banner(
        cpu,
        pool,
        hugePages,
        memGb * 0.976,
        memGb * rng.float(0.12, 0.55),
        style,
        dmi,
      )
    ) out.line(line);
    const events = simulateMiner(rng, { cpu, pool, hugePages, msrOk, lengthMs, wallMs });
    const print = (e: MinerEvent) =>
      out.line(renderEvent(e, new Date(wallMs + Math.floor(e.t)), style, ctx.term.cols));
    for (const e of events) {
      const wait = start + e.t - ctx.clock.now();
      if (wait > 0) await ctx.sleep(wait);
      print(e);
    }
    await ctx.sleep(Math.max(0, start + lengthMs - ctx.clock.now()));
    print({ t: lengthMs, tag: "signal", text: (s) => `${s.bold("Ctrl+C")} received, exiting` });
    const stopMs = rng.int(8, 60);
    await ctx.sleep(stopMs);
    print({ t: lengthMs + stopMs, tag: "cpu", text: (s) => `stopped ${s.gray(`(${stopMs} ms)`)}` });
  },
};
