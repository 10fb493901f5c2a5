/**
 * The release: names, permissions, tag check, notes and checksums as pure
 * functions; the whole local rehearsal (`scripts/release_check.ts`: packing
 * every target, `sha256sum -c`, the smoke run); and the workflow files calling
 * exactly those steps for every target.
 */

import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import {
  archiveName,
  binaryName,
  changelogSection,
  checkTag,
  checkVersion,
  compileArgs,
  compilePermissions,
  ENV_VARS,
  hostTarget,
  sha256Hex,
  sha256sumsText,
  TARGETS,
} from "../scripts/release_lib.ts";
import { releaseCheck } from "../scripts/release_check.ts";
import { hasCommand } from "./completion_shells.ts";

const ROOT = new URL("..", import.meta.url);
const REQUIRED = Deno.env.get("CI") !== undefined && Deno.build.os === "linux";

Deno.test("archiveName() is denact-<version>-<target> with .zip only for Windows", () => {
  assert.deepEqual(TARGETS.map((t) => archiveName("1.2.3", t)), [
    "denact-1.2.3-x86_64-unknown-linux-gnu.tar.gz",
    "denact-1.2.3-aarch64-unknown-linux-gnu.tar.gz",
    "denact-1.2.3-x86_64-apple-darwin.tar.gz",
    "denact-1.2.3-aarch64-apple-darwin.tar.gz",
    "denact-1.2.3-x86_64-pc-windows-msvc.zip",
  ]);
  assert.equal(binaryName("x86_64-pc-windows-msvc"), "denact.exe");
  assert.equal(binaryName("aarch64-apple-darwin"), "denact");
});

Deno.test("compilePermissions() bakes in the env variables, one keep-awake helper and write", () => {
  for (const target of TARGETS) {
    const flags = compilePermissions(target);
    assert.ok(flags.includes(`--allow-env=${ENV_VARS.join(",")}`));
    assert.ok(flags.includes("--allow-write"));
    const run = flags.filter((f) => f.startsWith("--allow-run"));
    assert.equal(run.length, 1, target);
    assert.equal(run[0]?.split(",").length, 1, `one helper only for ${target}`);
    assert.ok(!flags.some((f) => /^--allow-(all|read|net|sys|ffi|import)|^-A$/.test(f)), target);
  }
  assert.deepEqual(
    TARGETS.map((t) => compilePermissions(t).find((f) => f.startsWith("--allow-run="))),
    [
      "--allow-run=systemd-inhibit",
      "--allow-run=systemd-inhibit",
      "--allow-run=caffeinate",
      "--allow-run=caffeinate",
      "--allow-run=powershell",
    ],
  );
  const args = compileArgs("x86_64-pc-windows-msvc", "dist/w/denact.exe");
  assert.deepEqual(args.slice(0, 3), ["compile", "--target", "x86_64-pc-windows-msvc"]);
  assert.deepEqual(args.slice(-3), ["--output", "dist/w/denact.exe", "bundle/main.js"]);
});

Deno.test("every environment variable the program reads is baked in", async () => {
  const files = ["main.ts"];
  for (const dir of ["app", "cli", "core", "core/panes"]) {
    for await (const entry of Deno.readDir(new URL(`${dir}/`, ROOT))) {
      if (entry.isFile && entry.name.endsWith(".ts")) files.push(`${dir}/${entry.name}`);
    }
  }
  const read = new Set<string>();
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    for (const match of text.matchAll(/envVar\("([A-Z_]+)"\)/g)) read.add(match[1] as string);
  }
  assert.ok(read.has("COLUMNS"), "the scan finds the variables");
  for (const name of read) assert.ok((ENV_VARS as readonly string[]).includes(name), name);
});

Deno.test("hostTarget() maps OS and architecture to a target, and refuses others", () => {
  assert.equal(hostTarget("linux", "aarch64"), "aarch64-unknown-linux-gnu");
  assert.equal(hostTarget("darwin", "x86_64"), "x86_64-apple-darwin");
  assert.equal(hostTarget("windows", "x86_64"), "x86_64-pc-windows-msvc");
  assert.throws(() => hostTarget("windows", "aarch64"), /no target for windows on aarch64/);
  assert.throws(() => hostTarget("freebsd", "x86_64"));
});

