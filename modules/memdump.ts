/**
 * `memdump`: `hexdump -C` of a small ELF core file. The bytes are built like a
 * real x86-64 core: ELF header, program headers, notes (registers, process
 * info, auxv, mapped files), then page-sized memory segments: ELF header pages,
 * `.data` with GOT pointers, a glibc heap with chunk headers and strings, a
 * stack with argv and environment, and zero pages that hexdump folds into `*`.
 *
 * @module
 */

import data from "../data/memdump.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

const PAGE = 4096;
const PID = 4127;
/** glibc's first heap (brk) grows in 132 KiB steps; the main stack maps 132 KiB to start. */
const HEAP_PAGES = 33;
const STACK_PAGES = 33;

/** A growable little-endian byte buffer. */
class Bytes {
  readonly b: number[] = [];
  get length(): number {
    return this.b.length;
  }
  u8(v: number): this {
    this.b.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v: bigint | number): this {
    const x = BigInt.asUintN(64, BigInt(v));
    return this.u32(Number(x & 0xffffffffn)).u32(Number(x >> 32n));
  }
  str(s: string, nul = true): this {
    for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i) & 0x7f);
    return nul ? this.u8(0) : this;
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.b.push(0);
    return this;
  }
  align(n: number): this {
    return this.zeros((n - (this.b.length % n)) % n);
  }
  raw(bytes: readonly number[]): this {
    for (const x of bytes) this.b.push(x);
    return this;
  }
  /** Pads (or cuts) to exactly `n` bytes. */
  fit(n: number): number[] {
    return this.b.length >= n
      ? this.b.slice(0, n)
      : [...this.b, ...new Array(n - this.b.length).fill(0)];
  }
}

/** The process whose core is dumped: addresses and names. */
interface Proc {
  prog: (typeof data.programs)[number];
  exe: bigint;
  heap: bigint;
  libc: bigint;
  stack: bigint;
  user: string;
  cwd: string;
  libs: { name: string; base: bigint }[];
  /** When the process died (UTC); its log lines are from the minutes before. */
  crashed: Date;
  /** The vDSO, mapped above the stack (after the vvar pages). */
  vdso: bigint;
  /** The executable's entry point, relative to its base (`e_entry` of a PIE). */
  entry: number;
  /** The auxiliary vector, as written on the stack (and copied to NT_AUXV). */
  aux: [number, bigint | number][];
  /** The stack pointer when it died: the bottom of the frames on the stack. */
  sp: bigint;
  /** File-backed mappings, as NT_FILE lists them: file, range, offset in pages. */
  files: { name: string; start: bigint; end: bigint; pgoff: number }[];
}

function fill(rng: Rng, proc: Proc, template: string): string {
  return template
    .replaceAll("{hex32}", rng.hex(32))
    .replaceAll("{int5}", String(rng.int(10000, 99999)))
    .replaceAll("{user}", proc.user)
    .replaceAll("{cwd}", proc.cwd)
    .replaceAll("{pid}", String(PID))
    .replaceAll("{ts}", () => logTime(rng, proc.crashed));
}

/** An RFC 3339 UTC second from the ten minutes before `crashed`, as JSON loggers print it. */
function logTime(rng: Rng, crashed: Date): string {
  const at = new Date(crashed.getTime() - rng.int(1, 600) * 1000);
  return at.toISOString().slice(0, 19) + "Z";
}

const randomBytes = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.int(0, 255));
const heapPtr = (rng: Rng, p: Proc) => p.heap + BigInt(rng.int(0x2a0, 0x1ffff) & ~0xf);
const codePtr = (rng: Rng, base: bigint) => base + BigInt(rng.int(0x1000, 0x1bffff));

