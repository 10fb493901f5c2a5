import assert from "node:assert/strict";
import data from "../data/wpt.json" with { type: "json" };
import { familyOf, renderStatus, renderUnexpected, wpt, wrapLines } from "../modules/wpt.ts";
import { captureModule, replay } from "./harness.ts";

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);
const TEST_LEVEL =
  /^ {2}▶ (FAIL|PASS|TIMEOUT|CRASH|ERROR|OK) \[expected (PASS|FAIL|OK|TIMEOUT|ERROR)\] (\/\S+)$/;
const SUBTEST_HEAD = /^ {2}▶ Unexpected subtest result in (\/\S+):$/;
const SUBTEST = /^ {2}[│└] (FAIL|PASS|TIMEOUT) \[expected (PASS|FAIL)\] (.+)$/;
const PAIRS = new Set([
  "FAIL/PASS",
  "PASS/FAIL",
  "TIMEOUT/OK",
  "CRASH/OK",
  "CRASH/PASS",
  "ERROR/OK",
  "OK/TIMEOUT",
  "OK/ERROR",
]);
const SUMMARY_TEXT: Record<string, string> = {
  CRASH: "crashed unexpectedly",
  ERROR: "had errors unexpectedly",
  FAIL: "failed unexpectedly",
  TIMEOUT: "timed out unexpectedly",
  PASS: "passed unexpectedly",
  OK: "unexpectedly okay",
};

Deno.test("wpt: result blocks use wptrunner's ▶ │ └ layout", () => {
  assert.deepEqual(wrapLines(["TIMEOUT [expected OK] /a.html"]), [
    "  ▶ TIMEOUT [expected OK] /a.html",
  ]);
  const lines = renderUnexpected({
    path: "/css/x.html",
    kind: "testharness",
    status: "OK",
    subtests: [{
      name: "s",
      status: "FAIL",
      expected: "PASS",
      message: "assert_true: expected true got false",
    }],
  });
  assert.deepEqual(lines, [
    "  ▶ Unexpected subtest result in /css/x.html:",
    "  │ FAIL [expected PASS] s",
    "  └   → assert_true: expected true got false",
    "",
  ]);
  assert.deepEqual(renderStatus(3, 9, ["/a.html", "/b.html"], 8), [
    "  [3/9] /a.html",
    "        /b.html",
  ]);
  assert.deepEqual(renderStatus(9, 9, [], 8), ["  [9/9] No tests running."]);
});

