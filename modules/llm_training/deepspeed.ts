/**
 * The Accelerate + DeepSpeed ZeRO flavour: a `run_clm_no_trainer`-style
 * `train.py` started with `accelerate launch`. Prints DeepSpeed's logger
 * format (`[ts] [INFO] [file.py:line:func] msg`), the Accelerator state of each
 * local rank, ZeRO-2/3 start-up with `see_memory_usage`, the engine
 * configuration, the banner, `step=… lr=[…]` and throughput-timer lines, the
 * tqdm bar with loss/lr postfix, `save_state` checkpoints, per-epoch
 * perplexity, and the final 16-bit `save_pretrained`.
 *
 * @module
 */

import { commsSummaryLines } from "./ds_comms.ts";
import { runAttempts } from "./skeleton.ts";
import { dsAttrLine, dsEngineAttributes, dsJson, dsUserConfig } from "./ds_config.ts";
import { checkpointBytes, hfTensors, shardSizes } from "./export.ts";
import { datasetMap, loadPretrained, savePretrainedLines } from "./hf_common.ts";
import { Evaluator, TrainingSignal } from "./loss.ts";
import { commas, pyG, pyRepr, pyRound } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";
import { lrAt } from "./schedule.ts";
import { du, gpuCheck, type JobStats, metricHistory, newJobStats, runSummary } from "./shell.ts";
import { destroyWarnings, elasticDone, elasticStart, ncclInit } from "./startup.ts";
import { asctime, usDate } from "./stamps.ts";
import { Tqdm } from "./tqdm.ts";
import { wandbEnd, wandbStart } from "./wandb.ts";

const ENTRY = "train.py";

/** The script builds two parameter groups (with and without weight decay): one beta pair each. */
const MOM = "[(0.9, 0.95), (0.9, 0.95)]";

/** The learning rate of both parameter groups. */
function lrList(lr: number): string {
  return `[${pyRepr(lr)}, ${pyRepr(lr)}]`;
}

/** tqdm's `format_num` for postfix values (`.3g` when shorter). */
export function formatNum(x: number): string {
  const g = pyG(x, 3).replace("+0", "+").replace("-0", "-");
  const s = pyRepr(x);
  return g.length < s.length ? g : s;
}

/** `torch.tensor(x)` as printed: `tensor(1.9634, device='cuda:0')`. */
export function torchTensor(x: number): string {
  return `tensor(${x.toFixed(4)}, device='cuda:0')`;
}

