/**
 * docker_build: `docker build` with BuildKit, the default builder since Docker
 * Engine 23. A coherent Dockerfile is drawn first (a Node front end, a Python
 * service synced with uv, a PHP app installed with Composer, a Go binary on
 * distroless, or a Debian image with apt packages), then built:
 *
 * - in a terminal, the in-place `[+] Building 12.3s (14/18)` block, one line
 *   per started step with its timer right-aligned to the width, `CACHED`
 *   steps, layer downloads and extraction under each `FROM`, the last six log
 *   lines of the running step as faint `=> => #` lines, and at the end the
 *   whole block printed once more with `FINISHED`;
 * - elsewhere, BuildKit's plain progress: `#5 [2/7] RUN …`, log lines stamped
 *   with the seconds since the step started, `#5 DONE 3.2s`, `#6 CACHED`.
 *
 * Each Dockerfile is one project: the base tag decides the Python that `uv sync`
 * finds and the Debian release apt installs from; apt installs what was asked
 * plus its real dependencies (data per release), as one dpkg run; both `uv
 * sync` steps read the same lock; a tag has one digest. As in genact, the PHP
 * build's `composer install` step runs the composer module, whose output
 * becomes the step's log, within a time budget so the build stays bounded.
 *
 * @module
 */

import data from "../data/docker_build.json" with { type: "json" };
import images from "../data/docker_images.json" with { type: "json" };
import pypi from "../data/pypi_packages.json" with { type: "json" };
import { formatBytes } from "../core/format.ts";
import { Rng as SeededRng } from "../core/rng.ts";
import { uvElapsed } from "./uv.ts";
import type { Rng } from "../core/rng.ts";
import type { Out } from "../core/screen.ts";
import { createStyle } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** A sub-line of a step: `transferring dockerfile: 735B`, a layer download, `naming to …`. */
export interface Status {
  text: string;
  start: number;
  end?: number;
  /** Bytes done and total, for downloads. */
  progress?: [number, number];
  /** Whether plain mode prints a timer for it. */
  timed: boolean;
}

/** One vertex of the build graph as the progress display sees it. */
export interface Vertex {
  /** Number in plain mode (`#5`). */
  num: number;
  name: string;
  cached: boolean;
  start?: number;
  end?: number;
  statuses: Status[];
  logs: string[];
}

/** Produces a RUN step's log: lines with their offsets from the step start. */
type LogScript = { lines: [number, string][]; ms: number };

/** How a step behaves. */
type StepKind =
  | { type: "quick"; ms: number }
  | { type: "script"; script: LogScript }
  | { type: "nested"; module: "composer" };

/** One Dockerfile instruction after FROM. */
interface Step {
  label: string;
  instruction: string;
  kind: StepKind;
  cached: boolean;
}

/** A base image (`FROM …` or `COPY --from=image`). */
interface Base {
  /** `docker.io/library/node:22-alpine`. */
  ref: string;
  digest: string;
  /** `[build 1/6]`, or undefined for a `COPY --from` image. */
  label: string | undefined;
  layers: { digest: string; size: number }[];
  pulled: boolean;
}

/** The build: its bases, steps and output image. */
export interface BuildPlan {
  bases: Base[];
  steps: Step[];
  image: string;
  builder: string;
  containerd: boolean;
  dockerfileBytes: number;
  contextBytes: number;
  warnings: string[];
}

/** BuildKit's byte format: `735B`, `1.47kB`, `2.80MB` (SI units). */
export function siBytes(n: number): string {
  return formatBytes(n, { base: 1000, units: ["B", "kB", "MB", "GB", "TB"], decimals: 2 });
}

/** Plain-mode log timestamp: 3 decimals under 10 s, 2 under 100 s, then 1. */
export function logStamp(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return s < 10 ? s.toFixed(3) : s < 100 ? s.toFixed(2) : s.toFixed(1);
}

