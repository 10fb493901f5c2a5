/**
 * agent format tests: the session is one coherent task. Files read were listed
 * or found first, read sizes are the files' sizes, every shown diff applies to
 * the code read, the test that failed first is the one that passes at the end,
 * and counters and totals agree with what the transcript shows.
 */

import assert from "node:assert/strict";
import data from "../data/agent.json" with { type: "json" };
import { agent, collapse, diffStat, formatTokens, wrap } from "../modules/agent/mod.ts";
import { applyHunks, hunks } from "../modules/agent/diff.ts";
import { expandTabs, pytestRule } from "../modules/agent/runners.ts";
import { stripAnsi } from "../core/ansi.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

/** Parses `12.4k` / `842` / `1.2M` back to a number (and its rounding step). */
function tokens(text: string): { n: number; step: number } {
  if (text.endsWith("M")) return { n: Number(text.slice(0, -1)) * 1e6, step: 1e5 };
  if (text.endsWith("k")) return { n: Number(text.slice(0, -1)) * 1000, step: 100 };
  return { n: Number(text), step: 1 };
}

/** Fills the scenario's placeholders the way the module does, for one repository name. */
function scenarioFor(repo: string) {
  const raw = data.scenarios.find((s) => s.repos.includes(repo));
  assert.ok(raw, `no scenario for ${repo}`);
  return JSON.parse(
    JSON.stringify(raw).replaceAll("{pkg}", repo).replaceAll("{repo}", repo)
      .replaceAll("{crate}", repo.replaceAll("-", "_")),
  ) as typeof raw;
}

Deno.test("agent: diffs of every scenario apply to the code before and give the code after", () => {
  for (const sc of data.scenarios) {
    for (const file of [sc.source, sc.test]) {
      const list = hunks(file.before, file.after);
      assert.ok(list.length > 0, `${sc.id}: no change in ${file.path}`);
      assert.deepEqual(applyHunks(file.before, list), file.after, `${sc.id}: ${file.path}`);
      for (const h of list) {
        assert.equal(h.lines.filter((d) => d.kind !== "+").length, h.oldCount);
        assert.equal(h.lines.filter((d) => d.kind !== "-").length, h.newCount);
      }
    }
  }
});

Deno.test("agent: formatting helpers", () => {
  assert.equal(formatTokens(842), "842");
  assert.equal(formatTokens(12_420), "12.4k");
  assert.equal(formatTokens(1_250_000), "1.3M");
  assert.equal(pytestRule("=", "3 passed in 0.04s").length, 80);
  assert.equal(pytestRule("=", "FAILURES").length, 80);
  assert.equal(expandTabs("ok  \tpkg\t0.1s"), "ok      pkg     0.1s");
  assert.deepEqual(
    diffStat([{ path: "a.ts", added: 3, removed: 2 }, { path: "b/c.ts", added: 5, removed: 0 }]),
    [" a.ts   | 5 +++--", " b/c.ts | 5 +++++", " 2 files changed, 8 insertions(+), 2 deletions(-)"],
  );
  for (const width of [20, 40, 80]) {
    for (const l of wrap("a b ccc dddd eeeee ffffff ggggggg", width, "› ", "  ")) {
      assert.ok(l.length <= Math.max(width, 10), `${width}: ${l}`);
    }
  }
  const lines = Array.from({ length: 30 }, (_, k) => `l${k}`);
  const shown = collapse(lines, false);
  const count = shown.reduce<number>((a, l) => a + (typeof l === "string" ? 1 : l.hidden), 0);
  assert.equal(count, 30);
});