/** Runs the Accelerate + DeepSpeed scene. */
export async function runDeepspeed(run: Run): Promise<void> {
  const sc = run.sc;
  const c = sc.cluster;
  const p = sc.plan;
  const m = sc.model;
  const b = sc.batch;
  const stage = sc.parallel.sharding === "zero3" ? 3 : 2;
  const out = sc.names.outDir;
  const dsv = sc.versions.deepspeed;
  const logLine = dsv.startsWith("0.14") ? 96 : 128;
  const ds = (where: string, msg: string) =>
    run.line(`[${asctime(run.wall())}] [INFO] [${where}] ${msg}`);
  const dist = (msg: string) => ds(`logging.py:${logLine}:log_dist`, `[Rank 0] ${msg}`);
  const main = (who: string, msg: string) =>
    run.line(`${usDate(run.wall())} - INFO - ${who} - ${msg}`);
  const ncols = () => (run.ctx.term.isTTY ? run.cols : undefined);
  const GiB = 2 ** 30;
  const stepsPerPrint = p.logInterval;
  await gpuCheck(run);
  const launchSec = run.nowSec();
  const warmupArg = sc.schedule.warmup;
  const args = [
    `--model_name_or_path ${m.hfId}`,
    `--dataset_name ${sc.dataset.id}`,
    `--block_size ${b.seq}`,
    `--per_device_train_batch_size ${b.micro}`,
    `--gradient_accumulation_steps ${b.gradAccum}`,
    `--learning_rate ${pyRepr(sc.schedule.peak)}`,
    `--lr_scheduler_type ${sc.schedule.kind}`,
    `--num_warmup_steps ${warmupArg}`,
    `--num_train_epochs ${p.epochs}`,
    `--max_train_steps ${p.totalSteps}`,
    `--checkpointing_steps ${p.saveInterval}`,
    ...(p.startStep > 0 ? [`--resume_from_checkpoint ${out}/step_${p.startStep}`] : []),
    "--with_tracking --report_to wandb",
    `--output_dir ${out}`,
  ];
  await run.command(
    `NCCL_DEBUG=INFO LOGLEVEL=INFO accelerate launch --config_file configs/accelerate_zero${stage}.yaml --num_machines ${c.nodes} --num_processes ${c.world} --machine_rank 0 --main_process_ip ${
      c.hosts[0]
    } --main_process_port ${c.port} --max_restarts 3 ${ENTRY} ${args.join(" ")}`,
  );
  const signal = new TrainingSignal(sc.curves, run.rng.fork());
  const ev = new Evaluator(
    sc.curves,
    sc.valGap,
    (k) => lrAt(sc.schedule, k),
    run.rng.int(1, 2 ** 30),
  );
  const stats: JobStats = newJobStats(launchSec, "safetensors bf16", out);
  const { series: history, push } = metricHistory();
  const dsConfig =
    `{'train_batch_size': ${b.global}, 'train_micro_batch_size_per_gpu': ${b.micro}, 'gradient_accumulation_steps': ${b.gradAccum}, 'zero_optimization': {'stage': ${stage}, 'offload_optimizer': {'device': 'none', 'nvme_path': None}, 'offload_param': {'device': 'none', 'nvme_path': None}${
      stage === 3 ? ", 'stage3_gather_16bit_weights_on_model_save': True" : ""
    }}, 'gradient_clipping': 1.0, 'steps_per_print': ${stepsPerPrint}, 'bf16': {'enabled': True}, 'fp16': {'enabled': False}, 'wall_clock_breakdown': False}`;
  const saved: number[] = [];
  // some runs switch DeepSpeed's comms logger on and print its summary at the end
  const comms = run.rng.chance(0.5);
  let wandbStarted: Date | null = null;
  let lastVal = 0;
  let bar = new Tqdm(p.totalSteps, run.nowSec());
  let postfix = "";
  let timed = 0;
  let timedSec = 0;
  let lastFrom = p.startStep;
  const draw = () => {
    run.bar = [bar.render(run.nowSec(), { ncols: ncols(), postfix })];
  };
  await runAttempts(run, signal, stats, {
    start: async ({ attempt, from }) => {
      await elasticStart(run, ENTRY, attempt);
      run.phase("load");
      const ra = dsv.startsWith("0.14") ? 203 : 219;
      for (let i = 0; i < c.gpusPerNode; i++) {
        ds(
          `real_accelerator.py:${ra}:get_accelerator`,
          "Setting ds_accelerator to cuda (auto detect)",
        );
      }
      await run.pause(run.rng.int(2000, 5000));
      for (let i = 0; i < c.gpusPerNode; i++) ds("comm.py:652:init_distributed", "cdb=None");
      ds(
        "comm.py:683:init_distributed",
        "Initializing TorchBackend in DeepSpeed with backend nccl",
      );
      for (const r of run.rng.shuffle(Array.from({ length: c.gpusPerNode }, (_, i) => i))) {
        main("__main__", "Distributed environment: DEEPSPEED  Backend: nccl");
        run.line(`Num processes: ${c.world}`);
        run.line(`Process index: ${r}`);
        run.line(`Local process index: ${r}`);
        run.line(`Device: cuda:${r}`);
        run.line("");
        run.line("Mixed precision type: bf16");
        run.line(`ds_config: ${dsConfig}`);
        run.line("");
      }
      await loadPretrained(run, false, p.loadSec * 0.25 + 2);
      if (stage === 3) {
        ds(
          "partition_parameters.py:348:__exit__",
          `finished initializing model - num_params = ${hfTensors(m).length}, num_elems = ${
            (m.params / 1e9).toFixed(2)
          }B`,
        );
      }
      const rawTrain = Math.floor(sc.dataset.samples * 0.95);
      const rawVal = sc.dataset.samples - rawTrain;
      const rate = run.rng.float(8000, 40000);
      const cached = attempt > 0 || rawTrain / rate > 12;
      await datasetMap(run, "Running tokenizer on dataset", rawTrain, rate, cached);
      await datasetMap(run, "Running tokenizer on dataset", rawVal, rate, cached);
      await datasetMap(run, `Grouping texts in chunks of ${b.seq}`, rawTrain, rate * 1.5, cached);
      await datasetMap(run, `Grouping texts in chunks of ${b.seq}`, rawVal, rate * 1.5, cached);
      // accelerator.prepare -> deepspeed.initialize
      dist(`DeepSpeed info: version=${dsv}, git-hash=unknown, git-branch=unknown`);
      ds("config.py:733:__init__", `Config mesh_device None world_size = ${c.world}`);
      await ncclInit(run, attempt, run.rng.float(2, 5));
      dist("DeepSpeed Flops Profiler Enabled: False");
      dist("Using client Optimizer as basic optimizer");
      dist("Removing param_group that has no 'params' in the basic Optimizer");
      dist("DeepSpeed Basic Optimizer = AdamW");
      ds(
        "utils.py:59:is_zero_supported_optimizer",
        "Checking ZeRO support for optimizer=AdamW type=<class 'torch.optim.adamw.AdamW'>",
      );
      dist(`Creating torch.bfloat16 ZeRO stage ${stage} optimizer`);
      const mem = sc.memory;
      const states = mem.states / GiB;
      if (stage === 3) {
        ds("utils.py:781:see_memory_usage", "Stage 3 initialize beginning");
        memUsage(run, (2 * m.params) / c.world / GiB + 0.4, (2 * m.params) / c.world / GiB + 1.2);
        ds("stage3.py:130:__init__", "Reduce bucket size 500000000");
        ds("stage3.py:131:__init__", "Prefetch bucket size 50000000");
      } else {
        ds("stage_1_and_2.py:148:__init__", "Reduce bucket size 500000000");
        ds("stage_1_and_2.py:149:__init__", "Allgather bucket size 500000000");
        ds("stage_1_and_2.py:150:__init__", "CPU Offload: False");
        ds("stage_1_and_2.py:151:__init__", "Round robin gradient partitioning: False");
      }
      await run.pause(run.rng.int(3000, 9000));
      if (stage !== 3) {
        // bf16 weights and gradients, then the fp32 partition, then Adam's two moments
        const dp = c.world;
        const before = (2 * m.params + (4 * m.params) / dp) / GiB;
        ds("utils.py:781:see_memory_usage", "Before initializing optimizer states");
        memUsage(run, before, before + (2 * m.params) / dp / GiB);
        await run.pause(run.rng.int(300, 1200));
        const after = before + (8 * m.params) / dp / GiB;
        ds("utils.py:781:see_memory_usage", "After initializing optimizer states");
        memUsage(run, after, after + (4 * m.params) / dp / GiB);
        ds("stage_1_and_2.py:543:__init__", "optimizer state initialized");
      }
      ds("utils.py:781:see_memory_usage", "After initializing ZeRO optimizer");
      memUsage(run, states, states + 1.1);
      dist(`DeepSpeed Final Optimizer = DeepSpeedZeroOptimizer${stage === 3 ? "_Stage3" : ""}`);
      dist("DeepSpeed using client LR scheduler");
      dist(
        `DeepSpeed LR Scheduler = <torch.optim.lr_scheduler.LambdaLR object at 0x7f${
          run.rng.hex(9)
        }0>`,
      );
      dist(`step=0, skipped=0, lr=${lrList(lrAt(sc.schedule, 0))}, mom=${MOM}`);
      ds("config.py:999:print", "DeepSpeedEngine configuration:");
      for (const [k, v] of dsEngineAttributes(run, stage, stepsPerPrint)) {
        ds("config.py:1003:print", dsAttrLine(k, v));
      }
      ds(
        "config.py:989:print_user_config",
        `  json = ${dsJson(dsUserConfig(run, stage, stepsPerPrint, comms))}`,
      );
      if (from > 0) {
        const dir = `${out}/step_${from}`;
        main("accelerate.accelerator", `Loading states from ${dir}`);
        main("accelerate.accelerator", "Loading DeepSpeed Model and Optimizer");
        const model = `${dir}/pytorch_model/${
          stage === 3 ? "zero_pp_rank_0_" : ""
        }mp_rank_00_model_states.pt`;
        const optim = `${dir}/pytorch_model/bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt`;
        ds("torch_checkpoint_engine.py:27:load", `[Torch] Loading checkpoint from ${model}...`);
        await run.pause(p.loadSec * 300);
        ds("torch_checkpoint_engine.py:29:load", `[Torch] Loaded checkpoint from ${model}.`);
        ds("torch_checkpoint_engine.py:27:load", `[Torch] Loading checkpoint from ${optim}...`);
        await run.pause(p.loadSec * 700);
        ds("torch_checkpoint_engine.py:29:load", `[Torch] Loaded checkpoint from ${optim}.`);
        ds(
          "engine.py:3070:_load_zero_checkpoint",
          `loading ${c.world} zero partition checkpoints for rank 0`,
        );
        main(
          "accelerate.accelerator",
          `DeepSpeed Model and Optimizer loaded from input dir ${dir}/pytorch_model`,
        );
        main("accelerate.checkpointing", "All random states loaded successfully");
        main("accelerate.accelerator", "Loading in 0 custom states");
        run.line(`Resumed from checkpoint: ${dir}`);
      }
      main("__main__", "***** Running training *****");
      main("__main__", `  Num examples = ${p.numExamples}`);
      main("__main__", `  Num Epochs = ${p.epochs}`);
      main("__main__", `  Instantaneous batch size per device = ${b.micro}`);
      main(
        "__main__",
        `  Total train batch size (w. parallel, distributed & accumulation) = ${b.global}`,
      );
      main("__main__", `  Gradient Accumulation steps = ${b.gradAccum}`);
      main("__main__", `  Total optimization steps = ${p.totalSteps}`);
      const started = wandbStart(run, attempt > 0 || from > 0);
      wandbStarted = wandbStarted ?? started;
      // ---- training
      run.phase("train");
      run.monitoring = true;
      bar = new Tqdm(p.totalSteps, run.nowSec());
      if (from > 0) bar.update(from, run.nowSec());
      postfix = "";
      draw();
      run.refresh();
      timed = 0;
      timedSec = 0;
      lastFrom = from;
    },
    stepMs: (k, { from }) =>
      sc.stepSec * 1000 * (k === from + 1 ? run.rng.float(1.3, 1.9) : 1) *
      (1 + run.rng.normal(0, 0.015)),
    beforeFailure: () => {
      run.monitoring = false;
      run.clearLive();
    },
    traceback: () => dsTraceback(run),
    checkpointName: (step) => `step_${step}`,
    afterStep: async (k, sig, ms, { from }) => {
      const lr = lrAt(sc.schedule, k);
      if (k - from > 2) {
        timed++;
        timedSec += ms / 1000;
      }
      postfix = `loss=${formatNum(Number(sig.loss.toFixed(4)))}, lr=${formatNum(lr)}`;
      bar.update(1, run.nowSec());
      draw();
      push("train/loss", sig.loss);
      push("train/lr", lr);
      push("train/grad_norm", sig.gradNorm);
      push("train/tokens_per_sec", (b.tokensPerStep * 1000) / ms);
      if (k % stepsPerPrint === 0) {
        dist(`step=${k}, skipped=0, lr=${lrList(lr)}, mom=${MOM}`);
        const cur = (b.global * 1000) / ms;
        const avg = (b.global * timed) / timedSec;
        if (timed > 0) {
          ds(
            "timer.py:264:stop",
            `epoch=0/micro_step=${k * b.gradAccum}/global_step=${k}, RunningAvgSamplesPerSec=${
              pyRepr(avg)
            }, CurrSamplesPerSec=${pyRepr(cur)}, MemAllocated=${
              pyRound(sc.memory.steady / GiB, 2)
            }GB, MaxMemAllocated=${pyRound(sc.memory.peak / GiB, 2)}GB`,
          );
        }
      }
      run.refresh();
      if (k % p.saveInterval === 0 && k !== p.totalSteps) {
        await saveState(run, k, stage, stats);
        saved.push(k);
        draw();
      }
      if (k % p.stepsPerEpoch === 0 || k === p.totalSteps) {
        const epoch = Math.ceil(k / p.stepsPerEpoch) - 1;
        run.phase("eval");
        const t0 = run.nowSec();
        await run.pause(p.evalSec * 1000 * run.rng.float(0.95, 1.05));
        stats.evalSec += run.nowSec() - t0;
        run.phase("train");
        const v = Math.fround(ev.loss(k));
        lastVal = v;
        main(
          "__main__",
          `epoch ${epoch}: perplexity: ${pyRepr(Math.exp(v))} eval_loss: ${torchTensor(v)}`,
        );
        push("eval/loss", v);
        push("eval/perplexity", Math.exp(v));
      }
    },
  });
  run.monitoring = false;
  run.clearLive();
  run.line(bar.render(run.nowSec(), { ncols: ncols(), postfix }));
  if (comms) run.lines(commsSummaryLines(run, p.totalSteps - lastFrom));
  const summary = new Map<string, number | string>();
  for (const [k, vals] of history) summary.set(k, vals[vals.length - 1]!);
  wandbEnd(run, wandbStarted ?? run.wall(), history, summary);
  run.phase("save");
  const t0 = run.nowSec();
  await run.pause(p.exportSec * 1000);
  stats.saveSec += run.nowSec() - t0;
  run.lines(savePretrainedLines(run, false, out));
  destroyWarnings(run);
  elasticDone(run);
  run.phase("idle");
  const shards = shardSizes(m, 2);
  stats.exportBytes = shards.reduce((a, x) => a + x, 0);
  stats.exportFiles = shards.length;
  stats.finalLoss = stats.steps[stats.steps.length - 1]?.loss ?? 0;
  stats.valLoss = lastVal;
  const bytes = checkpointBytes(stage === 3 ? "zero3" : "zero2", m.params);
  const entries = saved.map((s) => ({ path: `${out}/step_${s}`, bytes }));
  // the newest state on disk: the last save, else the state this job loaded, else the final weights
  const newest = entries[entries.length - 1] ??
    (p.startStep > 0
      ? { path: `${out}/step_${p.startStep}`, bytes }
      : { path: out, bytes: stats.exportBytes });
  stats.ckptDir = newest.path;
  stats.ckptBytes = newest.bytes;
  await du(run, entries);
  stats.endSec = run.nowSec();
  await runSummary(run, stats);
  void commas;
}