/** `%.1fs`. */
export function timer(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** A step label: `[build 3/6]`, `[ 4/11]`. */
export function stepLabel(stage: string | undefined, i: number, n: number): string {
  const num = `${String(i).padStart(String(n).length)}/${n}`;
  return `[${stage ? `${stage} ` : ""}${num}]`;
}

/**
 * One line of the terminal block: `text` on the left, `time` right-aligned at
 * `cols`. Long text is cut (digests first) so the timer always shows. The text
 * is unstyled and single-width (colour goes on afterwards), so lengths are columns.
 */
export function blockLine(text: string, time: string, cols: number): string {
  const room = cols - time.length - 1;
  let left = text;
  if (left.length > room) {
    left = left.replace(/sha256:([0-9a-f]{12})[0-9a-f]+/g, (_, keep: string) => `sha256:${keep}`);
  }
  if (room < 4) return left.slice(0, cols);
  return `${left.slice(0, room).padEnd(room)} ${time}`;
}

/** Cuts unstyled single-width text to `cols`. */
function fit(text: string, cols: number): string {
  return text.length <= cols ? text : text.slice(0, cols);
}

function official(repo: string): string {
  return repo.includes("/") && repo.includes(".")
    ? repo
    : `docker.io/${repo.includes("/") ? "" : "library/"}${repo}`;
}

function tagOf(rng: Rng, repo: string, prefer: RegExp): string {
  const entry = images.official.find((i) => i.repo === repo)!;
  const tags = entry.tags.filter((t) => prefer.test(t));
  return rng.pick(tags.length > 0 ? tags : entry.tags);
}

/** A stable generator for a public name: one tag has one digest and one set of layers. */
function published(ref: string): Rng {
  let h = 0x811c9dc5;
  for (let i = 0; i < ref.length; i++) h = Math.imul(h ^ ref.charCodeAt(i), 0x01000193) >>> 0;
  return new SeededRng(h);
}

function base(ref: string, label: string | undefined, pulled: boolean): Base {
  const r = published(ref);
  const layers = Array.from({ length: r.int(2, 6) }, (_, i) => ({
    digest: r.hex(64),
    size: i === 0 ? r.int(3_000_000, 30_000_000) : Math.floor(r.logNormal(900_000, 1.6)),
  }));
  return { ref, digest: r.hex(64), label, layers, pulled };
}

/** The Debian release under a tag: `3.13-slim-bookworm` is 12, `3.13-slim` today 13. */
export function debianSuite(tag: string): "bookworm" | "trixie" {
  return /bookworm|(^|-)12(-|$)/.test(tag) ? "bookworm" : "trixie";
}

// ---- Log scripts for RUN steps -------------------------------------------------

function npmCi(rng: Rng): LogScript {
  const lines: [number, string][] = [];
  const ms = rng.int(9_000, 45_000);
  let t = rng.int(1_500, 5_000);
  for (const w of rng.sample(data.npmWarnings, rng.int(0, 4))) {
    lines.push([t, w]);
    t += rng.int(10, 900);
  }
  const added = rng.int(180, 1400);
  const end = ms - rng.int(200, 900);
  lines.push([end, ""]);
  lines.push([
    end,
    `added ${added} packages, and audited ${added + 1} packages in ${Math.round(end / 1000)}s`,
  ]);
  lines.push([end, ""]);
  lines.push([end, `${Math.floor(added * rng.float(0.1, 0.3))} packages are looking for funding`]);
  lines.push([end, "  run `npm fund` for details"]);
  lines.push([end + 30, ""]);
  if (rng.chance(0.7)) {
    lines.push([end + 30, "found 0 vulnerabilities"]);
  } else {
    const n = rng.int(1, 6);
    lines.push([end + 30, `${n} moderate severity vulnerabilit${n === 1 ? "y" : "ies"}`]);
    lines.push([end + 30, ""]);
    lines.push([end + 30, "To address all issues, run:"]);
    lines.push([end + 30, "  npm audit fix"]);
    lines.push([end + 30, ""]);
    lines.push([end + 30, "Run `npm audit` for details."]);
  }
  return { lines, ms };
}

/** Vite's `displaySize`: kilobytes with two decimals and thousands separators. */
export function viteSize(kB: number): string {
  return `${kB.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} kB`;
}

/** What Vite adds when a JS chunk is over its 500 kB limit (after a blank line). */
const VITE_LARGE_CHUNKS = [
  "",
  "(!) Some chunks are larger than 500 kB after minification. Consider:",
  "- Using dynamic import() to code-split the application",
  "- Use build.rollupOptions.output.manualChunks to improve chunking: https://rollupjs.org/configuration-options/#output-manualchunks",
  "- Adjust chunk size limit for this warning via build.chunkSizeWarningLimit.",
];

function npmBuild(rng: Rng, app: string): LogScript {
  const ms = rng.int(7_000, 40_000);
  const built = (ms - rng.int(900, 2500)) / 1000;
  const lines: [number, string][] = [
    [300, ""],
    [300, `> ${app}@${rng.int(0, 2)}.${rng.int(0, 20)}.0 build`],
    [300, "> tsc -b && vite build"],
    [300, ""],
    [
      Math.floor(ms * 0.35),
      `vite v7.${rng.int(0, 2)}.${rng.int(0, 12)} building for production...`,
    ],
    [Math.floor(ms * 0.36), "transforming..."],
    [Math.floor(ms * 0.8), `✓ ${rng.int(300, 4200)} modules transformed.`],
    [Math.floor(ms * 0.82), "rendering chunks..."],
    [Math.floor(ms * 0.86), "computing gzip size..."],
  ];
  // Vite's report: assets, then CSS, then JS, each group by size, smallest first.
  const html: [string, number] = ["dist/index.html", rng.float(0.4, 1.2)];
  // Rollup 4 names chunks with 8 base64url characters.
  const hash = () =>
    Array.from(
      { length: 8 },
      () => rng.pick([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"]),
    ).join("");
  const css: [string, number] = [`dist/assets/index-${hash()}.css`, rng.float(8, 90)];
  const js = rng.sample(data.frontendAssets, rng.int(1, 4))
    .map((name): [string, number] => [`dist/assets/${name}-${hash()}.js`, rng.logNormal(120, 1)])
    .sort((a, b) => a[1] - b[1]);
  const assets = [html, css, ...js].map(([name, kB]) => ({
    name,
    size: viteSize(kB),
    gzip: viteSize(kB * rng.float(0.25, 0.4)),
  }));
  const w = Math.max(...assets.map((a) => a.name.length));
  const sw = Math.max(...assets.map((a) => a.size.length));
  const gw = Math.max(...assets.map((a) => a.gzip.length));
  for (const a of assets) {
    lines.push([
      Math.floor(ms * 0.9),
      `${a.name.padEnd(w + 2)}${a.size.padStart(sw)} │ gzip: ${a.gzip.padStart(gw)}`,
    ]);
  }
  if (js.some(([, kB]) => kB > 500)) {
    for (const l of VITE_LARGE_CHUNKS) lines.push([Math.floor(ms * 0.9), l]);
  }
  lines.push([ms - 300, `✓ built in ${built.toFixed(2)}s`]);
  return { lines, ms };
}

/** A Debian package as the data file has it. */
interface AptPackage {
  version: string;
  arch: string;
  kB: number;
  /** `Multi-Arch: same`: dpkg names it `name:amd64`. */
  multiArch: boolean;
  deps: string[];
}

/** A Debian release as the data file has it. */
interface AptSuite {
  release: string;
  libc: string;
  /** Packages a python:*-slim image of this release already has. */
  pythonSlimHas: string[];
  packages: Record<string, AptPackage>;
}

/** apt's `SizeToStr`: `8792 kB`, `55.4 kB`, `12.5 MB` (SI, no separators). */
export function aptSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  for (let i = 0; i < units.length; i++) {
    if (v < 100 && i > 0) return `${v.toFixed(1)} ${units[i]}`;
    if (v < 10000 || i === units.length - 1) return `${v.toFixed(0)} ${units[i]}`;
    v /= 1000;
  }
  return `${v.toFixed(0)} TB`;
}

/** The packages `apt-get install` brings: what was asked plus its dependencies not yet there. */
export function aptClosure(
  suite: AptSuite,
  wanted: readonly string[],
  has: readonly string[],
): string[] {
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name) || has.includes(name) || !suite.packages[name]) return;
    out.add(name);
    for (const dep of suite.packages[name]!.deps) visit(dep);
  };
  for (const name of wanted) visit(name);
  return [...out].sort();
}

