/**
 * Megatron-LM's longer start-up blocks: the defaults of the arguments a run
 * does not set (the dump lists every argument), the DDP and optimizer
 * configurations, the gradient buckets with their parameters, the dataset
 * split configuration and the theoretical-memory report after the first
 * iteration.
 *
 * @module
 */

import { paddedVocab } from "./memory.ts";
import { pyRepr } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";

/** Arguments every run prints with their defaults (values as `print_args` shows them). */
export const MEGATRON_DEFAULTS: Readonly<Record<string, string>> = {
  accumulate_allreduce_grads_in_fp32: "True",
  adlr_autoresume: "False",
  adlr_autoresume_interval: "1000",
  align_grad_reduce: "True",
  align_param_gather: "False",
  app_tag_run_name: "None",
  app_tag_run_version: "0.0.0",
  apply_layernorm_1p: "False",
  apply_query_key_layer_scaling: "False",
  apply_residual_connection_post_layernorm: "False",
  apply_rope_fusion: "True",
  async_save: "None",
  async_tensor_model_parallel_allreduce: "True",
  attention_backend: "AttnBackend.auto",
  attention_softmax_in_fp32: "False",
  auto_detect_ckpt_format: "False",
  barrier_with_L1_time: "True",
  bert_binary_head: "True",
  bert_embedder_type: "megatron",
  bert_load: "None",
  bias_dropout_fusion: "True",
  bias_gelu_fusion: "False",
  bias_swiglu_fusion: "True",
  biencoder_projection_dim: "0",
  biencoder_shared_query_context_model: "False",
  block_data_path: "None",
  calculate_per_token_loss: "False",
  check_for_large_grads: "False",
  check_for_nan_in_loss_and_grad: "True",
  check_for_spiky_loss: "False",
  check_weight_hash_across_dp_replicas_interval: "None",
  ckpt_assume_constant_structure: "False",
  ckpt_convert_format: "None",
  ckpt_convert_save: "None",
  ckpt_convert_update_legacy_dist_opt_format: "False",
  ckpt_fully_parallel_load: "False",
  ckpt_fully_parallel_save: "True",
  ckpt_fully_parallel_save_deprecated: "False",
  ckpt_step: "None",
  classes_fraction: "1.0",
  clone_scatter_output_in_embedding: "True",
  config_logger_dir: "",
  consumed_train_samples: "0",
  consumed_valid_samples: "0",
  cp_comm_type: "['p2p']",
  create_attention_mask_in_dataloader: "True",
  cross_entropy_loss_fusion: "False",
  data_args_path: "None",
  data_cache_path: "None",
  data_parallel_random_init: "False",
  data_per_class_fraction: "1.0",
  data_sharding: "True",
  dataloader_type: "single",
  ddp_average_in_collective: "False",
  ddp_bucket_size: "None",
  decoder_first_pipeline_num_layers: "None",
  decoder_last_pipeline_num_layers: "None",
  decoder_num_layers: "None",
  decoder_seq_length: "None",
  decoupled_lr: "None",
  decoupled_min_lr: "None",
  decrease_batch_size_if_needed: "False",
  defer_embedding_wgrad_compute: "False",
  deprecated_use_mcore_models: "False",
  deterministic_mode: "False",
  dino_bottleneck_size: "256",
  dino_freeze_last_layer: "1",
  dino_head_hidden_size: "2048",
  dino_local_crops_number: "10",
  dino_local_img_size: "96",
  dino_norm_last_layer: "False",
  dino_teacher_temp: "0.07",
  dino_warmup_teacher_temp: "0.04",
  dino_warmup_teacher_temp_epochs: "30",
  disable_straggler_on_startup: "False",
  dist_ckpt_format_deprecated: "None",
  dist_ckpt_strictness: "assume_ok_unexpected",
  distribute_saved_activations: "False",
  embedding_path: "None",
  empty_unused_memory_level: "0",
  enable_ft_package: "False",
  enable_one_logger: "True",
  encoder_num_layers: "None",
  encoder_seq_length: "None",
  end_weight_decay: "0.1",
  eod_mask_loss: "False",
  evidence_data_path: "None",
  exit_duration_in_mins: "None",
  exit_on_missing_checkpoint: "False",
  exit_signal_handler: "False",
  expert_model_parallel_size: "1",
  expert_tensor_parallel_size: "None",
  finetune: "False",
  fp16_lm_cross_entropy: "False",
  fp32_residual_connection: "False",
  fp8: "None",
  fp8_amax_compute_algo: "most_recent",
  fp8_amax_history_len: "1",
  fp8_interval: "1",
  fp8_margin: "0",
  fp8_param_gather: "False",
  fp8_wgrad: "True",
  gradient_accumulation_fusion: "True",
  head_lr_mult: "1.0",
  hybrid_attention_ratio: "0.0",
  hybrid_mlp_ratio: "0.0",
  hybrid_override_pattern: "None",
  hysteresis: "2",
  ict_head_size: "None",
  ict_load: "None",
  img_h: "224",
  img_w: "224",
  indexer_batch_size: "128",
  indexer_log_interval: "1000",
  inference_batch_times_seqlen_threshold: "-1",
  init_method_xavier_uniform: "False",
  iter_per_epoch: "1250",
  kv_lora_rank: "32",
  lazy_mpu_init: "None",
  local_rank: "0",
  log_loss_scale_to_tensorboard: "True",
  log_memory_to_tensorboard: "False",
  log_num_zeros_in_grad: "False",
  log_params_norm: "False",
  log_progress: "False",
  log_straggler: "False",
  log_timers_to_tensorboard: "False",
  log_validation_ppl_to_tensorboard: "False",
  log_world_size_to_tensorboard: "False",
  logging_level: "None",
  lr_decay_samples: "None",
  lr_warmup_fraction: "None",
  lr_warmup_init: "0.0",
  lr_warmup_samples: "0",
  lr_wsd_decay_iters: "None",
  lr_wsd_decay_samples: "None",
  lr_wsd_decay_style: "exponential",
  manual_gc: "False",
  manual_gc_eval: "True",
  manual_gc_interval: "0",
  mask_factor: "1.0",
  mask_prob: "0.15",
  mask_type: "random",
  masked_softmax_fusion: "True",
  max_tokens_to_oom: "12000",
  merge_file: "None",
  microbatch_group_size_per_vp_stage: "None",
  min_loss_scale: "1.0",
  mmap_bin_files: "True",
  mock_data: "False",
  moe_aux_loss_coeff: "0.0",
  moe_expert_capacity_factor: "None",
  moe_extended_tp: "False",
  moe_ffn_hidden_size: "None",
  moe_grouped_gemm: "False",
  moe_input_jitter_eps: "None",
  moe_layer_freq: "1",
  moe_layer_recompute: "False",
  moe_pad_expert_input_to_capacity: "False",
  moe_per_layer_logging: "False",
  moe_router_load_balancing_type: "aux_loss",
  moe_router_pre_softmax: "False",
  moe_router_topk: "2",
  moe_shared_expert_intermediate_size: "None",
  moe_shared_expert_overlap: "False",
  moe_token_dispatcher_type: "allgather",
  moe_token_drop_policy: "probs",
  moe_use_upcycling: "False",
  moe_z_loss_coeff: "None",
  multi_latent_attention: "False",
  nccl_communicator_config_path: "None",
  no_load_optim: "None",
  no_load_rng: "None",
  no_persist_layer_norm: "False",
  no_save_optim: "None",
  no_save_rng: "None",
  non_persistent_ckpt_type: "None",
  non_persistent_global_ckpt_dir: "None",
  non_persistent_local_ckpt_algo: "fully_parallel",
  non_persistent_local_ckpt_dir: "None",
  non_persistent_save_interval: "None",
  num_channels: "3",
  num_classes: "1000",
  num_dataset_builder_threads: "1",
  num_distributed_optimizer_instances: "1",
  num_experts: "None",
  num_layers_per_virtual_pipeline_stage: "None",
  num_workers: "2",
  one_logger_async: "False",
  one_logger_project: "megatron-lm",
  one_logger_run_name: "None",
  onnx_safe: "None",
  openai_gelu: "False",
  optimizer: "adam",
  output_bert_embeddings: "False",
  overlap_grad_reduce: "True",
  overlap_p2p_comm: "False",
  overlap_p2p_comm_warmup_flush: "False",
  overlap_param_gather: "True",
  overlap_param_gather_with_optimizer_step: "False",
  override_opt_param_scheduler: "False",
  patch_dim: "16",
  per_split_data_args_path: "None",
  perform_initialization: "True",
  pipeline_model_parallel_split_rank: "None",
  pretrained_checkpoint: "None",
  profile: "False",
  profile_ranks: "[0]",
  profile_step_end: "12",
  profile_step_start: "10",
  q_lora_rank: "None",
  qk_head_dim: "128",
  qk_layernorm: "False",
  qk_pos_emb_head_dim: "64",
  query_in_block_prob: "0.1",
  rampup_batch_size: "None",
  record_memory_history: "False",
  renormalize_blend_weights: "False",
  rerun_mode: "disabled",
  reset_attention_mask: "False",
  reset_position_ids: "False",
  retriever_report_topk_accuracies: "[]",
  retriever_score_scaling: "False",
  retriever_seq_length: "256",
  rotary_interleaved: "False",
  rotary_percent: "1.0",
  rotary_scaling_factor: "1.0",
  rotary_seq_len_interpolation_factor: "None",
  s3_cache_path: "None",
  sample_rate: "1.0",
  scatter_gather_tensors_in_pipeline: "True",
  sgd_momentum: "0.9",
  short_seq_prob: "0.1",
  skip_train: "False",
  skipped_train_samples: "0",
  spec: "None",
  split: "969,30,1",
  squared_relu: "False",
  standalone_embedding_stage: "False",
  start_weight_decay: "0.1",
  straggler_ctrlr_port: "65535",
  straggler_minmax_count: "1",
  swin_backbone_type: "tiny",
  tensorboard_dir: "None",
  tensorboard_log_interval: "1",
  tensorboard_queue_size: "1000",
  test_data_path: "None",
  test_mode: "False",
  tiktoken_num_special_tokens: "1000",
  tiktoken_pattern: "None",
  tiktoken_special_tokens: "None",
  timing_log_level: "0",
  timing_log_option: "minmax",
  titles_data_path: "None",
  tp_comm_bootstrap_backend: "nccl",
  tp_comm_bulk_dgrad: "True",
  tp_comm_bulk_wgrad: "True",
  tp_comm_overlap: "False",
  tp_comm_overlap_ag: "True",
  tp_comm_overlap_cfg: "None",
  tp_comm_overlap_rs: "True",
  tp_comm_overlap_rs_dgrad: "False",
  tp_comm_split_ag: "True",
  tp_comm_split_rs: "True",
  train_data_path: "None",
  train_samples: "None",
  train_sync_interval: "None",
  transformer_impl: "transformer_engine",
  transformer_pipeline_model_parallel_size: "1",
  use_checkpoint_args: "False",
  use_checkpoint_opt_param_scheduler: "False",
  use_cpu_initialization: "None",
  use_dist_ckpt: "True",
  use_dist_ckpt_deprecated: "False",
  use_legacy_models: "False",
  use_mp_args_from_checkpoint_args: "False",
  use_one_sent_docs: "False",
  use_precision_aware_optimizer: "False",
  use_pytorch_profiler: "False",
  use_ring_exchange_p2p: "False",
  use_rope_scaling: "False",
  use_rotary_position_embeddings: "False",
  use_tokenizer_model_from_checkpoint_args: "True",
  use_torch_fsdp2: "False",
  use_tp_pp_dp_mapping: "False",
  v_head_dim: "128",
  valid_data_path: "None",
  variable_seq_lengths: "False",
  virtual_pipeline_model_parallel_size: "None",
  vision_backbone_type: "vit",
  vision_pretraining: "False",
  vision_pretraining_type: "classify",
  vocab_extra_ids: "0",
  vocab_file: "None",
  vocab_size: "None",
  weight_decay_incr_style: "constant",
  wgrad_deferral_limit: "0",
  yaml_cfg: "None",
};

