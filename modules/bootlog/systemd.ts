/**
 * systemd's share of the boot: the initrd (udev, the root device, /sysroot,
 * switch root) and the real system (slices, sockets, parallel batches of
 * `Starting …` / `[  OK  ] Started …` lines, targets), with the kernel lines
 * that happen meanwhile, the odd failure and the animated start job.
 *
 * @module
 */

import data from "../../data/bootlog.json" with { type: "json" };
import type { Rng } from "../../core/rng.ts";
import type { Machine } from "./hardware.ts";
import {
  gpuLines,
  lateDriverGroups,
  linkUpLine,
  nvmeLines,
  remountLine,
  rootMountLines,
  usbDeviceLines,
  xhciLines,
} from "./kernel.ts";
import type { Timeline } from "./timeline.ts";

/** Options of a unit in a batch. */
interface UnitOptions {
  fail?: boolean;
  hook?: string;
  net?: string;
  wifi?: boolean;
  opt?: number;
  after?: string;
  together?: string;
}

/** `[kind, unit, description, typical ms, options?]`. */
type UnitSpec = [string, string, string, number, UnitOptions?];

/** One step of a boot phase in the data file. */
interface Step {
  ok?: string[];
  opt?: number;
  batch?: UnitSpec[];
  then?: (string | { net?: string })[][];
  hook?: string;
}

/** What the systemd phases need besides the timeline. */
export interface BootContext {
  tl: Timeline;
  m: Machine;
  rng: Rng;
  /** Seconds since the epoch at boot time 0 (for audit stamps). */
  epochSeconds: number;
  /** Unit picked to fail this boot, if any. */
  failing: string | undefined;
  /** Whether the ESP device makes systemd wait (the spinner), or a data disk times out. */
  waitForDevice: "none" | "slow" | "timeout";
  /** Decided per run: optional units and groups present. */
  present: Map<string, boolean>;
  /** Boot time when the real system's systemd started (jobs are queued then). */
  systemdStart: number;
  /** Next audit serial. */
  auditSerial: number;
  /** How slow this machine's userspace is (multiplies unit run times). */
  pace: number;
}

/** systemd's unit-name escaping of a path component (`-` becomes `\x2d`). */
export function escapeUnit(text: string): string {
  return text.replaceAll("-", "\\x2d");
}

/** The compile-time feature string; Arch builds systemd 258 with AppArmor, 257 without. */
export function features(version: string): string {
  return version.startsWith("257.") ? FEATURES : FEATURES.replace("-APPARMOR", "+APPARMOR");
}

const FEATURES =
  "+PAM +AUDIT -SELINUX -APPARMOR -IMA +IPE +SMACK +SECCOMP +GCRYPT +GNUTLS +OPENSSL +ACL +BLKID +CURL +ELFUTILS +FIDO2 +IDN2 -IDN +IPTC +KMOD +LIBCRYPTSETUP +LIBCRYPTSETUP_PLUGINS +LIBFDISK +PCRE2 +PWQUALITY +P11KIT +QRENCODE +TPM2 +BZIP2 +LZ4 +XZ +ZLIB +ZSTD +BPF_FRAMEWORK +BTF +XKBCOMMON +UTMP -SYSVINIT +LIBARCHIVE";

/** Whether an optional unit or step is part of this boot (decided once per name). */
function present(b: BootContext, key: string, p: number | undefined): boolean {
  if (p === undefined) return true;
  let v = b.present.get(key);
  if (v === undefined) {
    v = b.rng.chance(p);
    b.present.set(key, v);
  }
  return v;
}

/** Whether a unit applies to this machine. */
function applies(b: BootContext, spec: UnitSpec): boolean {
  const o = spec[4] ?? {};
  if (o.net && o.net !== b.m.network) return false;
  if (o.wifi && !b.m.wifi) return false;
  return present(b, o.together ?? spec[1], o.opt);
}

/** All units that could fail in this boot. */
export function failCandidates(b: Omit<BootContext, "failing">): string[] {
  const out: string[] = [];
  for (const step of data.units.main as Step[]) {
    for (const spec of step.batch ?? []) {
      if (spec[4]?.fail && applies(b as BootContext, spec)) out.push(spec[1]);
    }
  }
  return out;
}

/** Verbs of the start and end line of a unit kind. */
const VERBS: Record<string, [string, string]> = {
  service: ["Starting", "Started"],
  oneshot: ["Starting", "Finished"],
  mount: ["Mounting", "Mounted"],
};

/** Runs the steps of one phase (`initrd` or `main`). */
export function runPhase(b: BootContext, phase: "initrd" | "main"): void {
  const { tl, rng } = b;
  for (const step of data.units[phase] as Step[]) {
    if (step.ok) {
      const [verb, unit, desc] = step.ok as [string, string, string];
      if (present(b, unit, step.opt)) tl.status("OK", verb, unit, desc, rng.int(100, 2500));
    } else if (step.batch) {
      batch(b, step.batch.filter((s) => applies(b, s)));
      for (const t of step.then ?? []) {
        const cond = t[3] as { net?: string } | undefined;
        if (cond?.net && cond.net !== b.m.network) continue;
        tl.status("OK", t[0] as string, t[1] as string, t[2] as string, rng.int(50, 1500));
      }
    } else if (step.hook) {
      hook(b, step.hook);
    }
  }
}

