/**
 * DeepSpeed's `DeepSpeedEngine configuration:` dump as `runtime/config.py`
 * prints it: every attribute sorted by name, padded with dots to column 29,
 * then the user's config as `json = {` with DeepSpeed's own JSON encoder
 * (four-space indent, `", "` between items, numbers above 1e3 in `%e` form).
 *
 * @module
 */

import type { Run } from "./runtime.ts";

/** A Python float (printed `1.0`, not `1`). */
export class Float {
  readonly v: number;
  constructor(v: number) {
    this.v = v;
  }
}

/** A JSON-ish value for the user config. */
type Val = string | number | boolean | null | Float | Val[] | { [k: string]: Val };

/** `ScientificNotationEncoder`: DeepSpeed's JSON layout. */
export function dsJson(v: Val, level = 0): string {
  const prefixClose = " ".repeat(level * 4);
  const prefix = " ".repeat((level + 1) * 4);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Float) {
    return v.v > 1e3 ? pyExp(v.v) : Number.isInteger(v.v) ? `${v.v}.0` : String(v.v);
  }
  if (typeof v === "number") {
    return v > 1e3 ? pyExp(v) : Number.isInteger(v) ? String(v) : String(v);
  }
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => dsJson(x, level + 1)).join(", ")}]`;
  const items = Object.entries(v).map(([k, x]) => `\n${prefix}"${k}": ${dsJson(x, level + 1)}`);
  return `{${items.join(", ")}\n${prefixClose}}`;
}

/** Python's `f"{x:e}"`: `5.000000e+08`. */
function pyExp(x: number): string {
  const [m, e] = x.toExponential(6).split("e");
  const n = Number(e);
  return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

/** The user config accelerate hands to DeepSpeed. */
export function dsUserConfig(
  run: Run,
  stage: number,
  stepsPerPrint: number,
  comms: boolean,
): Val {
  const b = run.sc.batch;
  const zero: { [k: string]: Val } = {
    stage,
    offload_optimizer: { device: "none", nvme_path: null },
    offload_param: { device: "none", nvme_path: null },
  };
  if (stage === 3) zero.stage3_gather_16bit_weights_on_model_save = true;
  const cfg: { [k: string]: Val } = {
    train_batch_size: b.global,
    train_micro_batch_size_per_gpu: b.micro,
    gradient_accumulation_steps: b.gradAccum,
    zero_optimization: zero,
    gradient_clipping: new Float(1),
    steps_per_print: stepsPerPrint,
    bf16: { enabled: true },
    fp16: { enabled: false },
    zero_allow_untested_optimizer: true,
  };
  if (comms) cfg.comms_logger = { enabled: true, verbose: false, prof_all: true, debug: false };
  return cfg;
}

/** The engine's attributes, as `print()` lists them (sorted, values as Python prints them). */
export function dsEngineAttributes(
  run: Run,
  stage: number,
  stepsPerPrint: number,
): [string, string][] {
  const sc = run.sc;
  const b = sc.batch;
  const addr = () => `0x7f${run.rng.hex(9)}0`;
  const zero = [
    `stage=${stage}`,
    "contiguous_gradients=True",
    "reduce_scatter=True",
    "reduce_bucket_size=500000000",
    "use_multi_rank_bucket_allreduce=True",
    "allgather_partitions=True",
    "allgather_bucket_size=500000000",
    "overlap_comm=True",
    "load_from_fp32_weights=True",
    "elastic_checkpoint=False",
    "offload_param=DeepSpeedZeroOffloadParamConfig(device='none', nvme_path=None, buffer_count=5, buffer_size=100000000, max_in_cpu=1000000000, pin_memory=False)",
    "offload_optimizer=DeepSpeedZeroOffloadOptimizerConfig(device='none', nvme_path=None, buffer_count=4, pin_memory=False, pipeline_read=False, pipeline_write=False, fast_init=False, ratio=1.0)",
    "sub_group_size=1000000000",
    "cpu_offload_param=None",
    "cpu_offload_use_pin_memory=None",
    "cpu_offload=None",
    "prefetch_bucket_size=50000000",
    "param_persistence_threshold=100000",
    "model_persistence_threshold=9223372036854775807",
    "max_live_parameters=1000000000",
    "max_reuse_distance=1000000000",
    `gather_16bit_weights_on_model_save=${stage === 3 ? "True" : "False"}`,
    "module_granularity_threshold=0",
    "use_all_reduce_for_fetch_params=False",
    "stage3_gather_fp16_weights_on_model_save=False",
    "ignore_unused_parameters=True",
    "legacy_stage1=False",
    "round_robin_gradients=False",
    "zero_hpz_partition_size=1",
    "zero_quantized_weights=False",
    "zero_quantized_nontrainable_weights=False",
    "zero_quantized_gradients=False",
    "mics_shard_size=-1",
    "mics_hierarchical_params_gather=False",
    "memory_efficient_linear=True",
    "pipeline_loading_checkpoint=False",
    "override_module_apply=True",
  ].join(" ");
  const attrs: [string, string][] = [
    [
      "activation_checkpointing_config",
      dsJson({
        partition_activations: false,
        contiguous_memory_optimization: false,
        cpu_checkpointing: false,
        number_checkpoints: null,
        synchronize_checkpoint_boundary: false,
        profile: false,
      }),
    ],
    [
      "aio_config",
      "{'block_size': 1048576, 'queue_depth': 8, 'thread_count': 1, 'single_submit': False, 'overlap_events': True, 'use_gds': False}",
    ],
    ["amp_enabled", "False"],
    ["amp_params", "False"],
    [
      "autotuning_config",
      dsJson({
        enabled: false,
        start_step: null,
        end_step: null,
        metric_path: null,
        arg_mappings: null,
        metric: "throughput",
        model_info: null,
        results_dir: "autotuning_results",
        exps_dir: "autotuning_exps",
        overwrite: true,
        fast: true,
        start_profile_step: 3,
        end_profile_step: 5,
        tuner_type: "gridsearch",
        tuner_early_stopping: 5,
        tuner_num_trials: 50,
        model_info_path: null,
        mp_size: 1,
        max_train_batch_size: null,
        min_train_batch_size: 1,
        max_train_micro_batch_size_per_gpu: 1024,
        min_train_micro_batch_size_per_gpu: 1,
        num_tuning_micro_batch_sizes: 3,
      }),
    ],
    ["bfloat16_enabled", "True"],
    ["bfloat16_immediate_grad_update", "False"],
    ["checkpoint_parallel_write_pipeline", "False"],
    ["checkpoint_tag_validation_enabled", "True"],
    ["checkpoint_tag_validation_fail", "False"],
    ["comms_config", `<deepspeed.comm.config.DeepSpeedCommsConfig object at ${addr()}>`],
    ["communication_data_type", "None"],
    [
      "compression_config",
      "{'weight_quantization': {'shared_parameters': {'enabled': False, 'quantizer_kernel': False, 'schedule_offset': 0, 'quantize_groups': 1, 'quantize_verbose': False, 'quantization_type': 'symmetric', 'quantize_weight_in_forward': False, 'rounding': 'nearest', 'fp16_mixed_quantize': False, 'quantize_change_ratio': 0.001}, 'different_groups': {}}, 'activation_quantization': {'shared_parameters': {'enabled': False, 'quantization_type': 'symmetric', 'range_calibration': 'dynamic', 'schedule_offset': 1000}, 'different_groups': {}}, 'sparse_pruning': {'shared_parameters': {'enabled': False, 'method': 'l1', 'schedule_offset': 1000}, 'different_groups': {}}, 'row_pruning': {'shared_parameters': {'enabled': False, 'method': 'l1', 'schedule_offset': 1000}, 'different_groups': {}}, 'head_pruning': {'shared_parameters': {'enabled': False, 'method': 'topk', 'schedule_offset': 1000}, 'different_groups': {}}, 'channel_pruning': {'shared_parameters': {'enabled': False, 'method': 'l1', 'schedule_offset': 1000}, 'different_groups': {}}, 'layer_reduction': {'enabled': False}}",
    ],
    ["curriculum_enabled_legacy", "False"],
    ["curriculum_params_legacy", "False"],
    [
      "data_efficiency_config",
      "{'enabled': False, 'seed': 1234, 'data_sampling': {'enabled': False, 'num_epochs': 1000, 'num_workers': 0, 'curriculum_learning': {'enabled': False}}, 'data_routing': {'enabled': False, 'random_ltd': {'enabled': False, 'layer_token_lr_schedule': {'enabled': False}}}}",
    ],
    ["data_efficiency_enabled", "False"],
    ["dataloader_drop_last", "False"],
    ["disable_allgather", "False"],
    ["dump_state", "False"],
    ["dynamic_loss_scale_args", "None"],
    ["eigenvalue_enabled", "False"],
    ["eigenvalue_gas_boundary_resolution", "1"],
    ["eigenvalue_layer_name", "bert.encoder.layer"],
    ["eigenvalue_layer_num", "0"],
    ["eigenvalue_max_iter", "100"],
    ["eigenvalue_stability", "1e-06"],
    ["eigenvalue_tol", "0.01"],
    ["eigenvalue_verbose", "False"],
    ["elasticity_enabled", "False"],
    [
      "flops_profiler_config",
      dsJson({
        enabled: false,
        recompute_fwd_factor: new Float(0),
        profile_step: 1,
        module_depth: -1,
        top_modules: 1,
        detailed: true,
        output_file: null,
      }).replace('"recompute_fwd_factor": 0,', '"recompute_fwd_factor": 0.0,'),
    ],
    ["fp16_auto_cast", "None"],
    ["fp16_enabled", "False"],
    ["fp16_master_weights_and_gradients", "False"],
    ["global_rank", "0"],
    ["grad_accum_dtype", "None"],
    ["gradient_accumulation_steps", String(b.gradAccum)],
    ["gradient_clipping", "1.0"],
    ["gradient_predivide_factor", "1.0"],
    ["graph_harvesting", "False"],
    [
      "hybrid_engine",
      "enabled=False max_out_tokens=512 inference_tp_size=1 release_inference_cache=False pin_parameters=True tp_gather_partition_size=8",
    ],
    ["initial_dynamic_scale", "1"],
    ["load_universal_checkpoint", "False"],
    ["loss_scale", "1.0"],
    ["memory_breakdown", "False"],
    ["mics_hierarchial_params_gather", "False"],
    ["mics_shard_size", "-1"],
    [
      "monitor_config",
      "tensorboard=TensorBoardConfig(enabled=False, output_path='', job_name='DeepSpeedJobName') comet=CometConfig(enabled=False, samples_log_interval=100, project=None, workspace=None, api_key=None, experiment_name=None, experiment_key=None, online=None, mode=None) wandb=WandbConfig(enabled=False, group=None, team=None, project='deepspeed') csv_monitor=CSVConfig(enabled=False, output_path='', job_name='DeepSpeedJobName')",
    ],
    [
      "nebula_config",
      dsJson({
        enabled: false,
        persistent_storage_path: null,
        persistent_time_interval: 100,
        num_of_version_in_retention: 2,
        enable_nebula_load: true,
        load_path: null,
      }),
    ],
    ["optimizer_legacy_fusion", "False"],
    ["optimizer_name", "None"],
    ["optimizer_params", "None"],
    [
      "pipeline",
      "{'stages': 'auto', 'partition': 'best', 'seed_layers': False, 'activation_checkpoint_interval': 0, 'pipe_partitioned': True, 'grad_partitioned': True}",
    ],
    ["pld_enabled", "False"],
    ["pld_params", "False"],
    ["prescale_gradients", "False"],
    ["scheduler_name", "None"],
    ["scheduler_params", "None"],
    ["seq_parallel_communication_data_type", "torch.float32"],
    ["sparse_attention", "None"],
    ["sparse_gradients_enabled", "False"],
    ["steps_per_print", String(stepsPerPrint)],
    ["timers_config", "enabled=True synchronized=True"],
    ["train_batch_size", String(b.global)],
    ["train_micro_batch_size_per_gpu", String(b.micro)],
    ["use_data_before_expert_parallel_", "False"],
    ["use_node_local_storage", "False"],
    ["wall_clock_breakdown", "False"],
    ["weight_quantization_config", "None"],
    ["world_size", String(sc.cluster.world)],
    ["zero_allow_untested_optimizer", "True"],
    ["zero_config", zero],
    ["zero_enabled", "True"],
    ["zero_force_ds_cpu_optimizer", "True"],
    ["zero_optimization_stage", String(stage)],
  ];
  return attrs;
}

/** One `  name ......... value` line (the dots fill to column 29; at least one space). */
export function dsAttrLine(name: string, value: string): string {
  return `  ${name} ${".".repeat(Math.max(0, 29 - name.length))} ${value}`;
}
