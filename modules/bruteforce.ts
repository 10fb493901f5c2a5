/**
 * bruteforce: a hashcat session run from a wrapper script. Start-up report,
 * dictionary cache, then the status block redrawn in place while cracked
 * hashes appear as `hash:plain`. The attack (hash mode, GPUs, wordlist and
 * rules, or a mask) is chosen so the keyspace takes half a minute to three
 * minutes at the GPUs' speed, and every figure follows from that speed.
 *
 * @module
 */

import data from "../data/bruteforce.json" with { type: "json" };
import { MONTHS, pad, WEEKDAYS } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

/** A hash mode from the data file. */
export type HashMode = (typeof data.modes)[number];
/** A GPU from the data file. */
export type Gpu = (typeof data.gpus)[number];

/** What is being tried: a wordlist with rules, or a mask. */
export interface Attack {
  mode: HashMode;
  gpu: Gpu;
  devices: number;
  wordlist?: (typeof data.wordlists)[number];
  rules?: (typeof data.rules)[number];
  mask?: (typeof data.masks)[number];
  /** Base words (or outer mask candidates). */
  base: number;
  /** Candidates per base word (rules, or the inner mask). */
  amplifier: number;
  /** Hashes to crack; salted modes try every candidate once per salt. */
  hashes: number;
  salts: number;
  /** Progress at the end: base × amplifier × salts. */
  total: number;
  /** H/s of each device. */
  speeds: number[];
}

const CHARSETS: Record<string, string> = {
  l: "abcdefghijklmnopqrstuvwxyz",
  u: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  d: "0123456789",
  s: " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
};
CHARSETS.a = CHARSETS.l! + CHARSETS.u! + CHARSETS.d! + CHARSETS.s!;

/** The characters each position of a mask may take (`?1` from the custom charset). */
export function maskSets(mask: string, custom = ""): string[] {
  const customSet = [...custom.matchAll(/\?([ludsa])/g)].map((m) => CHARSETS[m[1]!]).join("");
  return [...mask.matchAll(/\?([ludsa1])/g)].map((
    m,
  ) => (m[1] === "1" ? customSet : CHARSETS[m[1]!]!));
}

const MIN_MS = 25_000;
const MAX_MS = 170_000;

/** Picks an attack whose keyspace takes 25 s to 170 s on the chosen GPUs. */
export function chooseAttack(rng: Rng): Attack {
  const gpu = rng.weighted(data.gpus, data.gpus.map((g) => g.weight));
  const options: Attack[] = [];
  for (const mode of data.modes) {
    const hashes = rng.int(3, 24);
    const salted = mode.kind !== "hex";
    const salts = salted ? hashes : 1;
    for (let devices = 1; devices <= 4; devices++) {
      const speeds = Array.from(
        { length: devices },
        () => mode.speed * gpu.factor * rng.float(0.97, 1.02),
      );
      const make = (a: Partial<Attack> & { base: number; amplifier: number }): Attack => ({
        mode,
        gpu,
        devices,
        hashes,
        salts,
        speeds,
        ...a,
        total: a.base * a.amplifier * salts,
      });
      for (const wordlist of data.wordlists) {
        for (const rules of data.rules) {
          options.push(make({ wordlist, rules, base: wordlist.passwords, amplifier: rules.count }));
        }
      }
      for (const mask of data.masks) {
        const sets = maskSets(mask.mask, mask.charset);
        const inner = sets.slice(-3).reduce((a, s) => a * s.length, 1);
        const all = sets.reduce((a, s) => a * s.length, 1);
        if (sets.length > mode.maxLen) continue;
        options.push(make({ mask, base: all / inner, amplifier: inner }));
      }
    }
  }
  const fits = options.filter((a) => {
    const ms = (a.total / a.speeds.reduce((x, y) => x + y, 0)) * 1000;
    return ms >= MIN_MS && ms <= MAX_MS;
  });
  const weights = fits.map((a) => a.mode.weight / (a.devices + 1));
  return rng.weighted(fits, weights);
}