/** A line of a batch placed on the clock. */
interface Placed {
  t: number;
  order: number;
  emit: () => void;
}

/**
 * Starts units in parallel: the `Starting` lines come out together, each unit
 * then finishes after its own (random) time, so completions interleave.
 */
function batch(b: BootContext, specs: UnitSpec[]): void {
  const { tl, rng } = b;
  const t0 = tl.now;
  const ends = new Map<string, number>();
  const placed: Placed[] = [];
  let stagger = t0;
  for (const [i, spec] of specs.entries()) {
    const [kind, unit, desc, ms, opts = {}] = spec;
    stagger += rng.int(80, 1500);
    const start = opts.after && ends.has(opts.after)
      ? (ends.get(opts.after) as number) + rng.int(200, 900)
      : stagger;
    const end = start + rng.logNormal(ms, 0.5) * 1000 * b.pace;
    ends.set(unit, end);
    const [startVerb, doneVerb] = VERBS[kind] ?? ["Starting", "Started"];
    const failed = b.failing === unit;
    placed.push({
      t: start,
      order: i * 2,
      emit: () => tl.status(undefined, startVerb, unit, desc),
    });
    if (opts.hook === "zram") {
      placed.push({ t: start + 300, order: i * 2, emit: () => tl.k("zram: Added device: zram0") });
      const sectors = Math.min(b.m.ramGiB, 16) * 2 * 1024 * 1024 / 2;
      placed.push({
        t: end - 200,
        order: i * 2,
        emit: () => tl.k(`zram0: detected capacity change from 0 to ${sectors}`),
      });
    }
    if (opts.hook === "remount") {
      placed.push({
        t: end - 300,
        order: i * 2,
        emit: () => tl.k(remountLine(b.m)),
      });
    }
    placed.push({
      t: end,
      order: i * 2 + 1,
      emit: () => {
        if (failed) {
          tl.status("FAILED", "Failed to start", unit, desc);
          tl.plain(`See 'systemctl status ${unit}' for details.`);
        } else {
          tl.status("OK", doneVerb, unit, desc);
          if (kind === "service" && rng.chance(0.3)) audit(b, unit, 1130, rng.int(200, 3000));
        }
      },
    });
  }
  placed.sort((x, y) => x.t - y.t || x.order - y.order);
  for (const p of placed) {
    tl.now = Math.max(tl.now, Math.round(p.t));
    p.emit();
  }
}

/** A kernel audit record for a unit state change. */
function audit(b: BootContext, unit: string, type: number, gap: number): void {
  b.tl.advance(gap);
  const at = b.epochSeconds + b.tl.now / 1e6;
  const name = unit.replace(/\.service$/, "").replace(/@/, "\\x40");
  b.tl.k(
    `audit: type=${type} audit(${at.toFixed(3)}:${b
      .auditSerial++}): pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='unit=${name} comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success'`,
  );
}

