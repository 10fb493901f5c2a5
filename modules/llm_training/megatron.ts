/**
 * The Megatron-LM flavour: a large pretraining job resumed from a checkpoint
 * at a high iteration and run to the end of its schedule. Prints the argument
 * dump, parallel sizes, padded vocabulary, per-rank parameter counts, the
 * checkpoint load, mcore dataset building, the fixed-width iteration lines,
 * memory report, validation blocks with PPL, checkpoint saves with timers,
 * then converts the final checkpoint to Hugging Face safetensors.
 *
 * @module
 */

import {
  ddpLines,
  MEGATRON_DEFAULTS,
  optimizerConfigLine,
  theoreticalMemoryLines,
} from "./megatron_blocks.ts";
import { megatronStageMemory, megatronStageParams, paddedVocab } from "./memory.ts";
import { commas, pyE, pyRepr, pyStr } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";
import { dataPathFor } from "./scenario.ts";
import { runAttempts } from "./skeleton.ts";
import { lrAt } from "./schedule.ts";
import { barrierWarnings, elasticStart, ncclInit } from "./startup.ts";
import { isoSeconds } from "./stamps.ts";
import { Evaluator, TrainingSignal } from "./loss.ts";
import { du, gpuCheck, type JobStats, metricHistory, newJobStats, runSummary } from "./shell.ts";
import { wandbEnd, wandbStart } from "./wandb.ts";
import { ggufSize, shardSizes } from "./export.ts";
import { Tqdm } from "./tqdm.ts";

const ENTRY = "pretrain_gpt.py";

/** `iter_0118374` */
export function iterDir(it: number): string {
  return `iter_${String(it).padStart(7, "0")}`;
}

/** The argument dump lines (sorted case-insensitively, dots to column 48). */
export function megatronArgs(run: Run): [string, string][] {
  const sc = run.sc;
  const m = sc.model;
  const p = sc.plan;
  const s = sc.schedule;
  const par = sc.parallel;
  const fp16 = sc.precision === "fp16";
  const args: Record<string, number | string | boolean | null | (string | number)[]> = {
    ...MEGATRON_DEFAULTS,
    adam_beta1: 0.9,
    adam_beta2: 0.95,
    adam_eps: 1e-8,
    add_bias_linear: m.bias === "all",
    add_qkv_bias: m.bias !== "none",
    attention_dropout: "0.0",
    bf16: !fp16,
    ckpt_format: "torch_dist",
    clip_grad: "1.0",
    context_parallel_size: 1,
    data_parallel_size: par.dp,
    data_path: sc.blend.length > 1
      ? sc.blend.flatMap((b) => [String(b.weight), dataPathFor(b.dataset)])
      : [sc.names.dataPath],
    distributed_backend: "nccl",
    distributed_timeout_minutes: sc.timeoutSec / 60,
    norm_epsilon: m.normEps,
    padded_vocab_size: paddedVocab(m.vocab, par.tp),
    params_dtype: fp16 ? "torch.float16" : "torch.bfloat16",
    wandb_save_dir: "",
    eval_interval: p.evalInterval,
    eval_iters: p.evalSize,
    exit_interval: p.exitInterval,
    ffn_hidden_size: m.ffn,
    fp16,
    global_batch_size: sc.batch.global,
    group_query_attention: m.kvHeads !== m.heads,
    hidden_dropout: "0.0",
    hidden_size: m.hidden,
    init_method_std: m.params > 30e9 ? 0.008 : 0.02,
    initial_loss_scale: 4294967296,
    kv_channels: m.headDim,
    load: sc.names.outDir,
    log_interval: p.logInterval,
    log_throughput: true,
    loss_scale: null,
    loss_scale_window: 1000,
    lr: s.peak,
    lr_decay_iters: s.decaySteps,
    lr_decay_style: s.kind === "megatron-cosine" ? "cosine" : "linear",
    lr_warmup_iters: s.warmup,
    make_vocab_size_divisible_by: 128,
    max_position_embeddings: m.context,
    micro_batch_size: sc.batch.micro,
    min_lr: s.min,
    normalization: m.norm === "rmsnorm" ? "RMSNorm" : "LayerNorm",
    num_attention_heads: m.heads,
    num_layers: m.layers,
    num_query_groups: m.kvHeads,
    pipeline_model_parallel_size: par.pp,
    position_embedding_type: m.learnedPos ? "learned_absolute" : "rope",
    rank: 0,
    recompute_granularity: par.recompute === "selective" ? "selective" : "full",
    recompute_method: par.recompute === "selective" ? null : "uniform",
    recompute_num_layers: par.recompute === "selective" ? null : 1,
    rotary_base: m.ropeTheta ?? 10000,
    save: sc.names.outDir,
    save_interval: p.saveInterval,
    seed: 1234,
    seq_length: sc.batch.seq,
    sequence_parallel: par.tp > 1,
    swiglu: m.mlp === "swiglu",
    tensor_model_parallel_size: par.tp,
    tokenizer_model: m.hfId,
    tokenizer_type: "HuggingFaceTokenizer",
    train_iters: p.totalSteps,
    untie_embeddings_and_output_weights: !m.tied,
    use_distributed_optimizer: true,
    use_flash_attn: sc.cluster.gpu.arch !== "Volta",
    wandb_exp_name: sc.names.runName,
    wandb_project: sc.names.wandbProject,
    weight_decay: 0.1,
    world_size: sc.cluster.world,
  };
  return Object.keys(args)
    .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
    .map((k) => [k, pyStr(args[k]!)]);
}

