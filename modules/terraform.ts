/**
 * terraform: `terraform apply` as Terraform 1.10–1.14 prints it. Data sources
 * are read and existing resources refreshed, the plan is rendered (create,
 * update in-place, destroy, replace, with attributes aligned as Terraform
 * aligns them), `yes` is typed at the prompt, then up to ten resources are
 * applied at once along a dependency graph with per-resource
 * `Still creating... [00m10s elapsed]` heartbeats, and the run ends with
 * `Apply complete! Resources: N added, M changed, K destroyed.` and the outputs.
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

/** Fills `{placeholders}`: fixed words of the run, or fresh random ids. */
function filler(rng: Rng, words: Record<string, string>) {
  const upper = (n: number) =>
    Array.from({ length: n }, () => rng.pick([..."ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"])).join("");
  const lower = (n: number) =>
    Array.from({ length: n }, () => rng.pick([..."abcdefghijklmnopqrstuvwxyz0123456789"])).join("");
  const fresh: Record<string, () => string> = {
    hex17: () => "0" + rng.hex(16),
    hex16: () => rng.hex(16),
    hex8: () => rng.hex(8),
    uuid: () =>
      `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(["8", "9", "a", "b"])}${rng.hex(3)}-${
        rng.hex(12)
      }`,
    upper26: () => upper(26),
    upper12: () => upper(12),
    lower12: () => lower(12),
    lower10: () => lower(10),
    digits10: () => String(rng.int(1_000_000_000, 2_147_483_647)),
    b64: () => lower(6).replace(/^./, (c) => c.toUpperCase()) + rng.pick(["w", "Q", "g", "A"]),
    ip: () =>
      `${rng.pick([18, 34, 35, 52, 20, 40, 104])}.${rng.int(1, 254)}.${rng.int(1, 254)}.${
        rng.int(1, 254)
      }`,
    stamp: () =>
      `2026${pad(rng.int(1, 3))}${pad(rng.int(1, 28))}${pad(rng.int(0, 23))}${pad(rng.int(0, 59))}${
        pad(rng.int(0, 59))
      }${rng.int(1000, 9999)}00000001`,
    size: () => rng.pick(["micro", "small", "medium", "large"]),
    pet: () => rng.pick(data.words.pets),
    role: () => rng.pick(data.words.roles),
  };
  return (template: string, extra: Record<string, string> = {}) =>
    template.replace(
      /\{(\w+)\}/g,
      (m, key: string) => extra[key] ?? words[key] ?? fresh[key]?.() ?? m,
    );
}

