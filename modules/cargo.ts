/**
 * cargo: `cargo build --release` or `cargo run` in a fresh checkout, as cargo
 * 1.9x prints it. The index update and `Locking` line, parallel downloads with
 * the transient `Downloading N crates, remaining bytes: …` line and the summary
 * (in a terminal; in a pipe ` Downloading crates ...` and no summary, no bar),
 * then a simulated job queue: units (libraries, proc macros, build scripts and
 * their runs, the binary) are scheduled in dependency order on 4–16 jobs with
 * pipelining, `Compiling` is printed when a package's first unit starts, and the
 * `Building [====>   ] 57/120: syn, tokio(build)` bar counts finished units out
 * of all units, exactly as cargo's job queue does. Warnings of the workspace
 * crate, then `Finished` with the real pretend elapsed time.
 *
 * @module
 */

import data from "../data/cargo.json" with { type: "json" };
import { formatBytes, formatSeconds } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** A crate as stored in the data file. */
export interface CrateData {
  id: string;
  name?: string;
  version: string;
  kib: number;
  cost: number;
  build?: number;
  proc?: boolean;
  deps: string[];
}

const CRATES = data.crates as CrateData[];
const BY_ID = new Map(CRATES.map((c) => [c.id, c]));
/** Crates that only ever appear as build dependencies (of build scripts). */
const BUILD_TOOLS = new Set(["cc", "autocfg", "version_check"]);
const MIB = 1024 * 1024;
/** cargo draws its progress bar no wider than this. */
const BAR_MAX_PRINT = 50;
/** cargo waits this long before drawing the first progress line. */
const FIRST_DRAW_MS = 500;
/** …and then redraws at most this often. */
const REDRAW_MS = 100;
/** Upper bound of the compile phase in pretend milliseconds. */
const MAX_COMPILE_MS = 165_000;
/** Upper bound of the download phase in pretend milliseconds. */
const MAX_DOWNLOAD_MS = 9_000;

/** The display name of a crate. */
function crateName(c: CrateData): string {
  return c.name ?? c.id;
}

/** What a unit of work compiles or runs. */
export type UnitKind = "lib" | "proc" | "build.rs" | "build" | "bin";

/** One unit of cargo's job queue. */
export interface Unit {
  /** Index in the plan. */
  index: number;
  /** Package the unit belongs to (crate id, or the app name for the workspace crate). */
  pkg: string;
  kind: UnitKind;
  /** Name shown in the progress bar: `syn`, `tokio(build)`, `ring(build.rs)`, `app(bin)`. */
  label: string;
  /** Pretend milliseconds it runs. */
  duration: number;
  /** Fraction of the duration after which dependents may start (pipelined metadata). */
  metaFraction: number;
  /** Units this one waits for; `full` means the whole unit, otherwise its metadata. */
  deps: { unit: number; full: boolean }[];
}

/** A unit placed on the timeline. */
export interface Slot {
  unit: Unit;
  start: number;
  end: number;
}

/** Picks the direct dependencies of the app and returns the crates to build (dependency closure). */
export function selectCrates(rng: Rng): { roots: string[]; crates: CrateData[] } {
  const pool = rng.shuffle(data.roots);
  const wanted = rng.int(4, 14);
  const roots: string[] = [];
  const chosen = new Set<string>();
  const visit = (id: string): void => {
    if (chosen.has(id)) return;
    chosen.add(id);
    for (const d of BY_ID.get(id)?.deps ?? []) visit(d);
  };
  for (const id of pool) {
    if (roots.length >= wanted && chosen.size >= 25) break;
    roots.push(id);
    visit(id);
  }
  return { roots, crates: CRATES.filter((c) => chosen.has(c.id)) };
}

/** Machine and profile figures that turn crate costs into unit durations. */
export interface Speed {
  release: boolean;
  /** Multiplier on every duration (slower machine > 1). */
  machine: number;
}