/** hashcat's speed format: at most five digits before the point, then k, M, G… */
export function formatSpeed(hs: number): string {
  const units = [" ", "k", "M", "G", "T", "P"];
  let level = 0;
  while (hs > 99999 && level < units.length - 1) {
    hs /= 1000;
    level++;
  }
  return level === 0 ? `${hs.toFixed(0)} ` : `${hs.toFixed(1)} ${units[level]}`;
}

/** hashcat's relative time: `26 secs`, `1 min, 5 secs`, `2 hours, 1 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const [d, h, m, sec] = [
    Math.floor(s / 86400),
    Math.floor(s / 3600) % 24,
    Math.floor(s / 60) % 60,
    s % 60,
  ];
  if (d > 0) return `${unit(d, "day")}, ${unit(h, "hour")}`;
  if (h > 0) return `${unit(h, "hour")}, ${unit(m, "min")}`;
  if (m > 0) return `${unit(m, "min")}, ${unit(sec, "sec")}`;
  return unit(sec, "sec");
}

/** `ctime` format: `Sat Mar 14 09:26:53 2026` (day space-padded). */
export function ctime(date: Date): string {
  return `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${
    String(date.getUTCDate()).padStart(2)
  } ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${
      pad(date.getUTCSeconds())
    } ${date.getUTCFullYear()}`;
}

/** A salted-crypt or raw hash string for a mode. */
export function makeHash(rng: Rng, mode: HashMode): string {
  const b64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const chars = (n: number) => Array.from({ length: n }, () => rng.pick([...b64])).join("");
  if (mode.kind === "md5crypt") return `$1$${chars(8)}$${chars(22)}`;
  if (mode.kind === "sha512crypt") return `$6$${chars(16)}$${chars(86)}`;
  if (mode.kind === "bcrypt") return `$2y$10$${chars(53)}`;
  return rng.hex(mode.hex ?? 32);
}

/** A password the attack would find: a word with a suffix, or a string fitting the mask. */
export function makePlain(rng: Rng, attack: Attack): string {
  if (!attack.mask) {
    const word = rng.pick(data.words);
    const cased = attack.rules?.count !== 1 && rng.chance(0.4)
      ? word[0]!.toUpperCase() + word.slice(1)
      : word;
    return cased +
      (attack.rules?.count === 1 ? rng.pick(["", "1", "123"]) : rng.pick(data.suffixes));
  }
  const sets = maskSets(attack.mask.mask, attack.mask.charset);
  // Fill the lowercase run after an optional capital with a real word when one fits.
  const letters = sets.findIndex((s) => s !== CHARSETS.l && s !== CHARSETS.u);
  const run = letters === -1 ? sets.length : letters;
  const word = data.words.filter((w) => w.length === run && sets[0] !== CHARSETS.a);
  const out = sets.map((s) => rng.pick([...s]));
  if (word.length > 0 && sets.slice(0, run).every((s) => s === CHARSETS.l || s === CHARSETS.u)) {
    [...rng.pick(word)].forEach((c, i) => (out[i] = sets[i] === CHARSETS.u ? c.toUpperCase() : c));
  }
  return out.join("");
}

/** Live figures of a running attack. */
export interface Status {
  state: "Running" | "Cracked" | "Exhausted";
  progress: number;
  recovered: number;
  /** Current H/s of each device. */
  speeds: number[];
  started: Date;
  now: Date;
  /** Seconds left at the current speed. */
  remaining: number;
  candidates: [string, string][];
  temps: number[];
  fans: number[];
  execMs: number[];
}

const pct = (a: number, b: number) => `${b === 0 ? "0.00" : ((a / b) * 100).toFixed(2)}%`;

