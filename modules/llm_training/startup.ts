/**
 * What every flavour prints while the job comes up and when a rank dies:
 * torchrun's elastic agent (glog prefix, `LOGLEVEL=INFO`), its OMP warning,
 * NCCL's `NCCL_DEBUG=INFO` initialisation from the local ranks (interleaved),
 * c10d warnings, and the failure path (NCCL WARN or a CUDA error, the
 * watchdog, SIGTERM to the local workers, `Worker group FAILED … will restart`).
 *
 * @module
 */

import type { Run } from "./runtime.ts";
import { commas } from "./pyfmt.ts";
import type { Failure, FailureKind } from "./scenario.ts";
import { c10d, glog } from "./stamps.ts";

/** The torchrun agent's PID on `node`. */
export function agentPid(run: Run, node = run.consoleNode): number {
  return run.sc.cluster.agentPid + ((node * 7919) % 60000);
}

/** PIDs of the local workers on `node` for restart `attempt`. */
export function workerPids(run: Run, attempt: number, node = run.consoleNode): number[] {
  const base = agentPid(run, node) + 13 + attempt * 431;
  return Array.from({ length: run.sc.cluster.gpusPerNode }, (_, i) => base + i);
}

/**
 * Whether the log is the merged `srun --label` output of every node (Megatron:
 * rank 0 and the last rank print different things), not one node's console.
 */
export function merged(run: Run): boolean {
  return run.sc.flavour === "megatron";
}

/** A node's IP. */
export function ip(run: Run, node: number): string {
  return `${run.sc.cluster.ipBase}${11 + node}`;
}

/**
 * The number in the agent's glog prefix: torch 2.4 logs the thread id
 * (`140119427319616`), later releases the process id.
 */
export function agentLogId(run: Run, node = run.consoleNode): number {
  const pid = agentPid(run, node);
  return run.sc.versions.torch.startsWith("2.4.") ? 139_800_000_000_000 + pid * 4096 : pid;
}

/** Whether torchrun uses a static rendezvous (single node, no rendezvous flags). */
export function staticRendezvous(run: Run): boolean {
  return run.sc.cluster.nodes === 1;
}