/** Builds the unit graph: build script compile and run, library, and the workspace binary. */
export function planUnits(
  crates: readonly CrateData[],
  roots: readonly string[],
  app: string,
  speed: Speed,
  rng: Rng,
): Unit[] {
  const units: Unit[] = [];
  const libOf = new Map<string, number>();
  const jitter = () => rng.logNormal(1, 0.25);
  const add = (u: Omit<Unit, "index">): Unit => {
    const unit = { ...u, index: units.length };
    units.push(unit);
    return unit;
  };
  // Data order lists every crate after its dependencies, so one pass suffices.
  const ordered = topoOrder(crates);
  for (const c of ordered) {
    const name = crateName(c);
    const libDeps: { unit: number; full: boolean }[] = [];
    let buildRun: Unit | undefined;
    if (c.build !== undefined) {
      const tools = c.deps.filter((d) => BUILD_TOOLS.has(d) && libOf.has(d));
      const script = add({
        pkg: c.id,
        kind: "build.rs",
        label: `${name}(build.rs)`,
        duration: 380 * jitter() * speed.machine,
        metaFraction: 1,
        deps: tools.map((d) => ({ unit: libOf.get(d) as number, full: true })),
      });
      buildRun = add({
        pkg: c.id,
        kind: "build",
        label: `${name}(build)`,
        duration: Math.max(20, c.build * 1000 * jitter() * speed.machine),
        metaFraction: 1,
        deps: [{ unit: script.index, full: true }],
      });
      libDeps.push({ unit: buildRun.index, full: true });
    }
    const proc = c.proc === true;
    for (const d of c.deps) {
      if (BUILD_TOOLS.has(d) && c.build !== undefined) continue;
      const dep = libOf.get(d);
      if (dep !== undefined) libDeps.push({ unit: dep, full: proc });
    }
    // Proc macros (and, in release, build-time crates) are built without optimisation.
    const optimise = speed.release && !proc && !BUILD_TOOLS.has(c.id);
    const factor = optimise ? rng.float(1.7, 2.6) : 1;
    const lib = add({
      pkg: c.id,
      kind: proc ? "proc" : "lib",
      label: name,
      duration: c.cost * 1000 * factor * jitter() * speed.machine,
      metaFraction: proc ? 1 : speed.release ? 0.35 : 0.55,
      deps: libDeps,
    });
    libOf.set(c.id, lib.index);
  }
  const binCost = speed.release ? rng.float(4, 18) : rng.float(1.2, 7);
  add({
    pkg: app,
    kind: "bin",
    label: `${app}(bin)`,
    duration: binCost * 1000 * speed.machine,
    metaFraction: 1,
    deps: roots.map((r) => ({ unit: libOf.get(r) as number, full: true })),
  });
  return units;
}

/** Crates ordered so that every crate comes after its dependencies. */
function topoOrder(crates: readonly CrateData[]): CrateData[] {
  const set = new Set(crates.map((c) => c.id));
  const out: CrateData[] = [];
  const seen = new Set<string>();
  const visit = (c: CrateData): void => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    for (const d of c.deps) {
      const dep = BY_ID.get(d);
      if (dep && set.has(d)) visit(dep);
    }
    out.push(c);
  };
  for (const c of crates) visit(c);
  return out;
}

/**
 * cargo's queue priority of each unit: its own cost plus the cost of every unit
 * that depends on it, directly or not (each counted once), every unit costing
 * the same, as `DependencyQueue::queue_finished` computes it. A build script
 * outranks the library it builds, so a fresh build opens with `proc-macro2`'s
 * build script, not with `unicode-ident`.
 */
export function queuePriority(units: readonly Unit[]): number[] {
  const n = units.length;
  const words = Math.ceil(n / 32);
  const below = units.map(() => new Uint32Array(words));
  const dependents: number[][] = units.map(() => []);
  for (const u of units) for (const d of u.deps) dependents[d.unit]?.push(u.index);
  const priority = new Array<number>(n).fill(1);
  // Dependents always have larger indices: fill the sets backwards.
  for (let i = n - 1; i >= 0; i--) {
    const set = below[i] as Uint32Array;
    for (const d of dependents[i] ?? []) {
      const other = below[d] as Uint32Array;
      for (let w = 0; w < words; w++) set[w] = (set[w] as number) | (other[w] as number);
      set[d >> 5] = (set[d >> 5] as number) | (1 << (d & 31));
    }
    let count = 0;
    for (let w = 0; w < words; w++) {
      let x = set[w] as number;
      while (x !== 0) {
        x &= x - 1;
        count++;
      }
    }
    priority[i] = 1 + count;
  }
  return priority;
}

/**
 * Runs the job queue: at most `jobs` units at once, a unit starts when its
 * dependencies are ready (metadata for pipelined libraries, the whole unit
 * otherwise), and among ready units the one of highest {@linkcode queuePriority}
 * goes first (the lower index on a tie). Returns the units with start and end
 * times, in start order.
 *
 * Event-driven: each unit counts the dependencies it still waits for, and the
 * moments a unit's metadata or the unit itself completes are the only events,
 * so planning takes O(units log units) instead of rescanning every waiting unit
 * at every event.
 */
