/**
 * bruteforce: a hashcat session run from a wrapper script with `--status`.
 * Start-up report, dictionary cache, then a new status block every
 * `--status-timer` seconds (hashcat never redraws one in place) while cracked
 * hashes appear as `hash:plain`. The attack (hash mode, GPUs, wordlist and
 * rules, or a mask) is chosen so the keyspace takes half a minute to three
 * minutes at the GPUs' speed, and every figure follows from that speed. Every
 * hash is the real digest of its password (computed below), so a cracked pair
 * verifies with `sha1sum` or `openssl passwd`.
 *
 * @module
 */

import data from "../data/bruteforce.json" with { type: "json" };
import { hms, MONTHS, pad, WEEKDAYS } from "../core/format.ts";
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
    const salted = mode.kind === "md5crypt";
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
    `${hms(date)} ${date.getUTCFullYear()}`;
}

// Digests: the cracked pairs must verify, so they are computed.

const utf8 = (s: string) => new TextEncoder().encode(s);
const hexOf = (bytes: Uint8Array) =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** Merkle–Damgård padding: 0x80, zeros, then the bit length (64 or 128 bits). */
function padded(msg: Uint8Array, block: number, bigEndian: boolean): DataView {
  const lenField = block === 128 ? 16 : 8;
  const total = Math.ceil((msg.length + 1 + lenField) / block) * block;
  const buf = new Uint8Array(total);
  buf.set(msg);
  buf[msg.length] = 0x80;
  const view = new DataView(buf.buffer);
  const bits = msg.length * 8;
  if (bigEndian) {
    view.setUint32(total - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(total - 4, bits >>> 0);
  } else {
    view.setUint32(total - lenField, bits >>> 0, true);
    view.setUint32(total - lenField + 4, Math.floor(bits / 2 ** 32), true);
  }
  return view;
}

function littleWords(words: number[]): Uint8Array {
  const out = new DataView(new ArrayBuffer(words.length * 4));
  words.forEach((w, i) => out.setUint32(i * 4, w >>> 0, true));
  return new Uint8Array(out.buffer);
}

function bigWords(words: number[]): Uint8Array {
  const out = new DataView(new ArrayBuffer(words.length * 4));
  words.forEach((w, i) => out.setUint32(i * 4, w >>> 0));
  return new Uint8Array(out.buffer);
}

const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));
const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/** MD5 (RFC 1321) of raw bytes. */
export function md5Bytes(msg: Uint8Array): Uint8Array {
  const view = padded(msg, 64, false);
  let [a0, b0, c0, d0] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let off = 0; off < view.byteLength; off += 64) {
    const m = Array.from({ length: 16 }, (_, i) => view.getUint32(off + i * 4, true));
    let [a, b, c, d] = [a0, b0, c0, d0];
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      const f = round === 0
        ? (b & c) | (~b & d)
        : round === 1
        ? (d & b) | (~d & c)
        : round === 2
        ? b ^ c ^ d
        : c ^ (b | ~d);
      const g = round === 0
        ? i
        : round === 1
        ? (5 * i + 1) % 16
        : round === 2
        ? (3 * i + 5) % 16
        : (7 * i) % 16;
      const sum = (a + f + MD5_K[i]! + m[g]!) | 0;
      [a, d, c] = [d, c, b];
      b = (b + rotl(sum, MD5_S[round * 4 + (i % 4)]!)) | 0;
    }
    [a0, b0, c0, d0] = [(a0 + a) | 0, (b0 + b) | 0, (c0 + c) | 0, (d0 + d) | 0];
  }
  return littleWords([a0, b0, c0, d0]);
}

/** MD4 (RFC 1320) of raw bytes. */
export function md4Bytes(msg: Uint8Array): Uint8Array {
  const view = padded(msg, 64, false);
  let h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const F = (x: number, y: number, z: number) => (x & y) | (~x & z);
  const G = (x: number, y: number, z: number) => (x & y) | (x & z) | (y & z);
  const H = (x: number, y: number, z: number) => x ^ y ^ z;
  for (let off = 0; off < view.byteLength; off += 64) {
    const x = Array.from({ length: 16 }, (_, i) => view.getUint32(off + i * 4, true));
    let [a, b, c, d] = h as [number, number, number, number];
    const step = (fn: typeof F, k: number, s: number, add: number) => {
      const t = rotl((a + fn(b, c, d) + x[k]! + add) | 0, s);
      [a, b, c, d] = [d, t, b, c];
    };
    for (const k of [0, 4, 8, 12]) {
      for (const [j, s] of [[0, 3], [1, 7], [2, 11], [3, 19]]) step(F, k + j!, s!, 0);
    }
    for (const k of [0, 1, 2, 3]) {
      for (const [j, s] of [[0, 3], [4, 5], [8, 9], [12, 13]]) step(G, k + j!, s!, 0x5a827999);
    }
    for (const k of [0, 2, 1, 3]) {
      for (const [j, s] of [[0, 3], [8, 9], [4, 11], [12, 15]]) step(H, k + j!, s!, 0x6ed9eba1);
    }
    h = [(h[0]! + a) | 0, (h[1]! + b) | 0, (h[2]! + c) | 0, (h[3]! + d) | 0];
  }
  return littleWords(h);
}

