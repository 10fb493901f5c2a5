/**
 * Format tests for `memdump`: the output is exactly `hexdump -C`, and the
 * bytes it shows form a well-formed x86-64 ELF core file.
 */

import assert from "node:assert/strict";
import { Rng } from "../core/rng.ts";
import { buildCore, memdump } from "../modules/memdump.ts";
import { captureModule, TEST_EPOCH_MS } from "./harness.ts";

/** Every JSON log timestamp (`"ts":"…Z"`) in the bytes, in milliseconds. */
function logTimes(bytes: Uint8Array): number[] {
  const text = new TextDecoder("latin1").decode(bytes);
  return [...text.matchAll(/"ts":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"/g)].map((m) =>
    Date.parse(m[1]!)
  );
}

const ROW = /^([0-9a-f]{8}) {2}((?:[0-9a-f]{2} ){8}) ((?:[0-9a-f]{2} ){8}) \|([ -~]{16})\|$/;

/** Rebuilds the dumped bytes from hexdump lines, checking the format on the way. */
function undump(lines: string[]): Uint8Array {
  const bytes: number[] = [];
  let previous: number[] | undefined;
  let starred = false;
  for (const [i, line] of lines.entries()) {
    if (line === "*") {
      assert.ok(previous && !starred, `line ${i}: '*' must follow a printed row`);
      starred = true;
      continue;
    }
    if (i === lines.length - 1) {
      assert.match(line, /^[0-9a-f]{8}$/, "last line is the end offset");
      const end = parseInt(line, 16);
      if (starred) {
        assert.ok(end > bytes.length && (end - bytes.length) % 16 === 0);
        while (bytes.length < end) bytes.push(...previous!);
      }
      assert.equal(end, bytes.length, "end offset equals the byte count");
      return Uint8Array.from(bytes);
    }
    const m = line.match(ROW);
    assert.ok(m, `line ${i} is not a hexdump -C row: ${JSON.stringify(line)}`);
    const offset = parseInt(m[1]!, 16);
    if (starred) {
      assert.ok(offset > bytes.length && (offset - bytes.length) % 16 === 0, `line ${i}: offset`);
      while (bytes.length < offset) bytes.push(...previous!);
    } else {
      assert.equal(offset, bytes.length, `line ${i}: offset advances by 16`);
    }
    const row = (m[2]! + m[3]!).trim().split(" ").map((h) => parseInt(h, 16));
    const ascii = row.map((v) => (v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : ".")).join("");
    assert.equal(m[4], ascii, `line ${i}: ASCII column matches the bytes`);
    if (previous && !starred) {
      assert.notDeepEqual(row, previous, `line ${i}: a repeated row must be folded into '*'`);
    }
    starred = false;
    previous = row;
    bytes.push(...row);
  }
  throw new Error("no end offset line");
}

Deno.test("memdump prints exact hexdump -C rows, '*' folds and a final offset", async () => {
  for (let seed = 1; seed <= 25; seed++) {
    const run = await captureModule(memdump, { seed, cols: 80 });
    const lines = run.output.trimEnd().split("\n");
    const bytes = undump(lines);
    assert.ok(lines.includes("*"), `seed ${seed}: zero pages should fold into '*'`);
    assert.ok(bytes.length % 4096 === 0, `seed ${seed}: a core file is page aligned`);
  }
});

Deno.test("memdump bytes are a consistent ELF core: header, PT_NOTE and PT_LOAD segments", async () => {
  for (let seed = 1; seed <= 25; seed++) {
    const bytes = undump((await captureModule(memdump, { seed })).output.trimEnd().split("\n"));
    const view = new DataView(bytes.buffer);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal(view.getUint16(16, true), 4, "ET_CORE");
    assert.equal(view.getUint16(18, true), 0x3e, "x86-64");
    const phoff = Number(view.getBigUint64(32, true));
    const phnum = view.getUint16(56, true);
    assert.equal(phoff, 0x40);
    let expectedOffset = -1;
    let loads = 0;
    let writable = 0;
    for (let i = 0; i < phnum; i++) {
      const at: number = phoff + i * 56;
      const type = view.getUint32(at, true);
      const offset: number = Number(view.getBigUint64(at + 8, true));
      const vaddr = view.getBigUint64(at + 16, true);
      const filesz: number = Number(view.getBigUint64(at + 32, true));
      const memsz: number = Number(view.getBigUint64(at + 40, true));
      if (i === 0) {
        assert.equal(type, 4, "first program header is PT_NOTE");
        let n = offset;
        const types: number[] = [];
        while (n < offset + filesz) {
          const namesz = view.getUint32(n, true);
          const descsz = view.getUint32(n + 4, true);
          types.push(view.getUint32(n + 8, true));
          assert.equal(new TextDecoder().decode(bytes.subarray(n + 12, n + 16)), "CORE");
          n += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
        }
        assert.equal(n, offset + filesz, "notes fill PT_NOTE exactly");
        for (const t of [1, 3, 6]) assert.ok(types.includes(t), `note type ${t} present`);
        expectedOffset = Math.ceil((offset + filesz) / 4096) * 4096;
        continue;
      }
      assert.equal(type, 1, "PT_LOAD");
      assert.equal(offset, expectedOffset, "segments are laid out back to back");
      const flags = view.getUint32(at + 4, true);
      assert.ok(filesz % 4096 === 0 && memsz % 4096 === 0);
      if (flags & 2) {
        assert.equal(filesz, memsz, `seed ${seed}: writable segment ${i} is dumped whole`);
        writable++;
      } else {
        assert.ok(
          filesz === 0 || filesz === memsz,
          `seed ${seed}: segment ${i} ${filesz}/${memsz}`,
        );
      }
      assert.ok(vaddr < 0x0000800000000000n, "user-space canonical address");
      expectedOffset += filesz;
      loads++;
    }
    assert.ok(loads >= 5);
    assert.ok(writable >= 3, `seed ${seed}: data, heap and stack are writable`);
    assert.equal(expectedOffset, bytes.length, "the file ends with the last segment");
  }
});

Deno.test("memdump heap log lines are stamped in the minutes before the crash", () => {
  let seen = 0;
  for (const crashed of [Date.UTC(2025, 10, 2, 23, 59, 30), Date.UTC(2027, 0, 9, 4, 5, 6)]) {
    for (let seed = 1; seed <= 40; seed++) {
      for (const t of logTimes(buildCore(new Rng(seed), new Date(crashed)))) {
        assert.ok(
          t < crashed && t >= crashed - 600_000,
          `seed ${seed}: ${new Date(t).toISOString()}`,
        );
        seen++;
      }
    }
  }
  assert.ok(seen > 10, `only ${seen} timestamps in 80 cores`);
});

Deno.test("memdump's core is from just before the run's own clock", async () => {
  const times = new Set<number>();
  for (let seed = 1; seed <= 25; seed++) {
    const bytes = undump((await captureModule(memdump, { seed })).output.trimEnd().split("\n"));
    for (const t of logTimes(bytes)) {
      assert.ok(t < TEST_EPOCH_MS && t > TEST_EPOCH_MS - 30 * 60_000, `seed ${seed}: ${t}`);
      times.add(t);
    }
  }
  assert.ok(times.size > 3, `timestamps barely vary: ${times.size}`);
});

/** The PT_LOAD segments and notes of a core: where each lies in the file and in memory. */
function parseCore(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer);
  const phnum = view.getUint16(56, true);
  const loads: { vaddr: bigint; offset: number; size: number; memsz: bigint }[] = [];
  const notes = new Map<number, DataView>();
  for (let i = 0; i < phnum; i++) {
    const at = 0x40 + i * 56;
    const offset = Number(view.getBigUint64(at + 8, true));
    const size = Number(view.getBigUint64(at + 32, true));
    if (view.getUint32(at, true) === 1) {
      const memsz = view.getBigUint64(at + 40, true);
      loads.push({ vaddr: view.getBigUint64(at + 16, true), offset, size, memsz });
      continue;
    }
    for (let n = offset; n < offset + size;) {
      const namesz = view.getUint32(n, true);
      const descsz = view.getUint32(n + 4, true);
      const desc = n + 12 + Math.ceil(namesz / 4) * 4;
      notes.set(view.getUint32(n + 8, true), new DataView(bytes.buffer, desc, descsz));
      n = desc + Math.ceil(descsz / 4) * 4;
    }
  }
  /** The file bytes at a virtual address, if a segment holds them. */
  const at = (addr: bigint) => {
    const s = loads.find((l) => addr >= l.vaddr && addr < l.vaddr + BigInt(l.size));
    return s ? bytes.subarray(s.offset + Number(addr - s.vaddr), s.offset + s.size) : undefined;
  };
  return { loads, notes, at };
}

