/**
 * kubectl: a deployment rolled out to a Kubernetes cluster, one of three ways:
 * `kubectl apply -f k8s/` then `kubectl rollout status` and a final
 * `kubectl get pods`; `kubectl apply` then `kubectl get pods -w`; or
 * `helm repo update` and `helm upgrade --install` then `kubectl rollout status`.
 *
 * One simulated rollout drives every line: the deployment controller's
 * RollingUpdate (25% surge, 25% unavailable), new pods going Pending →
 * ContainerCreating → Running 0/1 → 1/1, old pods terminating as new ones get
 * ready. `rollout status` prints kubectl's own messages from the deployment's
 * counters at each change; `get pods -w` prints each pod event, with columns
 * that widen and stay wide as kubectl's remembered tab widths do. In some runs
 * one new pod crashes twice (Error, CrashLoopBackOff) before it comes up.
 * kubectl prints the same lines to a pipe as to a terminal.
 *
 * @module
 */

import data from "../data/kubectl.json" with { type: "json" };
import { MONTHS, pad, WEEKDAYS } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

const HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** How the run deploys. */
export type Mode = "rollout" | "watch" | "helm";

/** One pod of the rollout. */
export interface Pod {
  name: string;
  old: boolean;
  status: string;
  ready: boolean;
  restarts: number;
  /** Pretend ms (relative to the rollout start) of the last container termination. */
  lastExit?: number;
  /** Pretend ms the pod was created (negative for old pods). */
  created: number;
  /** Whether the pod still counts in the deployment (not terminating). */
  active: boolean;
  /** Pending transitions: time and what happens. */
  plan: {
    at: number;
    status: string;
    ready: boolean;
    restart?: boolean;
    exit?: boolean;
    gone?: boolean;
  }[];
}

/** Everything one run deploys. */
export interface World {
  mode: Mode;
  app: string;
  namespace: string;
  replicas: number;
  surge: number;
  unavailable: number;
  image: string;
  tag: string;
  firstInstall: boolean;
  crash: boolean;
  oldHash: string;
  newHash: string;
  /** Age of the old ReplicaSet's pods at the start, ms. */
  oldAge: number;
  resources: { ref: string; result: "configured" | "unchanged" | "created" }[];
  domain: string;
  revision: number;
  repos: string[];
}

/** A pod-template-hash or pod suffix: kubectl's safe alphabet. */
function hash(rng: Rng, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += HASH_ALPHABET[rng.int(0, HASH_ALPHABET.length - 1)];
  return s;
}

/** Draws the world of one run. */
export function planWorld(rng: Rng): World {
  const app = rng.pick(data.apps);
  const mode = rng.weighted<Mode>(["rollout", "watch", "helm"], [45, 25, 30]);
  const replicas = rng.pick([2, 3, 3, 4, 4, 5, 6, 8]);
  const org = rng.pick(data.orgs);
  const firstInstall = mode === "helm" && rng.chance(0.12);
  const kinds = data.kinds as Record<string, { file: string; ref: string }>;
  const files = app.resources.map((k) => kinds[k]!).sort((a, b) => a.file.localeCompare(b.file));
  const resources = files.map((k) => {
    const ref = k.ref.replaceAll("{app}", app.name);
    const result: "configured" | "unchanged" | "created" = ref.startsWith("deployment.")
      ? "configured"
      : ref.startsWith("configmap/") && rng.chance(0.4)
      ? "configured"
      : rng.chance(0.06)
      ? "created"
      : "unchanged";
    return { ref, result };
  });
  const major = rng.int(1, 4);
  return {
    mode,
    app: app.name,
    namespace: rng.pick(data.namespaces),
    replicas,
    surge: Math.ceil(replicas * 0.25),
    unavailable: Math.floor(replicas * 0.25),
    image: `${rng.pick(data.registries).replaceAll("{org}", org)}/${app.name}`,
    tag: `${major}.${rng.int(0, 48)}.${rng.int(0, 12)}`,
    firstInstall,
    crash: rng.chance(0.22),
    oldHash: hash(rng, rng.int(9, 10)),
    newHash: hash(rng, rng.int(9, 10)),
    oldAge: rng.int(40 * 60_000, 21 * 86_400_000),
    resources,
    domain: rng.pick(data.domains),
    revision: firstInstall ? 1 : rng.int(12, 180),
    repos: rng.sample(data.helmRepos.map((r) => r.name), rng.int(2, 5)),
  };
}

/** kubectl's HumanDuration, as in the AGE column. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** The deployment's status counters. */
export interface Counters {
  updated: number;
  replicas: number;
  available: number;
}

