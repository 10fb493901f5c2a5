/**
 * gradle format tests: in the plain console every task of the graph appears
 * once, in order, with a valid outcome; `N actionable tasks: …` counts exactly
 * the tasks with actions above it; a failing test stops the build with the
 * right task named and `BUILD FAILED`; lifecycle tasks are UP-TO-DATE only
 * when their inputs did no work. The rich console's bar is well formed, only
 * grows within a phase, and only tasks with output get headers.
 */

import assert from "node:assert/strict";
import {
  actionableLine,
  gradle,
  type GradlePlan,
  gradleTime,
  mavenHeader,
  type MavenPlan,
  planRun,
} from "../modules/gradle.ts";
import { Rng } from "../core/rng.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

function drawFor(seed: number) {
  return planRun(new Rng(seed).fork());
}

/** The Gradle plan of a seed, or undefined when that run builds with Maven. */
function planFor(seed: number): GradlePlan | undefined {
  const d = drawFor(seed);
  return d.tool === "gradle" ? d.plan : undefined;
}

function mavenFor(seed: number): MavenPlan | undefined {
  const d = drawFor(seed);
  return d.tool === "maven" ? d.plan : undefined;
}

Deno.test("gradle: build time and actionable line formats", () => {
  assert.equal(gradleTime(41_600), "42s");
  assert.equal(gradleTime(67_000), "1m 7s");
  const plan = SEEDS.map(planFor).find((p) => p !== undefined)!;
  assert.match(
    actionableLine(plan.tasks),
    /^\d+ actionable tasks?: \d+ (executed|from cache|up-to-date)/,
  );
});

Deno.test("gradle: the plain console lists the graph and the counts add up", async () => {
  let failed = 0;
  const kinds = new Set<string>();
  for (const seed of SEEDS) {
    const plan = planFor(seed);
    if (!plan) continue;
    kinds.add(plan.kotlin ? "kotlin" : "java");
    const run = await captureModule(gradle, { seed, cols: 120 });
    const lines = run.output.trimEnd().split("\n");
    const headers = lines.filter((l) => l.startsWith("> Task "));
    const parsed = headers.map((h) => {
      const m = h.match(/^> Task (\S+)(?: (UP-TO-DATE|FROM-CACHE|NO-SOURCE|SKIPPED))?( FAILED)?$/);
      assert.ok(m, `seed ${seed}: ${h}`);
      return { path: m[1]!, outcome: m[2] ?? "executed", failed: m[3] !== undefined };
    });
    const paths = parsed.map((p) => p.path);
    assert.deepEqual(paths, plan.tasks.slice(0, paths.length).map((t) => t.path), `seed ${seed}`);
    const failedAt = parsed.findIndex((p) => p.failed);
    if (failedAt < 0) assert.equal(paths.length, plan.tasks.length, `seed ${seed}: graph cut`);
    else assert.equal(failedAt, paths.length - 1, `seed ${seed}: tasks after the failure`);
    const actionable = new Set(plan.tasks.filter((t) => t.actionable).map((t) => t.path));
    const counted = parsed.filter((p) =>
      actionable.has(p.path) && p.outcome !== "NO-SOURCE" && p.outcome !== "SKIPPED"
    );
    const n = (o: string) => counted.filter((p) => p.outcome === o).length;
    const expected = `${counted.length} actionable task${counted.length === 1 ? "" : "s"}: ${
      [
        n("executed") ? `${n("executed")} executed` : "",
        n("FROM-CACHE") ? `${n("FROM-CACHE")} from cache` : "",
        n("UP-TO-DATE") ? `${n("UP-TO-DATE")} up-to-date` : "",
      ].filter((x) => x).join(", ")
    }`;
    assert.equal(lines.at(-1), expected, `seed ${seed}: actionable line`);
    const verdict = lines.at(-2)!.match(/^BUILD (SUCCESSFUL|FAILED) in (\d+m )?\d+s$/);
    assert.ok(verdict, `seed ${seed}: ${lines.at(-2)}`);
    assert.equal(verdict[1] === "FAILED", failedAt >= 0, `seed ${seed}: verdict`);
    if (failedAt >= 0) {
      failed++;
      const task = parsed[failedAt]!.path;
      assert.ok(lines.includes(`Execution failed for task '${task}'.`), `seed ${seed}`);
      assert.ok(lines.some((l) => /^\d+ tests? completed, 1 failed$/.test(l)), `seed ${seed}`);
      assert.ok(task.endsWith(":test"), `seed ${seed}: ${task} failed`);
    }
    // Lifecycle tasks did no work only if what they depend on did none.
    for (const p of parsed) {
      if (actionable.has(p.path) || p.outcome !== "UP-TO-DATE") continue;
      if (p.path.endsWith(":check")) {
        const test = parsed.find((q) => q.path === p.path.replace(/check$/, "test"));
        assert.ok(test && test.outcome !== "executed", `seed ${seed}: ${p.path} after a test run`);
      }
    }
    // Compiler warnings come under the task that compiled.
    lines.forEach((l, i) => {
      if (!l.startsWith("w: file://")) return;
      assert.equal(
        lines.slice(0, i).filter((x) => x.startsWith("> Task ")).at(-1),
        "> Task :compileKotlin",
      );
    });
  }
  assert.deepEqual([...kinds].sort(), ["java", "kotlin"]);
  assert.ok(failed > 2 && failed < SEEDS.length / 2, `${failed} failed builds`);
});