export function schedule(units: readonly Unit[], jobs: number): Slot[] {
  const rank = queuePriority(units);
  const afterMeta: number[][] = units.map(() => []);
  const afterEnd: number[][] = units.map(() => []);
  const unmet = units.map((u) => u.deps.length);
  for (const u of units) {
    for (const d of u.deps) (d.full ? afterEnd : afterMeta)[d.unit]?.push(u.index);
  }
  const ready = new Heap<number>((a, b) => (rank[b] as number) - (rank[a] as number) || a - b);
  for (const u of units) if (unmet[u.index] === 0) ready.push(u.index);
  type Done = { t: number; unit: number; whole: boolean };
  const events = new Heap<Done>((a, b) => a.t - b.t);
  const slots: Slot[] = [];
  let running = 0;
  let t = 0;
  const release = (waiters: readonly number[]) => {
    for (const w of waiters) {
      unmet[w] = (unmet[w] as number) - 1;
      if (unmet[w] === 0) ready.push(w);
    }
  };
  while (true) {
    while (running < jobs && ready.size > 0) {
      const u = units[ready.pop() as number] as Unit;
      slots.push({ unit: u, start: t, end: t + u.duration });
      running++;
      events.push({ t: t + u.duration * u.metaFraction, unit: u.index, whole: false });
      events.push({ t: t + u.duration, unit: u.index, whole: true });
    }
    const next = events.peek();
    if (next === undefined) break;
    t = next.t;
    for (let e = events.peek(); e !== undefined && e.t <= t; e = events.peek()) {
      events.pop();
      if (e.whole) running--;
      release((e.whole ? afterEnd : afterMeta)[e.unit] as number[]);
    }
  }
  return slots;
}

/** A binary heap: `pop` returns the element `before` orders first. */
class Heap<T> {
  #items: T[] = [];
  #before: (a: T, b: T) => number;
  constructor(before: (a: T, b: T) => number) {
    this.#before = before;
  }
  get size(): number {
    return this.#items.length;
  }
  peek(): T | undefined {
    return this.#items[0];
  }
  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#before(items[i] as T, items[parent] as T) >= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }
  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < items.length && this.#before(items[l] as T, items[best] as T) < 0) best = l;
      if (r < items.length && this.#before(items[r] as T, items[best] as T) < 0) best = r;
      if (best === i) break;
      [items[i], items[best]] = [items[best] as T, items[i] as T];
      i = best;
    }
    return top;
  }
}

/**
 * cargo's progress line after the header: `[=====>     ] 57/120: syn, tokio(build)`.
 * The bar is `min(cols, 50) - 17 - len(" cur/max")` wide; the names fill what
 * is left of the terminal (minus 15) and end in `…` when cut. Returns
 * undefined when the terminal is too narrow for any bar, as cargo does.
 */
export function renderProgress(
  cur: number,
  max: number,
  names: readonly string[],
  cols: number,
): string | undefined {
  const stats = ` ${cur}/${max}`;
  const width = Math.min(cols, BAR_MAX_PRINT) - (stats.length + 2 + 15);
  if (width < 0) return undefined;
  const pct = max > 0 ? cur / max : 0;
  const hashes = Math.floor(width * pct);
  let bar = "[";
  if (hashes > 0) bar += "=".repeat(hashes - 1) + (cur === max ? "=" : ">");
  bar += " ".repeat(width - hashes) + "]" + stats;
  const msg = names.join(", ");
  if (msg.length === 0) return bar;
  let line = bar + ": ";
  let avail = cols - (line.length + 15);
  if (avail <= 1) return bar;
  let cut = line.length;
  for (const ch of msg) {
    if (avail >= 1) {
      avail -= 1;
      line += ch;
      if (avail >= 1) cut = line.length;
    } else {
      return line.slice(0, cut) + "…";
    }
  }
  return line;
}

/** A cargo status line: the word right-aligned to 12 columns in bold bright green. */
function status(style: Style, word: string, rest: string): string {
  return `${style.bold(style.brightGreen(word.padStart(12)))} ${rest}`;
}

/** `1 crate` / `2 crates`. */
function crates(n: number): string {
  return `${n} crate${n === 1 ? "" : "s"}`;
}

/** One download finishing at a given time. */
interface Fetch {
  crate: CrateData;
  size: number;
  end: number;
}

