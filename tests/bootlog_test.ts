/**
 * Format checks for the bootlog module: dmesg stamps (format, monotonic, and
 * equal to the pretend time at which each line appears), the order of the
 * kernel phases, systemd status lines in unit-name format with systemd's
 * mid-line ellipsis, the start-job spinner, hardware figures that agree with
 * each other, and the login prompt at the end.
 */

import assert from "node:assert/strict";
import data from "../data/bootlog.json" with { type: "json" };
import { stripAnsi } from "../core/ansi.ts";
import { bootlog } from "../modules/bootlog/mod.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);
const STAMP = /^\[( {0,4}\d+)\.(\d{6})\] (.*)$/;
const STATUS = /^\[( {2}OK {2}|FAILED|DEPEND| TIME )\] (.+)$/;
const SPINNER = /^\[[ *]{6}\] A start job is running for /;
const JOB = /^ {9}(Starting|Mounting|Activating swap) (.+)\.\.\.$/;
const UNIT_TYPES = "service|target|mount|socket|slice|path|timer|automount|device|swap";
const DONE = new RegExp(
  `^(Started|Finished|Reached target|Mounted|Listening on|Created slice|Set up automount|Found device|Activated swap|Failed to start|Dependency failed for|Timed out waiting for device) (\\S+\\.(?:${UNIT_TYPES})) - (.+)\\.$`,
);

/** Whether a run shows the console (systemd status lines) rather than `dmesg -w`. */
function isConsole(output: string): boolean {
  return output.split("\n").some((l) => STATUS.test(l));
}

/** Kernel stamps (seconds) of the kernel lines in an output. */
function stamps(output: string): { t: number; text: string }[] {
  const out: { t: number; text: string }[] = [];
  for (const l of output.split("\n")) {
    const m = l.match(STAMP);
    if (m) out.push({ t: Number(`${(m[1] as string).trim()}.${m[2]}`), text: m[3] as string });
  }
  return out;
}

Deno.test("bootlog: dmesg stamps are 14 columns, right-aligned and monotonic; the phases come in order", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(bootlog, { seed, cols: 200 });
    const lines = run.output.replace(/\n$/, "").split("\n");
    const kernel = lines.filter((l) => l.startsWith("["));
    let prev = -1;
    for (const l of kernel) {
      if (STATUS.test(l) || SPINNER.test(l)) continue;
      const m = l.match(STAMP);
      assert.ok(m, `seed ${seed}: bad kernel line ${l}`);
      assert.equal(l.indexOf("]"), 13, `seed ${seed}: stamp width ${l}`);
      assert.ok(
        !/^ *0\d/.test(m[1] as string) || m[1]?.trim() === "0",
        `seed ${seed}: zero-padded seconds ${l}`,
      );
      const t = Number(`${(m[1] as string).trim()}.${m[2]}`);
      assert.ok(t >= prev, `seed ${seed}: time went back at ${l}`);
      prev = t;
    }
    const ks = stamps(run.output);
    assert.match(
      ks[0]?.text ?? "",
      /^Linux version \d+\.\d+\.\d+-arch\d+-1 \(linux@archlinux\) \(gcc \(GCC\) /,
    );
    assert.equal(ks[0]?.t, 0);
    const at = (re: RegExp) => {
      const i = ks.findIndex((k) => re.test(k.text));
      assert.ok(i >= 0, `seed ${seed}: missing ${re}`);
      return i;
    };
    const last = (re: RegExp) => {
      const i = ks.findLastIndex((k) => re.test(k.text));
      assert.ok(i > at(re), `seed ${seed}: ${re} only once`);
      return i;
    };
    const order = [
      at(/^Command line: /),
      at(/^BIOS-e820: \[mem 0x[0-9a-f]{16}-0x[0-9a-f]{16}\] (usable|reserved|ACPI data|ACPI NVS)$/),
      at(/^ACPI: RSDP /),
      at(/^Zone ranges:$/),
      at(/^smpboot: CPU0: /),
      at(/^Memory: \d+K\/\d+K available/),
      at(/^PCI host bridge to bus 0000:00$/),
      at(/^Run \/init as init process$/),
      at(/^systemd\[1\]: Running in initrd\.$/),
      at(
        /^(EXT4-fs \(nvme0n1p2\): mounted filesystem|BTRFS info \(device nvme0n1p2\): first mount)/,
      ),
      last(/^systemd\[1\]: systemd 25\d\.\d+-\d+-arch running in system mode \(\+PAM \+AUDIT/),
    ];
    for (let i = 1; i < order.length; i++) {
      assert.ok(
        (order[i] as number) > (order[i - 1] as number),
        `seed ${seed}: phase ${i} out of order`,
      );
    }
    assert.ok(ks.filter((k) => k.t === 0).length >= 20, `seed ${seed}: too few lines at 0.000000`);
    if (!isConsole(run.output)) {
      // dmesg shows the ring buffer only: every line is stamped, no banner, no getty.
      assert.ok(lines.every((l) => STAMP.test(l)), `seed ${seed}: an unstamped line in dmesg`);
      continue;
    }
    const n = lines.length;
    assert.match(lines[n - 3] as string, /^Arch Linux \d+\.\d+\.\d+-arch\d+-1 \(tty1\)$/);
    assert.equal(lines[n - 2], "");
    assert.match(lines[n - 1] as string, /^[\w-]+ login: $/);
    const version = ks[0]?.text.match(/^Linux version (\S+)/)?.[1];
    assert.equal(
      lines[n - 3],
      `Arch Linux ${version} (tty1)`,
      `seed ${seed}: getty shows another kernel`,
    );
  }
});

