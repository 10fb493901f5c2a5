/**
 * git_clone: `git clone` of a large public repository (full or `--depth=1`),
 * or of a Hugging Face model repository whose weights come through Git LFS.
 *
 * The counts are the repository's real scale: the server's Enumerating,
 * Counting and Compressing phases, its `Total … pack-reused … (from N)` line
 * (counted objects plus pack-reused objects make the total), then Receiving
 * objects at the link's rate (bytes over time is the rate shown), Resolving
 * deltas and Updating files. A small LFS repository is unpacked instead of
 * received and its weights arrive as `Filtering content`. Sometimes the HTTP/2
 * stream drops mid-transfer; git gives up with `fatal: early EOF` and the clone
 * is run again.
 *
 * Progress lines exist only on a terminal: without one, git asks the server
 * for no progress and prints just `Cloning into '…'...` (and errors).
 *
 * @module
 */

import data from "../data/git_clone.json" with { type: "json" };
import { clamp } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

const MIB = 1024 * 1024;

/** One clone, drawn up front. */
export interface Plan {
  command: string;
  dir: string;
  /** Objects the server sends. */
  total: number;
  /** Objects counted one by one (the rest are reused straight from a pack). */
  counted: number;
  compressed: number;
  delta: number;
  reused: number;
  reusedDelta: number;
  packReused: number;
  packsUsed: number;
  /** Pack size in bytes. */
  bytes: number;
  /** Link rate in bytes per second. */
  rate: number;
  /** Deltas index-pack resolves. */
  deltas: number;
  /** Deltas resolved per second. */
  deltaRate: number;
  files: number;
  /** Files checked out per second. */
  fileRate: number;
  /** Under 100 objects git unpacks them loose instead of keeping a pack. */
  unpack: boolean;
  /** LFS objects (sizes in bytes) fetched by the smudge filter at checkout. */
  lfs: number[];
  /** Fraction of the pack received when the connection drops (none when undefined). */
  dropAt: number | undefined;
}

/** Draws one clone. */
export function planClone(rng: Rng): Plan {
  if (rng.chance(0.25)) {
    const repo = rng.pick(data.lfs);
    const packReused = rng.int(0, 4);
    const counted = repo.objects - packReused;
    const delta = Math.floor(counted * rng.float(0.2, 0.4));
    return {
      command: `git clone ${repo.url}`,
      dir: repo.dir,
      total: repo.objects,
      counted,
      compressed: counted - rng.int(0, 2),
      delta,
      reused: 0,
      reusedDelta: 0,
      packReused,
      packsUsed: packReused > 0 ? 1 : 0,
      bytes: repo.gitKiB * 1024 + rng.int(0, 1023),
      rate: rng.float(1.5, 9) * MIB,
      deltas: 0,
      deltaRate: 1,
      files: 0,
      fileRate: 1,
      unpack: true,
      lfs: repo.lfsFiles,
      dropAt: undefined,
    };
  }
  const repo = rng.pick(data.repos);
  const shallow = rng.chance(0.35);
  const grow = rng.float(0.995, 1.03);
  const total = Math.round((shallow ? repo.shallow.objects : repo.objects) * grow);
  const bytes = Math.round(
    (shallow ? repo.shallow.packMiB : repo.packMiB) * MIB * grow *
      rng.float(0.98, 1.02),
  );
  // Cap the transfer near two and a half minutes, as a fast link would.
  const rate = Math.max(clamp(rng.logNormal(48, 0.5), 9, 112) * MIB, bytes / 150);
  let counted: number;
  let packReused: number;
  if (shallow) {
    counted = total;
    packReused = 0;
  } else {
    counted = rng.int(300, 4_000);
    packReused = total - counted;
  }
  const compressed = shallow
    ? Math.round(counted * rng.float(0.82, 0.92))
    : Math.round(counted * rng.float(0.45, 0.7));
  const delta = shallow
    ? repo.shallow.deltas + rng.int(0, 50)
    : Math.round(counted * rng.float(0.4, 0.65));
  const reused = shallow
    ? Math.round(counted * rng.float(0.5, 0.7))
    : Math.round(counted * rng.float(0.6, 0.8));
  const deltas = shallow ? delta : Math.round(total * repo.deltaShare * rng.float(0.98, 1.02));
  return {
    command: `git clone ${shallow ? "--depth=1 " : ""}${repo.url}`,
    dir: repo.dir,
    total,
    counted,
    compressed,
    delta,
    reused,
    reusedDelta: Math.round(Math.min(delta, reused) * rng.float(0.5, 0.8)),
    packReused,
    packsUsed: packReused > 0 ? 1 : 0,
    bytes,
    rate,
    deltas,
    deltaRate: rng.float(180_000, 420_000),
    files: Math.round(repo.files * rng.float(0.99, 1.01)),
    fileRate: rng.float(9_000, 22_000),
    unpack: false,
    lfs: [],
    dropAt: !shallow && bytes / rate < 80 && rng.chance(0.14) ? rng.float(0.15, 0.8) : undefined,
  };
}