Deno.test("memdump: the auxv, registers and mappings of one process agree", async () => {
  for (let seed = 1; seed <= 25; seed++) {
    const bytes = undump((await captureModule(memdump, { seed })).output.trimEnd().split("\n"));
    const { notes, at } = parseCore(bytes);
    const auxv = notes.get(6)!;
    const aux = new Map<number, bigint>();
    for (let i = 0; i < auxv.byteLength; i += 16) {
      aux.set(Number(auxv.getBigUint64(i, true)), auxv.getBigUint64(i + 8, true));
    }
    const elf = (addr: bigint) => [...(at(addr)?.subarray(0, 4) ?? [])].join(",");
    // AT_SYSINFO_EHDR is the dumped vDSO; AT_PHDR is the executable's program headers.
    assert.equal(elf(aux.get(33)!), "127,69,76,70", `seed ${seed}: no vDSO at AT_SYSINFO_EHDR`);
    const exe = aux.get(3)! - 0x40n;
    assert.equal(elf(exe), "127,69,76,70", `seed ${seed}: no ELF header at AT_PHDR - 0x40`);
    // AT_ENTRY is the executable's base plus its e_entry.
    const header = new DataView(at(exe)!.slice(0, 64).buffer);
    assert.equal(aux.get(9), exe + header.getBigUint64(24, true), `seed ${seed}: AT_ENTRY`);
    // The same auxv is on the stack, and AT_EXECFN names the program of NT_PRPSINFO.
    const execfn = at(aux.get(31)!)!;
    const path = new TextDecoder().decode(execfn.subarray(0, execfn.indexOf(0)));
    const prpsinfo = notes.get(3)!;
    const fname = new TextDecoder().decode(
      new Uint8Array(prpsinfo.buffer, prpsinfo.byteOffset + 40, 16),
    ).replace(/\0.*$/, "");
    assert.ok(path.split("/").at(-1)!.startsWith(fname), `seed ${seed}: ${path} vs ${fname}`);
    // The stack pointer is in the stack, just below the frames it was using.
    const rsp = notes.get(1)!.getBigUint64(112 + 19 * 8, true);
    const above = at(rsp)!.subarray(0, 256);
    assert.ok(above.length === 256 && above.some((b) => b !== 0), `seed ${seed}: rsp in zeros`);
  }
});

