/**
 * The `Training/evaluation parameters TrainingArguments(` block `run_clm.py`
 * logs from the main process: every field of the dataclass, sorted, one
 * `name=value,` per line, values as Python's `str()` prints them.
 *
 * @module
 */

import { pyRepr } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";

const LAYER_CLASS: Record<string, string> = {
  llama: "LlamaDecoderLayer",
  mistral: "MistralDecoderLayer",
  qwen2: "Qwen2DecoderLayer",
  olmo2: "Olmo2DecoderLayer",
  phi3: "Phi3DecoderLayer",
  gemma: "GemmaDecoderLayer",
  gpt2: "GPT2Block",
  gpt_neox: "GPTNeoXLayer",
};

/** `Mar14_09-27-01` (the default `logging_dir` stamp). */
function runsStamp(d: Date): string {
  const mon = d.toUTCString().split(" ")[2]!;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${mon}${p(d.getUTCDate())}_${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${
    p(d.getUTCSeconds())
  }`;
}

/** The fields of `TrainingArguments` for this run, sorted by name. */
export function trainingArguments(run: Run, started: Date): [string, string][] {
  const sc = run.sc;
  const p = sc.plan;
  const v = sc.versions.transformers;
  const newer = v >= "4.46";
  const fsdp = sc.parallel.sharding === "fsdp";
  const bf16 = sc.precision === "bf16";
  const s = sc.schedule;
  const interval = v >= "4.48" ? "SaveStrategy.STEPS" : "IntervalStrategy.STEPS";
  const f: Record<string, string> = {
    _n_gpu: "1",
    accelerator_config:
      "AcceleratorConfig(split_batches=False, dispatch_batches=None, even_batches=True, use_seedable_sampler=True, non_blocking=False, gradient_accumulation_kwargs=None, use_configured_state=False)",
    adafactor: "False",
    adam_beta1: "0.9",
    adam_beta2: "0.999",
    adam_epsilon: "1e-08",
    auto_find_batch_size: "False",
    batch_eval_metrics: "False",
    bf16: bf16 ? "True" : "False",
    bf16_full_eval: "False",
    data_seed: "None",
    dataloader_drop_last: "False",
    dataloader_num_workers: "0",
    dataloader_persistent_workers: "False",
    dataloader_pin_memory: "True",
    dataloader_prefetch_factor: "None",
    ddp_backend: "None",
    ddp_broadcast_buffers: "None",
    ddp_bucket_cap_mb: "None",
    ddp_find_unused_parameters: "None",
    ddp_timeout: String(sc.timeoutSec),
    debug: "[]",
    deepspeed: "None",
    disable_tqdm: "False",
    dispatch_batches: "None",
    do_eval: "True",
    do_predict: "False",
    do_train: "True",
    eval_accumulation_steps: "None",
    eval_delay: "0",
    eval_do_concat_batches: "True",
    eval_on_start: "False",
    eval_steps: String(p.evalInterval),
    eval_strategy: "IntervalStrategy.STEPS",
    eval_use_gather_object: "False",
    fp16: bf16 ? "False" : "True",
    fp16_backend: "auto",
    fp16_full_eval: "False",
    fp16_opt_level: "O1",
    fsdp: fsdp
      ? "[<FSDPOption.FULL_SHARD: 'full_shard'>, <FSDPOption.AUTO_WRAP: 'auto_wrap'>]"
      : "[]",
    fsdp_config: fsdp
      ? `{'min_num_params': 0, 'transformer_layer_cls_to_wrap': ['${
        LAYER_CLASS[sc.model.modelType] ?? "LlamaDecoderLayer"
      }'], 'xla': False, 'xla_fsdp_v2': False, 'xla_fsdp_grad_ckpt': False}`
      : "{'min_num_params': 0, 'xla': False, 'xla_fsdp_v2': False, 'xla_fsdp_grad_ckpt': False}",
    fsdp_min_num_params: "0",
    fsdp_transformer_layer_cls_to_wrap: "None",
    full_determinism: "False",
    gradient_accumulation_steps: String(sc.batch.gradAccum),
    gradient_checkpointing: sc.parallel.recompute === "checkpointing" ? "True" : "False",
    gradient_checkpointing_kwargs: "None",
    greater_is_better: "None",
    group_by_length: "False",
    half_precision_backend: "auto",
    hub_always_push: "False",
    hub_model_id: "None",
    hub_private_repo: newer ? "None" : "False",
    hub_strategy: "HubStrategy.EVERY_SAVE",
    hub_token: "<HUB_TOKEN>",
    ignore_data_skip: "False",
    include_inputs_for_metrics: "False",
    include_num_input_tokens_seen: "False",
    include_tokens_per_second: "False",
    jit_mode_eval: "False",
    label_names: "None",
    label_smoothing_factor: "0.0",
    learning_rate: pyRepr(s.peak),
    length_column_name: "length",
    load_best_model_at_end: "False",
    local_rank: "0",
    log_level: "passive",
    log_level_replica: "warning",
    log_on_each_node: "True",
    logging_dir: `${sc.names.outDir}/runs/${runsStamp(started)}_${sc.cluster.hosts[0]}`,
    logging_first_step: "False",
    logging_nan_inf_filter: "True",
    logging_steps: String(p.logInterval),
    logging_strategy: "IntervalStrategy.STEPS",
    lr_scheduler_kwargs: s.kind === "cosine_with_min_lr" ? `{'min_lr': ${pyRepr(s.min)}}` : "{}",
    lr_scheduler_type: `SchedulerType.${s.kind.toUpperCase()}`,
    max_grad_norm: "1.0",
    max_steps: String(p.maxSteps),
    metric_for_best_model: "None",
    mp_parameters: "",
    neftune_noise_alpha: "None",
    no_cuda: "False",
    num_train_epochs: pyRepr(p.maxSteps > 0 ? 3 : p.epochs),
    optim: "OptimizerNames.ADAMW_TORCH",
    optim_args: "None",
    optim_target_modules: "None",
    output_dir: sc.names.outDir,
    overwrite_output_dir: "False",
    past_index: "-1",
    per_device_eval_batch_size: String(sc.batch.micro),
    per_device_train_batch_size: String(sc.batch.micro),
    prediction_loss_only: "False",
    push_to_hub: "False",
    push_to_hub_model_id: "None",
    push_to_hub_organization: "None",
    push_to_hub_token: "<PUSH_TO_HUB_TOKEN>",
    ray_scope: "last",
    remove_unused_columns: "True",
    report_to: "['wandb']",
    restore_callback_states_from_checkpoint: "False",
    resume_from_checkpoint: "None",
    run_name: sc.names.runName,
    save_on_each_node: "False",
    save_only_model: "False",
    save_safetensors: "True",
    save_steps: String(p.saveInterval),
    save_strategy: interval,
    save_total_limit: "2",
    seed: "42",
    skip_memory_metrics: "True",
    split_batches: "None",
    tf32: "None",
    torch_compile: "False",
    torch_compile_backend: "None",
    torch_compile_mode: "None",
    torch_empty_cache_steps: "None",
    torchdynamo: "None",
    tpu_metrics_debug: "False",
    tpu_num_cores: "None",
    use_cpu: "False",
    use_ipex: "False",
    use_legacy_prediction_loop: "False",
    use_liger_kernel: "False",
    use_mps_device: "False",
    warmup_ratio: "0.0",
    warmup_steps: String(s.warmup),
    weight_decay: "0.0",
  };
  if (newer) {
    f.average_tokens_across_devices = "False";
    f.include_for_metrics = "[]";
  }
  if (v >= "4.51") f.tp_size = "0";
  return Object.keys(f).sort().map((k) => [k, f[k]!]);
}