/** The status block, dot-padded as hashcat prints it; compact labels below 44 columns. */
export function renderStatus(a: Attack, st: Status, cols: number): string[] {
  const compact = cols < 44;
  const row = (key: string, value: string) =>
    compact ? `${key.replace(/\.#/, "#")}: ${value}` : `${key.padEnd(17, ".")}: ${value}`;
  const dev = (i: number) => pad(i + 1);
  const total = st.speeds.reduce((x, y) => x + y, 0);
  const end = new Date(st.now.getTime() + st.remaining * 1000);
  const lines = [
    row("Session", "hashcat"),
    row("Status", st.state),
    row("Hash.Mode", `${a.mode.mode} (${a.mode.name})`),
    row("Hash.Target", "./hashes.txt"),
    row(
      "Time.Started",
      `${ctime(st.started)} (${formatDuration((st.now.getTime() - st.started.getTime()) / 1000)})`,
    ),
    row("Time.Estimated", `${ctime(end)} (${formatDuration(st.remaining)})`),
    row("Kernel.Feature", `Optimized Kernel (password length 0-${a.mode.maxLen} bytes)`),
  ];
  if (a.mask) {
    lines.push(row("Guess.Mask", `${a.mask.mask} [${maskSets(a.mask.mask).length}]`));
    if (a.mask.charset) {
      lines.push(
        row("Guess.Charset", `-1 ${a.mask.charset}, -2 Undefined, -3 Undefined, -4 Undefined`),
      );
    }
  } else {
    lines.push(row("Guess.Base", `File (${a.wordlist!.path})`));
    if (a.rules!.count > 1) lines.push(row("Guess.Mod", `Rules (${a.rules!.path})`));
  }
  lines.push(row("Guess.Queue", "1/1 (100.00%)"));
  st.speeds.forEach((s, i) =>
    lines.push(
      row(
        `Speed.#${dev(i)}`,
        `${formatSpeed(s).padStart(9)}H/s (${st.execMs[i]!.toFixed(2)}ms) @ ${a.mode.accel}`,
      ),
    )
  );
  if (st.speeds.length > 1) lines.push(row("Speed.#*", `${formatSpeed(total).padStart(9)}H/s`));
  const rec = `${st.recovered}/${a.hashes} (${pct(st.recovered, a.hashes)})`;
  lines.push(row("Recovered", `${rec} Digests (total), ${rec} Digests (new)`));
  lines.push(row("Progress", `${st.progress}/${a.total} (${pct(st.progress, a.total)})`));
  lines.push(row("Rejected", `0/${st.progress} (0.00%)`));
  const point = Math.min(a.base, Math.floor(st.progress / (a.amplifier * a.salts)));
  lines.push(row("Restore.Point", `${point}/${a.base} (${pct(point, a.base)})`));
  st.speeds.forEach((_, i) =>
    lines.push(
      row(
        `Restore.Sub.#${dev(i)}`,
        `Salt:0 Amplifier:0-${Math.min(a.amplifier, 1024)} Iteration:0-1`,
      ),
    )
  );
  lines.push(row("Candidate.Engine", "Device Generator"));
  st.candidates.forEach(([from, to], i) =>
    lines.push(row(`Candidates.#${dev(i)}`, `${from} -> ${to}`))
  );
  st.temps.forEach((t, i) =>
    lines.push(
      row(
        `Hardware.Mon.#${dev(i)}`,
        `Temp: ${t}c Fan: ${st.fans[i]}% Util: ${
          st.state === "Running" ? 99 : 0
        }% Core:${a.gpu.coreMhz}MHz Mem:${a.gpu.memMhz}MHz Bus:${a.gpu.bus}`,
      ),
    )
  );
  return lines;
}

/** Lines hashcat can do without when the status block must fit a short terminal. */
const OPTIONAL = [
  "Restore.Sub",
  "Rejected",
  "Restore.Point",
  "Candidate.Engine",
  "Guess.Queue",
  "Kernel.Feature",
  "Hash.Target",
  "Hardware.Mon",
  "Time.Started",
  "Guess.Mod",
  "Guess.Charset",
];

/** Drops optional status lines until the block fits `rows` lines. */
export function fitRows(lines: string[], rows: number): string[] {
  let out = lines;
  for (const key of OPTIONAL) {
    if (out.length <= rows) break;
    out = out.filter((l) => !l.startsWith(key));
  }
  return out.slice(0, Math.max(1, rows));
}

const PROMPT = "[s]tatus [p]ause [b]ypass [c]heckpoint [f]inish [q]uit => ";