Deno.test("agent: one coherent session over many seeds", async () => {
  const seen = new Set<string>();
  for (const seed of SEEDS) {
    const run = await captureModule(agent, { seed, cols: 100 });
    const text = run.output;
    const lines = text.split("\n");
    const workdir = text.match(/^workdir: (\S+)$/m)?.[1];
    assert.ok(workdir, `seed ${seed}: no workdir`);
    const repo = workdir.slice(workdir.lastIndexOf("/") + 1);
    const sc = scenarioFor(repo);
    seen.add(sc.id);
    const files: Record<string, string[]> = {
      [sc.source.path]: sc.source.before,
      [sc.test.path]: sc.test.before,
    };

    // Every file read was listed or found by a search before it was read.
    const known = new Set<string>();
    let listDir = "";
    let inSearch = false;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k]!;
      if (l.startsWith("▸ ")) inSearch = l.startsWith("▸ Search");
      const list = l.match(/^▸ List {2}(\S+)$/);
      if (list) listDir = list[1] === "." ? "" : list[1]!;
      const listed = list ? lines[k + 1]!.match(/^ {2}╰ (.*)$/) : null;
      if (listed) { for (const name of listed[1]!.split(/ {2}/)) known.add(listDir + name); }
      const hit = l.match(/^ {2}(?:╰| ) (\S+?):(\d+): (.*)$/);
      if (hit && inSearch) {
        assert.ok(
          files[hit[1]!] || sc.callers.some((c) => c.path === hit[1]),
          `seed ${seed}: ${l}`,
        );
      }
      if (hit && inSearch && files[hit[1]!]) {
        known.add(hit[1]!);
        const code = expandTabs(files[hit[1]!]![Number(hit[2]) - 1]!, 4).trim();
        assert.equal(code, hit[3], `seed ${seed}: search hit disagrees with ${hit[1]}:${hit[2]}`);
      }
      const read = l.match(/^▸ Read {2}(\S+)$/);
      if (read) {
        assert.ok(known.has(read[1]!), `seed ${seed}: read ${read[1]} before seeing it`);
        const n = Number(lines[k + 1]!.match(/╰ (\d+) lines$/)?.[1]);
        const expected = files[read[1]!]?.length ??
          (sc.lineCounts as unknown as Record<string, number>)[read[1]!];
        assert.equal(n, expected, `seed ${seed}: ${read[1]} line count`);
      }
    }

    // Every diff shown applies to the file as read (and the fix as written).
    const edits = [
      ...text.matchAll(/^▸ Edit {2}(\S+) {2}\+(\d+) −(\d+)\n((?:(?: {2}╰ | {4}).*\n)+)/gm),
    ];
    assert.ok(edits.length >= 1, `seed ${seed}: no edit`);
    const stats: { path: string; added: number; removed: number }[] = [];
    for (const e of edits) {
      const path = e[1]!;
      const file = path === sc.source.path ? sc.source : sc.test;
      let added = 0;
      let removed = 0;
      for (const raw of e[4]!.trimEnd().split("\n")) {
        const m = raw.slice(4).match(/^ *(\d+) ([-+ ]) (.*)$/);
        if (!m) continue;
        const n = Number(m[1]);
        const code = m[3]!;
        if (m[2] === "-") {
          removed++;
          assert.equal(code, expandTabs(file.before[n - 1]!, 4), `seed ${seed}: - line ${n}`);
        } else {
          if (m[2] === "+") added++;
          assert.equal(
            code.trimEnd(),
            expandTabs(file.after[n - 1]!, 4).trimEnd(),
            `seed ${seed}: line ${n}`,
          );
        }
      }
      assert.equal(added, Number(e[2]), `seed ${seed}: + count of ${path}`);
      assert.equal(removed, Number(e[3]), `seed ${seed}: − count of ${path}`);
      stats.push({ path, added, removed });
    }
    const stat = text.match(/^▸ Run {2}git diff --stat\n((?:(?: {2}╰ | {4}).*\n)+)/m);
    if (stat) {
      const body = stat[1]!.split("\n").map((l) => l.slice(4)).filter((l) => l.includes("|"));
      assert.deepEqual(body, diffStat(stats).slice(0, -1), `seed ${seed}: git diff --stat`);
    }

    // The test that failed first passes at the end, and it is the test the prompt named.
    const runs = [...text.matchAll(/^▸ Run {2}(.+)\n(?:(?: {2}╰ | {4}).*\n)*? {4}exit (\d+)/gm)];
    const stem = sc.test.path.slice(sc.test.path.lastIndexOf("/") + 1).replace(/\.rs$/, "");
    const target = runs.filter((r) =>
      r[1]!.includes(sc.test.path) || r[1]!.includes(sc.test.failing) ||
      r[1]!.endsWith(`--test ${stem}`)
    );
    assert.ok(target.length >= 2, `seed ${seed}: the test ran ${target.length} times`);
    assert.notEqual(target[0]![2], "0", `seed ${seed}: the first run passed`);
    assert.equal(target.at(-1)![2], "0", `seed ${seed}: the last run failed`);
    const prompt = lines.find((l) => l.startsWith("› "))!;
    assert.ok(
      prompt.includes(sc.test.path) || prompt.includes(sc.test.failing),
      `seed ${seed}: the prompt names another test`,
    );
    assert.ok(text.includes(sc.test.message), `seed ${seed}: failure message missing`);

    // vitest and pytest summaries agree with themselves.
    for (const m of text.matchAll(/Tests {2}(?:(\d+) failed \| )?(\d+) passed \((\d+)\)/g)) {
      assert.equal(Number(m[1] ?? 0) + Number(m[2]), Number(m[3]), `seed ${seed}: ${m[0]}`);
    }

    // The footer: tool calls as shown, cost from the token counts, elapsed as the run took.
    const foot = text.match(
      /^── (?:(\d+)m )?(\d+)s · (\d+) turns · (\d+) tool calls · (\S+) tokens sent \((\S+) cached\) · (\S+) received · \$(\d+\.\d{3})$/m,
    );
    assert.ok(foot, `seed ${seed}: no footer`);
    const elapsed = Number(foot[1] ?? 0) * 60 + Number(foot[2]);
    assert.ok(Math.abs(elapsed - run.pretendMs / 1000) <= 1, `seed ${seed}: elapsed ${elapsed}`);
    const toolLines = lines.filter((l) => l.startsWith("▸ ")).length;
    assert.equal(Number(foot[4]), toolLines, `seed ${seed}: tool calls`);
    assert.ok(Number(foot[3]) >= 8, `seed ${seed}: too few turns`);
    const sent = tokens(foot[5]!);
    const cached = tokens(foot[6]!);
    const received = tokens(foot[7]!);
    const p = data.agent.pricePerMTok;
    const cost = ((sent.n - cached.n) * p.input + cached.n * p.cachedInput +
      received.n * p.output) / 1e6;
    const slack = ((sent.step + cached.step) * p.input + received.step * p.output) / 1e6 + 0.001;
    assert.ok(
      Math.abs(cost - Number(foot[8])) <= slack,
      `seed ${seed}: cost ${foot[8]} vs ${cost}`,
    );
    assert.ok(cached.n < sent.n, `seed ${seed}: everything cached`);
  }
  assert.equal(seen.size, data.scenarios.length, "some scenario never came up");
});

