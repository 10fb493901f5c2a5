/**
 * A rehearsal of the release workflow without `deno compile` (our build
 * machines cannot download Deno's compile runtime): the tag check, release
 * notes, packaging of every target with a stand-in binary, SHA256SUMS verified
 * by `sha256sum -c`, and the smoke run against `deno run main.ts` with exactly
 * the permissions the binary bakes in. Prints one line per step and exits 1 if
 * any failed.
 *
 * ```sh
 * deno run -A scripts/release_check.ts
 * ```
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };
import {
  archiveName,
  archiveStem,
  binaryName,
  changelogSection,
  checkTag,
  compileArgs,
  compilePermissions,
  COMPLETION_FILES,
  hostTarget,
  packageTarget,
  TARGETS,
  writeChecksums,
} from "./release_lib.ts";
import { smoke } from "./smoke.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const decoder = new TextDecoder();

/** One step of the rehearsal. */
export interface Step {
  /** What was done. */
  readonly name: string;
  /** Why it failed; undefined when it passed. */
  readonly failure?: string;
}

async function output(command: string, args: string[], cwd?: string): Promise<string> {
  const r = await new Deno.Command(command, {
    args,
    ...(cwd ? { cwd } : {}),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!r.success) {
    throw new Error(`${command} ${args.join(" ")}: exit ${r.code}: ${decoder.decode(r.stderr)}`);
  }
  return decoder.decode(r.stdout);
}

/** Runs every step; returns them all (failed ones carry the reason). */
export async function releaseCheck(): Promise<Step[]> {
  const steps: Step[] = [];
  const step = async (name: string, body: () => Promise<void> | void) => {
    try {
      await body();
      steps.push({ name });
    } catch (error) {
      steps.push({ name, failure: error instanceof Error ? error.message : String(error) });
    }
  };
  const version = config.version;
  const tag = `v${version}`;
  const changelog = await Deno.readTextFile(`${ROOT}CHANGELOG.md`);

  await step(`tag ${tag} matches deno.json; v0.0.0-wrong and ${version} (no v) are refused`, () => {
    checkTag(tag, version);
    checkTag(`refs/tags/${tag}`, version);
    for (const wrong of ["v0.0.0-wrong", version, `${tag}.1`]) {
      let refused = false;
      try {
        checkTag(wrong, version);
      } catch {
        refused = true;
      }
      if (!refused) throw new Error(`tag ${wrong} was accepted`);
    }
  });

  await step("CHANGELOG.md has notes for this version or an Unreleased section", () => {
    if (!changelogSection(changelog, version) && !changelogSection(changelog, "Unreleased")) {
      throw new Error(`no "## [${version}]" or "## [Unreleased]" section with text`);
    }
  });

  const dist = await Deno.makeTempDir({ prefix: "denact_release_" });
  try {
    const docs = {
      readme: await Deno.readTextFile(`${ROOT}README.md`),
      license: await Deno.readTextFile(`${ROOT}LICENSE`),
      changelog,
    };
    for (const target of TARGETS) {
      await step(`package ${archiveName(version, target)}`, async () => {
        const binary = `${dist}/stand-in-${binaryName(target)}`;
        await Deno.writeTextFile(binary, `stand-in binary for ${target}\n`);
        const archive = await packageTarget({ version, target, binary, outDir: dist, docs });
        const listing = archive.endsWith(".zip")
          ? await output("unzip", ["-Z1", archive])
          : await output("tar", ["-tzf", archive]);
        const stem = archiveStem(version, target);
        const expected = [binaryName(target), "README.md", "LICENSE", "CHANGELOG.md", "denact.1"]
          .concat(Object.values(COMPLETION_FILES))
          .map((file) => `${stem}/${file}`);
        const missing = expected.filter((file) => !listing.split(/\r?\n/).includes(file));
        if (missing.length > 0) throw new Error(`missing from the archive: ${missing.join(", ")}`);
      });
    }
    await step("SHA256SUMS lists every archive and sha256sum -c accepts it", async () => {
      const sums = await writeChecksums(dist);
      const names = sums.trimEnd().split("\n").map((line) => line.split("  ")[1]);
      const expected = TARGETS.map((t) => archiveName(version, t)).sort();
      if (JSON.stringify(names) !== JSON.stringify(expected)) {
        throw new Error(`SHA256SUMS lists ${names.join(", ")}`);
      }
      const verified = await output("sha256sum", ["-c", "SHA256SUMS"], dist);
      if (verified.trimEnd().split("\n").some((line) => !line.endsWith(": OK"))) {
        throw new Error(verified);
      }
    });
  } finally {
    await Deno.remove(dist, { recursive: true });
  }

  for (const target of TARGETS) {
    await step(
      `compile command for ${target}: deno ${
        compileArgs(target, `dist/${target}/${binaryName(target)}`).join(" ")
      }`,
      () => {},
    );
  }

  const host = hostTarget();
  const command = [Deno.execPath(), "run", ...compilePermissions(host), `${ROOT}main.ts`];
  const tempDir = await Deno.makeTempDir({ prefix: "denact_smoke_" });
  try {
    for (const result of await smoke(command, { version, tempDir, expectInhibit: true })) {
      steps.push({
        name: `smoke (deno run with ${host}'s baked permissions): ${result.name}`,
        ...(result.failure ? { failure: result.failure } : {}),
      });
    }
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
  return steps;
}

if (import.meta.main) {
  const steps = await releaseCheck();
  for (const s of steps) {
    console.log(
      `${s.failure ? "FAIL" : "ok  "} ${s.name}${s.failure ? `\n     ${s.failure}` : ""}`,
    );
  }
  const failed = steps.filter((s) => s.failure).length;
  console.log(`release check: ${steps.length - failed} of ${steps.length} steps passed`);
  Deno.exit(failed > 0 ? 1 : 0);
}
