/**
 * denact's benchmarks. Prints one table; ratios are measured side by side in
 * the same run, so a noisy machine affects both sides alike. These report
 * figures, they are not pass/fail tests.
 *
 * Run with `deno task bench` (add `--quick` for shorter runs, `--only=B1,B2` for a subset).
 * It builds the published bundle first (`deno task build`), so the source
 * (`main.ts`) and what JSR and the binaries get (`bundle/main.js`) are
 * measured side by side.
 *
 * @module
 */

import { runRotation } from "../core/runner.ts";
import { StopSignal } from "../core/clock.ts";
import { Session } from "../core/session.ts";
import { MODULES } from "../modules/mod.ts";
import { buildBundle } from "../scripts/build.ts";
import { benchPanes } from "./panes.ts";
import {
  childrenOf,
  contextSwitches,
  cpuSeconds,
  delay,
  median,
  peakRssKiB,
  spread,
} from "./proc.ts";

const QUICK = Deno.args.includes("--quick");
/** `--only=B1,B2,P` runs a subset. */
const ONLY = Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const wanted = (id: string) => ONLY === undefined || ONLY.includes(id);
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const BUNDLE = new URL("../bundle/main.js", import.meta.url).pathname;
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
  const n = QUICK ? 7 : 21;
  const programs = {
    hello: [HELLO],
    source: [MAIN, "-m", "cargo"],
    bundle: [BUNDLE, "-m", "cargo"],
  };
  const times: Record<keyof typeof programs, number[]> = { hello: [], source: [], bundle: [] };
  for (const args of Object.values(programs)) await timeToFirstByte(args); // warm the caches
  for (let i = 0; i < n; i++) {
    // Interleaved, so a busy moment of the machine falls on all three alike.
    for (const [name, args] of Object.entries(programs)) {
      times[name as keyof typeof programs].push(await timeToFirstByte(args));
    }
  }
  const hello = median(times.hello);
  report({
    id: "B1",
    what: "time to first byte, hello world (median, range)",
    value: spread(times.hello, " ms"),
    target: "baseline",
    ok: undefined,
  });
  for (const name of ["source", "bundle"] as const) {
    const ratio = median(times[name]) / hello;
    report({
      id: "B1",
      what: `time to first byte, -m cargo, ${
        name === "source" ? "source (main.ts)" : "published bundle (bundle/main.js)"
      }`,
      value: `${spread(times[name], " ms")} = ${ratio.toFixed(2)}x hello`,
      target: name === "bundle" ? "<= 1.4x" : "(the bundle's is the target)",
      ok: name === "bundle" ? ratio <= 1.4 : undefined,
    });
  }
}

/** Steady CPU (% of a core) and wake-ups per second of one module at speed 1. */
interface Steady {
  cpuPercent: number;
  wakeups: number;
}

/**
 * Runs the published bundle with `-m module` at speed 1, in a pseudo-terminal
 * (`script`) or with stdout a pipe, skips start-up, then measures CPU time and
 * the main thread's context switches (each is a wake-up) over `seconds`.
 */
async function steady(module: string, terminal: boolean, seconds: number): Promise<Steady> {
  const args = ["run", "--quiet", BUNDLE, "-m", module, "--seed", "7"];
  const child = terminal
    ? new Deno.Command("script", {
      args: [
        "-qfec",
        `exec "${Deno.execPath()}" ${args.map((a) => `"${a}"`).join(" ")}`,
        "/dev/null",
      ],
      cwd: ROOT,
      stdout: "null",
      stderr: "null",
      stdin: "null",
      env: { TERM: "xterm-256color", COLUMNS: "120", LINES: "40" },
    }).spawn()
    : new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).spawn();
  // A pipe's reader: drain what the program writes, as `| cat` would.
  const drained = terminal ? undefined : child.stdout.pipeTo(new WritableStream());
  try {
    await delay(2500); // start-up is B1's business
    const pid = terminal ? childrenOf(child.pid)[0] : child.pid;
    if (pid === undefined) throw new Error(`no process for ${module}`);
    const cpuBefore = cpuSeconds(pid);
    const switchesBefore = contextSwitches(pid);
    await delay(seconds * 1000);
    const cpu = cpuSeconds(pid) - cpuBefore;
    const switches = contextSwitches(pid) - switchesBefore;
    return { cpuPercent: cpu / seconds * 100, wakeups: switches / seconds };
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
    await drained?.catch(() => {});
  }
}

async function b2(): Promise<void> {
  const seconds = QUICK ? 8 : 30;
  const names = MODULES.map((m) => m.name);
  const jobs = names.flatMap((name) => [
    { name, terminal: true },
    { name, terminal: false },
  ]);
  const results = new Map<string, Steady>();
  const parallel = 4;
  for (let i = 0; i < jobs.length; i += parallel) {
    const batch = jobs.slice(i, i + parallel);
    const values = await Promise.all(batch.map((j) => steady(j.name, j.terminal, seconds)));
    batch.forEach((j, k) => results.set(`${j.name} ${j.terminal}`, values[k]!));
  }
  for (const name of names) {
    const tty = results.get(`${name} true`)!;
    const pipe = results.get(`${name} false`)!;
    report({
      id: "B2",
      what: `steady CPU at speed 1, ${name}: terminal | pipe (wake-ups/s)`,
      value: `${tty.cpuPercent.toFixed(2)} % (${tty.wakeups.toFixed(1)}/s) | ${
        pipe.cpuPercent.toFixed(2)
      } % (${pipe.wakeups.toFixed(1)}/s)`,
      target: "<= 0.45 % | <= 0.1 %",
      ok: tty.cpuPercent <= 0.45 && pipe.cpuPercent <= 0.1,
    });
  }
  for (const terminal of [true, false]) {
    const all = names.map((n) => results.get(`${n} ${terminal}`)!);
    const limit = terminal ? 0.45 : 0.1;
    report({
      id: "B2",
      what: `steady CPU at speed 1 in a ${terminal ? "terminal" : "pipe"}, over modules`,
      value: `${spread(all.map((r) => r.cpuPercent), " %", 2)} of a core; wake-ups ${
        spread(all.map((r) => r.wakeups), "/s", 1)
      }`,
      target: `every module <= ${limit} %`,
      ok: all.every((r) => r.cpuPercent <= limit),
    });
  }
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
  const modules = ["cargo", "llm_training", "bootlog"].map((m) =>
    MODULES.some((x) => x.name === m) ? m : MODULES[0]!.name
  );
  const hello = await Promise.all([1, 2, 3].map(() => peakMemory([HELLO, "--linger"], 2.5)));
  report({
    id: "B5",
    what: "peak memory, hello world (median, range)",
    value: spread(hello.map((k) => k / 1024), " MiB", 1),
    target: "baseline",
    ok: undefined,
  });
  for (const [name, entry] of [["source (main.ts)", MAIN], ["bundle (bundle/main.js)", BUNDLE]]) {
    const peaks = await Promise.all(
      modules.map((m) => peakMemory([entry!, "-m", m, "-s", "5"], seconds)),
    );
    const ratio = median(peaks) / median(hello);
    report({
      id: "B5",
      what: `peak memory, ${name}, ${modules.join(" / ")} at -s 5`,
      value: `${spread(peaks.map((k) => k / 1024), " MiB", 1)} = ${ratio.toFixed(2)}x hello`,
      target: "<= 1.45x",
      ok: ratio <= 1.45,
    });
  }
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

if (wanted("B1") || wanted("B2") || wanted("B5")) {
  console.error(`built ${await buildBundle()}`);
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