/** Wraps a package list as apt does: two-space indent, at most 80 columns. */
function aptList(names: readonly string[]): string[] {
  const lines: string[] = [];
  let line = " ";
  for (const n of names) {
    if (line.length + 1 + n.length > 79 && line.length > 1) {
      lines.push(line);
      line = " ";
    }
    line += ` ${n}`;
  }
  lines.push(line);
  return lines;
}

/** `apt-get update && apt-get install -y --no-install-recommends …` on one Debian release. */
function aptInstall(rng: Rng, suiteName: string, wanted: string[], has: string[] = []): LogScript {
  const suite = (data.apt as Record<string, AptSuite>)[suiteName]!;
  const mirror = "http://deb.debian.org/debian";
  const security = "http://deb.debian.org/debian-security";
  const lines: [number, string][] = [];
  let t = rng.int(200, 600);
  const indexes: [string, number][] = [
    [`${mirror} ${suiteName} InRelease`, rng.int(140, 160) * 1000],
    [`${mirror} ${suiteName}-updates InRelease`, rng.int(470, 560) * 100],
    [`${security} ${suiteName}-security InRelease`, rng.int(430, 490) * 100],
    [`${mirror} ${suiteName}/main amd64 Packages`, rng.int(8700, 9800) * 1000],
    [`${mirror} ${suiteName}-updates/main amd64 Packages`, rng.int(30, 120) * 100],
    [`${security} ${suiteName}-security/main amd64 Packages`, rng.int(150, 290) * 1000],
  ];
  let fetched = 0;
  indexes.forEach(([what, bytes], i) => {
    t += rng.int(30, 500);
    fetched += bytes;
    lines.push([t, `Get:${i + 1} ${what} [${aptSize(bytes)}]`]);
  });
  const secs = Math.max(1, Math.round(t / 1000));
  lines.push([t, `Fetched ${aptSize(fetched)} in ${secs}s (${aptSize(fetched / secs)}/s)`]);
  for (
    const l of [
      "Reading package lists...",
      "Reading package lists...",
      "Building dependency tree...",
      "Reading state information...",
    ]
  ) {
    t += rng.int(100, 700);
    lines.push([t, l]);
  }
  const names = aptClosure(suite, wanted, has);
  const extra = names.filter((n) => !wanted.includes(n));
  if (extra.length > 0) {
    lines.push([t, "The following additional packages will be installed:"]);
    for (const l of aptList(extra)) lines.push([t, l]);
  }
  lines.push([t, "The following NEW packages will be installed:"]);
  for (const l of aptList(names)) lines.push([t, l]);
  lines.push([t, `0 upgraded, ${names.length} newly installed, 0 to remove and 0 not upgraded.`]);
  // apt fetches and unpacks in its install order: each package after what it depends on.
  const order: string[] = [];
  const seen = new Set<string>();
  const place = (n: string) => {
    if (seen.has(n) || !names.includes(n)) return;
    seen.add(n);
    for (const dep of suite.packages[n]!.deps) place(dep);
    order.push(n);
  };
  for (const n of wanted) place(n);
  const pkgs = order.map((n) => [n, suite.packages[n]!] as const);
  // The data has whole kilobytes; each archive gets its own stable byte count.
  const size = (n: string, p: AptPackage) => p.kB * 1000 + published(n + p.version).int(0, 999);
  const total = pkgs.reduce((a, [n, p]) => a + size(n, p), 0);
  lines.push([t, `Need to get ${aptSize(total)} of archives.`]);
  lines.push([
    t,
    `After this operation, ${
      aptSize(total * rng.float(2.8, 3.6))
    } of additional disk space will be used.`,
  ]);
  const dlStart = t;
  pkgs.forEach(([n, p], i) => {
    t += rng.int(5, 60) + Math.floor(p.kB / 60);
    lines.push([
      t,
      `Get:${
        indexes.length + i + 1
      } ${mirror} ${suiteName}/main amd64 ${n} ${p.arch} ${p.version} [${aptSize(size(n, p))}]`,
    ]);
  });
  const dl = Math.max(1, Math.round((t - dlStart) / 1000));
  lines.push([t, "debconf: delaying package configuration, since apt-utils is not installed"]);
  lines.push([t, `Fetched ${aptSize(total)} in ${dl}s (${aptSize(total / dl)}/s)`]);
  // One dpkg run: the database is read once; archives are numbered when there are several.
  const named = (n: string, p: AptPackage) => (p.multiArch ? `${n}:amd64` : n);
  const width = String(pkgs.length - 1).length < 2 ? 2 : String(pkgs.length - 1).length;
  pkgs.forEach(([n, p], i) => {
    t += rng.int(20, 120) + Math.floor(p.kB / 200);
    lines.push([t, `Selecting previously unselected package ${named(n, p)}.`]);
    if (i === 0) {
      lines.push([
        t,
        `(Reading database ... ${rng.int(4200, 6800)} files and directories currently installed.)`,
      ]);
    }
    const prefix = pkgs.length > 1 ? `${String(i).padStart(width, "0")}-` : "";
    const file = `${n}_${p.version.replace(":", "%3a")}_${p.arch}.deb`;
    lines.push([t, `Preparing to unpack .../${prefix}${file} ...`]);
    lines.push([t + 10, `Unpacking ${named(n, p)} (${p.version}) ...`]);
  });
  // dpkg configures in the same order: dependencies first.
  for (const [n, p] of pkgs) {
    t += rng.int(20, 300);
    lines.push([t, `Setting up ${named(n, p)} (${p.version}) ...`]);
  }
  t += rng.int(100, 600);
  lines.push([t, `Processing triggers for libc-bin (${suite.libc}) ...`]);
  if (names.includes("ca-certificates")) {
    t += rng.int(300, 1200);
    lines.push([
      t,
      "Processing triggers for ca-certificates (" + suite.packages["ca-certificates"]!.version +
      ") ...",
    ]);
    lines.push([t, "Updating certificates in /etc/ssl/certs..."]);
    t += rng.int(400, 1500);
    lines.push([t, `${rng.int(140, 150)} added, 0 removed; done.`]);
    lines.push([t, "Running hooks in /etc/ca-certificates/update.d..."]);
    lines.push([t + 20, "done."]);
  }
  return { lines, ms: t + rng.int(300, 1500) };
}

