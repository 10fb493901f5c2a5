/**
 * ansible: `ansible-playbook -i inventory/prod site.yml`, as ansible-core
 * 2.19/2.20 print it with the default callback. Plays over inventory groups, banners
 * padded with `*`, fact gathering, role tasks whose per-host results arrive in
 * completion order from five forks, loops, retries, ignored and fatal
 * failures (a failed or unreachable host drops out of the rest of the run),
 * handlers for the hosts that were notified, and a PLAY RECAP whose counters
 * are exactly the results printed above it.
 *
 * One inventory per run: hosts of a group run one distribution (so one
 * discovered Python), interpreter warnings appear for every discovered host or
 * for none, and a deploy play ships one release to every host.
 *
 * @module
 */

import data from "../data/ansible.json" with { type: "json" };
import { hms, pad, ymd } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** A task from the data file. */
interface TaskData {
  name: string;
  kind: string;
  loop?: string[];
  notify?: string;
  /** Probability that the `when:` condition is false. */
  when?: number;
  ignore?: boolean;
  once?: boolean;
}

/** The PLAY RECAP counters of one host. */
export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** How one host came out of one task. */
type Outcome = "ok" | "changed" | "skipping" | "failed" | "ignored" | "unreachable";

const ROLES = data.roles as Record<string, { tasks: TaskData[]; handlers: string[] }>;
const FAILURES = data.failures as Record<string, string[]>;
const FORKS = 5;

const CHANGE_ODDS: Record<string, number> = {
  apt_cache: 0.6,
  package: 0.2,
  setting: 0.1,
  template: 0.25,
  user: 0.1,
  service: 0.08,
  file: 0.2,
  download: 0.3,
  unarchive: 0.4,
  command: 0.9,
  check: 0,
  db: 0.15,
  wait: 0,
  debug: 0,
};

/** Per-host duration range in ms for each kind of task: [ok, changed]. */
const DURATIONS: Record<string, [number, number, number, number]> = {
  apt_cache: [1500, 4000, 3000, 9000],
  package: [700, 2500, 4000, 18000],
  setting: [250, 900, 400, 1400],
  template: [350, 1100, 500, 1600],
  user: [250, 800, 400, 1200],
  service: [300, 1200, 1500, 5000],
  file: [200, 700, 250, 900],
  download: [600, 2000, 1200, 6000],
  unarchive: [800, 2500, 1500, 5000],
  command: [400, 2000, 800, 7000],
  check: [250, 1000, 250, 1000],
  db: [350, 1200, 500, 1500],
  wait: [800, 3000, 800, 3000],
  debug: [2, 15, 2, 15],
};

/** ansible's screen width for banners: at least 79 columns. */
export function bannerColumns(cols: number, isTTY: boolean): number {
  return isTTY ? Math.max(79, cols - 1) : 79;
}

/** `TASK [nginx : Install nginx] ****…` for the given banner width. */
export function banner(msg: string, columns: number): string {
  return `${msg} ${"*".repeat(Math.max(3, columns - msg.length))}`;
}

/** One PLAY RECAP line, with ansible's padding (`ok=12  `) and colours. */
export function recapLine(style: Style, host: string, s: HostStats): string {
  const field = (name: string, n: number, paint?: (t: string) => string) => {
    const text = `${name}=${String(n).padEnd(4)}`;
    return n !== 0 && paint ? paint(text) : text;
  };
  const hostPaint = s.failed > 0 || s.unreachable > 0
    ? style.red
    : s.changed > 0
    ? style.yellow
    : style.green;
  const name = hostPaint(host) + " ".repeat(Math.max(0, 26 - host.length));
  return `${name} : ${
    [
      field("ok", s.ok, style.green),
      field("changed", s.changed, style.yellow),
      field("unreachable", s.unreachable, style.brightRed),
      field("failed", s.failed, style.red),
      field("skipped", s.skipped, style.cyan),
      field("rescued", s.rescued, style.green),
      field("ignored", s.ignored, style.brightMagenta),
    ].join(" ")
  }`;
}

/** Makes an inventory: host names in one naming style for the whole run. */
function makeHosts(
  rng: Rng,
  group: string,
  count: number,
  style: number,
  env: string,
  domain: string,
) {
  const prefix = rng.pick((data.groups as Record<string, string[]>)[group] ?? [group]);
  const subnet = rng.int(0, 40);
  // EC2's internal DNS names hosts by address only: ip-10-0-1-23.eu-west-1.compute.internal.
  if (domain.endsWith(".compute.internal")) {
    const third = rng.int(0, 15);
    return Array.from(
      { length: count },
      () => `ip-10-${subnet}-${third}-${rng.int(4, 250)}.${domain}`,
    );
  }
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    switch (style) {
      case 0:
        return `${prefix}-${pad(n)}.${env}.${domain}`;
      case 1:
        return `${prefix}${n}`;
      case 2:
        return `${env}-${prefix}-${pad(n)}`;
      default:
        return `10.${rng.int(0, 3)}.${subnet}.${10 + n * rng.int(1, 9)}`;
    }
  });
}