/** One iteration line, exactly as `training_log` formats it. */
export function iterationLine(o: {
  stamp: string;
  iteration: number;
  trainIters: number;
  consumed: number;
  msPerIter: number;
  tflops: number;
  lr: number;
  globalBatch: number;
  loss: number;
  lossScale: number;
  gradNorm: number;
}): string {
  return ` [${o.stamp}] iteration ${String(o.iteration).padStart(8)}/${
    String(o.trainIters).padStart(8)
  } |` +
    ` consumed samples: ${String(o.consumed).padStart(12)} |` +
    ` elapsed time per iteration (ms): ${o.msPerIter.toFixed(1)} |` +
    ` throughput per GPU (TFLOP/s/GPU): ${o.tflops.toFixed(1)} |` +
    ` learning rate: ${pyE(o.lr, 6)} |` +
    ` global batch size: ${String(o.globalBatch).padStart(5)} |` +
    ` lm loss: ${pyE(o.loss, 6)} |` +
    ` loss scale: ${o.lossScale.toFixed(1)} |` +
    ` grad norm: ${o.gradNorm.toFixed(3)} |` +
    ` number of skipped iterations: ${String(0).padStart(3)} |` +
    ` number of nan iterations: ${String(0).padStart(3)} |`;
}

/** The validation block (dash lines are `len(string) + 1` long). */
export function validationBlock(where: string, loss: number): string[] {
  const s = ` validation loss at ${where} | lm loss value: ${pyE(loss, 6)} | lm loss PPL: ${
    pyE(Math.exp(Math.min(20, loss)), 6)
  } | `;
  const dash = "-".repeat(s.length + 1);
  return [dash, s, dash];
}

function timer(name: string, min: number, max: number): string {
  return `    ${`${name} `.padEnd(48, ".")}: (${min.toFixed(2)}, ${max.toFixed(2)})`;
}

