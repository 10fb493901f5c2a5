/**
 * terraform: `terraform apply` as Terraform 1.10–1.14 prints it. Data sources
 * are read and existing resources refreshed, the plan is rendered (create,
 * update in-place, destroy, replace, with attributes aligned as Terraform
 * aligns them), `yes` is typed at the prompt, then up to ten resources are
 * applied at once along a dependency graph with per-resource
 * `Still creating... [00m10s elapsed]` heartbeats, and the run ends with
 * `Apply complete! Resources: N added, M changed, K destroyed.` and the outputs.
 *
 * One stack per run: each resource draws its words once (so its name, id and
 * outputs agree), the run shares one project, bucket, IAM role, zone and AMI,
 * types bring what they need (a bucket for its versioning), plan blocks are
 * sorted by address, and every change takes the time its type really takes: a
 * managed database or cluster many minutes, a route table a second.
 *
 * @module
 */

import data from "../data/terraform.json" with { type: "json" };
import { pad } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** A resource type from the data file. */
interface ResourceType {
  type: string;
  tier: number;
  seconds: number[];
  id: string;
  names: string[];
  attrs: string[][];
  tags?: boolean;
  count?: number[];
  force?: string[];
  mutable?: string[];
  module?: string;
  /** Types this one cannot exist without (a bucket for its versioning). */
  needs?: string[];
  /** Nested blocks (`template { containers { … } }`). */
  blocks?: NestedBlock[];
  /** Attributes and blocks that depend on the resource's label (a firewall's rules). */
  byName?: Record<string, { attrs?: string[][]; blocks?: NestedBlock[] }>;
}

/** A nested block of a resource, as the plan shows it. */
export interface NestedBlock {
  name: string;
  attrs: string[][];
  blocks?: NestedBlock[];
}

/** What the plan does to one resource instance. */
export type Action = "create" | "update" | "destroy" | "replace";

/** One resource instance in the plan. */
export interface PlannedResource {
  /** Full address: `module.vpc.aws_subnet.public[1]`. */
  addr: string;
  type: ResourceType;
  name: string;
  index: number | undefined;
  /** What happens to it; undefined when it only gets refreshed. */
  action: Action | undefined;
  /** Its id once it exists (the old id for destroy and replace). */
  id: string;
  /** The id after a replacement. */
  newId: string;
  /** Attribute values with the run's words filled in. */
  attrs: [string, string][];
  /** The attribute that forces a replacement: name, old value, new value. */
  force: string[] | undefined;
  /** The attribute an in-place update changes: name, old value, new value. */
  mutable: string[] | undefined;
  /** The resource's own words (name, label forms, id) for outputs that refer to it. */
  own: Record<string, string>;
  /** Its nested blocks, with the run's words filled in. */
  blocks: NestedBlock[];
  /** Types it waits for besides its type's needs (a bucket named from a new `random_id`). */
  after?: string[];
}

/** One scheduled change during apply. */
export interface ApplyOp {
  resource: PlannedResource;
  kind: "create" | "update" | "destroy";
  ms: number;
  deps: number[];
  start: number;
  end: number;
}

const MAX_PARALLEL = 10;

/** Go's `time.Duration` text for whole seconds: `12s`, `1m5s`. */
export function goDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

/** Terraform's heartbeat elapsed format: `00m10s`. */
export function elapsedTag(seconds: number): string {
  return `${pad(Math.floor(seconds / 60))}m${pad(Math.floor(seconds % 60))}s`;
}

