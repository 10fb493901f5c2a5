/**
 * docker_image_rm format tests: every image block has the CLI's shapes, the
 * digest reference drops the tag, digests are 64 hex digits and never repeat,
 * refused images are never deleted, and the errors come last.
 */

import assert from "node:assert/strict";
import { docker_image_rm, repoOf } from "../modules/docker_image_rm.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

Deno.test("docker_image_rm: the digest reference is the repository without its tag", () => {
  assert.equal(repoOf("nginx:latest"), "nginx");
  assert.equal(repoOf("ghcr.io/acme/api:1.4.2"), "ghcr.io/acme/api");
  assert.equal(repoOf("localhost:5000/app:dev"), "localhost:5000/app");
});

Deno.test("docker_image_rm: blocks, digests and errors are consistent over many seeds", async () => {
  let sawErrors = 0;
  let sawLayers = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(docker_image_rm, { seed, cols: 80 });
    const lines = run.output.trimEnd().split("\n");
    const firstError = lines.findIndex((l) => l.startsWith("Error response from daemon:"));
    const body = firstError === -1 ? lines : lines.slice(0, firstError);
    const errors = firstError === -1 ? [] : lines.slice(firstError);
    assert.ok(body.length > 0, `seed ${seed}: nothing removed`);
    const deleted = new Set<string>();
    let lastTag: string | undefined;
    let deletedInBlock = 0;
    for (const l of body) {
      let m = l.match(/^Untagged: (\S+)@sha256:([0-9a-f]{64})$/);
      if (m) {
        assert.ok(lastTag, `seed ${seed}: digest line without a tag line: ${l}`);
        assert.equal(m[1], repoOf(lastTag), `seed ${seed}: digest repo ${m[1]} vs ${lastTag}`);
        continue;
      }
      m = l.match(/^Untagged: (\S+:[\w.-]+)$/);
      if (m) {
        assert.ok(
          lastTag === undefined || deletedInBlock > 0,
          `seed ${seed}: ${lastTag} not deleted`,
        );
        lastTag = m[1]!;
        assert.ok(
          !m[1]!.startsWith("library/") && !m[1]!.startsWith("docker.io/"),
          `seed ${seed}: ${l}`,
        );
        deletedInBlock = 0;
        continue;
      }
      m = l.match(/^Deleted: sha256:([0-9a-f]{64})$/);
      assert.ok(m, `seed ${seed}: unexpected line ${l}`);
      assert.ok(!deleted.has(m[1]!), `seed ${seed}: ${m[1]} deleted twice`);
      deleted.add(m[1]!);
      deletedInBlock++;
      sawLayers = Math.max(sawLayers, deletedInBlock);
    }
    for (const e of errors) {
      const m = e.match(
        /^Error response from daemon: conflict: unable to delete ([0-9a-f]{12}) \((must|cannot) be forced\) - (image is referenced in multiple repositories|image is being used by (running|stopped) container [0-9a-f]{12})$/,
      );
      assert.ok(m, `seed ${seed}: bad error ${e}`);
      assert.equal(m[2] === "cannot", m[4] === "running", `seed ${seed}: forced-ness ${e}`);
      assert.ok(
        ![...deleted].some((d) => d.startsWith(m[1]!)),
        `seed ${seed}: ${m[1]} refused but deleted`,
      );
      sawErrors++;
    }
  }
  assert.ok(sawErrors > 0, "no refusal in 60 seeds");
  assert.ok(sawLayers > 3, `no image had layer lines: ${sawLayers}`);
});

Deno.test("docker_image_rm snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(docker_image_rm, { seed: 1, cols: 80 })).output);
});
