/**
 * Export with llama.cpp's `convert_hf_to_gguf.py`: one line per tensor with its
 * GGUF name, dtype conversion and reversed shape, the model parameters, the
 * writer summary (`n_tensors`, `total_size`) and the `Writing` byte bar.
 *
 * @module
 */

import { ggufName, ggufSize, hfTensors, numel, shardSizes } from "./export.ts";
import { specialIds } from "./hf_common.ts";
import { pyRepr } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";
import type { JobStats } from "./shell.ts";
import { Tqdm } from "./tqdm.ts";

/** Bytes of the GGUF file for an output type. */
export function ggufBytes(run: Run, outtype: "bf16" | "q8_0"): { bytes: number; tensors: number } {
  let bytes = 0;
  const ts = hfTensors(run.sc.model);
  for (const t of ts) {
    const n = numel(t);
    bytes += t.shape.length === 1 ? 4 * n : outtype === "bf16" ? 2 * n : (n * 34) / 32;
  }
  return { bytes: Math.round(bytes), tensors: ts.length };
}

/** Converts the trained model in `dir` to GGUF. */
export async function ggufExport(run: Run, dir: string, stats: JobStats): Promise<void> {
  const sc = run.sc;
  const m = sc.model;
  const outtype = run.rng.chance(0.7) ? "bf16" : "q8_0";
  const base = dir.split("/").pop()!;
  const file = `${dir}/${base}-${outtype === "bf16" ? "BF16" : "Q8_0"}.gguf`;
  await run.command(
    `python ~/llama.cpp/convert_hf_to_gguf.py ${dir} --outtype ${outtype} --outfile ${file}`,
  );
  run.phase("idle");
  const I = (who: string, msg: string) => run.line(`INFO:${who}:${msg}`);
  I("hf-to-gguf", `Loading model: ${base}`);
  I("hf-to-gguf", `Model architecture: ${m.arch}`);
  I("gguf.gguf_writer", "gguf: This GGUF file is for Little Endian only");
  I("hf-to-gguf", "Exporting model...");
  const shards = shardSizes(m, 2);
  if (shards.length > 1) {
    I("hf-to-gguf", "gguf: loading model weight map from 'model.safetensors.index.json'");
  }
  const tensors = hfTensors(m);
  const { bytes, tensors: count } = ggufBytes(run, outtype);
  const readMs = sc.plan.exportSec * 1000 * 0.3;
  let shard = 0;
  let inShard = 0;
  const perTensor = readMs / tensors.length;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!;
    if (i === 0 || inShard >= (shards[shard] ?? Infinity)) {
      if (i > 0) {
        shard++;
        inShard = 0;
      }
      const part = shards.length > 1
        ? `model-${String(shard + 1).padStart(5, "0")}-of-${
          String(shards.length).padStart(5, "0")
        }.safetensors`
        : "model.safetensors";
      I("hf-to-gguf", `gguf: loading model part '${part}'`);
    }
    inShard += numel(t) * 2;
    const q = t.shape.length === 1 ? "F32" : outtype === "bf16" ? "BF16" : "Q8_0";
    const shape = `{${[...t.shape].reverse().join(", ")}}`;
    I(
      "hf-to-gguf",
      `${`${ggufName(m, t.name)},`.padEnd(30)} torch.bfloat16 --> ${q}, shape = ${shape}`,
    );
    if (i % 8 === 7) await run.pause(perTensor * 8);
  }
  I("hf-to-gguf", "Set meta model");
  I("hf-to-gguf", "Set model parameters");
  I("hf-to-gguf", `gguf: context length = ${m.context}`);
  I("hf-to-gguf", `gguf: embedding length = ${m.hidden}`);
  I("hf-to-gguf", `gguf: feed forward length = ${m.ffn}`);
  I("hf-to-gguf", `gguf: head count = ${m.heads}`);
  if (m.kvHeads !== m.heads) I("hf-to-gguf", `gguf: key-value head count = ${m.kvHeads}`);
  if (!m.learnedPos) I("hf-to-gguf", `gguf: rope theta = ${pyRepr(m.ropeTheta ?? 10000)}`);
  I(
    "hf-to-gguf",
    `gguf: ${m.norm === "rmsnorm" ? "rms norm" : "layer norm"} epsilon = ${pyRepr(m.normEps)}`,
  );
  I("hf-to-gguf", `gguf: file type = ${outtype === "bf16" ? 32 : 7}`);
  I("hf-to-gguf", "Set model tokenizer");
  const [bos, eos] = specialIds(m);
  if (m.tokenizer === "LlamaTokenizerFast" || m.tokenizer === "GemmaTokenizerFast") {
    I("gguf.vocab", "Setting special token type unk to 0");
  } else I("gguf.vocab", `Adding ${m.vocab - 256 - run.rng.int(100, 400)} merge(s).`);
  I("gguf.vocab", `Setting special token type bos to ${bos}`);
  I("gguf.vocab", `Setting special token type eos to ${eos}`);
  I("hf-to-gguf", "Set model quantization version");
  I("gguf.gguf_writer", "Writing the following files:");
  I("gguf.gguf_writer", `${file}: n_tensors = ${count}, total_size = ${ggufSize(bytes)}`);
  const bar = new Tqdm(bytes, run.nowSec());
  const ncols = run.ctx.term.isTTY ? run.cols : undefined;
  const writeMs = sc.plan.exportSec * 1000 * 0.7;
  const steps = 20;
  for (let i = 0; i < steps; i++) {
    run.bar = [bar.render(run.nowSec(), { desc: "Writing", ncols, unit: "byte", unitScale: true })];
    await run.pause(writeMs / steps);
    bar.update(bytes / steps, run.nowSec());
  }
  bar.n = bytes;
  const final = bar.render(run.nowSec(), { desc: "Writing", ncols, unit: "byte", unitScale: true });
  run.clearLive();
  run.line(final);
  I("hf-to-gguf", `Model successfully exported to ${file}`);
  stats.exportDir = file;
  stats.exportBytes = bytes;
  stats.exportFiles = 1;
  stats.exportFormat = `GGUF ${outtype.toUpperCase()}`;
}
