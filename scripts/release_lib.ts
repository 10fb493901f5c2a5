/**
 * What the release is made of, in one place: the compile targets, the
 * permissions baked into each binary, archive names and contents, the
 * checksum file, the tag check and the release notes. The release workflow
 * (`.github/workflows/release.yml`), `deno task compile` and the local check
 * (`scripts/release_check.ts`) all call these, so what CI checks here is what
 * the workflow does there.
 *
 * @module
 */

import { completionScript } from "../cli/completions.ts";
import { manPage } from "../cli/manpage.ts";
import type { Shell } from "../cli/options.ts";
import { MODULES } from "../modules/mod.ts";

/** The five targets `deno compile --target` accepts. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;
/** A compile target. */
export type Target = typeof TARGETS[number];

/**
 * The environment variables denact reads when allowed: NO_COLOR and
 * FORCE_COLOR (colour), COLUMNS (width off a terminal), TERM (the `--record`
 * header).
 */
export const ENV_VARS = ["NO_COLOR", "FORCE_COLOR", "COLUMNS", "TERM"] as const;

/** Whether `target` builds a Windows binary. */
export function isWindows(target: Target): boolean {
  return target.includes("windows");
}

/** The keep-awake helper `--inhibit` runs on the target's OS (see app/inhibit.ts). */
export function inhibitHelper(target: Target): string {
  if (target.includes("linux")) return "systemd-inhibit";
  if (target.includes("apple")) return "caffeinate";
  return "powershell";
}

/**
 * The permissions baked into the binary for `target`, and nothing more:
 * - `--allow-env` for the variables of {@linkcode ENV_VARS} only;
 * - `--allow-run` for the one keep-awake helper of that OS (`--inhibit`);
 *   naming helpers of other OSes would make Deno print a warning at every start;
 * - `--allow-write` without a path, because `--record FILE` writes wherever the
 *   user points it; denact writes no other file.
 */
export function compilePermissions(target: Target): string[] {
  return [
    `--allow-env=${ENV_VARS.join(",")}`,
    `--allow-run=${inhibitHelper(target)}`,
    "--allow-write",
  ];
}

/** The binary's file name for `target`. */
export function binaryName(target: Target): string {
  return isWindows(target) ? "denact.exe" : "denact";
}

/**
 * The `deno` arguments that compile `entry` for `target` into `output`. The
 * entry is the built bundle (`deno task build`), the same code JSR gets.
 */
export function compileArgs(target: Target, output: string, entry = "bundle/main.js"): string[] {
  return ["compile", "--target", target, ...compilePermissions(target), "--output", output, entry];
}

/** The target of the machine running this, if Deno can compile for it. */
export function hostTarget(os: string = Deno.build.os, arch: string = Deno.build.arch): Target {
  const target = TARGETS.find((t) =>
    t.startsWith(`${arch}-`) &&
    ((os === "linux" && t.includes("linux")) || (os === "darwin" && t.includes("apple")) ||
      (os === "windows" && t.includes("windows")))
  );
  if (!target) throw new Error(`Cannot compile for this machine: no target for ${os} on ${arch}`);
  return target;
}

/** `denact-<version>-<target>`: the archive's name without extension, and its folder. */
export function archiveStem(version: string, target: Target): string {
  return `denact-${version}-${target}`;
}

/** The archive's file name: `.zip` for Windows, `.tar.gz` elsewhere. */
export function archiveName(version: string, target: Target): string {
  return `${archiveStem(version, target)}${isWindows(target) ? ".zip" : ".tar.gz"}`;
}

const SEMVER_REGEXP =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Throws unless `version` is semantic versioning (as JSR requires). */
export function checkVersion(version: string): void {
  if (!SEMVER_REGEXP.test(version)) {
    throw new Error(`Cannot release version "${version}": it is not semantic versioning`);
  }
}

/** Throws unless `tag` is `v` followed by the version in deno.json. */
export function checkTag(tag: string, version: string): void {
  checkVersion(version);
  const name = tag.replace(/^refs\/tags\//, "");
  if (name !== `v${version}`) {
    throw new Error(
      `Cannot release tag "${name}": deno.json has version ${version}, so the tag must be v${version}`,
    );
  }
}

/**
 * The release notes for `version` from a Keep a Changelog file: the text under
 * `## [version]`, up to the next `## ` heading; undefined if there is none.
 */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`## [${version}]`));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  const body = lines.slice(start + 1, end < 0 ? undefined : end).join("\n").trim();
  return body === "" ? undefined : body;
}