function commandLine(a: Attack): string {
  const base = `+ hashcat -m ${a.mode.mode} -a ${a.mask ? 3 : 0} -O -w 3 ./hashes.txt`;
  if (a.mask) return `${base}${a.mask.charset ? ` -1 '${a.mask.charset}'` : ""} '${a.mask.mask}'`;
  return `${base} ${a.wordlist!.path}${a.rules!.count > 1 ? ` -r ${a.rules!.path}` : ""}`;
}

async function startup(ctx: Context, a: Attack): Promise<void> {
  const { out, rng } = ctx;
  out.line(commandLine(a));
  out.line(`hashcat (v${data.version}) starting`);
  out.line();
  out.live([`Initializing backend runtime for device #01. Please be patient...`]);
  await ctx.sleep(rng.int(600, 1800));
  out.live([]);
  const cuda = `CUDA API (CUDA ${data.cuda.api})`;
  const opencl = `OpenCL API (${data.cuda.opencl}) - Platform #1 [NVIDIA Corporation]`;
  out.line(cuda);
  out.line("=".repeat(cuda.length));
  for (let i = 0; i < a.devices; i++) {
    const free = a.gpu.memMb - rng.int(300, 900);
    out.line(`* Device #${pad(i + 1)}: ${a.gpu.name}, ${free}/${a.gpu.memMb} MB, ${a.gpu.mcu}MCU`);
  }
  out.line();
  out.line(opencl);
  out.line("=".repeat(opencl.length));
  for (let i = 0; i < a.devices; i++) {
    out.line(`* Device #${pad(a.devices + i + 1)}: ${a.gpu.name}, skipped`);
  }
  out.line();
  out.line("Minimum password length supported by kernel: 0");
  out.line(`Maximum password length supported by kernel: ${a.mode.maxLen}`);
  out.line();
  out.line(`Hashes: ${a.hashes} digests; ${a.hashes} unique digests, ${a.salts} unique salts`);
  out.line("Bitmaps: 16 bits, 65536 entries, 0x0000ffff mask, 262144 bytes, 5/13 rotates");
  if (!a.mask) out.line(`Rules: ${a.rules!.count}`);
  out.line();
  out.line("Optimizers applied:");
  for (const o of a.mode.optimizers) out.line(`* ${o}`);
  out.line();
  out.line("Watchdog: Temperature abort trigger set to 90c");
  out.line();
  out.line(
    `Host memory allocated for this attack: ${rng.int(520, 2600)} MB (${
      rng.int(18000, 56000)
    } MB free)`,
  );
  out.line();
  if (a.wordlist) await dictionaryCache(ctx, a.wordlist, a.rules!.count);
  out.live(["Initializing device kernels and memory. Please be patient..."]);
  await ctx.sleep(rng.int(1200, 4000));
  out.live([]);
}

async function dictionaryCache(
  ctx: Context,
  w: (typeof data.wordlists)[number],
  rules: number,
): Promise<void> {
  const { out, rng } = ctx;
  const hit = rng.chance(0.65);
  let runtime = 0;
  if (!hit) {
    const rate = rng.float(120e6, 260e6); // bytes per second
    runtime = Math.max(1, Math.round(w.bytes / rate));
    for (let done = 0; done < w.bytes; done += Math.round(rate * 0.25)) {
      out.live([`Dictionary cache building ${w.path}: ${done} bytes (${pct(done, w.bytes)})`]);
      await ctx.sleep(250);
    }
    out.live([]);
  }
  out.line(hit ? "Dictionary cache hit:" : "Dictionary cache built:");
  out.line(`* Filename..: ${w.path}`);
  out.line(`* Passwords.: ${w.passwords}`);
  out.line(`* Bytes.....: ${w.bytes}`);
  out.line(`* Keyspace..: ${w.passwords * rules}`);
  if (!hit) out.line(`* Runtime...: ${formatDuration(runtime)}`);
  out.line();
}

/** A pair of candidates the devices are trying around `point`. */
function candidatePair(rng: Rng, a: Attack): [string, string] {
  return [makePlain(rng, a), makePlain(rng, a)];
}

