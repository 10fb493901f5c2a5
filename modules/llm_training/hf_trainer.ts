/**
 * The Hugging Face Trainer flavour: `run_clm.py` fine-tuning with the explicit
 * log format — per-rank start-up warnings, config and weight loading, dataset
 * tokenising and grouping, the `***** Running training *****` banner, the tqdm
 * bar with its `s/it` flip, the `{'loss': …}` dicts, evaluation, checkpoints
 * with `save_total_limit`, the final metrics with perplexity, then a GGUF
 * export with llama.cpp.
 *
 * @module
 */

import { trainingArguments } from "./hf_args.ts";
import { runAttempts } from "./skeleton.ts";
import { datasetMap, hfLines, hfLog, loadPretrained, savePretrainedLines } from "./hf_common.ts";
import { Evaluator, TrainingSignal } from "./loss.ts";
import { commas, pyBool, pyRepr, pyRound } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";
import { lrAt } from "./schedule.ts";
import { du, gpuCheck, type JobStats, metricHistory, newJobStats, runSummary } from "./shell.ts";
import {
  barrierWarnings,
  destroyWarnings,
  elasticDone,
  elasticStart,
  ncclInit,
} from "./startup.ts";
import { usDate } from "./stamps.ts";
import { Tqdm } from "./tqdm.ts";
import { wandbEnd, wandbStart } from "./wandb.ts";
import { ggufExport } from "./gguf.ts";
import { checkpointBytes, shardSizes } from "./export.ts";

const ENTRY = "run_clm.py";

/** A float32 value as Python prints it after `.item()`. */
export function f32(x: number): string {
  return pyRepr(Math.fround(x));
}

/** `0:04:06.24` (Trainer's `_secs2timedelta`). */
export function secs2timedelta(secs: number): string {
  const s = Math.floor(secs);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const cs = Math.floor((secs - s) * 100);
  return `${h}:${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}.${
    String(cs).padStart(2, "0")
  }`;
}

/** `trainer.log_metrics` output: keys sorted and left-justified, values right-aligned. */
export function metricsBlock(split: string, metrics: Record<string, string>): string[] {
  const keys = Object.keys(metrics).sort();
  const kw = Math.max(...keys.map((k) => k.length));
  const vw = Math.max(...keys.map((k) => metrics[k]!.length));
  return [
    `***** ${split} metrics *****`,
    ...keys.map((k) => `  ${k.padEnd(kw)} = ${metrics[k]!.padStart(vw)}`),
  ];
}

