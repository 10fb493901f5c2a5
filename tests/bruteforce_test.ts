import assert from "node:assert/strict";
import data from "../data/bruteforce.json" with { type: "json" };
import {
  bruteforce,
  ctime,
  fitRows,
  formatDuration,
  formatSpeed,
  maskSets,
} from "../modules/bruteforce.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const FIELD = /^([A-Za-z.#*0-9]+?)\.*: (.*)$/;
const UNITS: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

type Block = Map<string, string>;

/** Seconds in hashcat's `1 min, 5 secs` form. */
function seconds(text: string): number {
  let s = 0;
  for (const [, n, unit] of text.matchAll(/(\d+) (day|hour|min|sec)s?/g)) {
    s += Number(n) * { day: 86400, hour: 3600, min: 60, sec: 1 }[unit as "sec"];
  }
  return s;
}

function speedOf(block: Block): number {
  const text = block.get("Speed.#*") ?? block.get("Speed.#01")!;
  const m = text.match(/^ *(\d+(?:\.\d)?) ([kMGT]?)H\/s/);
  assert.ok(m, text);
  return Number(m[1]) * UNITS[m[2]!]!;
}

interface Parsed {
  command: string;
  lines: string[];
  blocks: { block: Block; cracked: number }[];
  cracked: [string, string][];
}

function parse(output: string): Parsed {
  const lines = output.trimEnd().split("\n");
  const blocks: Parsed["blocks"] = [];
  const cracked: [string, string][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("Session..........: ")) {
      const block: Block = new Map();
      for (; i < lines.length && FIELD.test(lines[i]!); i++) {
        const [, key, value] = lines[i]!.match(FIELD)!;
        block.set(key!, value!);
      }
      i--;
      blocks.push({ block, cracked: cracked.length });
    } else if (/^([0-9a-f]{32,128}|\$[126]y?\$[^:]+):./.test(line)) {
      const at = line.indexOf(":");
      cracked.push([line.slice(0, at), line.slice(at + 1)]);
    }
  }
  return { command: lines[0]!, lines, blocks, cracked };
}

Deno.test("bruteforce: hashcat's formats for speed, durations and dates", () => {
  assert.equal(formatSpeed(24_297_012_345), "24297.0 M");
  assert.equal(formatSpeed(184_321), "184.3 k");
  assert.equal(formatSpeed(5_750), "5750 ");
  assert.equal(formatDuration(26), "26 secs");
  assert.equal(formatDuration(61), "1 min, 1 sec");
  assert.equal(formatDuration(3725), "1 hour, 2 mins");
  assert.equal(ctime(new Date(Date.UTC(2026, 0, 5, 9, 3, 7))), "Mon Jan  5 09:03:07 2026");
});

Deno.test("bruteforce: a short terminal drops optional lines, never the key ones", () => {
  const lines = [
    "Session",
    "Status",
    "Hash.Mode",
    "Restore.Sub.#01",
    "Rejected",
    "Speed.#01",
    "Recovered",
    "Progress",
    "Candidates.#01",
  ]
    .map((k) => `${k.padEnd(17, ".")}: x`);
  const fitted = fitRows(lines, 7).map((l) => l.split(".")[0]);
  assert.deepEqual(fitted, [
    "Session",
    "Status",
    "Hash",
    "Speed",
    "Recovered",
    "Progress",
    "Candidates",
  ]);
});