/** kubectl's rollout status message for the counters (DeploymentStatusViewer). */
export function rolloutMessage(name: string, desired: number, c: Counters): string {
  const wait = `Waiting for deployment "${name}" rollout to finish: `;
  if (c.updated < desired) {
    return `${wait}${c.updated} out of ${desired} new replicas have been updated...`;
  }
  if (c.replicas > c.updated) {
    return `${wait}${c.replicas - c.updated} old replicas are pending termination...`;
  }
  if (c.available < c.updated) {
    return `${wait}${c.available} of ${c.updated} updated replicas are available...`;
  }
  return `deployment "${name}" successfully rolled out`;
}

/** A pod event for the watch: the pod as it was at that moment. */
interface PodEvent {
  at: number;
  /** When the pod was created (for the AGE column at another moment). */
  created: number;
  restartCount: number;
  lastExit?: number;
  /** The pod's last event: it is deleted. */
  gone?: boolean;
  name: string;
  ready: string;
  status: string;
  restarts: string;
  age: string;
}

/** The result of simulating one rollout. */
export interface Rollout {
  /** Deployment counters after each change, with the time. */
  counters: { at: number; c: Counters }[];
  /** The old pods before the rollout starts. */
  initial: PodEvent[];
  /** Pod events in time order. */
  events: PodEvent[];
}

function restartsText(p: Pod, now: number): string {
  return p.restarts > 0 && p.lastExit !== undefined
    ? `${p.restarts} (${humanDuration(now - p.lastExit)} ago)`
    : String(p.restarts);
}

/** Simulates the RollingUpdate controller and the kubelet for one world. */
export function simulate(rng: Rng, w: World): Rollout {
  const pods: Pod[] = [];
  const events: PodEvent[] = [];
  const counters: Rollout["counters"] = [];
  const snapshot = (p: Pod, at: number, into = events) =>
    into.push({
      at,
      created: p.created,
      restartCount: p.restarts,
      ...(p.lastExit !== undefined ? { lastExit: p.lastExit } : {}),
      name: p.name,
      ready: `${p.ready ? 1 : 0}/1`,
      status: p.status,
      restarts: restartsText(p, at),
      age: humanDuration(at - p.created),
    });
  if (!w.firstInstall) {
    for (let i = 0; i < w.replicas; i++) {
      pods.push({
        name: `${w.app}-${w.oldHash}-${hash(rng, 5)}`,
        old: true,
        status: "Running",
        ready: true,
        restarts: rng.chance(0.15) ? 1 : 0,
        created: -w.oldAge - rng.int(0, 40_000),
        active: true,
        plan: [],
      });
    }
    for (const p of pods) {
      if (p.restarts > 0) p.lastExit = p.created + rng.int(60_000, w.oldAge / 2);
    }
  }
  const initial: PodEvent[] = [];
  for (const p of pods) snapshot(p, 0, initial);
  let crashLeft = w.crash ? 1 : 0;
  let firstPull = true;
  const create = (at: number) => {
    const p: Pod = {
      name: `${w.app}-${w.newHash}-${hash(rng, 5)}`,
      old: false,
      status: "Pending",
      ready: false,
      restarts: 0,
      created: at,
      active: true,
      plan: [],
    };
    // The first pod on a node pulls the image; later ones find it cached.
    const pull = firstPull ? rng.int(4_000, 16_000) : rng.int(900, 3_500);
    firstPull = firstPull && rng.chance(0.3);
    const scheduled = at + rng.int(30, 400);
    const creating = scheduled + rng.int(100, 900);
    const running = creating + pull;
    p.plan.push({ at: scheduled, status: "Pending", ready: false });
    p.plan.push({ at: creating, status: "ContainerCreating", ready: false });
    p.plan.push({ at: running, status: "Running", ready: false });
    let t = running;
    if (crashLeft > 0 && rng.chance(0.5)) {
      crashLeft--;
      const err1 = t + rng.int(2_500, 7_000);
      const run2 = err1 + rng.int(800, 2_000);
      const err2 = run2 + rng.int(2_500, 7_000);
      const clbo = err2 + rng.int(300, 1_200);
      const run3 = err2 + 10_000 + rng.int(0, 1_500);
      p.plan.push({ at: err1, status: "Error", ready: false, exit: true });
      p.plan.push({ at: run2, status: "Running", ready: false, restart: true });
      p.plan.push({ at: err2, status: "Error", ready: false, exit: true });
      p.plan.push({ at: clbo, status: "CrashLoopBackOff", ready: false });
      p.plan.push({ at: run3, status: "Running", ready: false, restart: true });
      t = run3;
    }
    p.plan.push({ at: t + rng.int(6_000, 24_000), status: "Running", ready: true });
    pods.push(p);
    snapshot(p, at);
  };
  const count = (): Counters => {
    const active = pods.filter((p) => p.active);
    return {
      updated: active.filter((p) => !p.old).length,
      replicas: active.length,
      available: active.filter((p) => p.ready).length,
    };
  };
  const control = (now: number) => {
    const maxTotal = w.replicas + w.surge;
    let active = pods.filter((p) => p.active);
    let newCount = active.filter((p) => !p.old).length;
    while (active.length < maxTotal && newCount < w.replicas) {
      create(now + rng.int(50, 300));
      active = pods.filter((p) => p.active);
      newCount++;
    }
    const available = active.filter((p) => p.ready).length;
    const removable = Math.min(
      available - (w.replicas - w.unavailable),
      active.filter((p) => p.old).length,
    );
    const victims = active.filter((p) => p.old).slice(0, Math.max(0, removable));
    for (const p of victims) {
      p.active = false;
      p.status = "Terminating";
      snapshot(p, now + rng.int(20, 200));
      const stopped = now + rng.int(1_500, 28_000);
      p.plan.push({ at: stopped, status: "Terminating", ready: false });
      p.plan.push({
        at: stopped + rng.int(200, 1_500),
        status: "Terminating",
        ready: false,
        gone: true,
      });
    }
  };
  control(0);
  counters.push({ at: 0, c: count() });
  for (let guard = 0; guard < 500; guard++) {
    let next: { p: Pod; at: number } | undefined;
    for (const p of pods) {
      const step = p.plan[0];
      if (step && (!next || step.at < next.at)) next = { p, at: step.at };
    }
    if (!next) break;
    const step = next.p.plan.shift()!;
    const p = next.p;
    p.status = step.status;
    p.ready = step.ready;
    if (step.exit) p.lastExit = step.at;
    if (step.restart) p.restarts++;
    snapshot(p, step.at);
    if (step.gone) {
      events[events.length - 1]!.gone = true;
      pods.splice(pods.indexOf(p), 1);
    }
    control(step.at);
    const c = count();
    const last = counters[counters.length - 1]!.c;
    if (
      c.updated !== last.updated || c.replicas !== last.replicas || c.available !== last.available
    ) {
      counters.push({ at: step.at, c });
    }
  }
  events.sort((a, b) => a.at - b.at);
  return {
    counters,
    initial,
    events,
  };
}

