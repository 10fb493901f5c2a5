/**
 * terraform format tests: the Plan line, the resource blocks, the apply
 * events and `Apply complete!` all agree; each resource's heartbeats are
 * 10 s apart and end before its completion time; no more than ten resources
 * are in flight; attributes in a block are aligned as Terraform aligns them.
 */

import assert from "node:assert/strict";
import { Rng } from "../core/rng.ts";
import {
  base64url,
  elapsedTag,
  goDuration,
  type NestedBlock,
  planStack,
  schedule,
  terraform,
} from "../modules/terraform.ts";
import data from "../data/terraform.json" with { type: "json" };
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

/** Minutes a managed database or cluster really takes to create, at least and at most. */
const SLOW_TYPES: Record<string, [number, number]> = {
  aws_db_instance: [4, 18],
  aws_elasticache_replication_group: [5, 18],
  azurerm_kubernetes_cluster: [4, 12],
  azurerm_postgresql_flexible_server: [4, 18],
  google_container_cluster: [5, 14],
  google_sql_database_instance: [4, 19],
};

/** The output name → resource type table, read from the data. */
const OUTPUT_TYPES = new Map(
  Object.values(data.outputs).flat().map(([name, type]) => [name!, type!] as const),
);

Deno.test("terraform: one world per run: ids, names, outputs and durations agree", async () => {
  let slowSeen = 0;
  for (const seed of Array.from({ length: 120 }, (_, i) => i + 1)) {
    const run = await captureModule(terraform, { seed, cols: 100 });
    const lines = run.output.split("\n");
    const idsOf = new Map<string, Set<string>>();
    const note = (addr: string, id: string) => {
      const set = idsOf.get(addr) ?? new Set();
      idsOf.set(addr, set.add(id));
    };
    for (const l of lines) {
      const m = l.match(
        /^(\S+): (?:Refreshing state\.\.\.|Modifying\.\.\.|Destroying\.\.\.) \[id=(.+)\]$/,
      ) ??
        l.match(/^(\S+): (?:Creation|Modifications) complete after \S+ \[id=(.+)\]$/) ??
        l.match(/^(\S+): Read complete after \S+ \[id=(.+)\]$/);
      if (m) note(m[1]!, m[2]!);
    }
    const headers = lines.map((l) => l.match(/^ {2}# (\S+) (will be|must be) (\S+)/)).filter((m) =>
      m !== null
    );
    // An existing resource keeps its id through refresh and change; a replacement gets a new one.
    for (const [addr, ids] of idsOf) {
      const replaced = headers.some((h) => h[1] === addr && h[3] === "replaced");
      assert.ok(ids.size <= (replaced ? 2 : 1), `seed ${seed}: ${addr} has ids ${[...ids]}`);
    }
    // Plan blocks are sorted by address, as Terraform sorts resource changes.
    const addrs = headers.map((h) => h[1]!);
    assert.deepEqual(addrs, [...addrs].sort(), `seed ${seed}: plan order`);

    // Outputs refer to resources the stack has after apply, with the same ids.
    const destroyed = new Set(headers.filter((h) => h[3] === "destroyed").map((h) => h[1]!));
    const live = [...idsOf.keys(), ...addrs].filter((a) =>
      !destroyed.has(a) && !a.startsWith("data.")
    );
    const outputs = lines.slice(lines.indexOf("Outputs:") + 1).map((l) =>
      l.match(/^(\w+) = "(.*)"$/)
    )
      .filter((m) => m !== null);
    assert.equal(lines.includes("Outputs:"), outputs.length > 0, `seed ${seed}: Outputs block`);
    const allIds = [...idsOf.values()].flatMap((s) => [...s]);
    for (const [, name, value] of outputs) {
      const type = OUTPUT_TYPES.get(name!);
      assert.ok(type, `seed ${seed}: unknown output ${name}`);
      assert.ok(
        live.some((a) => a.split(".").includes(type)),
        `seed ${seed}: output ${name} without a live ${type}`,
      );
      if (/_id$|^bucket_name$|^queue_url$|self_link$/.test(name!)) {
        assert.ok(allIds.some((id) => value!.endsWith(id)), `seed ${seed}: ${name} = ${value}`);
      }
    }

    // One bucket, one suffix; one IAM role in the plan and the id; one hosted zone; one AMI.
    const s3 = new Set(
      [...idsOf].filter(([a]) => /aws_s3_bucket/.test(a)).flatMap(([, ids]) => [...ids]),
    );
    assert.ok(s3.size <= 1, `seed ${seed}: buckets ${[...s3]}`);
    const planRoles = [...run.output.matchAll(/role += "roles\/([\w.]+)"/g)].map((m) => m[1]);
    const idRoles = allIds.map((id) => id.match(/\/roles\/([\w.]+)\/serviceAccount:/)?.[1])
      .filter((r) => r !== undefined);
    for (const r of idRoles) {
      assert.ok(planRoles.length === 0 || planRoles.includes(r), `seed ${seed}: role ${r}`);
    }
    const zone = idsOf.get("data.aws_route53_zone.primary");
    for (const [a, ids] of idsOf) {
      if (!a.includes("aws_route53_record") || !zone) continue;
      for (const id of ids) assert.ok(id.startsWith(`${[...zone][0]}_`), `seed ${seed}: ${id}`);
    }
    const ami = idsOf.get("data.aws_ami.ubuntu");
    for (const m of run.output.matchAll(/\+ ami +\S* = "(ami-\w+)"/g)) {
      assert.ok(ami?.has(m[1]!), `seed ${seed}: instance AMI ${m[1]} is not the data source's`);
    }
    // The Azure client config id is the base64 of its ids, with the run's subscription.
    const client = idsOf.get("data.azurerm_client_config.current");
    if (client) {
      const text = atob([...client][0]!);
      const sub = text.match(/subscriptionId=([0-9a-f-]{36});/)?.[1];
      assert.ok(text.startsWith("clientConfigs/clientId=") && sub, `seed ${seed}: ${text}`);
      for (const id of allIds.filter((i) => i.startsWith("/subscriptions/"))) {
        assert.ok(id.startsWith(`/subscriptions/${sub}`), `seed ${seed}: ${id}`);
      }
    }
    // Every brace, bracket and parenthesis of the plan closes two columns right of its opener's
    // sign (a bare `{` of a jsonencode value closes in its own column).
    const open: number[] = [];
    const plan = lines.slice(lines.indexOf("Terraform will perform the following actions:"));
    for (const l of plan.slice(0, plan.findIndex((x) => x.startsWith("Plan: ")))) {
      const indent = l.startsWith("-/+") ? 2 : l.search(/\S/);
      if (/^\s*[}\])],?$/.test(l)) {
        assert.equal(
          indent,
          (open.pop() ?? -9) + 2,
          `seed ${seed}: misplaced ${JSON.stringify(l)}`,
        );
      } else if (/[{[(]$/.test(l)) open.push(/^\s*[-+~]/.test(l) ? indent : indent - 2);
    }
    assert.equal(open.length, 0, `seed ${seed}: unclosed blocks`);
    // GCP names allow no underscores.
    for (const m of run.output.matchAll(/firewalls\/(\S+?)\]/g)) {
      assert.match(m[1]!, /^[a-z][-a-z0-9]*$/, `seed ${seed}`);
    }

    // Managed databases and clusters take the minutes they really take.
    for (const l of lines) {
      const m = l.match(/^(?:module\.\w+\.)?(\w+)\.\S+: Creation complete after (\S+)/);
      const range = m && SLOW_TYPES[m[1]!];
      if (!range) continue;
      slowSeen++;
      const s = goSeconds(m[2]!);
      assert.ok(s >= range[0] * 60 && s <= range[1] * 60, `seed ${seed}: ${l}`);
    }
    assert.ok(run.pretendMs <= terraform.maxDurationMs!, `seed ${seed}: ${run.pretendMs} ms`);
  }
  assert.ok(slowSeen >= 10, `only ${slowSeen} slow resources in 120 seeds`);
});