/** Runs the Megatron-LM scene. */
export async function runMegatron(run: Run): Promise<void> {
  const sc = run.sc;
  const c = sc.cluster;
  const p = sc.plan;
  const m = sc.model;
  const par = sc.parallel;
  const G = sc.batch.global;
  await gpuCheck(run);
  const launchSec = run.nowSec();
  // one torchrun per node through srun; --label prefixes each line with the node's task id
  await run.command(
    `OMP_NUM_THREADS=8 CUDA_DEVICE_MAX_CONNECTIONS=1 NCCL_DEBUG=WARN srun --label --ntasks-per-node=1 torchrun --nnodes=${c.nodes} --nproc-per-node=${c.gpusPerNode} --rdzv-id=$SLURM_JOB_ID --rdzv-backend=c10d --rdzv-endpoint=${
      c.hosts[0]
    }:${c.port} --max-restarts=3 ${ENTRY} --yaml-cfg ${sc.names.config}`,
  );
  const last = c.nodes - 1;
  const onLast = (fn: () => void) => run.as(last, fn);
  const signal = new TrainingSignal(sc.curves, run.rng.fork());
  const valRng = new Evaluator(
    sc.curves,
    sc.valGap,
    (k) => lrAt(sc.schedule, k),
    run.rng.int(1, 2 ** 30),
  );
  const stats: JobStats = newJobStats(launchSec, "safetensors");
  const { series: history, push } = metricHistory();
  let wandbStarted: Date | null = null;
  const stagesParams = megatronStageParams(m, par.tp, par.pp);
  let lastLoss = 0;
  let lastVal: number | null = null;
  let intervalMs = 0;
  let intervalIters = 0;
  let intervalLoss = 0;
  let memReported = false;
  await runAttempts(run, signal, stats, {
    start: async ({ attempt, from }) => {
      await elasticStart(run, ENTRY, attempt);
      run.phase("load");
      // rank 0 prints unless told otherwise
      run.label = 0;
      const workerStart = run.nowSec();
      // ---- initialize_megatron
      run.line(
        `using world size: ${c.world}, data-parallel size: ${par.dp}, context-parallel size: 1, tensor-model-parallel size: ${par.tp}, pipeline-model-parallel size: ${par.pp} `,
      );
      run.line(
        `using torch.${sc.precision === "bf16" ? "bfloat16" : "float16"} for parameters ...`,
      );
      run.line("------------------------ arguments ------------------------");
      for (const [k, v] of megatronArgs(run)) {
        run.line(`  ${k} ${".".repeat(Math.max(1, 48 - k.length))} ${v}`);
      }
      run.line("-------------------- end of arguments ---------------------");
      run.line(
        `INFO:megatron.core.num_microbatches_calculator:setting number of microbatches to constant ${
          G / (sc.batch.micro * par.dp)
        }`,
      );
      onLast(() =>
        run.line(
          "WARNING: one_logger package is required to enable e2e metrics tracking. please go to https://confluence.nvidia.com/display/MLWFO/Package+Repositories for details to install it",
        )
      );
      run.line("> building HuggingFaceTokenizer tokenizer ...");
      const vpad = paddedVocab(m.vocab, par.tp);
      run.line(
        ` > padded vocab (size: ${m.vocab}) with ${
          vpad - m.vocab
        } dummy tokens (new size: ${vpad})`,
      );
      await run.pause(run.rng.int(800, 2000));
      // the last rank's W&B writer: a new run after each restart
      if (attempt > 0) {
        sc.names.wandbId = run.rng.hex(8).replace(
          /[a-f]/g,
          (ch) => "ghjkmnpqrstvwxyz"[ch.charCodeAt(0) % 16]!,
        );
      }
      run.as(last, () => {
        wandbStarted = wandbStart(run, false, `${sc.names.outDir}/wandb`);
      });
      run.line("> initializing torch distributed ...");
      await ncclInit(run, attempt, run.rng.float(2.5, 5));
      barrierWarnings(run);
      run.line(`> initialized tensor model parallel with size ${par.tp}`);
      run.line(`> initialized pipeline model parallel with size ${par.pp}`);
      run.line("> setting random seeds to 1234 ...");
      run.line("> compiling dataset index builder ...");
      const mdir = `/home/${c.user}/Megatron-LM/megatron/core/datasets`;
      run.line(`make: Entering directory '${mdir}'`);
      run.line("make: Nothing to be done for 'default'.");
      run.line(`make: Leaving directory '${mdir}'`);
      run.line(
        `>>> done with dataset index builder. Compilation time: ${
          run.rng.float(0.03, 0.09).toFixed(3)
        } seconds`,
      );
      run.line("> compiling and loading fused kernels ...");
      const fused = run.rng.float(1.2, 4.5);
      await run.pause(fused * 1000);
      run.line(
        `>>> done with compiling and loading fused kernels. Compilation time: ${
          fused.toFixed(3)
        } seconds`,
      );
      run.line(`time to initialize megatron (seconds): ${(run.nowSec() - workerStart).toFixed(3)}`);
      run.line(`[after megatron is initialized] datetime: ${isoSeconds(run.wall())} `);
      // ---- model, optimizer, checkpoint
      run.line("building GPT model ...");
      await run.pause(run.rng.int(1500, 4000));
      const pairs: [number, number][] = [];
      for (let s = 0; s < par.pp; s++) for (let t = 0; t < par.tp; t++) pairs.push([t, s]);
      for (const [t, s] of run.rng.shuffle(pairs)) {
        run.line(
          ` > number of parameters on (tensor, pipeline) model parallel rank (${t}, ${s}): ${
            stagesParams[s]
          }`,
        );
      }
      run.lines(ddpLines(run));
      run.line(optimizerConfigLine(run));
      run.line(
        `INFO:megatron.core.optimizer_param_scheduler:> learning rate decay style: ${
          sc.schedule.kind === "megatron-cosine" ? "cosine" : "linear"
        }`,
      );
      const ckptRoot = sc.names.outDir;
      run.line(` loading distributed checkpoint from ${ckptRoot} at iteration ${from}`);
      const t0 = run.nowSec();
      await run.pause(p.loadSec * 1000);
      const loadMs = (run.nowSec() - t0) * 1000;
      run.line(
        `  successfully loaded checkpoint from ${ckptRoot} [ t 1/${par.tp}, p 1/${par.pp} ] at iteration ${from}`,
      );
      onLast(() => {
        run.line("(min, max) time across ranks (ms):");
        run.line(timer("load-checkpoint", loadMs * run.rng.float(0.97, 0.995), loadMs));
      });
      run.line(
        `[after model, optimizer, and learning rate scheduler are built] datetime: ${
          isoSeconds(run.wall())
        } `,
      );
      // ---- data
      run.line("> building train, validation, and test datasets ...");
      run.line(" > datasets target sizes (minimum size):");
      const evalRuns = Math.floor(p.totalSteps / p.evalInterval) + 1;
      run.line(`    train:      ${p.totalSteps * G}`);
      run.line(`    validation: ${evalRuns * p.evalSize * G}`);
      run.line(`    test:       ${p.evalSize * G}`);
      run.line("> building train, validation, and test datasets for GPT ...");
      const parts = sc.blend.map((b) => ({
        ...b,
        path: dataPathFor(b.dataset),
        docs: Math.min(b.dataset.samples, Math.round(b.dataset.tokens / 1200)),
        hashes: { train: run.rng.hex(32), valid: run.rng.hex(32), test: run.rng.hex(32) } as Record<
          string,
          string
        >,
      }));
      const blended = parts.length > 1;
      const blendHashes: Record<string, string> = {
        train: run.rng.hex(32),
        valid: run.rng.hex(32),
        test: run.rng.hex(32),
      };
      const blendArg = blended
        ? `([${parts.map((b) => `'${b.path}'`).join(", ")}], [${
          parts.map((b) => pyRepr(b.weight)).join(", ")
        }])`
        : `(['${parts[0]!.path}'], None)`;
      const splitSizes = `(${p.totalSteps * G}, ${evalRuns * p.evalSize * G}, ${p.evalSize * G})`;
      run.line(
        `INFO:megatron.core.datasets.blended_megatron_dataset_builder:Building GPTDataset splits with sizes=${splitSizes} and config=GPTDatasetConfig(random_seed=1234, sequence_length=${sc.batch.seq}, blend=${blendArg}, blend_per_split=None, split='969,30,1', split_matrix=[(0, 0.969), (0.969, 0.999), (0.999, 1.0)], num_dataset_builder_threads=1, path_to_cache=None, mmap_bin_files=True, mock=False, tokenizer=<megatron.training.tokenizer.tokenizer._HuggingFaceTokenizer object at 0x7f${
          run.rng.hex(9)
        }0>, mid_level_dataset_surplus=0.005, reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False, create_attention_mask=True, drop_last_partial_validation_sequence=True, add_extra_token_to_sequence=True, object_storage_cache_path=None)`,
      );
      const sizes: [string, number][] = [["train", p.totalSteps * G], [
        "valid",
        evalRuns * p.evalSize * G,
      ], ["test", p.evalSize * G]];
      for (const part of parts) {
        const gpt = "INFO:megatron.core.datasets.gpt_dataset:";
        const idx = "INFO:megatron.core.datasets.indexed_dataset:";
        run.line(`${idx}Load the _IndexReader from ${part.path}.idx`);
        run.line(`${idx}\tExtract the sequence lengths`);
        run.line(`${idx}\tExtract the sequence pointers`);
        run.line(`${idx}\tExtract the document indices`);
        run.line(`${idx}> total number of sequences: ${part.docs}`);
        run.line(`${idx}> total number of documents: ${part.docs}`);
        await run.pause(run.rng.int(600, 2000));
        for (const [split, n] of sizes) {
          run.line(`${gpt}Load the GPTDataset ${split} indices`);
          for (const kind of ["document", "sample", "shuffle"]) {
            run.line(
              `${gpt}\tLoad the ${kind} index from ${
                part.hashes[split]
              }-GPTDataset-${split}-${kind}_index.npy`,
            );
          }
          // each part of a mixture is built a little larger than its share (the surplus)
          const want = blended ? n * part.weight * 1.005 : n;
          run.line(
            `${gpt}> total number of samples: ${Math.ceil(want * run.rng.float(1.0, 1.02))}`,
          );
          await run.pause(run.rng.int(200, 900));
        }
      }
      if (blended) {
        const bl = "INFO:megatron.core.datasets.blended_dataset:";
        for (const [split] of sizes) {
          run.line(`${bl}Load the BlendedDataset ${split} indices`);
          run.line(
            `${bl}\tLoad the dataset index from ${
              blendHashes[split]
            }-BlendedDataset-${split}-dataset_index.npy`,
          );
          run.line(
            `${bl}\tLoad the dataset sample index from ${
              blendHashes[split]
            }-BlendedDataset-${split}-dataset_sample_index.npy`,
          );
        }
      }
      run.line("> finished creating GPT datasets ...");
      run.line(`[after dataloaders are built] datetime: ${isoSeconds(run.wall())} `);
      run.line("done with setup ...");
      const setupMs = (run.nowSec() - workerStart) * 1000;
      onLast(() => {
        run.line("(min, max) time across ranks (ms):");
        run.line(timer("model-and-optimizer-setup", setupMs * 0.55, setupMs * 0.56));
        run.line(timer("train/valid/test-data-iterators-setup", setupMs * 0.08, setupMs * 0.1));
      });
      run.line("training ...");
      run.line(`[before the start of training step] datetime: ${isoSeconds(run.wall())} `);
      // ---- training loop
      run.phase("train");
      run.monitoring = true;
      intervalMs = 0;
      intervalIters = 0;
      intervalLoss = 0;
      memReported = false;
    },
    stepMs: (it, { from }) =>
      sc.stepSec * 1000 * (it === from + 1 ? run.rng.float(1.6, 2.4) : it === from + 2 ? 1.15 : 1) *
      (1 + run.rng.normal(0, 0.012)),
    beforeFailure: () => {
      run.consoleNode = p.failure!.node;
      run.label = p.failure!.node;
    },
    afterFailure: () => {
      run.consoleNode = 0;
      run.label = 0;
      run.monitoring = false;
      run.clearLive();
    },
    traceback: () => megatronTraceback(run),
    checkpointName: (step) => `iteration ${commas(step)}`,
    afterStep: async (it, sig, ms) => {
      intervalMs += ms;
      intervalIters++;
      intervalLoss += sig.loss;
      if (it % p.logInterval === 0 || it === p.endStep) {
        const msPer = intervalMs / intervalIters;
        const tflops = (sc.flopsPerToken * G * sc.batch.seq) / ((msPer / 1000) * 1e12 * c.world);
        const loss = intervalLoss / intervalIters;
        lastLoss = loss;
        onLast(() =>
          run.line(iterationLine({
            stamp: isoSeconds(run.wall()),
            iteration: it,
            trainIters: p.totalSteps,
            consumed: it * G,
            msPerIter: msPer,
            tflops,
            lr: lrAt(sc.schedule, it),
            globalBatch: G,
            loss,
            lossScale: sc.lossScale,
            gradNorm: sig.gradNorm,
          }))
        );
        push("lm loss", loss);
        push("learning-rate", lrAt(sc.schedule, it));
        push("grad-norm", sig.gradNorm);
        push("iteration-time", msPer / 1000);
        push("throughput", tflops);
        push("batch-size", G);
        push("loss-scale", sc.lossScale);
        intervalMs = 0;
        intervalIters = 0;
        intervalLoss = 0;
        if (!memReported) {
          memReported = true;
          memoryReport(run, it);
        }
      }
      if (it % p.evalInterval === 0 && it !== p.totalSteps) {
        const v = await evaluate(run, `iteration ${it}`, valRng, it, stats, false);
        lastVal = v;
        push("lm loss validation", v);
        push("lm loss validation ppl", Math.exp(v));
      }
      if (it % p.saveInterval === 0) await save(run, it, stats);
    },
  });
  run.monitoring = false;
  run.clearLive();
  const end = p.endStep;
  if (end < p.totalSteps) {
    // one chunk of the schedule: `--exit-interval` ends the job after its save
    if (end % p.saveInterval !== 0) await save(run, end, stats);
    run.line(`[exiting program at iteration ${end}] datetime: ${isoSeconds(run.wall())} `);
  } else {
    run.line(`[after training is done] datetime: ${isoSeconds(run.wall())} `);
    if (end % p.saveInterval !== 0) await save(run, end, stats);
    const v1 = await evaluate(run, `iteration ${end} on validation set`, valRng, end, stats, true);
    push("lm loss validation", v1);
    push("lm loss validation ppl", Math.exp(v1));
    await evaluate(run, `iteration ${end} on test set`, valRng, end, stats, true, 1);
    lastVal = v1;
  }
  stats.valLoss = lastVal;
  stats.finalLoss = lastLoss;
  const summary = new Map<string, number | string>();
  for (const [k, vals] of history) summary.set(k, vals[vals.length - 1]!);
  summary.set("world-size", String(c.world));
  summary.set("batch-size", String(G));
  onLast(() =>
    wandbEnd(run, wandbStarted ?? run.wall(), history, summary, `${sc.names.outDir}/wandb`)
  );
  // the agents log their success at INFO, which this job does not show
  run.label = null;
  run.phase("idle");
  // ---- after the job
  const ckpt = `${sc.names.outDir}/${iterDir(end)}`;
  stats.ckptDir = ckpt;
  stats.ckptBytes = 14 * m.params;
  await du(run, [{ path: ckpt, bytes: stats.ckptBytes }]);
  if (end === p.totalSteps) await exportHf(run, ckpt, stats);
  else {
    stats.exportFormat = `none: the next job resumes from ${iterDir(end)}`;
  }
  stats.endSec = run.nowSec();
  await runSummary(run, stats);
}