/** Fills `{placeholders}`: the run's words, the resource's own words, or fresh random ids. */
function filler(rng: Rng, words: Record<string, string>, ipPrefixes: readonly number[]) {
  const upper = (n: number) =>
    Array.from({ length: n }, () => rng.pick([..."ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"])).join("");
  const lower = (n: number) =>
    Array.from({ length: n }, () => rng.pick([..."abcdefghijklmnopqrstuvwxyz0123456789"])).join("");
  const fresh: Record<string, () => string> = {
    hex17: () => "0" + rng.hex(16),
    hex16: () => rng.hex(16),
    uuid: () => uuid(rng),
    upper26: () => upper(26),
    upper12: () => upper(12),
    lower12: () => lower(12),
    lower10: () => lower(10),
    digits10: () => String(rng.int(1_000_000_000, 2_147_483_647)),
    ip: () => `${rng.pick(ipPrefixes)}.${rng.int(1, 254)}.${rng.int(1, 254)}.${rng.int(1, 254)}`,
    stamp: () =>
      `2026${pad(rng.int(1, 3))}${pad(rng.int(1, 28))}${pad(rng.int(0, 23))}${pad(rng.int(0, 59))}${
        pad(rng.int(0, 59))
      }${rng.int(1000, 9999)}00000001`,
    size: () => rng.pick(["micro", "small", "medium", "large"]),
    pet: () => rng.pick(data.words.pets),
  };
  return (template: string, own: Record<string, string> = {}) =>
    template.replace(
      /\{(\w+)\}/g,
      (m, key: string) => own[key] ?? words[key] ?? fresh[key]?.() ?? m,
    );
}

