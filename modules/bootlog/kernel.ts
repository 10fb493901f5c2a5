/**
 * Kernel ring-buffer lines of a Linux 6.x boot, in their real order: the
 * version banner and the firmware memory map at 0.000000, ACPI tables and
 * memory zones, CPU bring-up, PCI enumeration, subsystem initialisation, then
 * the initramfs loading drivers (NVMe, USB, GPU) and the late drivers udev
 * loads once the real root is up. Each line is placed on the boot clock with a
 * gap that fits what the kernel is doing (microseconds early on, longer for
 * device probes).
 *
 * @module
 */

import { pad } from "../../core/format.ts";
import type { Rng } from "../../core/rng.ts";
import type { Machine } from "./hardware.ts";
import type { Timeline } from "./timeline.ts";

/** `0x000000107e2fffff`. */
function h16(n: number): string {
  return `0x${n.toString(16).padStart(16, "0")}`;
}

/** `0x107e2fffff` (no padding). */
function hx(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A memory region of the firmware map. */
interface Region {
  from: number;
  to: number;
  type: string;
}

/** What the memory map implies for later lines. */
interface MemoryFacts {
  regions: Region[];
  top: number;
  usableKiB: number;
}

/** A plausible UEFI e820 map for `ramGiB` of memory. */
function memoryMap(rng: Rng, ramGiB: number): MemoryFacts {
  const page = 0x1000;
  const regions: Region[] = [];
  const add = (from: number, to: number, type: string) => regions.push({ from, to: to - 1, type });
  const a = (0x09a00 + rng.int(0, 0x4ff)) * page;
  add(0, 0xa0000, "usable");
  add(0xa0000, 0x100000, "reserved");
  add(0x100000, a, "usable");
  add(a, 0x0a000000, "reserved");
  add(0x0a000000, 0x0a200000, "usable");
  const nvs1 = 0x0a200000 + rng.int(0x8, 0x20) * page;
  add(0x0a200000, nvs1, "ACPI NVS");
  const lowTop = (0x8a000 + rng.int(0, 0x14000)) * page;
  add(nvs1, lowTop, "usable");
  let p = lowTop;
  for (
    const [type, min, max] of [
      ["reserved", 0x1000, 0x3500],
      ["ACPI data", 0x30, 0x60],
      ["ACPI NVS", 0x800, 0x2400],
      ["reserved", 0x400, 0x1c00],
    ] as const
  ) {
    const next = p + rng.int(min, max) * page;
    add(p, next, type);
    p = next;
  }
  const usableEnd = Math.ceil((p + 0x800 * page) / 0x1000000) * 0x1000000;
  add(p, usableEnd, "usable");
  add(usableEnd, 0xb0000000, "reserved");
  add(0xe0000000, 0xf0000000, "reserved");
  add(0xfd000000, 0x100000000, "reserved");
  const low = regions.filter((r) => r.type === "usable").reduce((s, r) => s + r.to + 1 - r.from, 0);
  const slack = rng.int(0x20, 0x80) * 0x100000;
  const top = Math.floor((0x100000000 + ramGiB * 2 ** 30 - low - slack) / 0x100000) * 0x100000;
  add(0x100000000, top, "usable");
  add(top, Math.ceil((top + 1) / 0x20000000) * 0x20000000, "reserved");
  const usable = regions.filter((r) => r.type === "usable").reduce(
    (s, r) => s + r.to + 1 - r.from,
    0,
  );
  return { regions, top, usableKiB: Math.floor(usable / 1024) };
}

/** A PCI function on the boot's bus. */
interface PciDevice {
  bdf: string;
  id: string;
  type: "00" | "01";
  cls: string;
  kind: string;
  bar?: string;
}

/** The devices enumerated on this machine's PCI bus. */
function pciDevices(m: Machine): PciDevice[] {
  const amd = m.cpu.vendor === "amd";
  const ep = (bdf: string, id: string, cls: string, kind = "PCIe Endpoint", bar?: string) => ({
    bdf,
    id,
    type: "00" as const,
    cls,
    kind,
    bar,
  });
  const bridge = (bdf: string, id: string) => ({
    bdf,
    id,
    type: "01" as const,
    cls: "0x060400",
    kind: "PCIe Root Port",
  });
  const list: PciDevice[] = amd
    ? [
      ep("00:00.0", "1022:14d8", "0x060000", "conventional PCI endpoint"),
      ep("00:00.2", "1022:14d9", "0x080600", "conventional PCI endpoint"),
      ep("00:01.0", "1022:14da", "0x060000", "conventional PCI endpoint"),
      bridge("00:01.1", "1022:14db"),
      bridge("00:02.1", "1022:14db"),
      bridge("00:02.2", "1022:14db"),
      bridge("00:08.1", "1022:14dd"),
      ep("00:14.0", "1022:790b", "0x0c0500", "conventional PCI endpoint"),
      ep("00:14.3", "1022:790e", "0x060100", "conventional PCI endpoint"),
      ep("00:18.0", "1022:14e0", "0x060000", "conventional PCI endpoint"),
      ep("00:18.3", "1022:14e3", "0x060000", "conventional PCI endpoint"),
    ]
    : [
      ep("00:00.0", "8086:a700", "0x060000", "conventional PCI endpoint"),
      bridge("00:01.0", "8086:a70d"),
      bridge("00:06.0", "8086:a74d"),
      ep(
        "00:14.0",
        "8086:7a60",
        "0x0c0330",
        "conventional PCI endpoint",
        "BAR 0 [mem 0x6001100000-0x600110ffff 64bit]",
      ),
      ep("00:14.2", "8086:7a27", "0x050000", "conventional PCI endpoint"),
      ep("00:16.0", "8086:7a68", "0x078000", "conventional PCI endpoint"),
      bridge("00:1c.0", "8086:7a38"),
      ep("00:1f.0", "8086:7a06", "0x060100", "conventional PCI endpoint"),
      ep("00:1f.3", "8086:7a50", "0x040300", "conventional PCI endpoint"),
      ep("00:1f.4", "8086:7a23", "0x0c0500", "conventional PCI endpoint"),
    ];
  const gpuBdf = m.gpu.igpu ? (amd ? "c1:00.0" : "00:02.0") : "01:00.0";
  list.push(
    ep(gpuBdf, m.gpu.pci, "0x030000", "PCIe Legacy Endpoint", "BAR 0 [mem 0xf6000000-0xf6ffffff]"),
  );
  if (m.gpu.audio) {
    const bar = "BAR 0 [mem 0xf7080000-0xf7083fff]";
    list.push(ep(gpuBdf.replace(/0$/, "1"), m.gpu.audio, "0x040300", "PCIe Endpoint", bar));
  }
  list.push(
    ep(
      "02:00.0",
      m.nvme.pci,
      "0x010802",
      "PCIe Endpoint",
      "BAR 0 [mem 0xf7b00000-0xf7b03fff 64bit]",
    ),
  );

  if (m.nic) {
    list.push(
      ep(
        "03:00.0",
        m.nic.driver === "igc"
          ? "8086:125c"
          : m.nic.chip === "RTL8126A"
          ? "10ec:8126"
          : "10ec:8125",
        "0x020000",
        "PCIe Endpoint",
        "BAR 0 [io  0xe000-0xe0ff]",
      ),
    );
  }
  if (m.wifi) {
    const id = m.wifi.driver === "mt7921e"
      ? "14c3:0616"
      : m.wifi.lines[0]?.includes("BE200")
      ? "8086:272b"
      : "8086:2725";
    list.push(
      ep("04:00.0", id, "0x028000", "PCIe Endpoint", "BAR 0 [mem 0xf7600000-0xf7603fff 64bit]"),
    );
  }
  if (amd) {
    list.push(
      ep(
        "0c:00.3",
        "1022:15b6",
        "0x0c0330",
        "PCIe Endpoint",
        "BAR 0 [mem 0xf7400000-0xf74fffff 64bit]",
      ),
    );
  }
  return list;
}

/** The PCI address of the USB controller the peripherals hang off. */
export function xhciBdf(m: Machine): string {
  return m.cpu.vendor === "amd" ? "0000:0c:00.3" : "0000:00:14.0";
}

/** The PCI address of the GPU. */
export function gpuBdf(m: Machine): string {
  return m.gpu.igpu ? (m.cpu.vendor === "amd" ? "0000:c1:00.0" : "0000:00:02.0") : "0000:01:00.0";
}

/** Seconds since the epoch of the boot's start, for `audit(…)` stamps. */
export interface BootClock {
  epochSeconds: number;
}

/** Arch's kernel timer frequency. */
export const HZ = 300;

/** SSDT table ids each vendor's firmware uses. */
const AMD_SSDT = ["AMD AOD ", "AmdTable", "CPMD3CLD", "CPUSSDT "];
const INTEL_SSDT = ["CpuSsdt ", "PmRef   ", "SaSsdt  ", "Cpu0Ist ", "IgfxSsdt"];

/** The revision each fixed table is printed with. */
const ACPI_REVISION: Record<string, number> = {
  XSDT: 1,
  FACP: 6,
  DSDT: 2,
  MCFG: 1,
  HPET: 1,
  FPDT: 1,
  BGRT: 1,
  TPM2: 4,
  WSMT: 1,
  APIC: 5,
  FIDT: 1,
  DMAR: 2,
  IVRS: 2,
};

/**
 * A table's length: fixed by the spec for most (HPET 0x38, MCFG 0x3C, FACP
 * 0x114...), the XSDT one pointer per table, the MADT one entry per CPU, the
 * AML tables whatever their code takes.
 */
export function acpiLength(name: string, tables: number, cpus: number, rng: Rng): number {
  const fixed: Record<string, number> = {
    FACP: 0x114,
    FACS: 0x40,
    MCFG: 0x3c,
    HPET: 0x38,
    FPDT: 0x44,
    BGRT: 0x38,
    TPM2: 0x4c,
    WSMT: 0x28,
    FIDT: 0x9c,
  };
  if (fixed[name] !== undefined) return fixed[name]!;
  // The XSDT points at every table but FACS and DSDT, which the FACP points at.
  if (name === "XSDT") return 0x24 + 8 * (tables - 2);
  if (name === "APIC") return 0x2c + 0x10 * cpus + 0x0c + 0x0a * 2 + 0x06;
  if (name === "DMAR") return 0x88;
  if (name === "IVRS") return 0x1a4;
  if (name === "DSDT") return rng.int(0x20000, 0x3ffff);
  return rng.int(0x200, 0x2fff);
}

/**
 * From the version banner to `Run /init as init process`: about 0.4–0.7 s of
 * boot time, dense at first.
 */
export function earlyKernel(tl: Timeline, m: Machine, rng: Rng, clock: BootClock): void {
  const cpu = m.cpu;
  const amd = cpu.vendor === "amd";
  const k = m.kernel;
  // On the console every KERN_INFO line shows, so that boot has no `quiet` or `loglevel=`.
  const cmdline = `initrd=\\initramfs-linux.img root=UUID=${m.rootUuid} rw${
    m.fs === "btrfs" ? " rootflags=subvol=@" : ""
  }${m.quiet ? " loglevel=3 quiet" : ""}${m.nowatchdog ? " nowatchdog" : ""}`;
  const mem = memoryMap(rng, m.ramGiB);
  const initrdKiB = rng.int(28000, 42000);
  const ramdisk = (0x7a000 + rng.int(0, 0x1000)) * 0x1000;
  const tiny = () => rng.int(0, 3);
  const small = () => rng.int(2, 40);

  tl.k(
    `Linux version ${k.version} (linux@archlinux) (gcc (GCC) ${k.gcc}, GNU ld (GNU Binutils) ${k.binutils}) #1 SMP PREEMPT_DYNAMIC ${k.built}`,
  );
  tl.k(`Command line: ${cmdline}`);
  if (!amd) {
    tl.k(
      "x86/split lock detection: #AC: crashing the kernel on kernel split_locks and warning on user-space split_locks",
    );
  }
  tl.k("BIOS-provided physical RAM map:");
  for (const r of mem.regions) tl.k(`BIOS-e820: [mem ${h16(r.from)}-${h16(r.to)}] ${r.type}`);
  tl.k("NX (Execute Disable) protection: active");
  tl.k("APIC: Static calls initialized");
  const e = () => hx(0x90000000 + rng.int(0, 0x1fffff) * 0x100);
  // The RSDP the kernel reports is the one EFI hands over as `ACPI 2.0=`; the v1 pointer sits 0x14 below.
  const rsdp = 0xa9d80000 + rng.int(0, 0xffff) * 0x10 + 0x14;
  tl.k(`efi: EFI v2.9 by ${m.board.efi}`);
  tl.k(
    `efi: ACPI=${hx(rsdp - 0x14)} ACPI 2.0=${
      hx(rsdp)
    } SMBIOS=${e()} SMBIOS 3.0=${e()} MEMATTR=${e()} ESRT=${e()} RNG=${e()} INITRD=${e()}`,
  );
  tl.k("efi: Remove mem62: MMIO range=[0xe0000000-0xefffffff] (256MB) from e820 map");
  tl.k(`SMBIOS ${rng.pick(["3.5.0", "3.6.0", "3.7.0"])} present.`);
  tl.k(`DMI: ${m.board.dmi}`);
  tl.k(`DMI: Memory slots populated: ${m.board.slots}`);
  tl.k("tsc: Fast TSC calibration using PIT");
  tl.k(`tsc: Detected ${cpu.mhz.toFixed(3)} MHz processor`);
  tl.ks([
    "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved",
    "e820: remove [mem 0x000a0000-0x000fffff] usable",
    `last_pfn = ${hx(mem.top / 0x1000)} max_arch_pfn = 0x400000000`,
    `MTRR map: ${rng.int(4, 7)} entries (3 fixed + ${
      rng.int(1, 4)
    } variable; max 20), built from 9 variable MTRRs`,
    "x86/PAT: Configuration [0-7]: WB  WC  UC- UC  WB  WP  UC- WT",
    "Using GB pages for direct mapping",
    "Secure boot disabled",
    `RAMDISK: [mem ${hx(ramdisk)}-${hx(ramdisk + initrdKiB * 1024 - 1)}]`,
    "ACPI: Early table checksum verification disabled",
  ], small);
  const oem = m.board.acpiOem.padEnd(6).slice(0, 6);
  const tables = [
    "FACP",
    "DSDT",
    "FACS",
    "SSDT",
    "SSDT",
    "FIDT",
    "MCFG",
    "HPET",
    "FPDT",
    "SSDT",
    "BGRT",
    "TPM2",
    amd ? "IVRS" : "DMAR",
    "WSMT",
    "APIC",
    "SSDT",
  ];
  let addr = rsdp;
  tl.k(`ACPI: RSDP ${h16(addr).toUpperCase().replace("0X", "0x")} 000024 (v02 ${oem})`, tiny());
  const entries: string[] = [];
  for (const name of ["XSDT", ...tables]) {
    addr = Math.ceil((addr + rng.int(0x10, 0x400)) / 0x10) * 0x10;
    const len = acpiLength(name, tables.length, cpu.threads, rng);
    const id = name === "SSDT" ? rng.pick(amd ? AMD_SSDT : INTEL_SSDT) : m.board.acpiTableId;
    const line = `ACPI: ${name.padEnd(4)} 0x${addr.toString(16).toUpperCase().padStart(16, "0")} ${
      len.toString(16).toUpperCase().padStart(6, "0")
    } (v${pad(ACPI_REVISION[name] ?? rng.int(1, 2))} ${oem} ${id} 01072009 ${m.board.acpiCreator} ${
      rng.pick(["00010013", "01000013", "00000001"])
    })`;
    tl.k(
      name === "FACS"
        ? `ACPI: FACS 0x${addr.toString(16).toUpperCase().padStart(16, "0")} 000040`
        : line,
      tiny(),
    );
    entries.push(`ACPI: Reserving ${name} table memory at [mem ${hx(addr)}-${hx(addr + len - 1)}]`);
    addr += len;
  }
  tl.ks(entries, tiny);
  const normal = mem.regions.filter((r) => r.type === "usable");
  tl.ks([
    "No NUMA configuration found",
    `Faking a node at [mem 0x0000000000000000-${h16(mem.top - 1)}]`,
    `NODE_DATA(0) allocated [mem ${hx(mem.top - 0x2b000)}-${hx(mem.top - 1)}]`,
    "Zone ranges:",
    "  DMA      [mem 0x0000000000001000-0x0000000000ffffff]",
    "  DMA32    [mem 0x0000000001000000-0x00000000ffffffff]",
    `  Normal   [mem 0x0000000100000000-${h16(mem.top - 1)}]`,
    "  Device   empty",
    "Movable zone start for each node",
    "Early memory node ranges",
    ...normal.map((r) => `  node   0: [mem ${h16(Math.max(r.from, 0x1000))}-${h16(r.to)}]`),
    `Initmem setup node 0 [mem 0x0000000000001000-${h16(mem.top - 1)}]`,
    "On node 0, zone DMA: 1 pages in unavailable ranges",
    "On node 0, zone DMA: 96 pages in unavailable ranges",
    `On node 0, zone DMA32: ${rng.int(300, 2000)} pages in unavailable ranges`,
    `On node 0, zone Normal: ${rng.int(10000, 30000)} pages in unavailable ranges`,
  ], () => rng.int(5, 400));
  const threads = cpu.threads;
  // lpj = TSC kHz × 1000 / HZ, with Arch's HZ=300 (the rcu delay of 30 jiffies says the same).
  const mhzLpj = Math.round((cpu.mhz * 1000 * 1000) / HZ);
  const bogo = (cpu.mhz * 2).toFixed(2);
  tl.ks([
    amd ? "ACPI: LAPIC_NMI (acpi_id[0xff] high edge lint[0x1])" : "ACPI: PM-Timer IO Port: 0x1808",
    `IOAPIC[0]: apic_id ${amd ? threads : 2}, version 33, address 0xfec00000, GSI 0-${
      amd ? 23 : 119
    }`,
    "ACPI: INT_SRC_OVR (bus 0 bus_irq 0 global_irq 2 dfl dfl)",
    "ACPI: INT_SRC_OVR (bus 0 bus_irq 9 global_irq 9 low level)",
    "ACPI: Using ACPI (MADT) for SMP configuration information",
    `ACPI: HPET id: ${amd ? "0x10228201" : "0x8086a701"} base: 0xfed00000`,
    "CPU topo: Max. logical packages:   1",
    "CPU topo: Max. logical dies:       1",
    "CPU topo: Max. dies per package:   1",
    `CPU topo: Max. threads per core:   ${threads > cpu.cores ? 2 : 1}`,
    `CPU topo: Num. cores per package:    ${cpu.cores}`,
    `CPU topo: Num. threads per package:  ${threads}`,
    `CPU topo: Allowing ${threads} present CPUs plus 0 hotplug CPUs`,
    "PM: hibernation: Registered nosave memory: [mem 0x00000000-0x00000fff]",
    "PM: hibernation: Registered nosave memory: [mem 0x000a0000-0x000fffff]",
    "[mem 0xb0000000-0xdfffffff] available for PCI devices",
    "Booting paravirtualized kernel on bare hardware",
    "clocksource: refined-jiffies: mask: 0xffffffff max_cycles: 0xffffffff, max_idle_ns: 6370452778343963 ns",
    `setup_percpu: NR_CPUS:8192 nr_cpumask_bits:${threads} nr_cpu_ids:${threads} nr_node_ids:1`,
    "percpu: Embedded 88 pages/cpu s237568 r8192 d114688 u524288",
    `Kernel command line: ${cmdline}`,
    "printk: log buffer data + meta data: 262144 + 917504 = 1179648 bytes",
  ], () => rng.int(10, 900));
  const dentries = 2 ** Math.round(Math.log2(m.ramGiB * 131072));
  const order = (bytes: number) => Math.round(Math.log2(bytes / 4096));
  tl.ks([
    `Dentry cache hash table entries: ${dentries} (order: ${order(dentries * 8)}, ${
      dentries * 8
    } bytes, linear)`,
    `Inode-cache hash table entries: ${dentries / 2} (order: ${order(dentries * 4)}, ${
      dentries * 4
    } bytes, linear)`,
    `software IO TLB: area num ${threads}.`,
    "Fallback order for Node 0: 0 ",
    `Built 1 zonelists, mobility grouping on.  Total pages: ${Math.floor(mem.usableKiB / 4)}`,
    "Policy zone: Normal",
    "mem auto-init: stack:all(zero), heap alloc:on, heap free:off",
    `SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=${threads}, Nodes=1`,
    `ftrace: allocating ${rng.int(54000, 59000)} entries in ${rng.int(212, 232)} pages`,
    "ftrace: allocated 220 pages with 4 groups",
    "Dynamic Preempt: full",
    "rcu: Preemptible hierarchical RCU implementation.",
    `rcu: \tRCU restricting CPUs from NR_CPUS=8192 to nr_cpu_ids=${threads}.`,
    "rcu: \tRCU priority boosting: priority 1 delay 500 ms.",
    "\tTrampoline variant of Tasks RCU enabled.",
    "\tRude variant of Tasks RCU enabled.",
    "\tTracing variant of Tasks RCU enabled.",
    "rcu: RCU calculated value of scheduler-enlistment delay is 30 jiffies.",
    `rcu: Adjusting geometry for rcu_fanout_leaf=16, nr_cpu_ids=${threads}`,
    "NR_IRQS: 524544, nr_irqs: 1224, preallocated irqs: 16",
    "rcu: srcu_init: Setting srcu_struct sizes based on contention.",
    "kfence: initialized - using 2097152 bytes for 255 objects at 0x(____ptrval____)-0x(____ptrval____)",
    "Console: colour dummy device 80x25",
    "printk: legacy console [tty0] enabled",
    "ACPI: Core revision 20250404",
    "clocksource: hpet: mask: 0xffffffff max_cycles: 0xffffffff, max_idle_ns: 133484873504 ns",
    "APIC: Switch to symmetric I/O mode setup",
    amd
      ? "AMD-Vi: Using global IVHD EFR:0x246577efa2254afa, EFR2:0x0"
      : "DMAR: Host address width 39",
    "x2apic enabled",
    "APIC: Switched APIC routing to: cluster x2apic",
    "..TIMER: vector=0x30 apic1=0 pin1=2 apic2=-1 pin2=-1",
    `clocksource: tsc-early: mask: 0xffffffffffffffff max_cycles: 0x${
      rng.hex(11)
    }, max_idle_ns: 440795${rng.int(100000, 999999)} ns`,
    `Calibrating delay loop (skipped), value calculated using timer frequency.. ${bogo} BogoMIPS (lpj=${mhzLpj})`,
    "x86/cpu: User Mode Instruction Prevention (UMIP) activated",
    ...(amd
      ? ["LVT offset 1 assigned for vector 0xf9", "LVT offset 2 assigned for vector 0xf4"]
      : []),
    "Last level iTLB entries: 4KB 512, 2MB 512, 4MB 256",
    "Last level dTLB entries: 4KB 3072, 2MB 3072, 4MB 1536, 1GB 0",
    "process: using mwait in idle threads",
    ...cpu.mitigations,
    ...cpu.xstate.map(([bit, name]) => `x86/fpu: Supporting XSAVE feature ${bit}: '${name}'`),
    `x86/fpu: Enabled xstate features ${cpu.xstateMask}, context size is ${cpu.xstateSize} bytes, using 'compacted' format.`,
    "Freeing SMP alternatives memory: 56K",
    "pid_max: default: 32768 minimum: 301",
    "LSM: initializing lsm=capability,landlock,lockdown,yama,bpf",
    "landlock: Up and running.",
    "Yama: becoming mindful.",
    "LSM support for eBPF active",
    "Mount-cache hash table entries: 131072 (order: 8, 1048576 bytes, linear)",
    "Mountpoint-cache hash table entries: 131072 (order: 8, 1048576 bytes, linear)",
  ], () => rng.int(30, 2500));

  // CPU bring-up.
  const fam = `(family: ${cpu.family}, model: ${cpu.modelId}, stepping: ${cpu.stepping})`;
  tl.k(`smpboot: CPU0: ${cpu.model} ${fam}`, rng.int(15000, 40000));
  tl.ks([
    `Performance Events: ${cpu.pmu}`,
    "signal: max sigframe size: 3376",
    "rcu: Hierarchical SRCU implementation.",
    "rcu: \tMax phase no-delay instances is 1000.",
    "Timer migration: 2 hierarchy levels; 8 children per group; 2 crossnode level",
    ...(m.nowatchdog ? [] : ["NMI watchdog: Enabled. Permanently consumes one hw-PMU counter."]),
    "smp: Bringing up secondary CPUs ...",
    "smpboot: x86: Booting SMP configuration:",
  ], () => rng.int(100, 3000));
  const cpuList = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `#${from + i}`.padStart(4)).join("");
  const primaries = cpu.cores;
  tl.k(`.... node  #0, CPUs:    ${cpuList(1, primaries)}`, rng.int(2000, 8000));
  if (threads > primaries) tl.k(`      ${cpuList(primaries, threads)}`, rng.int(8000, 30000));
  const availK = Math.floor(mem.usableKiB * 0.983) - 300000;
  tl.ks([
    `smp: Brought up 1 node, ${threads} CPUs`,
    `smpboot: Total of ${threads} processors activated (${
      (cpu.mhz * 2 * threads).toFixed(2)
    } BogoMIPS)`,
    `Memory: ${availK}K/${mem.usableKiB}K available (20480K kernel code, 2936K rwdata, 15216K rodata, 4520K init, 4660K bss, ${
      mem.usableKiB - availK
    }K reserved, 0K cma-reserved)`,
    "devtmpfs: initialized",
    `x86/mm: Memory block size: ${m.ramGiB >= 64 ? 2048 : 128}MB`,
    "clocksource: jiffies: mask: 0xffffffff max_cycles: 0xffffffff, max_idle_ns: 6370867519511994 ns",
    "futex hash table entries: 8192 (order: 7, 524288 bytes, linear)",
    "pinctrl core: initialized pinctrl subsystem",
    `PM: RTC time: ${rtc(clock.epochSeconds)}`,
    "NET: Registered PF_NETLINK/PF_ROUTE protocol family",
    "DMA: preallocated 4096 KiB GFP_KERNEL pool for atomic allocations",
    "DMA: preallocated 4096 KiB GFP_KERNEL|GFP_DMA pool for atomic allocations",
    "DMA: preallocated 4096 KiB GFP_KERNEL|GFP_DMA32 pool for atomic allocations",
    "audit: initializing netlink subsys (disabled)",
    `audit: type=2000 audit(${clock.epochSeconds}.${
      pad(rng.int(10, 200), 3)
    }:1): state=initialized audit_enabled=0 res=1`,
    "thermal_sys: Registered thermal governor 'fair_share'",
    "thermal_sys: Registered thermal governor 'bang_bang'",
    "thermal_sys: Registered thermal governor 'step_wise'",
    "thermal_sys: Registered thermal governor 'user_space'",
    "thermal_sys: Registered thermal governor 'power_allocator'",
    "cpuidle: using governor ladder",
    "cpuidle: using governor menu",
    "PCI: ECAM [mem 0xe0000000-0xefffffff] (base 0xe0000000) for domain 0000 [bus 00-ff]",
    "PCI: Using configuration type 1 for base access",
    "kprobes: kprobe jump-optimization is enabled. All kprobes are optimized if possible.",
    "HugeTLB: registered 1.00 GiB page size, pre-allocated 0 pages",
    "HugeTLB: 16380 KiB vmemmap can be freed for a 1.00 GiB page",
    "HugeTLB: registered 2.00 MiB page size, pre-allocated 0 pages",
    "HugeTLB: 28 KiB vmemmap can be freed for a 2.00 MiB page",
    amd
      ? "raid6: skipped pq benchmark and selected avx512x4"
      : "raid6: skipped pq benchmark and selected avx2x4",
    amd ? "raid6: using avx512x2 recovery algorithm" : "raid6: using avx2x2 recovery algorithm",
    "ACPI: Added _OSI(Module Device)",
    "ACPI: Added _OSI(Processor Device)",
    "ACPI: Added _OSI(Processor Aggregator Device)",
  ], () => rng.int(200, 6000));
  tl.k(
    `ACPI: ${rng.int(12, 24)} ACPI AML tables successfully acquired and loaded`,
    rng.int(8000, 25000),
  );
  if (m.board.laptop) {
    tl.k("ACPI: [Firmware Bug]: BIOS _OSI(Linux) query ignored", rng.int(100, 900));
  }
  tl.ks([
    "ACPI: Interpreter enabled",
    `ACPI: PM: (supports S0${m.board.laptop ? "" : " S3"} S4 S5)`,
    "ACPI: Using IOAPIC for interrupt routing",
    'PCI: Using host bridge windows from ACPI; if necessary, use "pci=nocrs" and report a bug',
    "PCI: Ignoring E820 reservations for host bridge windows",
    `ACPI: Enabled ${rng.int(3, 8)} GPEs in block 00 to 1F`,
    "ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-ff])",
    "acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]",
    "acpi PNP0A08:00: _OSC: OS now controls [PCIeHotplug SHPCHotplug PME AER PCIeCapability LTR DPC]",
    "PCI host bridge to bus 0000:00",
    "pci_bus 0000:00: root bus resource [io  0x0000-0x03af window]",
    "pci_bus 0000:00: root bus resource [mem 0x000a0000-0x000bffff window]",
    "pci_bus 0000:00: root bus resource [mem 0xb0000000-0xdfffffff window]",
    "pci_bus 0000:00: root bus resource [bus 00-ff]",
  ], () => rng.int(300, 4000));
  for (const d of pciDevices(m)) {
    tl.k(`pci 0000:${d.bdf}: [${d.id}] type ${d.type} class ${d.cls} ${d.kind}`, rng.int(20, 400));
    if (d.bar) tl.k(`pci 0000:${d.bdf}: ${d.bar}`, rng.int(2, 30));
    if (d.type === "01") {
      tl.k(`pci 0000:${d.bdf}: PME# supported from D0 D3hot D3cold`, rng.int(2, 30));
    }
  }
  const gpu = gpuBdf(m);
  tl.ks([
    "iommu: Default domain type: Translated",
    "iommu: DMA domain TLB invalidation policy: lazy mode",
    "SCSI subsystem initialized",
    "libata version 3.00 loaded.",
    "ACPI: bus type USB registered",
    "usbcore: registered new interface driver usbfs",
    "usbcore: registered new interface driver hub",
    "usbcore: registered new device driver usb",
    "EDAC MC: Ver: 3.0.0",
    "efivars: Registered efivars operations",
    "NetLabel: Initializing",
    "NetLabel:  domain hash size = 128",
    "NetLabel:  protocols = UNLABELED CIPSOv4 CALIPSO",
    "NetLabel:  unlabeled traffic allowed by default",
    "PCI: Using ACPI for IRQ routing",
    "PCI: pci_cache_line_size set to 64 bytes",
    `pci ${gpu}: vgaarb: setting as boot VGA device`,
    `pci ${gpu}: vgaarb: bridge control possible`,
    `pci ${gpu}: vgaarb: VGA device added: decodes=io+mem,owns=none,locks=none`,
    "vgaarb: loaded",
    "clocksource: Switched to clocksource tsc-early",
    "VFS: Disk quotas dquot_6.6.0",
    "VFS: Dquot-cache hash table entries: 512 (order 0, 4096 bytes)",
    "pnp: PnP ACPI init",
    `pnp: PnP ACPI: found ${rng.int(8, 16)} devices`,
    "clocksource: acpi_pm: mask: 0xffffff max_cycles: 0xffffff, max_idle_ns: 2085701024 ns",
    "NET: Registered PF_INET protocol family",
    "IP idents hash table entries: 262144 (order: 9, 2097152 bytes, linear)",
    "tcp_listen_portaddr_hash hash table entries: 32768 (order: 7, 524288 bytes, linear)",
    "TCP established hash table entries: 524288 (order: 10, 4194304 bytes, linear)",
    "TCP: Hash tables configured (established 524288 bind 65536)",
    "MPTCP token hash table entries: 65536 (order: 8, 1572864 bytes, linear)",
    "UDP hash table entries: 32768 (order: 9, 2097152 bytes, linear)",
    "NET: Registered PF_UNIX/PF_LOCAL protocol family",
    "NET: Registered PF_XDP protocol family",
    "PCI: CLS 64 bytes, default 64",
    ...(amd
      ? [
        `AMD-Vi: Extended features (0x246577efa2254afa, 0x0): PPR NX GT [5] IA GA PC GA_vAPIC`,
        "AMD-Vi: Interrupt remapping enabled",
      ]
      : ["DMAR: No ATSR found", "DMAR: dmar0: Using Queued invalidation"]),
    "Trying to unpack rootfs image as initramfs...",
    "Initialise system trusted keyrings",
    "Key type blacklist registered",
    "workingset: timestamp_bits=36 max_order=24 bucket_order=0",
    "fuse: init (API version 7.44)",
    "integrity: Platform Keyring initialized",
    "Key type asymmetric registered",
    "Asymmetric key parser 'x509' registered",
    "Block layer SCSI generic (bsg) driver version 0.4 loaded (major 246)",
    "io scheduler mq-deadline registered",
    "io scheduler kyber registered",
    "io scheduler bfq registered",
    "ledtrig-cpu: registered to indicate activity on CPUs",
    `input: Power Button as /devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0C:00/input/input0`,
    "ACPI: button: Power Button [PWRB]",
    ...(m.board.laptop
      ? [
        "ACPI: AC: AC Adapter [ACAD] (on-line)",
        "input: Lid Switch as /devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0D:00/input/input1",
        "ACPI: button: Lid Switch [LID0]",
      ]
      : []),
    "Serial: 8250/16550 driver, 32 ports, IRQ sharing enabled",
    "Non-volatile memory driver v1.3",
    "Linux agpgart interface v0.103",
    "ACPI: bus type drm_connector registered",
    "rtc_cmos 00:02: RTC can wake from S4",
    "rtc_cmos 00:02: registered as rtc0",
    `rtc_cmos 00:02: setting system clock to ${
      isoUtc(clock.epochSeconds)
    } UTC (${clock.epochSeconds})`,
    "rtc_cmos 00:02: alarms up to one month, y3k, 114 bytes nvram",
    "hid: raw HID events driver (C) Jiri Kosina",
    "usbcore: registered new interface driver usbhid",
    "usbhid: USB HID core driver",
    "drop_monitor: Initializing network drop monitor service",
    "NET: Registered PF_INET6 protocol family",
    "Segment Routing with IPv6",
    "In-situ OAM (IOAM) with IPv6",
    "NET: Registered PF_PACKET protocol family",
    `microcode: Current revision: 0x${cpu.microcode.slice(2).padStart(8, "0")}`,
    "IPI shorthand broadcast: enabled",
    "sched_clock: Marking stable (" + rng.int(400000000, 700000000) + ", " +
    rng.int(100000, 900000) + ")->(" +
    rng.int(400000000, 700000000) + ", -" + rng.int(10000, 900000) + ")",
    "registered taskstats version 1",
    "Loading compiled-in X.509 certificates",
    `Loaded X.509 cert 'Build time autogenerated kernel key: ${rng.hex(40)}'`,
    "zswap: loaded using pool zstd/zsmalloc",
    "Demotion targets for Node 0: null",
    "Key type .fscrypt registered",
    "Key type fscrypt-provisioning registered",
    "RAS: Correctable Errors collector initialized.",
  ], () => rng.int(200, 9000));
  tl.k(`Freeing initrd memory: ${initrdKiB}K`, rng.int(20000, 90000));
  tl.ks([
    "clk: Disabling unused clocks",
    "PM: genpd: Disabling unused power domains",
    "Freeing unused decrypted memory: 2028K",
    "Freeing unused kernel image (initmem) memory: 4520K",
    "Write protecting the kernel read-only data: 36864k",
    "Freeing unused kernel image (text/rodata gap) memory: 1148K",
    "Freeing unused kernel image (rodata/data gap) memory: 1152K",
    "x86/mm: Checked W+X mappings: passed, no W+X pages found.",
    "rodata_test: all tests were successful",
    "Run /init as init process",
    "  with arguments:",
    "    /init",
    "  with environment:",
    "    HOME=/",
    "    TERM=linux",
  ], () => rng.int(500, 12000));
}