/** What a playbook run looks like before it runs. */
interface Playbook {
  plays: { name: string; hosts: string[]; roles: string[]; gather: boolean }[];
  hosts: string[];
  /** The Python each host's distribution ships (`3.12`): one per group. */
  python: Map<string, string>;
}

/** The Python 3 of the distributions fleets run: Ubuntu 22.04, Debian 12, Ubuntu 24.04, Debian 13. */
const DISTRO_PYTHONS = ["3.10", "3.11", "3.12", "3.13"];

function planPlaybook(rng: Rng): Playbook {
  const env = rng.pick(data.envs);
  const domain = rng.pick(data.domains);
  const naming = rng.weighted([0, 1, 2, 3], [4, 3, 2, 1]);
  const specific = rng.sample(data.plays.filter((p) => p.group !== "all"), rng.int(1, 3));
  const plays: Playbook["plays"] = [];
  const groupHosts = new Map<string, string[]>();
  for (const p of specific) {
    if (!groupHosts.has(p.group)) {
      groupHosts.set(p.group, makeHosts(rng, p.group, rng.int(1, 5), naming, env, domain));
    }
  }
  const all = [...new Set([...groupHosts.values()].flat())];
  if (all.length < 2) {
    const extra = rng.pick(data.plays.filter((p) => p.group !== "all" && !groupHosts.has(p.group)));
    groupHosts.set(extra.group, makeHosts(rng, extra.group, 2, naming, env, domain));
    specific.push(extra);
    all.push(...groupHosts.get(extra.group)!);
  }
  if (rng.chance(0.6)) {
    const common = data.plays.find((p) => p.group === "all")!;
    plays.push({
      name: rng.pick(common.names ?? [common.name]),
      hosts: all,
      roles: common.roles.filter(() => rng.chance(0.75)),
      gather: true,
    });
  }
  for (const p of specific) {
    plays.push({
      name: p.name,
      hosts: groupHosts.get(p.group)!,
      roles: p.roles.filter((_, i) => i === 0 || rng.chance(0.8)),
      gather: plays.length === 0 || rng.chance(0.7),
    });
  }
  // Most fleets run one distribution; otherwise each group keeps to its own.
  const fleet = rng.chance(0.7) ? rng.pick(DISTRO_PYTHONS) : undefined;
  const python = new Map<string, string>();
  for (const hosts of groupHosts.values()) {
    const minor = fleet ?? rng.pick(DISTRO_PYTHONS);
    for (const h of hosts) if (!python.has(h)) python.set(h, minor);
  }
  return { plays, hosts: all, python };
}

/** Prints results and keeps the counters; one per playbook run. */
class Run {
  readonly stats = new Map<string, HostStats>();
  readonly dead = new Set<string>();
  readonly ctx: Context;
  readonly columns: number;
  /** The release this run deploys, drawn once. */
  readonly release: string;
  constructor(ctx: Context, hosts: readonly string[]) {
    this.ctx = ctx;
    this.release = releaseMessage(ctx);
    this.columns = bannerColumns(ctx.term.cols, ctx.term.isTTY);
    for (const h of hosts) {
      this.stats.set(h, {
        ok: 0,
        changed: 0,
        unreachable: 0,
        failed: 0,
        skipped: 0,
        rescued: 0,
        ignored: 0,
      });
    }
  }

  banner(msg: string): void {
    this.ctx.out.line();
    this.ctx.out.line(banner(msg, this.columns));
  }

  /** Counts a result as ansible's strategy does (an ignored failure is ok + ignored). */
  count(host: string, outcome: Outcome, changed = false): void {
    const s = this.stats.get(host)!;
    if (outcome === "ok" || outcome === "changed") s.ok++;
    if (outcome === "changed" || (outcome === "ignored" && changed)) s.changed++;
    if (outcome === "skipping") s.skipped++;
    if (outcome === "failed") s.failed++;
    if (outcome === "unreachable") s.unreachable++;
    if (outcome === "ignored") {
      s.ok++;
      s.ignored++;
    }
    if (outcome === "failed" || outcome === "unreachable") this.dead.add(host);
  }
}

