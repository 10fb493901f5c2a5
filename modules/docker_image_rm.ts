/**
 * docker_image_rm: `docker image rm $(docker image ls -q)` as the Docker 28/29
 * CLI prints it. One image at a time: `Untagged: nginx:latest`, the digest
 * reference without the tag (`Untagged: nginx@sha256:…`, only for pulled or
 * pushed images), then `Deleted: sha256:…` for the image and each of its
 * layers (the classic overlay2 store) or a single `Deleted:` line (the
 * containerd image store). Images the daemon refuses to remove (tagged in
 * several repositories, or used by a container) are reported together at the
 * end, as the CLI collects the errors and prints them last.
 *
 * @module
 */

import data from "../data/docker_images.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

/** One local image. */
export interface LocalImage {
  /** Full image id (64 hex digits). */
  id: string;
  /** `repo:tag` references; empty for a dangling image. */
  tags: string[];
  /** Whether it was pulled or pushed (so it has a repo digest). */
  digest: string | undefined;
  /** Layer digests removed with it in the classic store. */
  layers: string[];
  /** A container that keeps it: running or stopped. */
  usedBy: { state: "running" | "stopped"; id: string } | undefined;
}

/** Makes a `repo` name of the kinds people have locally. */
function repository(rng: Rng): { repo: string; tag: string; pulled: boolean } {
  const roll = rng.next();
  if (roll < 0.55) {
    const image = rng.pick(data.official);
    return { repo: image.repo, tag: rng.pick(image.tags), pulled: true };
  }
  const template = rng.pick(data.registries);
  const repo = template
    .replace("{org}", rng.pick(data.orgs))
    .replace("{app}", rng.pick(data.apps))
    .replace("{account}", String(rng.int(100_000_000_000, 999_999_999_999)))
    .replace("{region}", rng.pick(data.regions));
  return { repo, tag: rng.pick(data.appTags), pulled: template !== "{app}" };
}

/** Draws the local image store. */
export function makeImages(rng: Rng, count: number): LocalImage[] {
  const images: LocalImage[] = [];
  const seen = new Set<string>();
  while (images.length < count) {
    const dangling = rng.chance(0.15);
    const { repo, tag, pulled } = repository(rng);
    const tags = dangling ? [] : [`${repo}:${tag}`];
    if (!dangling && rng.chance(0.12)) {
      const other = rng.pick(["latest", "stable", "prod", rng.pick(data.appTags)]);
      if (other !== tag) tags.push(`${repo}:${other}`);
    }
    if (tags.some((t) => seen.has(t))) continue;
    for (const t of tags) seen.add(t);
    const roll = rng.next();
    images.push({
      id: rng.hex(64),
      tags,
      digest: !dangling && pulled ? rng.hex(64) : undefined,
      layers: Array.from({ length: dangling ? rng.int(0, 6) : rng.int(2, 13) }, () => rng.hex(64)),
      usedBy: roll < 0.06
        ? { state: "running", id: rng.hex(12) }
        : roll < 0.11
        ? { state: "stopped", id: rng.hex(12) }
        : undefined,
    });
  }
  return images;
}

/** The repository part of `repo:tag` (the tag follows the last colon after the last slash). */
export function repoOf(ref: string): string {
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash ? ref.slice(0, colon) : ref;
}

/** What removing `image` by id prints: its lines, or the daemon's refusal. */
export function removal(
  image: LocalImage,
  containerd: boolean,
): { lines: string[]; error?: string } {
  const short = image.id.slice(0, 12);
  const refuse = (why: string) => ({
    lines: [],
    error: `Error response from daemon: conflict: unable to delete ${short} ${why}`,
  });
  if (image.tags.length > 1) {
    return refuse("(must be forced) - image is referenced in multiple repositories");
  }
  if (image.usedBy?.state === "running") {
    return refuse(
      `(cannot be forced) - image is being used by running container ${image.usedBy.id}`,
    );
  }
  if (image.usedBy) {
    return refuse(`(must be forced) - image is being used by stopped container ${image.usedBy.id}`);
  }
  const lines = image.tags.map((t) => `Untagged: ${t}`);
  if (image.digest && image.tags.length > 0 && !containerd) {
    lines.push(`Untagged: ${repoOf(image.tags[0]!)}@sha256:${image.digest}`);
  }
  lines.push(`Deleted: sha256:${image.id}`);
  if (!containerd) { for (const layer of image.layers) lines.push(`Deleted: sha256:${layer}`); }
  return { lines };
}

async function run(ctx: Context): Promise<void> {
  const { out, rng } = ctx;
  const containerd = rng.chance(0.35);
  const images = makeImages(rng, rng.int(8, 40));
  // `docker image ls -q` lists an image once per tag, newest first.
  const ids = images.flatMap((img) => (img.tags.length > 1 ? img.tags.map(() => img) : [img]));
  const results = ids.map((image) => removal(image, containerd));
  // How long the daemon takes per image: more layers, more work, now and then a slow disk.
  const work = results.map(({ lines, error }) => {
    if (error) return rng.int(5, 40);
    const ms = containerd ? rng.int(120, 1800) : 90 + lines.length * rng.int(40, 260);
    return rng.chance(0.08) ? ms + rng.int(1500, 6000) : ms;
  });
  const total = work.reduce((a, b) => a + b, 0);
  const scale = Math.min(1, 150_000 / total);
  await ctx.sleep(rng.int(150, 600));
  const errors: string[] = [];
  for (const [i, { lines, error }] of results.entries()) {
    await ctx.sleep(work[i]! * scale);
    if (error) errors.push(error);
    for (const line of lines) out.line(line);
  }
  await ctx.sleep(rng.int(20, 120));
  for (const e of errors) out.line(e);
}

/** `docker image rm $(docker image ls -q)`: untag and delete every local image. */
export const docker_image_rm: Module = {
  name: "docker_image_rm",
  signature: "docker image rm $(docker image ls -q)",
  about: "Remove every local Docker image, layer by layer",
  maxDurationMs: 160_000,
  run,
};