Deno.test("bootlog: each stamp is the pretend time at which its line appears", async () => {
  for (const seed of SEEDS.slice(0, 12)) {
    const full = stamps((await captureModule(bootlog, { seed, cols: 120 })).output);
    const end = full.at(-1)?.t as number;
    for (const cut of [0.3, 1.1, 2.7, end * 0.8]) {
      const run = await captureModule(bootlog, { seed, cols: 120, exitAfterMs: cut * 1000 });
      const part = stamps(run.output);
      assert.ok(part.length < full.length, `seed ${seed}: cut at ${cut}s printed everything`);
      for (const [i, k] of part.entries()) {
        assert.equal(k.text, full[i]?.text, `seed ${seed}: cut run differs`);
      }
      const last = part.at(-1)?.t ?? 0;
      const next = full[part.length]?.t as number;
      assert.ok(last <= cut + 0.01, `seed ${seed}: line stamped ${last}s printed before ${cut}s`);
      assert.ok(next >= cut - 0.01, `seed ${seed}: line stamped ${next}s not printed by ${cut}s`);
    }
  }
});

Deno.test("bootlog: systemd lines use the unit-name format; jobs start before they finish", async () => {
  let failed = 0;
  let depend = 0;
  for (let seed = 1; seed <= 120; seed++) {
    const run = await captureModule(bootlog, { seed, cols: 240 });
    if (!isConsole(run.output)) continue;
    const lines = run.output.split("\n");
    const started = new Set<string>();
    for (const [i, l] of lines.entries()) {
      const job = l.match(JOB);
      if (job) {
        const m = (job[2] as string).match(new RegExp(`^(\\S+\\.(?:${UNIT_TYPES})) - (.+)$`));
        assert.ok(m, `seed ${seed}: ${l}`);
        started.add(m[1] as string);
        continue;
      }
      const s = l.match(STATUS);
      if (!s) continue;
      const d = (s[2] as string).match(DONE);
      assert.ok(d, `seed ${seed}: ${l}`);
      const [, verb, unit] = d;
      const word = (s[1] as string).replace(/^ {2}OK {2}$/, "OK");
      if (
        verb === "Started" || verb === "Finished" || verb === "Mounted" ||
        verb === "Failed to start"
      ) {
        if (!/\.(timer|path)$/.test(unit as string)) {
          assert.ok(started.has(unit as string), `seed ${seed}: ${unit} ${verb} without Starting`);
        }
      }
      if (word === "FAILED") {
        failed++;
        assert.equal(verb, "Failed to start");
        assert.equal(lines[i + 1], `See 'systemctl status ${unit}' for details.`);
      } else if (word === "DEPEND") {
        depend++;
        assert.equal(verb, "Dependency failed for");
      } else if (word === " TIME ") {
        assert.equal(verb, "Timed out waiting for device");
        assert.match(lines[i + 1] as string, /^\[DEPEND\] /);
      } else {
        assert.ok(!/^(Failed|Dependency|Timed)/.test(verb as string), `seed ${seed}: ${l}`);
      }
    }
    const targets = lines.map((l) => l.match(/Reached target (\S+)/)?.[1]).filter(Boolean);
    assert.ok(targets.indexOf("sysinit.target") < targets.indexOf("basic.target"), `seed ${seed}`);
    assert.ok(
      targets.indexOf("basic.target") < targets.indexOf("multi-user.target"),
      `seed ${seed}`,
    );
  }
  assert.ok(failed > 0 && failed < 25, `FAILED in ${failed} of 120 boots`);
  assert.ok(depend > 0 && depend < 25, `DEPEND in ${depend} of 120 boots`);
});