/** Least common multiple. */
function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}

/** Rank 0's parameters (pipeline stage 0, tensor rank 0) in `model.parameters()` order. */
export function rank0Params(run: Run): [string, number][] {
  const sc = run.sc;
  const m = sc.model;
  const tp = sc.parallel.tp;
  const pp = sc.parallel.pp;
  const h = m.hidden;
  const q = m.heads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  const ln = m.norm === "layernorm";
  const out: [string, number][] = [];
  out.push(["module.embedding.word_embeddings.weight", (paddedVocab(m.vocab, tp) / tp) * h]);
  if (m.learnedPos) out.push(["module.embedding.position_embeddings.weight", m.context * h]);
  for (let i = 0; i < m.layers / pp; i++) {
    const p = `module.decoder.layers.${i}.`;
    out.push([`${p}self_attention.linear_proj.weight`, (h * q) / tp]);
    if (m.bias === "all") out.push([`${p}self_attention.linear_proj.bias`, h]);
    out.push([`${p}self_attention.linear_qkv.layer_norm_weight`, h]);
    if (ln) out.push([`${p}self_attention.linear_qkv.layer_norm_bias`, h]);
    out.push([`${p}self_attention.linear_qkv.weight`, ((q + 2 * kv) / tp) * h]);
    if (m.bias !== "none") out.push([`${p}self_attention.linear_qkv.bias`, (q + 2 * kv) / tp]);
    const fc1 = (m.mlp === "swiglu" ? 2 : 1) * m.ffn / tp;
    out.push([`${p}mlp.linear_fc1.layer_norm_weight`, h]);
    if (ln) out.push([`${p}mlp.linear_fc1.layer_norm_bias`, h]);
    out.push([`${p}mlp.linear_fc1.weight`, fc1 * h]);
    if (m.bias === "all") out.push([`${p}mlp.linear_fc1.bias`, fc1]);
    out.push([`${p}mlp.linear_fc2.weight`, (h * m.ffn) / tp]);
    if (m.bias === "all") out.push([`${p}mlp.linear_fc2.bias`, h]);
  }
  if (pp === 1) {
    out.push(["module.decoder.final_layernorm.weight", h]);
    if (ln) out.push(["module.decoder.final_layernorm.bias", h]);
    if (!m.tied) out.push(["module.output_layer.weight", (paddedVocab(m.vocab, tp) / tp) * h]);
  }
  return out;
}

