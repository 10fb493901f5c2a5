/**
 * pytest: a Python project's test suite, as pytest 8 prints it, with or
 * without pytest-xdist and pytest-cov.
 *
 * One project per run: a FastAPI service, a Django site or a small library,
 * its source modules and a test file per module with tests named after what
 * the module does. The header names the Python, pytest, pluggy and plugin
 * versions (real releases); results are written letter by letter and wrap as
 * pytest's terminal reporter wraps them: a `[ NN%]` column right-aligned to
 * the width, a continuation line when the letters reach the edge. With xdist
 * the letters arrive out of order with no file names. Failures print their
 * traceback in pytest's long format (with the carets of Python 3.11+), the
 * warnings summary groups the tests that warned, the coverage table adds up,
 * and the coloured final rule counts exactly the letters above it.
 *
 * @module
 */

import data from "../data/pytest.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

type Flavour = (typeof data.flavours)[number];
type SourceModule = Flavour["modules"][number];
type Warning = Flavour["warnings"][number];

/** One collected test. */
export interface TestItem {
  /** The file, relative to rootdir. */
  file: string;
  /** The node name: `test_rejects_refund` or `test_parses_amount[3.5-4]`. */
  name: string;
  outcome: "passed" | "failed" | "skipped" | "xfailed";
  /** Pretend milliseconds it runs. */
  ms: number;
  /** For failures: which module it tests. */
  module: SourceModule;
}

/** One pytest run, drawn up front. */
export interface PytestPlan {
  flavour: Flavour;
  project: string;
  /** The import package: `tollgate`. */
  pkg: string;
  rootdir: string;
  python: string;
  pytest: string;
  pluggy: string;
  plugins: string[];
  /** pytest-xdist workers (0 without xdist). */
  workers: number;
  coverage: boolean;
  /** `--cov-report=term-missing`. */
  missing: boolean;
  files: { path: string; tests: TestItem[] }[];
  /** Warning groups: the tests that triggered each. */
  warnings: { warning: Warning; tests: TestItem[] }[];
  /** Pretend ms of collection (and worker start-up). */
  collectMs: number;
}

/** Draws one run. */
export function planRun(rng: Rng): PytestPlan {
  const flavour = rng.pick(data.flavours);
  const project = rng.pick(flavour.names);
  const pkg = project.replace(/-/g, "_");
  const user = rng.pick(data.users);
  const rootdir = rng.chance(0.35)
    ? `/home/runner/work/${project}/${project}`
    : `/home/${user}/${rng.pick(["src", "code", "work"])}/${project}`;
  const [pytest, pluggy] = rng.pick(data.pytests) as [string, string];
  const coverage = rng.chance(0.55);
  const workers = rng.chance(0.4) ? rng.pick([2, 4, 4, 8, 8, 16]) : 0;
  const plugins = [
    ...flavour.plugins.map(([n, v]) => `${n}-${v}`),
    ...(coverage ? [`cov-${rng.pick(data.cov)}`] : []),
    ...(workers > 0 ? [`xdist-${data.xdist}`] : []),
  ];
  const median = flavour.id === "django" ? 22 : flavour.id === "fastapi" ? 7 : 1.2;
  const files: PytestPlan["files"] = [];
  for (const module of flavour.modules) {
    if (!rng.chance(0.9)) continue;
    const tests: TestItem[] = [];
    const count = rng.int(4, flavour.id === "library" ? 70 : 45);
    const names = new Set<string>();
    while (tests.length < count) {
      const noun = rng.pick(module.nouns);
      const verb = rng.pick(data.verbs);
      const base = `test_${verb}_${noun}`;
      const params = rng.chance(0.12) ? rng.int(2, 6) : 0;
      const ids = params === 0 ? [base] : Array.from({ length: params }, (_, i) => {
        return `${base}[${paramId(rng, noun, i)}]`;
      });
      for (const name of ids) {
        if (names.has(name) || tests.length >= count) continue;
        names.add(name);
        const slow = rng.chance(0.02);
        tests.push({
          file: module.test,
          name,
          outcome: "passed",
          ms: slow ? rng.int(150, 1800) : rng.logNormal(median, 0.8),
          module,
        });
      }
    }
    files.push({ path: module.test, tests });
  }
  const all = files.flatMap((f) => f.tests);
  // A few skips and xfails in some suites, a failure or three in some runs.
  if (rng.chance(0.5)) {
    for (const t of rng.sample(all, rng.int(1, 6))) t.outcome = "skipped";
  }
  if (rng.chance(0.2)) rng.pick(all).outcome = "xfailed";
  if (rng.chance(0.3)) {
    const candidates = all.filter((t) => t.outcome === "passed");
    for (const t of rng.sample(candidates, rng.weighted([1, 2, 3], [6, 3, 1]))) {
      t.outcome = "failed";
    }
  }
  const warnings: PytestPlan["warnings"] = [];
  for (const warning of flavour.warnings) {
    if (!rng.chance(0.35)) continue;
    const passed = all.filter((t) => t.outcome === "passed");
    const tests = rng.sample(passed, rng.int(1, 4)).sort((a, b) => all.indexOf(a) - all.indexOf(b));
    warnings.push({ warning, tests });
  }
  return {
    flavour,
    project,
    pkg,
    rootdir,
    python: rng.pick(data.pythons),
    pytest,
    pluggy,
    plugins,
    workers,
    coverage,
    missing: coverage && rng.chance(0.5),
    files,
    warnings,
    collectMs: rng.int(250, 1400) + (flavour.id === "django" ? rng.int(600, 1800) : 0) +
      (workers > 0 ? rng.int(1200, 3500) : 0),
  };
}

