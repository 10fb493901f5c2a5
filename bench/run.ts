/**
 * denact's benchmarks. Prints one table; ratios are measured side by side in
 * the same run, so a noisy machine affects both sides alike. These report
 * figures, they are not pass/fail tests.
 *
 * Run with `deno task bench` (add `--quick` for shorter runs, `--only=B1,B2` for a subset).
 *
 * @module
 */

import { runRotation } from "../core/runner.ts";
import { StopSignal } from "../core/clock.ts";
import { Session } from "../core/session.ts";
import { MODULES } from "../modules/mod.ts";
import { benchPanes } from "./panes.ts";
import { childrenOf, cpuSeconds, delay, median, peakRssKiB } from "./proc.ts";

const QUICK = Deno.args.includes("--quick");
/** `--only=B1,B2,P` runs a subset. */
const ONLY = Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const wanted = (id: string) => ONLY === undefined || ONLY.includes(id);
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const HELLO = new URL("./hello.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;

interface Row {
  id: string;
  what: string;
  value: string;
  target: string;
  ok: boolean | undefined;
}
const rows: Row[] = [];

function report(row: Row): void {
  rows.push(row);
  const mark = row.ok === undefined ? "" : row.ok ? "  [meets target]" : "  [MISSES target]";
  console.error(`${row.id} ${row.what}: ${row.value} (target ${row.target})${mark}`);
}

/** Milliseconds from spawn to the first byte on stdout. */
async function timeToFirstByte(args: string[]): Promise<number> {
  const start = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read();
  const elapsed = performance.now() - start;
  reader.releaseLock();
  try {
    child.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  await child.stdout.cancel().catch(() => {});
  await child.status;
  return elapsed;
}

async function b1(): Promise<void> {
  const n = QUICK ? 5 : 15;
  const hello: number[] = [], denact: number[] = [];
  await timeToFirstByte([HELLO]);
  await timeToFirstByte([MAIN, "-m", "cargo"]);
  for (let i = 0; i < n; i++) {
    hello.push(await timeToFirstByte([HELLO]));
    denact.push(await timeToFirstByte([MAIN, "-m", "cargo"]));
  }
  const ratio = median(denact) / median(hello);
  report({
    id: "B1",
    what: "time to first byte, -m cargo vs hello world",
    value: `${median(denact).toFixed(0)} ms vs ${median(hello).toFixed(0)} ms = ${
      ratio.toFixed(2)
    }x`,
    target: "<= 1.5x",
    ok: ratio <= 1.5,
  });
}

/** CPU seconds per minute of wall time for one module in a pseudo-terminal at speed 1. */
async function cpuPerMinute(module: string, seconds: number): Promise<number> {
  const command = `exec "${Deno.execPath()}" run --quiet "${MAIN}" -m ${module} --seed 7`;
  const script = new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    stdout: "null",
    stderr: "null",
    stdin: "null",
    env: { TERM: "xterm-256color", COLUMNS: "120", LINES: "40" },
  }).spawn();
  await delay(2500); // start-up is B1's business, not B2's
  const pid = childrenOf(script.pid)[0];
  if (pid === undefined) throw new Error(`no child process for ${module}`);
  const before = cpuSeconds(pid);
  await delay(seconds * 1000);
  const used = cpuSeconds(pid) - before;
  script.kill("SIGTERM");
  try {
    Deno.kill(pid, "SIGTERM");
  } catch {
    // Gone with its parent.
  }
  await script.status;
  return used * 60 / seconds;
}

async function b2(): Promise<void> {
  const seconds = QUICK ? 6 : 20;
  const names = MODULES.map((m) => m.name);
  const results = new Map<string, number>();
  const parallel = 4;
  for (let i = 0; i < names.length; i += parallel) {
    const batch = names.slice(i, i + parallel);
    const values = await Promise.all(batch.map((name) => cpuPerMinute(name, seconds)));
    batch.forEach((name, j) => results.set(name, values[j]!));
  }
  const worst = Math.max(...results.values());
  for (const [name, value] of results) {
    report({
      id: "B2",
      what: `CPU per minute at speed 1 in a terminal, ${name}`,
      value: `${value.toFixed(3)} s`,
      target: "< 0.3 s",
      ok: value < 0.3,
    });
  }
  report({
    id: "B2",
    what: "CPU per minute, median over modules (worst)",
    value: `${median([...results.values()]).toFixed(3)} s (${worst.toFixed(3)} s)`,
    target: "< 0.3 s",
    ok: worst < 0.3,
  });
}

async function b3(): Promise<void> {
  const file = Deno.openSync("/dev/null", { write: true });
  const encoder = new TextEncoder();
  let bytes = 0, writes = 0;
  const session = new Session({
    sink: (chunk) => {
      const data = encoder.encode(chunk);
      file.writeSync(data);
      bytes += data.length;
      writes++;
    },
    tty: false,
    color: true,
    seed: 11n,
    epochMs: Date.now(),
    instantLines: Number.MAX_SAFE_INTEGER,
  });
  const seconds = QUICK ? 2 : 5;
  const start = performance.now();
  const timer = setTimeout(() => session.clock.stop("time"), seconds * 1000);
  await runRotation(session, { modules: MODULES });
  session.screen.finish();
  clearTimeout(timer);
  file.close();
  const elapsed = (performance.now() - start) / 1000;
  const perWrite = bytes / Math.max(1, writes);
  report({
    id: "B3",
    what: "instant-print output to /dev/null",
    value: `${(bytes / elapsed / 1024 / 1024).toFixed(1)} MiB/s, ${
      (perWrite / 1024).toFixed(1)
    } KiB per write (${writes} writes)`,
    target: ">= 4 KiB per write",
    ok: perWrite >= 4096,
  });
}