function memUsage(run: Run, ma: number, maxMa: number): void {
  const ca = maxMa * run.rng.float(1.02, 1.1);
  const ts = `[${asctime(run.wall())}] [INFO] [utils.py:782:see_memory_usage] `;
  run.line(
    `${ts}MA ${pyRound(ma, 2)} GB         Max_MA ${pyRound(maxMa, 2)} GB         CA ${
      pyRound(ca, 2)
    } GB         Max_CA ${Math.round(ca)} GB `,
  );
  const used = run.rng.float(60, 240);
  run.line(
    `[${asctime(run.wall())}] [INFO] [utils.py:789:see_memory_usage] CPU Virtual Memory:  used = ${
      used.toFixed(2)
    } GB, percent = ${(used / 20.15).toFixed(1)}%`,
  );
}

async function saveState(run: Run, k: number, stage: number, stats: JobStats): Promise<void> {
  const sc = run.sc;
  const dir = `${sc.names.outDir}/step_${k}`;
  const dsv = sc.versions.deepspeed;
  const logLine = dsv.startsWith("0.14") ? 96 : 128;
  const ds = (where: string, msg: string) =>
    run.line(`[${asctime(run.wall())}] [INFO] [${where}] ${msg}`);
  const main = (who: string, msg: string) =>
    run.line(`${usDate(run.wall())} - INFO - ${who} - ${msg}`);
  main("accelerate.accelerator", `Saving current state to ${dir}`);
  main("accelerate.accelerator", "Saving DeepSpeed Model and Optimizer");
  run.phase("save");
  const t0 = run.nowSec();
  ds(
    `logging.py:${logLine}:log_dist`,
    "[Rank 0] [Torch] Checkpoint pytorch_model is about to be saved!",
  );
  const model = `${dir}/pytorch_model/${
    stage === 3 ? "zero_pp_rank_0_" : ""
  }mp_rank_00_model_states.pt`;
  const optim = `${dir}/pytorch_model/bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt`;
  ds(`logging.py:${logLine}:log_dist`, `[Rank 0] Saving model checkpoint: ${model}`);
  ds("torch_checkpoint_engine.py:21:save", `[Torch] Saving ${model}...`);
  await run.pause(sc.plan.saveSec * 1000 * (stage === 3 ? 0.05 : 0.15));
  ds("torch_checkpoint_engine.py:23:save", `[Torch] Saved ${model}.`);
  ds("torch_checkpoint_engine.py:21:save", `[Torch] Saving ${optim}...`);
  await run.pause(sc.plan.saveSec * 1000 * (stage === 3 ? 0.95 : 0.85));
  ds("torch_checkpoint_engine.py:23:save", `[Torch] Saved ${optim}.`);
  ds("engine.py:3536:_save_zero_checkpoint", `zero checkpoint saved ${optim}`);
  ds("torch_checkpoint_engine.py:33:commit", "[Torch] Checkpoint pytorch_model is ready now!");
  main(
    "accelerate.accelerator",
    `DeepSpeed Model and Optimizer saved to output dir ${dir}/pytorch_model`,
  );
  main("accelerate.checkpointing", `Scheduler state saved in ${dir}/scheduler.bin`);
  main("accelerate.checkpointing", `Sampler state for dataloader 0 saved in ${dir}/sampler.bin`);
  main("accelerate.checkpointing", `Random states saved in ${dir}/random_states_0.pkl`);
  stats.saveSec += run.nowSec() - t0;
  run.phase("train");
}

function dsTraceback(run: Run): string[] {
  const py = `/usr/local/lib/python${run.sc.versions.python}/dist-packages`;
  return [
    "Traceback (most recent call last):",
    `  File "/home/${run.sc.cluster.user}/llm-train/train.py", line 702, in <module>`,
    "    main()",
    `  File "/home/${run.sc.cluster.user}/llm-train/train.py", line 611, in main`,
    "    accelerator.backward(loss)",
    `  File "${py}/accelerate/accelerator.py", line 2233, in backward`,
    "    self.deepspeed_engine_wrapped.backward(loss, **kwargs)",
    `  File "${py}/deepspeed/runtime/engine.py", line 2020, in backward`,
    "    self.optimizer.backward(loss, retain_graph=retain_graph)",
  ];
}