/** Draws the resources of one run and what the plan does to each. */
export function planStack(rng: Rng): {
  provider: string;
  resources: PlannedResource[];
  dataSources: [string, string][];
  outputs: [string, string][];
  fill: (t: string, extra?: Record<string, string>) => string;
} {
  const provider = rng.weighted(["aws", "azure", "gcp"], [5, 3, 3]);
  const p = data.providers[provider as "aws"] as unknown as {
    resources: ResourceType[];
    regions?: string[] | string[][];
    locations?: string[][];
  };
  const project = rng.pick(data.words.projects);
  const env = rng.pick(data.words.envs);
  const words: Record<string, string> = {
    project,
    env,
    domain: rng.pick(data.words.domains),
    account: String(rng.int(100_000_000_000, 999_999_999_999)),
    n8: String(rng.int(0, 40)),
    sub: `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`,
    gproject: `${project}-${env}-${rng.int(100000, 999999)}`,
    hex4: rng.hex(4),
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
  const fill = filler(rng, words);
  const types = p.resources;
  const first = provider === "azure" ? [types[0]!] : [];
  const chosen = [...first, ...rng.sample(types.slice(first.length), rng.int(3, 10))];
  if (rng.chance(0.3)) chosen.push(rng.pick(data.random as ResourceType[]));
  const slow = chosen.filter((t) => t.seconds[0]! >= 90);
  for (const t of slow.slice(rng.int(1, 2))) chosen.splice(chosen.indexOf(t), 1);
  const useModules = rng.chance(0.5);
  const fresh = rng.chance(0.45);
  const resources: PlannedResource[] = [];
  for (const type of chosen.sort((a, b) => a.tier - b.tier)) {
    const name = rng.pick(type.names);
    const count = type.count ? rng.int(type.count[0]!, type.count[1]!) : 0;
    // Instances of one block share their fate: all new, or all existing with one change.
    let action: Action | undefined = "create";
    if (!fresh && rng.chance(0.7)) {
      const roll = rng.next();
      action = roll < 0.3 && (type.mutable || type.tags)
        ? "update"
        : roll < 0.4
        ? "destroy"
        : roll < 0.5 && type.force
        ? "replace"
        : undefined;
    }
    for (let i = 0; i < Math.max(1, count); i++) {
      if (resources.length >= 24) break;
      const index = count > 0 ? i : undefined;
      // One random suffix per resource, so its name, id and ARN agree.
      const extra = { name, i: String(index ?? 0), hex8: rng.hex(8) };
      const label = name.replaceAll("-", "_");
      const base = `${type.type}.${label}${index !== undefined ? `[${index}]` : ""}`;
      const addr = useModules && type.module ? `module.${type.module}.${base}` : base;
      const id = fill(type.id, extra);
      const attrs: [string, string][] = type.attrs.map(([k, v]) => [k!, fill(v!, extra)]);
      const filled = (v: string[] | undefined) => v?.map((x) => fill(x, extra));
      resources.push({
        addr,
        type,
        name: label,
        index,
        action,
        id,
        newId: fill(type.id, extra),
        attrs,
        force: filled(type.force),
        mutable: filled(type.mutable),
      });
    }
  }
  if (!resources.some((r) => r.action)) resources[resources.length - 1]!.action = "create";
  const dataSources = (data.dataSources as Record<string, string[][]>)[provider]!
    .filter((_, i) => i === 0 || rng.chance(0.5))
    .map(([a, id]) => [a!, fill(id!)] as [string, string]);
  const outputs = rng.sample((data.outputs as Record<string, string[][]>)[provider]!, rng.int(1, 3))
    .map(([k, v]) => [k!, fill(v!)] as [string, string])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { provider, resources, dataSources, outputs, fill };
}

/** Orders the apply: dependencies by tier, at most ten at once, durations fitted to `budgetMs`. */
export function schedule(rng: Rng, resources: PlannedResource[], budgetMs: number): ApplyOp[] {
  const ops: ApplyOp[] = [];
  const byTier: number[][] = [];
  for (const r of resources) {
    if (!r.action) continue;
    const [lo, hi] = r.type.seconds as [number, number];
    const slow = lo >= 90;
    const seconds = (a: number, b: number) => rng.float(a, b) * 1000;
    if (r.action === "destroy" || r.action === "replace") {
      ops.push({
        resource: r,
        kind: "destroy",
        ms: slow ? seconds(40, 120) : seconds(0.2, Math.max(1, hi / 3)),
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
      const deps = rng.sample(lower, rng.int(1, 2));
      if (r.action === "replace") deps.push(ops.length - 1);
      ops.push({ resource: r, kind: "create", ms: seconds(lo, hi + 0.9), deps, start: 0, end: 0 });
      (byTier[tier] ??= []).push(ops.length - 1);
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
  const makespan = run();
  if (makespan > budgetMs) {
    const scale = budgetMs / makespan;
    for (const op of ops) op.ms *= scale;
    run();
  }
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

  /** Colours the `+` signs inside a multi-line value (nested blocks). */
  value(v: string): string {
    return v.replace(/\n(\s*)\+ /g, (_, sp: string) => `\n${sp}${this.symbol("+")} `);
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
    } else if (r.action === "destroy") {
      lines.push(`  ${bold(`# ${r.addr}`)} will be ${bold(red("destroyed"))}`);
      lines.push(`  # (because ${r.addr} is not in configuration)`);
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
  const freshOutputs = !resources.some((r) => r.action === undefined);
  if (freshOutputs) {
    out.line();
    out.line("Changes to Outputs:");
    const w = Math.max(...stack.outputs.map(([k]) => k.length));
    for (const [k] of stack.outputs) {
      out.line(`  ${printer.symbol("+")} ${k.padEnd(w)} = (known after apply)`);
    }
  }
  out.line();
  out.line(bold("Do you want to perform these actions?"));
  out.line("  Terraform will perform the actions described above.");
  out.line("  Only 'yes' will be accepted to approve.");
  out.line();
  out.write(`  ${bold("Enter a value:")} `);
  await ctx.sleep(rng.int(1200, 4000));
  await out.type("yes", rng.int(90, 200));
  out.line();
  await ctx.sleep(rng.int(150, 500));
  out.line();

  const ops = schedule(rng, resources, rng.float(15_000, 150_000));
  await apply(ctx, ops);

  out.line();
  out.line(
    bold(
      style.green(
        `Apply complete! Resources: ${add} added, ${change} changed, ${destroy} destroyed.`,
      ),
    ),
  );
  out.line();
  out.line(bold(style.green("Outputs:")));
  out.line();
  for (const [k, v] of stack.outputs) out.line(`${k} = "${v}"`);
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
  maxDurationMs: 200_000,
  run,
};