/** `apk add` of the packages asked (with ICU's data and C++ runtime), then each PHP extension asked. */
function apkAdd(rng: Rng, wanted: readonly string[], exts: readonly string[]): LogScript {
  const lines: [number, string][] = [];
  let t = rng.int(200, 800);
  lines.push([t, "fetch https://dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/APKINDEX.tar.gz"]);
  t += rng.int(200, 900);
  lines.push([
    t,
    "fetch https://dl-cdn.alpinelinux.org/alpine/v3.22/community/x86_64/APKINDEX.tar.gz",
  ]);
  const needs: Record<string, string[]> = { "icu-libs": ["icu-data-en", "libgcc", "libstdc++"] };
  const names = [...new Set(wanted.flatMap((w) => [...(needs[w] ?? []), w]))];
  const pkgs = names.map((n) => data.apk.find(([name]) => name === n)!);
  pkgs.forEach(([n, v], i) => {
    t += rng.int(50, 500);
    lines.push([t, `(${i + 1}/${pkgs.length}) Installing ${n} (${v})`]);
  });
  t += rng.int(100, 500);
  lines.push([t, "Executing busybox-1.37.0-r19.trigger"]);
  lines.push([t, `OK: ${rng.int(30, 180)} MiB in ${rng.int(30, 60) + pkgs.length} packages`]);
  for (const ext of exts) {
    t += rng.int(400, 1500);
    lines.push([t, "Configuring for:"]);
    lines.push([t, "PHP Api Version:         20240924"]);
    lines.push([t, "Zend Module Api No:      20240924"]);
    lines.push([t, "Zend Extension Api No:   420240924"]);
    t += rng.int(300, 1500);
    lines.push([t, "checking for grep that handles long lines and -e... /bin/grep"]);
    lines.push([t, "checking for a sed that does not truncate output... /bin/sed"]);
    lines.push([
      t,
      `${PHP_EXT_CHECKS[ext] ?? `checking whether to enable ${ext} support`}... yes, shared`,
    ]);
    // intl is a large C++ extension; the others build in seconds.
    t += ext === "intl" ? rng.int(40_000, 90_000) : rng.int(2_000, 9_000);
    lines.push([t, "Build complete."]);
    lines.push([t, "Don't forget to run 'make test'."]);
    lines.push([t, `+ strip --strip-all modules/${ext}.so`]);
    lines.push([
      t + 40,
      "Installing shared extensions:     /usr/local/lib/php/extensions/no-debug-non-zts-20240924/",
    ]);
  }
  return { lines, ms: t + rng.int(200, 900) };
}

/** A Python project as its lock file has it. */
interface PyProject {
  name: string;
  version: string;
  /** The interpreter of the base image: `3.13.11`. */
  python: string;
  /** Every package in uv.lock (all groups), the project itself not counted. */
  locked: string[];
  /** What `--no-dev` installs, sorted. */
  runtime: string[];
}

const PYPI = pypi.packages as Record<string, { version: string; size: number; deps: string[] }>;

/** A package list and everything it depends on. */
function pyClosure(top: readonly string[]): string[] {
  const out = new Set<string>();
  const visit = (n: string) => {
    if (out.has(n) || !PYPI[n]) return;
    out.add(n);
    for (const d of PYPI[n]!.deps) visit(d);
  };
  for (const n of top) visit(n);
  return [...out].sort();
}

/** Draws the service's lock: a web profile's runtime packages and its dev group. */
function pyProject(rng: Rng, name: string, python: string): PyProject {
  const profiles = pypi.profiles.filter((p) =>
    ["web-api", "django", "flask", "llm-app"].includes(p.name)
  );
  const profile = rng.pick(profiles);
  const runtime = pyClosure([...profile.top, ...rng.sample(profile.optional, rng.int(2, 7))]);
  const dev = pyClosure(rng.sample(profile.dev, rng.int(3, profile.dev.length)));
  const locked = [...new Set([...runtime, ...dev])].sort();
  return {
    name,
    version: `${rng.int(0, 2)}.${rng.int(0, 14)}.${rng.int(0, 9)}`,
    python,
    locked,
    runtime,
  };
}

/** `uv sync --locked --no-install-project --no-dev`: the locked runtime dependencies into a new venv. */
function uvSyncDeps(rng: Rng, project: PyProject): LogScript {
  const minor = project.python.split(".").slice(0, 2).join(".");
  const lines: [number, string][] = [
    [
      rng.int(20, 90),
      `Using CPython ${project.python} interpreter at: /usr/local/bin/python${minor}`,
    ],
  ];
  let t = lines[0]![0] + rng.int(5, 30);
  lines.push([t, "Creating virtual environment at: .venv"]);
  t += rng.int(1, 6);
  lines.push([t, `Resolved ${project.locked.length + 1} packages in ${rng.int(1, 6)}ms`]);
  const rate = rng.float(15_000, 60_000); // bytes per ms
  const big = project.runtime.filter((n) => PYPI[n]!.size >= 1024 * 1024);
  for (const n of big) {
    lines.push([t + rng.int(5, 40), `Downloading ${n} (${formatBytes(PYPI[n]!.size)})`]);
  }
  const bytes = project.runtime.reduce((a, n) => a + PYPI[n]!.size, 0);
  const prepare = 150 + bytes / rate + rng.int(100, 600);
  for (const n of [...big].sort((x, y) => PYPI[x]!.size - PYPI[y]!.size)) {
    lines.push([t + 100 + PYPI[n]!.size / rate, ` Downloaded ${n}`]);
  }
  t += prepare;
  lines.push([t, `Prepared ${project.runtime.length} packages in ${uvElapsed(prepare)}`]);
  const install = rng.int(40, 180) + project.runtime.length * rng.float(2, 12);
  t += install;
  lines.push([t, `Installed ${project.runtime.length} packages in ${uvElapsed(install)}`]);
  for (const n of project.runtime) lines.push([t, ` + ${n}==${PYPI[n]!.version}`]);
  return {
    lines: lines.map(([at, l]) => [Math.round(at), l]),
    ms: Math.round(t) + rng.int(100, 400),
  };
}