/** `09:26:53, date: 2026-03-14` for `PM: RTC time:`. */
function rtc(epoch: number): string {
  const iso = new Date(epoch * 1000).toISOString();
  return `${iso.slice(11, 19)}, date: ${iso.slice(0, 10)}`;
}

/** `2026-03-14T09:26:53`. */
function isoUtc(epoch: number): string {
  return new Date(epoch * 1000).toISOString().slice(0, 19);
}

/** The NVMe drive showing up (from the initramfs). */
export function nvmeLines(m: Machine): string[] {
  const queues = Math.min(m.cpu.threads, 64);
  return [
    `nvme nvme0: pci function 0000:02:00.0`,
    ...(m.nvme.hmb
      ? [`nvme nvme0: allocated ${m.nvme.hmb} MiB host memory buffer (${m.nvme.hmb / 4} segments).`]
      : []),
    `nvme nvme0: ${queues}/0/0 default/read/poll queues`,
    ` nvme0n1: p1 p2`,
  ];
}

/** The USB host controllers registering their root hubs. */
export function xhciLines(m: Machine): string[] {
  const bdf = xhciBdf(m);
  const ver = m.kernel.version.split("-")[0]?.split(".").slice(0, 2).join(".") ?? "6.16";
  const hub = (bus: number, id: string, ports: number, speed: string) => [
    `xhci_hcd ${bdf}: new USB bus registered, assigned bus number ${bus}`,
    ...(speed === "SuperSpeed"
      ? [`xhci_hcd ${bdf}: Host supports USB 3.2 Enhanced SuperSpeed`]
      : []),
    `usb usb${bus}: New USB device found, idVendor=1d6b, idProduct=${id}, bcdDevice= ${ver}`,
    `usb usb${bus}: New USB device strings: Mfr=3, Product=2, SerialNumber=1`,
    `usb usb${bus}: Product: xHCI Host Controller`,
    `usb usb${bus}: Manufacturer: Linux ${m.kernel.version} xhci-hcd`,
    `usb usb${bus}: SerialNumber: ${bdf}`,
    `hub ${bus}-0:1.0: USB hub found`,
    `hub ${bus}-0:1.0: ${ports} port${ports === 1 ? "" : "s"} detected`,
  ];
  return [
    `xhci_hcd ${bdf}: xHCI Host Controller`,
    ...hub(1, "0002", 12, "HighSpeed"),
    `xhci_hcd ${bdf}: xHCI Host Controller`,
    ...hub(2, "0003", 5, "SuperSpeed"),
  ];
}