Deno.test("wpt: the summary counts what was printed, and the run adds up", async () => {
  const dirs = data.dirs.map((d) => `/${d.dir}/`);
  for (const seed of SEEDS) {
    for (const tty of seed <= 8 ? [false, true] : [false]) {
      const run = await captureModule(wpt, { seed, cols: 200, tty });
      const lines = tty
        ? (await replay(run.output, 200)).lines.map((l) => l.trimEnd())
        : run.output.split("\n").map((l) => l.trimEnd());
      const header = lines.findIndex((l) => /^Running \d+ tests in web-platform-tests$/.test(l));
      assert.ok(header >= 0, `seed ${seed}: no header`);
      const total = Number(lines[header]!.split(" ")[1]);
      const ranAt = lines.findIndex((l) => l.startsWith("Ran "));
      const ran = lines[ranAt]!.match(/^Ran (\d+) tests finished in (\d+\.\d) seconds\.$/);
      assert.ok(ran, `seed ${seed}: ${lines[ranAt]}`);
      assert.equal(Number(ran[1]), total, `seed ${seed}: ran vs running`);
      const secs = Number(ran[2]);
      assert.ok(
        secs * 1000 <= run.pretendMs && secs * 1000 >= run.pretendMs - 2600,
        `seed ${seed}: ${secs}s of ${run.pretendMs}ms`,
      );
      assert.equal(lines[ranAt - 1], "", `seed ${seed}: no blank line before the summary`);

      const unexpected = new Map<string, string>();
      const withSubtests = new Set<string>();
      let skips = 0, counted = 0;
      for (let i = header + 1; i < ranAt; i++) {
        const line = lines[i]!;
        if (/^ {2}\[\d+\/\d+\] \//.test(line)) {
          assert.ok(!tty, `seed ${seed}: a finished-test line in a terminal's scrollback`);
          counted++;
          continue;
        }
        if (line.startsWith("  ▶ SKIP /")) {
          assert.match(lines[i + 1]!, /^ {2}└ /, `seed ${seed}: skip without its reason`);
          assert.equal(lines[i + 2], "", `seed ${seed}`);
          skips++;
          i += 2;
          continue;
        }
        if (!line.startsWith("  ▶ ")) continue;
        const top = line.match(TEST_LEVEL);
        const sub = line.match(SUBTEST_HEAD);
        assert.ok(top || sub, `seed ${seed}: ${line}`);
        const path = (top ?? sub)![top ? 3 : 1]!;
        assert.ok(
          dirs.some((d) => path.startsWith(d)),
          `seed ${seed}: ${path} is not from the data`,
        );
        if (top) {
          assert.ok(PAIRS.has(`${top[1]}/${top[2]}`), `seed ${seed}: ${line}`);
          assert.ok(!unexpected.has(path), `seed ${seed}: ${path} reported twice`);
          unexpected.set(path, top[1]!);
        } else {
          withSubtests.add(path);
          assert.match(lines[i + 1]!, SUBTEST, `seed ${seed}`);
        }
        let j = i;
        if (/^ {2}[│└]( |$)/.test(lines[i + 1] ?? "")) {
          while (!lines[j]!.startsWith("  └ ")) j++;
        }
        for (let k = i + 1; k <= j; k++) {
          // A failing subtest is followed by its assertion message.
          if (lines[k]!.match(SUBTEST)?.[1] === "FAIL") {
            assert.match(
              lines[k + 1]!,
              /^ {2}[│└] {3}→ \S/,
              `seed ${seed}: ${lines[k]} has no message`,
            );
          }
        }
        assert.equal(lines[j + 1], "", `seed ${seed}: no blank line after the block at ${line}`);
        i = j;
      }
      const bullets = lines.slice(ranAt + 1).filter((l) => l.startsWith("  • "));
      const expected = bullets[0]!.match(/^ {2}• (\d+) ran as expected\.$/);
      assert.ok(expected, `seed ${seed}: ${bullets[0]}`);
      const subtestOnly = [...withSubtests].filter((p) => !unexpected.has(p)).length;
      assert.equal(
        Number(expected[1]),
        total - unexpected.size - subtestOnly,
        `seed ${seed}: ran as expected`,
      );
      const skipLine = lines[ranAt + 2]!.match(/^ {4}• (\d+) skipped\.$/);
      assert.equal(skipLine ? Number(skipLine[1]) : 0, skips, `seed ${seed}: skipped count`);
      // In a pipe every test shows up once: a counter line, a block, or a skip.
      if (!tty) {
        assert.equal(
          counted + skips + unexpected.size + subtestOnly,
          total,
          `seed ${seed}: tests shown`,
        );
        assert.ok(
          !run.output.includes("No tests running."),
          `seed ${seed}: live-only line in a pipe`,
        );
        assert.equal(
          run.live.filter((u) => u.lines.length > 0).length,
          0,
          `seed ${seed}: live view in a pipe`,
        );
      }
      const want = Object.entries(SUMMARY_TEXT)
        .map(([status, text]) =>
          [[...unexpected.values()].filter((s) => s === status).length, text] as const
        )
        .filter(([n]) => n > 0)
        .map(([n, text]) => `  • ${n} tests ${text}`);
      if (withSubtests.size > 0) {
        want.push(`  • ${withSubtests.size} tests had unexpected subtest results`);
      }
      assert.deepEqual(bullets.slice(1), want, `seed ${seed} tty ${tty}`);
      // A log repeats every block after the summary; a terminal does not.
      const repeatAt = lines.indexOf("Tests with unexpected results:");
      // Skips are not repeated: they are not unexpected results.
      const printed = lines.slice(header + 1, ranAt).filter((l, i, all) =>
        /^ {2}[▶│└]/.test(l) && !l.startsWith("  ▶ SKIP ") && !all[i - 1]?.startsWith("  ▶ SKIP ")
      );
      if (tty || printed.length === 0) {
        assert.equal(repeatAt, -1, `seed ${seed}: repeated in a terminal`);
      } else {
        const repeated = lines.slice(repeatAt + 1).filter((l) => /^ {2}[▶│└]/.test(l));
        assert.deepEqual(repeated, printed, `seed ${seed}: the repeat differs`);
      }
    }
  }
});