/** `uv sync --locked --no-dev` after the sources are in: the same lock, now only the project. */
function uvSyncProject(rng: Rng, project: PyProject): LogScript {
  const resolve = rng.int(1, 6);
  const build = rng.int(600, 3500);
  const install = rng.int(1, 9);
  const { name, version } = project;
  return {
    lines: [
      [resolve + 150, `Resolved ${project.locked.length + 1} packages in ${resolve}ms`],
      [resolve + build, `      Built ${name} @ file:///app`],
      [resolve + build + 1, `Prepared 1 package in ${uvElapsed(build)}`],
      [resolve + build + install + 2, `Installed 1 package in ${install}ms`],
      [resolve + build + install + 2, ` + ${name}==${version} (from file:///app)`],
    ],
    ms: resolve + build + install + rng.int(200, 600),
  };
}

function dumpAutoload(rng: Rng): LogScript {
  const ms = rng.int(1500, 6000);
  return {
    lines: [
      [400, "Generating optimized autoload files (authoritative)"],
      [
        ms - 200,
        `Generated optimized autoload files (authoritative) containing ${
          rng.int(3000, 14000)
        } classes`,
      ],
    ],
    ms,
  };
}

function silent(rng: Rng, lo: number, hi: number): LogScript {
  return { lines: [], ms: rng.int(lo, hi) };
}

// ---- The Dockerfile -------------------------------------------------------------

/** The PHP extensions the PHP template's Dockerfile installs. */
const PHP_EXTS = ["intl", "opcache", "pdo_mysql", "zip"];

/** The configure check each extension prints when enabled. */
const PHP_EXT_CHECKS: Record<string, string> = {
  intl: "checking whether to enable internationalization support",
  opcache: "checking whether to enable Zend OPcache support",
  pdo_mysql: "checking for MySQL support for PDO",
  zip: "checking for zip archive read/write support",
};

/** What each kind of Dockerfile builds: an SPA is a web front end, a Go binary a service. */
const APPS_BY_KIND: Record<string, readonly string[]> = {
  node: ["web", "frontend", "docs", "admin"],
  python: ["api", "worker", "ml-inference", "billing-service", "scheduler", "search", "ingest"],
  php: ["web", "admin", "api", "billing-service"],
  go: ["api", "gateway", "auth", "worker", "ingest", "notifier", "scheduler", "search"],
  debian: ["gateway", "notifier", "ingest", "scheduler", "worker"],
};