/** git's strbuf_humanise_bytes: `1.92 GiB`, `512.00 KiB`, `842 bytes`. */
export function humanise(bytes: number): string {
  const b = Math.max(0, Math.floor(bytes));
  if (b > 2 ** 30) {
    return `${Math.floor(b / 2 ** 30)}.${pad2(Math.floor((b % 2 ** 30) / 10737419))} GiB`;
  }
  if (b > 2 ** 20) {
    const x = b + 5243;
    return `${Math.floor(x / 2 ** 20)}.${pad2(Math.floor(((x % 2 ** 20) * 100) / 2 ** 20))} MiB`;
  }
  if (b > 2 ** 10) {
    const x = b + 5;
    return `${Math.floor(x / 2 ** 10)}.${pad2(Math.floor(((x % 2 ** 10) * 100) / 2 ** 10))} KiB`;
  }
  return `${b} ${b === 1 ? "byte" : "bytes"}`;
}

function pad2(n: number): string {
  return String(Math.min(99, n)).padStart(2, "0");
}

/** One progress line as git's progress.c prints it. */
export function progressLine(
  label: string,
  done: number,
  total: number | undefined,
  throughput?: { bytes: number; rate: number },
  finished = false,
): string {
  const counter = total === undefined
    ? `${done}`
    : `${String(Math.floor((done * 100) / Math.max(1, total))).padStart(3)}% (${done}/${total})`;
  const tp = throughput ? `, ${humanise(throughput.bytes)} | ${humanise(throughput.rate)}/s` : "";
  return `${label}: ${counter}${tp}${finished ? ", done." : ""}`;
}

/** Runs one progress meter over `ms`, live on a terminal, its last state kept. */
async function meter(
  ctx: Context,
  label: string,
  total: number | undefined,
  ms: number,
  throughput?: { bytes: number; rate: number },
  stopAt = 1,
  uncounted = 0,
): Promise<void> {
  const tty = ctx.term.isTTY;
  const steps = Math.max(1, Math.round(ms / 250));
  const last = Math.max(1, Math.round(steps * stopAt));
  const count = total ?? uncounted;
  for (let k = 1; k <= last; k++) {
    const share = k / steps;
    const done = Math.round(count * share);
    if (tty) {
      const tp = throughput
        ? { bytes: throughput.bytes * share, rate: throughput.rate * ctx.rng.float(0.9, 1.1) }
        : undefined;
      ctx.out.live([progressLine(label, done, total, tp)]);
    }
    await ctx.sleep(ms / steps);
  }
  ctx.out.live([]);
  if (!tty) return;
  if (stopAt < 1) {
    const share = last / steps;
    ctx.out.line(
      progressLine(
        label,
        Math.round(count * share),
        total,
        throughput && {
          bytes: throughput.bytes * share,
          rate: throughput.rate,
        },
      ),
    );
    return;
  }
  ctx.out.line(progressLine(label, count, total, throughput, true));
}