/** SHA-1 (FIPS 180-4) of raw bytes. */
export function sha1Bytes(msg: Uint8Array): Uint8Array {
  const view = padded(msg, 64, true);
  let h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Array<number>(80);
  for (let off = 0; off < view.byteLength; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
    let [a, b, c, d, e] = h as [number, number, number, number, number];
    for (let i = 0; i < 80; i++) {
      const [f, k] = i < 20
        ? [(b & c) | (~b & d), 0x5a827999]
        : i < 40
        ? [b ^ c ^ d, 0x6ed9eba1]
        : i < 60
        ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
        : [b ^ c ^ d, 0xca62c1d6];
      const t = (rotl(a, 5) + f! + e + k! + w[i]!) | 0;
      [e, d, c, b, a] = [d, c, rotl(b, 30), a, t];
    }
    h = h.map((v, i) => (v + [a, b, c, d, e][i]!) | 0);
  }
  return bigWords(h);
}

const PRIMES = (() => {
  const out: number[] = [];
  for (let n = 2; out.length < 80; n++) if (out.every((p) => n % p !== 0)) out.push(n);
  return out;
})();
/** Fractional bits of the roots of the first primes, as SHA-2 defines its constants. */
function rootBits(root: number, count: number): bigint[] {
  return PRIMES.slice(0, count).map((p) => {
    // 64 fractional bits: integer Newton iteration on (p << 192) for the cube/square root.
    const scaled = BigInt(p) << BigInt(64 * root);
    let x = BigInt(Math.floor(p ** (1 / root) * 2 ** 20)) << 44n;
    for (let i = 0; i < 60; i++) {
      const next = root === 2 ? (x + scaled / x) >> 1n : (2n * x + scaled / (x * x)) / 3n;
      if (next === x) break;
      x = next;
    }
    while (x ** BigInt(root) > scaled) x--;
    while ((x + 1n) ** BigInt(root) <= scaled) x++;
    return x & ((1n << 64n) - 1n);
  });
}
const K64 = rootBits(3, 80);
const IV64 = rootBits(2, 8);
const K32 = K64.slice(0, 64).map((k) => Number(k >> 32n));
const IV32 = IV64.map((k) => Number(k >> 32n));

/** SHA-256 (FIPS 180-4) of raw bytes. */
export function sha256Bytes(msg: Uint8Array): Uint8Array {
  const view = padded(msg, 64, true);
  let h = [...IV32];
  const w = new Array<number>(64);
  for (let off = 0; off < view.byteLength; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15]!, 7) ^ rotr(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3);
      const s1 = rotr(w[i - 2]!, 17) ^ rotr(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let i = 0; i < 64; i++) {
      const t1 =
        (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K32[i]! + w[i]!) |
        0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) | 0, c, b, a, (t1 + t2) | 0];
    }
    h = h.map((v, i) => (v + [a, b, c, d, e, f, g, hh][i]!) | 0);
  }
  return bigWords(h);
}