/**
 * A table whose column widths only grow, like kubectl's remembered tab widths
 * in `get -w`: three spaces between columns, the last column unpadded.
 */
export class GrowingTable {
  #widths: number[] = [];

  /** Formats one row, widening columns for it and every later row. */
  row(cells: readonly string[]): string {
    cells.forEach((c, i) => {
      this.#widths[i] = Math.max(this.#widths[i] ?? 0, c.length);
    });
    return cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(this.#widths[i]! + 3)).join("")
      .trimEnd();
  }
}

/** A plain tabwriter table: widths from all rows at once. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i]! + 3)).join("").trimEnd()
  );
}

/** Go's time.ANSIC: `Thu Dec  3 00:12:44 2026`. */
function ansic(d: Date): string {
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${
    String(d.getUTCDate()).padStart(2)
  } ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${
    pad(d.getUTCSeconds())
  } ${d.getUTCFullYear()}`;
}

async function prompt(ctx: Context, command: string): Promise<void> {
  await ctx.sleep(ctx.rng.int(600, 2_500));
  ctx.out.line(`${ctx.style.bold(ctx.style.green("$"))} ${ctx.style.bold(command)}`);
  await ctx.sleep(ctx.rng.int(150, 500));
}

async function apply(ctx: Context, w: World): Promise<void> {
  await prompt(ctx, `kubectl apply -f k8s/ -n ${w.namespace}`);
  await ctx.sleep(ctx.rng.int(400, 1_200));
  for (const r of w.resources) {
    ctx.out.line(`${r.ref} ${r.result}`);
    await ctx.sleep(ctx.rng.int(60, 350));
  }
}

async function helm(ctx: Context, w: World): Promise<void> {
  const { out, rng } = ctx;
  await prompt(ctx, "helm repo update");
  out.line("Hang tight while we grab the latest from your chart repositories...");
  for (const repo of rng.shuffle(w.repos)) {
    await ctx.sleep(rng.int(200, 2_200));
    out.line(`...Successfully got an update from the "${repo}" chart repository`);
  }
  await ctx.sleep(rng.int(20, 120));
  out.line("Update Complete. ⎈Happy Helming!⎈");
  await prompt(
    ctx,
    `helm upgrade --install ${w.app} ./charts/${w.app} -n ${w.namespace} -f charts/${w.app}/values-${w.namespace}.yaml --set image.tag=${w.tag}`,
  );
  if (w.firstInstall) out.line(`Release "${w.app}" does not exist. Installing it now.`);
  await ctx.sleep(rng.int(1_800, 5_500));
  out.line(
    w.firstInstall
      ? `NAME: ${w.app}`
      : `Release "${w.app}" has been upgraded. Happy Helming!\nNAME: ${w.app}`,
  );
  out.line(`LAST DEPLOYED: ${ansic(ctx.clock.wall())}`);
  out.line(`NAMESPACE: ${w.namespace}`);
  out.line("STATUS: deployed");
  out.line(`REVISION: ${w.revision}`);
  out.line("TEST SUITE: None");
  out.line("NOTES:");
  out.line("1. Get the application URL by running these commands:");
  out.line(`  https://${w.app}.${w.domain}/`);
}

/** The pods as `get pods` lists them at `t`: each pod's latest state, by name. */
export function podsAt(r: Rollout, t: number): string[][] {
  const latest = new Map<string, PodEvent>();
  for (const e of [...r.initial, ...r.events.filter((e) => e.at <= t)]) latest.set(e.name, e);
  return [...latest.values()].filter((e) => !e.gone)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => [
      e.name,
      e.ready,
      e.status,
      e.restartCount > 0 && e.lastExit !== undefined
        ? `${e.restartCount} (${humanDuration(t - e.lastExit)} ago)`
        : String(e.restartCount),
      humanDuration(t - e.created),
    ]);
}