/** The DDP configuration, the bucket count and each bucket's parameters (rank 0's log lines). */
export function ddpLines(run: Run): string[] {
  const dp = run.sc.parallel.dp;
  const bucketSize = Math.max(40_000_000, 1_000_000 * dp);
  const ddp = "INFO:megatron.core.distributed.distributed_data_parallel:";
  const buf = "INFO:megatron.core.distributed.param_and_grad_buffer:";
  const buckets: [string, number][][] = [[]];
  let size = 0;
  for (const p of [...rank0Params(run)].reverse()) {
    buckets[buckets.length - 1]!.push(p);
    size += p[1];
    if (size >= bucketSize) {
      buckets.push([]);
      size = 0;
    }
  }
  if (buckets[buckets.length - 1]!.length === 0) buckets.pop();
  const pad = lcm(dp, 128);
  const out = [
    `${ddp}Setting up DistributedDataParallel with config DistributedDataParallelConfig(grad_reduce_in_fp32=True, overlap_grad_reduce=True, overlap_param_gather=True, align_param_gather=False, use_distributed_optimizer=True, num_distributed_optimizer_instances=1, check_for_nan_in_grad=True, check_for_large_grads=False, bucket_size=${bucketSize}, pad_buckets_for_high_nccl_busbw=False, average_in_collective=False, fp8_param_gather=False, use_custom_fsdp=False, data_parallel_sharding_strategy='no_shard', gradient_reduce_div_fusion=True, suggested_communication_unit_size=None, preserve_fp32_weights=True, keep_fp8_transpose_cache_when_using_custom_fsdp=False)`,
    `${buf}Number of buckets for gradient all-reduce / reduce-scatter: ${buckets.length}`,
  ];
  buckets.forEach((b, i) => {
    const n = b.reduce((a, [, x]) => a + x, 0);
    out.push(
      `${buf}Params for bucket ${i + 1} (${n} elements, ${Math.ceil(n / pad) * pad} padded size):`,
    );
    for (const [name] of b) out.push(`\t${name}`);
  });
  return out;
}