/**
 * Download timeline: all crates share the bandwidth (cargo multiplexes them over
 * HTTP/2), so small crates finish first; each also has its own latency.
 */
function planDownloads(list: readonly CrateData[], rng: Rng): { fetches: Fetch[]; rate: number } {
  const rate = rng.float(6, 70) * MIB / 1000;
  const sized = rng.shuffle(list).map((crate) => ({ crate, size: crate.kib * 1024 }));
  sized.sort((a, b) => a.size - b.size);
  let before = 0;
  const fetches = sized.map((s, k) => {
    const shared = (before + (sized.length - k) * s.size) / rate;
    before += s.size;
    return { ...s, end: shared + rng.float(40, 260) };
  });
  const last = Math.max(...fetches.map((f) => f.end));
  if (last > MAX_DOWNLOAD_MS) { for (const f of fetches) f.end *= MAX_DOWNLOAD_MS / last; }
  fetches.sort((a, b) => a.end - b.end);
  return { fetches, rate };
}

/** Warnings of the workspace crate: lines of each block, and whether `cargo fix` can apply it. */
function planWarnings(rng: Rng, style: Style): { lines: string[]; fixable: boolean }[] {
  const w = data.warnings;
  const count = rng.chance(0.35) ? rng.int(1, 4) : 0;
  const seenLints = new Set<string>();
  const out: { lines: string[]; fixable: boolean }[] = [];
  const usedLines = new Set<number>();
  for (let i = 0; i < count; i++) {
    const file = rng.pick(w.files);
    let line = rng.int(3, 240);
    while (usedLines.has(line)) line++;
    usedLines.add(line);
    const kind = rng.weighted(["var", "import", "fn", "mut"], [4, 3, 2, 2]);
    let title: string;
    let code: string;
    let col: number;
    let len: number;
    let label = "";
    let lint: string;
    let fixable = true;
    if (kind === "var") {
      const v = rng.pick(w.variables);
      title = `unused variable: \`${v.name}\``;
      code = `    let ${v.name} = ${v.expr};`;
      col = 9;
      len = v.name.length;
      label = ` ${
        style.bold(style.cyan("help"))
      }: if this is intentional, prefix it with an underscore: \`_${v.name}\``;
      lint = "unused_variables";
    } else if (kind === "import") {
      const p = rng.pick(w.imports);
      title = `unused import: \`${p}\``;
      code = `use ${p};`;
      line = Math.min(line, rng.int(1, 12));
      col = 5;
      len = p.length;
      lint = "unused_imports";
    } else if (kind === "fn") {
      const f = rng.pick(w.functions);
      title = `function \`${f.name}\` is never used`;
      code = `fn ${f.name}${f.sig}`;
      col = 4;
      len = f.name.length;
      lint = "dead_code";
      fixable = false;
    } else {
      const m = rng.pick(w.mutables);
      title = "variable does not need to be mutable";
      code = `    let mut ${m.name} = ${m.expr};`;
      col = 9;
      len = 4 + m.name.length;
      lint = "unused_mut";
    }
    const num = String(line);
    const pad = " ".repeat(num.length);
    const gutter = (s: string) => style.bold(style.brightBlue(s));
    const lines = [
      `${style.bold(style.yellow("warning"))}${style.bold(`: ${title}`)}`,
      `${pad}${gutter("-->")} ${file}:${line}:${col}`,
      `${pad} ${gutter("|")}`,
      `${gutter(`${num} |`)} ${code}`,
    ];
    if (kind === "mut") {
      const at = " ".repeat(col - 1);
      lines.push(
        `${pad} ${gutter("|")} ${at}${style.bold(style.brightBlue("----"))}${
          style.bold(style.yellow("^".repeat(len - 4)))
        }`,
        `${pad} ${gutter("|")} ${at}${style.bold(style.brightBlue("|"))}`,
        `${pad} ${gutter("|")} ${at}${style.bold(style.cyan("help"))}: remove this \`mut\``,
      );
    } else {
      lines.push(
        `${pad} ${gutter("|")} ${" ".repeat(col - 1)}${
          style.bold(style.yellow("^".repeat(len)))
        }${label}`,
      );
    }
    if (!seenLints.has(lint)) {
      seenLints.add(lint);
      lines.push(
        `${pad} ${gutter("|")}`,
        `${pad} ${gutter("=")} ${
          style.bold("note")
        }: \`#[warn(${lint})]\` (part of \`#[warn(unused)]\`) on by default`,
      );
    }
    lines.push("");
    out.push({ lines, fixable });
  }
  return out;
}

