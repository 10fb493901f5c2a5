/**
 * `kernel_compile`: `make -j$(nproc)` of Linux 6.x on x86-64, in kbuild's quiet
 * format (`  CC      kernel/fork.o`: two spaces, the tag padded to 7, a space,
 * the target). The phases follow a real build: prepare (host tools, generated
 * headers, objtool), objects from several directories interleaved as parallel
 * jobs with `AR …/built-in.a` as each finishes, the vmlinux link of 6.15+
 * (one `MODPOST Module.symvers` after `vmlinux.o`, kallsyms passes,
 * `vmlinux.unstripped`, `OBJCOPY vmlinux`), then the compressed bzImage and
 * the module links running side by side as `make -j` runs them.
 *
 * @module
 */

import data from "../data/kernel.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

/** One kbuild quiet line. */
export function kbuild(tag: string, target: string): string {
  return `  ${tag.padEnd(7)} ${target}`;
}

/** A kbuild step: tag, target and a typical duration in ms. */
type Step = [tag: string, target: string, ms: number];

const UAPI_WRAPPED =
  "bpf_perf_event errno fcntl ioctl ioctls ipcbuf param poll resource socket sockios termbits termios types";
const ASM_WRAPPED =
  "early_ioremap mcs_spinlock mmzone irq_regs kmap_size local64 mmiowb module.lds rwonce";
const OBJTOOL =
  "weak check special builtin-check elf objtool orc_gen orc_dump libstring libctype str_error_r librbtree arch/x86/special arch/x86/decode arch/x86/orc";
const SUBCMD = "exec-cmd help pager parse-options run-command sigchain subcmd-config";
const BOOT =
  "a20 bioscall.S cmdline copy.S cpuflags cpucheck early_serial_console edd main memory pm pmjump.S printf regs string tty video video-mode version video-vga video-vesa video-bios";
const COMPRESSED =
  "kernel_info.S head_64.S string cmdline error cpuflags early_serial_console kaslr ident_map_64 idt_64 idt_handlers_64.S mem_encrypt.S pgtable_64 sev acpi efi misc";

/** The 6.x minor version of a release string (`6.17.3` → 17). */
function minorOf(version: string): number {
  return Number(version.split(".")[1]);
}

