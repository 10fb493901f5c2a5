import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import data from "../data/bruteforce.json" with { type: "json" };
import {
  bruteforce,
  chooseAttack,
  ctime,
  drawPlains,
  formatDuration,
  formatSpeed,
  maskSets,
  md4Bytes,
  md5Bytes,
  md5crypt,
  PROMPT,
  rawDigest,
  sha1Bytes,
  sha256Bytes,
  sha512Bytes,
} from "../modules/bruteforce.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const bytes = (s: string) => new TextEncoder().encode(s);
/** node:crypto's name for each raw kind: the oracle the module's own digests are checked against. */
const ORACLE: Record<string, string> = {
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  sha512: "sha512",
};

/** Whether `hash` is the digest of `plain` in `kind`, computed independently where possible. */
function verifies(kind: string, hash: string, plain: string): boolean {
  if (kind === "md5crypt") {
    const salt = hash.split("$")[2]!;
    return md5crypt(plain, salt) === hash;
  }
  if (kind === "ntlm") {
    return createHash("md4").update(Buffer.from(plain, "utf16le")).digest("hex") === hash;
  }
  return createHash(ORACLE[kind]!).update(plain).digest("hex") === hash;
}

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
    } else if (/^([0-9a-f]{32,128}|\$1\$[^:$]+\$[^:]+):./.test(line)) {
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

Deno.test("bruteforce: the digests match the RFC and FIPS test vectors and node:crypto", () => {
  // RFC 1321 appendix A.5 and RFC 1320 appendix A.5.
  const rfc1321 = [
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    [
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a",
    ],
  ];
  for (const [text, digest] of rfc1321) assert.equal(hex(md5Bytes(bytes(text!))), digest);
  const rfc1320 = [
    ["", "31d6cfe0d16ae931b73c59d7e0c089c0"],
    ["abc", "a448017aaf21d8525fc10ae87aa6729d"],
    ["message digest", "d9130a8164549fe818874806e1c7014b"],
  ];
  for (const [text, digest] of rfc1320) assert.equal(hex(md4Bytes(bytes(text!))), digest);
  // FIPS 180 "abc" examples.
  assert.equal(hex(sha1Bytes(bytes("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert.equal(
    hex(sha256Bytes(bytes("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.ok(hex(sha512Bytes(bytes("abc"))).startsWith("ddaf35a193617abacc417349ae204131"));
  // Every block boundary (55/56/64 bytes and two-block SHA-512 inputs) against node:crypto.
  for (let n = 0; n < 260; n += 1 + (n % 7)) {
    const text = "pässwörd".repeat(40).slice(0, n);
    for (const kind of ["md5", "sha1", "sha256", "sha512"]) {
      assert.equal(
        rawDigest(kind, text),
        createHash(kind).update(text).digest("hex"),
        `${kind} ${n}`,
      );
    }
    assert.ok(verifies("ntlm", rawDigest("ntlm", text), text), `ntlm ${n}`);
  }
  // md5crypt: the value `openssl passwd -1 -salt saltsalt password` prints.
  assert.equal(md5crypt("password", "saltsalt"), "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/");
});

Deno.test("bruteforce: recovered counts, progress, speed and time agree in every status block", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(bruteforce, { seed, cols: 100 });
    const { command, lines, blocks, cracked } = parse(run.output);
    const cmd = command.match(
      /^\+ hashcat -m (\d+) -a ([03])( -O)? -w 3 --status --status-timer (\d+) \.\/hashes\.txt (.*)$/,
    );
    assert.ok(cmd, `seed ${seed}: ${command}`);
    const mode = data.modes.find((m) => m.mode === Number(cmd[1]))!;
    const hashes = lines.find((l) => l.startsWith("Hashes: "))!.match(
      /^Hashes: (\d+) digests; \1 unique digests, (\d+) unique salts$/,
    );
    assert.ok(hashes, `seed ${seed}: hashes line`);
    const [n, salts] = [Number(hashes[1]), Number(hashes[2])];
    assert.equal(salts, mode.kind === "md5crypt" ? n : 1, `seed ${seed}: salts`);
    // Keyspace: wordlist × rules, or the mask's charsets multiplied out; × salts.
    let total: number;
    if (cmd[2] === "0") {
      const passwords = Number(lines.find((l) => l.startsWith("* Passwords.: "))!.slice(14));
      const rules = Number(lines.find((l) => l.startsWith("Rules: "))!.slice(7));
      const keyspace = lines.find((l) => l.startsWith("* Keyspace..: "))!;
      assert.equal(Number(keyspace.slice(14)), passwords * rules);
      total = passwords * rules * salts;
    } else {
      const m = cmd[5]!.match(/^(?:-1 '([^']+)' )?'([^']+)'$/)!;
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
    const attackStart = last.get("Time.Started")!.split(" (")[0]!;
    // The process starts before the attack: device init and the dictionary cache come first.
    const setup = (Date.parse(attackStart) - Date.parse(started)) / 1000;
    assert.ok(setup >= 5 && setup <= 60, `seed ${seed}: ${setup}s from Started to Time.Started`);
    const span = (Date.parse(stopped) - Date.parse(attackStart)) / 1000;
    assert.ok(
      Math.abs(span - seconds(last.get("Time.Started")!.split("(")[1]!)) <= 1,
      `seed ${seed}: ${span}`,
    );
  }
});

Deno.test("bruteforce: cracked pairs verify, kernel limits follow -a and -O, every block is whole", async () => {
  const keysOf = (b: Block) => [...b.keys()].join(" ");
  for (const seed of SEEDS) {
    const run = await captureModule(bruteforce, { seed, cols: 100 });
    const { command, lines, blocks, cracked } = parse(run.output);
    const cmd = command.match(/-m (\d+) -a ([03])( -O)? .*--status-timer (\d+) /)!;
    const mode = data.modes.find((m) => m.mode === Number(cmd[1]))!;
    const mask = cmd[2] === "3";
    for (const [hash, plain] of cracked) {
      assert.ok(
        verifies(mode.kind, hash, plain),
        `seed ${seed}: ${hash}:${plain} is not ${mode.kind}`,
      );
    }
    // One limit, printed twice; -O with a wordlist caps it at 31, a pure kernel says so.
    const max = Number(lines.find((l) => l.startsWith("Maximum password length"))!.split(": ")[1]);
    const feature = blocks[0]!.block.get("Kernel.Feature")!.match(
      /^(\w+) Kernel \(password length 0-(\d+) bytes\)$/,
    )!;
    assert.equal(Number(feature[2]), max, `seed ${seed}`);
    assert.equal(feature[1], cmd[3] ? "Optimized" : "Pure", `seed ${seed}`);
    if (!mask && cmd[3]) assert.ok(max <= 31, `seed ${seed}: -a 0 -O allows ${max}`);
    for (const [, plain] of cracked) {
      assert.ok(bytes(plain).length <= max, `seed ${seed}: ${plain}`);
    }
    // Optimizers: Brute-Force for a mask on a fast hash, never for a wordlist.
    const opts = lines.slice(
      lines.indexOf("Optimizers applied:") + 1,
      lines.indexOf("Watchdog: Temperature abort trigger set to 90c") - 1,
    );
    assert.equal(opts.includes("* Brute-Force"), mask && mode.kind !== "md5crypt", `seed ${seed}`);
    // Every block carries every line, whatever the terminal, and they come a status-timer apart.
    const keys = keysOf(blocks[0]!.block);
    for (
      const key of [
        "Hash.Target",
        "Kernel.Feature",
        "Guess.Queue",
        "Rejected",
        "Restore.Point",
        "Restore.Sub.#01",
        "Candidate.Engine",
        "Hardware.Mon.#01",
      ]
    ) {
      assert.ok(keys.includes(key), `seed ${seed}: ${key} missing`);
    }
    for (const { block } of blocks) assert.equal(keysOf(block), keys, `seed ${seed}`);
    const running = blocks.filter(({ block }) => block.get("Status") === "Running");
    running.forEach(({ block }, i) => {
      const elapsed = seconds(block.get("Time.Started")!.split("(")[1]!);
      assert.ok(
        Math.abs(elapsed - (i + 1) * Number(cmd[4])) <= 1,
        `seed ${seed}: block ${i} at ${elapsed}s`,
      );
    });
    for (const { block } of blocks) {
      const [rej, of] = block.get("Rejected")!.split(" ")[0]!.split("/").map(Number);
      assert.equal(of, Number(block.get("Progress")!.split("/")[0]));
      assert.ok(mask ? rej === 0 : rej! <= of!, `seed ${seed}: ${block.get("Rejected")}`);
      const loops = Number(block.get("Speed.#01")!.match(/Loops:(\d+)/)![1]);
      const sub = block.get("Restore.Sub.#01")!;
      assert.ok(
        sub.includes(mode.kind === "md5crypt" ? `Iteration:0-${loops}` : `Amplifier:0-${loops}`),
        `seed ${seed}: ${sub}`,
      );
    }
    assert.ok(!run.output.includes(PROMPT.trim()), `seed ${seed}: the prompt is terminal-only`);
  }
});

Deno.test("bruteforce: every attack can draw a full hash file of distinct, fitting passwords", () => {
  const base = chooseAttack(new Rng(1n));
  const attacks = [
    ...data.masks.map((mask) => ({ ...base, mask, wordlist: undefined, rules: undefined })),
    ...data.rules.map((rules) => ({
      ...base,
      mask: undefined,
      wordlist: data.wordlists[0]!,
      rules,
    })),
  ];
  for (const [i, attack] of attacks.entries()) {
    const rng = new Rng(BigInt(i + 1));
    // The worst case: every hash falls, so every password must come from the attack.
    const plains = drawPlains(rng, { ...attack, hashes: 24 }, Array(24).fill(true));
    assert.equal(new Set(plains).size, 24, `attack ${i}`);
    if (attack.mask) {
      const sets = maskSets(attack.mask.mask, attack.mask.charset);
      for (const p of plains) assert.ok([...p].every((c, n) => sets[n]!.includes(c)), p);
    }
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

Deno.test("bruteforce: in a terminal blocks are printed, never redrawn; only the prompt is live", async () => {
  for (const seed of [2, 5, 9]) {
    const run = await captureModule(bruteforce, { seed, cols: 80, rows: 14, tty: true });
    for (const update of run.live) {
      assert.ok(
        !update.lines.some((l) => l.startsWith("Session....")),
        `seed ${seed}: a live status block`,
      );
    }
    assert.ok(run.live.some((u) => u.lines.join("") === PROMPT), `seed ${seed}: no prompt`);
    const blocks = run.transcript.split("\n").filter((l) =>
      l.startsWith("Hardware.Mon.#01.")
    ).length;
    const plain = (await captureModule(bruteforce, { seed, cols: 80 })).output.split("\n")
      .filter((l) => l.startsWith("Hardware.Mon.#01.")).length;
    assert.equal(blocks, plain, `seed ${seed}: the same blocks in a terminal and a pipe`);
  }
});

Deno.test("bruteforce: snapshot (seed 1, 80 columns, plain)", async (t) => {
  await t.assertSnapshot((await captureModule(bruteforce, { seed: 1, cols: 80 })).output);
});
