/**
 * kubectl format tests: every rollout message follows from one simulated
 * rollout (counts only move forward, the desired count is the replica count the
 * final listing shows), pod names carry exactly two ReplicaSet hashes, each
 * pod's watch events follow the kubelet's lifecycle with growing ages, the
 * watch columns only widen, and helm's release facts agree with each other.
 */

import assert from "node:assert/strict";
import data from "../data/kubectl.json" with { type: "json" };
import {
  GrowingTable,
  humanDuration,
  kubectl,
  planWorld,
  rolloutMessage,
  simulate,
} from "../modules/kubectl.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

/** Parses a HumanDuration back to seconds (lower bound). */
function ageSeconds(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+)([ydhms])/g)) {
    total += Number(m[1]) * { y: 31_536_000, d: 86_400, h: 3600, m: 60, s: 1 }[m[2] as "s"];
  }
  return total;
}

Deno.test("kubectl: HumanDuration and rollout messages match kubectl", () => {
  assert.equal(humanDuration(5_000), "5s");
  assert.equal(humanDuration(119_000), "119s");
  assert.equal(humanDuration(150_000), "2m30s");
  assert.equal(humanDuration(45 * 60_000), "45m");
  assert.equal(humanDuration((4 * 60 + 12) * 60_000), "4h12m");
  assert.equal(humanDuration(30 * 3_600_000), "30h");
  assert.equal(humanDuration(99 * 3_600_000), "4d3h");
  assert.equal(humanDuration(15 * 86_400_000), "15d");
  assert.equal(
    rolloutMessage("web", 3, { updated: 1, replicas: 4, available: 3 }),
    'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
  );
  assert.equal(
    rolloutMessage("web", 3, { updated: 3, replicas: 4, available: 3 }),
    'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
  );
  assert.equal(
    rolloutMessage("web", 3, { updated: 3, replicas: 3, available: 2 }),
    'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
  );
  assert.equal(
    rolloutMessage("web", 3, { updated: 3, replicas: 3, available: 3 }),
    'deployment "web" successfully rolled out',
  );
  const t = new GrowingTable();
  const a = t.row(["NAME", "STATUS", "AGE"]);
  const b = t.row(["p", "ContainerCreating", "0s"]);
  const c = t.row(["p", "Running", "1s"]);
  assert.equal(a, "NAME   STATUS   AGE");
  assert.equal(b.indexOf("0s"), c.indexOf("1s"), "widths shrank after a wide row");
});

Deno.test("kubectl: the simulated controller keeps RollingUpdate's bounds", () => {
  for (const seed of SEEDS) {
    const rng = new Rng(seed);
    const w = planWorld(rng);
    const r = simulate(rng, w);
    for (const { c } of r.counters) {
      assert.ok(c.replicas <= w.replicas + w.surge, `seed ${seed}: surge exceeded`);
      if (!w.firstInstall) {
        assert.ok(c.available >= w.replicas - w.unavailable, `seed ${seed}: too few available`);
      }
    }
    const last = r.counters.at(-1)!.c;
    assert.deepEqual(last, { updated: w.replicas, replicas: w.replicas, available: w.replicas });
  }
});