function failureJson(
  ctx: Context,
  task: TaskData,
  item?: string,
): { json: string; changed: boolean } {
  const { rng } = ctx;
  const svc =
    task.name.match(/(nginx|haproxy|redis-server|postgresql|fail2ban|docker|vector|node_exporter)/)
      ?.[1] ??
      "app";
  // Messages naming the loop item only fit looped tasks.
  const pool = (FAILURES[task.kind] ?? FAILURES.command!).filter((m) =>
    item !== undefined || !m.includes("{item}")
  );
  const msg = rng.pick(pool.length > 0 ? pool : FAILURES.command!)
    .replaceAll("{svc}", svc)
    .replaceAll("{item}", item ?? "");
  if (task.kind === "command" || task.kind === "check") {
    const wall = ctx.clock.wall();
    const ms = rng.int(3, 2400);
    const start = new Date(wall.getTime() - ms);
    const stamp = (d: Date) =>
      `${ymd(d)} ${hms(d)}.${pad(d.getUTCMilliseconds() * 1000 + rng.int(0, 999), 6)}`;
    const stderr = rng.pick([
      "Fatal: config file already exists",
      "Error: could not connect to server: Connection refused",
      "curl: (28) Operation timed out after 30001 milliseconds with 0 bytes received",
      "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
    ]);
    const changed = task.kind === "command";
    const json = `{"changed": ${changed}, "cmd": ${
      JSON.stringify(commandFor(task))
    }, "delta": "0:00:0${Math.floor(ms / 1000)}.${
      String((ms % 1000) * 1000 + rng.int(0, 999)).padStart(6, "0")
    }", "end": "${stamp(wall)}", "msg": ${JSON.stringify(msg)}, "rc": 1, "start": "${
      stamp(start)
    }", "stderr": ${JSON.stringify(stderr)}, "stderr_lines": [${
      JSON.stringify(stderr)
    }], "stdout": "", "stdout_lines": []}`;
    return { json, changed };
  }
  // ansible prints results with sorted keys.
  const json = item !== undefined
    ? `{"ansible_loop_var": "item", "changed": false, "item": ${JSON.stringify(item)}, "msg": ${
      JSON.stringify(msg)
    }}`
    : `{"changed": false, "msg": ${JSON.stringify(msg)}}`;
  return { json, changed: false };
}

function commandFor(task: TaskData): string {
  if (/restic/i.test(task.name)) {
    return "restic init --repo s3:s3.amazonaws.com/acme-backups/$(hostname)";
  }
  if (/migrations/i.test(task.name)) return "/srv/app/current/bin/manage migrate --no-input";
  if (/k3s/i.test(task.name)) return "sh /tmp/k3s-install.sh";
  if (/certificate/i.test(task.name)) return "certbot certonly --webroot -w /var/www/certbot -n";
  return "/usr/local/bin/provision.sh";
}

/** Runs one task over `hosts` with five forks; returns the hosts whose result was `changed`. */
async function runTask(
  run: Run,
  title: string,
  task: TaskData,
  hosts: string[],
): Promise<string[]> {
  const { ctx } = run;
  const { out, rng, style } = ctx;
  run.banner(`TASK [${title}]`);
  const live = hosts.filter((h) => !run.dead.has(h));
  const changedHosts: string[] = [];
  const changeOdds = CHANGE_ODDS[task.kind] ?? 0.2;
  const mode = rng.chance(0.04)
    ? "all-changed"
    : task.when !== undefined && rng.chance(0.5)
    ? "shared-when"
    : "each";
  const sharedSkip = task.when !== undefined && rng.chance(task.when);
  const targets = task.once ? live.slice(0, 1) : live;
  // Five forks: a host starts when a worker is free; results arrive in completion order.
  const [okLo, okHi, chLo, chHi] = DURATIONS[task.kind] ?? [300, 1500, 500, 3000];
  const plans = targets.map((host) => {
    let outcome: Outcome;
    const skip = mode === "shared-when"
      ? sharedSkip
      : task.when !== undefined && rng.chance(task.when);
    if (skip) outcome = "skipping";
    else if (task.ignore && rng.chance(0.4)) outcome = "ignored";
    else if (rng.chance(0.0025)) outcome = "failed";
    else if (mode === "all-changed" && changeOdds > 0) outcome = "changed";
    else outcome = rng.chance(changeOdds) ? "changed" : "ok";
    const ms = outcome === "skipping"
      ? rng.int(5, 60)
      : outcome === "changed"
      ? rng.int(chLo, chHi)
      : rng.int(okLo, okHi);
    return {
      host,
      outcome,
      ms,
      retries: task.kind === "wait" && rng.chance(0.3) ? rng.int(1, 3) : 0,
    };
  });
  const scale = Math.min(1, 20_000 / Math.max(1, plans.reduce((a, p) => a + p.ms, 0) / FORKS));
  const workers = Array.from({ length: Math.min(FORKS, plans.length) }, () => 0);
  const done = plans.map((p) => {
    const w = workers.indexOf(Math.min(...workers));
    workers[w]! += p.ms * scale * rng.float(0.8, 1.25) + p.retries * 2500;
    return { ...p, at: workers[w]! };
  }).sort((a, b) => a.at - b.at);
  let clock = 0;
  for (const r of done) {
    const wait = Math.max(0, r.at - clock);
    clock = Math.max(clock, r.at);
    for (let k = 0; k < r.retries; k++) {
      await ctx.sleep(wait / (r.retries + 1));
      out.line(style.gray(`FAILED - RETRYING: [${r.host}]: ${task.name} (${5 - k} retries left).`));
    }
    await ctx.sleep(wait / (r.retries + 1));
    const changed = await printResult(ctx, run, task, r.host, r.outcome);
    if (changed) changedHosts.push(r.host);
  }
  return changedHosts;
}