/** A USB peripheral enumerating: lines and where it hangs. */
export function usbDeviceLines(
  m: Machine,
  index: number,
  dev: Machine["inputs"][number],
): string[] {
  const port = `1-${index + 2}`;
  const bdf = xhciBdf(m);
  const path = m.cpu.vendor === "amd"
    ? `/devices/pci0000:00/0000:00:08.1/${bdf}/usb1/${port}/${port}:1.0`
    : `/devices/pci0000:00/${bdf}/usb1/${port}/${port}:1.0`;
  const hidId = `0003:${dev.vendor.toUpperCase()}:${dev.product.toUpperCase()}.${
    String(index + 1).padStart(4, "0")
  }`;
  const lines = [
    `usb ${port}: new ${dev.speed}-speed USB device number ${index + 2} using xhci_hcd`,
    `usb ${port}: New USB device found, idVendor=${dev.vendor}, idProduct=${dev.product}, bcdDevice= 1.${
      pad(index)
    }`,
    `usb ${port}: New USB device strings: Mfr=1, Product=2, SerialNumber=0`,
    `usb ${port}: Product: ${dev.prod}`,
    `usb ${port}: Manufacturer: ${dev.mfr}`,
  ];
  if (dev.kind === "Hub") {
    lines.push(`hub ${port}:1.0: USB hub found`, `hub ${port}:1.0: 4 ports detected`);
  } else {
    lines.push(
      `input: ${dev.name} as ${path}/${hidId}/input/input${index + 4}`,
      `hid-generic ${hidId}: input,hidraw${index}: USB HID v1.11 ${dev.kind} [${dev.name}] on usb-${bdf}-${
        index + 2
      }/input0`,
    );
  }
  return lines;
}

