/**
 * Format tests for `mkinitcpio`: every preset builds default then fallback,
 * the option line matches the image written, hooks agree between the two
 * builds (minus autodetect), and the lines carry mkinitcpio's colours.
 */

import assert from "node:assert/strict";
import { mkinitcpio } from "../modules/mkinitcpio.ts";
import { stripAnsi } from "../core/ansi.ts";
import { captureModule } from "./harness.ts";

interface Build {
  preset: string;
  name: string;
  lines: string[];
}

function builds(output: string): Build[] {
  const out: Build[] = [];
  for (const line of output.trimEnd().split("\n")) {
    const m = line.match(
      /^==> Building image from preset: \/etc\/mkinitcpio\.d\/(.+)\.preset: '(\w+)'$/,
    );
    if (m) out.push({ preset: m[1]!, name: m[2]!, lines: [] });
    else {
      assert.ok(out.length > 0, `line before the first preset: ${line}`);
      out.at(-1)!.lines.push(line);
    }
  }
  return out;
}

Deno.test("mkinitcpio builds default then fallback for each preset, consistently", async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const list = builds((await captureModule(mkinitcpio, { seed })).output);
    assert.ok(list.length >= 2 && list.length % 2 === 0);
    const presets = list.filter((_, i) => i % 2 === 0).map((b) => b.preset);
    assert.equal(new Set(presets).size, presets.length, "each preset once");
    for (let i = 0; i < list.length; i += 2) {
      const [def, fb] = [list[i]!, list[i + 1]!];
      assert.equal(def.name, "default");
      assert.equal(fb.name, "fallback");
      assert.equal(fb.preset, def.preset);
      for (const b of [def, fb]) {
        const image = `/boot/initramfs-${b.preset}${b.name === "fallback" ? "-fallback" : ""}.img`;
        assert.equal(b.lines[0], "==> Using default configuration file: '/etc/mkinitcpio.conf'");
        const opt = b.lines.find((l) => l.startsWith("  -> -k "));
        const expected = `  -> -k /boot/vmlinuz-${b.preset} -g ${image}` +
          (b.name === "fallback" ? " -S autodetect" : "");
        assert.equal(opt, expected);
        const start = b.lines.filter((l) =>
          /^==> Starting build: '\d+\.\d+\.\d+-[\w.-]+'$/.test(l)
        );
        assert.equal(start.length, 1, "one Starting build line with a kernel version");
        const creating = b.lines.find((l) => l.includes("-compressed initcpio image"));
        assert.match(
          creating ?? "",
          new RegExp(`^==> Creating (zstd|xz|lz4|gzip)-compressed initcpio image: '${image}'$`),
        );
        assert.equal(b.lines.at(-1), "==> Initcpio image generation successful");
        const early = b.lines.includes("  -> Early uncompressed CPIO image generation successful");
        assert.equal(early, b.lines.includes("  -> Running build hook: [microcode]"));
      }
      const hooks = (b: Build) =>
        b.lines.flatMap((l) => l.match(/^ {2}-> Running build hook: \[([\w-]+)\]$/)?.[1] ?? []);
      assert.equal(hooks(def)[0], "base");
      assert.ok(hooks(def).includes("autodetect"));
      assert.deepEqual(hooks(fb), hooks(def).filter((h) => h !== "autodetect"));
      assert.ok(
        !def.lines.some((l) => l.includes("Possibly missing firmware")),
        "firmware warnings only in fallback",
      );
      assert.equal(
        def.lines[def.lines.indexOf(def.lines.find((l) => l.startsWith("==> Generating"))!) - 1],
        "  -> Running build hook: [fsck]",
      );
    }
    const versions = new Set(list.map((b) => b.lines.find((l) => l.startsWith("==> Starting"))));
    assert.equal(versions.size, list.length / 2, "default and fallback build the same kernel");
  }
});

Deno.test("mkinitcpio: drop-ins after the options line, one console configuration per run", async () => {
  let withHook = 0;
  let warned = 0;
  let dropIns = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const list = builds((await captureModule(mkinitcpio, { seed })).output);
    const fontWarnings = new Set<boolean>();
    const dropInSets = new Set<string>();
    for (const b of list) {
      const opt = b.lines.findIndex((l) => l.startsWith("  -> -k "));
      const start = b.lines.findIndex((l) => l.startsWith("==> Starting build: "));
      const dropIn = b.lines.filter((l) => l.startsWith("==> Using drop-in configuration file: "));
      dropInSets.add(dropIn.join("|"));
      assert.ok(opt === 1, `seed ${seed}: the options line follows the configuration file line`);
      assert.deepEqual(b.lines.slice(opt + 1, start), dropIn, `seed ${seed}: drop-in not after -k`);
      if (dropIn.length > 0) dropIns++;
      const hook = b.lines.indexOf("  -> Running build hook: [consolefont]");
      if (hook === -1) continue;
      const warns =
        b.lines[hook + 1] === "==> WARNING: consolefont: no font found in configuration";
      fontWarnings.add(warns);
    }
    assert.equal(dropInSets.size, 1, `seed ${seed}: drop-ins differ between builds`);
    assert.ok(fontWarnings.size <= 1, `seed ${seed}: the font is there for one build only`);
    if (fontWarnings.size === 1) {
      withHook++;
      if (fontWarnings.has(true)) warned++;
    }
  }
  assert.ok(dropIns > 0, "no drop-in in 80 seeds");
  assert.ok(withHook >= 10, `only ${withHook} runs with [consolefont]`);
  // Without FONT= in vconsole.conf (the default) every consolefont run warns.
  assert.ok(warned >= withHook * 0.6, `${warned} of ${withHook} consolefont runs warn`);
});

Deno.test("mkinitcpio colours: bold green ==>, bold blue ->, bold yellow WARNING", async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const out = (await captureModule(mkinitcpio, { seed, color: true })).output.trimEnd();
    for (const line of out.split("\n")) {
      const plain = stripAnsi(line);
      if (plain.startsWith("==> WARNING:")) {
        assert.ok(line.startsWith("\x1b[1m\x1b[33m==> WARNING:"));
      } else if (plain.startsWith("==>")) assert.ok(line.startsWith("\x1b[1m\x1b[32m==>"), line);
      else assert.ok(line.startsWith("  \x1b[1m\x1b[34m->"), line);
    }
  }
});

Deno.test("mkinitcpio snapshot", async (t) => {
  await t.assertSnapshot((await captureModule(mkinitcpio, { seed: 1, cols: 80 })).output);
});
