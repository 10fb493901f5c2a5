/**
 * apt format tests: the apt 3 summary counts are the listed packages, every
 * `Get:` line is a listed package at its new version and real size, the
 * download size and the Fetched line are the sum of those sizes, the fetch rate
 * is that over the time shown, dpkg unpacks and sets up each package once
 * (numbered archives, Multi-Arch names, old → new versions), a held package
 * never moves, and terminal and pipe differ as apt does.
 */

import assert from "node:assert/strict";
import data from "../data/apt.json" with { type: "json" };
import { apt, aptSize, aptTime, columns } from "../modules/apt.ts";
import { stripAnsi } from "../core/ansi.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);
const PACKAGES = new Map(
  [...data.base, ...data.profiles.server, ...data.profiles.desktop].map((p) => [p.name, p]),
);

/** Parses apt's size text back to bytes (and the unit's rounding step). */
function size(text: string): { n: number; step: number } {
  const m = text.match(/^([\d,.]+) (k|M|G)?B$/);
  assert.ok(m, `bad size ${text}`);
  const unit = { k: 1e3, M: 1e6, G: 1e9 }[m[2] as "k"] ?? 1;
  const value = Number(m[1]!.replaceAll(",", ""));
  return { n: value * unit, step: (m[1]!.includes(".") ? 0.1 : 1) * unit };
}

Deno.test("apt: SizeToStr, TimeToStr and columns as apt prints them", () => {
  assert.equal(aptSize(5412), "5,412 B");
  assert.equal(aptSize(73_012), "73.0 kB");
  assert.equal(aptSize(2_848_412), "2,848 kB");
  assert.equal(aptSize(101_312_544), "101 MB");
  assert.equal(aptSize(85_200_000), "85.2 MB");
  assert.equal(aptTime(4.2), "4s");
  assert.equal(aptTime(72), "1min 12s");
  const names = ["base-files", "libc6", "libc-bin", "openssl", "systemd", "udev", "sudo"];
  const lines = columns(names, 40);
  assert.ok(lines.every((l) => l.length <= 40 && l.startsWith("  ")));
  assert.deepEqual(lines.join(" ").split(/\s+/).filter(Boolean).sort(), [...names].sort());
});