/** torchrun's elastic agent start-up (and re-rendezvous after a failure). */
export async function elasticStart(run: Run, entry: string, restart: number): Promise<void> {
  if (merged(run)) {
    // OMP_NUM_THREADS is set and LOGLEVEL is not: the agents say nothing while all goes well
    await run.pause(run.rng.int(3500, 10000));
    return;
  }
  const c = run.sc.cluster;
  const pid = agentLogId(run);
  const v = run.sc.versions;
  const me = run.consoleNode;
  const stat = staticRendezvous(run);
  const g = (level: "I" | "W", where: string) => glog(level, run.wall(), pid, where);
  const launcher = "torch/distributed/launcher/api.py:194";
  const agent = "torch/distributed/elastic/agent/server/api.py";
  const local = "torch/distributed/elastic/agent/server/local_elastic_agent.py";
  if (restart === 0) {
    const logDir = `/tmp/torchelastic_${run.rng.hex(8)}`;
    const cfg: [string, string][] = [
      ["entrypoint", entry],
      ["min_nodes", String(c.nodes)],
      ["max_nodes", String(c.nodes)],
      ["nproc_per_node", String(c.gpusPerNode)],
      ["run_id", stat ? "none" : String(c.jobId)],
      ["rdzv_backend", stat ? "static" : "c10d"],
      ["rdzv_endpoint", stat ? "127.0.0.1:29500" : `${c.hosts[0]}:${c.port}`],
      ["rdzv_configs", stat ? "{'rank': 0, 'timeout': 900}" : "{'timeout': 900}"],
      ["max_restarts", "3"],
      ["monitor_interval", "0.1"],
      ["log_dir", logDir],
      ["metrics_cfg", "{}"],
    ];
    run.line(g("I", launcher) + "Starting elastic_operator with launch configs:");
    for (const [k, val] of cfg) run.line(g("I", launcher) + `  ${k.padEnd(17)}: ${val}`);
    run.line(g("I", launcher));
    await run.pause(run.rng.int(200, 700));
    run.line(
      g("I", `${local}:234`) +
        `log directory set to: ${logDir}/${stat ? "none" : c.jobId}_${run.rng.hex(8)}`,
    );
    run.line(g("I", `${agent}:870`) + "[default] starting workers for entrypoint: python3");
  } else {
    run.line(g("I", `${agent}:904`) + "[default] Stopping worker group");
  }
  run.line(g("I", `${agent}:677`) + "[default] Rendezvous'ing worker group");
  await run.pause(run.rng.int(1500, 5000));
  const where = g("I", `${agent}:525`);
  const ranks = Array.from({ length: c.gpusPerNode }, (_, i) => i);
  const globals = ranks.map((r) => me * c.gpusPerNode + r);
  const list = (xs: number[]) => `[${xs.join(", ")}]`;
  run.line(where + "[default] Rendezvous complete for workers. Result:");
  run.line(where + `  restart_count=${restart}`);
  run.line(where + `  master_addr=${stat ? "127.0.0.1" : c.hosts[0]}`);
  run.line(where + `  master_port=${stat ? 29500 : c.port + 1 + restart}`);
  run.line(where + `  group_rank=${me}`);
  run.line(where + `  group_world_size=${c.nodes}`);
  run.line(where + `  local_ranks=${list(ranks)}`);
  run.line(where + `  role_ranks=${list(globals)}`);
  run.line(where + `  global_ranks=${list(globals)}`);
  run.line(where + `  role_world_sizes=${list(ranks.map(() => c.world))}`);
  run.line(where + `  global_world_sizes=${list(ranks.map(() => c.world))}`);
  run.line(where);
  run.line(g("I", `${agent}:685`) + "[default] Starting worker group");
  run.line(g("I", `${local}:298`) + "use_agent_store: True");
  run.line(
    g("I", `${local}:192`) +
      "Environment variable 'TORCHELASTIC_ENABLE_FILE_TIMER' not found. Do not start FileTimerServer.",
  );
  run.line(
    g("I", `${local}:236`) +
      "Environment variable 'TORCHELASTIC_HEALTH_CHECK_PORT' not found. Do not start health check.",
  );
  if (restart === 0) {
    const w = g("W", `torch/distributed/run.py:${v.runPyLine}`);
    run.line(w);
    run.line(w + "*****************************************");
    run.line(
      w +
        "Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, to avoid your system being overloaded, please further tune the variable for optimal performance in your application as needed. ",
    );
    run.line(w + "*****************************************");
  }
  await run.pause(run.rng.int(2000, 5000));
}

/** Shuffles per-rank line lists into one stream, keeping each rank's order. */
function interleave(run: Run, streams: string[][]): string[] {
  const idx = streams.map(() => 0);
  const out: string[] = [];
  for (;;) {
    const open = streams.map((s, i) => (idx[i]! < s.length ? i : -1)).filter((i) => i >= 0);
    if (open.length === 0) return out;
    const i = run.rng.pick(open);
    out.push(streams[i]![idx[i]!]!);
    idx[i]!++;
  }
}