/** SHA-512 (FIPS 180-4) of raw bytes (BigInt words: fine for a few digests a run). */
export function sha512Bytes(msg: Uint8Array): Uint8Array {
  const view = padded(msg, 128, true);
  const MASK = (1n << 64n) - 1n;
  const r = (x: bigint, n: bigint) => ((x >> n) | (x << (64n - n))) & MASK;
  let h = [...IV64];
  const w = new Array<bigint>(80);
  for (let off = 0; off < view.byteLength; off += 128) {
    for (let i = 0; i < 16; i++) w[i] = view.getBigUint64(off + i * 8);
    for (let i = 16; i < 80; i++) {
      const s0 = r(w[i - 15]!, 1n) ^ r(w[i - 15]!, 8n) ^ (w[i - 15]! >> 7n);
      const s1 = r(w[i - 2]!, 19n) ^ r(w[i - 2]!, 61n) ^ (w[i - 2]! >> 6n);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) & MASK;
    }
    let [a, b, c, d, e, f, g, hh] = h as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    for (let i = 0; i < 80; i++) {
      const t1 =
        (hh + (r(e, 14n) ^ r(e, 18n) ^ r(e, 41n)) + ((e & f) ^ (~e & MASK & g)) + K64[i]! + w[i]!) &
        MASK;
      const t2 = ((r(a, 28n) ^ r(a, 34n) ^ r(a, 39n)) + ((a & b) ^ (a & c) ^ (b & c))) & MASK;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) & MASK, c, b, a, (t1 + t2) & MASK];
    }
    h = h.map((v, i) => (v + [a, b, c, d, e, f, g, hh][i]!) & MASK);
  }
  const out = new DataView(new ArrayBuffer(64));
  h.forEach((v, i) => out.setBigUint64(i * 8, v));
  return new Uint8Array(out.buffer);
}

/** NTLM: MD4 of the password in UTF-16LE. */
export function ntlm(plain: string): string {
  const bytes = new Uint8Array(plain.length * 2);
  for (let i = 0; i < plain.length; i++) {
    bytes[i * 2] = plain.charCodeAt(i) & 0xff;
    bytes[i * 2 + 1] = plain.charCodeAt(i) >> 8;
  }
  return hexOf(md4Bytes(bytes));
}

const CRYPT64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** md5crypt (`$1$salt$…`, as FreeBSD's crypt(3) and glibc compute it). */
export function md5crypt(plain: string, salt: string): string {
  const pw = utf8(plain), s = utf8(salt), magic = utf8("$1$");
  const cat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const alt = md5Bytes(cat(pw, s, pw));
  const parts: Uint8Array[] = [pw, magic, s];
  for (let n = pw.length; n > 0; n -= 16) parts.push(alt.slice(0, Math.min(16, n)));
  for (let n = pw.length; n > 0; n >>= 1) parts.push(n & 1 ? new Uint8Array([0]) : pw.slice(0, 1));
  let fin = md5Bytes(cat(...parts));
  for (let i = 0; i < 1000; i++) {
    const round: Uint8Array[] = [i & 1 ? pw : fin];
    if (i % 3) round.push(s);
    if (i % 7) round.push(pw);
    round.push(i & 1 ? fin : pw);
    fin = md5Bytes(cat(...round));
  }
  let text = "";
  const put = (v: number, n: number) => {
    for (let i = 0; i < n; i++, v >>= 6) text += CRYPT64[v & 63];
  };
  for (const [a, b, c] of [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]]) {
    put((fin[a!]! << 16) | (fin[b!]! << 8) | fin[c!]!, 4);
  }
  put(fin[11]!, 2);
  return `$1$${salt}$${text}`;
}

/** The digest hashcat shows for `plain` in a raw (unsalted) mode, as lower-case hex. */
export function rawDigest(kind: string, plain: string): string {
  const bytes = utf8(plain);
  switch (kind) {
    case "md5":
      return hexOf(md5Bytes(bytes));
    case "sha1":
      return hexOf(sha1Bytes(bytes));
    case "sha256":
      return hexOf(sha256Bytes(bytes));
    case "sha512":
      return hexOf(sha512Bytes(bytes));
    case "ntlm":
      return ntlm(plain);
  }
  throw new RangeError(`no digest for ${kind}`);
}

/** The longest password the kernel takes: `-O` caps a wordlist attack at 31 bytes (rules run in a 32-byte buffer). */
export function kernelMaxLen(a: Attack): number {
  return a.mask ? a.mode.maxLen : Math.min(a.mode.maxLen, 31);
}

/** `-O` except for modes with no optimized kernel. */
export function optimized(a: Attack): boolean {
  return a.mode.optimizers.includes("Optimized-Kernel");
}

/** The optimizers hashcat lists: `Brute-Force` joins fast hashes under a mask attack. */
export function optimizers(a: Attack): string[] {
  const list = [...a.mode.optimizers];
  if (a.mask && a.mode.kind !== "md5crypt") list.splice(list.indexOf("Raw-Hash"), 0, "Brute-Force");
  return list;
}

/** Kernel loops per launch: the rules or inner mask for fast hashes, the iterations for slow ones. */
export function loops(a: Attack): number {
  return a.mode.iterations ?? Math.min(a.amplifier, 1024);
}