/** The `cargo` module. */
export const cargo: Module = {
  name: "cargo",
  signature: "cargo build --release",
  about: "Fetch crates and compile a Rust project with cargo (release build or cargo run)",
  maxDurationMs: 200_000,
  async run(ctx: Context): Promise<void> {
    const { out, rng, style } = ctx;
    const t0 = ctx.clock.now();
    const release = rng.chance(0.55);
    const app = rng.pick(data.apps);
    const user = rng.pick(data.users);
    const jobs = rng.weighted([4, 6, 8, 10, 12, 16], [2, 2, 4, 2, 3, 3]);
    const speed: Speed = { release, machine: rng.float(0.6, 1.25) * (jobs >= 12 ? 0.85 : 1) };
    const { roots, crates: list } = selectCrates(rng);
    const fresh = rng.chance(0.7);

    if (fresh) {
      out.line(status(style, "Updating", "crates.io index"));
      await ctx.sleep(rng.logNormal(900, 0.5));
      const extra = Math.min(data.lockOnly.length, Math.round(list.length * rng.float(0.08, 0.2)));
      const msrv = rng.chance(0.3) ? ` Rust ${rng.pick(data.rustVersions)}` : "";
      out.line(
        status(
          style,
          "Locking",
          `${list.length + extra} packages to latest${msrv} compatible versions`,
        ),
      );
      await ctx.sleep(rng.float(60, 300));
      await download(ctx, list);
    }

    const units = planUnits(list, roots, app, speed, rng);
    let slots = schedule(units, jobs);
    const span = Math.max(...slots.map((s) => s.end));
    if (span > MAX_COMPILE_MS) {
      const k = MAX_COMPILE_MS / span;
      slots = slots.map((s) => ({ ...s, start: s.start * k, end: s.end * k }));
    }
    await compile(ctx, slots, units.length, {
      app,
      path: `/home/${user}/${app}`,
      warnings: planWarnings(rng, style),
    });

    out.live([]);
    const profile = release
      ? "`release` profile [optimized]"
      : "`dev` profile [unoptimized + debuginfo]";
    out.line(
      status(style, "Finished", `${profile} target(s) in ${formatSeconds(ctx.clock.now() - t0)}`),
    );
    if (!release) {
      out.line(status(style, "Running", `\`target/debug/${app}\``));
      const utc = new Date(ctx.clock.wall().getTime() - ctx.clock.utcOffsetMinutes * 60_000);
      const ts = utc.toISOString().replace(/Z$/, `${rng.int(100, 999)}Z`);
      // What the binary prints follows from what it depends on: a web server logs
      // through tracing only when tracing-subscriber is in the build.
      const has = (id: string) => list.some((c) => c.id === id);
      const outputs = !(has("axum") || has("tower-http") || has("hyper"))
        ? data.runOutputs.cli
        : has("tracing-subscriber")
        ? data.runOutputs.tracingServer
        : data.runOutputs.server;
      for (const l of rng.pick(outputs)) {
        out.line(l.replaceAll("{ts}", ts).replaceAll("{app}", app.replaceAll("-", "_")));
      }
    }
  },
};

/**
 * The download phase: one `Downloaded` line per crate as it completes. In a
 * terminal the transient `Downloading N crates, remaining bytes` line runs below
 * them and a summary follows; without one cargo says ` Downloading crates ...`
 * once and prints no summary (`print_summary` returns early without progress).
 */
async function download(ctx: Context, list: readonly CrateData[]): Promise<void> {
  const { out, rng, style } = ctx;
  const tty = ctx.term.isTTY;
  const { fetches, rate } = planDownloads(list, rng);
  const total = fetches.reduce((a, f) => a + f.size, 0);
  let pendingBytes = total;
  let now = 0;
  let done = 0;
  const t0 = ctx.clock.now();
  const remaining = (t: number): number => {
    const left = pendingBytes;
    return Math.min(left, Math.max(total - rate * t, left * 0.08));
  };
  const draw = () => {
    const left = fetches.length - done;
    if (!tty) return;
    if (left === 0) return out.live([]);
    out.live([
      `${style.bold(style.cyan("Downloading".padStart(12)))} ${crates(left)}, remaining bytes: ${
        formatBytes(remaining(now))
      }`,
    ]);
  };
  if (!tty) out.line(status(style, "Downloading", "crates ..."));
  draw();
  for (const f of fetches) {
    while (f.end - now > 250) {
      await ctx.sleep(200);
      now += 200;
      draw();
    }
    await ctx.sleep(f.end - now);
    now = f.end;
    done++;
    pendingBytes -= f.size;
    out.line(status(style, "Downloaded", `${crateName(f.crate)} v${f.crate.version}`));
    draw();
  }
  out.live([]);
  if (!tty) return;
  const largest = fetches.reduce((a, f) => (f.size > a.size ? f : a), fetches[0] as Fetch);
  let summary = `${crates(fetches.length)} (${formatBytes(total)}) in ${
    formatSeconds(ctx.clock.now() - t0)
  }`;
  if (largest.size > MIB && fetches.length > 1) {
    summary += ` (largest was \`${crateName(largest.crate)}\` at ${formatBytes(largest.size)})`;
  }
  out.line(status(style, "Downloaded", summary));
}

