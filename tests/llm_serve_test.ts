/**
 * llm_serve format tests: the start-up figures follow from the model and the
 * GPU (weights per rank, KV bytes per token, blocks of 16, maximum
 * concurrency, checkpoint shards), and the stats lines agree with the requests
 * shown: ten seconds apart, prompt throughput whenever requests arrived,
 * generation whenever requests ran, never more requests in the engine than
 * arrived, and a queue only when the KV cache or the batch is full.
 */

import assert from "node:assert/strict";
import data from "../data/llm_serve.json" with { type: "json" };
import models from "../data/llm_models.json" with { type: "json" };
import { llm_serve, statsLine } from "../modules/llm_serve.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);
const STATS =
  /^\(APIServer pid=\d+\) INFO \d\d-\d\d (\d\d):(\d\d):(\d\d) \[loggers\.py:\d+\] Engine 000: Avg prompt throughput: ([\d.]+) tokens\/s, Avg generation throughput: ([\d.]+) tokens\/s, Running: (\d+) reqs, Waiting: (\d+) reqs, GPU KV cache usage: ([\d.]+)%, Prefix cache hit rate: ([\d.]+)%$/;

Deno.test("llm_serve: the stats line in vLLM's words", () => {
  assert.equal(
    statsLine({
      promptTps: 3539.06,
      genTps: 3562.1,
      running: 126,
      waiting: 0,
      kvUsage: 36.44,
      prefixHit: 0,
    }),
    "Engine 000: Avg prompt throughput: 3539.1 tokens/s, Avg generation throughput: 3562.1 tokens/s, Running: 126 reqs, Waiting: 0 reqs, GPU KV cache usage: 36.4%, Prefix cache hit rate: 0.0%",
  );
});

Deno.test("llm_serve: start-up figures follow from the model and the GPU", async () => {
  for (const seed of SEEDS) {
    const text = (await captureModule(llm_serve, { seed, cols: 200 })).output;
    const cmd = text.match(
      /^\$ vllm serve (\S+) --max-model-len (\d+)(?: --tensor-parallel-size (\d+))?$/m,
    );
    assert.ok(cmd, `seed ${seed}: no command`);
    const served = data.models.find((m) => m.serve === cmd[1])!;
    const arch = models.find((m) => m.name === served.base)!;
    const tp = Number(cmd[3] ?? 1);
    assert.equal(Number(cmd[2]), served.maxModelLen);
    assert.ok(text.includes(`Resolved architecture: ${arch.arch}`), `seed ${seed}: architecture`);
    const loaded = Number(text.match(/Model loading took ([\d.]+) GiB/)![1]);
    assert.ok(Math.abs(loaded - (arch.params * 2) / tp / 2 ** 30) < 0.001, `seed ${seed}: weights`);
    assert.match(
      text,
      new RegExp(
        `Loading safetensors checkpoint shards: 100% Completed \\| ${served.shards}/${served.shards} `,
      ),
    );
    const kvGiB = Number(text.match(/Available KV cache memory: ([\d.]+) GiB/)![1]);
    const tokens = Number(
      text.match(/GPU KV cache size: ([\d,]+) tokens/)![1]!.replaceAll(",", ""),
    );
    const blocks = Number(text.match(/num_gpu_blocks is: (\d+)/)![1]);
    assert.equal(tokens, blocks * 16, `seed ${seed}: blocks of 16`);
    const perToken = 2 * arch.layers * (arch.kvHeads / Math.min(tp, arch.kvHeads)) * arch.headDim *
      2;
    const expected = (kvGiB * 2 ** 30) / perToken;
    assert.ok(
      Math.abs(tokens - expected) / expected < 0.003,
      `seed ${seed}: ${tokens} vs ${expected}`,
    );
    const conc = text.match(/Maximum concurrency for ([\d,]+) tokens per request: ([\d.]+)x/)!;
    assert.equal(Number(conc[1]!.replaceAll(",", "")), served.maxModelLen);
    assert.equal(conc[2], (tokens / served.maxModelLen).toFixed(2), `seed ${seed}: concurrency`);
    assert.ok(
      text.indexOf("Application startup complete.") < text.indexOf('"POST /v1/chat/completions'),
    );
  }
});

Deno.test("llm_serve: stats lines agree with the requests shown", async () => {
  let refused = 0;
  for (const seed of SEEDS) {
    const lines = (await captureModule(llm_serve, { seed, cols: 200 })).output.split("\n");
    let arrived = 0;
    let inInterval = 0;
    let last: number | undefined;
    let lastRunning = 0;
    let stats = 0;
    for (const l of lines) {
      if (l.endsWith('"POST /v1/chat/completions HTTP/1.1" 200 OK')) {
        arrived++;
        inInterval++;
      }
      if (l.endsWith('" 400 Bad Request')) refused++;
      const m = l.match(STATS);
      if (!m) continue;
      stats++;
      const t = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
      if (last !== undefined) {
        const gap = (t - last + 86_400) % 86_400;
        assert.ok(gap >= 10 && gap <= 11, `seed ${seed}: stats ${gap}s apart`);
      }
      const [prompt, gen, running, waiting, kv] = [m[4], m[5], m[6], m[7], m[8]].map(
        Number,
      ) as number[];
      if (inInterval > 0) {
        assert.ok(prompt! > 0, `seed ${seed}: requests arrived, no prompt throughput`);
      }
      if (running! > 0 && lastRunning > 0) {
        assert.ok(gen! > 0, `seed ${seed}: running but nothing generated`);
      }
      assert.ok(running! + waiting! <= arrived, `seed ${seed}: more in the engine than arrived`);
      assert.ok(running! <= 256 && kv! <= 100, `seed ${seed}: ${l}`);
      if (waiting! > 0) {
        assert.ok(kv! > 50 || running === 256, `seed ${seed}: a queue with room to spare`);
      }
      last = t;
      lastRunning = running!;
      inInterval = 0;
    }
    assert.ok(stats >= 4, `seed ${seed}: only ${stats} stats lines`);
    assert.ok(arrived > 0, `seed ${seed}: no request`);
  }
  assert.ok(refused > 0, "no request was ever refused");
});

Deno.test("llm_serve snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(llm_serve, { seed: 1, cols: 80 })).output);
});
