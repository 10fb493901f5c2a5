/**
 * docker_build format tests. Plain progress: vertices are numbered in order,
 * each ends DONE or CACHED once, step numbers run 1..n per stage, log stamps
 * use BuildKit's precision and stay inside their step's time. Terminal block:
 * the final `(done/total) FINISHED` header counts the vertex lines, every
 * timer is right-aligned and no step took longer than the whole build.
 */

import assert from "node:assert/strict";
import {
  aptClosure,
  aptSize,
  blockLine,
  debianSuite,
  docker_build,
  logStamp,
  siBytes,
  stepLabel,
} from "../modules/docker_build.ts";
import data from "../data/docker_build.json" with { type: "json" };
import { stripAnsi } from "../core/ansi.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

Deno.test("docker_build: BuildKit's units and labels", () => {
  assert.equal(siBytes(735), "735B");
  assert.equal(siBytes(1470), "1.47kB");
  assert.equal(siBytes(2_800_000), "2.80MB");
  assert.equal(logStamp(412), "0.412");
  assert.equal(logStamp(12_345), "12.35");
  assert.equal(logStamp(123_456), "123.5");
  assert.equal(stepLabel("build", 3, 6), "[build 3/6]");
  assert.equal(stepLabel(undefined, 4, 11), "[ 4/11]");
  const line = blockLine(" => [build 4/6] RUN npm ci", "33.4s", 80);
  assert.equal(line.length, 80);
  assert.ok(line.endsWith(" 33.4s"));
});