/** NCCL `host:pid:tid [dev] NCCL INFO` initialisation of the world communicator. */
export async function ncclInit(run: Run, attempt: number, seconds: number): Promise<void> {
  if (merged(run)) {
    // NCCL_DEBUG=WARN: rank 0 prints the version, nothing else
    await run.pause(seconds * 400);
    run.as(
      0,
      () => run.line(`NCCL version ${run.sc.versions.nccl}+cuda${run.sc.versions.cudaTag}`),
    );
    await run.pause(seconds * 600);
    return;
  }
  const c = run.sc.cluster;
  const g = c.gpu;
  const me = run.consoleNode;
  const host = c.hosts[me]!;
  const pids = workerPids(run, attempt);
  const v = run.sc.versions;
  const ib = c.nodes > 1 || g.nccl.ibPerNode >= 4;
  const iface = g.formFactor === "SXM" && g.gpusPerNode === 8 ? "ibp26s0" : ib ? "ib0" : "eno1";
  const nics = ["mlx5_0", "mlx5_3", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_9", "mlx5_10", "mlx5_11"]
    .slice(0, g.nccl.ibPerNode);
  // GB200 trays in one NVL72 rack reach each other over NVLink (multi-node NVLink)
  const mnnvl = g.name === "NVIDIA GB200" && c.nodes <= 18;
  const p2p = g.formFactor === "PCIe-fan"
    ? "SHM/direct/direct"
    : g.arch === "Hopper" || g.arch === "Blackwell"
    ? "P2P/CUMEM/read"
    : "P2P/IPC/read";
  const channels = c.nodes > 1 ? g.nccl.channels : Math.max(2, g.nccl.channels / 2);
  const commId = `0x${run.rng.hex(16)}`;
  const per = c.gpusPerNode;
  const newNccl = v.nccl >= "2.23";
  const streams: string[][] = [];
  const masks = g.name === "NVIDIA GB200"
    ? [
      "00000000,00000000,000000ff,ffffffff,ffffffff",
      "0000ffff,ffffffff,ffffff00,00000000,00000000",
    ]
    : ["ffffffff,ffff0000,00000000,ffffffff", "00000000,0000ffff,ffffffff,00000000"];
  for (let i = 0; i < per; i++) {
    const rank = me * per + i;
    const pid = pids[i]!;
    const tid = pid + 370 + run.rng.int(0, 60);
    const p = `${host}:${pid}:${pid} [${i}] NCCL INFO `;
    const t = `${host}:${pid}:${tid} [${i}] NCCL INFO `;
    const comm = `0x${run.rng.pick(["55", "56", "7f"])}${run.rng.hex(9)}0`;
    const s: string[] = [];
    s.push(p + `Bootstrap${newNccl ? ":" : " :"} Using ${iface}:${ip(run, me)}<0>`);
    s.push(
      p +
        (newNccl
          ? "NET/Plugin: Could not find: libnccl-net.so. Using internal net plugin."
          : "NET/Plugin: No plugin found (libnccl-net.so)"),
    );
    s.push(p + `cudaDriverVersion ${c.cudaDriverVersion}`);
    if (rank === 0) s.push(p + `NCCL version ${v.nccl}+cuda${v.cudaTag}`);
    if (newNccl) s.push(t + "PROFILER/Plugin: Could not find: libnccl-profiler.so.");
    if (ib) {
      s.push(
        t +
          `NET/IB : Using ${nics.map((n, k) => `[${k}]${n}:1/IB`).join(" ")} [RO]; OOB ${iface}:${
            ip(run, me)
          }<0>`,
      );
      s.push(t + "Using network IB");
    } else {
      s.push(t + "NET/IB : No device found.");
      s.push(t + `NET/Socket : Using [0]${iface}:${ip(run, me)}<0>`);
      s.push(t + "Using network Socket");
    }
    s.push(
      t +
        `ncclCommInitRank comm ${comm} rank ${rank} nranks ${c.world} cudaDev ${i} nvmlDev ${i} busId ${
          g.busIds[i] ?? "0"
        } commId ${commId} - Init START`,
    );
    s.push(t + `Setting affinity for GPU ${i} to ${masks[i < per / 2 ? 0 : 1]}`);
    s.push(
      t +
        `comm ${comm} rank ${rank} nRanks ${c.world} nNodes ${c.nodes} localRanks ${per} localRank ${i} MNNVL ${
          mnnvl ? 1 : 0
        }`,
    );
    if (rank === 0) {
      for (let ch = 0; ch < channels; ch++) {
        s.push(t + `Channel ${pad2(ch)}/${pad2(channels)} : ${ring(c.nodes, per, ch)}`);
      }
    }
    s.push(t + `Trees ${trees(c.nodes, per, rank, channels)}`);
    s.push(t + "P2P Chunksize set to 131072");
    // every rank prints its own ring connections: in from the previous rank, out to the next
    for (let ch = 0; ch < channels; ch++) {
      const order = ringOrder(c.nodes, per, ch);
      const pos = order.indexOf(rank);
      const prev = order[(pos - 1 + order.length) % order.length]!;
      const next = order[(pos + 1) % order.length]!;
      const local = (r: number) => Math.floor(r / per) === me;
      const nic = ch % Math.max(1, nics.length);
      // a network link is printed at both ends; a P2P link (NVLink, MNNVL) by its sender only
      if (!local(prev) && !mnnvl) {
        s.push(
          t +
            `Channel ${pad2(ch)}/0 : ${prev}[${
              prev % per
            }] -> ${rank}[${i}] [receive] via NET/IB/${nic}/GDRDMA`,
        );
      }
      s.push(
        t +
          (local(next)
            ? `Channel ${pad2(ch)}/0 : ${rank}[${i}] -> ${next}[${next % per}] via ${p2p}`
            : mnnvl
            ? `Channel ${pad2(ch)}/0 : ${rank}[${i}] -> ${next}[${next % per}] via P2P/MNNVL`
            : `Channel ${pad2(ch)}/0 : ${rank}[${i}] -> ${next}[${
              next % per
            }] [send] via NET/IB/${nic}/GDRDMA`),
      );
    }
    s.push(t + "Connected all rings");
    s.push(t + "Connected all trees");
    s.push(t + "threadThresholds 8/8/64 | 128/8/64 | 512 | 512");
    s.push(
      t +
        `${channels} coll channels, ${
          ib && c.nodes > 1 ? channels : 0
        } collnet channels, ${g.nccl.nvls} nvls channels, ${channels} p2p channels, 2 p2p channels per peer`,
    );
    s.push(
      t +
        `ncclCommInitRank comm ${comm} rank ${rank} nranks ${c.world} cudaDev ${i} nvmlDev ${i} busId ${
          g.busIds[i] ?? "0"
        } commId ${commId} - Init COMPLETE`,
    );
    if (v.nccl >= "2.23") {
      const tot = seconds * run.rng.float(0.5, 0.8);
      s.push(
        t +
          `Init timings - ncclCommInitRank: rank ${rank} nranks ${c.world} total ${
            tot.toFixed(2)
          } (kernels 0.15, alloc 0.02, bootstrap ${(tot * 0.3).toFixed(2)}, allgathers 0.01, topo ${
            (tot * 0.4).toFixed(2)
          }, graphs 0.01, connections ${(tot * 0.2).toFixed(2)}, rest 0.05)`,
      );
    }
    streams.push(s);
  }
  const lines = interleave(run, streams);
  const perLine = (seconds * 1000) / lines.length;
  for (const l of lines) {
    run.line(l);
    await run.pause(perLine);
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** One ring as rank 0 prints it (at most 20 ranks). */
function ring(nodes: number, per: number, ch: number): string {
  return ringOrder(nodes, per, ch).slice(0, 20).map((r) => String(r).padStart(4)).join("");
}

/** The ranks of ring `ch` in order: node by node, alternating direction inside the node. */
function ringOrder(nodes: number, per: number, ch: number): number[] {
  const order: number[] = [];
  for (let n = 0; n < nodes; n++) {
    const base = n * per;
    const local = ch % 2 === 0
      ? [0, ...Array.from({ length: per - 1 }, (_, k) => per - 1 - k)]
      : Array.from({ length: per }, (_, k) => k);
    for (const l of local) order.push(base + l);
  }
  return order;
}

function trees(nodes: number, per: number, rank: number, channels: number): string {
  const parts: string[] = [];
  const local = rank % per;
  const node = (rank - local) / per;
  for (let ch = 0; ch < Math.min(channels, 8); ch++) {
    const down = local + 1 < per ? rank + 1 : -1;
    const up = local === 0 ? (node === 0 ? -1 : (ch % 2 === 0 ? 0 : rank - per)) : rank - 1;
    if (rank === 0 && nodes > 1) {
      parts.push(
        ch % 2 === 0 ? `[${ch}] ${down}/${per}/-1->0->-1` : `[${ch}] ${down}/-1/-1->0->${per}`,
      );
    } else parts.push(`[${ch}] ${down}/-1/-1->${rank}->${up}`);
  }
  return parts.join(" ");
}

/**
 * One c10d warning from every local rank, in the order the ranks reach it:
 * `text(rank, gpu)` after the glog prefix, whose thread id is six digits with
 * `fill` for the hex letters (each site's thread differs).
 */
function everyLocalRank(
  run: Run,
  site: string,
  fill: string,
  text: (rank: number, gpu: number) => string,
): void {
  const per = run.sc.cluster.gpusPerNode;
  for (const gpu of run.rng.shuffle(Array.from({ length: per }, (_, k) => k))) {
    const rank = run.consoleNode * per + gpu;
    run.line(
      c10d("W", run.wall(), rank, site, run.rng.hex(6).replace(/[a-f]/g, fill)) + text(rank, gpu),
    );
  }
}

/** The c10d barrier warning (torch 2.5–2.6). */
export function barrierWarnings(run: Run): void {
  const v = run.sc.versions.torch;
  if (v !== "2.5.1" && v !== "2.6.0" || merged(run)) return;
  everyLocalRank(
    run,
    "ProcessGroupNCCL.cpp:4561",
    "7",
    (rank, gpu) =>
      `[PG ID 0 PG GUID 0 Rank ${rank}]  using GPU ${gpu} to perform barrier as devices used by this process are currently unknown. This can potentially cause a hang if this rank to GPU mapping is incorrect. Specify device_ids in barrier() to force use of a particular device, or call init_process_group() with a device_id.`,
  );
}

/** The c10d exit warning every rank prints (torch ≥ 2.4). */
export function destroyWarnings(run: Run): void {
  everyLocalRank(
    run,
    "ProcessGroupNCCL.cpp:1250",
    "3",
    () =>
      "Warning: WARNING: process group has NOT been destroyed before we destruct ProcessGroupNCCL. On normal program exit, the application should call destroy_process_group to ensure that any pending NCCL operations have finished in this process. In rare cases this process can exit before this point and block the progress of another member of the process group. This constraint has always been present,  but this warning has only been added since PyTorch 2.4 (function operator())",
  );
}

/** torchrun's end of a successful run. */
export function elasticDone(run: Run): void {
  const g = (where: string) => glog("I", run.wall(), agentLogId(run), where);
  run.line(
    g("torch/distributed/elastic/agent/server/api.py:879") +
      "[default] worker group successfully finished. Waiting 300 seconds for other agents to finish.",
  );
  run.line(
    g("torch/distributed/elastic/agent/server/api.py:932") +
      "Local worker group finished (WorkerState.SUCCEEDED). Waiting 300 seconds for other agents to finish",
  );
  run.line(
    g("torch/distributed/elastic/agent/server/api.py:946") +
      `Done waiting for other agents. Elapsed: ${
        run.rng.float(0.2, 2.5).toFixed(16).replace(/0+$/, "")
      } seconds`,
  );
}

/** The CUDA error a rank raises for a local fault. */
const CUDA_ERRORS: Record<string, string> = {
  ecc: "uncorrectable ECC error encountered",
  xid79: "unspecified launch failure",
  nvlink: "uncorrectable NVLink error detected during the execution",
};

/** What the incident is called in the summary (with the Xid the kernel log shows). */
const INCIDENT: Record<FailureKind, string> = {
  ecc: "Xid 48 uncorrectable ECC error",
  xid79: "Xid 79 GPU has fallen off the bus",
  nvlink: "Xid 74 NVLink error",
  watchdog: "NCCL watchdog timeout",
  ib: "NCCL NET/IB completion error (status=12)",
  peer: "rank process killed (host OOM)",
};

/** The node whose console the log shows. */
export function consoleNode(run: Run): number {
  return run.consoleNode;
}

/** The NCCL sequence number of the collective a failure happens in. */
export function failureSeqNum(run: Run, f: Failure): number {
  const sc = run.sc;
  const shardParams = sc.model.params / (sc.parallel.tp * sc.parallel.pp);
  const buckets = Math.max(1, Math.ceil(shardParams / f.numel));
  const perStep = sc.flavour === "megatron" ? 2 * buckets + 3 : buckets * sc.batch.gradAccum + 2;
  return 24 + (f.atStep - sc.plan.startStep - 1) * perStep + Math.min(buckets, 3);
}

/** `WorkNCCL(SeqNum=…, OpType=…, …)` of the collective a failure happens in. */
export function workNccl(run: Run, f: Failure): string {
  const out = f.op === "_ALLGATHER_BASE" ? f.numel * run.sc.parallel.dp : f.numel;
  const inn = f.op === "_REDUCE_SCATTER_BASE" ? f.numel * run.sc.parallel.dp : f.numel;
  return `WorkNCCL(SeqNum=${
    failureSeqNum(run, f)
  }, OpType=${f.op}, NumelIn=${inn}, NumelOut=${out}, Timeout(ms)=${run.sc.timeoutSec * 1000})`;
}

/** The summary's incident line. */
export function incidentText(run: Run, f: Failure, resumedFrom: string): string {
  const c = run.sc.cluster;
  const rank = f.node * c.gpusPerNode + f.localRank;
  const what = f.kind === "watchdog"
    ? `${INCIDENT.watchdog} on ${f.op} SeqNum=${failureSeqNum(run, f)}`
    : f.kind === "ib"
    ? `${INCIDENT.ib} between ${c.hosts[f.node]} and ${c.hosts[f.peerNode]}`
    : INCIDENT[f.kind];
  return `${what} · ${c.hosts[f.node]} GPU ${f.localRank} (rank ${rank}) at step ${
    commas(f.atStep)
  } → elastic restart 1/3, resumed from ${resumedFrom} (${
    commas(f.atStep - f.resumeFrom)
  } steps redone)`;
}

/**
 * A rank fails and the console node's torchrun agent takes the node's workers
 * down: the failing rank's error (a CUDA error with its Python frames, an NCCL
 * warning, a watchdog timeout on the collective the ranks were in), the
 * watchdog aborts with `terminate called after throwing` and `what():`, SIGTERM
 * to every other local worker, `failed (exitcode: …) local_rank: r`, and the
 * restart. A fault on another node reaches this node as a remote error naming
 * that node.
 */
export async function failure(
  run: Run,
  f: Failure,
  traceback: readonly string[],
  attempt: number,
): Promise<void> {
  const c = run.sc.cluster;
  const v = run.sc.versions;
  const me = consoleNode(run);
  const gpn = c.gpusPerNode;
  const host = c.hosts[me]!;
  const pids = workerPids(run, attempt);
  const rankOf = (local: number) => me * gpn + local;
  const py = `/usr/local/lib/python${v.python}/dist-packages/torch/lib`;
  const here = f.node === me;
  const work = workNccl(run, f);
  const timeoutMs = run.sc.timeoutSec * 1000;
  const ranMs = Math.round(f.detectSec * 1000);
  // an InfiniBand fault shows on this node when this node is one end of the link
  const ibHere = f.kind === "ib" && (f.node === me || f.peerNode === me);
  const ibOther = f.node === me ? f.peerNode : f.node;
  const ibMsg = `NET/IB : Got completion from peer ${ip(run, ibOther)}<${
    run.rng.int(30000, 60999)
  }> with status=12 opcode=0 len=0 vendor err 129 (Send) localGid ::ffff:${
    ip(run, me)
  } remoteGidsfe80::${run.rng.hex(4)}:${run.rng.hex(4)}:${run.rng.hex(4)}:${
    run.rng.hex(4)
  } hca mlx5_${run.rng.pick([0, 3, 4, 5])}`;
  // the local rank that fails first
  const first = here || (ibHere && f.node === me) ? f.localRank : run.rng.int(0, gpn - 1);
  const nanos = () => run.rng.hex(6).replace(/[a-f]/g, "5");
  const localCuda = here && f.kind in CUDA_ERRORS;
  if (localCuda) {
    const r = rankOf(f.localRank);
    for (const l of traceback) run.line(`[rank${r}]: ${l}`);
    run.line(`[rank${r}]: RuntimeError: CUDA error: ${CUDA_ERRORS[f.kind]}`);
    run.line(
      `[rank${r}]: CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.`,
    );
    run.line(`[rank${r}]: For debugging consider passing CUDA_LAUNCH_BLOCKING=1`);
    run.line(`[rank${r}]: Compile with \`TORCH_USE_CUDA_DSA\` to enable device-side assertions.`);
    run.line(`[rank${r}]:`);
  } else if (ibHere) {
    const pid = pids[first]!;
    const t = `${host}:${pid}:${pid + 402} [${first}]`;
    run.line(`${t} transport/net_ib.cc:1696 NCCL WARN ${ibMsg}`);
    run.line(`${t} NCCL INFO transport/net.cc:1298 -> 6`);
    run.line(`${t} NCCL INFO proxy.cc:698 -> 6`);
    run.line(`${t} NCCL INFO proxy.cc:878 -> 6 [Progress Thread]`);
  }
  run.tel.markDown([f.node * gpn + f.localRank]);
  if (f.kind === "watchdog") await run.pause(Math.max(0, f.detectSec * 1000 - timeoutMs * 0.02));
  else await run.pause(f.detectSec * 1000);
  // the watchdog's verdict on this node's ranks
  let why: string[];
  if (f.kind === "watchdog") {
    why = [
      `[Rank {R}] Watchdog caught collective operation timeout: ${work} ran for ${ranMs} milliseconds before timing out.`,
    ];
  } else if (ibHere) {
    why = [
      `NCCL error: unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version ${v.nccl}`,
      "ncclSystemError: System call (e.g. socket, malloc) or external library call failed or device error. ",
      "Last error:",
      ibMsg,
    ];
  } else if (localCuda) {
    why = [`CUDA error: ${CUDA_ERRORS[f.kind]}`];
  } else {
    const dead = f.kind === "ib" ? f.node : f.node;
    why = [
      `NCCL error: remote process exited or there was a network error, NCCL version ${v.nccl}`,
      "ncclRemoteError: A call failed possibly due to a network error or a remote process exiting prematurely.",
      "Last error:",
      `socket.cc:538 NCCL WARN Net : Connection closed by remote peer ${c.hosts[dead]}<${
        run.rng.int(30000, 60999)
      }>`,
    ];
  }
  const others = Array.from({ length: gpn }, (_, k) => k).filter((k) => k !== first);
  // a CUDA fault kills its own process only; the other local ranks wait in NCCL until SIGTERM
  const erring = localCuda
    ? []
    : [first, ...run.rng.sample(others, Math.min(others.length, run.rng.int(0, 2)))];
  if (f.kind === "watchdog") {
    for (const k of run.rng.shuffle(Array.from({ length: gpn }, (_, i) => i))) {
      const R = rankOf(k);
      run.line(
        c10d("E", run.wall(), R, "ProcessGroupNCCL.cpp:616", nanos()) +
          `[Rank ${R}] Watchdog caught collective operation timeout: ${work} ran for ${
            ranMs + k * 7
          } milliseconds before timing out.`,
      );
    }
  }
  const sigkill = f.kind === "peer" && here;
  for (const k of sigkill ? [] : erring) {
    const R = rankOf(k);
    const text = why.map((l) => l.replace("{R}", String(R)));
    const head =
      `[PG ID 0 PG GUID 0(default_pg) Rank ${R}] Process group watchdog thread terminated with exception: ${
        text[0]
      }`;
    run.line(c10d("E", run.wall(), R, "ProcessGroupNCCL.cpp:1595", nanos()) + head);
    run.lines(text.slice(1));
    run.line(
      f.kind === "watchdog"
        ? "Exception raised from checkTimeout at ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:618 (most recent call first):"
        : "Exception raised from checkForNCCLErrorsInternal at ../torch/csrc/distributed/c10d/NCCLUtils.cpp:443 (most recent call first):",
    );
    run.line(
      `frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x96 (0x7f${
        run.rng.hex(9)
      }0 in ${py}/libc10.so)`,
    );
    run.line("");
    run.line("terminate called after throwing an instance of 'c10::DistBackendError'");
    run.line(`  what():  ${head}`);
    run.lines(text.slice(1));
    run.line(
      "Exception raised from ncclCommWatchdog at ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1601 (most recent call first):",
    );
    run.line(
      `frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x96 (0x7f${
        run.rng.hex(9)
      }0 in ${py}/libc10.so)`,
    );
    run.line(
      `frame #1: <unknown function> + 0xe5c6fc (0x7f${run.rng.hex(9)}0 in ${py}/libtorch_cuda.so)`,
    );
    run.line("");
    await run.pause(run.rng.int(50, 400));
  }
  run.phase("down");
  const g = (level: "I" | "W" | "E", where: string) =>
    glog(level, run.wall(), agentLogId(run), where);
  for (const k of others) {
    run.line(
      g("W", "torch/distributed/elastic/multiprocessing/api.py:897") +
        `Sending process ${pids[k]} closing signal SIGTERM`,
    );
  }
  const exitcode = localCuda ? 1 : sigkill ? -9 : -6;
  run.line(
    g("E", "torch/distributed/elastic/multiprocessing/api.py:869") +
      `failed (exitcode: ${exitcode}) local_rank: ${first} (pid: ${
        pids[first]
      }) of binary: /usr/bin/python3`,
  );
  await run.pause(run.rng.int(300, 900));
  if (merged(run)) {
    // every other node's agent sees the group change and stops its workers (INFO lines hidden)
    for (let node = 0; node < c.nodes; node++) {
      if (node === me) continue;
      const others = workerPids(run, attempt, node);
      run.as(node, () => {
        for (const pid of others) {
          run.line(
            glog(
              "W",
              run.wall(),
              agentLogId(run, node),
              "torch/distributed/elastic/multiprocessing/api.py:897",
            ) +
              `Sending process ${pid} closing signal SIGTERM`,
          );
        }
      });
    }
  } else {
    run.line(
      g("I", "torch/distributed/elastic/agent/server/api.py:838") +
        `[default] Worker group FAILED. ${3 - attempt}/3 attempts left; will restart worker group`,
    );
  }
  await run.pause(f.restartSec * 1000);
}
