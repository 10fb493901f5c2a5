/**
 * ansible format tests: the PLAY RECAP counters are recomputed from the
 * per-host results printed above them (ansible's own counting rules), failed
 * hosts never reappear, banners fill the width, and loops and retries have
 * ansible's shapes.
 */

import assert from "node:assert/strict";
import { ansible, banner, recapLine } from "../modules/ansible.ts";
import { createStyle } from "../core/style.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
const BANNER =
  /^(PLAY \[.*\]|TASK \[.*\]|RUNNING HANDLER \[.*\]|PLAY RECAP|NO MORE HOSTS LEFT) \*+$/;
const KEYS = ["ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"] as const;
type Counts = Record<(typeof KEYS)[number], number>;

function zero(): Counts {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}

/** Recomputes the recap from the result lines, the way ansible's strategy counts them. */
function countResults(lines: string[]): { counts: Map<string, Counts>; order: string[][] } {
  const counts = new Map<string, Counts>();
  const sections: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (BANNER.test(line)) {
      current = line.startsWith("TASK") || line.startsWith("RUNNING HANDLER") ? [] : undefined;
      if (current) sections.push(current);
      continue;
    }
    current?.push(line);
  }
  const dead = new Set<string>();
  const order: string[][] = [];
  for (const section of sections) {
    type State = {
      changed: boolean;
      skipped: boolean;
      fail?: "failed" | "unreachable";
      ignored: boolean;
      failChanged: boolean;
    };
    const hosts = new Map<string, State>();
    let last: string | undefined;
    for (const line of section) {
      const m = line.match(/^(ok|changed|skipping|fatal|failed): \[([^\]]+)\]/);
      if (m) {
        const host = m[2]!;
        assert.ok(!dead.has(host), `${host} reappears after failing: ${line}`);
        const s = hosts.get(host) ??
          { changed: false, skipped: false, ignored: false, failChanged: false };
        if (m[1] === "changed") s.changed = true;
        if (m[1] === "skipping") s.skipped = true;
        if (m[1] === "fatal" || m[1] === "failed") {
          s.fail = line.includes("UNREACHABLE!") ? "unreachable" : "failed";
          const json = JSON.parse(line.slice(line.indexOf("=> ") + 3));
          s.failChanged = json.changed === true;
        }
        hosts.set(host, s);
        last = host;
      } else if (line === "...ignoring") {
        hosts.get(last!)!.ignored = true;
      }
    }
    order.push([...hosts.keys()]);
    for (const [host, s] of hosts) {
      const c = counts.get(host) ?? zero();
      if (s.fail && !s.ignored) {
        c[s.fail]++;
        dead.add(host);
      } else if (s.fail && s.ignored) {
        c.ok++;
        c.ignored++;
        if (s.failChanged) c.changed++;
      } else if (s.skipped) c.skipped++;
      else {
        c.ok++;
        if (s.changed) c.changed++;
      }
      counts.set(host, c);
    }
  }
  return { counts, order };
}

Deno.test("ansible: banners and recap lines have ansible's layout", () => {
  const style = createStyle(false);
  assert.equal(banner("PLAY [x]", 79).length, 80);
  assert.equal(banner("TASK [" + "y".repeat(90) + "]", 79).endsWith(" ***"), true);
  assert.equal(
    recapLine(style, "web-01", {
      ok: 12,
      changed: 3,
      unreachable: 0,
      failed: 0,
      skipped: 2,
      rescued: 0,
      ignored: 0,
    }),
    "web-01                     : ok=12   changed=3    unreachable=0    failed=0    skipped=2    rescued=0    ignored=0   ",
  );
});

Deno.test("ansible: PLAY RECAP equals the task results printed, over many seeds", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(ansible, { seed, cols: 80 });
    const lines = run.output.split("\n");
    for (const l of lines.filter((l) => BANNER.test(l))) {
      assert.ok(l.length === 80 || l.endsWith(" ***"), `seed ${seed}: banner width ${l.length}`);
    }
    const recapAt = lines.findIndex((l) => l.startsWith("PLAY RECAP "));
    assert.ok(recapAt > 0, `seed ${seed}: no PLAY RECAP`);
    const { counts } = countResults(lines.slice(0, recapAt));
    const recap = new Map<string, Counts>();
    for (const l of lines.slice(recapAt + 1).filter((l) => l.trim() !== "")) {
      const m = l.match(
        /^(\S+) +: ok=(\d+) +changed=(\d+) +unreachable=(\d+) +failed=(\d+) +skipped=(\d+) +rescued=(\d+) +ignored=(\d+) *$/,
      );
      assert.ok(m, `seed ${seed}: bad recap line ${l}`);
      assert.equal(l.indexOf(" : "), Math.max(26, m[1]!.length), `seed ${seed}: host column`);
      const c = zero();
      KEYS.forEach((k, i) => (c[k] = Number(m[i + 2])));
      recap.set(m[1]!, c);
    }
    assert.deepEqual([...recap.keys()], [...recap.keys()].sort(), `seed ${seed}: recap not sorted`);
    assert.deepEqual(
      Object.fromEntries(recap),
      Object.fromEntries(counts),
      `seed ${seed}: recap differs from results`,
    );
    for (const l of lines.filter((l) => l.startsWith("FAILED - RETRYING"))) {
      assert.match(l, /^FAILED - RETRYING: \[\S+\]: .+ \(\d retries left\)\.$/);
    }
  }
});