/** The hash line for `plain`: a raw digest, or md5crypt with its own salt. */
export function hashOf(rng: Rng, mode: HashMode, plain: string): string {
  if (mode.kind !== "md5crypt") return rawDigest(mode.kind, plain);
  const salt = Array.from({ length: 8 }, () => rng.pick([...CRYPT64])).join("");
  return md5crypt(plain, salt);
}

/** A password the attack would find: a word with a suffix, or a string fitting the mask. */
export function makePlain(rng: Rng, attack: Attack, words = true): string {
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
  const wordy = sets.slice(0, run).every((s) => s === CHARSETS.l || s === CHARSETS.u);
  if (words && word.length > 0 && wordy) {
    [...rng.pick(word)].forEach((c, i) => (out[i] = sets[i] === CHARSETS.u ? c.toUpperCase() : c));
  }
  return out.join("");
}

/**
 * The run's passwords, all different (a hash file holds each digest once):
 * found ones fit the attack, the rest are too strong for it. Once real words
 * run out (an eight-letter mask knows only a dozen), found ones are random fills.
 */
export function drawPlains(rng: Rng, attack: Attack, found: boolean[]): string[] {
  const seen = new Set<string>();
  return found.map((hit) => {
    let plain = "";
    for (let tries = 0; plain === "" || seen.has(plain); tries++) {
      plain = hit ? makePlain(rng, attack, tries < 3) : strongPlain(rng);
    }
    seen.add(plain);
    return plain;
  });
}

/** A password no attack of this run finds (the hashes that stay uncracked). */
function strongPlain(rng: Rng): string {
  return Array.from({ length: rng.int(12, 20) }, () => rng.pick([...CHARSETS.a!])).join("");
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

/** Candidates rejected so far: wordlist entries longer than the kernel takes (a mask never makes one). */
export function rejected(a: Attack, progress: number): number {
  if (!a.wordlist) return 0;
  const over = kernelMaxLen(a) < 31 ? a.wordlist.over27 : a.wordlist.over31;
  return Math.round(progress * over / a.wordlist.passwords);
}

/** The status block, every line, dot-padded as hashcat prints it. */
export function renderStatus(a: Attack, st: Status): string[] {
  const row = (key: string, value: string) => `${key.padEnd(17, ".")}: ${value}`;
  const dev = (i: number) => pad(i + 1);
  const total = st.speeds.reduce((x, y) => x + y, 0);
  const end = new Date(st.now.getTime() + st.remaining * 1000);
  const kernel = optimized(a) ? "Optimized Kernel" : "Pure Kernel";
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
    row("Kernel.Feature", `${kernel} (password length 0-${kernelMaxLen(a)} bytes)`),
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
        `${formatSpeed(s).padStart(9)}H/s (${st.execMs[i]!.toFixed(2)}ms) @ ${
          a.mode.accel.replace(" ", ` Loops:${loops(a)} `)
        }`,
      ),
    )
  );
  if (st.speeds.length > 1) lines.push(row("Speed.#*", `${formatSpeed(total).padStart(9)}H/s`));
  const rec = `${st.recovered}/${a.hashes} (${pct(st.recovered, a.hashes)})`;
  lines.push(row("Recovered", `${rec} Digests (total), ${rec} Digests (new)`));
  lines.push(row("Progress", `${st.progress}/${a.total} (${pct(st.progress, a.total)})`));
  const rej = rejected(a, st.progress);
  lines.push(row("Rejected", `${rej}/${st.progress} (${pct(rej, st.progress)})`));
  const point = Math.min(a.base, Math.floor(st.progress / (a.amplifier * a.salts)));
  lines.push(row("Restore.Point", `${point}/${a.base} (${pct(point, a.base)})`));
  const salt = Math.min(a.salts - 1, Math.floor(st.progress / a.amplifier) % a.salts);
  st.speeds.forEach((_, i) => {
    const sub = a.mode.iterations
      ? `Salt:${salt} Amplifier:0-1 Iteration:0-${a.mode.iterations}`
      : `Salt:0 Amplifier:0-${loops(a)} Iteration:0-1`;
    lines.push(row(`Restore.Sub.#${dev(i)}`, sub));
  });
  lines.push(row("Candidate.Engine", "Device Generator"));
  st.candidates.forEach(([from, to], i) =>
    lines.push(row(`Candidates.#${dev(i)}`, `${from} -> ${to}`))
  );
  st.temps.forEach((t, i) =>
    lines.push(
      row(
        `Hardware.Mon.#${dev(i)}`,
        `Temp: ${t}c Fan: ${st.fans[i]}% Util:${
          st.state === "Running" ? " 99" : "  0"
        }% Core:${a.gpu.coreMhz}MHz Mem:${a.gpu.memMhz}MHz Bus:${a.gpu.bus}`,
      ),
    )
  );
  return lines;
}