/** Draws a Dockerfile and the cache state it meets. */
export function planBuild(rng: Rng): BuildPlan {
  const kind = rng.weighted(["node", "python", "php", "go", "debian"], [3, 3, 2, 2, 2]);
  const app = rng.pick(images.apps.filter((a) => APPS_BY_KIND[kind]!.includes(a)));
  // One organisation: where its releases are downloaded from is where its images are pushed.
  const org = rng.pick(images.orgs);
  const warm = rng.chance(0.45);
  // On a warm builder the cache holds until the first changed input: the sources,
  // or (more often) the dependency manifest.
  const manifestChanged = rng.chance(0.75);
  const pulled = (p: number) => !(warm || rng.chance(p));
  const bases: Base[] = [];
  const steps: Step[] = [];
  const quick = (lo: number, hi: number): StepKind => ({ type: "quick", ms: rng.int(lo, hi) });
  // Steps before the first COPY of the sources hit the cache on a warm builder.
  let changed = !warm;
  const add = (label: string, instruction: string, kind: StepKind) => {
    if (/^COPY (--chown=\S+ )?\. /.test(instruction)) changed = true;
    if (
      manifestChanged &&
      /^(COPY (package|composer|pyproject|go\.mod)|RUN apt-get)/.test(instruction)
    ) {
      changed = true;
    }
    steps.push({ label, instruction, kind, cached: !changed });
  };
  const stage = (name: string | undefined, ref: string, instructions: [string, StepKind][]) => {
    const n = instructions.length + 1;
    bases.push(base(ref, stepLabel(name, 1, n), pulled(0.5)));
    instructions.forEach(([ins, k], i) => add(stepLabel(name, i + 2, n), ins, k));
  };
  if (kind === "node") {
    const node = official(`node:${tagOf(rng, "node", /alpine/)}`);
    stage("build", node, [
      ["WORKDIR /app", quick(20, 120)],
      ["COPY package.json package-lock.json ./", quick(30, 200)],
      ["RUN npm ci", { type: "script", script: npmCi(rng) }],
      ["COPY . .", quick(100, 1500)],
      ["RUN npm run build", { type: "script", script: npmBuild(rng, app) }],
    ]);
    stage("stage-1", official(`nginx:${tagOf(rng, "nginx", /alpine/)}`), [
      ["COPY nginx.conf /etc/nginx/conf.d/default.conf", quick(30, 150)],
      ["COPY --from=build /app/dist /usr/share/nginx/html", quick(60, 500)],
    ]);
  } else if (kind === "python") {
    // The base tag decides the interpreter uv finds and the Debian release apt installs from.
    const tag = tagOf(rng, "python", /slim/);
    const py = official(`python:${tag}`);
    const suite = debianSuite(tag);
    const python = (data.python as Record<string, string>)[tag.match(/^3\.\d+/)![0]]!;
    const project = pyProject(rng, app, python);
    const uvImage = `ghcr.io/astral-sh/uv:${tagOf(rng, "ghcr.io/astral-sh/uv", /^0\.9$/)}`;
    const apt = rng.chance(0.5);
    const has = (data.apt as Record<string, AptSuite>)[suite]!.pythonSlimHas;
    stage(undefined, py, [
      [`COPY --from=${uvImage} /uv /uvx /bin/`, quick(100, 600)],
      ...(apt
        ? [[
          "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 tini && rm -rf /var/lib/apt/lists/*",
          { type: "script", script: aptInstall(rng, suite, ["libpq5", "tini"], has) },
        ] as [string, StepKind]]
        : []),
      ["WORKDIR /app", quick(20, 100)],
      ["COPY pyproject.toml uv.lock ./", quick(30, 200)],
      ["RUN uv sync --locked --no-install-project --no-dev", {
        type: "script",
        script: uvSyncDeps(rng, project),
      }],
      ["COPY . .", quick(100, 1200)],
      ["RUN uv sync --locked --no-dev", { type: "script", script: uvSyncProject(rng, project) }],
    ]);
    bases.push(base(uvImage, undefined, pulled(0.5)));
  } else if (kind === "php") {
    stage("vendor", official(`composer:${tagOf(rng, "composer", /2\.8/)}`), [
      ["WORKDIR /app", quick(20, 100)],
      ["COPY composer.json composer.lock ./", quick(30, 200)],
      ["RUN composer install", { type: "nested", module: "composer" }],
    ]);
    stage("stage-1", official(`php:${tagOf(rng, "php", /fpm-alpine/)}`), [
      [
        `RUN apk add --no-cache icu-libs libzip && docker-php-ext-install ${PHP_EXTS.join(" ")}`,
        { type: "script", script: apkAdd(rng, ["icu-libs", "libzip"], PHP_EXTS) },
      ],
      ["WORKDIR /var/www/html", quick(20, 100)],
      ["COPY --from=vendor /app/vendor ./vendor", quick(200, 1500)],
      ["COPY . .", quick(100, 1500)],
      [
        "RUN php -d memory_limit=-1 /usr/bin/composer dump-autoload --optimize --classmap-authoritative",
        { type: "script", script: dumpAutoload(rng) },
      ],
    ]);
  } else if (kind === "go") {
    stage("build", official(`golang:${tagOf(rng, "golang", /alpine/)}`), [
      ["WORKDIR /src", quick(20, 100)],
      ["COPY go.mod go.sum ./", quick(30, 150)],
      ["RUN go mod download", { type: "script", script: silent(rng, 3_000, 25_000) }],
      ["COPY . .", quick(100, 1200)],
      [
        `RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/${app} ./cmd/${app}`,
        { type: "script", script: silent(rng, 15_000, 80_000) },
      ],
    ]);
    stage("stage-1", official(`gcr.io/distroless/static-debian12:nonroot`), [
      [`COPY --from=build /out/${app} /usr/local/bin/${app}`, quick(40, 300)],
    ]);
  } else {
    const tag = tagOf(rng, "debian", rng.chance(0.6) ? /trixie-slim/ : /bookworm-slim/);
    const ref = official(`debian:${tag}`);
    const wanted = ["ca-certificates", "curl", "git", "tini"];
    stage(undefined, ref, [
      [
        `RUN apt-get update && apt-get install -y --no-install-recommends ${
          wanted.join(" ")
        } && rm -rf /var/lib/apt/lists/*`,
        { type: "script", script: aptInstall(rng, debianSuite(tag), wanted) },
      ],
      [
        `RUN curl -fsSL https://github.com/${org}/${app}/releases/download/v${rng.int(0, 3)}.${
          rng.int(0, 20)
        }.${rng.int(0, 9)}/${app}_linux_amd64.tar.gz | tar -xz -C /usr/local/bin`,
        { type: "script", script: silent(rng, 1_500, 12_000) },
      ],
      ["RUN useradd --create-home --uid 10001 app", quick(300, 1200)],
      ["WORKDIR /home/app", quick(20, 100)],
      [`COPY --chown=app:app . .`, quick(100, 1500)],
    ]);
  }
  const registry = rng.chance(0.5) ? `docker.io/library/${app}` : rng.pick([
    `ghcr.io/${org}/${app}`,
    `registry.gitlab.com/${org}/${app}`,
  ]);
  const warnings = rng.chance(0.15)
    ? [rng.pick([
      "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
      "JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 24)",
      'LegacyKeyValueFormat: "ENV key=value" should be used instead of legacy "ENV key value" format (line 9)',
    ])]
    : [];
  return {
    bases,
    steps,
    image: `${registry}:${rng.pick(images.appTags)}`,
    builder: rng.chance(0.7) ? "default" : "desktop-linux",
    containerd: rng.chance(0.4),
    dockerfileBytes: rng.int(400, 2600),
    contextBytes: Math.floor(rng.logNormal(2_000_000, 1.5)),
    warnings,
  };
}

// ---- The progress display ---------------------------------------------------------

/** Keeps the vertices and prints them: a live block in a terminal, plain lines elsewhere. */
class Progress {
  readonly vertices: Vertex[] = [];
  readonly ctx: Context;
  readonly t0: number;
  readonly total: number;
  readonly builder: string;
  #last: Vertex | undefined;
  #drawn = Number.NEGATIVE_INFINITY;

  constructor(ctx: Context, total: number, builder: string) {
    this.ctx = ctx;
    this.t0 = ctx.clock.now();
    this.total = total;
    this.builder = builder;
    if (!ctx.term.isTTY) {
      ctx.out.line(`#0 building with "${builder}" instance using docker driver`);
    }
  }

  get now(): number {
    return this.ctx.clock.now() - this.t0;
  }

  #switchTo(v: Vertex): void {
    if (this.ctx.term.isTTY || this.#last === v) return;
    const out = this.ctx.out;
    if (this.#last && this.#last.end === undefined && !this.#last.cached) {
      out.line(`#${this.#last.num} ...`);
    }
    out.line();
    out.line(`#${v.num} ${v.name}`);
    this.#last = v;
  }

  begin(name: string): Vertex {
    const v: Vertex = {
      num: this.vertices.length + 1,
      name,
      cached: false,
      start: this.now,
      statuses: [],
      logs: [],
    };
    this.vertices.push(v);
    this.#switchTo(v);
    return v;
  }

  cached(name: string): Vertex {
    const v: Vertex = {
      num: this.vertices.length + 1,
      name,
      cached: true,
      start: this.now,
      end: this.now,
      statuses: [],
      logs: [],
    };
    this.vertices.push(v);
    this.#switchTo(v);
    if (!this.ctx.term.isTTY) this.ctx.out.line(`#${v.num} CACHED`);
    return v;
  }