/** `Setting up optimizer with config OptimizerConfig(...)`. */
export function optimizerConfigLine(run: Run): string {
  const sc = run.sc;
  const s = sc.schedule;
  const bf16 = sc.precision === "bf16";
  return `INFO:megatron.core.optimizer:Setting up optimizer with config OptimizerConfig(optimizer='adam', lr=${
    pyRepr(s.peak)
  }, min_lr=${pyRepr(s.min)}, decoupled_lr=None, decoupled_min_lr=None, weight_decay=0.1, fp16=${
    !bf16 ? "True" : "False"
  }, bf16=${bf16 ? "True" : "False"}, params_dtype=torch.${
    bf16 ? "bfloat16" : "float16"
  }, use_precision_aware_optimizer=False, main_grads_dtype=torch.float32, main_params_dtype=torch.float32, exp_avg_dtype=torch.float32, exp_avg_sq_dtype=torch.float32, loss_scale=None, initial_loss_scale=4294967296, min_loss_scale=1.0, loss_scale_window=1000, hysteresis=2, adam_beta1=0.9, adam_beta2=0.95, adam_eps=1e-08, sgd_momentum=0.9, use_distributed_optimizer=True, overlap_param_gather_with_optimizer_step=False, optimizer_cpu_offload=False, optimizer_offload_fraction=1.0, use_torch_optimizer_for_cpu_offload=False, overlap_cpu_optimizer_d2h_h2d=False, pin_cpu_grads=True, pin_cpu_params=True, clip_grad=1.0, log_num_zeros_in_grad=False, barrier_with_L1_time=True, timers=<megatron.core.timers.Timers object at 0x7f${
    run.rng.hex(9)
  }0>, config_logger_dir='')`;
}