Deno.test("bootlog: status lines are ellipsized in the middle to the console width", async () => {
  for (const seed of SEEDS.slice(0, 10)) {
    for (const cols of [40, 80]) {
      const wideRun = await captureModule(bootlog, { seed, cols: 400 });
      if (!isConsole(wideRun.output)) continue;
      const wide = wideRun.output.split("\n");
      const narrow = (await captureModule(bootlog, { seed, cols })).output.split("\n");
      assert.equal(narrow.length, wide.length);
      let cut = 0;
      for (const [i, w] of wide.entries()) {
        const n = narrow[i] as string;
        if (SPINNER.test(w)) continue;
        if (!STATUS.test(w) && !JOB.test(w)) {
          assert.equal(n, w, `seed ${seed}: non-status line changed`);
          continue;
        }
        const body = w.slice(9);
        const max = cols - 10;
        if (body.length <= max) {
          assert.equal(n, w);
          continue;
        }
        cut++;
        assert.equal([...n].length, cols - 1, `seed ${seed}: ${n}`);
        const kept = n.slice(9).split("…");
        assert.equal(kept.length, 2, `seed ${seed}: ${n}`);
        const [head, tail] = kept as [string, string];
        assert.ok(
          body.startsWith(head) && body.endsWith(tail),
          `seed ${seed}: ${n} is not a cut of ${w}`,
        );
        assert.ok(
          Math.abs(head.length - tail.length) <= 1,
          `seed ${seed}: not cut in the middle: ${n}`,
        );
      }
      assert.ok(cut > 10, `seed ${seed} at ${cols}: only ${cut} lines ellipsized`);
    }
  }
});

Deno.test("bootlog: the start-job spinner counts up to its limit", async () => {
  let spinners = 0;
  let timeouts = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const run = await captureModule(bootlog, { seed, cols: 120, tty: true });
    const text = stripAnsi(run.output);
    const frames = [
      ...text.matchAll(/\[[ *]{6}\] A start job is running for (\S+) \((.+?) \/ (.+?)\)/g),
    ];
    if (frames.length === 0) continue;
    spinners++;
    let prev = 0;
    for (const f of frames) {
      const secs = (f[2] as string).match(/^(?:(\d+)min ?)?(?:(\d+)s)?$/);
      assert.ok(secs, `seed ${seed}: ${f[0]}`);
      const s = Number(secs[1] ?? 0) * 60 + Number(secs[2] ?? 0);
      const limit = f[3] === "15s" ? 15 : 90;
      assert.ok(f[3] === "15s" || f[3] === "1min 30s", `seed ${seed}: limit ${f[3]}`);
      assert.ok(s >= prev && s <= limit, `seed ${seed}: ${f[0]}`);
      prev = s;
    }
    if (text.includes("[ TIME ] Timed out waiting for device")) {
      timeouts++;
      assert.ok(prev >= 14, `seed ${seed}: timed out after ${prev}s of a 15s limit`);
    }
  }
  assert.ok(spinners >= 3 && spinners <= 30, `${spinners} spinners in 80 boots`);
  assert.ok(timeouts >= 1, "no device timeout in 80 boots");
});