function prepareSteps(tree: string, version: string): Step[] {
  const minor = minorOf(version);
  // 6.17 wraps two more generic headers and generates the CPU feature masks.
  const uapiWrapped = UAPI_WRAPPED.split(" ");
  const asmWrapped = [...ASM_WRAPPED.split(" "), ...(minor >= 17 ? ["fprobe", "unwind_user"] : [])]
    .sort();
  const kconfig = "conf confdata expr lexer.lex menu parser.tab preprocess symbol util".split(" ");
  return [
    ["SYNC", "include/config/auto.conf", 900],
    ["HOSTCC", "scripts/basic/fixdep", 250],
    ...kconfig.map((f): Step => ["HOSTCC", `scripts/kconfig/${f}.o`, 120]),
    ["HOSTLD", "scripts/kconfig/conf", 80],
    ["SYSHDR", "arch/x86/include/generated/uapi/asm/unistd_32.h", 30],
    ["SYSHDR", "arch/x86/include/generated/uapi/asm/unistd_64.h", 30],
    ["SYSHDR", "arch/x86/include/generated/uapi/asm/unistd_x32.h", 30],
    ["SYSTBL", "arch/x86/include/generated/asm/syscalls_32.h", 30],
    ["SYSHDR", "arch/x86/include/generated/asm/unistd_32_ia32.h", 30],
    ["SYSHDR", "arch/x86/include/generated/asm/unistd_64_x32.h", 30],
    ["SYSTBL", "arch/x86/include/generated/asm/syscalls_64.h", 30],
    ...(minor >= 17
      ? [["UPD", "arch/x86/include/generated/asm/cpufeaturemasks.h", 40] as Step]
      : []),
    ["HOSTCC", "arch/x86/tools/relocs_32.o", 200],
    ["HOSTCC", "arch/x86/tools/relocs_64.o", 200],
    ["HOSTCC", "arch/x86/tools/relocs_common.o", 100],
    ["HOSTLD", "arch/x86/tools/relocs", 60],
    ...uapiWrapped.map((f): Step => ["WRAP", `arch/x86/include/generated/uapi/asm/${f}.h`, 10]),
    ...asmWrapped.map((f): Step => ["WRAP", `arch/x86/include/generated/asm/${f}.h`, 10]),
    ["GEN", "arch/x86/include/generated/asm/orc_hash.h", 20],
    ["UPD", "include/generated/uapi/linux/version.h", 20],
    ["UPD", "include/config/kernel.release", 20],
    ["UPD", "include/generated/utsrelease.h", 20],
    ["UPD", "include/generated/compile.h", 20],
    ["HOSTCC", "scripts/kallsyms", 300],
    ["HOSTCC", "scripts/sorttable", 250],
    ["HOSTCC", "scripts/asn1_compiler", 200],
    ["CC", "scripts/mod/empty.o", 150],
    ["HOSTCC", "scripts/mod/mk_elfconfig", 120],
    ["MKELF", "scripts/mod/elfconfig.h", 20],
    ["HOSTCC", "scripts/mod/modpost.o", 400],
    ["CC", "scripts/mod/devicetable-offsets.s", 300],
    ["UPD", "scripts/mod/devicetable-offsets.h", 20],
    ["HOSTCC", "scripts/mod/file2alias.o", 450],
    ["HOSTCC", "scripts/mod/sumversion.o", 150],
    ["HOSTCC", "scripts/mod/symsearch.o", 120],
    ["HOSTLD", "scripts/mod/modpost", 80],
    ["CC", "kernel/bounds.s", 250],
    ["CHKSHA1", "include/linux/atomic/atomic-arch-fallback.h", 20],
    ["CHKSHA1", "include/linux/atomic/atomic-instrumented.h", 20],
    ["CHKSHA1", "include/linux/atomic/atomic-long.h", 20],
    ["UPD", "include/generated/timeconst.h", 20],
    ["UPD", "include/generated/bounds.h", 20],
    ["CC", "arch/x86/kernel/asm-offsets.s", 600],
    ["UPD", "include/generated/asm-offsets.h", 20],
    ["CALL", "scripts/checksyscalls.sh", 400],
    ["DESCEND", "objtool", 50],
    ["INSTALL", "libsubcmd_headers", 60],
    ...SUBCMD.split(" ").map((f): Step => ["CC", `${tree}/tools/objtool/libsubcmd/${f}.o`, 150]),
    ["LD", `${tree}/tools/objtool/libsubcmd/libsubcmd-in.o`, 60],
    ["AR", `${tree}/tools/objtool/libsubcmd/libsubcmd.a`, 40],
    ...OBJTOOL.split(" ").map((f): Step => ["CC", `${tree}/tools/objtool/${f}.o`, 180]),
    ["LD", `${tree}/tools/objtool/arch/x86/objtool-in.o`, 60],
    ["LD", `${tree}/tools/objtool/objtool-in.o`, 80],
    ["LINK", `${tree}/tools/objtool/objtool`, 150],
  ];
}

/** `vmlinux.o` and the single modpost run over vmlinux and the modules (6.15+). */
function vmlinuxObjectSteps(modules: boolean): Step[] {
  return [
    ["AR", "built-in.a", 900],
    ["AR", "vmlinux.a", 1200],
    ["LD", "vmlinux.o", 6000],
    ["MODPOST", modules ? "Module.symvers" : "vmlinux.symvers", 1500],
  ];
}

/** The rest of the vmlinux link as 6.15+ prints it: kallsyms passes, then vmlinux.unstripped. */
function linkSteps(btf: boolean): Step[] {
  const pass = (n: number): Step[] => [
    ["LD", `.tmp_vmlinux${n}`, 2500],
    ...(n === 1 && btf ? [["BTF", ".tmp_vmlinux1", 7000] as Step] : []),
    ["NM", `.tmp_vmlinux${n}.syms`, 400],
    ["KSYMS", `.tmp_vmlinux${n}.kallsyms.S`, 300],
    ["AS", `.tmp_vmlinux${n}.kallsyms.o`, 250],
  ];
  return [
    ["CC", ".vmlinux.export.o", 900],
    ["UPD", "include/generated/utsversion.h", 30],
    ["CC", "init/version-timestamp.o", 120],
    ["KSYMS", ".tmp_vmlinux0.kallsyms.S", 300],
    ["AS", ".tmp_vmlinux0.kallsyms.o", 200],
    ...pass(1),
    ...pass(2),
    ["LD", "vmlinux.unstripped", 2500],
    ...(btf ? [["BTFIDS", "vmlinux.unstripped", 900] as Step] : []),
    ["NM", "System.map", 500],
    ["SORTTAB", "vmlinux.unstripped", 400],
    ["OBJCOPY", "vmlinux", 800],
    ["GEN", "modules.builtin.modinfo", 200],
    ["GEN", "modules.builtin", 100],
  ];
}