Deno.test("checkTag() accepts only v<deno.json version>", () => {
  checkTag(`v${config.version}`, config.version);
  checkTag(`refs/tags/v${config.version}`, config.version);
  checkTag("v2.0.0-rc.1", "2.0.0-rc.1");
  for (const tag of [config.version, `v${config.version}.0`, `V${config.version}`, "", "v"]) {
    assert.throws(() => checkTag(tag, config.version), /must be v/, tag);
  }
  assert.throws(() => checkVersion("1.2"), /not semantic versioning/);
  assert.throws(() => checkVersion("01.2.3"), /not semantic versioning/);
  checkVersion(config.version);
});

Deno.test("changelogSection() takes the text under one version's heading", () => {
  const changelog = [
    "# Changelog",
    "",
    "## [Unreleased]",
    "",
    "## [1.1.0] - 2026-05-01",
    "### Added",
    "- panes",
    "",
    "## [1.0.0] - 2026-04-01",
    "- first",
    "",
    "[1.1.0]: https://example.invalid/compare/v1.0.0...v1.1.0",
  ].join("\n");
  assert.equal(changelogSection(changelog, "1.1.0"), "### Added\n- panes");
  assert.equal(
    changelogSection(changelog, "1.0.0"),
    "- first\n\n[1.1.0]: https://example.invalid/compare/v1.0.0...v1.1.0",
  );
  assert.equal(changelogSection(changelog, "Unreleased"), undefined, "empty section");
  assert.equal(changelogSection(changelog, "1.0"), undefined, "no prefix match");
});

Deno.test("sha256Hex() and sha256sumsText() agree with the known digest and sha256sum's format", async () => {
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256sumsText([{ name: "b.zip", hash: "22" }, { name: "a.tar.gz", hash: "11" }]),
    "11  a.tar.gz\n22  b.zip\n",
  );
});

Deno.test({
  name: "the release rehearsal passes: tag, notes, packing every target, SHA256SUMS, smoke run",
  ignore: !REQUIRED && !["tar", "zip", "unzip", "sha256sum"].every(hasCommand),
  async fn() {
    const steps = await releaseCheck();
    const failed = steps.filter((s) => s.failure);
    assert.deepEqual(failed, [], failed.map((s) => `${s.name}: ${s.failure}`).join("\n"));
    for (const target of TARGETS) {
      assert.ok(steps.some((s) => s.name === `package ${archiveName(config.version, target)}`));
    }
    assert.ok(steps.some((s) => s.name.includes("sha256sum -c")));
    assert.ok(steps.some((s) => s.name.includes("a short seeded run")));
  },
});

Deno.test("release.yml builds every target, checks the tag, smoke-runs, checksums and publishes", async () => {
  const workflow = await Deno.readTextFile(new URL(".github/workflows/release.yml", ROOT));
  for (const target of TARGETS) assert.match(workflow, new RegExp(`^ {10}- ${target}$`, "m"));
  for (
    const needle of [
      'tags: ["v*"]',
      "pull_request:",
      "scripts/release.ts check-tag",
      "scripts/release.ts compile",
      "scripts/release.ts package",
      "scripts/release.ts smoke",
      "scripts/release.ts checksums",
      "sha256sum -c SHA256SUMS",
      "gh release create",
      "id-token: write",
      "deno publish --dry-run",
      "deno doc --lint main.ts",
      "deno task build",
      "deno task test:bundle",
      "scripts/release_check.ts",
      `DENO_VERSION: ${Deno.version.deno}`,
    ]
  ) {
    assert.ok(workflow.includes(needle), needle);
  }
  const tagOnly = workflow.split("\n").filter((line) =>
    line.includes("gh release create") ||
    line.trim() === "run: deno publish"
  );
  assert.equal(tagOnly.length, 2);
  const ci = await Deno.readTextFile(new URL(".github/workflows/ci.yml", ROOT));
  for (const os of ["ubuntu-latest", "macos-latest", "windows-latest", "deno task ci"]) {
    assert.ok(ci.includes(os), os);
  }
});