Deno.test("docker_build: plain progress numbering, steps and timers agree over many seeds", async () => {
  let logsSeen = 0;
  for (const seed of SEEDS) {
    const run = await captureModule(docker_build, { seed, cols: 80 });
    const lines = run.output.split("\n");
    assert.match(
      lines[0]!,
      /^#0 building with "(default|desktop-linux)" instance using docker driver$/,
    );
    const names = new Map<number, string>();
    const ends = new Map<number, string>();
    const lastStamp = new Map<number, number>();
    let expected = 1;
    for (const l of lines.slice(1)) {
      const m = l.match(/^#(\d+) (.*)$/);
      if (!m) continue;
      const n = Number(m[1]);
      const rest = m[2]!;
      if (!names.has(n)) {
        assert.equal(n, expected, `seed ${seed}: vertex #${n} announced out of order`);
        expected++;
        names.set(n, rest);
        continue;
      }
      assert.ok(!ends.has(n), `seed ${seed}: output for #${n} after it ended: ${l}`);
      if (rest === "CACHED" || rest.startsWith("DONE ")) {
        ends.set(n, rest);
        if (rest.startsWith("DONE ")) {
          const done = Number(rest.match(/^DONE (\d+\.\d)s$/)?.[1]);
          assert.ok(Number.isFinite(done), `seed ${seed}: ${l}`);
          assert.ok(
            (lastStamp.get(n) ?? 0) <= done + 0.05,
            `seed ${seed}: #${n} logs after DONE ${done}`,
          );
        }
        continue;
      }
      const log = rest.match(/^(\d+\.\d+) /);
      if (log) {
        const [int, frac] = log[1]!.split(".");
        const s = Number(log[1]);
        assert.equal(frac!.length, s < 10 ? 3 : s < 100 ? 2 : 1, `seed ${seed}: stamp ${log[1]}`);
        assert.ok(
          Number(int) >= 0 && s >= (lastStamp.get(n) ?? 0),
          `seed ${seed}: stamps go back: ${l}`,
        );
        lastStamp.set(n, s);
        logsSeen++;
      }
    }
    for (const n of names.keys()) assert.ok(ends.has(n), `seed ${seed}: #${n} never finished`);
    // Step numbers: per stage 1..n, each once, with one n.
    const stages = new Map<string, { n: number; seen: number[] }>();
    for (const name of names.values()) {
      const m = name.match(/^\[(?:(\S+) )?\s*(\d+)\/(\d+)\]/);
      if (!m) continue;
      const key = m[1] ?? "";
      const st = stages.get(key) ?? { n: Number(m[3]), seen: [] };
      assert.equal(Number(m[3]), st.n, `seed ${seed}: stage ${key} totals differ`);
      st.seen.push(Number(m[2]));
      stages.set(key, st);
    }
    assert.ok(stages.size > 0, `seed ${seed}: no steps`);
    for (const [key, st] of stages) {
      assert.deepEqual(
        st.seen,
        Array.from({ length: st.n }, (_, i) => i + 1),
        `seed ${seed}: stage ${key}`,
      );
    }
    assert.match(run.output, /^#\d+ naming to \S+:\S+ done$/m, `seed ${seed}: no naming line`);
  }
  assert.ok(logsSeen > 100, `only ${logsSeen} log lines in all seeds`);
});

Deno.test("docker_build: the final terminal block counts its vertices and aligns its timers", async () => {
  for (const seed of SEEDS.slice(0, 20)) {
    const cols = 100;
    const run = await captureModule(docker_build, { seed, cols, rows: 40, tty: true });
    const text = stripAnsi(run.output);
    const at = text.lastIndexOf("[+] Building ");
    const block = text.slice(at).split("\n");
    const head = block[0]!.match(
      /^\[\+\] Building (\d+\.\d)s \((\d+)\/(\d+)\) FINISHED +docker:\S+$/,
    );
    assert.ok(head, `seed ${seed}: final header ${block[0]}`);
    assert.equal(block[0]!.length, cols, `seed ${seed}: header not right-aligned`);
    assert.equal(head[2], head[3], `seed ${seed}: not all vertices done`);
    const rows = block.slice(1).filter((l) => l.startsWith(" => "));
    const vertices = rows.filter((l) => !l.startsWith(" => => "));
    assert.equal(vertices.length, Number(head[3]), `seed ${seed}: vertex lines vs total`);
    const total = Number(head[1]);
    for (const r of rows) {
      assert.equal(r.length, cols, `seed ${seed}: timer not at the right edge: ${r}`);
      const t = Number(r.match(/ (\d+\.\d)s$/)?.[1]);
      assert.ok(t <= total + 0.05, `seed ${seed}: ${t}s longer than the build ${total}s`);
      assert.ok(!r.startsWith(" => => # "), `seed ${seed}: log line left in the final block`);
    }
  }
});

Deno.test("docker_build: apt's sizes and the release under a tag", () => {
  assert.equal(aptSize(8808), "8808 B");
  assert.equal(aptSize(55_400), "55.4 kB");
  assert.equal(aptSize(8_792_000), "8792 kB");
  assert.equal(aptSize(12_500_000), "12.5 MB");
  assert.equal(debianSuite("3.13-slim-bookworm"), "bookworm");
  assert.equal(debianSuite("bookworm-slim"), "bookworm");
  assert.equal(debianSuite("3.14-slim"), "trixie");
  assert.equal(debianSuite("trixie-slim"), "trixie");
});

type Suite = {
  packages: Record<string, { version: string; arch: string; multiArch: boolean; deps: string[] }>;
};
const SUITES = data.apt as unknown as Record<string, Suite>;

/** The lines of one plain vertex's log, without the `#N 1.234 ` prefix. */
function vertexLogs(lines: string[], title: RegExp): { name: string; logs: string[] }[] {
  const found: { name: string; logs: string[] }[] = [];
  for (const l of lines) {
    const head = l.match(/^#(\d+) (\[.*)$/);
    if (head && title.test(head[2]!) && !found.some((f) => f.name === head[1])) {
      found.push({ name: head[1]!, logs: [] });
    }
  }
  for (const f of found) {
    for (const l of lines) {
      const m = l.match(/^#(\d+) \d+\.\d+ ?(.*)$/);
      if (m && m[1] === f.name) f.logs.push(m[2]!);
    }
  }
  return found;
}

Deno.test("docker_build: one project per Dockerfile: base, interpreter, lock and apt agree", async () => {
  const digests = new Map<string, string>();
  let python = 0, apt = 0, vite = 0;
  for (const seed of Array.from({ length: 120 }, (_, i) => i + 1)) {
    const run = await captureModule(docker_build, { seed, cols: 80 });
    const lines = run.output.split("\n");
    // One tag, one digest, in every run.
    for (const m of run.output.matchAll(/^#\d+ \[.*\] FROM (\S+)@sha256:([0-9a-f]{64})$/gm)) {
      const seen = digests.get(m[1]!);
      assert.ok(!seen || seen === m[2], `seed ${seed}: ${m[1]} has two digests`);
      digests.set(m[1]!, m[2]!);
    }
    const from = run.output.match(/FROM docker\.io\/library\/(python|debian):(\S+?)@/);

    // uv: the base image's Python, one lock, one project at /app.
    const uv = vertexLogs(lines, /RUN uv sync/);
    // A warm builder may have both steps CACHED (no log); the checks need both logs.
    if (from?.[1] === "python" && uv.every((u) => u.logs.length > 0)) {
      python++;
      assert.equal(uv.length, 2, `seed ${seed}: two uv steps`);
      const minor = from[2]!.match(/^3\.\d+/)![0];
      const using = uv[0]!.logs.find((l) => l.startsWith("Using CPython"));
      assert.match(
        using ?? "",
        new RegExp(
          `^Using CPython ${
            minor.replace(".", "\\.")
          }\\.\\d+ interpreter at: /usr/local/bin/python${minor}$`,
        ),
        `seed ${seed}`,
      );
      const resolved = uv.map((u) => u.logs.find((l) => l.startsWith("Resolved "))!);
      assert.equal(
        resolved[0],
        resolved[1]!.replace(/in \d+ms/, resolved[0]!.match(/in \d+ms/)![0]),
        `seed ${seed}: ${resolved}`,
      );
      const installed = Number(
        uv[0]!.logs.find((l) => l.startsWith("Installed "))!.match(/\d+/)![0],
      );
      assert.equal(
        uv[0]!.logs.filter((l) => l.startsWith(" + ")).length,
        installed,
        `seed ${seed}`,
      );
      assert.ok(
        installed < Number(resolved[0]!.match(/\d+/)![0]),
        `seed ${seed}: dev group not in the lock`,
      );
      const built = uv[1]!.logs.find((l) => /Built \S+ @ file:\/\/\/app$/.test(l))?.trim().split(
        " ",
      )[1];
      assert.ok(built, `seed ${seed}`);
      assert.ok(
        uv[1]!.logs.some((l) => l.startsWith(` + ${built}==`) && l.endsWith("(from file:///app)")),
        `seed ${seed}`,
      );
      for (const m of run.output.matchAll(/Downloading (\S+) \(/g)) {
        assert.ok(uv[0]!.logs.includes(` Downloaded ${m[1]}`), `seed ${seed}: ${m[1]}`);
      }
    }
    assert.ok(!run.output.includes("file:///home"), `seed ${seed}: a home path in a container`);

    // apt: the base's release, what was asked plus its dependencies, one dpkg run.
    for (const step of vertexLogs(lines, /RUN apt-get update/).filter((s) => s.logs.length > 0)) {
      apt++;
      assert.ok(from, `seed ${seed}: apt without a Debian base`);
      const suiteName = debianSuite(from[2]!);
      const suite = SUITES[suiteName]!;
      const header = lines.find((l) => l.includes("RUN apt-get update"))!;
      const asked = header.match(/--no-install-recommends (.*?) &&/)![1]!.split(" ");
      for (const l of step.logs.filter((l) => l.startsWith("Get:"))) {
        assert.match(l, new RegExp(` ${suiteName}(-updates|-security)?[ /]`), `seed ${seed}: ${l}`);
      }
      const at = step.logs.indexOf("The following NEW packages will be installed:");
      const listed: string[] = [];
      for (const l of step.logs.slice(at + 1)) {
        if (!l.startsWith("  ")) break;
        listed.push(...l.trim().split(" "));
      }
      const pythonHas = from[1] === "python"
        ? (data.apt as Record<string, { pythonSlimHas: string[] }>)[suiteName]!.pythonSlimHas
        : [];
      assert.deepEqual(listed, aptClosure(suite as never, asked, pythonHas), `seed ${seed}`);
      for (const n of listed) {
        assert.ok(
          asked.includes(n) || listed.some((o) => suite.packages[o]!.deps.includes(n)),
          `seed ${seed}: ${n} installed though nothing needs it`,
        );
      }
      assert.ok(
        step.logs.includes(
          `0 upgraded, ${listed.length} newly installed, 0 to remove and 0 not upgraded.`,
        ),
        `seed ${seed}`,
      );
      assert.equal(
        step.logs.filter((l) => l.startsWith("(Reading database ...")).length,
        1,
        `seed ${seed}`,
      );
      const prepared = step.logs.filter((l) => l.startsWith("Preparing to unpack"));
      assert.equal(prepared.length, listed.length, `seed ${seed}`);
      prepared.forEach((l, i) =>
        assert.ok(
          l.startsWith(`Preparing to unpack .../${String(i).padStart(2, "0")}-`),
          `seed ${seed}: ${l}`,
        )
      );
      for (const l of step.logs) {
        const m = l.match(
          /^(?:Selecting previously unselected package (\S+?)\.$|(?:Unpacking|Setting up) (\S+) \()/,
        );
        if (!m) continue;
        const [name, arch] = (m[1] ?? m[2]!).split(":");
        const pkg = suite.packages[name!];
        assert.ok(pkg, `seed ${seed}: ${l}`);
        assert.equal(arch === "amd64", pkg.multiArch, `seed ${seed}: ${l}`);
      }
      if (suiteName === "bookworm") {
        assert.ok(!listed.some((n) => n.includes("t64")), `seed ${seed}`);
      }
    }

    // apk installs what was asked; docker-php-ext-install builds exactly the extensions named.
    for (const step of vertexLogs(lines, /RUN apk add/).filter((s) => s.logs.length > 0)) {
      const header = lines.find((l) => l.includes("RUN apk add"))!;
      const asked = header.match(/--no-cache (.*?) &&/)![1]!.split(" ");
      const exts = header.match(/docker-php-ext-install (.*)$/)![1]!.split(" ");
      const installed = step.logs.map((l) => l.match(/^\(\d+\/\d+\) Installing (\S+)/)?.[1])
        .filter((n) => n !== undefined);
      for (const a of asked) assert.ok(installed.includes(a), `seed ${seed}: ${a} not installed`);
      const built = step.logs.map((l) => l.match(/^\+ strip --strip-all modules\/(\w+)\.so$/)?.[1])
        .filter((n) => n !== undefined);
      assert.deepEqual(built, exts, `seed ${seed}: extensions built`);
    }
    // Vite 7 (Rollup 4) names chunks with base64url hashes; npm's audit summary is whole.
    for (const m of run.output.matchAll(/dist\/assets\/[\w-]+?-([\w-]{8})\.(js|css) /g)) {
      vite++;
      assert.match(m[1]!, /^[A-Za-z0-9_-]{8}$/);
    }
    if (/severity vulnerabilit/.test(run.output)) {
      assert.match(run.output, /npm audit fix[\s\S]*Run `npm audit` for details\./, `seed ${seed}`);
    }
  }
  assert.ok(python >= 10 && apt >= 10 && vite >= 10, `python ${python}, apt ${apt}, vite ${vite}`);
});

Deno.test("docker_build: the image is named after what it builds, in its organisation", async () => {
  let releases = 0, projects = 0;
  for (const seed of Array.from({ length: 120 }, (_, i) => i + 1)) {
    const { output } = await captureModule(docker_build, { seed, cols: 80 });
    const image = output.match(/^#\d+ naming to (\S+):\S+ done$/m)![1]!;
    const [org, app] = image.split("/").slice(-2) as [string, string];
    const release = output.match(/github\.com\/([\w-]+)\/([\w-]+)\/releases\/download\//);
    if (release) {
      releases++;
      assert.equal(release[2], app, `seed ${seed}: downloads ${release[2]}, builds ${image}`);
      if (!image.startsWith("docker.io/library/")) {
        assert.equal(release[1], org, `seed ${seed}: releases from ${release[1]}, pushes ${image}`);
      }
    }
    const built = output.match(/ Built (\S+) @ file:\/\/\/app$/m);
    if (built) {
      projects++;
      assert.equal(built[1], app, `seed ${seed}: uv builds ${built[1]} into ${image}`);
    }
  }
  assert.ok(releases > 3 && projects > 3, `releases ${releases}, projects ${projects}`);
});

Deno.test("docker_build: Vite's size report is grouped, sorted and aligned as Vite prints it", async () => {
  let reports = 0, large = 0;
  for (const seed of Array.from({ length: 150 }, (_, i) => i + 1)) {
    const lines = (await captureModule(docker_build, { seed, cols: 80 })).output.split("\n");
    const build = vertexLogs(lines, /RUN npm run build/).find((v) => v.logs.length > 0);
    if (!build) continue;
    reports++;
    const rows = build.logs.flatMap((l) => {
      const m = l.match(/^(dist\/\S+) +([\d,]+\.\d\d) kB │ gzip: +([\d,]+\.\d\d) kB$/);
      return m ? [{ line: l, name: m[1]!, kB: Number(m[2]!.replaceAll(",", "")), gz: m[3]! }] : [];
    });
    const kind = (n: string) => (n.endsWith(".js") ? 2 : n.endsWith(".css") ? 1 : 0);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      assert.ok(
        kind(a.name) < kind(b.name) || (kind(a.name) === kind(b.name) && a.kB <= b.kB),
        `seed ${seed}: ${a.name} before ${b.name}`,
      );
    }
    // Both size columns are right-aligned to their widest value, thousands separated.
    assert.equal(new Set(rows.map((r) => r.line.indexOf(" kB │"))).size, 1, `seed ${seed}`);
    assert.equal(new Set(rows.map((r) => r.line.length)).size, 1, `seed ${seed}: gzip column`);
    assert.ok(
      rows.some((r) => r.line.includes(`gzip: ${r.gz}`)),
      `seed ${seed}: gzip padded wider`,
    );
    for (const r of rows) {
      assert.equal(r.kB >= 1000, r.line.includes(","), `seed ${seed}: ${r.line}`);
    }
    // Vite warns about a JS chunk over 500 kB, and only then.
    const over = rows.some((r) => r.name.endsWith(".js") && r.kB > 500);
    const warned = build.logs.some((l) => l.startsWith("(!) Some chunks are larger than 500 kB"));
    assert.equal(warned, over, `seed ${seed}: chunk-size warning`);
    if (over) large++;
  }
  assert.ok(reports >= 15 && large >= 1, `reports ${reports}, over 500 kB ${large}`);
});

Deno.test("docker_build snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(docker_build, { seed: 1, cols: 80 })).output);
});