/** A line of the build's tail with the pretend ms since the tail began. */
interface TailEvent {
  at: number;
  lines: string[];
}

/**
 * The tail of a `-j` build: the link chain, then the bzImage chain, while the modules
 * (`.mod.o`, `.ko`, BTF) are linked by the other jobs at the same time.
 */
export function buildTail(
  rng: Rng,
  modules: readonly string[],
  btf: boolean,
  speed: number,
): TailEvent[] {
  const events: TailEvent[] = [];
  const time = (ms: number) => speed * Math.min(ms * 2.5, Math.max(ms / 3, rng.logNormal(ms, 0.4)));
  let t = 0;
  for (const [tag, target, ms] of linkSteps(btf)) {
    events.push({ at: t, lines: [kbuild(tag, target)] });
    t += time(ms);
  }
  for (const [tag, target, ms] of bootSteps(rng)) {
    const lines = [kbuild(tag, target)];
    if (tag === "BUILD") {
      lines.push(
        `Kernel: arch/x86/boot/bzImage is ready  (#${rng.weighted([1, rng.int(2, 60)], [2, 3])})`,
      );
    }
    events.push({ at: t, lines });
    t += time(ms);
  }
  // The .mod.o files build as soon as modpost is done; with BTF a .ko links against
  // vmlinux, so the module links wait for it and run beside the bzImage steps.
  const linked = events.find((e) => e.lines[0] === kbuild("OBJCOPY", "vmlinux"))!.at;
  const workers = new Array<number>(rng.int(2, 6)).fill(0);
  const order = rng.shuffle(modules);
  for (const m of order) {
    const w = workers.indexOf(Math.min(...workers));
    const at = workers[w]! + rng.int(5, 200);
    events.push({ at, lines: [kbuild("CC [M]", `${m}.mod.o`)] });
    workers[w] = at + time(60);
  }
  for (const m of rng.shuffle(order)) {
    const w = workers.indexOf(Math.min(...workers));
    let at = Math.max(workers[w]!, btf ? linked : 0) + rng.int(5, 200);
    events.push({ at, lines: [kbuild("LD [M]", `${m}.ko`)] });
    at += time(120);
    if (btf) {
      events.push({ at, lines: [kbuild("BTF [M]", `${m}.ko`)] });
      at += time(250);
    }
    workers[w] = at;
  }
  return events.sort((a, b) => a.at - b.at);
}

function bootSteps(rng: Rng): Step[] {
  const [tag, ext] = rng.pick(data.compression) as [string, string];
  const obj = (dir: string) => (f: string): Step =>
    f.endsWith(".S") ? ["AS", `${dir}/${f.slice(0, -2)}.o`, 150] : ["CC", `${dir}/${f}.o`, 200];
  return [
    ...BOOT.split(" ").map(obj("arch/x86/boot")),
    ["HOSTCC", "arch/x86/boot/mkcpustr", 150],
    ["LDS", "arch/x86/boot/compressed/vmlinux.lds", 60],
    ["VOFFSET", "arch/x86/boot/compressed/../voffset.h", 60],
    ...COMPRESSED.split(" ").map(obj("arch/x86/boot/compressed")),
    ["OBJCOPY", "arch/x86/boot/compressed/vmlinux.bin", 1800],
    ["RELOCS", "arch/x86/boot/compressed/vmlinux.relocs", 900],
    ["HOSTCC", "arch/x86/boot/compressed/mkpiggy", 150],
    [tag, `arch/x86/boot/compressed/vmlinux.bin.${ext}`, tag === "LZ4" ? 1500 : 9000],
    ["MKPIGGY", "arch/x86/boot/compressed/piggy.S", 60],
    ["AS", "arch/x86/boot/compressed/piggy.o", 400],
    ["LD", "arch/x86/boot/compressed/vmlinux", 500],
    ["ZOFFSET", "arch/x86/boot/zoffset.h", 60],
    ["OBJCOPY", "arch/x86/boot/vmlinux.bin", 600],
    ["AS", "arch/x86/boot/header.o", 150],
    ["LD", "arch/x86/boot/setup.elf", 100],
    ["OBJCOPY", "arch/x86/boot/setup.bin", 60],
    ["BUILD", "arch/x86/boot/bzImage", 300],
  ];
}