Deno.test("gradle: the rich console's bar is well formed and only grows", async () => {
  for (const seed of SEEDS.slice(0, 15)) {
    if (!planFor(seed)) continue;
    const run = await captureModule(gradle, { seed, cols: 120, tty: true });
    let last = -1;
    let phase = "";
    for (const u of run.live) {
      if (u.lines.length === 0) continue;
      const m = u.lines[0]!.match(/^<(=*)(-*)> (\d+)% (CONFIGURING|EXECUTING) \[(\d+m )?\d+s\]$/);
      assert.ok(m, `seed ${seed}: ${u.lines[0]}`);
      assert.equal(m[1]!.length + m[2]!.length, 13);
      // Each phase (configuring, executing) has its own progress.
      if (m[4] !== phase) last = -1;
      phase = m[4]!;
      assert.ok(Number(m[3]) >= last, `seed ${seed}: bar went back`);
      last = Number(m[3]);
    }
    const plain = await captureModule(gradle, { seed, cols: 120 });
    const richHeaders = run.transcript.split("\n").filter((l) => l.startsWith("> Task ")).length;
    const plainHeaders = plain.output.split("\n").filter((l) => l.startsWith("> Task ")).length;
    assert.ok(richHeaders < plainHeaders, `seed ${seed}: rich console prints every task`);
  }
});

Deno.test("gradle: Maven's Results add up the test classes and decide the verdict", async () => {
  let runs = 0;
  assert.equal(mavenHeader("com.acme:billing").length, 72);
  assert.equal(mavenHeader("jar", "[ ", " ]"), `${"-".repeat(32)}[ jar ]${"-".repeat(33)}`);
  for (const seed of Array.from({ length: 120 }, (_, i) => i + 1)) {
    const plan = mavenFor(seed);
    if (!plan) continue;
    runs++;
    const run = await captureModule(gradle, { seed, cols: 120 });
    const lines = run.output.trimEnd().split("\n");
    const perClass = lines.filter((l) => / -- in \S+$/.test(l) && l.includes("Tests run: "));
    assert.equal(perClass.length, plan.classes.length, `seed ${seed}: one result per class`);
    const sum = (k: string) =>
      perClass.reduce((a, l) => a + Number(l.match(new RegExp(`${k}: (\\d+)`))![1]), 0);
    const total = lines.find((l) =>
      /^\[(INFO|ERROR)\] Tests run: \d+, Failures: \d+, Errors: 0, Skipped: \d+$/.test(l)
    )!;
    assert.ok(total, `seed ${seed}: no Results line`);
    assert.equal(
      total.replace(/^\[(INFO|ERROR)\] /, ""),
      `Tests run: ${sum("Tests run")}, Failures: ${sum("Failures")}, Errors: 0, Skipped: ${
        sum("Skipped")
      }`,
    );
    const failed = sum("Failures") > 0;
    assert.equal(lines.includes("[INFO] BUILD FAILURE"), failed, `seed ${seed}`);
    assert.equal(lines.includes("[INFO] BUILD SUCCESS"), !failed, `seed ${seed}`);
    assert.equal(lines.some((l) => l.includes("spring-boot:3.5.6:repackage")), !failed);
    const secs = Number(lines.find((l) => l.startsWith("[INFO] Total time:  "))!.slice(20, -2));
    assert.ok(secs * 1000 <= run.pretendMs + 1, `seed ${seed}: Total time`);
    // Each download finishes before the next starts, from Maven Central.
    const down = lines.filter((l) => l.startsWith("Downloading from central: "));
    const done = lines.filter((l) => l.startsWith("Downloaded from central: "));
    assert.equal(down.length, done.length);
    assert.equal(down.length > 0, plan.coldRepo, `seed ${seed}: downloads on a warm ~/.m2`);
  }
  assert.ok(runs > 10, `${runs} Maven runs`);
});

Deno.test("gradle snapshot, seed 2 at 100 columns", async (t) => {
  await t.assertSnapshot((await captureModule(gradle, { seed: 2, cols: 100 })).output);
});

Deno.test("gradle snapshot, a Maven run at 100 columns", async (t) => {
  const seed = Array.from({ length: 120 }, (_, i) => i + 1).find((s) => mavenFor(s))!;
  await t.assertSnapshot((await captureModule(gradle, { seed, cols: 100 })).output);
});