function paramId(rng: Rng, noun: string, i: number): string {
  if (/amount|total|tax|vat|rounding|precision|conversion|proration|discount/.test(noun)) {
    return `${rng.int(0, 99)}.${rng.int(0, 999)}-${rng.int(0, 99)}.${rng.int(0, 99)}`;
  }
  if (/status|code|exit/.test(noun)) return String(rng.pick([200, 201, 204, 400, 404, 409, 422]));
  return rng.pick(["empty", "unicode", "none", "whitespace", "long", "nested", "missing"]) +
    (i > 0 ? String(i) : "");
}

/** pytest's separator line: `===== title =====`, as long as fits in `width`. */
export function sep(char: string, title: string | undefined, width: number): string {
  let line: string;
  if (title !== undefined) {
    const n = Math.max(Math.floor((width - title.length - 2) / (2 * char.length)), 1);
    const fill = char.repeat(n);
    line = `${fill} ${title} ${fill}`;
  } else {
    line = char.repeat(Math.floor(width / char.length));
  }
  if (line.length + char.trimEnd().length <= width) line += char.trimEnd();
  return line;
}

/** pytest's duration: `45.67s`, and past a minute `125.32s (0:02:05)`. */
export function pytestDuration(ms: number): string {
  const s = ms / 1000;
  const text = `${s.toFixed(2)}s`;
  if (s < 60) return text;
  const whole = Math.floor(s);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = whole % 60;
  return `${text} (${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")})`;
}

const LETTER: Record<TestItem["outcome"], string> = {
  passed: ".",
  failed: "F",
  skipped: "s",
  xfailed: "x",
};

/** Writes results as pytest's terminal reporter does: wraps, pads, `[ NN%]`. */
class ProgressWriter {
  #ctx: Context;
  #total: number;
  #reported = 0;
  #width = 0;
  #file: string | undefined;
  #failed = false;
  #yellow = false;

  constructor(ctx: Context, total: number) {
    this.#ctx = ctx;
    this.#total = total;
  }

