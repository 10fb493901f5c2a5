/**
 * The machine being booted, drawn per run from `data/bootlog.json`: a CPU and a
 * matching board, memory, an NVMe drive, a GPU, a NIC, optional Wi-Fi, input
 * devices, the kernel and systemd versions, file system and partition UUIDs.
 *
 * @module
 */

import data from "../../data/bootlog.json" with { type: "json" };
import type { Rng } from "../../core/rng.ts";

/** A CPU as stored in the data file. */
export type Cpu = (typeof data.cpus)[number];
/** A board as stored in the data file. */
export type Board = (typeof data.boards)[number] & { laptop?: boolean };
/** A GPU as stored in the data file. */
export type Gpu = (typeof data.gpus)[number] & {
  vram?: number;
  dcn?: string;
  igpu?: boolean;
  dmc?: string;
  /** An integrated GPU exists only in these CPUs. */
  cpus?: string[];
};
/** An NVMe drive as stored in the data file. */
export type Nvme = (typeof data.nvmes)[number] & { hmb?: number };

/** Everything a boot log depends on. */
export interface Machine {
  kernel: (typeof data.kernels)[number];
  systemd: string;
  cpu: Cpu;
  board: Board;
  ramGiB: number;
  nvme: Nvme;
  gpu: Gpu;
  nvidiaDriver: string;
  nic: (typeof data.nics)[number] | undefined;
  wifi: (typeof data.wifi)[number] | undefined;
  inputs: (typeof data.inputs)[number][];
  hostname: string;
  fs: "ext4" | "btrfs";
  rootUuid: string;
  espUuid: string;
  /** Network stack: NetworkManager or systemd-networkd with resolved. */
  network: "nm" | "networkd";
  mac: string;
  /**
   * What the screen is: the VT console of the boot (kernel lines at the console
   * log level, systemd status lines, the getty), or `dmesg -w` (the kernel ring
   * buffer only, in dmesg's colours).
   */
  view: "console" | "dmesg";
  /** `quiet` on the command line: only in dmesg view, where the console is not what is shown. */
  quiet: boolean;
  /** `nowatchdog` on the command line: then no NMI watchdog line. */
  nowatchdog: boolean;
}

/** A random UUID in the usual 8-4-4-4-12 form. */
export function uuid(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(["8", "9", "a", "b"])}${
    rng.hex(3)
  }-${rng.hex(12)}`;
}

/** Draws a plausible machine. */
export function pickMachine(rng: Rng): Machine {
  const cpu = rng.pick(data.cpus);
  // A board takes the CPU's socket: an LGA1851 Core Ultra never sits on a Z790.
  const board = rng.pick(
    data.boards.filter((b) => b.platform === cpu.platform && b.socket === cpu.socket),
  ) as Board;
  const gpus = (data.gpus as Gpu[]).filter((g) =>
    g.platforms.includes(cpu.platform) && (g.cpus === undefined || g.cpus.includes(cpu.model))
  );
  const view = rng.chance(0.5) ? "console" : "dmesg";
  const laptop = board.laptop === true;
  const ramGiB = laptop ? rng.pick([16, 32, 64]) : rng.pick([16, 32, 32, 64, 64, 96, 128]);
  const wifi = laptop || rng.chance(0.5) ? rng.pick(data.wifi) : undefined;
  const nics = data.nics.filter((n) => n.platforms.includes(cpu.platform));
  const inputs = laptop ? [] : rng.sample(data.inputs, rng.int(1, 3));
  const mac = Array.from({ length: 6 }, (_, i) => (i === 0 ? "9c" : rng.hex(2))).join(":");
  return {
    kernel: rng.pick(data.kernels),
    systemd: rng.pick(data.systemd),
    cpu,
    board,
    ramGiB,
    nvme: rng.pick(data.nvmes),
    gpu: rng.pick(gpus),
    nvidiaDriver: rng.pick(data.nvidiaDrivers),
    nic: laptop || nics.length === 0 ? undefined : rng.pick(nics),
    wifi,
    inputs,
    hostname: rng.pick(data.hostnames),
    fs: rng.chance(0.55) ? "ext4" : "btrfs",
    rootUuid: uuid(rng),
    espUuid: `${rng.hex(4)}-${rng.hex(4)}`.toUpperCase(),
    network: rng.chance(0.6) ? "nm" : "networkd",
    mac,
    view,
    quiet: view === "dmesg" && rng.chance(0.5),
    nowatchdog: rng.chance(0.4),
  };
}