Deno.test("apt: summary, downloads and dpkg agree over many seeds", async () => {
  let held = 0;
  let kernels = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(apt, { seed, cols: 100 });
    const text = run.output;
    const lines = text.split("\n");
    const block = (title: string) => {
      const at = lines.indexOf(title);
      if (at < 0) return [];
      const out: string[] = [];
      for (const l of lines.slice(at + 1)) {
        if (l === "") break;
        out.push(...l.trim().split(/\s+/));
      }
      return out;
    };
    const upgrading = block("Upgrading:");
    const installing = block("Installing:");
    const notUpgrading = block("Not upgrading:");
    const summary = text.match(
      /^ {2}Upgrading: (\d+), Installing: (\d+), Removing: 0, Not Upgrading: (\d+)$/m,
    );
    assert.ok(summary, `seed ${seed}: no summary`);
    assert.equal(Number(summary[1]), upgrading.length, `seed ${seed}: Upgrading`);
    assert.equal(Number(summary[2]), installing.length, `seed ${seed}: Installing`);
    assert.equal(Number(summary[3]), notUpgrading.length, `seed ${seed}: Not Upgrading`);
    const can = Number(text.match(/^(\d+) packages can be upgraded\./m)?.[1]);
    assert.equal(can, upgrading.length + notUpgrading.length, `seed ${seed}: can be upgraded`);
    if (notUpgrading.length > 0) held++;
    if (installing.length > 0) kernels++;

    // Get lines of the upgrade: each listed package once, at its new version and real size.
    const upgradeText = text.slice(text.indexOf("Summary:"));
    const gets = [
      ...upgradeText.matchAll(/^Get:(\d+) \S+ \S+ amd64 (\S+) (amd64|all) (\S+) \[(.+)\]$/gm),
    ];
    assert.deepEqual(
      gets.map((g) => Number(g[1])),
      gets.map((_, k) => k + 1),
      `seed ${seed}: Get numbering`,
    );
    assert.deepEqual(
      gets.map((g) => g[2]).sort(),
      [...upgrading, ...installing].sort(),
      `seed ${seed}: Get lines vs lists`,
    );
    let bytes = 0;
    for (const g of gets) {
      const p = PACKAGES.get(g[2]!);
      const real = p?.size ??
        (g[2] === "linux-image-amd64" ? data.kernel.metaSize : data.kernel.imageSize);
      bytes += real;
      assert.equal(g[5], aptSize(real), `seed ${seed}: size of ${g[2]}`);
      if (p) {
        assert.equal(g[4], p.new, `seed ${seed}: version of ${g[2]}`);
        assert.equal(g[3], "arch" in p ? p.arch : "amd64", `seed ${seed}: arch of ${g[2]}`);
      }
    }
    assert.ok(text.includes(`  Download size: ${aptSize(bytes)}\n`), `seed ${seed}: download size`);
    for (const f of text.matchAll(/^Fetched (.+) in (\d+)s \((.+)\/s\)$/gm)) {
      const got = size(f[1]!);
      const rate = size(f[3]!);
      const seconds = got.n / rate.n;
      assert.ok(Math.abs(seconds - Number(f[2])) <= 1.05 + seconds * 0.02, `seed ${seed}: ${f[0]}`);
    }
    assert.ok(upgradeText.includes(`Fetched ${aptSize(bytes)} in `), `seed ${seed}: Fetched size`);

    // dpkg: unpacked and set up once each, numbered per run, old → new.
    for (const name of [...upgrading, ...installing]) {
      const p = PACKAGES.get(name);
      const q = p && "ma" in p && p.ma ? `${name}:amd64` : name;
      const unpack = lines.filter((l) => l.startsWith(`Unpacking ${q} (`));
      const setup = lines.filter((l) => l.startsWith(`Setting up ${q} (`));
      assert.equal(unpack.length, 1, `seed ${seed}: ${q} unpacked ${unpack.length} times`);
      assert.equal(setup.length, 1, `seed ${seed}: ${q} set up ${setup.length} times`);
      if (p) assert.equal(unpack[0], `Unpacking ${q} (${p.new}) over (${p.old}) ...`);
    }
    for (const name of notUpgrading) {
      assert.ok(!text.includes(` ${name} (`), `seed ${seed}: held ${name} moved`);
    }
    const runs = text.split("(Reading database ... ").slice(1);
    for (const r of runs) {
      const numbers = [...r.matchAll(/^Preparing to unpack \.\.\/(\d\d)-/gm)].map((m) =>
        Number(m[1])
      );
      if (numbers.length > 0) {
        assert.deepEqual(
          numbers,
          numbers.map((_, k) => k),
          `seed ${seed}: archive numbers`,
        );
      }
    }
    assert.equal(text.match(/^WARNING: apt does not have a stable CLI interface/gm)?.length, 2);
    assert.ok(text.includes("$ sudo apt full-upgrade -y\n") && !text.includes("Continue? [Y/n]"));
  }
  assert.ok(held > 0 && held < SEEDS.length / 3, `${held} runs with a held package`);
  assert.ok(kernels > 0 && kernels < SEEDS.length, `${kernels} runs with a kernel`);
});

Deno.test("apt: on a terminal, a prompt, the status line and the Progress bar that only grows", async () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const run = await captureModule(apt, { seed, cols: 100, rows: 30, tty: true });
    const text = stripAnsi(run.output);
    assert.ok(text.includes("Continue? [Y/n] y"), `seed ${seed}: no prompt`);
    assert.ok(
      !text.includes("WARNING: apt does not have"),
      `seed ${seed}: CLI warning on a terminal`,
    );
    let last = -1;
    for (const f of run.live) {
      const m = f.lines[0]
        ? stripAnsi(f.lines[0]).match(/^Progress: \[ *(\d+)%\] \[(#*)(\.*)\]$/)
        : null;
      if (!m) continue;
      assert.ok(Number(m[1]) >= last, `seed ${seed}: progress went back`);
      last = Number(m[1]);
    }
    assert.equal(last, 100, `seed ${seed}: progress never reached 100%`);
    assert.ok(run.live.some((f) => / \[\d+ \S+ .+\/.+ \d+%\] +.+\/s \d/.test(f.lines[0] ?? "")));
  }
});

Deno.test("apt snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(apt, { seed: 1, cols: 80 })).output);
});