Deno.test("bootlog: hardware figures agree with each other and with the data", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(bootlog, { seed, cols: 200 });
    const ks = stamps(run.output).map((k) => k.text);
    const model = ks.find((t) => t.startsWith("smpboot: CPU0: "))?.match(
      /^smpboot: CPU0: (.+) \(family/,
    )?.[1];
    const cpu = data.cpus.find((c) => c.model === model);
    assert.ok(cpu, `seed ${seed}: unknown CPU ${model}`);
    const total = ks.find((t) => t.startsWith("smpboot: Total of "))?.match(
      /Total of (\d+) processors/,
    )?.[1];
    assert.equal(Number(total), cpu.threads, `seed ${seed}: processors`);
    const booted = ks.filter((t) =>
      /^(\.\.\.\. node {2}#0, CPUs:|\s+#\d)/.test(t)
    ).join(" ").match(/#\d+/g) ?? [];
    // "node  #0" plus one "#n" per secondary CPU.
    assert.equal(booted.length, cpu.threads, `seed ${seed}: secondary CPUs listed`);
    const dmi = ks.find((t) => t.startsWith("DMI: ") && !t.includes("slots"))?.slice(5);
    const board = data.boards.find((b) => b.dmi === dmi);
    assert.ok(
      board && board.platform === cpu.platform && board.socket === cpu.socket,
      `seed ${seed}: ${dmi} with ${model}`,
    );
    // HZ=300: lpj is the TSC rate over HZ, and BogoMIPS = lpj × HZ / 500000.
    const cal = ks.find((t) => t.startsWith("Calibrating delay loop"))!.match(
      /\.\. ([\d.]+) BogoMIPS \(lpj=(\d+)\)$/,
    )!;
    assert.ok(ks.some((t) => t.includes("scheduler-enlistment delay is 30 jiffies")));
    assert.equal(Number(cal[2]), Math.round((cpu.mhz * 1e6) / 300), `seed ${seed}: lpj`);
    assert.equal(((Number(cal[2]) * 300) / 500000).toFixed(2), cal[1], `seed ${seed}: BogoMIPS`);
    // The RSDP is EFI's `ACPI 2.0=` pointer; fixed-size tables have their spec sizes.
    const efi = ks.find((t) => t.startsWith("efi: ACPI="))!.match(
      /ACPI=0x(\w+) ACPI 2\.0=0x(\w+)/,
    )!;
    const rsdp = ks.find((t) => t.startsWith("ACPI: RSDP "))!.match(/0x0*(\w+)/)![1]!;
    assert.equal(rsdp.toLowerCase(), efi[2], `seed ${seed}: RSDP vs efi`);
    assert.equal(parseInt(efi[2]!, 16) - parseInt(efi[1]!, 16), 0x14);
    const tables = ks.filter((t) => /^ACPI: [A-Z0-9]{4} 0x/.test(t)).map((t) => t.split(/ +/));
    const SIZES: Record<string, string> = {
      FACP: "000114",
      HPET: "000038",
      MCFG: "00003C",
      BGRT: "000038",
      WSMT: "000028",
      FACS: "000040",
    };
    for (const [, name, , len] of tables) {
      if (SIZES[name!]) assert.equal(len, SIZES[name!], `seed ${seed}: ${name} length`);
    }
    const xsdt = tables.find((t) => t[1] === "XSDT")!;
    // One 8-byte pointer per table but the RSDP, the XSDT itself, FACS and DSDT.
    assert.equal(parseInt(xsdt[3]!, 16), 0x24 + 8 * (tables.length - 4), `seed ${seed}: XSDT`);
    const amdSsdt = tables.some((t) => t[1] === "SSDT" && /^(AMD|Amd|CPMD)/.test(t[5] ?? ""));
    if (cpu.vendor !== "amd") assert.ok(!amdSsdt, `seed ${seed}: AMD SSDT on Intel`);
    // The command line agrees with what is shown.
    const cmdline = ks.find((t) => t.startsWith("Command line: "))!;
    const nmi = ks.some((t) => t.startsWith("NMI watchdog: Enabled"));
    assert.equal(nmi, !cmdline.includes(" nowatchdog"), `seed ${seed}: NMI vs ${cmdline}`);
    if (isConsole(run.output)) {
      assert.ok(!/ (quiet|loglevel=)/.test(cmdline), `seed ${seed}: console boot with ${cmdline}`);
    }
    const sd = ks.find((t) => / running in system mode /.test(t))!;
    assert.equal(
      sd.includes("+APPARMOR"),
      /systemd 258\./.test(sd),
      `seed ${seed}: AppArmor flag vs version`,
    );
    const mem = ks.find((t) => t.startsWith("Memory: "))?.match(
      /^Memory: (\d+)K\/(\d+)K available/,
    );
    assert.ok(mem && Number(mem[1]) < Number(mem[2]), `seed ${seed}: memory line`);
    const gib = Number(mem[2]) / 1024 / 1024;
    assert.ok(
      [16, 32, 64, 96, 128].some((r) => gib > r * 0.93 && gib <= r),
      `seed ${seed}: ${gib} GiB`,
    );
    const tsc = ks.find((t) => t.startsWith("tsc: Detected"))?.match(/([\d.]+) MHz/)?.[1];
    assert.equal(Number(tsc), cpu.mhz, `seed ${seed}: TSC`);
    const initrd = ks.find((t) => t.startsWith("RAMDISK: "))?.match(
      /\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]/,
    );
    const freed = ks.find((t) => t.startsWith("Freeing initrd memory: "))?.match(/(\d+)K/)?.[1];
    assert.ok(initrd && freed, `seed ${seed}: initrd lines`);
    assert.equal(
      (Number(initrd[2]) - Number(initrd[1]) + 1) / 1024,
      Number(freed),
      `seed ${seed}: initrd size`,
    );
  }
});