Deno.test("bruteforce: recovered counts, progress, speed and time agree in every status block", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(bruteforce, { seed, cols: 100 });
    const { command, lines, blocks, cracked } = parse(run.output);
    const cmd = command.match(/^\+ hashcat -m (\d+) -a ([03]) -O -w 3 \.\/hashes\.txt (.*)$/);
    assert.ok(cmd, `seed ${seed}: ${command}`);
    const mode = data.modes.find((m) => m.mode === Number(cmd[1]))!;
    const hashes = lines.find((l) => l.startsWith("Hashes: "))!.match(
      /^Hashes: (\d+) digests; \1 unique digests, (\d+) unique salts$/,
    );
    assert.ok(hashes, `seed ${seed}: hashes line`);
    const [n, salts] = [Number(hashes[1]), Number(hashes[2])];
    assert.equal(salts, mode.kind === "hex" ? 1 : n, `seed ${seed}: salts`);
    // Keyspace: wordlist × rules, or the mask's charsets multiplied out; × salts.
    let total: number;
    if (cmd[2] === "0") {
      const passwords = Number(lines.find((l) => l.startsWith("* Passwords.: "))!.slice(14));
      const rules = Number(lines.find((l) => l.startsWith("Rules: "))!.slice(7));
      const keyspace = lines.find((l) => l.startsWith("* Keyspace..: "))!;
      assert.equal(Number(keyspace.slice(14)), passwords * rules);
      total = passwords * rules * salts;
    } else {
      const m = cmd[3]!.match(/^(?:-1 '([^']+)' )?'([^']+)'$/)!;
      const sets = maskSets(m[2]!, m[1]);
      total = sets.reduce((a, s) => a * s.length, 1) * salts;
      for (const [, plain] of cracked) {
        assert.equal([...plain].length, sets.length, `seed ${seed}: ${plain} vs ${m[2]}`);
        [...plain].forEach((c, i) =>
          assert.ok(sets[i]!.includes(c), `seed ${seed}: ${plain} vs ${m[2]}`)
        );
      }
    }
    assert.ok(blocks.length >= 1, `seed ${seed}: no status block`);
    assert.equal(
      new Set(cracked.map(([h]) => h)).size,
      cracked.length,
      `seed ${seed}: cracked twice`,
    );
    for (const { block, cracked: before } of blocks) {
      assert.equal(block.get("Hash.Mode"), `${mode.mode} (${mode.name})`);
      const rec = block.get("Recovered")!.match(
        /^(\d+)\/(\d+) \((\d+\.\d\d)%\) Digests \(total\), \1\/\2 \(\3%\) Digests \(new\)$/,
      );
      assert.ok(rec, `seed ${seed}: ${block.get("Recovered")}`);
      assert.equal(Number(rec[1]), before, `seed ${seed}: recovered vs hash:plain lines printed`);
      assert.equal(Number(rec[2]), n);
      assert.equal(rec[3], ((before / n) * 100).toFixed(2));
      const prog = block.get("Progress")!.match(/^(\d+)\/(\d+) \((\d+\.\d\d)%\)$/);
      assert.ok(prog, `seed ${seed}: ${block.get("Progress")}`);
      const [cur, end] = [Number(prog[1]), Number(prog[2])];
      assert.equal(end, total, `seed ${seed}: progress total`);
      assert.equal(prog[3], ((cur / end) * 100).toFixed(2));
      const elapsed = seconds(block.get("Time.Started")!.split("(")[1]!);
      const speed = speedOf(block);
      if (elapsed >= 5) {
        // Time.Started shows whole seconds; the first second runs at a ramped-up speed.
        const [low, high] = [0.97 * speed * (elapsed - 0.5), 1.03 * speed * (elapsed + 1)];
        assert.ok(
          cur >= low && cur <= high,
          `seed ${seed}: progress ${cur} vs ${speed}/s × ${elapsed}s`,
        );
      }
      const left = seconds(block.get("Time.Estimated")!.split("(")[1]!);
      if (block.get("Status") === "Running") {
        assert.ok(
          Math.abs(left - (end - cur) / speed) <= 1.5,
          `seed ${seed}: ${left}s left vs ${(end - cur) / speed}`,
        );
      }
    }
    const last = blocks.at(-1)!.block;
    const rec = Number(last.get("Recovered")!.split("/")[0]);
    assert.equal(rec, cracked.length);
    assert.equal(
      last.get("Status"),
      rec === n ? "Cracked" : "Exhausted",
      `seed ${seed}: final status`,
    );
    if (rec < n) assert.equal(last.get("Progress"), `${total}/${total} (100.00%)`);
    const started = lines.at(-2)!.match(/^Started: (.+)$/)![1]!;
    const stopped = lines.at(-1)!.match(/^Stopped: (.+)$/)![1]!;
    assert.ok(last.get("Time.Started")!.startsWith(started));
    const span = (Date.parse(stopped) - Date.parse(started)) / 1000;
    assert.ok(
      Math.abs(span - seconds(last.get("Time.Started")!.split("(")[1]!)) <= 1,
      `seed ${seed}: ${span}`,
    );
  }
});

Deno.test("bruteforce: attacks and hash modes vary between runs", async () => {
  const modes = new Set<string>(), attacks = new Set<string>();
  for (const seed of SEEDS) {
    const command = (await captureModule(bruteforce, { seed })).output.split("\n")[0]!;
    modes.add(command.split(" ")[3]!);
    attacks.add(command.split(" ")[5]!);
  }
  assert.ok(modes.size >= 5, `${[...modes]}`);
  assert.deepEqual([...attacks].sort(), ["0", "3"]);
});

Deno.test("bruteforce: the status block redraws in place and fits a short terminal", async () => {
  const run = await captureModule(bruteforce, { seed: 5, cols: 80, rows: 14, tty: true });
  const frames = run.live
    .map((u) => u.lines.join("\n"))
    .filter((text) => text.includes("Status...........: Running"));
  assert.ok(frames.length > 20, `${frames.length} frames`);
  for (const frame of frames) {
    const live = frame.slice(frame.indexOf("Session"));
    assert.ok(live.split("\n").length <= 13, "status block taller than the terminal");
    for (const key of ["Status", "Speed.#", "Recovered", "Progress", "Candidates.#"]) {
      assert.ok(live.includes(key), `${key} dropped`);
    }
  }
});

Deno.test("bruteforce: snapshot (seed 1, 80 columns, plain)", async (t) => {
  await t.assertSnapshot((await captureModule(bruteforce, { seed: 1, cols: 80 })).output);
});