  status(v: Vertex, text: string, timed: boolean, progress?: [number, number]): Status {
    const s: Status = { text, start: this.now, timed, ...(progress ? { progress } : {}) };
    v.statuses.push(s);
    return s;
  }

  /** Finishes a status; plain mode prints it then (`… 0.4s done`). */
  statusDone(v: Vertex, s: Status): void {
    s.end = this.now;
    if (s.progress) s.progress[0] = s.progress[1];
    if (this.ctx.term.isTTY) return;
    this.#switchTo(v);
    const time = s.timed ? ` ${timer(s.end - s.start)}` : "";
    this.ctx.out.line(`#${v.num} ${statusText(s)}${time} done`);
  }

  /** Plain mode shows a download's progress now and then. */
  statusProgress(v: Vertex, s: Status): void {
    if (this.ctx.term.isTTY) return;
    this.#switchTo(v);
    this.ctx.out.line(`#${v.num} ${statusText(s)} ${timer(this.now - s.start)}`);
  }

  log(v: Vertex, line: string): void {
    v.logs.push(line);
    if (this.ctx.term.isTTY) return;
    this.#switchTo(v);
    this.ctx.out.line(`#${v.num} ${logStamp(this.now - v.start!)} ${line}`.trimEnd());
  }

  done(v: Vertex): void {
    v.end = this.now;
    if (this.ctx.term.isTTY) return;
    this.#switchTo(v);
    this.ctx.out.line(`#${v.num} DONE ${timer(v.end - v.start!)}`);
  }

