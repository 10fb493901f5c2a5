/**
 * Format tests for `kernel_compile`: kbuild quiet lines (two spaces, tag padded
 * to 7, a space, the target), archives after their objects, every module
 * object linked, and the x86 boot image finishing with the two-space
 * `is ready  (#N)` line.
 */

import assert from "node:assert/strict";
import { kernel_compile } from "../modules/kernel_compile.ts";
import { captureModule } from "./harness.ts";

const TAGS = new Set([
  "SYNC",
  "HOSTCC",
  "HOSTLD",
  "SYSHDR",
  "SYSTBL",
  "WRAP",
  "UPD",
  "CC",
  "MKELF",
  "CHKSHA1",
  "CALL",
  "DESCEND",
  "INSTALL",
  "LD",
  "AR",
  "LINK",
  "AS",
  "CC [M]",
  "AS [M]",
  "LD [M]",
  "BTF [M]",
  "OBJCOPY",
  "GEN",
  "MODPOST",
  "KSYMS",
  "NM",
  "BTF",
  "SORTTAB",
  "BTFIDS",
  "LDS",
  "VOFFSET",
  "RELOCS",
  "ZSTD22",
  "XZKERN",
  "GZIP",
  "LZ4",
  "MKPIGGY",
  "ZOFFSET",
  "BUILD",
]);