/** The workspace crate and its warnings. */
interface Workspace {
  app: string;
  path: string;
  warnings: { lines: string[]; fixable: boolean }[];
}

/** The compile phase: replays the schedule with `Compiling` lines and the throttled bar. */
async function compile(
  ctx: Context,
  slots: readonly Slot[],
  total: number,
  ws: Workspace,
): Promise<void> {
  const { out, style } = ctx;
  type Event = { t: number; kind: "start" | "end" | "warn"; slot: Slot };
  const events: Event[] = [];
  for (const s of slots) {
    events.push({ t: s.start, kind: "start", slot: s }, { t: s.end, kind: "end", slot: s });
    if (s.unit.kind === "bin" && ws.warnings.length > 0) {
      events.push({ t: s.start + (s.end - s.start) * 0.45, kind: "warn", slot: s });
    }
  }
  const order = { end: 0, warn: 1, start: 2 };
  events.sort((a, b) => a.t - b.t || order[a.kind] - order[b.kind]);

  const compiled = new Set<string>();
  const active: Slot[] = [];
  let finished = 0;
  let now = 0;
  let lastDraw = -Infinity;
  let dirty = false;
  const header = style.bold(style.cyan("Building".padStart(12)));
  const draw = () => {
    // cargo draws no progress bar when stderr is not a terminal.
    const text = ctx.term.isTTY
      ? renderProgress(finished, total, active.map((s) => s.unit.label), ctx.term.cols)
      : undefined;
    out.live(text === undefined ? [] : [`${header} ${text}`]);
    lastDraw = now;
    dirty = false;
  };
  const sleepTo = async (t: number) => {
    if (t > now) await ctx.sleep(t - now);
    now = Math.max(now, t);
  };

  for (const [k, e] of events.entries()) {
    if (dirty) {
      const when = Math.max(lastDraw + REDRAW_MS, FIRST_DRAW_MS, now);
      if (when < e.t) {
        await sleepTo(when);
        draw();
      }
    }
    await sleepTo(e.t);
    const unit = e.slot.unit;
    if (e.kind === "start") {
      if (!compiled.has(unit.pkg)) {
        compiled.add(unit.pkg);
        const c = BY_ID.get(unit.pkg);
        const what = c ? `${crateName(c)} v${c.version}` : `${ws.app} v0.1.0 (${ws.path})`;
        out.line(status(style, "Compiling", what));
      }
      active.push(e.slot);
    } else if (e.kind === "end") {
      finished++;
      active.splice(active.indexOf(e.slot), 1);
      if (unit.kind === "bin" && ws.warnings.length > 0) out.line(warningSummary(style, ws));
    } else {
      for (const w of ws.warnings) for (const l of w.lines) out.line(l);
    }
    dirty = true;
    const simultaneous = (events[k + 1]?.t ?? Infinity) <= now;
    if (!simultaneous && now >= FIRST_DRAW_MS && now - lastDraw >= REDRAW_MS && finished < total) {
      draw();
    }
  }
}

/** `warning: `app` (bin "app") generated 2 warnings (run `cargo fix …` to apply 1 suggestion)`. */
function warningSummary(style: Style, ws: Workspace): string {
  const n = ws.warnings.length;
  const fixes = ws.warnings.filter((w) => w.fixable).length;
  let text = `\`${ws.app}\` (bin "${ws.app}") generated ${n} warning${n === 1 ? "" : "s"}`;
  if (fixes > 0) {
    text += ` (run \`cargo fix --bin "${ws.app}"\` to apply ${fixes} suggestion${
      fixes === 1 ? "" : "s"
    })`;
  }
  return `${style.bold(style.yellow("warning"))}: ${text}`;
}