/** The data key (`dir/stem`) of the file a test path comes from: the longest stem it starts with. */
function fileOf(path: string): string | undefined {
  const rel = path.slice(1).replace(/\?.*$/, "");
  return Object.keys(data.subtests)
    .filter((k) => rel === k || /^[._-]/.test(rel.slice(k.length)) && rel.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
}

/** A message template as a regex (`{a}`, `{b}`, `{n}`, `{m}` match anything). */
function messageRegex(template: string): RegExp {
  const esc = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  return new RegExp(`^${esc.replace(/\\?\{[abnm]\\?\}/g, ".*")}$`);
}

Deno.test("wpt: subtests, messages and backtraces belong to their own test", async () => {
  let subtests = 0, crashes = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const lines = (await captureModule(wpt, { seed, cols: 200 })).output.split("\n");
    const end = lines.indexOf("Tests with unexpected results:");
    let path = "";
    for (const line of lines.slice(0, end < 0 ? undefined : end)) {
      const head = line.match(
        /^ {2}▶ (?:Unexpected subtest result in (\/\S+):|\w+ \[expected \w+\] (\/\S+))$/,
      );
      if (head) path = head[1] ?? head[2]!;
      const family = data.families[familyOf(path)];
      const sub = line.match(SUBTEST);
      if (sub) {
        const names = (data.subtests as Record<string, string[]>)[fileOf(path)!];
        assert.ok(
          names?.includes(sub[3]!),
          `seed ${seed}: '${sub[3]}' is not a subtest of ${path}`,
        );
        subtests++;
      }
      const msg = line.match(/^ {2}[│└] {3}→ (.+)$/);
      if (msg && msg[1] !== "Test timed out") {
        const ok = [...family.messages, ...family.errors].some((t) =>
          messageRegex(t).test(msg[1]!)
        );
        assert.ok(ok, `seed ${seed}: '${msg[1]}' is not a ${familyOf(path)} message (${path})`);
      }
      const at = line.match(/panicked at ([\w/.]+):\d+:\d+:$/);
      if (at) {
        const panic = data.panics.find((p) => p.file === at[1])!;
        const start = lines.indexOf(line);
        const frames = lines.slice(start + 3, start + 5 + panic.frames.length)
          .map((l) => l.replace(/^ {2}[│└] +\d+: /, ""));
        assert.deepEqual(frames, [
          "rust_begin_unwind",
          "core::panicking::panic_fmt",
          ...panic.frames,
        ]);
        assert.ok(line.includes(`thread '${panic.thread}'`), `seed ${seed}: ${line}`);
        const area = familyOf(path);
        const own = data.panics.some((p) => p.area === area);
        assert.equal(
          panic.area,
          own ? area : "dom",
          `seed ${seed}: a ${panic.area} panic in ${path}`,
        );
        crashes++;
      }
    }
  }
  assert.ok(subtests >= 30 && crashes >= 3, `${subtests} subtests, ${crashes} crashes`);
});

Deno.test("wpt: the live counter climbs to the total, one line per worker at most", async () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const run = await captureModule(wpt, { seed, cols: 120, rows: 40, tty: true });
    let last = 0, total = 0;
    for (const chunk of run.chunks) {
      for (const m of chunk.matchAll(/ {2}\[(\d+)\/(\d+)\] /g)) {
        assert.ok(Number(m[1]) >= last, `seed ${seed}: counter went back`);
        [last, total] = [Number(m[1]), Number(m[2])];
      }
      const workers = chunk.split("\n").filter((l) =>
        /^ {2}(\[\d+\/\d+\]| {5,}) \/\S+$/.test(l)
      ).length;
      assert.ok(workers <= data.processes, `seed ${seed}: ${workers} running tests shown`);
    }
    assert.equal(last, total, `seed ${seed}: counter stopped at ${last}/${total}`);
  }
});

Deno.test("wpt: test paths look like web-platform-tests paths", async () => {
  const paths = new Set<string>();
  for (const seed of SEEDS.slice(0, 10)) {
    const out = (await captureModule(wpt, { seed, cols: 200 })).output;
    for (
      const m of out.matchAll(/ (\/[a-zA-Z][\w./-]*\.(?:html?|any\.\w+\.html)(?:\?[^\s:]*)?)/g)
    ) {
      paths.add(m[1]!);
    }
  }
  assert.ok(paths.size > 50, `${paths.size} paths`);
  for (const p of paths) {
    assert.doesNotMatch(p, /\/test-\d+\.html/, "synthetic test-N names");
    assert.match(p, /^\/[\w-]+(\/[\w.-]+)*\.(html?|htm)(\?[\w=()|&-]+)?$/, p);
  }
  assert.ok([...paths].some((p) => p.includes(".any.worker.html")), "no .any.js expansion");
});

Deno.test("wpt: snapshot (seed 1, 80 columns, plain)", async (t) => {
  await t.assertSnapshot((await captureModule(wpt, { seed: 1, cols: 80 })).output);
});