function megatronTraceback(run: Run): string[] {
  const home = `/home/${run.sc.cluster.user}/Megatron-LM`;
  return [
    "Traceback (most recent call last):",
    `  File "${home}/pretrain_gpt.py", line 306, in <module>`,
    "    pretrain(",
    `  File "${home}/megatron/training/training.py", line 386, in pretrain`,
    "    iteration, num_floating_point_operations_so_far = train(",
    `  File "${home}/megatron/training/training.py", line 1388, in train`,
    "    train_step(forward_step_func,",
    `  File "${home}/megatron/training/training.py", line 751, in train_step`,
    "    update_successful, grad_norm, num_zeros_in_grad = optimizer.step()",
  ];
}

function memoryReport(run: Run, it: number): void {
  const sc = run.sc;
  const par = sc.parallel;
  const stages = megatronStageMemory(sc.model, {
    tp: par.tp,
    pp: par.pp,
    dp: par.dp,
    mbs: sc.batch.micro,
    seq: sc.batch.seq,
    microBatches: sc.batch.gradAccum,
    recompute: par.recompute === "selective" ? "selective" : "full",
  });
  const ranks: { rank: number; stage: number }[] = [];
  for (let s = 0; s < par.pp; s++) {
    for (let t = 0; t < par.tp; t++) {
      if (par.tp * par.pp > 32 && t > 0) continue;
      ranks.push({ rank: s * par.tp * par.dp + t, stage: s });
    }
  }
  run.as(
    0,
    () => run.lines(theoreticalMemoryLines(run, megatronStageParams(sc.model, par.tp, par.pp))),
  );
  const ratio = sc.memory.reserved / sc.memory.peak;
  const mb = (bytes: number) => pyRepr((Math.round(bytes / 512) * 512) / 2 ** 20);
  for (const { rank, stage } of run.rng.shuffle(ranks)) {
    const st = stages[stage]!;
    const alloc = st.states + st.buffers * 0.4;
    const reserved = st.peak * ratio;
    run.as(Math.floor(rank / sc.cluster.gpusPerNode), () =>
      run.line(
        `[Rank ${rank}] (after ${it} iterations) memory (MB) | allocated: ${
          mb(alloc)
        } | max allocated: ${mb(st.peak)} | reserved: ${mb(reserved)} | max reserved: ${
          mb(reserved)
        }`,
      ));
  }
}