/** The bruteforce module. */
export const bruteforce: Module = {
  name: "bruteforce",
  signature: "./bruteforce.sh ./hashes.txt",
  about: "Cracks a file of password hashes with hashcat on a few GPUs",
  maxDurationMs: 230_000,
  async run(ctx: Context): Promise<void> {
    const { rng, out } = ctx;
    const a = chooseAttack(rng);
    await startup(ctx, a);
    const hashes = Array.from({ length: a.hashes }, () => makeHash(rng, a.mode));
    const crackRate = rng.chance(0.15) ? 1 : rng.float(0.2, 0.9); // now and then every hash falls
    const cracks = hashes
      .map((hash) => ({
        hash,
        plain: makePlain(rng, a),
        at: Math.floor(rng.next() ** 1.6 * a.total),
      }))
      .filter(() => rng.chance(crackRate))
      .sort((x, y) => x.at - y.at);
    const started = ctx.clock.now();
    const wallStart = ctx.clock.wall().getTime();
    const st: Status = {
      state: "Running",
      progress: 0,
      recovered: 0,
      speeds: a.speeds.map((s) => s * 0.7),
      started: new Date(wallStart),
      now: new Date(wallStart),
      remaining: 0,
      candidates: a.speeds.map(() => candidatePair(rng, a)),
      temps: a.speeds.map(() => rng.int(38, 48)),
      fans: a.speeds.map(() => rng.int(28, 35)),
      execMs: a.speeds.map(() => rng.float(a.mode.exec[0]!, a.mode.exec[1]!)),
    };
    const target = a.speeds.map(() => rng.int(58, 78));
    const show = () => {
      st.now = new Date(wallStart + ctx.clock.now() - started);
      st.remaining = (a.total - st.progress) / st.speeds.reduce((x, y) => x + y, 0);
      const block = renderStatus(a, st, ctx.term.cols);
      out.live([...fitRows(block, ctx.term.rows - 3), "", PROMPT]);
    };
    show();
    let approaching = false;
    let ticks = 0;
    while (st.state === "Running") {
      const speed = st.speeds.reduce((x, y) => x + y, 0);
      const step = Math.min(Math.round(speed), a.total - st.progress); // one second of work
      const tickMs = Math.max(1, Math.round((step / speed) * 1000));
      const next = st.progress + step;
      let elapsed = 0;
      while (cracks.length > 0 && cracks[0]!.at <= next) {
        const c = cracks.shift()!;
        const at = Math.round(((c.at - st.progress) / speed) * 1000);
        await ctx.sleep(at - elapsed);
        elapsed = at;
        out.line(`${c.hash}:${c.plain}`);
        st.recovered++;
        if (st.recovered === a.hashes) {
          st.state = "Cracked";
          st.progress = Math.max(st.progress, c.at);
        }
      }
      if (st.state === "Cracked") break;
      if (!approaching && a.total - next < speed * 4) {
        approaching = true;
        out.line("Approaching final keyspace - workload adjusted.");
      }
      await ctx.sleep(tickMs - elapsed);
      st.progress = next;
      if (st.progress >= a.total) st.state = "Exhausted";
      // Warm up, heat up, wobble a little.
      st.speeds = a.speeds.map((s) => s * (1 + rng.normal(0, 0.008)));
      st.temps = st.temps.map((t, i) =>
        t + Math.round((target[i]! - t) * 0.08 + rng.normal(0, 0.4))
      );
      st.fans = st.fans.map((f, i) =>
        Math.max(f, Math.min(100, Math.round(30 + (st.temps[i]! - 45) * 1.6)))
      );
      st.candidates = st.candidates.map((c) => (rng.chance(0.8) ? candidatePair(rng, a) : c));
      // A log gets the block as often as `--status-timer 15` would print it.
      if (st.state === "Running" && (ctx.term.isTTY || ++ticks % 15 === 0)) show();
    }
    st.now = new Date(wallStart + ctx.clock.now() - started);
    st.remaining = 0;
    out.live([]);
    out.line();
    for (const line of renderStatus(a, st, ctx.term.cols)) out.line(line);
    out.line();
    out.line(`Started: ${ctime(st.started)}`);
    out.line(`Stopped: ${ctime(st.now)}`);
  },
};