/** Runs the Hugging Face Trainer scene. */
export async function runHfTrainer(run: Run): Promise<void> {
  const sc = run.sc;
  const c = sc.cluster;
  const p = sc.plan;
  const m = sc.model;
  const L = hfLines(run);
  const log = (file: string, line: number, msg: string, level = "INFO") =>
    run.line(hfLog(run, true, file, line, msg, level));
  const main = (msg: string, level = "INFO") =>
    run.line(`${usDate(run.wall())} - ${level} - __main__ - ${msg}`);
  const out = sc.names.outDir;
  const ncols = () => (run.ctx.term.isTTY ? run.cols : undefined);
  await gpuCheck(run);
  const launchSec = run.nowSec();
  const cmd = c.nodes > 1
    ? `NCCL_DEBUG=INFO LOGLEVEL=INFO torchrun --nnodes=${c.nodes} --nproc-per-node=${c.gpusPerNode} --rdzv-id=${c.jobId} --rdzv-backend=c10d --rdzv-endpoint=${
      c.hosts[0]
    }:${c.port} --max-restarts=3 ${ENTRY} ${sc.names.config}`
    : `NCCL_DEBUG=INFO LOGLEVEL=INFO torchrun --nproc-per-node=${c.gpusPerNode} --max-restarts=3 ${ENTRY} ${sc.names.config}`;
  await run.command(cmd);
  const signal = new TrainingSignal(sc.curves, run.rng.fork());
  const valRng = new Evaluator(
    sc.curves,
    sc.valGap,
    (k) => lrAt(sc.schedule, k),
    run.rng.int(1, 2 ** 30),
  );
  const stats: JobStats = newJobStats(launchSec, "GGUF");
  const { series: history, push } = metricHistory();
  const evalBs = sc.batch.micro;
  const evalSteps = Math.ceil(p.evalSize / (c.world * evalBs));
  const saved: number[] = [];
  let wandbStarted: Date | null = null;
  let trainStart = 0;
  let sessionLoss = 0;
  let lastLogged = 0;
  let lastEval = 0;
  let bar = new Tqdm(p.totalSteps, run.nowSec());
  let windowLoss = 0;
  let windowN = 0;
  const draw = () => {
    run.bar = [bar.render(run.nowSec(), { ncols: ncols() })];
  };
  await runAttempts(run, signal, stats, {
    start: async ({ attempt, from }) => {
      await elasticStart(run, ENTRY, attempt);
      run.phase("load");
      for (const r of run.rng.shuffle(Array.from({ length: c.gpusPerNode }, (_, i) => i))) {
        main(
          `Process rank: ${r}, device: cuda:${r}, n_gpu: 1, distributed training: True, 16-bits training: ${
            pyBool(sc.precision === "fp16")
          }`,
          "WARNING",
        );
      }
      main("Training/evaluation parameters TrainingArguments(");
      for (const [k, v] of trainingArguments(run, run.wall())) run.line(`${k}=${v},`);
      run.line(")");
      await run.pause(run.rng.int(500, 1500));
      if (from > 0) {
        main(
          `Checkpoint detected, resuming training at ${out}/checkpoint-${from}. To avoid this behavior, change the \`--output_dir\` or add \`--overwrite_output_dir\` to train from scratch.`,
        );
      }
      await loadPretrained(run, true, p.loadSec);
      // datasets: validation split is the first 5 % of the raw examples
      const rawTrain = Math.floor(sc.dataset.samples * 0.95);
      const rawVal = sc.dataset.samples - rawTrain;
      const rate = run.rng.float(6000, 30000);
      const cached = attempt > 0 || rawTrain / rate > 12;
      await datasetMap(run, "Running tokenizer on dataset", rawTrain, rate, cached);
      await datasetMap(run, "Running tokenizer on dataset", rawVal, rate, cached);
      await datasetMap(
        run,
        `Grouping texts in chunks of ${sc.batch.seq}`,
        rawTrain,
        rate * 1.6,
        cached,
      );
      await datasetMap(
        run,
        `Grouping texts in chunks of ${sc.batch.seq}`,
        rawVal,
        rate * 1.6,
        cached,
      );
      await ncclInit(run, attempt, run.rng.float(1.5, 4));
      barrierWarnings(run);
      log("trainer.py", L.autoHalf, "Using auto half precision backend");
      log("trainer.py", L.banner, "***** Running training *****");
      log("trainer.py", L.banner + 1, `  Num examples = ${commas(p.numExamples)}`);
      log("trainer.py", L.banner + 2, `  Num Epochs = ${commas(p.epochs)}`);
      log(
        "trainer.py",
        L.banner + 3,
        `  Instantaneous batch size per device = ${commas(sc.batch.micro)}`,
      );
      log(
        "trainer.py",
        L.banner + 6,
        `  Total train batch size (w. parallel, distributed & accumulation) = ${
          commas(sc.batch.global)
        }`,
      );
      log("trainer.py", L.banner + 7, `  Gradient Accumulation steps = ${sc.batch.gradAccum}`);
      log("trainer.py", L.banner + 8, `  Total optimization steps = ${commas(p.totalSteps)}`);
      log("trainer.py", L.banner + 9, `  Number of trainable parameters = ${commas(m.params)}`);
      if (from > 0) {
        const epochsDone = Math.floor(from / p.stepsPerEpoch);
        const inEpoch = from - epochsDone * p.stepsPerEpoch;
        log(
          "trainer.py",
          L.resume,
          "  Continuing training from checkpoint, will skip to saved global_step",
        );
        log("trainer.py", L.resume + 1, `  Continuing training from epoch ${epochsDone}`);
        log("trainer.py", L.resume + 2, `  Continuing training from global step ${from}`);
        log(
          "trainer.py",
          L.resume + 4,
          `  Will skip the first ${epochsDone} epochs then the first ${
            inEpoch * sc.batch.gradAccum
          } batches in the first epoch.`,
        );
      }
      log(
        "integration_utils.py",
        L.wandbEnable,
        'Automatic Weights & Biases logging enabled, to disable set os.environ["WANDB_DISABLED"] = "true"',
      );
      const started = wandbStart(run, attempt > 0);
      wandbStarted = wandbStarted ?? started;
      // ---- training loop
      run.phase("train");
      run.monitoring = true;
      bar = new Tqdm(p.totalSteps, run.nowSec());
      trainStart = run.nowSec();
      sessionLoss = 0;
      draw();
      run.refresh();
      windowLoss = 0;
      windowN = 0;
      lastLogged = from;
    },
    stepMs: (k, { from }) =>
      sc.stepSec * 1000 * (k === from + 1 ? run.rng.float(1.5, 2.5) : 1) *
      (1 + run.rng.normal(0, 0.02)),
    beforeFailure: () => {
      run.monitoring = false;
      run.clearLive();
    },
    traceback: () => hfTraceback(run),
    checkpointName: (step) => `checkpoint-${step}`,
    afterStep: async (k, sig, _ms, { from }) => {
      sessionLoss += sig.loss;
      windowLoss += sig.loss;
      windowN++;
      bar.update(k === from + 1 ? k : 1, run.nowSec());
      draw();
      run.refresh();
      if (k % p.logInterval === 0) {
        const lr = lrAt(sc.schedule, k);
        const loss = windowLoss / windowN;
        run.line(
          `{'loss': ${pyRound(loss, 4)}, 'grad_norm': ${f32(sig.gradNorm)}, 'learning_rate': ${
            pyRepr(lr)
          }, 'epoch': ${pyRound(k / p.stepsPerEpoch, 2)}}`,
        );
        push("train/loss", Number(loss.toFixed(4)));
        push("train/grad_norm", sig.gradNorm);
        push("train/learning_rate", lr);
        push("train/epoch", k / p.stepsPerEpoch);
        push("train/global_step", k);
        windowLoss = 0;
        windowN = 0;
        lastLogged = k;
      }
      if (k % p.evalInterval === 0) {
        const v = await evaluate(run, bar, k, evalSteps, valRng, stats);
        lastEval = v.loss;
        push("eval/loss", v.loss);
        push("eval/runtime", v.runtime);
        push("eval/samples_per_second", p.evalSize / v.runtime);
        push("eval/steps_per_second", evalSteps / v.runtime);
      }
      if (k % p.saveInterval === 0) {
        await saveCheckpoint(run, k, saved, stats);
        draw();
      }
    },
  });
  // ---- end of training
  const runtime = run.nowSec() - trainStart;
  const finalBar = bar.render(run.nowSec(), { ncols: ncols() });
  run.monitoring = false;
  run.clearLive();
  run.ctx.out.write(finalBar);
  if (p.totalSteps % p.saveInterval !== 0) {
    await saveCheckpoint(run, p.totalSteps, saved, stats);
  }
  log("trainer.py", L.completed, "");
  run.line("");
  run.line("Training completed. Do not forget to share your model on huggingface.co/models =)");
  run.line("");
  run.line("");
  // max_steps can end mid-epoch; W&B's summary takes the final log's step and epoch
  const finalEpoch = p.maxSteps > 0 ? p.totalSteps / p.stepsPerEpoch : p.epochs;
  push("train/epoch", finalEpoch);
  push("train/global_step", p.totalSteps);
  const samples = p.maxSteps > 0 ? p.totalSteps * sc.batch.global : p.numExamples * p.epochs;
  const trainLoss = sessionLoss / p.totalSteps;
  const rt = Number(runtime.toFixed(4));
  run.line(
    `{'train_runtime': ${pyRound(runtime, 4)}, 'train_samples_per_second': ${
      pyRound(samples / rt, 3)
    }, 'train_steps_per_second': ${pyRound(p.totalSteps / rt, 3)}, 'train_loss': ${
      pyRepr(trainLoss)
    }, 'epoch': ${pyRound(finalEpoch, 2)}}`,
  );
  run.line(bar.render(run.nowSec(), { ncols: ncols() }));
  void lastLogged;
  // trainer.save_model()
  log("trainer.py", L.save, `Saving model checkpoint to ${out}`);
  run.phase("save");
  const t0 = run.nowSec();
  await run.pause(((2 * m.params) / (2.5e9)) * 1000 * 0.5 + 800);
  stats.saveSec += run.nowSec() - t0;
  run.lines(savePretrainedLines(run, true, out));
  const totalFlos = 6 * nonEmbedding(run) * sc.batch.tokensPerStep * p.totalSteps;
  run.lines(metricsBlock("train", {
    epoch: pyRound(finalEpoch, 4),
    total_flos: `${Math.floor(totalFlos / 2 ** 30)}GF`,
    train_loss: pyRound(trainLoss, 4),
    train_runtime: secs2timedelta(runtime),
    train_samples: String(p.numExamples),
    train_samples_per_second: pyRound(Number(pyRound(samples / rt, 3)), 4),
    train_steps_per_second: pyRound(Number(pyRound(p.totalSteps / rt, 3)), 4),
  }));
  main("*** Evaluate ***");
  const v = await evaluate(run, null, p.totalSteps, evalSteps, valRng, stats);
  lastEval = v.loss;
  run.lines(metricsBlock("eval", {
    epoch: pyRound(finalEpoch, 4),
    eval_loss: pyRound(Math.fround(v.loss), 4),
    eval_runtime: secs2timedelta(v.runtime),
    eval_samples: String(p.evalSize),
    eval_samples_per_second: pyRound(Number(pyRound(p.evalSize / v.runtime, 3)), 4),
    eval_steps_per_second: pyRound(Number(pyRound(evalSteps / v.runtime, 3)), 4),
    perplexity: pyRound(Math.exp(Math.fround(v.loss)), 4),
  }));
  push("eval/loss", v.loss);
  push("eval/runtime", v.runtime);
  push("eval/samples_per_second", p.evalSize / v.runtime);
  push("eval/steps_per_second", evalSteps / v.runtime);
  const summary = new Map<string, number | string>();
  for (const [k, vals] of history) summary.set(k, vals[vals.length - 1]!);
  summary.set("train/global_step", String(p.totalSteps));
  summary.set("total_flos", Number(totalFlos.toPrecision(15)));
  summary.set("train_loss", trainLoss);
  summary.set("train_runtime", Number(runtime.toFixed(4)));
  summary.set("train_samples_per_second", Number((samples / rt).toFixed(3)));
  summary.set("train_steps_per_second", Number((p.totalSteps / rt).toFixed(3)));
  wandbEnd(run, wandbStarted ?? run.wall(), history, summary);
  destroyWarnings(run);
  elasticDone(run);
  run.phase("idle");
  stats.finalLoss = stats.steps[stats.steps.length - 1]?.loss ?? 0;
  stats.valLoss = lastEval;
  const ckpts = saved.map((s) => ({
    path: `${out}/checkpoint-${s}`,
    bytes: checkpointBytes("hf", m.params),
  }));
  stats.ckptDir = ckpts[ckpts.length - 1]?.path ?? out;
  stats.ckptBytes = checkpointBytes("hf", m.params);
  await du(run, ckpts);
  await ggufExport(run, out, stats);
  stats.endSec = run.nowSec();
  await runSummary(run, stats);
}

