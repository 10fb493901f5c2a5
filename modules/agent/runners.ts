/**
 * What the agent's test commands print: vitest (non-interactive reporter),
 * pytest and `go test`, rendered from the test cases of the run so counts,
 * names and locations agree with the files the agent read.
 *
 * @module
 */

/** One test case in a run. */
export interface Case {
  name: string;
  ok: boolean;
  ms: number;
  /** Failure text (first line of the error). */
  message?: string;
}

/** A test file (vitest, pytest) or a package (go) and its cases. */
export interface Unit {
  path: string;
  cases: Case[];
  ms: number;
}

/** Where a failure points in source: the file's lines and the failing line's text. */
export interface Frame {
  path: string;
  lines: readonly string[];
  /** 1-based line number. */
  line: number;
  /** 1-based column of the failing expression. */
  col: number;
}

/** vitest's duration: `388ms`, `1.42s`. */
export function vitestDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

/** vitest's non-interactive default reporter. */
export function vitestOutput(
  version: string,
  cwd: string,
  units: readonly Unit[],
  startedAt: string,
  totalMs: number,
  frames: ReadonlyMap<string, Frame>,
): string[] {
  const out = ["", ` RUN  v${version} ${cwd}`, ""];
  const failures: { unit: Unit; c: Case }[] = [];
  for (const unit of units) {
    const failed = unit.cases.filter((c) => !c.ok);
    const n = unit.cases.length;
    const tests = `${n} test${n === 1 ? "" : "s"}`;
    if (failed.length === 0) {
      out.push(` ✓ ${unit.path} (${tests}) ${vitestDuration(unit.ms)}`);
      continue;
    }
    out.push(` ❯ ${unit.path} (${tests} | ${failed.length} failed) ${vitestDuration(unit.ms)}`);
    for (const c of unit.cases) {
      out.push(`   ${c.ok ? "✓" : "×"} ${c.name} ${vitestDuration(c.ms)}`);
      if (!c.ok) {
        out.push(`     → ${c.message}`);
        failures.push({ unit, c });
      }
    }
  }
  if (failures.length > 0) {
    out.push("", `⎯⎯⎯⎯⎯⎯⎯ Failed Tests ${failures.length} ⎯⎯⎯⎯⎯⎯⎯`, "");
    failures.forEach(({ unit, c }, k) => {
      out.push(` FAIL  ${unit.path} > ${c.name}`);
      const timeout = c.message!.startsWith("Test timed out");
      out.push(timeout ? `Error: ${c.message}` : `AssertionError: ${c.message}`);
      if (timeout) {
        out.push(
          'If this is a long-running test, pass a timeout value as the last argument or configure it globally with "testTimeout".',
        );
      }
      const frame = frames.get(`${unit.path} > ${c.name}`);
      if (frame) {
        out.push(` ❯ ${frame.path}:${frame.line}:${frame.col}`);
        for (let n = frame.line - 2; n <= frame.line + 2; n++) {
          if (n < 1 || n > frame.lines.length) continue;
          out.push(`${String(n).padStart(6)}| ${frame.lines[n - 1]}`);
          if (n === frame.line) out.push(`      | ${" ".repeat(frame.col - 1)}^`);
        }
      }
      out.push("", `${"⎯".repeat(51)}[${k + 1}/${failures.length}]⎯`, "");
    });
  } else {
    out.push("");
  }
  const filesFailed = units.filter((u) => u.cases.some((c) => !c.ok)).length;
  const cases = units.flatMap((u) => u.cases);
  const casesFailed = cases.filter((c) => !c.ok).length;
  const count = (failed: number, total: number) =>
    failed > 0
      ? `${failed} failed${total > failed ? ` | ${total - failed} passed` : ""} (${total})`
      : `${total} passed (${total})`;
  const part = (share: number) => Math.round(totalMs * share);
  out.push(
    ` Test Files  ${count(filesFailed, units.length)}`,
    `      Tests  ${count(casesFailed, cases.length)}`,
    `   Start at  ${startedAt}`,
    `   Duration  ${vitestDuration(totalMs)} (transform ${
      vitestDuration(part(0.14))
    }, setup 0ms, ` +
      `collect ${vitestDuration(part(0.2))}, tests ${
        vitestDuration(units.reduce((a, u) => a + u.ms, 0))
      }, environment 0ms, prepare ${vitestDuration(part(0.22))})`,
  );
  return out;
}