  #color(text: string): string {
    const { style } = this.#ctx;
    return this.#failed ? style.red(text) : this.#yellow ? style.yellow(text) : style.green(text);
  }

  #message(): string {
    const pct = Math.floor((this.#reported * 100) / this.#total);
    return ` [${String(pct).padStart(3)}%]`;
  }

  #fill(): void {
    const fill = this.#ctx.term.cols - this.#width - 1;
    this.#ctx.out.write(this.#color(this.#message().padStart(fill)));
    this.#width = Math.max(fill, this.#width + this.#message().length);
  }

  /** Reports one result; `file` is shown as a line prefix unless undefined (xdist). */
  result(test: TestItem, showFile: boolean): void {
    const { out, style } = this.#ctx;
    if (showFile && test.file !== this.#file) {
      if (this.#file !== undefined) this.#fill();
      this.#file = test.file;
      out.write(`\n${test.file} `);
      this.#width = test.file.length + 1;
    } else if (!showFile && this.#file === undefined) {
      this.#file = "";
      out.write("\n");
    }
    if (test.outcome === "failed") this.#failed = true;
    if (test.outcome === "skipped" || test.outcome === "xfailed") this.#yellow = true;
    const letter = LETTER[test.outcome];
    const paint = test.outcome === "passed"
      ? style.green
      : test.outcome === "failed"
      ? style.red
      : style.yellow;
    out.write(paint(letter));
    this.#width++;
    this.#reported++;
    if (this.#reported === this.#total) {
      this.#fill();
      out.write("\n");
    } else if (this.#width + " [100%]".length + 1 >= this.#ctx.term.cols) {
      out.write(this.#color(this.#message()) + "\n");
      this.#width = 0;
    }
  }
}

/** The lines of one failure's long traceback (without the title rule). */
export function failureBlock(plan: PytestPlan, test: TestItem, rng: Rng, cols: number): string[] {
  const fn = test.name.replace(/\[.*$/, "");
  const line = rng.int(18, 240);
  const src = plan.flavour.id === "django" ? test.module.src : `src/${plan.pkg}/${test.module.src}`;
  const asyncDef = plan.flavour.id === "fastapi" && test.module.kind === "http";
  const param = test.name.match(/\[(.*)\]$/)?.[1];
  const addr = () => `0x7f${rng.hex(10)}`;
  const tmp = `/tmp/pytest-of-${plan.rootdir.split("/")[2]}/pytest-${rng.int(0, 40)}/${
    test.name.replace(/[^\w]/g, "_").slice(0, 30)
  }0`;
  // pytest prints the test function's arguments above its source.
  const args: [string, string][] = [];
  if (test.module.kind === "http") {
    args.push([
      "client",
      plan.flavour.id === "django"
        ? `<django.test.client.Client object at ${addr()}>`
        : `<httpx.AsyncClient object at ${addr()}>`,
    ]);
    if (plan.flavour.id === "django") args.push(["db", "None"]);
  }
  if (test.module.kind === "config") args.push(["tmp_path", `PosixPath('${tmp}')`]);
  if (param !== undefined) args.push(["case", `'${param}'`]);
  const sig = args.map(([n]) => n).join(", ");
  const head = args.length > 0 ? ["", ...args.map(([n, v]) => `${n} = ${v}`)] : [];
  const decorator = param !== undefined ? [`    @pytest.mark.parametrize("case", CASES)`] : [];
  return [...head, ...body()];

  function body(): string[] {
    switch (test.module.kind) {
      case "http": {
        const noun = fn.split("_").slice(2).join("_") || "item";
        const url = `/api/v1/${noun.replace(/_/g, "-")}s`;
        const got = rng.pick([[422, "Unprocessable Entity"], [500, "Internal Server Error"], [
          409,
          "Conflict",
        ]]) as [number, string];
        const want = rng.pick([200, 201]);
        return [
          "",
          ...decorator,
          `    ${asyncDef ? "async def" : "def"} ${fn}(${sig}):`,
          `        payload = {"name": "${rng.pick(["Ada", "ACME Ltd", "widget"])}", "quantity": ${
            rng.int(1, 9)
          }}`,
          `        response = ${asyncDef ? "await " : ""}client.post("${url}", ${
            plan.flavour.id === "django" ? "data" : "json"
          }=payload)`,
          `>       assert response.status_code == ${want}`,
          `E       assert ${got[0]} == ${want}`,
          `E        +  where ${got[0]} = <${
            plan.flavour.id === "django"
              ? `HttpResponse status_code=${got[0]}, "application/json"`
              : `Response [${got[0]} ${got[1]}]`
          }>.status_code`,
          "",
          `${test.file}:${line}: AssertionError`,
        ];
      }
      case "decimal": {
        const want = `${rng.int(1, 400)}.${String(rng.int(0, 99)).padStart(2, "0")}`;
        const cents = Math.round(Number(want) * 100) + rng.pick([-1, 1]);
        const got = (cents / 100).toFixed(2);
        return [
          "",
          ...decorator,
          `    def ${fn}(${sig}):`,
          `        invoice = make_invoice(lines=[("widget", Decimal("${
            (Number(want) / 3).toFixed(3)
          }"), 3)])`,
          `>       assert invoice.total == Decimal("${want}")`,
          `E       AssertionError: assert Decimal('${got}') == Decimal('${want}')`,
          `E        +  where Decimal('${got}') = <Invoice id=${
            rng.int(1, 400)
          } status='draft'>.total`,
          "",
          `${test.file}:${line}: AssertionError`,
        ];
      }
      case "config": {
        const key = rng.pick(["host", "port", "secret_key", "database_url", "timeout"]);
        const srcLine = rng.int(20, 90);
        const call = `cfg = load_config(path)`;
        const access = `data["server"]["${key}"]`;
        const code = `        return Config(${key}=${access})`;
        const caretAt = code.indexOf(access);
        return [
          "",
          ...decorator,
          `    def ${fn}(${sig}):`,
          `        path = tmp_path / "config.toml"`,
          `        path.write_text("[server]\\nname = 'test'\\n")`,
          `>       ${call}`,
          `        ${" ".repeat(call.indexOf("load_config"))}${
            "^".repeat("load_config(path)".length)
          }`,
          "",
          `${test.file}:${line}: `,
          sep("_ ", undefined, cols),
          "",
          `path = PosixPath('${tmp}/config.toml')`,
          "",
          "    def load_config(path: Path) -> Config:",
          "        data = tomllib.loads(path.read_text())",
          `>${code.slice(1)}`,
          `${" ".repeat(caretAt)}${"^".repeat(access.length)}`,
          `E       KeyError: '${key}'`,
          "",
          `${src}:${srcLine}: KeyError`,
        ];
      }
      default: {
        const a = rng.int(2, 40);
        const b = a + rng.int(1, 3);
        return [
          "",
          ...decorator,
          `    def ${fn}(${sig}):`,
          `        result = ${test.module.src.replace(/\.py$/, "").split("/").at(-1)}.${
            fn.split("_").slice(1).join("_")
          }(${param !== undefined ? "case" : "SAMPLE"})`,
          `>       assert len(result) == ${b}`,
          `E       assert ${a} == ${b}`,
          `E        +  where ${a} = len([...])`,
          "",
          `${test.file}:${line}: AssertionError`,
        ];
      }
    }
  }
}

/**
 * The short-summary reason of a failure: its first `E` line. pytest strips
 * `AssertionError: ` only when the assertion's repr starts `AssertionError('assert `,
 * so a message holding a single quote keeps the prefix, in both places.
 */
export function reason(block: readonly string[]): string {
  return block.find((l) => l.startsWith("E   "))!.slice(1).trim();
}

/** The coverage table rows: name, statements, missed, missing ranges. */
export function coverageRows(plan: PytestPlan, rng: Rng): [string, number, number, string][] {
  const root = plan.flavour.id === "django" ? "" : `src/${plan.pkg}/`;
  const dirs = new Set<string>([""]);
  for (const m of plan.flavour.modules) {
    const parts = m.src.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const names = [
    ...[...dirs].map((d) => `${root}${d ? d + "/" : ""}__init__.py`),
    ...plan.flavour.modules.map((m) => `${root}${m.src}`),
  ].filter((n) => n !== "__init__.py").sort();
  return names.map((name) => {
    const init = name.endsWith("__init__.py");
    const stmts = init ? rng.int(0, 4) : rng.int(12, 320);
    const miss = init
      ? 0
      : Math.min(stmts, Math.round(stmts * rng.pick([0, 0.02, 0.06, 0.12, 0.3])));
    return [name, stmts, miss, missingRanges(rng, stmts, miss)];
  });
}

function missingRanges(rng: Rng, stmts: number, miss: number): string {
  const parts: string[] = [];
  let left = miss;
  let at = rng.int(8, 20);
  const gap = Math.max(3, Math.floor((stmts * 1.3) / Math.max(1, miss)));
  while (left > 0) {
    const len = Math.min(left, rng.chance(0.5) ? 1 : rng.int(2, 6));
    const end = at + len - 1 + (len > 1 ? rng.int(0, 2) : 0);
    parts.push(len === 1 ? String(at) : `${at}-${end}`);
    left -= len;
    at = end + rng.int(2, gap);
  }
  return parts.join(", ");
}

/** coverage.py's displayed percentage: rounded, but never 100 or 0 unless exact. */
export function coveragePercent(stmts: number, miss: number): number {
  if (stmts === 0) return 100;
  const pc = ((stmts - miss) * 100) / stmts;
  if (pc > 99 && pc < 100) return 99;
  if (pc > 0 && pc < 1) return 1;
  return Math.round(pc);
}

/** The coverage table as coverage.py 7 formats it. */
export function coverageTable(
  rows: [string, number, number, string][],
  missing: boolean,
): string[] {
  const stmts = rows.reduce((a, r) => a + r[1], 0);
  const miss = rows.reduce((a, r) => a + r[2], 0);
  const pct = (s: number, m: number) => `${coveragePercent(s, m)}%`;
  const nameWidth = Math.max(...rows.map((r) => r[0].length), 5) + 1;
  const row = (name: string, s: string, m: string, c: string, miss: string) =>
    name.padEnd(nameWidth) + s.padStart(7) + m.padStart(7) + c.padStart(7) +
    (missing ? (miss === "Missing" ? "   Missing" : miss ? `   ${miss}` : "") : "");
  const header = row("Name", "Stmts", "Miss", "Cover", "Missing");
  const rule = "-".repeat(header.length);
  return [
    header,
    rule,
    ...rows.map((r) => row(r[0], String(r[1]), String(r[2]), pct(r[1], r[2]), r[3])),
    rule,
    row("TOTAL", String(stmts), String(miss), pct(stmts, miss), ""),
  ];
}

/** The counts of the final rule, in pytest's order. */
export function summaryParts(tests: readonly TestItem[], warnings: number): string[] {
  const count = (o: TestItem["outcome"]) => tests.filter((t) => t.outcome === o).length;
  const parts: string[] = [];
  if (count("failed")) parts.push(`${count("failed")} failed`);
  if (count("passed")) parts.push(`${count("passed")} passed`);
  if (count("skipped")) parts.push(`${count("skipped")} skipped`);
  if (count("xfailed")) parts.push(`${count("xfailed")} xfailed`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  return parts;
}

async function run(ctx: Context): Promise<void> {
  const { out, rng, style } = ctx;
  const plan = planRun(rng);
  const cols = ctx.term.cols;
  const start = ctx.clock.now();
  const all = plan.files.flatMap((f) => f.tests);
  out.line(style.bold(sep("=", "test session starts", cols)));
  out.line(`platform linux -- Python ${plan.python}, pytest-${plan.pytest}, pluggy-${plan.pluggy}`);
  out.line(`rootdir: ${plan.rootdir}`);
  out.line("configfile: pyproject.toml");
  if (plan.flavour.testdirs.length > 0) out.line(`testpaths: ${plan.flavour.testdirs.join(", ")}`);
  if (plan.plugins.length > 0) out.line(`plugins: ${plan.plugins.join(", ")}`);
  if ("asyncio" in plan.flavour) {
    out.line(
      "asyncio: mode=Mode.AUTO, debug=False, asyncio_default_fixture_loop_scope=function, asyncio_default_test_loop_scope=function",
    );
  }
  if ("django" in plan.flavour) {
    out.line(`django: version: ${plan.flavour.django}, settings: config.settings.test (from ini)`);
  }
  if (plan.workers > 0) {
    const step = plan.collectMs / 3;
    for (const phase of ["initialized", "ready", "collecting"]) {
      if (ctx.term.isTTY) {
        out.live([style.bold(`${phase}: ${plan.workers}/${plan.workers} workers`)]);
      }
      await ctx.sleep(step);
    }
    out.live([]);
    out.line(`created: ${plan.workers}/${plan.workers} workers`);
    out.line(`${plan.workers} workers [${all.length} item${all.length === 1 ? "" : "s"}]`);
  } else {
    if (ctx.term.isTTY) out.live([style.bold("collecting ... ")]);
    await ctx.sleep(plan.collectMs);
    out.live([]);
    out.line(style.bold(`collected ${all.length} item${all.length === 1 ? "" : "s"}`));
  }
  // Results: file by file in one process; in completion order across the workers with xdist.
  const writer = new ProgressWriter(ctx, all.length);
  let owed = 0;
  if (plan.workers > 0) {
    const free = Array.from({ length: plan.workers }, () => 0);
    const done: { t: TestItem; at: number }[] = [];
    for (const t of all) {
      const w = free.indexOf(Math.min(...free));
      free[w] = free[w]! + t.ms * 1.15;
      done.push({ t, at: free[w]! });
    }
    done.sort((a, b) => a.at - b.at);
    let last = 0;
    for (const d of done) {
      owed += d.at - last;
      last = d.at;
      writer.result(d.t, false);
      if (owed >= 25) {
        await ctx.sleep(owed);
        owed = 0;
      }
    }
  } else {
    for (const t of all) {
      owed += t.ms;
      writer.result(t, true);
      if (owed >= 25) {
        await ctx.sleep(owed);
        owed = 0;
      }
    }
  }
  await ctx.sleep(owed + rng.int(20, 200));
  const failed = all.filter((t) => t.outcome === "failed");
  const blocks = failed.map((t) => failureBlock(plan, t, rng, cols));
  out.line();
  if (failed.length > 0) {
    out.line(sep("=", "FAILURES", cols));
    failed.forEach((t, i) => {
      out.line(style.bold(style.red(sep("_", t.name, cols))));
      for (const l of blocks[i]!) {
        out.line(
          l.startsWith("E ") || /^\S+:\d+: \w+Error$/.test(l) ? style.bold(style.red(l)) : l,
        );
      }
    });
  }
  let warningCount = 0;
  if (plan.warnings.length > 0) {
    out.line(style.yellow(sep("=", "warnings summary", cols)));
    for (const { warning, tests } of plan.warnings) {
      warningCount += tests.length;
      for (const t of tests) out.line(`${t.file}::${t.name}`);
      const minor = plan.python.split(".").slice(0, 2).join(".");
      const path = warning.where === "site"
        ? `${plan.rootdir}/.venv/lib/python${minor}/site-packages/${warning.path}`
        : `${plan.rootdir}/${
          plan.flavour.id === "django" ? "" : `src/${plan.pkg}/`
        }${warning.path}`;
      out.line(`  ${path}:${warning.line}: ${warning.text}`);
      out.line(`    ${warning.code}`);
      out.line();
    }
    out.line("-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html");
  }
  if (plan.coverage) {
    await ctx.sleep(rng.int(150, 900));
    out.line(sep("=", "tests coverage", cols));
    out.line(sep("_", `coverage: platform linux, python ${plan.python}-final-0`, cols));
    out.line();
    for (const l of coverageTable(coverageRows(plan, rng), plan.missing)) out.line(l);
  }
  if (failed.length > 0) {
    out.line(sep("=", "short test summary info", cols));
    failed.forEach((t, i) => {
      const head = `FAILED ${t.file}::${t.name}`;
      let msg = ` - ${reason(blocks[i]!)}`;
      // Outside CI pytest trims the reason to the terminal width.
      if (ctx.term.isTTY && head.length + msg.length > cols) {
        const room = cols - head.length - 3;
        msg = room > 3 ? `${msg.slice(0, room)}...` : "";
      }
      out.line(`${style.red("FAILED")} ${t.file}::${t.name}${msg}`);
    });
  }
  const parts = summaryParts(all, warningCount);
  const elapsed = pytestDuration(ctx.clock.now() - start);
  const color = failed.length > 0
    ? style.red
    : warningCount > 0 || all.some((t) => t.outcome !== "passed")
    ? style.yellow
    : style.green;
  out.line(color(sep("=", `${parts.join(", ")} in ${elapsed}`, cols)));
}

/** `pytest` (8.x) of one project, with or without xdist and coverage. */
export const pytest: Module = {
  name: "pytest",
  signature: "pytest",
  about: "Run a Python project's test suite with pytest (xdist, coverage)",
  maxDurationMs: 60_000,
  run,
};