function hfTraceback(run: Run): string[] {
  const py = `/usr/local/lib/python${run.sc.versions.python}/dist-packages`;
  return [
    "Traceback (most recent call last):",
    `  File "/home/${run.sc.cluster.user}/transformers/examples/pytorch/language-modeling/run_clm.py", line 673, in <module>`,
    "    main()",
    `  File "/home/${run.sc.cluster.user}/transformers/examples/pytorch/language-modeling/run_clm.py", line 621, in main`,
    "    train_result = trainer.train(resume_from_checkpoint=checkpoint)",
    `  File "${py}/transformers/trainer.py", line 2123, in train`,
    "    return inner_training_loop(",
    `  File "${py}/transformers/trainer.py", line 2481, in _inner_training_loop`,
    "    tr_loss_step = self.training_step(model, inputs, num_items_in_batch)",
    `  File "${py}/transformers/trainer.py", line 3612, in training_step`,
    "    self.accelerator.backward(loss, **kwargs)",
  ];
}

function nonEmbedding(run: Run): number {
  const m = run.sc.model;
  return m.params - m.vocab * m.hidden * (m.tied ? 1 : 2) -
    (m.learnedPos ? m.context * m.hidden : 0);
}

async function evaluate(
  run: Run,
  bar: Tqdm | null,
  step: number,
  evalSteps: number,
  ev: Evaluator,
  stats: JobStats,
): Promise<{ loss: number; runtime: number }> {
  const sc = run.sc;
  const p = sc.plan;
  const L = hfLines(run);
  const log = (line: number, msg: string) => run.line(hfLog(run, true, "trainer.py", line, msg));
  const ncols = run.ctx.term.isTTY ? run.cols : undefined;
  log(L.evalHead, "");
  run.line("***** Running Evaluation *****");
  log(L.evalHead + 2, `  Num examples = ${p.evalSize}`);
  log(L.evalHead + 5, `  Batch size = ${sc.batch.micro}`);
  run.phase("eval");
  const t0 = run.nowSec();
  const eb = new Tqdm(evalSteps, run.nowSec());
  const main = bar ? [bar.render(run.nowSec(), { ncols })] : [];
  for (let i = 0; i < evalSteps; i++) {
    run.bar = [...main, eb.render(run.nowSec(), { ncols })];
    await run.pause(((p.evalSec * 1000) / evalSteps) * run.rng.float(0.93, 1.07));
    eb.update(1, run.nowSec());
  }
  const runtime = run.nowSec() - t0;
  stats.evalSec += runtime;
  run.bar = main;
  run.refresh();
  const loss = ev.loss(step);
  const rt = Number(runtime.toFixed(4));
  run.line(
    `{'eval_loss': ${f32(loss)}, 'eval_runtime': ${
      pyRound(runtime, 4)
    }, 'eval_samples_per_second': ${pyRound(p.evalSize / rt, 3)}, 'eval_steps_per_second': ${
      pyRound(evalSteps / rt, 3)
    }, 'epoch': ${pyRound(step / p.stepsPerEpoch, 2)}}`,
  );
  run.phase("train");
  return { loss: Math.fround(loss), runtime: rt };
}

async function saveCheckpoint(
  run: Run,
  step: number,
  saved: number[],
  stats: JobStats,
): Promise<void> {
  const sc = run.sc;
  const L = hfLines(run);
  const dir = `${sc.names.outDir}/checkpoint-${step}`;
  run.line(hfLog(run, true, "trainer.py", L.save, `Saving model checkpoint to ${dir}`));
  run.phase("save");
  const t0 = run.nowSec();
  await run.pause(sc.plan.saveSec * 1000 * 0.25);
  run.lines(savePretrainedLines(run, true, dir));
  await run.pause(sc.plan.saveSec * 1000 * 0.75);
  stats.saveSec += run.nowSec() - t0;
  saved.push(step);
  if (saved.length > 2) {
    const old = saved.shift()!;
    run.line(
      hfLog(
        run,
        true,
        "trainer.py",
        L.deleting,
        `Deleting older checkpoint [${sc.names.outDir}/checkpoint-${old}] due to args.save_total_limit`,
      ),
    );
  }
  void shardSizes;
  run.phase("train");
}