/**
 * `report_theoretical_memory(verbose=True)` after the first logged iteration:
 * parameter counts, then the weight-and-optimizer bytes (and activations only
 * with sequence parallelism and selective recomputation).
 */
export function theoreticalMemoryLines(run: Run, stageParams: readonly number[]): string[] {
  const sc = run.sc;
  const m = sc.model;
  const par = sc.parallel;
  const emb = paddedVocab(m.vocab, par.tp) * m.hidden * (m.tied ? 1 : 2) +
    (m.learnedPos ? m.context * m.hidden : 0);
  const total = m.params - (m.vocab * m.hidden * (m.tied ? 1 : 2)) + emb;
  const shard = stageParams[0]!;
  const out = [
    `Number of parameters in transformer layers in billions:  ${((total - emb) / 1e9).toFixed(2)}`,
    `Number of parameters in embedding layers in billions: ${(emb / 1e9).toFixed(2)}`,
    `Total number of parameters in billions: ${(total / 1e9).toFixed(2)}`,
    `Number of parameters in most loaded shard in billions: ${(shard / 1e9).toFixed(4)}`,
  ];
  if (par.pp > 1) {
    out.push(
      `Number of parameters in other shards in billions: ${(stageParams[1]! / 1e9).toFixed(4)}`,
    );
  }
  const wo = ((6 + 12 / par.dp) * shard) / 2 ** 20;
  if (par.tp > 1 && par.recompute === "selective") {
    const act = sc.memory.activations / 2 ** 20;
    out.push(
      `Theoretical memory footprints: weight and optimizer=${wo.toFixed(2)} MB, activation=${
        act.toFixed(2)
      } MB, total=${(wo + act).toFixed(2)} MB`,
    );
  } else out.push(`Theoretical memory footprints: weight and optimizer=${wo.toFixed(2)} MB`);
  out.push("");
  return out;
}