/** The GPU driver taking over the console (from the initramfs `kms` hook). */
export function gpuLines(m: Machine, rng: Rng): string[] {
  const bdf = gpuBdf(m);
  const g = m.gpu;
  if (g.driver === "nvidia") {
    const v = m.nvidiaDriver;
    const built = "Release Build  (archlinux-builder@archlinux)  Thu Sep  4 10:12:31 UTC 2025";
    return [
      "nvidia: loading out-of-tree module taints kernel.",
      "nvidia: module verification failed: signature and/or required key missing - tainting kernel",
      `nvidia-nvlink: Nvlink Core is being initialized, major device number ${rng.int(234, 240)}`,
      `nvidia ${bdf}: vgaarb: VGA decodes changed: olddecodes=io+mem,decodes=none:owns=io+mem`,
      `NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  ${v}  ${built}`,
      `nvidia-modeset: Loading NVIDIA UNIX Open Kernel Mode Setting Driver for x86_64  ${v}  ${built}`,
      `[drm] [nvidia-drm] [GPU ID 0x00000100] Loading driver`,
      `[drm] Initialized nvidia-drm 0.0.0 for ${bdf} on minor 1`,
      `nvidia ${bdf}: [drm] Cannot find any crtc or sizes`,
    ];
  }
  if (g.driver === "amdgpu") {
    const [ven, dev] = g.pci.split(":");
    const vram = g.vram ?? 512;
    const gtt = Math.floor((m.ramGiB * 1024) / 2) - rng.int(50, 200);
    return [
      "[drm] amdgpu kernel modesetting enabled.",
      "amdgpu: Virtual CRAT table created for CPU",
      "amdgpu: Topology: Add CPU node",
      `amdgpu ${bdf}: enabling device (0006 -> 0007)`,
      `[drm] initializing kernel modesetting (IP DISCOVERY 0x${ven}:0x${dev?.toUpperCase()} 0x1849:0x${
        rng.hex(4).toUpperCase()
      } 0xC8).`,
      `amdgpu ${bdf}: amdgpu: Fetched VBIOS from VFCT`,
      `amdgpu: ATOM BIOS: 113-${rng.hex(8).toUpperCase()}-101`,
      `amdgpu ${bdf}: amdgpu: VRAM: ${vram}M 0x0000008000000000 - 0x${
        (0x8000000000 + vram * 0x100000 - 1).toString(16).toUpperCase().padStart(16, "0")
      } (${vram}M used)`,
      `[drm] amdgpu: ${vram}M of VRAM memory ready`,
      `[drm] amdgpu: ${gtt}M of GTT memory ready.`,
      `amdgpu ${bdf}: amdgpu: SMU is initialized successfully!`,
      `[drm] Display Core v3.2.${rng.int(320, 351)} initialized on DCN ${g.dcn ?? "3.2"}`,
      `kfd kfd: amdgpu: added device ${g.pci}`,
      `[drm] Initialized amdgpu 3.64.0 for ${bdf} on minor 1`,
      "fbcon: amdgpudrmfb (fb0) is primary device",
      `Console: switching to colour frame buffer device ${
        rng.pick(["240x67", "320x90", "160x50"])
      }`,
      `amdgpu ${bdf}: [drm] fb0: amdgpudrmfb frame buffer device`,
    ];
  }
  return [
    `i915 ${bdf}: [drm] VT-d active for gfx access`,
    `i915 ${bdf}: vgaarb: deactivate vga console`,
    `i915 ${bdf}: [drm] Using Transparent Hugepages`,
    `i915 ${bdf}: vgaarb: VGA decodes changed: olddecodes=io+mem,decodes=io+mem:owns=io+mem`,
    `i915 ${bdf}: [drm] Finished loading DMC firmware ${
      g.dmc ?? "i915/adls_dmc_ver2_01.bin (v2.1)"
    }`,
    `[drm] Initialized i915 1.6.0 for ${bdf} on minor 1`,
    "fbcon: i915drmfb (fb0) is primary device",
    `Console: switching to colour frame buffer device ${rng.pick(["240x67", "320x90", "160x50"])}`,
    `i915 ${bdf}: [drm] fb0: i915drmfb frame buffer device`,
  ];
}