  /** Redraws the block in a terminal, at most once per frame (80 ms of pretend time). */
  refresh(): void {
    if (!this.ctx.term.isTTY || this.now - this.#drawn < 80) return;
    this.#drawn = this.now;
    this.ctx.out.live(this.render(false));
  }

  /** Waits, redrawing the block in a terminal every frame. */
  async wait(ms: number): Promise<void> {
    if (!this.ctx.term.isTTY) {
      await this.ctx.sleep(ms);
      return;
    }
    let left = ms;
    while (left > 0) {
      const frame = Math.min(left, this.ctx.rng.int(100, 200));
      this.ctx.out.live(this.render(false));
      await this.ctx.sleep(frame);
      left -= frame;
    }
    this.ctx.out.live(this.render(false));
  }

  /** The block: header, then each vertex with its statuses and, while running, its log tail. */
  render(finished: boolean): string[] {
    const { style, term } = this.ctx;
    const cols = term.cols;
    const now = this.now;
    const done = this.vertices.filter((v) => v.end !== undefined).length;
    const head = `[+] Building ${timer(now)} (${done}/${this.total})${finished ? " FINISHED" : ""}`;
    const name = `docker:${this.builder}`;
    const header = head.length + 1 + name.length <= cols
      ? head.padEnd(cols - name.length) + name
      : fit(head, cols);
    // Rows are formatted only when they will be shown: while running, the block keeps
    // to the last rows that fit the terminal.
    const rows: (() => string)[] = [];
    for (const v of this.vertices) {
      const complete = v.end !== undefined;
      const paint = complete ? style.blue : (t: string) => t;
      const elapsed = (complete ? v.end! : now) - v.start!;
      rows.push(() =>
        paint(blockLine(` => ${v.cached ? "CACHED " : ""}${v.name}`, timer(elapsed), cols))
      );
      for (const s of v.statuses) {
        rows.push(() =>
          paint(blockLine(` => => ${statusText(s)}`, timer((s.end ?? now) - s.start), cols))
        );
      }
      if (!complete && !finished) {
        for (const l of v.logs.slice(-6)) {
          rows.push(() => style.dim(fit(` => => # ${l}`, cols)));
        }
      }
    }
    if (finished) return [style.blue(header), ...rows.map((row) => row())];
    const room = Math.max(1, term.rows - 2);
    return [header, ...rows.slice(-room).map((row) => row())];
  }
}

function statusText(s: Status): string {
  if (!s.progress) return s.text;
  return `${s.text} ${siBytes(s.progress[0])} / ${siBytes(s.progress[1])}`;
}

/** Thrown by a nested module's sleep when its time budget is spent. */
class NestedBudgetSpent extends Error {}

/** Runs `module` as a RUN step's process: its lines become the step's log. */
async function runNested(
  ctx: Context,
  progress: Progress,
  v: Vertex,
  budgetMs: number,
): Promise<void> {
  const module = (await import("./composer.ts")).composer;
  const start = ctx.clock.now();
  let partial = "";
  const emit = (text: string) => {
    const parts = (partial + text).split("\n");
    partial = parts.pop()!;
    for (const p of parts) progress.log(v, p);
  };
  const sleep = async (ms: number) => {
    if (ctx.clock.now() - start + ms > budgetMs) throw new NestedBudgetSpent();
    progress.refresh();
    await ctx.sleep(ms);
  };
  const out: Out = {
    line: (text = "") => emit(text + "\n"),
    write: (text) => emit(text),
    type: async (text, msPerChar) => {
      for (const ch of text) {
        emit(ch);
        await sleep(msPerChar);
      }
    },
    live: () => {},
  };
  const inner: Context = {
    out,
    sleep,
    rng: ctx.rng.fork(),
    clock: ctx.clock,
    term: { cols: 80, rows: 24, isTTY: false, color: false },
    style: createStyle(false),
  };
  try {
    await module.run(inner);
  } catch (error) {
    if (!(error instanceof NestedBudgetSpent)) throw error;
  }
  if (partial) progress.log(v, partial);
}

/** Loads metadata, pulls the bases and sends the context, partly at once. */
async function prepare(ctx: Context, progress: Progress, plan: BuildPlan): Promise<void> {
  const { rng } = ctx;
  const def = progress.begin("[internal] load build definition from Dockerfile");
  const tr = progress.status(
    def,
    `transferring dockerfile: ${siBytes(plan.dockerfileBytes)}`,
    false,
  );
  await progress.wait(rng.int(20, 90));
  progress.statusDone(def, tr);
  progress.done(def);
  const metas = plan.bases.map((b) => progress.begin(`[internal] load metadata for ${b.ref}`));
  for (const m of rng.shuffle(metas)) {
    await progress.wait(rng.int(150, 1600));
    progress.done(m);
  }
  const ignore = progress.begin("[internal] load .dockerignore");
  const ti = progress.status(ignore, `transferring context: ${siBytes(rng.int(2, 400))}`, false);
  await progress.wait(rng.int(10, 60));
  progress.statusDone(ignore, ti);
  progress.done(ignore);
  for (const b of plan.bases) {
    const name = `${b.label ? `${b.label} ` : ""}FROM ${b.ref}@sha256:${b.digest}`;
    const v = progress.begin(name);
    const resolve = progress.status(v, `resolve ${b.ref}@sha256:${b.digest}`, true);
    await progress.wait(rng.int(10, 80));
    progress.statusDone(v, resolve);
    if (b.pulled) await pull(ctx, progress, v, b);
    progress.done(v);
  }
  const context = progress.begin("[internal] load build context");
  const tc = progress.status(context, `transferring context: ${siBytes(plan.contextBytes)}`, true);
  await progress.wait(Math.min(4000, 40 + plan.contextBytes / rng.int(20_000, 60_000)));
  progress.statusDone(context, tc);
  progress.done(context);
}

/** Downloads a base image's layers, then extracts them in order. */
async function pull(ctx: Context, progress: Progress, v: Vertex, b: Base): Promise<void> {
  const { rng } = ctx;
  const rate = rng.logNormal(25_000, 0.6); // bytes per ms
  const statuses = b.layers.map((l) => progress.status(v, `sha256:${l.digest}`, true, [0, l.size]));
  for (const s of statuses) progress.statusProgress(v, s);
  let open = statuses.slice();
  let lastPlain = progress.now;
  while (open.length > 0) {
    const tick = rng.int(90, 160);
    await progress.wait(tick);
    for (const s of open) {
      s.progress![0] = Math.min(s.progress![1], s.progress![0] + (rate * tick) / open.length);
    }
    for (const s of open.filter((s) => s.progress![0] >= s.progress![1])) progress.statusDone(v, s);
    open = open.filter((s) => s.end === undefined);
    if (progress.now - lastPlain > 2000) {
      for (const s of open) progress.statusProgress(v, s);
      lastPlain = progress.now;
    }
  }
  for (const l of b.layers) {
    const s = progress.status(v, `extracting sha256:${l.digest}`, true);
    await progress.wait(Math.min(6000, 20 + l.size / rng.int(40_000, 120_000)));
    progress.statusDone(v, s);
  }
}

async function exportImage(ctx: Context, progress: Progress, plan: BuildPlan): Promise<void> {
  const { rng } = ctx;
  const v = progress.begin("exporting to image");
  const step = async (text: string, timed: boolean, ms: number) => {
    const s = progress.status(v, text, timed);
    await progress.wait(ms);
    progress.statusDone(v, s);
  };
  await step("exporting layers", true, rng.int(300, 6000));
  if (plan.containerd) {
    await step(`exporting manifest sha256:${rng.hex(64)}`, true, rng.int(10, 60));
    await step(`exporting config sha256:${rng.hex(64)}`, true, rng.int(10, 60));
    await step(`exporting attestation manifest sha256:${rng.hex(64)}`, true, rng.int(10, 80));
    await step(`exporting manifest list sha256:${rng.hex(64)}`, true, rng.int(10, 60));
    await step(`naming to ${plan.image}`, false, rng.int(5, 20));
    await step(`unpacking to ${plan.image}`, true, rng.int(200, 3000));
  } else {
    await step(`writing image sha256:${rng.hex(64)}`, false, rng.int(5, 30));
    await step(`naming to ${plan.image}`, false, rng.int(5, 20));
  }
  progress.done(v);
}

async function run(ctx: Context): Promise<void> {
  const { out, rng } = ctx;
  const plan = planBuild(rng);
  const total = 1 + plan.bases.length * 2 + 1 + 1 + plan.steps.length + 1;
  const progress = new Progress(ctx, total, plan.builder);
  await prepare(ctx, progress, plan);
  // Keep the whole build bounded: what the scripted steps need, the rest for a nested run.
  const scripted = plan.steps.reduce(
    (a, s) => a + (s.cached ? 0 : s.kind.type === "script" ? s.kind.script.ms : 0),
    0,
  );
  const nestedBudget = Math.max(15_000, Math.min(100_000, 190_000 - progress.now - scripted));
  for (const step of plan.steps) {
    const name = `${step.label} ${step.instruction}`;
    if (step.cached) {
      progress.cached(name);
      await progress.wait(rng.int(0, 30));
      continue;
    }
    const v = progress.begin(name);
    const kind = step.kind;
    if (kind.type === "quick") {
      await progress.wait(kind.ms);
    } else if (kind.type === "script") {
      let at = 0;
      for (const [t, line] of kind.script.lines) {
        if (t > at) await progress.wait(t - at);
        at = Math.max(at, t);
        progress.log(v, line);
      }
      await progress.wait(Math.max(0, kind.script.ms - at));
    } else {
      await progress.wait(rng.int(100, 400));
      await runNested(ctx, progress, v, nestedBudget);
      await progress.wait(rng.int(100, 600));
    }
    progress.done(v);
  }
  await exportImage(ctx, progress, plan);
  if (ctx.term.isTTY) {
    out.live([]);
    for (const line of progress.render(true)) out.line(line);
  }
  if (plan.builder === "desktop-linux") {
    out.line(
      `${
        ctx.term.isTTY ? "" : "\n"
      }View build details: docker-desktop://dashboard/build/desktop-linux/desktop-linux/${
        rng.hex(25)
      }`,
    );
  }
  if (plan.warnings.length > 0) {
    out.line();
    out.line(` ${plan.warnings.length} warning found (use docker --debug to expand):`);
    for (const w of plan.warnings) out.line(` - ${w}`);
  }
}

/** `docker build` with BuildKit: the live `[+] Building` block, or plain progress. */
export const docker_build: Module = {
  name: "docker_build",
  signature: 'docker build -t "$IMAGE" .',
  about: "Build a container image with Docker BuildKit",
  maxDurationMs: 240_000,
  liveOnStop: "keep",
  run,
};
