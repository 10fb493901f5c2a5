/**
 * The release steps as commands, for the release workflow and `deno task
 * compile`:
 *
 * ```sh
 * deno run -A scripts/release.ts check-tag v0.1.0     # tag == deno.json version, notes exist
 * deno task build                                     # bundle/, what is compiled
 * deno run -A scripts/release.ts compile [--target T] # dist/<target>/denact[.exe]
 * deno run -A scripts/release.ts package --target T --binary PATH
 * deno run -A scripts/release.ts checksums            # dist/SHA256SUMS
 * deno run -A scripts/release.ts notes                # this version's CHANGELOG section
 * deno run -A scripts/release.ts smoke -- ./denact    # the smoke run
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import config from "../deno.json" with { type: "json" };
import {
  binaryName,
  changelogSection,
  checkTag,
  compileArgs,
  hostTarget,
  packageTarget,
  type Target,
  TARGETS,
  writeChecksums,
} from "./release_lib.ts";
import { BUNDLE_ENTRY } from "./build.ts";
import { smoke } from "./smoke.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/^\/([A-Za-z]:)/, "$1");

function target(raw: string | undefined): Target {
  if (raw === undefined) return hostTarget();
  if ((TARGETS as readonly string[]).includes(raw)) return raw as Target;
  throw new Error(`Cannot build for "${raw}": targets are ${TARGETS.join(", ")}`);
}

async function readDocs() {
  return {
    readme: await Deno.readTextFile(`${ROOT}README.md`),
    license: await Deno.readTextFile(`${ROOT}LICENSE`),
    changelog: await Deno.readTextFile(`${ROOT}CHANGELOG.md`),
  };
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      target: { type: "string" },
      binary: { type: "string" },
      "out-dir": { type: "string", default: "dist" },
    },
    allowPositionals: true,
  });
  const [command, ...rest] = positionals;
  const outDir = values["out-dir"] as string;
  switch (command) {
    case "check-tag": {
      checkTag(rest[0] ?? "", config.version);
      if (!changelogSection((await readDocs()).changelog, config.version)) {
        throw new Error(`Cannot release ${config.version}: CHANGELOG.md has no section for it`);
      }
      console.log(`tag ${rest[0]} matches deno.json version ${config.version}; notes found`);
      return 0;
    }
    case "compile": {
      const t = target(values.target);
      const output = `${outDir}/${t}/${binaryName(t)}`;
      const entry = `${ROOT}${BUNDLE_ENTRY}`;
      if (!(await Deno.stat(entry).then(() => true, () => false))) {
        throw new Error(`Cannot compile: ${BUNDLE_ENTRY} is missing (run deno task build first)`);
      }
      await Deno.mkdir(`${outDir}/${t}`, { recursive: true });
      const deno = compileArgs(t, output, entry);
      console.log(`deno ${deno.join(" ")}`);
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: deno,
        stdout: "inherit",
        stderr: "inherit",
      }).spawn().status;
      return code;
    }
    case "package": {
      if (!values.binary) throw new Error("Cannot package: --binary PATH is required");
      await Deno.mkdir(outDir, { recursive: true });
      const archive = await packageTarget({
        version: config.version,
        target: target(values.target),
        binary: values.binary,
        outDir,
        docs: await readDocs(),
      });
      console.log(archive);
      return 0;
    }
    case "checksums": {
      console.log((await writeChecksums(rest[0] ?? outDir)).trimEnd());
      return 0;
    }
    case "notes": {
      const version = rest[0] ?? config.version;
      const notes = changelogSection((await readDocs()).changelog, version);
      if (!notes) throw new Error(`Cannot find release notes: CHANGELOG.md has no ${version}`);
      console.log(notes);
      return 0;
    }
    case "smoke": {
      if (rest.length === 0) throw new Error("Cannot smoke-test: give the command after --");
      const tempDir = await Deno.makeTempDir({ prefix: "denact_smoke_" });
      const results = await smoke(rest, { version: config.version, tempDir, expectInhibit: true });
      await Deno.remove(tempDir, { recursive: true });
      for (const r of results) {
        console.log(`${r.failure ? "FAIL" : "ok  "} ${r.name}${r.failure ? `: ${r.failure}` : ""}`);
      }
      return results.some((r) => r.failure) ? 1 : 0;
    }
    default:
      console.error(
        "usage: release.ts check-tag TAG | compile | package | checksums | notes | smoke -- CMD",
      );
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