async function evaluate(
  run: Run,
  where: string,
  ev: Evaluator,
  it: number,
  stats: JobStats,
  verbose: boolean,
  set = 0,
): Promise<number> {
  const sc = run.sc;
  const p = sc.plan;
  run.phase("eval");
  const t0 = run.nowSec();
  if (verbose) {
    run.line(`Evaluating on ${p.evalSize * sc.batch.global} samples`);
    for (let i = 1; i <= p.evalSize; i++) {
      await run.pause((p.evalSec * 1000) / p.evalSize);
      run.line(`Evaluating iter ${i}/${p.evalSize}`);
    }
  } else await run.pause(p.evalSec * 1000);
  const ms = (run.nowSec() - t0) * 1000;
  stats.evalSec += ms / 1000;
  run.as(sc.cluster.nodes - 1, () => {
    run.line("(min, max) time across ranks (ms):");
    run.line(timer("evaluate", ms * run.rng.float(0.97, 0.995), ms));
  });
  const loss = ev.loss(it, set);
  run.as(run.sc.cluster.nodes - 1, () => run.lines(validationBlock(where, loss)));
  run.phase("train");
  return loss;
}

async function save(run: Run, it: number, stats: JobStats): Promise<void> {
  const sc = run.sc;
  const par = sc.parallel;
  run.line(
    `saving checkpoint at iteration ${
      String(it).padStart(7)
    } to ${sc.names.outDir} in torch_dist format`,
  );
  run.phase("save");
  const t0 = run.nowSec();
  await run.pause(sc.plan.saveSec * 1000);
  const ms = (run.nowSec() - t0) * 1000;
  stats.saveSec += ms / 1000;
  run.line(
    `  successfully saved checkpoint from iteration ${
      String(it).padStart(7)
    } to ${sc.names.outDir} [ t 1/${par.tp}, p 1/${par.pp} ]`,
  );
  run.as(run.sc.cluster.nodes - 1, () => {
    run.line("(min, max) time across ranks (ms):");
    run.line(timer("save-checkpoint", ms * run.rng.float(0.985, 0.999), ms));
  });
  run.phase("train");
}