Deno.test("terraform: random_id's id is its 4 bytes in base64url, and the bucket suffix is its hex", async () => {
  assert.equal(base64url("fb00ff10"), "-wD_EA");
  let named = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const { output } = await captureModule(terraform, { seed });
    const rid = output.match(
      /^random_id\.\w+: (?:Creation complete after \d+s|Refreshing state\.\.\.) \[id=([^\]]+)\]$/m,
    )?.[1];
    if (rid === undefined) continue;
    assert.match(
      rid,
      /^[A-Za-z0-9_-]{6}$/,
      `seed ${seed}: byte_length 4 is 6 base64url characters`,
    );
    const bytes = atob(rid.replaceAll("-", "+").replaceAll("_", "/") + "==");
    const hex = [...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
    const buckets = [
      ...output.matchAll(/^aws_s3_bucket\.\w+: \S.*\[id=[a-z0-9-]+-([0-9a-f]{8})\]$/gm),
    ];
    for (const b of buckets) assert.equal(b[1], hex, `seed ${seed}: ${b[0]} vs random_id ${rid}`);
    if (buckets.length > 0) named++;
  }
  assert.ok(named > 0, "random_id never came with a bucket");
});

Deno.test("terraform: a new random_id means a new bucket, named after apply and created after it", () => {
  let fresh = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const rng = new Rng(seed);
    const { resources } = planStack(rng);
    const rid = resources.find((r) => r.type.type === "random_id");
    const buckets = resources.filter((r) => r.type.type === "aws_s3_bucket");
    if (rid?.action !== "create" || buckets.length === 0) continue;
    fresh++;
    const ops = schedule(rng, resources);
    const ridOp = ops.find((o) => o.resource === rid)!;
    for (const b of buckets) {
      assert.equal(b.action, "create", `seed ${seed}: an existing bucket with a new suffix`);
      assert.ok(b.attrs.some(([k, v]) => k === "bucket" && v === "(known after apply)"), `${seed}`);
      const op = ops.find((o) => o.resource === b && o.kind === "create")!;
      assert.ok(op.start >= ridOp.end, `seed ${seed}: bucket created before random_id`);
    }
  }
  assert.ok(fresh > 5, `only ${fresh} stacks with a new random_id and a bucket`);
});