async function rolloutStatus(ctx: Context, w: World, r: Rollout, t0: number): Promise<void> {
  const { out, rng } = ctx;
  await prompt(ctx, `kubectl rollout status deployment/${w.app} -n ${w.namespace}`);
  if (rng.chance(0.3)) out.line("Waiting for deployment spec update to be observed...");
  let last = "";
  const now = ctx.clock.now() - t0;
  // The first message reflects the deployment as it is when the command starts.
  const current = r.counters.filter((c) => c.at <= now).at(-1)!;
  for (const { at, c } of [current, ...r.counters.filter((c) => c.at > now)]) {
    const wait = t0 + at - ctx.clock.now();
    if (wait > 0) await ctx.sleep(wait);
    const message = rolloutMessage(w.app, w.replicas, c);
    if (message === last && !rng.chance(0.15)) continue;
    out.line(message);
    last = message;
  }
}

async function watchPods(ctx: Context, w: World, r: Rollout, t0: number): Promise<void> {
  const { out, rng } = ctx;
  await prompt(ctx, `kubectl get pods -n ${w.namespace} -l app.kubernetes.io/name=${w.app} -w`);
  const now = ctx.clock.now() - t0;
  const grid = new GrowingTable();
  const rows = [["NAME", "READY", "STATUS", "RESTARTS", "AGE"], ...podsAt(r, now)];
  // The first listing is one tabwriter flush: aligned over all its rows.
  for (const row of rows) grid.row(row);
  for (const row of rows) out.line(grid.row(row));
  for (const e of r.events.filter((e) => e.at > now)) {
    const wait = t0 + e.at - ctx.clock.now();
    if (wait > 0) await ctx.sleep(wait);
    out.line(grid.row([e.name, e.ready, e.status, e.restarts, e.age]));
  }
  await ctx.sleep(rng.int(2_000, 6_000));
  out.line("^C");
}

async function run(ctx: Context): Promise<void> {
  const { rng } = ctx;
  const w = planWorld(rng);
  const r = simulate(rng, w);
  if (w.mode === "helm") await helm(ctx, w);
  else await apply(ctx, w);
  const t0 = ctx.clock.now();
  if (w.mode === "watch") {
    await watchPods(ctx, w, r, t0);
    return;
  }
  await rolloutStatus(ctx, w, r, t0);
  if (w.mode === "rollout") {
    await prompt(ctx, `kubectl get pods -n ${w.namespace} -l app.kubernetes.io/name=${w.app}`);
    await ctx.sleep(rng.int(150, 500));
    const rows = podsAt(r, ctx.clock.now() - t0);
    for (const line of table([["NAME", "READY", "STATUS", "RESTARTS", "AGE"], ...rows])) {
      ctx.out.line(line);
    }
  }
}

/** `kubectl apply` and a rollout watched to the end. */
export const kubectl: Module = {
  name: "kubectl",
  signature: "kubectl apply -f k8s/ && kubectl rollout status deployment/web",
  about: "Roll out a Deployment with kubectl or Helm and watch its pods come up",
  maxDurationMs: 240_000,
  run,
};