Deno.test("bootlog: one view per run: dmesg colours and kmsg-only lines, or the plain console", async () => {
  let consoles = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const run = await captureModule(bootlog, { seed, cols: 200, color: true });
    const plain = stripAnsi(run.output);
    const lines = plain.split("\n");
    if (isConsole(plain)) {
      consoles++;
      // The console never colours kernel lines the way dmesg does.
      const coloured = run.output.split("\n").some((l) => l.startsWith("\x1b[32m[ "));
      assert.ok(!coloured, `seed ${seed}: dmesg colours on the console`);
      assert.ok(lines.some((l) => /^Welcome to /.test(l)), `seed ${seed}`);
      continue;
    }
    assert.ok(!plain.includes("Welcome to "), `seed ${seed}: console banner in dmesg`);
    assert.ok(!/ login: $/m.test(plain), `seed ${seed}: getty in dmesg`);
    // systemd logs to kmsg only while no journald runs.
    let journald = false;
    for (const l of lines) {
      const text = l.replace(STAMP, "$3");
      if (/^systemd\[1\]: systemd \S+ running in system mode/.test(text)) journald = false;
      else if (/^systemd\[1\]: (Started|Finished|Reached target|Starting|Mounted) /.test(text)) {
        assert.ok(!journald, `seed ${seed}: ${text} after journald started`);
        assert.match(text.slice(12), new RegExp(`\\S+\\.(${UNIT_TYPES}) - `), `seed ${seed}`);
      }
      if (/^systemd\[1\]: Started systemd-journald\.service /.test(text)) journald = true;
    }
  }
  assert.ok(consoles > 8 && consoles < 32, `${consoles} console boots of 40`);
});

Deno.test("bootlog: snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(bootlog, { seed: 1, cols: 80 })).output);
});