/** Root file system mount in the initramfs (read-only). */
export function rootMountLines(m: Machine, rng: Rng): string[] {
  if (m.fs === "ext4") {
    return [
      `EXT4-fs (nvme0n1p2): mounted filesystem ${m.rootUuid} ro with ordered data mode. Quota mode: none.`,
    ];
  }
  const dev = "BTRFS info (device nvme0n1p2)";
  return [
    `BTRFS: device label arch devid 1 transid ${
      rng.int(20000, 400000)
    } /dev/nvme0n1p2 (259:2) scanned by mount (${rng.int(300, 480)})`,
    `${dev}: first mount of filesystem ${m.rootUuid}`,
    `${dev}: using crc32c (crc32c-lib) checksum algorithm`,
    `${dev}: enabling ssd optimizations`,
    `${dev}: turning on async discard`,
    `${dev}: enabling free space tree`,
  ];
}

/** Root file system remounted read-write by systemd-remount-fs. */
export function remountLine(m: Machine): string {
  return m.fs === "ext4"
    ? `EXT4-fs (nvme0n1p2): re-mounted ${m.rootUuid} r/w. Quota mode: none.`
    : "BTRFS info (device nvme0n1p2 state M): use zstd compression, level 3";
}

/** Drivers udev loads once the real system is up, as groups printed close together. */
export function lateDriverGroups(m: Machine, rng: Rng): string[][] {
  const amd = m.cpu.vendor === "amd";
  const groups: string[][] = [];
  const audio = m.gpu.audio ? gpuBdf(m).replace(/0$/, "1") : "0000:00:1f.3";
  groups.push([
    `snd_hda_intel ${audio}: enabling device (0000 -> 0002)`,
    `snd_hda_intel ${audio}: Handle vga_switcheroo audio client`,
    `input: HD-Audio Generic HDMI/DP,pcm=3 as /devices/pci0000:00/0000:00:01.1/${audio}/sound/card0/input${
      rng.int(8, 14)
    }`,
  ]);
  groups.push(
    amd
      ? [
        "RAPL PMU: API unit is 2^-32 Joules, 2 fixed counters, 163840 ms ovfl timer",
        "RAPL PMU: hw unit of domain package 2^-16 Joules",
        "kvm_amd: TSC scaling supported",
        "kvm_amd: Nested Virtualization enabled",
        "kvm_amd: Nested Paging enabled",
        "kvm_amd: LBR virtualization supported",
        `EDAC amd64: ${(m.cpu as { edac?: string }).edac ?? "F19h_M60h"} detected (node 0).`,
        "amd_atl: AMD Address Translation Library initialized",
      ]
      : [
        "RAPL PMU: API unit is 2^-32 Joules, 4 fixed counters, 655360 ms ovfl timer",
        "RAPL PMU: hw unit of domain pp0-core 2^-14 Joules",
        "RAPL PMU: hw unit of domain package 2^-14 Joules",
        "intel_rapl_common: Found RAPL domain package",
        "intel_rapl_common: Found RAPL domain core",
        "intel_pmc_core INT33A1:00:  initialized",
      ],
  );
  groups.push([
    "cfg80211: Loading compiled-in X.509 certificates for regulatory database",
    "Loaded X.509 cert 'sforshee: 00b28ddf47aef9cea7'",
    "Loaded X.509 cert 'wens: 61c038651aabdcf94bd0ac7ff06c7248db18c600'",
    "mousedev: PS/2 mouse device common for all mice",
  ]);
  if (m.nic) {
    const bdf = "0000:03:00.0";
    groups.push(
      m.nic.driver === "igc"
        ? [
          `igc ${bdf}: PTM enabled, 4ns granularity`,
          `igc ${bdf} (unnamed net_device) (uninitialized): PHC added`,
          `igc ${bdf}: 4.000 Gb/s available PCIe bandwidth (5.0 GT/s PCIe x1 link)`,
          `igc ${bdf} eth0: MAC: ${m.mac}`,
          `igc ${bdf} enp3s0: renamed from eth0`,
        ]
        : [
          `r8169 ${bdf} eth0: ${m.nic.chip}, ${m.mac}, XID ${m.nic.xid}, IRQ ${rng.int(100, 160)}`,
          `r8169 ${bdf} eth0: jumbo features [frames: 16362 bytes, tx checksumming: ko]`,
          `r8169 ${bdf} enp3s0: renamed from eth0`,
        ],
    );
  }
  if (m.wifi) {
    groups.push(
      m.wifi.lines.map((l) =>
        l.replace("{pci}", "0000:04:00.0").replace("{mac}", m.mac.replace(/^9c/, "a8"))
      ),
    );
    groups.push([
      "Bluetooth: Core ver 2.22",
      "NET: Registered PF_BLUETOOTH protocol family",
      "Bluetooth: HCI device and connection manager initialized",
      "Bluetooth: HCI socket layer initialized",
      "Bluetooth: L2CAP socket layer initialized",
      "Bluetooth: SCO socket layer initialized",
    ]);
  }
  return groups;
}

/** The wired link coming up once the network service configures it. */
export function linkUpLine(m: Machine): string | undefined {
  if (!m.nic) return undefined;
  return m.nic.driver === "igc"
    ? `igc 0000:03:00.0 enp3s0: NIC Link is Up ${m.nic.speed} Mbps Full Duplex, Flow Control: RX/TX`
    : `r8169 0000:03:00.0 enp3s0: Link is Up - ${m.nic.speed}/Full - flow control rx/tx`;
}
