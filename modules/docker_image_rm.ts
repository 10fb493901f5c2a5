/**
 * docker_image_rm: `docker image rm $(docker image ls -q)` as the Docker 28/29
 * CLI prints it. One image at a time: `Untagged: nginx:latest`, the digest
 * reference without the tag (`Untagged: nginx@sha256:…`, only for pulled or
 * pushed images), then `Deleted: sha256:…` for the image and each of its
 * layers (the classic overlay2 store) or a single `Deleted:` line (the
 * containerd image store). Images the daemon refuses to remove (tagged in
 * several repositories, used by a container, or, in an old classic-builder
 * store, the parent of an image that is still there) are reported together at
 * the end, as the CLI collects the errors and prints them last. The images are
 * one developer machine's: one team's apps, pushed to one or two registries.
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
  /** The image it was built `FROM` by the classic builder (its parent in the classic store). */
  parent?: string;
}

/** The machine the images are on: one team's apps and the one or two registries it pushes to. */
export interface Machine {
  /** The organisation in registry paths. */
  org: string;
  /** The team's own apps. */
  apps: string[];
  /** Registry repositories with `{app}` left to fill, e.g. `ghcr.io/acme/{app}`. */
  registries: string[];
}

/** Draws one developer machine: one account (one or two regions) per cloud, one or two registries. */
export function drawMachine(rng: Rng): Machine {
  const org = rng.pick(data.orgs);
  const account = String(rng.int(100_000_000_000, 999_999_999_999));
  const env = rng.pick(data.environments);
  const registries: string[] = [];
  for (const kind of rng.sample(data.registries, rng.chance(0.3) ? 2 : 1)) {
    const regions = kind.regions.length === 0
      ? [""]
      : rng.sample(kind.regions, kind.template.includes("ecr") && rng.chance(0.25) ? 2 : 1);
    for (const region of regions) {
      registries.push(
        kind.template.replace("{account}", account).replace("{region}", region)
          .replace("{org}", org).replace("{env}", env)
          // Docker Hub namespaces are lower-case letters and digits only.
          .replace("{hubOrg}", org.replaceAll("-", "")),
      );
    }
  }
  return { org, apps: rng.sample(data.apps, rng.int(3, 6)), registries };
}

/** Makes a `repo` name of the kinds this machine has locally. */
function repository(rng: Rng, machine: Machine): { repo: string; tag: string; pulled: boolean } {
  if (rng.chance(0.55)) {
    const image = rng.pick(data.official);
    return { repo: image.repo, tag: rng.pick(image.tags), pulled: true };
  }
  const app = rng.pick(machine.apps);
  // Built here and never pushed: just the app's name.
  if (rng.chance(0.3)) return { repo: app, tag: rng.pick(data.appTags), pulled: false };
  return {
    repo: rng.pick(machine.registries).replace("{app}", app),
    tag: rng.pick(data.appTags),
    pulled: true,
  };
}

const refusal = (rng: Rng, running: number, stopped: number): LocalImage["usedBy"] => {
  const roll = rng.next();
  if (roll < running) return { state: "running", id: rng.hex(12) };
  if (roll < running + stopped) return { state: "stopped", id: rng.hex(12) };
  return undefined;
};

/**
 * A classic-builder family: a base image built or pulled here and one to three of
 * the team's images built `FROM` it, newer, so listed before it. One of them is
 * often still used by a (dev) container.
 */
function family(rng: Rng, machine: Machine, seen: Set<string>): LocalImage[] {
  const name = rng.pick(data.baseImages);
  const pushed = rng.chance(0.5);
  const repo = pushed ? rng.pick(machine.registries).replace("{app}", name) : name;
  const tag = `${repo}:${rng.pick(["latest", "dev", "main", rng.pick(data.appTags)])}`;
  if (seen.has(tag)) return [];
  seen.add(tag);
  const parent: LocalImage = {
    id: rng.hex(64),
    tags: [tag],
    digest: pushed ? rng.hex(64) : undefined,
    layers: Array.from({ length: rng.int(3, 12) }, () => rng.hex(64)),
    usedBy: undefined,
  };
  const children: LocalImage[] = [];
  const used = rng.chance(0.7) ? 0 : -1;
  for (const [i, app] of rng.sample(machine.apps, rng.int(1, 3)).entries()) {
    const dangling = rng.chance(0.25);
    const local = rng.chance(0.5);
    const childRepo = local ? app : rng.pick(machine.registries).replace("{app}", app);
    const childTag = `${childRepo}:${rng.pick(data.appTags)}`;
    if (!dangling && seen.has(childTag)) continue;
    if (!dangling) seen.add(childTag);
    children.push({
      id: rng.hex(64),
      tags: dangling ? [] : [childTag],
      digest: !dangling && !local && rng.chance(0.5) ? rng.hex(64) : undefined,
      layers: Array.from({ length: rng.int(2, 9) }, () => rng.hex(64)),
      usedBy: i === used ? refusal(rng, 0.4, 0.6) : undefined,
      parent: parent.id,
    });
  }
  return [...children, parent];
}

