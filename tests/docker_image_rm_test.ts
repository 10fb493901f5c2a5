/**
 * docker_image_rm format tests: every image block has the CLI's shapes, the
 * digest reference drops the tag, digests are 64 hex digits and never repeat,
 * refused images are never deleted, and the errors come last.
 */

import assert from "node:assert/strict";
import data from "../data/docker_images.json" with { type: "json" };
import { docker_image_rm, type LocalImage, removeAll, repoOf } from "../modules/docker_image_rm.ts";
import { captureModule } from "./harness.ts";

const OFFICIAL = new Set(data.official.map((o) => o.repo));

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

Deno.test("docker_image_rm: the digest reference is the repository without its tag", () => {
  assert.equal(repoOf("nginx:latest"), "nginx");
  assert.equal(repoOf("ghcr.io/acme/api:1.4.2"), "ghcr.io/acme/api");
  assert.equal(repoOf("localhost:5000/app:dev"), "localhost:5000/app");
});

Deno.test("docker_image_rm: blocks, digests and errors are consistent over many seeds", async () => {
  let sawErrors = 0;
  let sawLayers = 0;
  let sawChildConflicts = 0;
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
        /^Error response from daemon: conflict: unable to delete ([0-9a-f]{12}) \((must|cannot) be forced\) - (image is referenced in multiple repositories|image is being used by (running|stopped) container [0-9a-f]{12}|image has (dependent) child images)$/,
      );
      assert.ok(m, `seed ${seed}: bad error ${e}`);
      const hard = m[4] === "running" || m[5] === "dependent";
      assert.equal(m[2] === "cannot", hard, `seed ${seed}: forced-ness ${e}`);
      if (m[5]) {
        // The child that keeps it was refused before it: an earlier error names another image.
        const before = errors.slice(0, errors.indexOf(e));
        assert.ok(before.some((b) => !b.includes(m[1]!)), `seed ${seed}: no child kept ${m[1]}`);
        // Parent links exist only in the classic store, which deletes layers with the image.
        assert.ok(
          body.some((l, i) => l.startsWith("Deleted:") && body[i - 1]?.startsWith("Deleted:")),
        );
        sawChildConflicts++;
      }
      assert.ok(
        ![...deleted].some((d) => d.startsWith(m[1]!)),
        `seed ${seed}: ${m[1]} refused but deleted`,
      );
      sawErrors++;
    }
  }
  assert.ok(sawErrors > 0, "no refusal in 60 seeds");
  assert.ok(
    sawChildConflicts >= 3,
    `only ${sawChildConflicts} dependent-child conflicts in 60 seeds`,
  );
  assert.ok(sawLayers > 3, `no image had layer lines: ${sawLayers}`);
});

/** A stand-in image: the id is 64 copies of `c`. */
const image = (c: string, extra: Partial<LocalImage> = {}): LocalImage => ({
  id: c.repeat(64),
  tags: [`app-${c}:dev`],
  digest: undefined,
  layers: [],
  usedBy: undefined,
  ...extra,
});

Deno.test("docker_image_rm: a parent goes only when its children went first", () => {
  const parent = image("a");
  const child = image("b", { parent: parent.id });
  const kept = { ...child, usedBy: { state: "stopped" as const, id: "c".repeat(12) } };
  const freed = removeAll([child, parent], false);
  assert.ok(freed.every((r) => r.error === undefined), JSON.stringify(freed));
  const [refusedChild, refusedParent] = removeAll([kept, parent], false);
  assert.match(refusedChild!.error!, /stopped container/);
  assert.match(
    refusedParent!.error!,
    /^.*aaaaaaaaaaaa \(cannot be forced\) - image has dependent child images$/,
  );
  // A running container wins over several tags, as the daemon checks hard conflicts first.
  const both = image("d", {
    tags: ["x:1", "y:1"],
    usedBy: { state: "running", id: "e".repeat(12) },
  });
  assert.match(removeAll([both], false)[0]!.error!, /running container/);
});

/** The registry a reference lives in, with the region taken out: `ecr`, `gar`, a host, or `hub`. */
function registryKind(
  ref: string,
): { kind: string; region?: string; account?: string } | undefined {
  const repo = repoOf(ref);
  if (OFFICIAL.has(repo) || !repo.includes("/")) return undefined;
  const ecr = repo.match(/^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\//);
  if (ecr) return { kind: "ecr", account: ecr[1]!, region: ecr[2]! };
  const gar = repo.match(/^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\//);
  if (gar) return { kind: "gar", region: gar[1]!, account: gar[2]! };
  const first = repo.split("/")[0]!;
  if (!first.includes(".")) {
    assert.match(first, /^[a-z0-9]{4,30}$/, `${ref}: not a Docker Hub namespace`);
    return { kind: "hub" };
  }
  return { kind: first };
}

Deno.test("docker_image_rm: one machine pushes to one or two registries, one cloud account", async () => {
  let twoRegistries = 0;
  for (const seed of SEEDS) {
    const { output } = await captureModule(docker_image_rm, { seed, cols: 80 });
    const refs = [...output.matchAll(/^Untagged: ([^@\s]+)$/gm)].map((m) => m[1]!);
    const found = refs.map(registryKind).filter((k) => k !== undefined);
    const kinds = new Set(found.map((k) => k.kind));
    assert.ok(kinds.size <= 2, `seed ${seed}: ${[...kinds]}`);
    if (kinds.size === 2) twoRegistries++;
    for (const kind of ["ecr", "gar"]) {
      const mine = found.filter((k) => k.kind === kind);
      assert.ok(new Set(mine.map((k) => k.account)).size <= 1, `seed ${seed}: ${kind} accounts`);
      assert.ok(
        new Set(mine.map((k) => k.region)).size <= (kind === "ecr" ? 2 : 1),
        `seed ${seed}`,
      );
    }
  }
  assert.ok(twoRegistries > 0, "no machine ever had a second registry");
});

Deno.test("docker_image_rm snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(docker_image_rm, { seed: 1, cols: 80 })).output);
});