/** Prints one host's result for a task and counts it; returns whether it changed. */
async function printResult(
  ctx: Context,
  run: Run,
  task: TaskData,
  host: string,
  outcome: Outcome,
): Promise<boolean> {
  const { out, rng, style } = ctx;
  const items = task.loop;
  if (outcome === "skipping") {
    out.line(style.cyan(`skipping: [${host}]`));
    run.count(host, "skipping");
    return false;
  }
  if (outcome === "failed" || outcome === "ignored") {
    let failedItem: string | undefined;
    if (items) {
      failedItem = rng.pick(items);
      for (const item of items.slice(0, items.indexOf(failedItem))) {
        out.line(style.green(`ok: [${host}] => (item=${item})`));
      }
    }
    const { json, changed } = failureJson(ctx, task, failedItem);
    out.line(
      style.red(
        failedItem !== undefined
          ? `failed: [${host}] (item=${failedItem}) => ${json}`
          : `fatal: [${host}]: FAILED! => ${json}`,
      ),
    );
    if (outcome === "ignored") out.line(style.cyan("...ignoring"));
    run.count(host, outcome, changed);
    return false;
  }
  if (task.kind === "debug") {
    out.line(style.green(`ok: [${host}] => {`));
    out.line(style.green(`    "msg": ${JSON.stringify(run.release)}`));
    out.line(style.green("}"));
    run.count(host, "ok");
    return false;
  }
  if (!items) {
    out.line(
      outcome === "changed" ? style.yellow(`changed: [${host}]`) : style.green(`ok: [${host}]`),
    );
    run.count(host, outcome);
    return outcome === "changed";
  }
  let anyChanged = false;
  for (const [i, item] of items.entries()) {
    const last = i === items.length - 1;
    const ch: boolean = outcome === "changed" && (rng.chance(0.7) || (last && !anyChanged));
    anyChanged ||= ch;
    out.line(
      ch
        ? style.yellow(`changed: [${host}] => (item=${item})`)
        : style.green(`ok: [${host}] => (item=${item})`),
    );
    if (rng.chance(0.15)) await ctx.sleep(rng.int(50, 250));
  }
  run.count(host, anyChanged ? "changed" : "ok");
  return anyChanged;
}

