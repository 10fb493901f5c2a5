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
    assert.ok(at("LD", "vmlinux.o") > 0 && at("LD", "vmlinux.o") < at("LD", "vmlinux"));
    assert.ok(at("LD", "vmlinux") < at("OBJCOPY", "arch/x86/boot/compressed/vmlinux.bin"));
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
        modpost > ready &&
          steps.findIndex((s) => s?.tag === "LD [M]" && s.target.endsWith(".ko")) > modpost,
      );
    }
    assert.ok(
      !lines.some((l) => /^\s*(CHK |Setup is|System is|CRC )/.test(l)),
      "no pre-6.15 leftovers",
    );
    assert.ok(objects.length > 200, `seed ${seed}: only ${objects.length} objects`);
  }
});

Deno.test("kernel_compile snapshot", async (t) => {
  await t.assertSnapshot((await captureModule(kernel_compile, { seed: 1, cols: 80 })).output);
});