Deno.test("kernel_compile prints kbuild quiet lines in the phases of a real build", async () => {
  for (let seed = 1; seed <= 25; seed++) {
    const lines = (await captureModule(kernel_compile, { seed })).output.trimEnd().split("\n");
    const steps = lines.map((line) => {
      if (line.startsWith("Kernel: ")) return undefined;
      assert.equal(line.slice(0, 2), "  ", line);
      assert.equal(line[9], " ", `tag padded to 7 columns: ${JSON.stringify(line)}`);
      const tag = line.slice(2, 9).trimEnd();
      const target = line.slice(10);
      assert.ok(TAGS.has(tag), `unknown tag ${tag}`);
      assert.match(target, /^\S+$/);
      return { tag, target };
    });
    assert.deepEqual(steps[0], { tag: "SYNC", target: "include/config/auto.conf" });
    const ready = lines.findIndex((l) => l.startsWith("Kernel: "));
    assert.match(lines[ready]!, /^Kernel: arch\/x86\/boot\/bzImage is ready {2}\(#\d+\)$/);
    assert.equal(lines.filter((l) => l.startsWith("Kernel: ")).length, 1);
    assert.equal(lines[ready - 1], "  BUILD   arch/x86/boot/bzImage");
    const at = (tag: string, target: string) =>
      steps.findIndex((s) => s?.tag === tag && s.target === target);
    assert.ok(at("LD", "vmlinux.o") > 0 && at("LD", "vmlinux.o") < at("OBJCOPY", "vmlinux"));
    assert.ok(at("OBJCOPY", "vmlinux") < at("OBJCOPY", "arch/x86/boot/compressed/vmlinux.bin"));
    const objects = steps.filter((s) =>
      s && /^(CC|AS)( \[M\])?$/.test(s.tag) && s.target.endsWith(".o")
    );
    const targets = objects.map((s) => s!.target);
    assert.equal(new Set(targets).size, targets.length, "no object built twice");
    const linkStart = at("AR", "built-in.a");
    for (const [i, s] of steps.slice(0, linkStart).entries()) {
      if (s?.tag !== "AR" || !s.target.endsWith("/built-in.a")) continue;
      const dir = s.target.slice(0, -"/built-in.a".length);
      const last = steps.slice(0, linkStart).findLastIndex((o) =>
        o?.tag === "CC" && o.target.startsWith(`${dir}/`) &&
        !o.target.slice(dir.length + 1).includes("/")
      );
      assert.ok(last < i, `${s.target} archived before all its objects were built`);
    }
    const modObjs = steps.filter((s) => s?.tag === "CC [M]" && s.target.endsWith(".mod.o"));
    const kos = steps.filter((s) => s?.tag === "LD [M]" && s.target.endsWith(".ko"));
    assert.deepEqual(
      modObjs.map((s) => s!.target.replace(/\.mod\.o$/, "")).sort(),
      kos.map((s) => s!.target.replace(/\.ko$/, "")).sort(),
      "every module gets a .mod.o and a .ko",
    );
    if (kos.length > 0) {
      const modpost = at("MODPOST", "Module.symvers");
      assert.ok(
        modpost > 0 && modObjs.every((m) => steps.indexOf(m) > modpost),
        `seed ${seed}: module links before modpost`,
      );
    }
    assert.ok(
      !lines.some((l) => /^\s*(CHK |Setup is|System is|CRC )/.test(l)),
      "no pre-6.15 leftovers",
    );
    assert.ok(objects.length > 200, `seed ${seed}: only ${objects.length} objects`);
  }
});

Deno.test("kernel_compile: one kernel version's link stage and a -j module tail", async () => {
  let interleaved = 0, btfRuns = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const lines = (await captureModule(kernel_compile, { seed })).output.trimEnd().split("\n");
    const at = (line: string) => lines.indexOf(line);
    const k = (tag: string, target: string) => `  ${tag.padEnd(7)} ${target}`;
    // 6.15+: one modpost run right after vmlinux.o, vmlinux.unstripped, then OBJCOPY vmlinux.
    const modposts = lines.filter((l) => l.startsWith("  MODPOST "));
    assert.equal(modposts.length, 1, `seed ${seed}: ${modposts}`);
    assert.equal(at(modposts[0]!), at(k("LD", "vmlinux.o")) + 1, `seed ${seed}`);
    const chain = [
      k("LD", ".tmp_vmlinux1"),
      k("LD", ".tmp_vmlinux2"),
      k("LD", "vmlinux.unstripped"),
      k("NM", "System.map"),
      k("SORTTAB", "vmlinux.unstripped"),
      k("OBJCOPY", "vmlinux"),
    ].map(at);
    assert.ok(chain.every((i, n) => i > 0 && (n === 0 || i > chain[n - 1]!)), `seed ${seed}`);
    for (
      const old of [k("LD", "vmlinux"), k("SORTTAB", "vmlinux"), k("BTF", ".btf.vmlinux.bin.o")]
    ) {
      assert.equal(at(old), -1, `seed ${seed}: ${old.trim()} is from another version`);
    }
    // The host tools of the prepare phase come before the first object.
    const firstObject = lines.findIndex((l) => l.startsWith("  CC      init/"));
    for (const tool of ["kallsyms", "sorttable", "asn1_compiler"]) {
      const i = at(k("HOSTCC", `scripts/${tool}`));
      assert.ok(i > 0 && i < firstObject, `seed ${seed}: HOSTCC scripts/${tool}`);
    }
    const fprobe = at(k("WRAP", "arch/x86/include/generated/asm/fprobe.h")) > 0;
    const masks = at(k("UPD", "arch/x86/include/generated/asm/cpufeaturemasks.h")) > 0;
    assert.equal(fprobe, masks, `seed ${seed}: headers of two versions`);
    // With BTF a module links against vmlinux, then gets its BTF; both after vmlinux is done.
    const btf = lines.some((l) => l.startsWith("  BTF [M] "));
    const vmlinux = at(k("OBJCOPY", "vmlinux"));
    for (const [i, l] of lines.entries()) {
      const m = l.match(/^ {2}(LD|BTF) \[M\] (\S+\.ko)$/);
      if (!m) continue;
      if (btf) assert.ok(i > vmlinux, `seed ${seed}: ${l} before vmlinux`);
      if (m[1] === "BTF") assert.ok(at(k("LD [M]", m[2]!)) < i, `seed ${seed}: ${l}`);
    }
    if (btf) {
      btfRuns++;
      const boot = lines.findIndex((l) => l.includes("arch/x86/boot/"));
      const ready = lines.findIndex((l) => l.startsWith("Kernel: "));
      if (lines.slice(boot, ready).some((l) => / \[M\] /.test(l))) interleaved++;
    }
  }
  assert.ok(interleaved >= btfRuns / 2, `module links beside bzImage in ${interleaved}/${btfRuns}`);
});

Deno.test("kernel_compile snapshot", async (t) => {
  await t.assertSnapshot((await captureModule(kernel_compile, { seed: 1, cols: 80 })).output);
});