/** Unpadded base64url of the bytes written as `hex` (random_id's `id` and `b64_url`). */
export function base64url(hex: string): string {
  const bytes = hex.match(/../g)!.map((h) => String.fromCharCode(parseInt(h, 16)));
  return btoa(bytes.join("")).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A random version-4 UUID. */
function uuid(rng: Rng): string {
  const variant = rng.pick(["8", "9", "a", "b"]);
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${variant}${rng.hex(3)}-${rng.hex(12)}`;
}

/** An output of the stack: its name and value, taken from the resource it refers to. */
export interface StackOutput {
  name: string;
  value: string;
  /** The resource the value comes from. */
  resource: PlannedResource;
}

/** The words every resource of one run shares: project, place, account, one bucket, one role. */
function runWords(rng: Rng, provider: string): Record<string, string> {
  const p = data.providers[provider as "aws"] as unknown as {
    regions?: string[] | string[][];
    locations?: string[][];
  };
  const project = rng.pick(data.words.projects);
  const env = rng.pick(data.words.envs);
  const sub = uuid(rng);
  const tenant = uuid(rng);
  const s3hex = rng.hex(8);
  const words: Record<string, string> = {
    project,
    env,
    // The team's own domain, named after the project.
    domain: rng.pick(data.words.domains).replace("{project}", project),
    account: String(rng.int(100_000_000_000, 999_999_999_999)),
    n8: String(rng.int(0, 40)),
    sub,
    tenant,
    gproject: `${project}-${env}-${rng.int(100000, 999999)}`,
    hex4: rng.hex(4),
    ami: `ami-0${rng.hex(16)}`,
    // A hosted zone made today: `Z0`, digits, then upper-case letters and digits, 21 in all.
    zone: `Z0${String(rng.int(1_000_000, 9_999_999))}${
      Array.from({ length: 12 }, () => rng.pick([..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"])).join(
        "",
      )
    }`,
    s3name: rng.pick(data.words.s3names),
    s3hex,
    // random_id's id is its bytes in unpadded base64url; its hex is the bucket suffix.
    rid: base64url(s3hex),
    iamrole: rng.pick(data.words.iamroles),
    imagetag: rng.pick(data.words.imagetags),
    maxinst: String(rng.pick([3, 5, 10, 20])),
    sa: rng.pick(data.words.sas),
    // azurerm_client_config's id is the base64 of its four ids.
    clientcfg: btoa(
      `clientConfigs/clientId=${uuid(rng)};objectId=${
        uuid(rng)
      };subscriptionId=${sub};tenantId=${tenant}`,
    ),
  };
  if (provider === "aws") {
    const region = rng.pick(p.regions as string[]);
    Object.assign(words, { region, az: `${region}${rng.pick(["a", "b", "c"])}` });
  } else if (provider === "azure") {
    const [location, loc] = rng.pick(p.locations!);
    Object.assign(words, { location: location!, loc: loc! });
  } else {
    const [region, short] = rng.pick(p.regions as string[][]);
    Object.assign(words, {
      gregion: region!,
      GREGION: region!.toUpperCase(),
      gzone: `${region}-${rng.pick(["a", "b", "c"])}`,
      gregshort: short!,
    });
  }
  return words;
}

/** Adds every type a chosen type needs (a bucket for its versioning, a VPC network for a subnet). */
function withNeeds(chosen: ResourceType[], all: readonly ResourceType[]): ResourceType[] {
  const out = [...chosen];
  for (let i = 0; i < out.length; i++) {
    for (const need of out[i]!.needs ?? []) {
      const type = all.find((t) => t.type === need);
      if (type && !out.includes(type)) out.push(type);
    }
  }
  return out;
}

/** Draws the resources of one run and what the plan does to each. */
export function planStack(rng: Rng): {
  provider: string;
  resources: PlannedResource[];
  dataSources: [string, string][];
  outputs: StackOutput[];
  fill: (t: string, own?: Record<string, string>) => string;
} {
  const provider = rng.weighted(["aws", "azure", "gcp"], [5, 3, 3]);
  const types = (data.providers[provider as "aws"] as unknown as { resources: ResourceType[] })
    .resources;
  const words = runWords(rng, provider);
  const ipPrefixes = (data.ipPrefixes as Record<string, number[]>)[provider]!;
  const fill = filler(rng, words, ipPrefixes);
  const first = provider === "azure" ? [types[0]!] : [];
  let chosen: ResourceType[] = [...first, ...rng.sample(types.slice(first.length), rng.int(3, 9))];
  if (rng.chance(0.3)) chosen.push(rng.pick(data.random as ResourceType[]));
  // Slow types (managed databases, clusters, gateways): none, one or two per stack.
  const slowCap = rng.weighted([0, 1, 2], [2, 5, 2]);
  const slow = chosen.filter(isSlow);
  chosen = chosen.filter((t) => !isSlow(t) || slow.indexOf(t) < slowCap);
  chosen = withNeeds(chosen, types).filter((t) => !isSlow(t) || chosen.includes(t));
  const useModules = rng.chance(0.5);
  const fresh = rng.chance(0.45);
  const resources: PlannedResource[] = [];
  chosen.sort((a, b) => a.tier - b.tier);
  // Labels first, from the top of the graph down: a needed type takes the label of what needs
  // it when it can (route table "public" for the "public" association).
  const labels = new Map<string, string>();
  for (const type of [...chosen].reverse()) {
    const names = type.names.map((n) => fill(n));
    const wanted = labels.get(type.type);
    const name = wanted !== undefined && names.includes(wanted) ? wanted : rng.pick(names);
    labels.set(type.type, name);
    for (const need of type.needs ?? []) if (!labels.has(need)) labels.set(need, name);
  }
  const needed = new Set(chosen.flatMap((t) => t.needs ?? []));
  const actions = new Map<string, Action | undefined>();
  const counts = new Map<string, number>();
  for (const type of chosen) {
    const name = labels.get(type.type)!;
    // One association per subnet: a counted type follows the count of a counted type it needs.
    const follow = type.needs?.map((n) => counts.get(n)).find((c) => c !== undefined && c > 0);
    const count = follow ?? (type.count ? rng.int(type.count[0]!, type.count[1]!) : 0);
    counts.set(type.type, count);
    // Instances of one block share their fate: all new, or all existing with one change.
    let action: Action | undefined = "create";
    if (!fresh && rng.chance(0.7)) {
      const roll = rng.next();
      action = roll < 0.3 && (type.mutable || type.tags)
        ? "update"
        : roll < 0.4 && !needed.has(type.type)
        ? "destroy"
        : roll < 0.5 && type.force
        ? "replace"
        : undefined;
    }
    // What needs a new resource is new too.
    if (type.needs?.some((n) => actions.get(n) === "create")) action = "create";
    actions.set(type.type, action);
    for (let i = 0; i < Math.max(1, count); i++) {
      if (resources.length >= 24) break;
      const index = count > 0 ? i : undefined;
      const label = name.replaceAll("-", "_");
      // The resource's own words, drawn once, so its name, id, ARN and outputs agree.
      const own: Record<string, string> = {
        name,
        kebab: name.replaceAll("_", "-"),
        i: String(index ?? 0),
        role: (data.words.roles as Record<string, string>)[name] ?? "viewer",
      };
      const base = `${type.type}.${label}${index !== undefined ? `[${index}]` : ""}`;
      const addr = useModules && type.module ? `module.${type.module}.${base}` : base;
      const id = fill(type.id, own);
      const specific = type.byName?.[name];
      const attrs: [string, string][] = [...type.attrs, ...(specific?.attrs ?? [])]
        .map(([k, v]) => [k!, fill(v!, own)] as [string, string])
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      const fillBlock = (b: NestedBlock): NestedBlock => ({
        name: b.name,
        attrs: b.attrs.map(([k, v]) => [k!, fill(v!, own)]),
        blocks: (b.blocks ?? []).map(fillBlock),
      });
      const blocks = [...(type.blocks ?? []), ...(specific?.blocks ?? [])].map(fillBlock);
      const filled = (v: string[] | undefined) => v?.map((x) => fill(x, own));
      resources.push({
        addr,
        type,
        name: label,
        index,
        action,
        id,
        newId: fill(type.id, { ...own }),
        attrs,
        force: filled(type.force),
        mutable: filled(type.mutable),
        own: { ...own, id },
        blocks,
      });
    }
  }
  // A bucket named with random_id's hex: a new random_id means a new bucket, whose name is
  // known only after apply and which waits for it; an existing bucket means an existing id.
  const rid = resources.find((r) => r.type.type === "random_id");
  const buckets = resources.filter((r) => r.type.type === "aws_s3_bucket");
  if (rid?.action === "create" && buckets.some((b) => b.action !== "create")) {
    rid.action = undefined;
  }
  if (rid?.action === "create") {
    for (const b of buckets) {
      b.attrs = b.attrs.map(([k, v]) => [k, k === "bucket" ? "(known after apply)" : v]);
      b.after = ["random_id"];
    }
  }
  // A service that runs as a new service account learns its email only after apply.
  if (resources.some((r) => r.type.type === "google_service_account" && r.action === "create")) {
    const unknown = (b: NestedBlock): NestedBlock => ({
      ...b,
      attrs: b.attrs.map(([k, v]) => [k!, k === "service_account" ? "(known after apply)" : v!]),
      blocks: (b.blocks ?? []).map(unknown),
    });
    for (const r of resources) {
      if (r.type.type !== "google_cloud_run_v2_service" || r.action !== "create") continue;
      r.blocks = r.blocks.map(unknown);
      r.after = [...(r.after ?? []), "google_service_account"];
    }
  }
  if (!resources.some((r) => r.action)) resources[resources.length - 1]!.action = "create";
  // Terraform renders the plan sorted by address (jsonplan sorts resource changes).
  resources.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  const dataSources = (data.dataSources as Record<string, string[][]>)[provider]!
    .filter(([addr], i) =>
      i === 0 || (addr === "data.aws_ami.ubuntu" && chosen.some((t) =>
        t.type === "aws_instance"
      )) ||
      rng.chance(0.5)
    )
    .map(([a, id]) => [a!, fill(id!)] as [string, string]);
  // Outputs name what the stack has after apply: never a destroyed or absent resource.
  const outputs: StackOutput[] = [];
  for (const [key, type, template] of (data.outputs as Record<string, string[][]>)[provider]!) {
    const resource = resources.find((r) =>
      r.type.type === type && r.action !== "destroy" && (r.index ?? 0) === 0
    );
    if (!resource || !rng.chance(0.7)) continue;
    const value = fill(
      template!,
      resource.action === "replace" ? { ...resource.own, id: resource.newId } : resource.own,
    );
    outputs.push({ name: key!, value, resource });
  }
  outputs.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { provider, resources, dataSources, outputs, fill };
}

/** Whether a type takes minutes to create (databases, clusters, gateways). */
function isSlow(type: ResourceType): boolean {
  return type.seconds[0]! >= 90;
}

/**
 * Orders the apply: dependencies by tier, at most ten at once, each change taking the time
 * its type really takes (a managed database many minutes, a route table a second or two).
 */
export function schedule(rng: Rng, resources: PlannedResource[]): ApplyOp[] {
  const ops: ApplyOp[] = [];
  const byTier: number[][] = [];
  const created = new Map<string, number[]>();
  const order = (r: PlannedResource) => r.type.tier * 2 + (r.after ? 1 : 0);
  for (const r of [...resources].sort((a, b) => order(a) - order(b))) {
    if (!r.action) continue;
    const [lo, hi] = r.type.seconds as [number, number];
    const slow = isSlow(r.type);
    const seconds = (a: number, b: number) => rng.float(a, b) * 1000;
    if (r.action === "destroy" || r.action === "replace") {
      ops.push({
        resource: r,
        kind: "destroy",
        ms: slow ? seconds(lo * 0.4, hi * 0.6) : seconds(0.2, Math.max(1, hi / 3)),
        deps: [],
        start: 0,
        end: 0,
      });
    }
    if (r.action === "update") {
      ops.push({
        resource: r,
        kind: "update",
        ms: slow && r.type.mutable ? seconds(20, 90) : seconds(0.5, Math.min(12, hi + 1)),
        deps: [],
        start: 0,
        end: 0,
      });
    }
    if (r.action === "create" || r.action === "replace") {
      const tier = r.type.tier;
      const lower = byTier.slice(0, tier).flat();
      // What it needs comes first; otherwise it waits on one or two things of lower tiers.
      const needs = [...(r.type.needs ?? []), ...(r.after ?? [])].flatMap((n) =>
        created.get(n) ?? []
      );
      const deps = needs.length > 0 ? needs : rng.sample(lower, rng.int(1, 2));
      if (r.action === "replace") deps.push(ops.length - 1);
      ops.push({ resource: r, kind: "create", ms: seconds(lo, hi + 0.9), deps, start: 0, end: 0 });
      (byTier[tier] ??= []).push(ops.length - 1);
      const same = created.get(r.type.type) ?? [];
      created.set(r.type.type, [...same, ops.length - 1]);
    }
  }
  const run = () => {
    const done = new Set<number>();
    const running = new Set<number>();
    let t = 0;
    while (done.size < ops.length) {
      for (let i = 0; i < ops.length && running.size < MAX_PARALLEL; i++) {
        const op = ops[i]!;
        if (done.has(i) || running.has(i) || !op.deps.every((d) => done.has(d))) continue;
        op.start = t + rng.int(1, 40);
        op.end = op.start + op.ms;
        running.add(i);
      }
      const next = Math.min(...[...running].map((i) => ops[i]!.end));
      t = next;
      for (const i of [...running]) {
        if (ops[i]!.end <= t) {
          running.delete(i);
          done.add(i);
        }
      }
    }
    return t;
  };
  run();
  return ops;
}

/** Plan-block renderer. */
class PlanPrinter {
  constructor(readonly style: Style) {}

  symbol(s: string): string {
    const { green, yellow, red } = this.style;
    if (s === "+") return green("+");
    if (s === "~") return yellow("~");
    if (s === "-") return red("-");
    if (s === "-/+") return `${red("-")}/${green("+")}`;
    return s;
  }

  /** Colours the `+` signs inside a multi-line value, shifted right for a nested row. */
  value(v: string, shift = 0): string {
    return v.replace(/\n/g, `\n${" ".repeat(shift)}`)
      .replace(/\n(\s*)\+ /g, (_, sp: string) => `\n${sp}${this.symbol("+")} `);
  }

  /** The note an in-place update or a replacement prints for nested blocks it leaves alone. */
  hiddenBlocks(r: PlannedResource): string[] {
    const n = r.blocks.length;
    return n === 0 ? [] : ["", `        # (${n} unchanged block${n === 1 ? "" : "s"} hidden)`];
  }

  /** A nested block being created: its attributes, then its own blocks, each after a blank line. */
  nested(b: NestedBlock, indent: number): string[] {
    const pad = " ".repeat(indent);
    const rows = [...b.attrs].sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
    const w = Math.max(0, ...rows.map(([k]) => k!.length));
    const lines = [`${pad}${this.symbol("+")} ${b.name} {`];
    for (const [k, v] of rows) {
      lines.push(`${pad}    ${this.symbol("+")} ${k!.padEnd(w)} = ${this.value(v!, indent - 2)}`);
    }
    for (const child of [...(b.blocks ?? [])].sort((x, y) => (x.name < y.name ? -1 : 1))) {
      lines.push("", ...this.nested(child, indent + 4));
    }
    lines.push(`${pad}  }`);
    return lines;
  }

  tagLines(sign: string, tags: [string, string][], indent: string): string[] {
    const w = Math.max(...tags.map(([k]) => k.length + 2));
    return tags.map(([k, v]) => `${indent}${this.symbol(sign)} ${`"${k}"`.padEnd(w)} = "${v}"`);
  }

  block(r: PlannedResource, tags: [string, string][]): string[] {
    const { bold, red } = this.style;
    const head = `resource "${r.type.type}" "${r.name}" {`;
    const lines: string[] = [];
    const tagged = r.type.tags === true;
    if (r.action === "create") {
      lines.push(`  ${bold(`# ${r.addr}`)} will be created`);
      lines.push(`  ${this.symbol("+")} ${head}`);
      const attrs = [...r.attrs];
      const names = [...attrs.map(([k]) => k), ...(tagged ? ["tags", "tags_all"] : [])];
      const w = Math.max(...names.map((n) => n.length));
      const rows = attrs.map(([k, v]) => ({
        k,
        text: `      ${this.symbol("+")} ${k.padEnd(w)} = ${this.value(v)}`,
      }));
      if (tagged) {
        for (const k of ["tags", "tags_all"]) {
          rows.push({
            k,
            text: [
              `      ${this.symbol("+")} ${k.padEnd(w)} = {`,
              ...this.tagLines("+", tags, "          "),
              "        }",
            ]
              .join("\n"),
          });
        }
      }
      rows.sort((a, b) => (a.k < b.k ? -1 : 1));
      lines.push(...rows.map((row) => row.text));
      // Nested blocks follow the attributes, sorted by type, each after a blank line.
      for (const b of [...r.blocks].sort((x, y) => (x.name < y.name ? -1 : 1))) {
        lines.push("", ...this.nested(b, 6));
      }
    } else if (r.action === "update") {
      lines.push(`  ${bold(`# ${r.addr}`)} will be updated in-place`);
      lines.push(`  ${this.symbol("~")} ${head}`);
      const nameAttr = r.attrs.find(([k]) => k === "name");
      const shown: string[] = ["id"];
      if (nameAttr) shown.push("name");
      const mutable = r.mutable;
      if (mutable) shown.push(mutable[0]!);
      if (!mutable && tagged) shown.push("tags", "tags_all");
      const w = Math.max(...shown.map((n) => n.length));
      lines.push(`        ${"id".padEnd(w)} = "${r.id}"`);
      if (nameAttr) lines.push(`        ${"name".padEnd(w)} = ${nameAttr[1]}`);
      if (mutable) {
        lines.push(
          `      ${this.symbol("~")} ${mutable[0]!.padEnd(w)} = ${mutable[1]} -> ${mutable[2]}`,
        );
      } else {
        for (const k of ["tags", "tags_all"]) {
          lines.push(`      ${this.symbol("~")} ${k.padEnd(w)} = {`);
          const env = tags.find(([t]) => t === "Environment")![1];
          const was = env === "prod" ? "staging" : "prod";
          lines.push(`          ${this.symbol("~")} "Environment" = "${was}" -> "${env}"`);
          lines.push(`            # (${tags.length - 1} unchanged elements hidden)`);
          lines.push("        }");
        }
      }
      const hidden = r.attrs.length + (tagged ? 2 : 0) - shown.length;
      if (hidden > 0) {
        lines.push(`        # (${hidden} unchanged attribute${hidden === 1 ? "" : "s"} hidden)`);
      }
      lines.push(...this.hiddenBlocks(r));
    } else if (r.action === "destroy") {
      lines.push(`  ${bold(`# ${r.addr}`)} will be ${bold(red("destroyed"))}`);
      // Terraform names the resource in its module, without module path or index.
      lines.push(`  # (because ${r.type.type}.${r.name} is not in configuration)`);
      lines.push(`  ${this.symbol("-")} ${head}`);
      const rows = r.attrs
        .filter(([k, v]) => k === "id" || (!v.startsWith("(") && !v.includes("\n")))
        .map(([k, v]) => [k, k === "id" ? `"${r.id}"` : v] as [string, string]);
      const w = Math.max(...rows.map(([k]) => k.length));
      for (const [k, v] of rows) {
        lines.push(`      ${this.symbol("-")} ${k.padEnd(w)} = ${v} -> null`);
      }
    } else if (r.action === "replace") {
      const [attr, from, to] = r.force!;
      lines.push(`  ${bold(`# ${r.addr}`)} must be ${bold(red("replaced"))}`);
      lines.push(`${this.symbol("-/+")} ${head}`);
      const w = Math.max(attr!.length, 2);
      lines.push(
        `      ${this.symbol("~")} ${attr!.padEnd(w)} = ${from} -> ${to} ${
          red("# forces replacement")
        }`,
      );
      lines.push(`      ${this.symbol("~")} ${"id".padEnd(w)} = "${r.id}" -> (known after apply)`);
      const hidden = r.attrs.length - 1 + (tagged ? 2 : 0);
      lines.push(`        # (${hidden} unchanged attributes hidden)`);
      lines.push(...this.hiddenBlocks(r));
    }
    lines.push("    }");
    return lines;
  }
}

/** Word-wraps `text` at `width` columns. */
export function wordWrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** Counts what the plan will do: `[add, change, destroy]`. */
export function planCounts(resources: readonly PlannedResource[]): [number, number, number] {
  const n = (a: Action) => resources.filter((r) => r.action === a).length;
  return [n("create") + n("replace"), n("update"), n("destroy") + n("replace")];
}

async function run(ctx: Context): Promise<void> {
  const { out, rng, style } = ctx;
  const stack = planStack(rng);
  const { resources } = stack;
  const bold = style.bold;
  const fill = stack.fill;
  const tags: [string, string][] = [
    ["Environment", fill("{env}")],
    ["ManagedBy", "terraform"],
    ["Project", fill("{project}")],
  ];
  if (rng.chance(0.4)) {
    tags.splice(1, 0, ["CostCenter", rng.pick(["platform", "payments", "data", "web"])]);
  }
  tags.sort((a, b) => (a[0] < b[0] ? -1 : 1));

  // Reads and refreshes run concurrently; completions come back in a burst.
  for (const [addr] of stack.dataSources) out.line(bold(`${addr}: Reading...`));
  const existing = resources.filter((r) => r.action !== "create");
  for (const r of existing) {
    if (rng.chance(0.3)) await ctx.sleep(rng.int(20, 400));
    out.line(bold(`${r.addr}: Refreshing state... [id=${r.id}]`));
  }
  await ctx.sleep(rng.int(300, 2500));
  for (const [addr, id] of stack.dataSources) {
    out.line(bold(`${addr}: Read complete after ${rng.int(0, 1)}s [id=${id}]`));
  }
  await ctx.sleep(rng.int(400, 3000));

  const width = ctx.term.isTTY ? Math.max(20, ctx.term.cols - 1) : 78;
  const printer = new PlanPrinter(style);
  out.line();
  for (
    const l of wordWrap(
      "Terraform used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:",
      width,
    )
  ) out.line(l);
  const actions = new Set(resources.map((r) => r.action));
  if (actions.has("create")) out.line(`  ${printer.symbol("+")} create`);
  if (actions.has("update")) out.line(`  ${printer.symbol("~")} update in-place`);
  if (actions.has("destroy")) out.line(`  ${printer.symbol("-")} destroy`);
  if (actions.has("replace")) {
    out.line(`${printer.symbol("-/+")} destroy and then create replacement`);
  }
  out.line();
  out.line("Terraform will perform the following actions:");
  for (const r of resources.filter((r) => r.action)) {
    out.line();
    for (const l of printer.block(r, tags)) out.line(l);
  }
  const [add, change, destroy] = planCounts(resources);
  out.line();
  out.line(`${bold("Plan:")} ${add} to add, ${change} to change, ${destroy} to destroy.`);
  // Outputs of resources made by this apply are new; the others were there before.
  const newOutputs = stack.outputs.filter((o) => o.resource.action === "create");
  if (newOutputs.length > 0) {
    out.line();
    out.line("Changes to Outputs:");
    const w = Math.max(...newOutputs.map((o) => o.name.length));
    for (const o of newOutputs) {
      out.line(`  ${printer.symbol("+")} ${o.name.padEnd(w)} = (known after apply)`);
    }
  }
  out.line();
  out.line(bold("Do you want to perform these actions?"));
  out.line("  Terraform will perform the actions described above.");
  out.line("  Only 'yes' will be accepted to approve.");
  out.line();
  out.write(`  ${bold("Enter a value:")} `);
  await ctx.sleep(rng.int(1200, 4000));
  // The answer and its newline are the terminal's echo: a pipe gets neither.
  if (ctx.term.isTTY) {
    await out.type("yes", rng.int(90, 200));
    out.line();
  }
  await ctx.sleep(rng.int(150, 500));
  out.line();

  const ops = schedule(rng, resources);
  await apply(ctx, ops);

  out.line();
  out.line(
    bold(
      style.green(
        `Apply complete! Resources: ${add} added, ${change} changed, ${destroy} destroyed.`,
      ),
    ),
  );
  if (stack.outputs.length === 0) return;
  out.line();
  out.line(bold(style.green("Outputs:")));
  out.line();
  for (const o of stack.outputs) out.line(`${o.name} = "${o.value}"`);
}

/** Plays the schedule back: starts, heartbeats every 10 s per resource, completions. */
async function apply(ctx: Context, ops: ApplyOp[]): Promise<void> {
  const { out, style } = ctx;
  const events: { at: number; order: number; text: string }[] = [];
  const verbs = {
    create: ["Creating...", "creating", "Creation complete"],
    update: ["Modifying...", "modifying", "Modifications complete"],
    destroy: ["Destroying...", "destroying", "Destruction complete"],
  } as const;
  for (const op of ops) {
    const r = op.resource;
    const [start, still, done] = verbs[op.kind];
    const idPart = op.kind === "create" ? "" : `id=${r.id}`;
    events.push({
      at: op.start,
      order: 2,
      text: `${r.addr}: ${start}${idPart ? ` [${idPart}]` : ""}`,
    });
    for (let s = 10; s * 1000 < op.ms; s += 10) {
      const tag = idPart ? `[${idPart}, ${elapsedTag(s)} elapsed]` : `[${elapsedTag(s)} elapsed]`;
      events.push({
        at: op.start + s * 1000,
        order: 1,
        text: `${r.addr}: Still ${still}... ${tag}`,
      });
    }
    const after = goDuration(op.ms / 1000);
    const finalId = op.kind === "create" ? (r.action === "replace" ? r.newId : r.id) : r.id;
    events.push({
      at: op.end,
      order: 0,
      text: op.kind === "destroy"
        ? `${r.addr}: ${done} after ${after}`
        : `${r.addr}: ${done} after ${after} [id=${finalId}]`,
    });
  }
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  let now = 0;
  for (const e of events) {
    await ctx.sleep(e.at - now);
    now = e.at;
    out.line(style.bold(e.text));
  }
}

/** `terraform apply`: refresh, plan, approve, apply with heartbeats, outputs. */
export const terraform: Module = {
  name: "terraform",
  signature: "terraform apply",
  about: "Plan and apply cloud infrastructure with Terraform",
  // A managed database or cluster takes up to about 18 minutes and may wait on a load balancer
  // or gateway (at most two slow resources a stack): about 25 minutes at worst, 19 in 1500 seeds.
  maxDurationMs: 30 * 60_000,
  run,
};