/** Draws the local image store, in `docker image ls -q` order (newest first). */
export function makeImages(
  rng: Rng,
  count: number,
  machine: Machine,
  classic = false,
): LocalImage[] {
  const images: LocalImage[] = [];
  const seen = new Set<string>();
  while (images.length < count) {
    const dangling = rng.chance(0.15);
    const { repo, tag, pulled } = repository(rng, machine);
    const tags = dangling ? [] : [`${repo}:${tag}`];
    if (!dangling && rng.chance(0.12)) {
      const other = rng.pick(["latest", "stable", "prod", rng.pick(data.appTags)]);
      if (other !== tag) tags.push(`${repo}:${other}`);
    }
    if (tags.some((t) => seen.has(t))) continue;
    for (const t of tags) seen.add(t);
    images.push({
      id: rng.hex(64),
      tags,
      digest: !dangling && pulled ? rng.hex(64) : undefined,
      layers: Array.from({ length: dangling ? rng.int(0, 6) : rng.int(2, 13) }, () => rng.hex(64)),
      usedBy: refusal(rng, 0.06, 0.05),
    });
  }
  // Old classic-builder caches keep parent links; the containerd store has none.
  if (classic && rng.chance(0.45)) {
    const [parent, ...children] = family(rng, machine, seen).reverse();
    if (parent) {
      const at = rng.int(children.length, images.length);
      const head = images.slice(0, at);
      // Children are newer than their parent, so they come first, anywhere above it.
      for (const child of children.reverse()) head.splice(rng.int(0, head.length), 0, child);
      return [...head, parent, ...images.slice(at)];
    }
  }
  return images;
}

/** The repository part of `repo:tag` (the tag follows the last colon after the last slash). */
export function repoOf(ref: string): string {
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash ? ref.slice(0, colon) : ref;
}

/**
 * What removing `image` by id prints: its lines, or the daemon's refusal. The
 * conflicts are checked in the daemon's order: child images, a running
 * container, several references, a stopped container.
 */
export function removal(
  image: LocalImage,
  containerd: boolean,
  hasChildren = false,
): { lines: string[]; error?: string } {
  const short = image.id.slice(0, 12);
  const refuse = (why: string) => ({
    lines: [],
    error: `Error response from daemon: conflict: unable to delete ${short} ${why}`,
  });
  if (hasChildren) return refuse("(cannot be forced) - image has dependent child images");
  if (image.usedBy?.state === "running") {
    return refuse(
      `(cannot be forced) - image is being used by running container ${image.usedBy.id}`,
    );
  }
  if (image.tags.length > 1) {
    return refuse("(must be forced) - image is referenced in multiple repositories");
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

/**
 * Removes `ids` one after another as the CLI does (`docker image ls -q` lists a
 * multi-tag image once per tag): an image whose child is still there (refused
 * earlier) cannot go.
 */
export function removeAll(
  ids: readonly LocalImage[],
  containerd: boolean,
): { lines: string[]; error?: string }[] {
  const present = new Set(ids.map((image) => image.id));
  return ids.map((image) => {
    const hasChildren = ids.some((c) => c.parent === image.id && present.has(c.id));
    const result = removal(image, containerd, hasChildren);
    if (!result.error) present.delete(image.id);
    return result;
  });
}

async function run(ctx: Context): Promise<void> {
  const { out, rng } = ctx;
  const containerd = rng.chance(0.35);
  const images = makeImages(rng, rng.int(8, 40), drawMachine(rng), !containerd);
  // `docker image ls -q` lists an image once per tag, newest first.
  const ids = images.flatMap((img) => (img.tags.length > 1 ? img.tags.map(() => img) : [img]));
  const results = removeAll(ids, containerd);
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
