/**
 * bootlog: a Linux boot on an Arch Linux machine in 2026, seen one of two ways
 * (drawn per run and kept to): on the VT console (kernel lines uncoloured at
 * the console log level, systemd status lines, the getty), or through
 * `dmesg -w` (the kernel ring buffer only, in dmesg's colours, with systemd's
 * own log lines while no journald is there to take them). The kernel ring buffer with
 * `[    0.000000]` stamps through its real phases (version banner, e820 map,
 * ACPI, CPU bring-up, memory, PCI, subsystems, initramfs drivers), systemd in
 * the initrd and then in the real root with `[  OK  ]` lines in unit-name
 * format (ellipsized in the middle to the width, as systemd does), a rare
 * `[FAILED]` or `[DEPEND]`, an occasional animated start job, and the getty
 * login prompt. The machine (CPU, board, memory, NVMe, GPU, NIC) is drawn per
 * run. Stamps are the pretend time since the module started: the module sleeps
 * exactly the gaps between them.
 *
 * @module
 */

import type { Context, Module } from "../../core/types.ts";
import { type Machine, pickMachine } from "./hardware.ts";
import { earlyKernel } from "./kernel.ts";
import { type BootContext, failCandidates, runPhase } from "./systemd.ts";
import {
  type BootEvent,
  cylon,
  ellipsize,
  renderStatus,
  stamp,
  Timeline,
  timespan,
} from "./timeline.ts";

/** systemd redraws the start-job line three times a second. */
const SPINNER_FRAME_US = 333_333;

/**
 * What a view shows of the boot. The console shows everything. `dmesg` shows
 * kernel lines only, systemd's status lines becoming its `systemd[1]:` log
 * lines while no journald runs (from the start, and again from the switch to
 * the real root, until journald starts); the banner, spinner and getty are
 * console-only.
 */
export function view(events: BootEvent[], mode: Machine["view"]): BootEvent[] {
  if (mode === "console") return events;
  const out: BootEvent[] = [];
  let toKmsg = true;
  for (const e of events) {
    if (e.kind === "kernel") {
      if (/^systemd\[1\]: systemd \S+ running in system mode/.test(e.text)) toKmsg = true;
      out.push(e);
    } else if (e.kind === "status") {
      if (toKmsg) out.push({ t: e.t, kind: "kernel", text: `systemd[1]: ${e.text}` });
      if (/^Started systemd-journald\.service /.test(e.text)) toKmsg = false;
    }
  }
  return out;
}

/** Builds the whole boot, up front: the machine and what happens when. */
export function planBoot(
  ctx: Pick<Context, "rng">,
  epochSeconds: number,
): { m: Machine; events: BootEvent[] } {
  const { rng } = ctx;
  const m = pickMachine(rng);
  const tl = new Timeline();
  const roll = rng.next();
  const b: Omit<BootContext, "failing"> & { failing?: string } = {
    tl,
    m,
    rng,
    epochSeconds,
    waitForDevice: roll < 0.07 ? "timeout" : roll < 0.3 ? "slow" : "none",
    present: new Map(),
    systemdStart: 0,
    auditSerial: 2,
    pace: Math.min(4, rng.logNormal(1.5, 0.4)),
  };
  const candidates = failCandidates(b);
  const boot: BootContext = {
    ...b,
    failing: candidates.length > 0 && rng.chance(0.12) ? rng.pick(candidates) : undefined,
  };
  earlyKernel(tl, m, rng, { epochSeconds });
  runPhase(boot, "initrd");
  runPhase(boot, "main");
  return { m, events: tl.events };
}

/** The `bootlog` module. */
export const bootlog: Module = {
  name: "bootlog",
  signature: "dmesg -w",
  about: "Boot Linux: kernel ring buffer, systemd units and a login prompt",
  maxDurationMs: 90_000,
  async run(ctx: Context): Promise<void> {
    const { out, style } = ctx;
    const utc = ctx.clock.wall().getTime() - ctx.clock.utcOffsetMinutes * 60_000;
    const { m, events } = planBoot(ctx, Math.floor(utc / 1000));
    let now = 0;
    const wait = async (t: number) => {
      if (t > now) await ctx.sleep((t - now) / 1000);
      now = Math.max(now, t);
    };
    for (const e of view(events, m.view)) {
      await wait(e.t);
      switch (e.kind) {
        case "kernel":
          out.line(
            m.view === "dmesg"
              ? `${style.green(stamp(e.t))} ${kernelText(style, expandTabs(e.text, 15))}`
              : `${stamp(e.t)} ${expandTabs(e.text, 15)}`,
          );
          break;
        case "status":
          out.line(renderStatus(style, e.status, e.text, e.bold, ctx.term.cols));
          break;
        case "plain":
          out.line(e.color ? welcome(style, e.text) : e.text);
          break;
        case "spinner":
          for (let i = 0, t = e.t; t < e.until; i++, t += SPINNER_FRAME_US) {
            await wait(t);
            const text = `A start job is running for ${e.what} (${
              timespan((t - e.since) / 1e6)
            } / ${e.limit})`;
            const pos = i % 14 >= 8 ? 14 - (i % 14) : i % 14;
            out.live([
              `${cylon(style, pos)} ${ellipsize(text, Math.max(3, ctx.term.cols - 10)).text}`,
            ]);
          }
          await wait(e.until);
          out.live([]);
          break;
      }
    }
  },
};

/** Expands tabs to the next multiple of 8 columns, `start` being the column the text begins at. */
export function expandTabs(text: string, start: number): string {
  let out = "";
  for (const ch of text) {
    if (ch === "\t") out += " ".repeat(8 - ((start + out.length) % 8));
    else out += ch;
  }
  return out;
}

/** dmesg colours the subsystem prefix (`nvme nvme0:`) of a line. */
function kernelText(style: Context["style"], text: string): string {
  const m = text.match(/^([^\s:[\]]+(?: [^\s:[\]]+)?): /);
  return m ? style.yellow(m[1] as string) + text.slice((m[1] as string).length) : text;
}

/** `Welcome to Arch Linux!` with the distribution name in its os-release colour. */
function welcome(style: Context["style"], text: string): string {
  return text.replace("Arch Linux", style.rgb(23, 147, 209)("Arch Linux"));
}