/** The keyboard prompt hashcat keeps under its output in a terminal. */
export const PROMPT = "[s]tatus [p]ause [b]ypass [c]heckpoint [f]inish [q]uit => ";
/** Seconds between status blocks (`--status-timer`). */
export const STATUS_TIMER = 15;

function commandLine(a: Attack): string {
  const base = `+ hashcat -m ${a.mode.mode} -a ${a.mask ? 3 : 0}${
    optimized(a) ? " -O" : ""
  } -w 3 --status --status-timer ${STATUS_TIMER} ./hashes.txt`;
  if (a.mask) return `${base}${a.mask.charset ? ` -1 '${a.mask.charset}'` : ""} '${a.mask.mask}'`;
  return `${base} ${a.wordlist!.path}${a.rules!.count > 1 ? ` -r ${a.rules!.path}` : ""}`;
}

async function startup(ctx: Context, a: Attack): Promise<void> {
  const { out, rng } = ctx;
  out.line(commandLine(a));
  out.line(`hashcat (v${data.version}) starting`);
  out.line();
  out.live([`Initializing backend runtime for device #01. Please be patient...`]);
  await ctx.sleep(rng.int(1500, 4000));
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
  out.line(`Maximum password length supported by kernel: ${kernelMaxLen(a)}`);
  out.line();
  out.line(`Hashes: ${a.hashes} digests; ${a.hashes} unique digests, ${a.salts} unique salts`);
  out.line("Bitmaps: 16 bits, 65536 entries, 0x0000ffff mask, 262144 bytes, 5/13 rotates");
  if (!a.mask) out.line(`Rules: ${a.rules!.count}`);
  out.line();
  out.line("Optimizers applied:");
  for (const o of optimizers(a)) out.line(`* ${o}`);
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
  await ctx.sleep(rng.int(4000, 18000)); // kernels load (or build) and memory is allocated
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
    // The whole hash file first: which passwords fall, where in the keyspace, and their real digests.
    const crackRate = rng.chance(0.15) ? 1 : rng.float(0.2, 0.9); // now and then every hash falls
    const found = Array.from({ length: a.hashes }, () => rng.chance(crackRate));
    const targets = drawPlains(rng, a, found).map((plain, i) => ({
      plain,
      hash: hashOf(rng, a.mode, plain),
      found: found[i]!,
    }));
    const cracks = targets
      .filter((t) => t.found)
      .map((t) => ({ ...t, at: Math.floor(rng.next() ** 1.6 * a.total) }))
      .sort((x, y) => x.at - y.at);
    const processStart = ctx.clock.wall().getTime();
    await startup(ctx, a);
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
    const prompt = () => out.live(ctx.term.isTTY ? [PROMPT] : []);
    const block = () => {
      st.now = new Date(wallStart + ctx.clock.now() - started);
      st.remaining = (a.total - st.progress) / st.speeds.reduce((x, y) => x + y, 0);
      out.live([]);
      out.line();
      for (const line of renderStatus(a, st)) out.line(line);
      out.line();
      prompt();
    };
    prompt();
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
        out.live([]);
        out.line(`${c.hash}:${c.plain}`);
        prompt();
        st.recovered++;
        if (st.recovered === a.hashes) {
          st.state = "Cracked";
          st.progress = Math.max(st.progress, c.at);
        }
      }
      if (st.state === "Cracked") break;
      if (!approaching && a.total - next < speed * 4) {
        approaching = true;
        out.live([]);
        out.line("Approaching final keyspace - workload adjusted.");
        out.line();
        prompt();
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
      if (st.state === "Running" && ++ticks % STATUS_TIMER === 0) block();
    }
    st.now = new Date(wallStart + ctx.clock.now() - started);
    st.remaining = 0;
    out.live([]);
    out.line();
    for (const line of renderStatus(a, st)) out.line(line);
    out.line();
    out.line(`Started: ${ctime(new Date(processStart))}`);
    out.line(`Stopped: ${ctime(st.now)}`);
  },
};
