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
import type { Failure } from "./scenario.ts";
import { c10d, glog } from "./stamps.ts";

/** PIDs of the local workers for restart `attempt`. */
export function workerPids(run: Run, attempt: number): number[] {
  const base = run.sc.cluster.agentPid + 13 + attempt * 431;
  return Array.from({ length: run.sc.cluster.gpusPerNode }, (_, i) => base + i);
}

/** Node-0 IP. */
function ip(run: Run, node: number): string {
  return `${run.sc.cluster.ipBase}${11 + node}`;
}

/** torchrun's elastic agent start-up (and re-rendezvous after a failure). */
export async function elasticStart(run: Run, entry: string, restart: number): Promise<void> {
  const c = run.sc.cluster;
  const pid = c.agentPid;
  const v = run.sc.versions;
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
      ["run_id", String(c.jobId)],
      ["rdzv_backend", "c10d"],
      ["rdzv_endpoint", `${c.hosts[0]}:${c.port}`],
      ["rdzv_configs", "{'timeout': 900}"],
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
      g("I", `${local}:234`) + `log directory set to: ${logDir}/${c.jobId}_${run.rng.hex(8)}`,
    );
    run.line(g("I", `${agent}:870`) + "[default] starting workers for entrypoint: python3");
  } else {
    run.line(g("I", `${agent}:904`) + "[default] Stopping worker group");
  }
  run.line(g("I", `${agent}:677`) + "[default] Rendezvous'ing worker group");
  await run.pause(run.rng.int(1500, 5000));
  const where = g("I", `${agent}:525`);
  const ranks = Array.from({ length: c.gpusPerNode }, (_, i) => i);
  const list = (xs: number[]) => `[${xs.join(", ")}]`;
  run.line(where + "[default] Rendezvous complete for workers. Result:");
  run.line(where + `  restart_count=${restart}`);
  run.line(where + `  master_addr=${c.hosts[0]}`);
  run.line(where + `  master_port=${run.rng.int(30000, 60999)}`);
  run.line(where + "  group_rank=0");
  run.line(where + `  group_world_size=${c.nodes}`);
  run.line(where + `  local_ranks=${list(ranks)}`);
  run.line(where + `  role_ranks=${list(ranks)}`);
  run.line(where + `  global_ranks=${list(ranks)}`);
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
  const c = run.sc.cluster;
  const g = c.gpu;
  const host = c.hosts[0]!;
  const pids = workerPids(run, attempt);
  const v = run.sc.versions;
  const ib = c.nodes > 1 || g.nccl.ibPerNode >= 4;
  const iface = g.formFactor === "SXM" && g.gpusPerNode === 8 ? "ibp26s0" : ib ? "ib0" : "eno1";
  const nics = ["mlx5_0", "mlx5_3", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_9", "mlx5_10", "mlx5_11"]
    .slice(0, g.nccl.ibPerNode);
  const p2p = g.formFactor === "PCIe-fan"
    ? "SHM/direct/direct"
    : g.arch === "Hopper" || g.arch === "Blackwell"
    ? "P2P/CUMEM/read"
    : "P2P/IPC/read";
  const channels = c.nodes > 1 ? g.nccl.channels : Math.max(2, g.nccl.channels / 2);
  const commId = `0x${run.rng.hex(16)}`;
  const per = c.gpusPerNode;
  const streams: string[][] = [];
  const masks = ["ffffffff,ffff0000,00000000,ffffffff", "00000000,0000ffff,ffffffff,00000000"];
  for (let i = 0; i < per; i++) {
    const pid = pids[i]!;
    const tid = pid + 370 + run.rng.int(0, 60);
    const p = `${host}:${pid}:${pid} [${i}] NCCL INFO `;
    const t = `${host}:${pid}:${tid} [${i}] NCCL INFO `;
    const comm = `0x${run.rng.pick(["55", "56", "7f"])}${run.rng.hex(10)}`;
    const s: string[] = [];
    s.push(p + `Bootstrap : Using ${iface}:${ip(run, 0)}<0>`);
    s.push(p + "NET/Plugin: No plugin found (libnccl-net.so)");
    s.push(p + `cudaDriverVersion ${c.cudaDriverVersion}`);
    s.push(p + `NCCL version ${v.nccl}+cuda${v.cudaTag}`);
    if (ib) {
      s.push(
        t +
          `NET/IB : Using ${nics.map((n, k) => `[${k}]${n}:1/IB`).join(" ")} [RO]; OOB ${iface}:${
            ip(run, 0)
          }<0>`,
      );
      s.push(t + "Using network IB");
    } else {
      s.push(t + "NET/IB : No device found.");
      s.push(t + `NET/Socket : Using [0]${iface}:${ip(run, 0)}<0>`);
      s.push(t + "Using network Socket");
    }
    s.push(
      t +
        `ncclCommInitRank comm ${comm} rank ${i} nranks ${c.world} cudaDev ${i} nvmlDev ${i} busId ${
          g.busIds[i] ?? "0"
        } commId ${commId} - Init START`,
    );
    s.push(t + `Setting affinity for GPU ${i} to ${masks[i < per / 2 ? 0 : 1]}`);
    s.push(
      t +
        `comm ${comm} rank ${i} nRanks ${c.world} nNodes ${c.nodes} localRanks ${per} localRank ${i} MNNVL 0`,
    );
    if (i === 0) {
      for (let ch = 0; ch < channels; ch++) {
        s.push(t + `Channel ${pad2(ch)}/${pad2(channels)} : ${ring(c.nodes, per, ch)}`);
      }
    }
    s.push(t + `Trees ${trees(c.nodes, per, i, channels)}`);
    s.push(t + "P2P Chunksize set to 131072");
    if (i === 0) {
      for (let ch = 0; ch < channels; ch++) {
        if (c.nodes > 1) {
          const prev = c.world - per + (ch % 2 === 0 ? per - 1 : 1);
          s.push(
            t +
              `Channel ${pad2(ch)}/0 : ${prev}[${prev % per}] -> 0[0] [receive] via NET/IB/${
                ch % nics.length
              }/GDRDMA`,
          );
        }
        const next = ch % 2 === 0 ? per - 1 : 1;
        s.push(t + `Channel ${pad2(ch)}/0 : 0[0] -> ${next}[${next}] via ${p2p}`);
      }
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
        `ncclCommInitRank comm ${comm} rank ${i} nranks ${c.world} cudaDev ${i} nvmlDev ${i} busId ${
          g.busIds[i] ?? "0"
        } commId ${commId} - Init COMPLETE`,
    );
    if (v.nccl >= "2.23") {
      const tot = seconds * run.rng.float(0.5, 0.8);
      s.push(
        t +
          `Init timings - ncclCommInitRank: rank ${i} nranks ${c.world} total ${
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
  const order: number[] = [];
  for (let n = 0; n < nodes; n++) {
    const base = n * per;
    const local = ch % 2 === 0
      ? [0, ...Array.from({ length: per - 1 }, (_, k) => per - 1 - k)]
      : Array.from({ length: per }, (_, k) => k);
    for (const l of local) order.push(base + l);
  }
  return order.slice(0, 20).map((r) => String(r).padStart(4)).join("");
}

function trees(nodes: number, per: number, rank: number, channels: number): string {
  const parts: string[] = [];
  for (let ch = 0; ch < Math.min(channels, 8); ch++) {
    const down = rank + 1 < per ? rank + 1 : -1;
    const up = rank === 0 ? -1 : rank - 1;
    if (rank === 0 && nodes > 1) {
      parts.push(
        ch % 2 === 0 ? `[${ch}] ${down}/${per}/-1->0->-1` : `[${ch}] ${down}/-1/-1->0->${per}`,
      );
    } else parts.push(`[${ch}] ${down}/-1/-1->${rank}->${up}`);
  }
  return parts.join(" ");
}

/** The c10d barrier warning (torch 2.5–2.6). */
export function barrierWarnings(run: Run): void {
  const v = run.sc.versions.torch;
  if (v !== "2.5.1" && v !== "2.6.0") return;
  for (
    const i of run.rng.shuffle(Array.from({ length: run.sc.cluster.gpusPerNode }, (_, k) => k))
  ) {
    run.line(
      c10d("W", run.wall(), i, "ProcessGroupNCCL.cpp:4561", run.rng.hex(6).replace(/[a-f]/g, "7")) +
        `[PG ID 0 PG GUID 0 Rank ${i}]  using GPU ${i} to perform barrier as devices used by this process are currently unknown. This can potentially cause a hang if this rank to GPU mapping is incorrect. Specify device_ids in barrier() to force use of a particular device, or call init_process_group() with a device_id.`,
    );
  }
}

/** The c10d exit warning every rank prints (torch ≥ 2.4). */
export function destroyWarnings(run: Run): void {
  for (
    const i of run.rng.shuffle(Array.from({ length: run.sc.cluster.gpusPerNode }, (_, k) => k))
  ) {
    run.line(
      c10d("W", run.wall(), i, "ProcessGroupNCCL.cpp:1250", run.rng.hex(6).replace(/[a-f]/g, "3")) +
        "Warning: WARNING: process group has NOT been destroyed before we destruct ProcessGroupNCCL. On normal program exit, the application should call destroy_process_group to ensure that any pending NCCL operations have finished in this process. In rare cases this process can exit before this point and block the progress of another member of the process group. This constraint has always been present,  but this warning has only been added since PyTorch 2.4 (function operator())",
    );
  }
}

/** torchrun's end of a successful run. */
export function elasticDone(run: Run): void {
  const g = (where: string) => glog("I", run.wall(), run.sc.cluster.agentPid, where);
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

/**
 * A rank dies: on this node the NCCL or CUDA error and the watchdog aborts,
 * then torchrun stops the local workers and restarts the group.
 * `traceback` gives the Python frames of the crashing rank (ECC case).
 */
export async function failure(
  run: Run,
  f: Failure,
  traceback: readonly string[],
  attempt: number,
): Promise<void> {
  const c = run.sc.cluster;
  const v = run.sc.versions;
  const host = c.hosts[0]!;
  const pids = workerPids(run, attempt);
  const deadRank = f.node * c.gpusPerNode + f.localRank;
  const deadHost = c.hosts[f.node]!;
  const peer = `${ip(run, f.node === 0 ? 1 : f.node)}<${run.rng.int(30000, 60999)}>`;
  const ibMsg =
    `NET/IB : Got completion from peer ${peer} with status=12 opcode=0 len=0 vendor err 129 (Send) localGid ::ffff:${
      ip(run, 0)
    } remoteGidsfe80::${run.rng.hex(4)}:${run.rng.hex(4)}:${run.rng.hex(4)}:${
      run.rng.hex(4)
    } hca mlx5_${run.rng.pick([0, 3, 4, 5])}`;
  const localVictims = run.rng.sample(
    Array.from({ length: c.gpusPerNode }, (_, i) => i),
    Math.min(c.gpusPerNode, run.rng.int(2, 4)),
  );
  if (f.node === 0) {
    const pid = pids[f.localRank]!;
    if (f.kind === "ib") {
      run.line(
        `${host}:${pid}:${pid + 402} [${f.localRank}] transport/net_ib.cc:1696 NCCL WARN ${ibMsg}`,
      );
      run.line(`${host}:${pid}:${pid + 402} [${f.localRank}] NCCL INFO transport/net.cc:1298 -> 6`);
      run.line(`${host}:${pid}:${pid + 402} [${f.localRank}] NCCL INFO proxy.cc:698 -> 6`);
      run.line(
        `${host}:${pid}:${
          pid + 402
        } [${f.localRank}] NCCL INFO proxy.cc:878 -> 6 [Progress Thread]`,
      );
    } else {
      for (const l of traceback) run.line(`[rank${deadRank}]: ${l}`);
      run.line(`[rank${deadRank}]: RuntimeError: CUDA error: uncorrectable ECC error encountered`);
      run.line(
        `[rank${deadRank}]: CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.`,
      );
      run.line(`[rank${deadRank}]: For debugging consider passing CUDA_LAUNCH_BLOCKING=1`);
      run.line(
        `[rank${deadRank}]: Compile with \`TORCH_USE_CUDA_DSA\` to enable device-side assertions.`,
      );
      run.line(`[rank${deadRank}]:`);
    }
  }
  run.tel.markDown([deadRank]);
  await run.pause(f.detectSec * 1000);
  const why = f.kind === "ib" && f.node === 0
    ? `NCCL error: unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version ${v.nccl}\nncclSystemError: System call (e.g. socket, malloc) or external library call failed or device error. \nLast error:\n${ibMsg}`
    : `NCCL error: remote process exited or there was a network error, NCCL version ${v.nccl}\nncclRemoteError: A call failed possibly due to a network error or a remote process exiting prematurely.\nLast error:\n${
      f.kind === "ib"
        ? ibMsg
        : `socket.cc:538 NCCL WARN Net : Connection closed by remote peer ${deadHost}<${
          run.rng.int(30000, 60999)
        }>`
    }`;
  for (const i of localVictims) {
    if (f.node === 0 && i === f.localRank && f.kind === "ecc") continue;
    const rank = i;
    const head = c10d(
      "E",
      run.wall(),
      rank,
      "ProcessGroupNCCL.cpp:1515",
      run.rng.hex(6).replace(/[a-f]/g, "5"),
    );
    run.line(
      `${head}[PG ID 0 PG GUID 0(default_pg) Rank ${rank}] Process group watchdog thread terminated with exception: ${
        why.split("\n")[0]
      }`,
    );
    for (const l of why.split("\n").slice(1)) run.line(l);
    run.line(
      `Exception raised from checkForNCCLErrorsInternal at ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:2027 (most recent call first):`,
    );
    run.line(
      `frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x96 (0x7f${
        run.rng.hex(10)
      } in /usr/local/lib/python${run.sc.versions.python}/dist-packages/torch/lib/libc10.so)`,
    );
    run.line(
      `frame #1: c10d::ProcessGroupNCCL::checkForNCCLErrorsInternal(std::shared_ptr<c10d::NCCLComm>&) + 0x220 (0x7f${
        run.rng.hex(10)
      } in /usr/local/lib/python${run.sc.versions.python}/dist-packages/torch/lib/libtorch_cuda.so)`,
    );
    run.line("");
    run.line("terminate called after throwing an instance of 'c10::DistBackendError'");
    await run.pause(run.rng.int(50, 400));
  }
  run.phase("down");
  const g = (level: "I" | "W" | "E", where: string) => glog(level, run.wall(), c.agentPid, where);
  for (const i of Array.from({ length: c.gpusPerNode }, (_, k) => k)) {
    if (localVictims.includes(i) || (f.node === 0 && i === f.localRank)) continue;
    run.line(
      g("W", "torch/distributed/elastic/multiprocessing/api.py:897") +
        `Sending process ${pids[i]} closing signal SIGTERM`,
    );
  }
  const firstDead = f.node === 0 ? f.localRank : localVictims[0]!;
  const exitcode = f.node === 0 && f.kind === "ecc" ? 1 : -6;
  run.line(
    g("E", "torch/distributed/elastic/multiprocessing/api.py:869") +
      `failed (exitcode: ${exitcode}) local_rank: ${firstDead} (pid: ${
        pids[firstDead]
      }) of binary: /usr/bin/python3`,
  );
  await run.pause(run.rng.int(300, 900));
  run.line(
    g("I", "torch/distributed/elastic/agent/server/api.py:838") +
      `[default] Worker group FAILED. ${3 - attempt}/3 attempts left; will restart worker group`,
  );
  await run.pause(f.restartSec * 1000);
}