/** pytest's `sep`: a title centred in a rule of `width` columns. */
export function pytestRule(char: string, title: string, width = 80): string {
  if (title === "") return char.repeat(width);
  const n = Math.max(1, Math.floor((width - title.length - 2) / (2 * char.length)));
  const fill = char.repeat(n);
  let line = `${fill} ${title} ${fill}`;
  if (line.length + char.trimEnd().length <= width) line += char.trimEnd();
  return line;
}

/** A pytest progress line: the dots, padded so `[ NN%]` ends at column 80. */
function pytestProgress(prefix: string, dots: string, percent: number): string {
  const tail = `[${String(percent).padStart(3)}%]`;
  const head = prefix === "" ? dots : `${prefix} ${dots}`;
  return head + " ".repeat(Math.max(1, 80 - head.length - tail.length)) + tail;
}

/** The result word pytest uses in its summary: `1 failed, 30 passed in 0.84s`. */
function pytestSummary(units: readonly Unit[], ms: number): string {
  const cases = units.flatMap((u) => u.cases);
  const failed = cases.filter((c) => !c.ok).length;
  const passed = cases.length - failed;
  const parts = [
    ...(failed > 0 ? [`${failed} failed`] : []),
    ...(passed > 0 ? [`${passed} passed`] : []),
  ];
  return `${parts.join(", ")} in ${(ms / 1000).toFixed(2)}s`;
}

/** A failing pytest case as the long traceback style shows it. */
export interface PyFailure {
  unit: Unit;
  c: Case;
  /** Test function frame, then (optionally) the frame that raised. */
  frames: { frame: Frame; start: number; args?: string }[];
  /** `ValueError` and so on: the exception's type name. */
  type: string;
}

function pytestFailures(failures: readonly PyFailure[]): string[] {
  const out: string[] = [pytestRule("=", "FAILURES")];
  for (const f of failures) {
    out.push(pytestRule("_", f.c.name), "");
    f.frames.forEach(({ frame, start, args }, k) => {
      if (args) out.push(args, "");
      for (let n = start; n <= frame.line; n++) {
        out.push(`${n === frame.line ? ">" : " "}   ${frame.lines[n - 1]}`);
      }
      const last = k === f.frames.length - 1;
      if (last) out.push(`E   ${f.c.message}`);
      out.push("", `${frame.path}:${frame.line}: ${last ? f.type : ""}`);
      if (!last) out.push("_ ".repeat(39) + "_", "");
    });
  }
  return out;
}

/** `pytest -q <target>`. */
export function pytestQuiet(
  units: readonly Unit[],
  ms: number,
  failures: readonly PyFailure[],
): string[] {
  const marks = units.flatMap((u) => u.cases).map((c) => (c.ok ? "." : "F")).join("");
  const out = [pytestProgress("", marks, 100)];
  if (failures.length > 0) {
    out.push(...pytestFailures(failures));
    out.push(pytestRule("=", "short test summary info"));
    for (const f of failures) out.push(`FAILED ${f.unit.path}::${f.c.name} - ${f.c.message}`);
  }
  out.push(pytestSummary(units, ms));
  return out;
}

/** Plain `pytest`: the session header, one progress line per file, the coloured-rule summary. */
export function pytestFull(
  header: { python: string; pytest: string; pluggy: string; cwd: string; plugins: string },
  units: readonly Unit[],
  ms: number,
  failures: readonly PyFailure[],
): string[] {
  const total = units.reduce((a, u) => a + u.cases.length, 0);
  const out = [
    pytestRule("=", "test session starts"),
    `platform linux -- Python ${header.python}, pytest-${header.pytest}, pluggy-${header.pluggy}`,
    `rootdir: ${header.cwd}`,
    "configfile: pyproject.toml",
    `plugins: ${header.plugins}`,
    `collected ${total} items`,
    "",
  ];
  let done = 0;
  for (const u of units) {
    done += u.cases.length;
    const marks = u.cases.map((c) => (c.ok ? "." : "F")).join("");
    out.push(pytestProgress(u.path, marks, Math.floor((done * 100) / total)));
  }
  out.push("");
  if (failures.length > 0) {
    out.push(...pytestFailures(failures));
    out.push(pytestRule("=", "short test summary info"));
    for (const f of failures) out.push(`FAILED ${f.unit.path}::${f.c.name} - ${f.c.message}`);
  }
  out.push(pytestRule("=", pytestSummary(units, ms)));
  return out;
}