async function exportHf(run: Run, ckpt: string, stats: JobStats): Promise<void> {
  const sc = run.sc;
  const m = sc.model;
  const hfDir = sc.names.outDir.replace("/ckpt/", "/hf/");
  const shards = shardSizes(m, 2);
  const bytes = shards.reduce((a, b) => a + b, 0);
  stats.exportDir = hfDir;
  stats.exportBytes = bytes;
  stats.exportFiles = shards.length;
  if (sc.plan.exportSec <= 2) {
    await run.command(
      `sbatch --dependency=afterok:${sc.cluster.jobId} scripts/convert_to_hf.sh ${ckpt} ${hfDir}`,
    );
    run.line(`Submitted batch job ${sc.cluster.jobId + run.rng.int(3, 60)}`);
    stats.exportFormat = "safetensors, queued";
    return;
  }
  await run.command(
    `python scripts/mcore_to_hf.py --load ${ckpt} --save ${hfDir} --max-shard-size 5GB`,
  );
  run.phase("load");
  run.line(`Loading torch_dist checkpoint ${ckpt} (TP${sc.parallel.tp} × PP${sc.parallel.pp}) ...`);
  await run.pause(run.rng.int(2000, 4000));
  run.line(
    `Merged ${commas(m.params)} parameters into ${m.arch} (${ggufSize(bytes)}B in bfloat16)`,
  );
  run.line(`Configuration saved in ${hfDir}/config.json`);
  run.line(`Configuration saved in ${hfDir}/generation_config.json`);
  const bar = new Tqdm(shards.length, run.nowSec());
  const writeSec = sc.plan.exportSec - 6;
  for (let i = 0; i < shards.length; i++) {
    run.bar = [
      bar.render(run.nowSec(), {
        desc: "Writing shards",
        ncols: run.ctx.term.isTTY ? run.cols : undefined,
      }),
    ];
    await run.pause((writeSec * 1000 * shards[i]!) / bytes);
    bar.update(1, run.nowSec());
  }
  const final = bar.render(run.nowSec(), {
    desc: "Writing shards",
    ncols: run.ctx.term.isTTY ? run.cols : undefined,
  });
  run.clearLive();
  run.line(final);
  if (shards.length > 1) {
    run.line(
      `The model is bigger than the maximum size per checkpoint (5GB) and is going to be split in ${shards.length} checkpoint shards. You can find where each parameters has been saved in the index located at ${hfDir}/model.safetensors.index.json.`,
    );
  } else run.line(`Model weights saved in ${hfDir}/model.safetensors`);
  run.line(`tokenizer config file saved in ${hfDir}/tokenizer_config.json`);
  run.line(`Special tokens file saved in ${hfDir}/special_tokens_map.json`);
}