Deno.test("memdump: mappings never overlap, and NT_FILE lists exactly the file-backed ones", async () => {
  for (let seed = 1; seed <= 25; seed++) {
    const bytes = undump((await captureModule(memdump, { seed })).output.trimEnd().split("\n"));
    const { loads, notes } = parseCore(bytes);
    const sorted = [...loads].sort((a, b) => (a.vaddr < b.vaddr ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      assert.ok(
        prev.vaddr + prev.memsz <= sorted[i]!.vaddr,
        `seed ${seed}: segments ${i - 1}, ${i}`,
      );
    }
    const nt = notes.get(0x46494c45)!;
    const count = Number(nt.getBigUint64(0, true));
    const names = new TextDecoder().decode(
      new Uint8Array(nt.buffer, nt.byteOffset + 16 + count * 24, nt.byteLength - 16 - count * 24),
    ).split("\0");
    for (let i = 0; i < count; i++) {
      const start = nt.getBigUint64(16 + i * 24, true);
      const end = nt.getBigUint64(24 + i * 24, true);
      assert.ok(
        loads.some((l) => l.vaddr === start && l.vaddr + l.memsz === end),
        `seed ${seed}: ${names[i]} at ${start.toString(16)} is not a segment of the dump`,
      );
      assert.ok(names[i]!.startsWith("/"), `seed ${seed}: ${names[i]}`);
    }
    // Text (read-only, executable, not dumped) is always a file mapping.
    const text = loads.filter((l) => l.size === 0);
    for (const t of text) {
      const listed = [...Array(count).keys()].some((i) =>
        nt.getBigUint64(16 + i * 24, true) === t.vaddr
      );
      assert.ok(listed, `seed ${seed}: text at ${t.vaddr.toString(16)} missing from NT_FILE`);
    }
  }
});

Deno.test("memdump snapshot", async (t) => {
  await t.assertSnapshot((await captureModule(memdump, { seed: 1, cols: 80 })).output);
});
