/**
 * git_clone format tests: the server's counts add up (counted plus pack-reused
 * is the total, enumerated is the total), every progress line's percentage is
 * its own count over its total, bytes over time equal the rate shown, LFS
 * totals are the weights' sizes, a dropped stream is followed by a retry, and
 * a pipe gets no progress at all.
 */

import assert from "node:assert/strict";
import data from "../data/git_clone.json" with { type: "json" };
import { git_clone, humanise, progressLine } from "../modules/git_clone.ts";
import { stripAnsi } from "../core/ansi.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

/** Parses git's humanised size back to bytes. */
function bytes(text: string): number {
  const m = text.match(/^(\d+)(?:\.(\d\d))? (GiB|MiB|KiB|bytes?)$/);
  assert.ok(m, `bad size ${text}`);
  const value = Number(m[1]) + Number(m[2] ?? 0) / 100;
  return value * ({ GiB: 2 ** 30, MiB: 2 ** 20, KiB: 1024 }[m[3] as "GiB"] ?? 1);
}

Deno.test("git_clone: sizes and progress lines in git's format", () => {
  assert.equal(humanise(842), "842 bytes");
  assert.equal(humanise(1536), "1.50 KiB");
  assert.equal(humanise(3 * 2 ** 20), "3.00 MiB");
  // git truncates the GiB fraction (divides by 10737419, not 2^30 / 100).
  assert.equal(humanise(2.5 * 2 ** 30), "2.49 GiB");
  assert.equal(humanise(1.75 * 2 ** 30), "1.74 GiB");
  assert.equal(progressLine("Resolving deltas", 45, 100), "Resolving deltas:  45% (45/100)");
  assert.equal(
    progressLine("Receiving objects", 10, 10, { bytes: 2 ** 21, rate: 1.5 * 2 ** 20 }, true),
    "Receiving objects: 100% (10/10), 2.00 MiB | 1.50 MiB/s, done.",
  );
});

Deno.test("git_clone: counts add up and rates hold over many seeds", async () => {
  let drops = 0;
  let lfs = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(git_clone, { seed, cols: 120, rows: 30, tty: true });
    const text = stripAnsi(run.output).replaceAll("\r", "\n");
    const commands = text.split("\n").filter((l) => l.startsWith("$ git clone "));
    const total = text.match(
      /^remote: Total (\d+) \(delta (\d+)\), reused (\d+) \(delta (\d+)\), pack-reused (\d+) \(from (\d+)\)$/m,
    );
    assert.ok(total, `seed ${seed}: no Total line`);
    const [n, delta, reused, reusedDelta, packReused, from] = total.slice(1).map(
      Number,
    ) as number[];
    const counted = Number(
      text.match(/^remote: Counting objects: 100% \((\d+)\/\1\), done\.$/m)?.[1],
    );
    const compressed = Number(
      text.match(/^remote: Compressing objects: 100% \((\d+)\/\1\), done\.$/m)?.[1],
    );
    assert.equal(counted + packReused!, n, `seed ${seed}: counted + pack-reused`);
    assert.ok(
      compressed <= counted && delta! <= counted && reused! <= counted,
      `seed ${seed}: counts`,
    );
    assert.ok(reusedDelta! <= Math.min(delta!, reused!), `seed ${seed}: reused deltas`);
    assert.equal(from === 0, packReused === 0, `seed ${seed}: (from ${from})`);
    assert.ok(
      text.includes(`remote: Enumerating objects: ${n}, done.`),
      `seed ${seed}: enumerated`,
    );

    // Every progress frame: the percentage is the count over the total.
    for (const frame of run.live) {
      for (const l of frame.lines) {
        const m = l.match(/: +(\d+)% \((\d+)\/(\d+)\)/);
        if (m) assert.equal(Number(m[1]), Math.floor((Number(m[2]) * 100) / Number(m[3])), l);
      }
    }

    const got = text.match(
      /^(Receiving|Unpacking) objects: 100% \((\d+)\/\2\), (.+?) \| (.+?)\/s, done\.$/m,
    );
    assert.ok(got, `seed ${seed}: transfer never finished`);
    assert.equal(Number(got[2]), n, `seed ${seed}: received count`);
    // Bytes over the time the receiving meter ran equal the rate shown.
    const frames = run.live.filter((f) => f.lines[0]?.startsWith(`${got[1]} objects:`));
    const lastTry = frames.slice(
      frames.findLastIndex((f, k) => k > 0 && f.at - frames[k - 1]!.at > 1000),
    );
    const seconds = (lastTry.at(-1)!.at - lastTry[0]!.at) / 1000 *
      (lastTry.length / (lastTry.length - 1 || 1));
    if (seconds > 2) {
      const rate = bytes(got[3]!) / seconds;
      const shown = bytes(got[4]!);
      assert.ok(Math.abs(rate - shown) / shown < 0.15, `seed ${seed}: ${rate} B/s vs ${got[4]}/s`);
    }

    const resolving = text.match(/^Resolving deltas: 100% \((\d+)\/\1\), done\.$/m);
    if (got[1] === "Receiving") {
      assert.ok(resolving, `seed ${seed}: no deltas resolved`);
      assert.ok(
        Number(resolving[1]) <= n && Number(resolving[1]) >= delta!,
        `seed ${seed}: deltas`,
      );
    }

    if (text.includes("fatal: early EOF")) {
      drops++;
      assert.equal(commands.length, 2, `seed ${seed}: no retry after the drop`);
      assert.equal(commands[0], commands[1], `seed ${seed}: the retry changed the command`);
    } else {
      assert.equal(commands.length, 1, `seed ${seed}: ran twice without failing`);
    }

    const filtering = text.match(
      /^Filtering content: 100% \((\d+)\/\1\), (.+?) \| .+\/s, done\.$/m,
    );
    const repo = data.lfs.find((r) => commands[0]!.endsWith(r.url));
    if (repo) {
      lfs++;
      assert.ok(filtering, `seed ${seed}: LFS content never filtered`);
      assert.equal(Number(filtering[1]), repo.lfsFiles.length);
      assert.equal(filtering[2], humanise(repo.lfsFiles.reduce((a, b) => a + b, 0)));
    } else {
      assert.equal(filtering, null, `seed ${seed}: LFS without LFS files`);
    }
  }
  assert.ok(drops > 0 && drops < SEEDS.length / 4, `${drops} dropped transfers`);
  assert.ok(lfs > 0, "no LFS clone");
});

Deno.test("git_clone: a pipe gets no progress, as git asks the server for none", async () => {
  for (const seed of SEEDS.slice(0, 20)) {
    const run = await captureModule(git_clone, { seed, cols: 80 });
    for (const l of run.output.trimEnd().split("\n")) {
      assert.match(
        l,
        /^(\$ git clone |Cloning into '|error: |fetch-pack: |fatal: )/,
        `seed ${seed}: ${l}`,
      );
    }
    assert.ok(run.pretendMs > 1_000, `seed ${seed}: a clone took no time`);
  }
});

Deno.test("git_clone snapshot, seed 1 in a terminal at 100 columns", async (t) => {
  await t.assertSnapshot(
    (await captureModule(git_clone, { seed: 1, cols: 100, tty: true })).output,
  );
});