Deno.test("terraform: DNS records live in a current-format zone of the project's own domain", async () => {
  let records = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const { output } = await captureModule(terraform, { seed });
    for (const m of output.matchAll(/\[id=(Z[0-9A-Z]+)_[\w-]+\.([\w.-]+)_A\]/g)) {
      assert.match(m[1]!, /^Z0\d{7}[0-9A-Z]{12}$/, `seed ${seed}: zone id ${m[1]}`);
      const domain = m[2]!;
      assert.ok(!/example\.(com|net|org)$/.test(domain), `seed ${seed}: ${domain}`);
      const project = domain.split(".")[0]!.replace(/^get/, "").replace(/hq$/, "");
      assert.ok(output.includes(`${project}-`), `seed ${seed}: ${domain} is not the project's`);
      records++;
    }
  }
  assert.ok(records > 0, "no DNS record in 200 seeds");
});

Deno.test("terraform: a destroyed resource's reason names it as configured, without module or index", async () => {
  let reasons = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const lines = (await captureModule(terraform, { seed })).output.split("\n");
    lines.forEach((l, i) => {
      const m = l.match(/^ {2}# (\S+) will be destroyed$/);
      if (!m) return;
      const resource = m[1]!.replace(/^(module\.[\w-]+\.)+/, "").replace(/\[\d+\]$/, "");
      assert.equal(
        lines[i + 1],
        `  # (because ${resource} is not in configuration)`,
        `seed ${seed}`,
      );
      reasons++;
    });
  }
  assert.ok(reasons > 10, `only ${reasons} destroyed resources`);
});

Deno.test("terraform: a Cloud Run service of a new service account knows its email after apply", () => {
  let seen = 0;
  const attrsOf = (blocks: NestedBlock[]): [string, string][] =>
    blocks.flatMap((b) => [...b.attrs, ...attrsOf(b.blocks ?? [])] as [string, string][]);
  for (let seed = 1; seed <= 3000; seed++) {
    const rng = new Rng(seed);
    const { resources } = planStack(rng);
    const sa = resources.find((r) => r.type.type === "google_service_account");
    const run = resources.find((r) => r.type.type === "google_cloud_run_v2_service");
    if (sa?.action !== "create" || run?.action !== "create") continue;
    seen++;
    const value = attrsOf(run.blocks).find(([k]) => k === "service_account")?.[1];
    assert.equal(value, "(known after apply)", `seed ${seed}: email known before the account`);
    const ops = schedule(rng, resources);
    const saOp = ops.find((o) => o.resource === sa)!;
    const runOp = ops.find((o) => o.resource === run && o.kind === "create")!;
    assert.ok(runOp.start >= saOp.end, `seed ${seed}: service created before its account`);
  }
  assert.ok(seen > 5, `only ${seen} stacks with both new`);
});

Deno.test("terraform: a pipe gets the prompt but not the typed answer, a terminal both", async () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const plain = (await captureModule(terraform, { seed })).output.split("\n");
    const at = plain.findIndex((l) => l.startsWith("  Enter a value:"));
    assert.equal(
      plain[at],
      "  Enter a value: ",
      `seed ${seed}: the echo of 'yes' is the terminal's`,
    );
    assert.match(plain[at + 1]!, /: (Creating|Modifying|Destroying)\.\.\./, `seed ${seed}`);
    const tty = await captureModule(terraform, { seed, tty: true });
    assert.match(tty.transcript, /^ {2}Enter a value: yes\n\n\S/m, `seed ${seed}`);
  }
});

Deno.test("terraform snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(terraform, { seed: 1, cols: 80 })).output);
});
