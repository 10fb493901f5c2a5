import assert from "node:assert/strict";
import fc from "fast-check";
import { Rng } from "../core/rng.ts";

Deno.test("Rng gives the same sequence for the same seed and another for another seed", () => {
  const a = new Rng(42n), b = new Rng(42n), c = new Rng(43n);
  const seqA = Array.from({ length: 100 }, () => a.u32());
  const seqB = Array.from({ length: 100 }, () => b.u32());
  const seqC = Array.from({ length: 100 }, () => c.u32());
  assert.deepEqual(seqA, seqB);
  assert.notDeepEqual(seqA, seqC);
});

Deno.test("Rng seeds that differ only in the high 32 bits give different sequences", () => {
  const a = new Rng(1n), b = new Rng((1n << 32n) | 1n);
  assert.notEqual(a.next(), b.next());
});

Deno.test("Rng.next stays in [0, 1) and is roughly uniform", () => {
  const rng = new Rng(7n);
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1);
    buckets[Math.floor(x * 10)]++;
  }
  for (const count of buckets) assert.ok(count > 9_500 && count < 10_500, `bucket ${count}`);
});

Deno.test("Rng.int returns integers within inclusive bounds, reaching both ends", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: 0, max: 20 }),
      (seed, min, span) => {
        const rng = new Rng(seed);
        for (let i = 0; i < 50; i++) {
          const v = rng.int(min, min + span);
          assert.ok(Number.isInteger(v) && v >= min && v <= min + span);
        }
      },
    ),
  );
  const rng = new Rng(3n);
  const seen = new Set(Array.from({ length: 500 }, () => rng.int(1, 6)));
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6]);
});

Deno.test("Rng.sample returns distinct elements and shuffle keeps every element", () => {
  const rng = new Rng(9n);
  const items = Array.from({ length: 30 }, (_, i) => i);
  const sample = rng.sample(items, 10);
  assert.equal(new Set(sample).size, 10);
  assert.deepEqual(rng.shuffle(items).sort((a, b) => a - b), items);
  assert.equal(rng.sample(items, 100).length, 30);
});

Deno.test("Rng.normal has the requested mean and spread", () => {
  const rng = new Rng(11n);
  const xs = Array.from({ length: 50_000 }, () => rng.normal(5, 2));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  assert.ok(Math.abs(mean - 5) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(sd - 2) < 0.05, `sd ${sd}`);
});

Deno.test("Rng.weighted follows the weights and never picks a zero weight", () => {
  const rng = new Rng(5n);
  const counts = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 30_000; i++) counts[rng.weighted(["a", "b", "c"] as const, [1, 2, 0])]++;
  assert.equal(counts.c, 0);
  assert.ok(Math.abs(counts.b / counts.a - 2) < 0.15, JSON.stringify(counts));
});

Deno.test("Rng.hex gives the requested number of hex digits", () => {
  const rng = new Rng(1n);
  for (const n of [1, 7, 8, 12, 64]) assert.match(rng.hex(n), new RegExp(`^[0-9a-f]{${n}}$`));
});

Deno.test("Rng.fork gives an independent but reproducible stream", () => {
  const a = new Rng(8n).fork(), b = new Rng(8n).fork();
  assert.equal(a.u32(), b.u32());
  const parent = new Rng(8n);
  const child = parent.fork();
  assert.notEqual(parent.u32(), child.u32());
});

Deno.test("Rng.pick refuses an empty array", () => {
  assert.throws(() => new Rng(1n).pick([]), RangeError);
});