/** Wall time of one seeded module run on the real clock vs its pretend time / speed. */
async function accuracy(
  module: string,
  speed: number,
): Promise<{ wall: number; expected: number }> {
  const file = Deno.openSync("/dev/null", { write: true });
  const encoder = new TextEncoder();
  const session = new Session({
    sink: (chunk) => void file.writeSync(encoder.encode(chunk)),
    tty: true,
    color: true,
    cols: 120,
    rows: 40,
    speed,
    seed: 21n,
    frameMs: 100,
    epochMs: Date.now(),
  });
  const m = MODULES.find((x) => x.name === module)!;
  const start = performance.now();
  try {
    await m.run(session.context());
  } catch (error) {
    if (!(error instanceof StopSignal)) throw error;
  }
  session.screen.finish();
  const wall = performance.now() - start;
  file.close();
  return { wall, expected: session.clock.now() / speed };
}

async function b4(): Promise<void> {
  const module = MODULES.find((m) => m.name === "mkinitcpio") ? "mkinitcpio" : "cargo";
  for (const speed of QUICK ? [10] : [1, 10]) {
    const { wall, expected } = await accuracy(module, speed);
    const error = Math.abs(wall - expected) / expected * 100;
    report({
      id: "B4",
      what: `timing accuracy, ${module} at speed ${speed}`,
      value: `${(wall / 1000).toFixed(2)} s real vs ${(expected / 1000).toFixed(2)} s expected (${
        error.toFixed(2)
      }% off)`,
      target: "within 2%",
      ok: error <= 2,
    });
  }
}

async function peakMemory(args: string[], seconds: number): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...args],
    cwd: ROOT,
    stdout: "null",
    stderr: "null",
    stdin: "null",
  }).spawn();
  let peak = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    try {
      peak = Math.max(peak, peakRssKiB(child.pid));
    } catch {
      break;
    }
    await delay(100);
  }
  try {
    child.kill("SIGTERM");
  } catch {
    // Exited.
  }
  await child.status;
  return peak;
}

async function b5(): Promise<void> {
  const seconds = QUICK ? 2.5 : 6;
  const hello = median(
    await Promise.all([1, 2, 3].map(() => peakMemory([HELLO, "--linger"], 2.5))),
  );
  const denact = median(
    await Promise.all(
      ["cargo", "llm_training", "bootlog"].map((m) =>
        peakMemory([
          MAIN,
          "-m",
          MODULES.some((x) => x.name === m) ? m : MODULES[0]!.name,
          "-s",
          "5",
        ], seconds)
      ),
    ),
  );
  const ratio = denact / hello;
  report({
    id: "B5",
    what: "peak memory vs hello world",
    value: `${(denact / 1024).toFixed(1)} MiB vs ${(hello / 1024).toFixed(1)} MiB = ${
      ratio.toFixed(2)
    }x`,
    target: "<= 1.6x",
    ok: ratio <= 1.6,
  });
  // Heap growth over one hour of pretend time on the virtual clock, all modules in rotation.
  const gc = (globalThis as { gc?: () => void }).gc;
  const session = new Session({
    sink: () => {},
    tty: true,
    color: true,
    virtual: true,
    seed: 5n,
    epochMs: Date.now(),
    exitAfterMs: 3_600_000,
  });
  const warm = new Session({
    sink: () => {},
    tty: true,
    color: true,
    virtual: true,
    seed: 6n,
    epochMs: 0,
    exitAfterMs: 600_000,
  });
  await runRotation(warm, { modules: MODULES });
  gc?.();
  const before = Deno.memoryUsage().heapUsed;
  await runRotation(session, { modules: MODULES });
  gc?.();
  const growth = (Deno.memoryUsage().heapUsed - before) / 1024 / 1024;
  report({
    id: "B5",
    what: `heap growth over one hour of pretend time${gc ? "" : " (no gc exposed)"}`,
    value: `${growth.toFixed(2)} MB`,
    target: "< 5 MB",
    ok: growth < 5,
  });
}

async function panes(): Promise<void> {
  const figures = await benchPanes(QUICK ? { seconds: 20, warmupSeconds: 3 } : {});
  for (const f of figures) {
    const share = /\(([0-9.]+)% of a core\)/.exec(f.value)?.[1];
    report({
      id: "P",
      what: f.name,
      value: f.value,
      target: f.target,
      ok: share === undefined ? undefined : Number(share) < 2,
    });
  }
}

if (wanted("B1")) await b1();
if (wanted("B3")) await b3();
if (wanted("B4")) await b4();
if (wanted("B5")) await b5();
if (wanted("B2")) await b2();
if (wanted("P")) await panes();

console.log("| id | measure | value | target | meets |");
console.log("| --- | --- | --- | --- | --- |");
for (const r of rows) {
  console.log(
    `| ${r.id} | ${r.what} | ${r.value} | ${r.target} | ${
      r.ok === undefined ? "" : r.ok ? "yes" : "no"
    } |`,
  );
}