/** The release a deploy play ships: the same to every host. */
function releaseMessage(ctx: Context): string {
  const { rng } = ctx;
  const d = ctx.clock.wall();
  return `Deploying ${
    rng.pick(["acme-api", "storefront", "billing", "ledger", "gateway"])
  } ${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}-${rng.int(1, 9)} (${
    rng.hex(7)
  }) to /srv/app/releases/${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${
    pad(d.getUTCHours())
  }${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** Interpreter discovery: whether it warns, and for which ansible-core docs version. */
interface Discovery {
  warn: boolean;
  core: string;
  python: Map<string, string>;
  /** Hosts already discovered (each warns once per run). */
  seen: Set<string>;
}

async function gatherFacts(run: Run, hosts: string[], discovery: Discovery): Promise<void> {
  const { ctx } = run;
  const { out, rng, style } = ctx;
  run.banner("TASK [Gathering Facts]");
  // Five forks take hosts in inventory order; a batch answers in completion order.
  const order = hosts.filter((h) => !run.dead.has(h));
  for (let i = 0; i < order.length; i += FORKS) {
    const batch = rng.shuffle(order.slice(i, i + FORKS));
    await ctx.sleep(rng.int(1200, 4200));
    // Hosts of a batch connect at once: one SSH time-out delays the batch once.
    let timedOut = false;
    for (const host of batch) {
      if (rng.chance(0.02)) {
        if (!timedOut) await ctx.sleep(rng.int(4000, 8000));
        timedOut = true;
        const msg =
          `Failed to connect to the host via ssh: ssh: connect to host ${host} port 22: Connection timed out`;
        out.line(
          style.brightRed(
            `fatal: [${host}]: UNREACHABLE! => {"changed": false, "msg": ${
              JSON.stringify(msg)
            }, "unreachable": true}`,
          ),
        );
        run.count(host, "unreachable");
        continue;
      }
      if (discovery.warn && !discovery.seen.has(host)) {
        const path = `/usr/bin/python${discovery.python.get(host)}`;
        // ansible-core 2.19+ prints it on one line, unwrapped.
        out.line(style.brightMagenta(
          `[WARNING]: Host '${host}' is using the discovered Python interpreter at '${path}', but future installation of another Python interpreter could cause a different interpreter to be discovered. See https://docs.ansible.com/ansible-core/${discovery.core}/reference_appendices/interpreter_discovery.html for more information.`,
        ));
      }
      discovery.seen.add(host);
      out.line(style.green(`ok: [${host}]`));
      run.count(host, "ok");
      if (rng.chance(0.3)) await ctx.sleep(rng.int(50, 400));
    }
  }
}

async function runHandlers(
  run: Run,
  notified: Map<string, { role: string; hosts: Set<string> }>,
): Promise<void> {
  const { ctx } = run;
  const { out, rng, style } = ctx;
  for (const [handler, { role, hosts }] of notified) {
    const targets = [...hosts].filter((h) => !run.dead.has(h));
    if (targets.length === 0) continue;
    run.banner(`RUNNING HANDLER [${role} : ${handler}]`);
    for (let i = 0; i < targets.length; i += FORKS) {
      await ctx.sleep(rng.int(500, 2000));
      for (const host of rng.shuffle(targets.slice(i, i + FORKS))) {
        out.line(style.yellow(`changed: [${host}]`));
        run.count(host, "changed");
      }
    }
  }
}

async function run(ctx: Context): Promise<void> {
  const { out, rng } = ctx;
  const book = planPlaybook(rng);
  const runState = new Run(ctx, book.hosts);
  const start = ctx.clock.now();
  const budget = rng.float(20_000, 110_000);
  const discovery: Discovery = {
    warn: rng.chance(0.35),
    core: rng.pick(["2.19", "2.20"]),
    python: book.python,
    seen: new Set(),
  };
  let stopped = false;
  for (const play of book.plays) {
    if (stopped) break;
    runState.banner(`PLAY [${play.name}]`);
    await ctx.sleep(rng.int(200, 1200));
    if (play.hosts.every((h) => runState.dead.has(h))) continue;
    if (play.gather) await gatherFacts(runState, play.hosts, discovery);
    const notified = new Map<string, { role: string; hosts: Set<string> }>();
    for (const role of play.roles) {
      for (const task of ROLES[role]!.tasks) {
        if (ctx.clock.now() - start > budget) break;
        if (play.hosts.every((h) => runState.dead.has(h))) break;
        const changed = await runTask(runState, `${role} : ${task.name}`, task, play.hosts);
        if (task.notify && changed.length > 0) {
          const entry = notified.get(task.notify) ?? { role, hosts: new Set<string>() };
          for (const h of changed) entry.hosts.add(h);
          notified.set(task.notify, entry);
        }
      }
    }
    if (play.hosts.every((h) => runState.dead.has(h))) {
      runState.banner("NO MORE HOSTS LEFT");
      stopped = true;
      break;
    }
    await runHandlers(runState, notified);
    if (ctx.clock.now() - start > budget) stopped = true;
  }
  runState.banner("PLAY RECAP");
  // Like ansible, the recap lists the hosts that produced at least one result.
  const hosts = [...runState.stats.entries()]
    .filter(([, s]) => Object.values(s).some((n) => n > 0))
    .map(([h]) => h)
    .sort();
  for (const host of hosts) out.line(recapLine(ctx.style, host, runState.stats.get(host)!));
  out.line();
}

/** `ansible-playbook`: plays, tasks, per-host results, handlers and the PLAY RECAP. */
export const ansible: Module = {
  name: "ansible",
  signature: "ansible-playbook -i inventory/prod site.yml",
  about: "Run an Ansible playbook against a fleet of hosts",
  maxDurationMs: 240_000,
  run,
};