Deno.test("agent: terminal counters only grow and the footer ends on the last values", async () => {
  for (const seed of SEEDS.slice(0, 12)) {
    const run = await captureModule(agent, { seed, cols: 120, rows: 40, tty: true });
    let last = { sent: 0, received: 0, ms: 0, cost: 0 };
    const asked = new Set<string>();
    for (const frame of run.live) {
      if (frame.lines.length === 0) continue;
      const ask = stripAnsi(frame.lines[1] ?? "").match(/\[a\] always for (.+) · \[n\]/);
      if (ask) {
        // Asked once per program, before its first command.
        assert.ok(!asked.has(ask[1]!), `seed ${seed}: asked twice for ${ask[1]}`);
        asked.add(ask[1]!);
        continue;
      }
      const m = frame.lines[0]!.match(
        /(?:(\d+)m )?(\d+)s · (\S+) sent · (\S+) received · esc to stop$/,
      );
      assert.ok(m, `seed ${seed}: bad spinner ${frame.lines[0]}`);
      const now = {
        sent: tokens(m[3]!).n,
        received: tokens(m[4]!).n,
        ms: (Number(m[1] ?? 0) * 60 + Number(m[2])) * 1000,
        cost: Number(frame.lines[1]!.match(/\$(\d+\.\d+)$/)?.[1]),
      };
      assert.ok(now.sent >= last.sent && now.received >= last.received, `seed ${seed}: shrank`);
      assert.ok(now.ms >= last.ms && now.cost >= last.cost, `seed ${seed}: time or cost went back`);
      last = now;
    }
    const allowed = [...stripAnsi(run.output).matchAll(/✓ always allowed: (.+)$/gm)].map((m) =>
      m[1]
    );
    assert.deepEqual(allowed, [...asked], `seed ${seed}: approvals`);
    const foot = run.output.match(/tokens sent \(\S+ cached\) · (\S+) received · \$(\d+\.\d+)/);
    assert.ok(foot, `seed ${seed}: no footer`);
    assert.ok(tokens(foot[1]!).n >= last.received, `seed ${seed}: footer below the spinner`);
    assert.ok(Number(foot[2]) >= last.cost, `seed ${seed}: footer cost below the spinner`);
  }
});

Deno.test("agent: a pipe gets no spinner and no box", async () => {
  const run = await captureModule(agent, { seed: 3, cols: 80 });
  assert.ok(!run.output.includes("esc to stop"));
  assert.ok(!run.output.includes("╭"));
  assert.ok(run.live.every((f) => f.lines.length === 0));
});

Deno.test("agent snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(agent, { seed: 1, cols: 80 })).output);
});