/** Steps that are more than unit lines. */
function hook(b: BootContext, name: string): void {
  const { tl, m, rng } = b;
  const gap = (lo: number, hi: number) => rng.int(lo, hi);
  switch (name) {
    case "initrd-start": {
      tl.k(
        `systemd[1]: systemd ${m.systemd} running in system mode (${features(m.systemd)})`,
        gap(40_000, 160_000),
      );
      tl.k("systemd[1]: Detected architecture x86-64.", gap(30, 400));
      tl.k("systemd[1]: Running in initrd.", gap(10, 200));
      tl.k(
        "systemd[1]: Queued start job for default target Initrd Default Target.",
        gap(20_000, 90_000),
      );
      break;
    }
    case "initrd-drivers": {
      tl.ks(nvmeLines(m), () => gap(200, 6000));
      tl.ks(xhciLines(m), () => gap(50, 3000));
      tl.ks(gpuLines(m, rng), () => gap(2000, m.gpu.driver === "nvidia" ? 250_000 : 90_000));
      for (const [i, dev] of m.inputs.entries()) {
        tl.advance(gap(150_000, 450_000) * b.pace);
        tl.ks(usbDeviceLines(m, i, dev), () => gap(300, 12_000));
      }
      break;
    }
    case "root-device": {
      const uuid = escapeUnit(m.rootUuid);
      tl.status(
        "OK",
        "Found device",
        `dev-disk-by\\x2duuid-${uuid}.device`,
        `${m.nvme.model} Linux\\x20filesystem`,
        gap(20_000, 200_000),
      );
      tl.status(
        "OK",
        "Reached target",
        "initrd-root-device.target",
        "Initrd Root Device",
        gap(100, 2000),
      );
      if (m.fs === "ext4") {
        batch(b, [[
          "oneshot",
          "systemd-fsck-root.service",
          `File System Check on /dev/disk/by-uuid/${m.rootUuid}`,
          90,
        ]]);
      }
      break;
    }
    case "root-mount": {
      tl.status(undefined, "Mounting", "sysroot.mount", "/sysroot", gap(500, 5000));
      tl.ks(rootMountLines(m, rng), () => gap(300, 20_000));
      tl.status("OK", "Mounted", "sysroot.mount", "/sysroot", gap(1000, 8000));
      break;
    }
    case "switch-root": {
      tl.status(
        undefined,
        "Starting",
        "initrd-switch-root.service",
        "Switch Root",
        gap(2000, 20_000),
      );
      tl.k(
        `systemd-journald[${rng.int(180, 260)}]: Received SIGTERM from PID 1 (systemd).`,
        gap(20_000, 90_000),
      );
      tl.k(
        `systemd[1]: systemd ${m.systemd} running in system mode (${features(m.systemd)})`,
        gap(150_000, 400_000),
      );
      b.systemdStart = tl.now;
      tl.k("systemd[1]: Detected architecture x86-64.", gap(30, 400));
      break;
    }
    case "welcome": {
      tl.plain("", gap(500, 3000));
      tl.plain("Welcome to Arch Linux!", 0, true);
      tl.plain("");
      tl.k(`systemd[1]: Hostname set to <${m.hostname}>.`, gap(2000, 15_000));
      tl.k("systemd[1]: bpf-restrict-fs: LSM BPF program attached", gap(50_000, 200_000));
      tl.k(
        "systemd[1]: Queued start job for default target Multi-User System.",
        gap(20_000, 120_000),
      );
      break;
    }
    case "late-drivers": {
      for (const g of lateDriverGroups(m, rng)) {
        tl.advance(gap(10_000, 180_000) * b.pace);
        tl.ks(g, () => gap(100, 9000));
      }
      break;
    }
    case "zram-swap": {
      const kib = Math.min(m.ramGiB, 16) * 1024 * 1024 / 2 - 4;
      tl.status("OK", "Found device", "dev-zram0.device", "/dev/zram0", gap(1000, 20_000));
      tl.status(
        undefined,
        "Activating swap",
        "dev-zram0.swap",
        "Compressed Swap on /dev/zram0",
        gap(200, 3000),
      );
      tl.k(
        `Adding ${kib}k swap on /dev/zram0.  Priority:100 extents:1 across:${kib}k SSDsc`,
        gap(1000, 12_000),
      );
      tl.status(
        "OK",
        "Activated swap",
        "dev-zram0.swap",
        "Compressed Swap on /dev/zram0",
        gap(200, 3000),
      );
      tl.status("OK", "Reached target", "swap.target", "Swaps", gap(100, 1500));
      break;
    }
    case "esp": {
      espAndData(b);
      break;
    }
    case "link-up": {
      const line = linkUpLine(m);
      if (line) tl.k(line, gap(600_000, 2_800_000) * b.pace);
      break;
    }
    case "getty": {
      tl.plain("", gap(100_000, 600_000));
      tl.plain(`Arch Linux ${m.kernel.version} (tty1)`);
      tl.plain("");
      tl.plain(`${m.hostname} login: `);
      break;
    }
  }
}

/** The EFI system partition (maybe slow to appear) and, rarely, a data disk that never does. */
function espAndData(b: BootContext): void {
  const { tl, m, rng } = b;
  const esp = escapeUnit(m.espUuid);
  const espPath = `/dev/disk/by-uuid/${m.espUuid}`;
  if (b.waitForDevice === "slow") {
    // systemd starts animating after 2 s without progress on a job.
    tl.now = Math.max(tl.now, b.systemdStart + 2_000_000);
    tl.spinner(espPath, "1min 30s", b.systemdStart, rng.int(3_000_000, 22_000_000));
  } else {
    tl.advance(rng.int(5000, 120_000));
  }
  tl.status(
    "OK",
    "Found device",
    `dev-disk-by\\x2duuid-${esp}.device`,
    `${m.nvme.model} EFI\\x20system\\x20partition`,
  );
  batch(b, [[
    "oneshot",
    `systemd-fsck@dev-disk-by\\x2duuid-${esp}.service`,
    `File System Check on ${espPath}`,
    60,
  ]]);
  tl.status(undefined, "Mounting", "boot.mount", "/boot", rng.int(300, 3000));
  tl.status("OK", "Mounted", "boot.mount", "/boot", rng.int(3000, 25_000));
  if (b.waitForDevice === "timeout") {
    const limit = 15_000_000;
    const queued = b.systemdStart;
    tl.now = Math.max(tl.now, queued + 2_000_000);
    tl.spinner(
      "/dev/disk/by-label/data",
      "15s",
      queued,
      Math.max(1_000_000, queued + limit - tl.now),
    );
    tl.status(
      "TIME",
      "Timed out waiting for device",
      "dev-disk-by\\x2dlabel-data.device",
      "/dev/disk/by-label/data",
    );
    tl.status(
      "DEPEND",
      "Dependency failed for",
      "systemd-fsck@dev-disk-by\\x2dlabel-data.service",
      "File System Check on /dev/disk/by-label/data",
      rng.int(100, 900),
    );
    tl.status("DEPEND", "Dependency failed for", "mnt-data.mount", "/mnt/data", rng.int(100, 900));
  }
}