Deno.test("ansible: handlers run only on hosts that changed a task of their role in that play", async () => {
  let handlersSeen = 0;
  for (const seed of SEEDS.slice(0, 30)) {
    const run = await captureModule(ansible, { seed, cols: 80 });
    let changedByRole = new Map<string, Set<string>>();
    let section: { kind: string; role: string } | undefined;
    for (const line of run.output.split("\n")) {
      const b = line.match(/^(PLAY|TASK|RUNNING HANDLER) \[(?:([^\]:]+) : )?[^\]]*\] \*+$/);
      if (b) {
        if (b[1] === "PLAY") changedByRole = new Map();
        section = { kind: b[1]!, role: b[2] ?? "" };
        continue;
      }
      const r = line.match(/^changed: \[([^\]]+)\]/);
      if (!r || !section) continue;
      if (section.kind === "TASK") {
        const set = changedByRole.get(section.role) ?? new Set();
        set.add(r[1]!);
        changedByRole.set(section.role, set);
      } else if (section.kind === "RUNNING HANDLER") {
        handlersSeen++;
        assert.ok(
          changedByRole.get(section.role)?.has(r[1]!),
          `seed ${seed}: ${line} not notified`,
        );
      }
    }
  }
  assert.ok(handlersSeen > 0, "no handler ran in 30 seeds");
});

Deno.test("ansible: one inventory per run: interpreters, warnings and the release agree", async () => {
  let warned = 0, deploys = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const run = await captureModule(ansible, { seed, cols: 100, tty: seed % 2 === 0 });
    const lines = run.transcript.split("\n");
    // Every host whose facts were gathered, and each warning's host and interpreter.
    const gathered = new Set<string>();
    let inFacts = false;
    for (const l of lines) {
      if (/^TASK \[/.test(l)) inFacts = l.startsWith("TASK [Gathering Facts]");
      const m = l.match(/^ok: \[(\S+)\]$/);
      if (inFacts && m) gathered.add(m[1]!);
    }
    const warnings = lines.filter((l) => l.startsWith("[WARNING]: Host "));
    const python = new Map<string, string>();
    const docs = new Set<string>();
    for (const w of warnings) {
      const m = w.match(
        /^\[WARNING\]: Host '(\S+)' is using the discovered Python interpreter at '\/usr\/bin\/python(3\.\d+)', but future installation of another Python interpreter could cause a different interpreter to be discovered\. See https:\/\/docs\.ansible\.com\/ansible-core\/(2\.\d+)\/reference_appendices\/interpreter_discovery\.html for more information\.$/,
      );
      assert.ok(m, `seed ${seed}: ${w}`);
      assert.ok(!python.has(m[1]!), `seed ${seed}: ${m[1]} warned twice`);
      python.set(m[1]!, m[2]!);
      docs.add(m[3]!);
    }
    assert.ok(docs.size <= 1, `seed ${seed}: two ansible-core versions`);
    // Discovery warns on every host it discovers, or on none.
    if (warnings.length > 0) {
      warned++;
      for (const h of gathered) {
        assert.ok(python.has(h), `seed ${seed}: ${h} not warned`);
      }
    }
    // Hosts of one group (same name once digits are dropped) run one distribution.
    const byGroup = new Map<string, Set<string>>();
    for (const [h, v] of python) {
      if (/^(10\.|ip-)/.test(h)) continue;
      const key = h.replace(/\d+/g, "#");
      byGroup.set(key, (byGroup.get(key) ?? new Set()).add(v));
    }
    for (const [key, versions] of byGroup) {
      assert.equal(versions.size, 1, `seed ${seed}: ${key} runs ${[...versions]}`);
    }
    // One release for every host of the run.
    const releases = new Set(lines.filter((l) => l.includes('"msg": "Deploying ')));
    if (releases.size > 0) deploys++;
    assert.ok(releases.size <= 1, `seed ${seed}: ${[...releases]}`);
    // EC2 internal names carry the address only.
    for (const m of run.transcript.matchAll(/\[(\S+\.compute\.internal)\]/g)) {
      assert.match(m[1]!, /^ip-10-\d+-\d+-\d+\.[a-z]+-[a-z]+-\d\.compute\.internal$/);
    }
  }
  assert.ok(warned >= 5 && deploys >= 5, `warned ${warned}, deploys ${deploys}`);
});

Deno.test("ansible snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(ansible, { seed: 1, cols: 80 })).output);
});