/** A directory's pending lines while objects build in parallel. */
interface Job {
  lines: string[];
  done: string[];
}

function objectLine(dir: string, file: string, module: boolean): string {
  const asm = file.endsWith(".S");
  const stem = asm ? file.slice(0, -2) : file;
  return kbuild(asm ? (module ? "AS [M]" : "AS") : module ? "CC [M]" : "CC", `${dir}/${stem}.o`);
}

/** The parallel object phase: which lines, in the order a -j build prints them. */
function objectPhase(rng: Rng, share: number): { lines: string[]; modules: string[] } {
  const jobs: Job[] = [];
  for (const [dir, files] of Object.entries(data.builtin)) {
    if (dir !== "init" && !rng.chance(share)) continue;
    const lines = files.split(" ").map((f) => objectLine(dir, f, false));
    jobs.push({ lines, done: [kbuild("AR", `${dir}/built-in.a`)] });
  }
  const modules: string[] = [];
  for (
    const [key, mod] of Object.entries(data.modules) as [
      string,
      { dir?: string; name: string; files: string },
    ][]
  ) {
    if (!rng.chance(share)) continue;
    const dir = mod.dir ?? key;
    const files = mod.files.split(" ");
    const lines = files.map((f) => objectLine(dir, f, true));
    const composite = files.length > 1 || files[0] !== mod.name;
    jobs.push({ lines, done: composite ? [kbuild("LD [M]", `${dir}/${mod.name}.o`)] : [] });
    modules.push(`${dir}/${mod.name}`);
  }
  const out: string[] = [];
  const width = rng.int(3, 7);
  const active: Job[] = [];
  let next = 0;
  while (next < jobs.length || active.length > 0) {
    while (active.length < width && next < jobs.length) active.push(jobs[next++] as Job);
    const job = rng.pick(active);
    out.push(job.lines.shift() as string);
    if (job.lines.length === 0) {
      out.push(...job.done);
      active.splice(active.indexOf(job), 1);
    }
  }
  return { lines: out, modules };
}

export const kernel_compile: Module = {
  name: "kernel_compile",
  signature: "make -j$(nproc)",
  about: "Linux 6.x kbuild on x86-64: objects, built-in.a archives, vmlinux link, bzImage, modules",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { out, rng } = ctx;
    const version = rng.pick(data.versions).replace("{p}", String(rng.int(1, 12)));
    const tree = rng.pick(data.trees).replace("{user}", rng.pick(data.users)).replace(
      "{version}",
      version,
    );
    const speed = rng.float(0.5, 1.1);
    const start = ctx.clock.now();
    // A hard ceiling: past 200 s of pretend time the rest scrolls by at once.
    const pause = (ms: number) => ctx.sleep(ctx.clock.now() - start > 200_000 ? 1 : ms);
    const step = async ([tag, target, ms]: Step) => {
      out.line(kbuild(tag, target));
      await pause(speed * Math.min(ms * 2.5, Math.max(ms / 3, rng.logNormal(ms, 0.4))));
    };
    for (const s of prepareSteps(tree, version)) await step(s);

    const budget = Math.min(150_000, Math.max(15_000, rng.logNormal(40_000, 0.5)));
    const share = Math.min(1, (budget / 1000) * 55 / 2300);
    const { lines, modules } = objectPhase(rng, share);
    const perLine = budget / Math.max(1, lines.length);
    let i = 0;
    while (i < lines.length) {
      const burst = rng.int(2, 24);
      for (const line of lines.slice(i, i + burst)) out.line(line);
      i += burst;
      const stall = rng.chance(0.05) ? rng.float(3, 6) : rng.float(0.3, 1.2);
      await pause(Math.min(2500, burst * perLine * stall));
    }

    const btf = rng.chance(0.8);
    for (const s of vmlinuxObjectSteps(modules.length > 0)) await step(s);
    let now = 0;
    for (const e of buildTail(rng, modules, btf, speed)) {
      await pause(e.at - now);
      now = e.at;
      for (const line of e.lines) out.line(line);
    }
  },
};