/** An ELF64 header plus program headers, `.interp`, a build-id note and `.dynstr`. */
function elfHeaderPage(rng: Rng, base: bigint, interp: boolean, entry = 0): number[] {
  const b = new Bytes();
  b.raw([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).zeros(8);
  b.u16(3).u16(0x3e).u32(1).u64(entry).u64(0x40);
  b.u64(rng.int(0x20000, 0x1fffff) & ~7).u32(0).u16(0x40).u16(0x38);
  const phnum = interp ? 13 : 11;
  b.u16(phnum).u16(0x40).u16(rng.int(26, 31)).u16(rng.int(25, 30));
  const types = [6, 3, 1, 1, 1, 1, 2, 4, 4, 0x6474e553, 0x6474e550, 0x6474e551, 0x6474e552];
  for (const [i, type] of (interp ? types : types.filter((t) => t !== 6 && t !== 3)).entries()) {
    const off = i * 0x1000 * rng.int(0, 3);
    b.u32(type).u32([4, 5, 4, 6][i % 4] as number).u64(off).u64(off).u64(off);
    const size = type === 3 ? 0x1c : rng.int(0x40, 0x9000);
    b.u64(size).u64(size).u64(type === 1 ? 0x1000 : 8);
  }
  if (interp) b.str("/lib64/ld-linux-x86-64.so.2");
  b.align(8).u32(4).u32(0x20).u32(5).str("GNU").u32(0xc0000002).u32(4).u32(3).u32(0);
  b.u32(4).u32(0x14).u32(3).str("GNU").raw(randomBytes(rng, 20));
  b.align(8);
  const entries = rng.int(14, 30);
  for (let i = 0; i < entries; i++) {
    b.u32(i === 0 ? 0 : rng.int(1, 0x400)).u8(i === 0 ? 0 : 0x12).u8(0).u16(0).u64(0).u64(0);
  }
  for (const s of rng.sample(data.dataStrings, rng.int(12, 24))) b.str(s);
  b.align(8);
  while (b.length < PAGE - 24) {
    b.u64(base + BigInt(rng.int(0x3d00, 0x5f00) & ~7)).u64(8).u64(codePtr(rng, base));
  }
  return b.fit(PAGE);
}

/** `.data`/`.got`: init arrays, GOT entries into libc, globals, then `.bss` zeros. */
function dataPages(rng: Rng, p: Proc, pages: number): number[] {
  const b = new Bytes();
  b.u64(codePtr(rng, p.exe)).u64(codePtr(rng, p.exe));
  for (
    const tag of [
      1,
      1,
      1,
      12,
      13,
      25,
      27,
      26,
      28,
      0x6ffffef5,
      5,
      6,
      10,
      11,
      21,
      3,
      2,
      20,
      23,
      7,
      8,
      9,
    ]
  ) {
    b.u64(tag).u64(tag === 21 ? 0 : tag < 4 ? rng.int(1, 0x900) : codePtr(rng, p.exe));
  }
  b.zeros(16);
  const got = rng.int(20, 90);
  for (let i = 0; i < got; i++) b.u64(rng.chance(0.8) ? codePtr(rng, p.libc) : codePtr(rng, p.exe));
  for (let i = 0; i < rng.int(8, 40); i++) {
    const kind = rng.int(0, 3);
    if (kind === 0) b.u64(heapPtr(rng, p));
    else if (kind === 1) b.u32(rng.int(0, 4096)).u32(rng.int(0, 3));
    else if (kind === 2) b.u64(codePtr(rng, p.exe));
    else b.str(rng.pick(data.dataStrings)).align(8);
  }
  return b.fit(pages * PAGE);
}

/**
 * A glibc heap of `pages` pages: tcache block, then `used` pages of chunks (strings,
 * structs, freed and compressed data), then the top chunk, never touched, all zeros.
 */
function heapPages(rng: Rng, p: Proc, used: number, pages: number): number[] {
  const total = pages * PAGE;
  const b = new Bytes();
  b.zeros(8).u64(0x291);
  for (let i = 0; i < 64; i++) b.u16(rng.chance(0.12) ? rng.int(1, 7) : 0);
  for (let i = 0; i < 64; i++) b.u64(rng.chance(0.12) ? heapPtr(rng, p) : 0);
  const limit = used * PAGE - PAGE * rng.float(0.2, 0.6);
  while (b.length < limit) {
    const kind = rng.weighted(["string", "struct", "freed", "blob", "zero"], [5, 4, 2, 1, 1]);
    const body = new Bytes();
    if (kind === "string") body.str(fill(rng, p, rng.pick(data.heapStrings)));
    else if (kind === "struct") {
      for (let i = rng.int(2, 8); i > 0; i--) {
        const f = rng.int(0, 4);
        if (f === 0) body.u64(0);
        else if (f === 1) body.u32(rng.int(0, 0xffff)).u32(0);
        else if (f === 2) body.u64(codePtr(rng, p.libc));
        else body.u64(heapPtr(rng, p));
      }
    } else if (kind === "freed") {
      const at = p.heap + BigInt(b.length);
      body.u64((at >> 12n) ^ heapPtr(rng, p)).u64((BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
      body.zeros(rng.int(0, 3) * 16);
    } else if (kind === "blob") {
      body.raw(rng.chance(0.5) ? [0x1f, 0x8b, 8, 0] : [0x17, 3, 3, rng.int(0, 4), rng.int(0, 255)]);
      body.raw(randomBytes(rng, rng.int(48, 400)));
    } else body.zeros(rng.int(1, 12) * 16);
    const size = Math.max(0x20, Math.ceil((body.length + 8) / 16) * 16);
    b.u64(b.length > 0x290 && rng.chance(0.1) ? rng.int(1, 8) * 16 : 0).u64(size | 1);
    b.raw(body.fit(size - 16));
  }
  b.u64(0).u64((total - b.length) | 1);
  return b.fit(total);
}

/** The top of the stack: frames, then argc/argv/envp/auxv and the strings they point to. */
function stackPages(rng: Rng, p: Proc, pages: number): number[] {
  const total = pages * PAGE;
  const end = p.stack + BigInt(total);
  const args = p.prog.args.split(" ");
  const env = rng.sample(data.env, rng.int(8, 16)).map((e) => fill(rng, p, e));
  const tail = new Bytes();
  const argvOff = args.map((a) => (tail.str(a), tail.length - a.length - 1));
  const envOff = env.map((e) => (tail.str(e), tail.length - e.length - 1));
  const pathOff = tail.length;
  tail.str(p.prog.path).zeros(8);
  const tailStart = end - BigInt(tail.length);
  const mid = new Bytes().raw(randomBytes(rng, 16)).str("x86_64");
  const midStart = (tailStart - BigInt(mid.length + rng.int(0, 48))) & ~0xfn;
  const vec = new Bytes().u64(args.length);
  for (const a of argvOff) vec.u64(tailStart + BigInt(a));
  vec.u64(0);
  for (const e of envOff) vec.u64(tailStart + BigInt(e));
  vec.u64(0);
  const aux: [number, bigint | number][] = [
    [33, p.vdso],
    [51, 0xd30],
    [16, 0x178bfbff],
    [6, PAGE],
    [17, 100],
    [3, p.exe + 0x40n],
    [4, 56],
    [5, 13],
    [7, p.libc],
    [8, 0],
    [9, p.exe + BigInt(p.entry)],
    [11, 1000],
    [12, 1000],
    [13, 1000],
    [14, 1000],
    [23, 0],
    [25, midStart],
    [26, 2],
    [31, tailStart + BigInt(pathOff)],
    [15, midStart + 16n],
    [0, 0],
  ];
  for (const [k, v] of aux) vec.u64(k).u64(v);
  const vecStart = (midStart - BigInt(vec.length + rng.int(0, 64))) & ~0xfn;
  const frames = new Bytes();
  for (let i = rng.int(12, 60); i > 0; i--) {
    const f = rng.int(0, 5);
    if (f === 0) frames.u64(codePtr(rng, p.exe));
    else if (f === 1) frames.u64(codePtr(rng, p.libc));
    else if (f === 2) frames.u64(end - BigInt(rng.int(0x200, 0x1800) & ~0xf));
    else if (f === 3) frames.raw([0, ...randomBytes(rng, 7)]);
    else frames.u64(rng.chance(0.5) ? 0 : rng.int(1, 4096));
  }
  p.aux = aux;
  p.sp = (vecStart - BigInt(frames.length)) & ~0xfn;
  const at = (addr: bigint) => Number(addr - p.stack);
  const out = new Array<number>(total).fill(0);
  const put = (offset: number, bytes: readonly number[]) =>
    bytes.forEach((v, i) => (out[offset + i] = v));
  put(at(vecStart) - frames.length, frames.b);
  put(at(vecStart), vec.b);
  put(at(midStart), mid.b);
  put(at(tailStart), tail.b);
  return out;
}

/** A mostly empty anonymous mapping: a little state at the start, zeros after. */
function anonPages(rng: Rng, p: Proc, pages: number): number[] {
  const b = new Bytes();
  if (rng.chance(0.6)) {
    for (let i = rng.int(2, 40); i > 0; i--) {
      b.u64(rng.chance(0.5) ? heapPtr(rng, p) : rng.int(0, 255));
    }
  }
  if (rng.chance(0.3)) b.zeros(rng.int(4, 80) * 16).raw(new Array(rng.int(1, 4) * 16).fill(0xff));
  return b.fit(pages * PAGE);
}

interface Segment {
  vaddr: bigint;
  memsz: number;
  flags: number;
  bytes: number[];
}

/**
 * Builds the memory segments of the core. As the kernel writes them (default
 * coredump_filter), writable mappings (anonymous, or file-backed and written to)
 * are dumped whole, so their bytes span the whole mapping; read-only file-backed
 * text carries no bytes, only the first page of each ELF image is dumped.
 */
function segments(rng: Rng, p: Proc): Segment[] {
  const seg = (vaddr: bigint, memPages: number, flags: number, bytes: number[]) => ({
    vaddr,
    memsz: memPages * PAGE,
    flags,
    bytes,
  });
  const out: Segment[] = [];
  // An ELF image: its header page, its text (not dumped) and its written data, each a file
  // mapping that NT_FILE lists with its offset in the file.
  const image = (name: string, base: bigint, header: number[], text: number, data: bigint) => {
    const dataN = name === p.prog.path ? rng.int(1, 2) : 1;
    const textEnd = base + 0x1000n + BigInt(text * PAGE);
    out.push(
      seg(base, 1, 4, header),
      seg(base + 0x1000n, text, 5, []),
      seg(data, dataN, 6, dataPages(rng, { ...p, exe: base }, dataN)),
    );
    p.files.push(
      { name, start: base, end: base + 0x1000n, pgoff: 0 },
      { name, start: base + 0x1000n, end: textEnd, pgoff: 1 },
      { name, start: data, end: data + BigInt(dataN * PAGE), pgoff: Number((data - base) / 4096n) },
    );
  };
  image(
    p.prog.path,
    p.exe,
    elfHeaderPage(rng, p.exe, true, p.entry),
    rng.int(8, 40),
    p.exe + BigInt(rng.int(0x30, 0x200) * PAGE),
  );
  out.push(seg(p.heap, HEAP_PAGES, 6, heapPages(rng, p, rng.int(2, 7), HEAP_PAGES)));
  for (const lib of p.libs) {
    image(
      `/usr/lib/x86_64-linux-gnu/${lib.name}`,
      lib.base,
      elfHeaderPage(rng, lib.base, false),
      rng.int(16, 200),
      lib.base + BigInt(rng.int(0x200, 0x400) * PAGE),
    );
  }
  // Anonymous mappings below the libraries, apart from each other.
  let below = 0;
  for (let i = rng.int(1, 3); i > 0; i--) {
    const pages = rng.int(1, 6);
    below += rng.int(0x40, 0x1500);
    out.push(seg(p.libc - BigInt(below * PAGE), pages, 6, anonPages(rng, p, pages)));
  }
  out.push(seg(p.stack, STACK_PAGES, 6, stackPages(rng, p, STACK_PAGES)));
  out.push(
    seg(
      p.vdso,
      2,
      5,
      elfHeaderPage(rng, p.vdso, false).concat(new Array(PAGE).fill(0)),
    ),
  );
  return out.sort((a, b) => (a.vaddr < b.vaddr ? -1 : 1));
}

/** Builds one note: `CORE` name, type, 4-byte aligned descriptor. */
function note(type: number, desc: Bytes, name = "CORE"): number[] {
  const b = new Bytes().u32(name.length + 1).u32(desc.length).u32(type).str(name).align(4);
  return b.raw(desc.b).align(4).b;
}

/** The PT_NOTE contents: prstatus, prpsinfo, siginfo, auxv, mapped files, fpregs. */
function notes(rng: Rng, p: Proc): number[] {
  const signal = rng.pick([11, 11, 6, 7, 8]);
  const st = new Bytes().u32(signal).u32(0).u32(0).u16(signal).u16(0).u64(0).u64(0);
  st.u32(PID).u32(rng.int(1, 4000)).u32(PID).u32(rng.int(1, 4000));
  for (let i = 0; i < 4; i++) st.u64(rng.int(0, 900)).u64(rng.int(0, 999999));
  const regs = [
    heapPtr(rng, p),
    0,
    heapPtr(rng, p),
    p.sp + 0x38n,
    p.sp + 0x108n,
    heapPtr(rng, p),
    0x246,
    0,
    rng.int(0, 64),
    0,
    0,
    codePtr(rng, p.libc),
    rng.int(0, 4096),
    heapPtr(rng, p),
    heapPtr(rng, p),
    -1,
    codePtr(rng, p.exe),
    0x33,
    0x10246,
    p.sp,
    0x2b,
    p.libc - 0x3000n + 0x740n,
    0,
    0,
    0,
    0,
    0,
  ];
  for (const r of regs) st.u64(r);
  st.u32(1).u32(0);
  const ps = new Bytes().u8(0).u8(0x52).u8(0).u8(0).zeros(4).u64(0x400600).u32(1000).u32(1000);
  ps.u32(PID).u32(rng.int(1, 4000)).u32(PID).u32(rng.int(1, 4000));
  ps.raw(new Bytes().str(p.prog.name.slice(0, 15)).fit(16)).raw(
    new Bytes().str(p.prog.args.slice(0, 79)).fit(80),
  );
  const si = new Bytes().u32(signal).u32(0).u32(1).u32(0).u64(
    signal === 11 ? rng.int(0, 0x40) * 8 : 0,
  );
  // The kernel copies the auxiliary vector the process was started with.
  const auxv = new Bytes();
  for (const [k, v] of p.aux) auxv.u64(k).u64(v);
  // NT_FILE: the file mappings of the dump, in address order, then their file names.
  const mapped = [...p.files].sort((a, b) => (a.start < b.start ? -1 : 1));
  const files = new Bytes().u64(mapped.length).u64(PAGE);
  for (const m of mapped) files.u64(m.start).u64(m.end).u64(m.pgoff);
  for (const m of mapped) files.str(m.name);
  const fp = new Bytes().u16(0x37f).zeros(22).u32(0x1f80).u32(0x2ffff).zeros(128);
  for (let i = 0; i < 16; i++) {
    fp.raw(rng.chance(0.6) ? new Array(16).fill(0) : randomBytes(rng, 16));
  }
  fp.zeros(96);
  return [
    ...note(1, st),
    ...note(3, ps),
    ...note(0x53494749, si),
    ...note(6, auxv),
    ...note(0x46494c45, files),
    ...note(2, fp),
  ];
}

/** Builds a whole core file for a random process that died at `crashed` (UTC). */
export function buildCore(rng: Rng, crashed: Date): Uint8Array {
  const prog = rng.pick(data.programs);
  const exe = (BigInt(rng.int(0x55, 0x56)) << 40n) | (BigInt(rng.int(0x1000000, 0xfffffff)) << 12n);
  const libc = (0x7fn << 40n) | (BigInt(rng.int(0x1000000, 0xfffffff)) << 12n);
  let libGap = 0;
  const libNames = [
    "libc.so.6",
    ...rng.sample(prog.libs, rng.int(1, Math.min(3, prog.libs.length))),
  ];
  const p: Proc = {
    prog,
    exe,
    heap: exe + BigInt(rng.int(0x400, 0x2000) * PAGE),
    libc,
    // Low enough that the stack, the vvar pages and the vDSO above it stay in user space.
    stack: (0x7ffn << 36n) | (BigInt(rng.int(0xc000000, 0xfff0000)) << 12n),
    user: rng.pick(data.users),
    cwd: rng.pick(data.workdirs),
    crashed,
    vdso: 0n,
    entry: 0x1000 + rng.int(0, 0xfff) * 16,
    aux: [],
    sp: 0n,
    // Each library's mappings end before the next one's begin (at most 0x401 pages).
    libs: libNames.map((name, i) => ({
      name,
      base: libc + BigInt((libGap += i === 0 ? 0 : rng.int(0x410, 0x900)) * PAGE),
    })),
    files: [],
  };
  p.vdso = p.stack + BigInt((STACK_PAGES + rng.int(2, 60) + 4) * PAGE);
  const segs = segments(rng, p);
  const phnum = segs.length + 1;
  const noteBytes = notes(rng, p);
  const noteOff = 0x40 + phnum * 0x38;
  let off = Math.ceil((noteOff + noteBytes.length) / PAGE) * PAGE;
  const head = new Bytes().raw([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).zeros(8);
  head.u16(4).u16(0x3e).u32(1).u64(0).u64(0x40).u64(0).u32(0).u16(0x40).u16(0x38);
  head.u16(phnum).u16(0x40).u16(0).u16(0);
  head.u32(4).u32(0).u64(noteOff).u64(0).u64(0).u64(noteBytes.length).u64(0).u64(0);
  for (const s of segs) {
    head.u32(1).u32(s.flags).u64(off).u64(s.vaddr).u64(0).u64(s.bytes.length).u64(s.memsz).u64(
      PAGE,
    );
    off += s.bytes.length;
  }
  head.raw(noteBytes).align(PAGE);
  for (const s of segs) head.raw(s.bytes);
  return Uint8Array.from(head.b);
}

/** One `hexdump -C` row for `bytes` (1–16 of them) at `offset`. */
export function hexRow(offset: number, bytes: ArrayLike<number>): string {
  let hex = "";
  let ascii = "";
  for (let i = 0; i < 16; i++) {
    if (i === 8) hex += " ";
    if (i < bytes.length) {
      const v = bytes[i] as number;
      hex += v.toString(16).padStart(2, "0") + " ";
      ascii += v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : ".";
    } else hex += "   ";
  }
  return `${offset.toString(16).padStart(8, "0")}  ${hex} |${ascii}|`;
}

/** All lines `hexdump -C` prints for `bytes`: rows, `*` for repeated rows, the end offset. */
export function hexdumpLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  let starred = false;
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const same = off > 0 && row.length === 16 && row.every((v, i) => v === bytes[off - 16 + i]);
    if (same) {
      if (!starred) lines.push("*");
      starred = true;
      continue;
    }
    starred = false;
    lines.push(hexRow(off, row));
  }
  lines.push(bytes.length.toString(16).padStart(8, "0"));
  return lines;
}

export const memdump: Module = {
  name: "memdump",
  signature: `hexdump -C core.${PID}`,
  about: "Hex dump of a process core file: ELF notes, heap, stack and zero pages",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { rng, out } = ctx;
    // The core was written moments before hexdump reads it.
    const utc = ctx.clock.wall().getTime() - ctx.clock.utcOffsetMinutes * 60_000;
    const lines = hexdumpLines(buildCore(rng, new Date(utc - rng.int(20, 900) * 1000)));
    const target = Math.min(80_000, Math.max(13_000, rng.logNormal(22_000, 0.35)));
    const perLine = target / lines.length;
    let i = 0;
    while (i < lines.length) {
      const burst = Math.min(lines.length - i, rng.int(6, 64));
      for (const line of lines.slice(i, i + burst)) out.line(line);
      i += burst;
      const stall = rng.chance(0.04) ? rng.float(1.2, 1.5) : rng.float(0.55, 1.15);
      await ctx.sleep(burst * perLine * stall);
    }
  },
};
