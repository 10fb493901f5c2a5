/**
 * terraform format tests: the Plan line, the resource blocks, the apply
 * events and `Apply complete!` all agree; each resource's heartbeats are
 * 10 s apart and end before its completion time; no more than ten resources
 * are in flight; attributes in a block are aligned as Terraform aligns them.
 */

import assert from "node:assert/strict";
import { elapsedTag, goDuration, terraform } from "../modules/terraform.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

/** Seconds from a Go duration (`12s`, `1m5s`). */
function goSeconds(text: string): number {
  const m = text.match(/^(?:(\d+)m)?(\d+)s$/);
  assert.ok(m, `bad Go duration ${text}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
}

Deno.test("terraform: durations use Go's and Terraform's formats", () => {
  assert.equal(goDuration(12.7), "12s");
  assert.equal(goDuration(65), "1m5s");
  assert.equal(goDuration(120), "2m0s");
  assert.equal(elapsedTag(10), "00m10s");
  assert.equal(elapsedTag(130), "02m10s");
});

Deno.test("terraform: plan, apply events and Apply complete agree over many seeds", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(terraform, { seed, cols: 80 });
    const lines = run.output.split("\n");
    const plan = run.output.match(/^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\.$/m);
    const done = run.output.match(
      /^Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed\.$/m,
    );
    assert.ok(plan && done, `seed ${seed}: summary missing`);
    const [add, change, destroy] = [Number(plan[1]), Number(plan[2]), Number(plan[3])];
    assert.deepEqual(
      [done[1], done[2], done[3]].map(Number),
      [add, change, destroy],
      `seed ${seed}`,
    );
    assert.ok(add + change + destroy > 0, `seed ${seed}: empty plan`);

    const headers = (suffix: string) =>
      lines.filter((l) => new RegExp(`^  # \\S+ ${suffix}$`).test(l)).map((l) => l.split(" ")[3]!);
    const created = headers("will be created");
    const updated = headers("will be updated in-place");
    const destroyed = headers("will be destroyed");
    const replaced = headers("must be replaced");
    assert.equal(created.length + replaced.length, add, `seed ${seed}: blocks vs to add`);
    assert.equal(updated.length, change, `seed ${seed}: blocks vs to change`);
    assert.equal(destroyed.length + replaced.length, destroy, `seed ${seed}: blocks vs to destroy`);

    const events = lines.filter((l) =>
      /^\S+: (Creating|Modifying|Destroying|Still|Creation|Modifications|Destruction)/.test(l)
    );
    const count = (re: RegExp) => events.filter((l) => re.test(l)).length;
    assert.equal(count(/: Creation complete after \S+ \[id=.+\]$/), add, `seed ${seed}: creations`);
    assert.equal(
      count(/: Modifications complete after \S+ \[id=.+\]$/),
      change,
      `seed ${seed}: modifications`,
    );
    assert.equal(count(/: Destruction complete after \S+$/), destroy, `seed ${seed}: destructions`);

    // Per resource: start, heartbeats every 10 s, completion not earlier than the last heartbeat.
    const inFlight = new Set<string>();
    let maxInFlight = 0;
    const beats = new Map<string, number[]>();
    const key = (addr: string, verb: string) => `${addr} ${verb}`;
    for (const e of events) {
      const [addr, rest] = [e.slice(0, e.indexOf(": ")), e.slice(e.indexOf(": ") + 2)];
      const verb = /^(Creat|Still creating)/.test(rest)
        ? "create"
        : /^(Modif|Still modifying)/.test(rest)
        ? "update"
        : "destroy";
      const k = key(addr, verb);
      if (/^(Creating|Modifying|Destroying)\.\.\./.test(rest)) {
        assert.ok(!inFlight.has(k), `seed ${seed}: ${k} started twice`);
        inFlight.add(k);
        maxInFlight = Math.max(maxInFlight, inFlight.size);
        beats.set(k, []);
        if (verb === "create" && replaced.includes(addr)) {
          const gone = events.findIndex((x) => x.startsWith(`${addr}: Destruction complete`));
          assert.ok(
            gone !== -1 && gone < events.indexOf(e),
            `seed ${seed}: ${addr} created too early`,
          );
        }
      } else if (rest.startsWith("Still ")) {
        assert.ok(inFlight.has(k), `seed ${seed}: heartbeat outside a run: ${e}`);
        const m = rest.match(/(\d\d)m(\d\d)s elapsed\]$/);
        assert.ok(m, `seed ${seed}: ${e}`);
        beats.get(k)!.push(Number(m[1]) * 60 + Number(m[2]));
      } else {
        assert.ok(inFlight.delete(k), `seed ${seed}: completion without a start: ${e}`);
        const after = goSeconds(rest.match(/after (\S+)/)![1]!);
        const b = beats.get(k)!;
        b.forEach((s, i) => assert.equal(s, (i + 1) * 10, `seed ${seed}: ${k} heartbeat ${s}`));
        assert.ok(
          after >= (b.at(-1) ?? 0),
          `seed ${seed}: ${k} finished after ${after}s, beat ${b.at(-1)}`,
        );
      }
    }
    assert.equal(inFlight.size, 0, `seed ${seed}: unfinished ${[...inFlight]}`);
    assert.ok(maxInFlight <= 10, `seed ${seed}: ${maxInFlight} resources in flight`);

    // Attribute alignment: every `+ name = value` row of a create block has its `=` in one column.
    let column: number | undefined;
    for (const l of lines) {
      if (/^ {2}\+ resource /.test(l)) column = undefined;
      const m = l.match(/^ {6}\+ (\S+ *)= /);
      if (!m) continue;
      const at = l.indexOf(" = ");
      column ??= at;
      assert.equal(at, column, `seed ${seed}: misaligned ${l}`);
    }
  }
});

Deno.test("terraform snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(terraform, { seed: 1, cols: 80 })).output);
});