Deno.test("kubectl: output agrees with one rollout over many seeds", async () => {
  const modes = new Set<string>();
  let crashes = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(kubectl, { seed, cols: 120 });
    const lines = run.output.trimEnd().split("\n");
    const app = run.output.match(/deployment\/([a-z-]+) |name=([a-z-]+)/);
    const name = app?.[1] ?? app?.[2];
    assert.ok(name, `seed ${seed}: no app`);
    assert.ok(data.apps.some((a) => a.name === name), `seed ${seed}: unknown app ${name}`);

    // apply: the files' order, the deployment always changes.
    const applied = lines.filter((l) => / (configured|unchanged|created)$/.test(l));
    if (applied.length > 0) {
      modes.add("apply");
      assert.ok(applied.includes(`deployment.apps/${name} configured`), `seed ${seed}: deployment`);
      const files = applied.map((l) => {
        const ref = l.split(" ")[0]!;
        const kind = Object.values(data.kinds).find((k) => k.ref.replace("{app}", name) === ref);
        assert.ok(kind, `seed ${seed}: unknown resource ${ref}`);
        return kind.file;
      });
      assert.deepEqual(files, [...files].sort(), `seed ${seed}: not in file order`);
    }

    // Pod names: two ReplicaSet hashes at most, old pods and new pods.
    const podRe = new RegExp(
      `^(${name}-([bcdfghjklmnpqrstvwxz2456789]{9,10})-[bcdfghjklmnpqrstvwxz2456789]{5}) +`,
    );
    const podRows = lines.map((l) => l.match(podRe)).filter((m) => m !== null);
    const hashes = new Set(podRows.map((m) => m[2]));
    assert.ok(hashes.size <= 2, `seed ${seed}: ${hashes.size} ReplicaSets`);

    // rollout status: counts move forward and the desired count is the deployment's.
    const status = lines.filter((l) => l.startsWith('Waiting for deployment "'));
    let desired = 0;
    let lastUpdated = 0;
    for (const l of status) {
      const m = l.match(/: (\d+) out of (\d+) new replicas have been updated\.\.\.$/);
      if (m) {
        assert.ok(Number(m[1]) >= lastUpdated, `seed ${seed}: updated went back`);
        lastUpdated = Number(m[1]);
        desired ||= Number(m[2]);
        assert.equal(Number(m[2]), desired, `seed ${seed}: desired changed`);
      }
    }
    if (lines.some((l) => l.includes("kubectl rollout status"))) {
      modes.add("rollout");
      assert.ok(
        lines.includes(`deployment "${name}" successfully rolled out`),
        `seed ${seed}: the rollout never finished`,
      );
    }

    // Final listing: the desired number of new pods, all ready.
    const header = lines.lastIndexOf(lines.find((l) => l.startsWith("NAME "))!);
    if (header >= 0 && !lines.at(-1)!.startsWith("^C")) {
      const rows = lines.slice(header + 1).map((l) => l.split(/ {3,}/));
      const running = rows.filter((r) => r[2] === "Running");
      assert.ok(running.every((r) => r[1] === "1/1"), `seed ${seed}: unready pod at the end`);
      const newHash = running[0]![0]!.split("-").at(-2);
      assert.ok(
        running.every((r) => r[0]!.includes(`-${newHash}-`)),
        `seed ${seed}: old pod running`,
      );
      if (desired > 0) assert.equal(running.length, desired, `seed ${seed}: replicas`);
    }

    // Watch: each pod's events follow the lifecycle with growing ages.
    if (lines.at(-1) === "^C") {
      modes.add("watch");
      const start = lines.findIndex((l) => l.startsWith("NAME "));
      let lastStarts = [0, 0, 0, 0, 0];
      const byPod = new Map<string, { status: string; ready: string; age: number }[]>();
      for (const l of lines.slice(start + 1, -1)) {
        const cells = l.split(/ {3,}/);
        const starts: number[] = [];
        let end = 0;
        for (const cell of cells) {
          starts.push(l.indexOf(cell, end));
          end = starts.at(-1)! + cell.length;
        }
        assert.ok(starts.every((x, i) => x >= lastStarts[i]!), `seed ${seed}: a column narrowed`);
        lastStarts = starts;
        const list = byPod.get(cells[0]!) ?? [];
        list.push({ status: cells[2]!, ready: cells[1]!, age: ageSeconds(cells[4]!) });
        byPod.set(cells[0]!, list);
      }
      const allowed: Record<string, string[]> = {
        Pending: ["Pending", "ContainerCreating"],
        ContainerCreating: ["Running"],
        Running: ["Running", "Error", "Terminating"],
        Error: ["Running", "CrashLoopBackOff"],
        CrashLoopBackOff: ["Running"],
        Terminating: ["Terminating"],
      };
      for (const [pod, events] of byPod) {
        for (let k = 1; k < events.length; k++) {
          const [a, b] = [events[k - 1]!, events[k]!];
          assert.ok(
            allowed[a.status]!.includes(b.status),
            `seed ${seed}: ${pod} ${a.status} → ${b.status}`,
          );
          assert.ok(b.age >= a.age, `seed ${seed}: ${pod} got younger`);
        }
        if (events.some((e) => e.status === "CrashLoopBackOff")) {
          crashes++;
          assert.equal(events.at(-1)!.ready, "1/1", `seed ${seed}: ${pod} never recovered`);
        }
      }
    }

    // helm: a first install is revision 1, an upgrade is not.
    const revision = run.output.match(/^REVISION: (\d+)$/m);
    if (revision) {
      modes.add("helm");
      const installing = run.output.includes(
        `Release "${name}" does not exist. Installing it now.`,
      );
      assert.equal(revision[1] === "1", installing, `seed ${seed}: revision ${revision[1]}`);
      assert.match(
        run.output,
        /^LAST DEPLOYED: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/m,
      );
      const repos = lines.filter((l) => l.startsWith("...Successfully got an update from the "));
      assert.equal(new Set(repos).size, repos.length, `seed ${seed}: a repository twice`);
    }
  }
  assert.deepEqual([...modes].sort(), ["apply", "helm", "rollout", "watch"]);
  assert.ok(crashes > 0, "no CrashLoopBackOff in any watched run");
});

Deno.test("kubectl snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(kubectl, { seed: 1, cols: 80 })).output);
});