async function clone(ctx: Context, p: Plan, drop: number | undefined): Promise<boolean> {
  const { out, rng } = ctx;
  const tty = ctx.term.isTTY;
  out.line(`${ctx.style.bold("$")} ${p.command}`);
  await ctx.sleep(rng.int(200, 700));
  out.line(`Cloning into '${p.dir}'...`);
  await ctx.sleep(rng.int(300, 1_200));
  // The server's side, relayed with a `remote: ` prefix.
  await meter(
    ctx,
    "remote: Enumerating objects",
    undefined,
    rng.int(300, 2_500),
    undefined,
    1,
    p.total,
  );
  await meter(ctx, "remote: Counting objects", p.counted, clamp(p.counted / 40_000, 0.1, 6) * 1000);
  await meter(
    ctx,
    "remote: Compressing objects",
    p.compressed,
    clamp(p.compressed / 9_000, 0.1, 20) * 1000,
  );
  if (tty) {
    out.line(
      `remote: Total ${p.total} (delta ${p.delta}), reused ${p.reused} (delta ${p.reusedDelta}), pack-reused ${p.packReused} (from ${p.packsUsed})`,
    );
  }
  const transfer = { bytes: p.bytes, rate: p.rate };
  const receiveMs = (p.bytes / p.rate) * 1000;
  if (drop !== undefined) {
    await meter(ctx, "Receiving objects", p.total, receiveMs, transfer, drop);
    out.line(
      `error: RPC failed; curl 92 HTTP/2 stream ${
        rng.pick([3, 5, 7])
      } was not closed cleanly: CANCEL (err 8)`,
    );
    out.line(`error: ${rng.int(1_200, 9_000)} bytes of body are still expected`);
    out.line("fetch-pack: unexpected disconnect while reading sideband packet");
    out.line("fatal: early EOF");
    out.line("fatal: fetch-pack: invalid index-pack output");
    return false;
  }
  await meter(
    ctx,
    p.unpack ? "Unpacking objects" : "Receiving objects",
    p.total,
    receiveMs,
    transfer,
  );
  if (!p.unpack) {
    await meter(ctx, "Resolving deltas", p.deltas, (p.deltas / p.deltaRate) * 1000 + 200);
  }
  const checkoutMs = (p.files / p.fileRate) * 1000;
  if (checkoutMs >= 2_000) {
    await meter(ctx, "Updating files", p.files, checkoutMs);
  } else if (p.files > 0) {
    await ctx.sleep(checkoutMs);
  }
  if (p.lfs.length > 0) await filter(ctx, p.lfs);
  return true;
}

/** Git LFS's smudge filter downloading the weights during checkout. */
async function filter(ctx: Context, sizes: readonly number[]): Promise<void> {
  const { rng } = ctx;
  const total = sizes.reduce((a, b) => a + b, 0);
  const rate = Math.max(clamp(rng.logNormal(70, 0.45), 20, 180) * MIB, total / 200);
  const tty = ctx.term.isTTY;
  let got = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    const steps = Math.max(1, Math.round((size / rate) * 4));
    for (let k = 1; k <= steps; k++) {
      if (tty) {
        ctx.out.live([
          progressLine("Filtering content", i, sizes.length, {
            bytes: got + (size * k) / steps,
            rate: rate * rng.float(0.9, 1.1),
          }),
        ]);
      }
      await ctx.sleep((size / rate / steps) * 1000);
    }
    got += size;
  }
  ctx.out.live([]);
  if (tty) {
    ctx.out.line(
      progressLine("Filtering content", sizes.length, sizes.length, { bytes: total, rate }, true),
    );
  }
}

async function run(ctx: Context): Promise<void> {
  const plan = planClone(ctx.rng);
  if (!(await clone(ctx, plan, plan.dropAt))) {
    await ctx.sleep(ctx.rng.int(2_500, 7_000));
    // The second attempt gets its own share of the link.
    await clone(ctx, { ...plan, rate: plan.rate * ctx.rng.float(0.85, 1.2) }, undefined);
  }
}

/** `git clone` of a big repository. */
export const git_clone: Module = {
  name: "git_clone",
  signature: "git clone https://github.com/torvalds/linux.git",
  about: "Clone a large repository (or an LFS model repo) with git's progress meters",
  maxDurationMs: 330_000,
  run,
};