/** The lowercase hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A `SHA256SUMS` file in `sha256sum` format (`<hash>  <name>`), sorted by name. */
export function sha256sumsText(entries: readonly { name: string; hash: string }[]): string {
  return [...entries].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    .map((e) => `${e.hash}  ${e.name}\n`).join("");
}

/** The completion files shipped in every archive, by shell. */
export const COMPLETION_FILES: Readonly<Record<Shell, string>> = {
  bash: "completions/denact.bash",
  elvish: "completions/denact.elv",
  fish: "completions/denact.fish",
  powershell: "completions/_denact.ps1",
  zsh: "completions/_denact",
};

/** The files every archive holds besides the binary, with their contents. */
export function archiveExtras(
  version: string,
  docs: { readme: string; license: string; changelog: string },
  date?: string,
): Record<string, string> {
  const names = MODULES.map((m) => m.name);
  return {
    "README.md": docs.readme,
    "LICENSE": docs.license,
    "CHANGELOG.md": docs.changelog,
    "denact.1": manPage(version, MODULES, date ? { date } : {}),
    ...Object.fromEntries(
      Object.entries(COMPLETION_FILES).map(([shell, path]) => [
        path,
        completionScript(shell as Shell, names),
      ]),
    ),
  };
}

/** Runs a command; throws with its stderr when it fails. */
async function run(command: string, args: string[], cwd?: string): Promise<void> {
  const output = await new Deno.Command(command, {
    args,
    ...(cwd ? { cwd } : {}),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr);
    throw new Error(`Cannot run ${command} ${args.join(" ")}: exit ${output.code}\n${stderr}`);
  }
}

/** What {@linkcode packageTarget} needs. */
export interface PackageOptions {
  /** The release version (from deno.json). */
  version: string;
  /** The target the binary was built for. */
  target: Target;
  /** The compiled binary. */
  binary: string;
  /** Where the archive goes (a staging folder is made inside and removed). */
  outDir: string;
  /** README, LICENSE and CHANGELOG text. */
  docs: { readme: string; license: string; changelog: string };
  /** The man page date (YYYY-MM-DD); today by default. */
  date?: string;
}

/**
 * Packs the binary, docs, man page and completions into
 * `denact-<version>-<target>/` inside a `.tar.gz` (or `.zip` for Windows) in
 * `outDir`, with `tar` or `zip`. Returns the archive's path.
 */
export async function packageTarget(options: PackageOptions): Promise<string> {
  const { version, target, outDir } = options;
  const stem = archiveStem(version, target);
  const staging = await Deno.makeTempDir({ dir: outDir, prefix: ".staging-" });
  try {
    const root = `${staging}/${stem}`;
    await Deno.mkdir(`${root}/completions`, { recursive: true });
    await Deno.copyFile(options.binary, `${root}/${binaryName(target)}`);
    if (Deno.build.os !== "windows") await Deno.chmod(`${root}/${binaryName(target)}`, 0o755);
    for (const [path, text] of Object.entries(archiveExtras(version, options.docs, options.date))) {
      await Deno.writeTextFile(`${root}/${path}`, text);
    }
    const archive = `${outDir}/${archiveName(version, target)}`;
    await Deno.remove(archive).catch(() => {});
    const absolute = await Deno.realPath(outDir) + "/" + archiveName(version, target);
    if (isWindows(target)) {
      await run("zip", ["-q", "-r", "-X", absolute, stem], staging);
    } else {
      await run("tar", ["-czf", absolute, "-C", staging, stem]);
    }
    return archive;
  } finally {
    await Deno.remove(staging, { recursive: true });
  }
}

/** Writes `SHA256SUMS` in `dir` for every release archive there; returns its text. */
export async function writeChecksums(dir: string): Promise<string> {
  const entries: { name: string; hash: string }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !/^denact-.+\.(tar\.gz|zip)$/.test(entry.name)) continue;
    entries.push({
      name: entry.name,
      hash: await sha256Hex(await Deno.readFile(`${dir}/${entry.name}`)),
    });
  }
  if (entries.length === 0) throw new Error(`Cannot write SHA256SUMS: no archives in ${dir}`);
  const text = sha256sumsText(entries);
  await Deno.writeTextFile(`${dir}/SHA256SUMS`, text);
  return text;
}