/** Expands tabs to the next multiple of `stop` columns. */
export function expandTabs(line: string, stop = 8): string {
  let out = "";
  for (const ch of line) {
    if (ch === "\t") out += " ".repeat(stop - (out.length % stop));
    else out += ch;
  }
  return out;
}

/** `go test` (not verbose): failures in full, one status line per package. */
export function goTestOutput(
  module: string,
  units: readonly (Unit & { noTests?: boolean })[],
  failFiles: ReadonlyMap<string, { file: string; line: number }>,
): string[] {
  const out: string[] = [];
  let anyFailed = false;
  for (const u of units) {
    const pkg = `${module}/${u.path}`;
    if (u.noTests) {
      out.push(`?   \t${pkg}\t[no test files]`);
      continue;
    }
    const failed = u.cases.filter((c) => !c.ok);
    if (failed.length === 0) {
      out.push(`ok  \t${pkg}\t${(u.ms / 1000).toFixed(3)}s`);
      continue;
    }
    anyFailed = true;
    for (const c of failed) {
      const at = failFiles.get(`${u.path} ${c.name}`);
      out.push(`--- FAIL: ${c.name} (${(c.ms / 1000).toFixed(2)}s)`);
      out.push(`    ${at ? `${at.file}:${at.line}: ` : ""}${c.message}`);
    }
    out.push("FAIL", `FAIL\t${pkg}\t${(u.ms / 1000).toFixed(3)}s`);
  }
  if (anyFailed) out.push("FAIL");
  return out.map((l) => expandTabs(l));
}

/** One test binary of a `cargo test` run. */
export interface CargoBinary {
  /** `unittests src/lib.rs`, `tests/duration.rs`, or `Doc-tests` for doc tests. */
  label: string;
  /** `target/debug/deps/duration-3f9a2c1b7d4e8a60`. */
  artifact: string;
  unit: Unit;
  /** Panic site and message lines per failing test. */
  panics: ReadonlyMap<string, { at: string; lines: string[] }>;
  /** Tests left out by a name filter. */
  filtered?: number;
}

/** `cargo test`: the compile (none when nothing changed), then each binary until one fails. */
export function cargoTestOutput(
  compiling: string,
  finishedSeconds: number,
  binaries: readonly CargoBinary[],
  rerun: string,
): string[] {
  const out = [
    ...(compiling ? [`   Compiling ${compiling}`] : []),
    `    Finished \`test\` profile [unoptimized + debuginfo] target(s) in ${
      finishedSeconds.toFixed(2)
    }s`,
  ];
  for (const b of binaries) {
    out.push(
      b.label.startsWith("Doc-tests") ? `   ${b.label}` : `     Running ${b.label} (${b.artifact})`,
      "",
    );
    const cases = b.unit.cases;
    out.push(`running ${cases.length} test${cases.length === 1 ? "" : "s"}`);
    for (const c of cases) out.push(`test ${c.name} ... ${c.ok ? "ok" : "FAILED"}`);
    const failed = cases.filter((c) => !c.ok);
    if (failed.length > 0) {
      out.push("", "failures:", "");
      for (const c of failed) {
        const p = b.panics.get(c.name);
        out.push(
          `---- ${c.name} stdout ----`,
          "",
          `thread '${c.name}' panicked at ${p?.at ?? "?"}:`,
        );
        out.push(...(p?.lines ?? [c.message ?? ""]));
        out.push(
          "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
          "",
        );
      }
      out.push("", "failures:", ...failed.map((c) => `    ${c.name}`));
    }
    const passed = cases.length - failed.length;
    out.push(
      "",
      `test result: ${
        failed.length > 0 ? "FAILED" : "ok"
      }. ${passed} passed; ${failed.length} failed; 0 ignored; 0 measured; ${
        b.filtered ?? 0
      } filtered out; finished in ${(b.unit.ms / 1000).toFixed(2)}s`,
      "",
    );
    if (failed.length > 0) {
      out.push(
        `error: test failed, to rerun pass \`${rerun === "lib" ? "--lib" : `--test ${rerun}`}\``,
      );
      break;
    }
  }
  return out;
}
