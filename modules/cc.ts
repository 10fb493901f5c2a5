/**
 * `cc`: a C project built by a plain Makefile with `make -jN`. Make echoes each
 * compile command as a job starts (so lines arrive in bursts whenever a job
 * slot frees up), the sources are the sorted `$(wildcard …)` list, warnings
 * from gcc or clang appear when their compile finishes, and a link line (with
 * an optional `ar` step) closes the build. One program per run: its
 * subsystems (and the libraries it links) come from one kind of project.
 *
 * @module
 */

import data from "../data/cc.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** One C source file and its object. */
interface Unit {
  module: string;
  stem: string;
  src: string;
  obj: string;
}

/** What a run builds and how. */
interface Build {
  compiler: "gcc" | "clang" | "cc";
  project: string;
  units: Unit[];
  flags: string;
  linkFlags: string;
  libs: string[];
  output: string;
  archive?: string;
  outDir: string;
  jobs: number;
}

function planBuild(rng: Rng): Build {
  const compiler = rng.weighted(["gcc", "clang", "cc"] as const, [5, 4, 2]);
  // One kind of program per run: a key-value store has storage and networking, not audio.
  const kind = rng.pick(data.archetypes);
  const project = rng.pick(kind.projects);
  const root = rng.weighted(["src", "lib"], [4, 1]);
  const outDir = rng.weighted(["build/", "obj/", ""], [6, 2, 2]);
  const modules = [
    ...kind.required,
    ...rng.sample(kind.optional, rng.int(0, kind.optional.length)),
  ];
  const table = data.modules as Record<string, string[]>;
  const units: Unit[] = [];
  for (const module of modules) {
    const stems = table[module] ?? [];
    const chosen = module === "core"
      ? ["main", ...rng.sample(stems.slice(1), rng.int(2, stems.length - 1))]
      : rng.sample(stems, rng.int(Math.ceil(stems.length / 2), stems.length));
    for (const stem of chosen) {
      const src = `${root}/${module}/${stem}.c`;
      units.push({ module, stem, src, obj: `${outDir}${src.slice(0, -2)}.o` });
    }
  }
  units.sort((a, b) => (a.src < b.src ? -1 : 1));
  const opt = rng.weighted(["-O2", "-O3", "-Os", "-O0", "-Og"], [6, 2, 1, 1, 1]);
  const warnings = ["-Wall", ...rng.sample(data.warnings.slice(1), rng.int(0, 2))];
  if (rng.chance(0.75) && !warnings.includes("-Wextra")) warnings.splice(1, 0, "-Wextra");
  const version = `${rng.int(0, 3)}.${rng.int(0, 19)}.${rng.int(0, 9)}`;
  const defines = rng.sample(data.defines, rng.int(0, 2)).map((d) =>
    `-D${d.replace("{version}", version)}`
  );
  const includes = ["include", ...rng.sample(data.includes.slice(1), rng.int(0, 1))].map((i) =>
    `-I${i}`
  );
  const flags = [
    ...(rng.chance(0.5) ? [rng.pick(data.std)] : []),
    opt,
    ...(opt === "-O0" || rng.chance(0.5) ? ["-g"] : []),
    ...warnings,
    ...rng.sample(data.codegen, rng.int(0, 1)),
    ...(rng.chance(0.2) ? [rng.pick(data.arch)] : []),
    ...includes,
    ...defines,
    ...(rng.chance(0.7) ? ["-MMD", "-MP"] : []),
  ].join(" ");
  const libTable = data.libs as Record<string, string[]>;
  const libs = [...new Set([...modules.flatMap((m) => libTable[m] ?? []), ...data.baseLibs])];
  const linkFlags = rng.sample([
    "-Wl,--as-needed",
    "-Wl,--gc-sections",
    "-pie",
    "-Wl,-z,relro,-z,now",
  ], rng.int(0, 2))
    .join(" ");
  return {
    compiler,
    project,
    units,
    flags,
    linkFlags,
    libs,
    output: `${outDir}${project}`,
    ...(rng.chance(0.35) ? { archive: `${outDir}lib${project}.a` } : {}),
    outDir,
    jobs: rng.pick([4, 6, 8, 8, 12, 16, 16, 24, 32]),
  };
}

/** A generated compiler warning: position plus a rendered snippet. */
interface Diagnostic {
  fn: string;
  line: number;
  col: number;
  message: string;
  option: string;
  code: string;
  marker: string;
}

function diagnose(rng: Rng, unit: Unit, clang: boolean, flags: string): Diagnostic {
  const d = data.diagnostics;
  const fn = rng.pick(d.functions).replace("{stem}", unit.stem);
  const line = rng.int(40, 900);
  const q = (s: string) => (clang ? `'${s}'` : `‘${s}’`);
  const kinds = ["unused-variable"];
  if (flags.includes("-Wextra")) kinds.push("sign-compare");
  if (flags.includes("-Wextra") && !flags.includes("-Wno-unused-parameter")) {
    kinds.push("unused-parameter");
  }
  const kind = rng.pick(kinds);
  const name = rng.pick(d.vars);
  if (kind === "unused-parameter") {
    const param = rng.pick(d.params);
    const code = `static int ${fn}(struct ${unit.stem} *self, void *${param})`;
    const col = code.lastIndexOf(param) + 1;
    // gcc underlines the whole declaration with the caret on the name; clang marks the name.
    const decl = code.lastIndexOf("void *");
    return {
      fn,
      line: line - rng.int(20, 40),
      col,
      message: `unused parameter ${q(param)}`,
      option: "-Wunused-parameter",
      code,
      marker: clang
        ? " ".repeat(col - 1) + "^"
        : " ".repeat(decl) + "~".repeat(col - 1 - decl) + "^" + "~".repeat(param.length - 1),
    };
  }
  if (kind === "sign-compare") {
    // Only a count makes sense as a loop bound.
    const bound = rng.pick(d.bounds);
    const code = `    for (int i = 0; i < ${bound}; i++) {`;
    const col = code.indexOf("<") + 1;
    const start = code.indexOf("i <");
    return {
      fn,
      line,
      col,
      message: clang
        ? "comparison of integers of different signs: 'int' and 'size_t' (aka 'unsigned long')"
        : "comparison of integer expressions of different signedness: ‘int’ and ‘size_t’ {aka ‘long unsigned int’}",
      option: "-Wsign-compare",
      code,
      marker: " ".repeat(start) +
        (clang ? `~ ^ ${"~".repeat(bound.length)}` : `~~^~${"~".repeat(bound.length)}`),
    };
  }
  const type = rng.pick(d.types);
  // C style binds the star to the name: `char *buf;`.
  const code = `    ${type}${type.endsWith("*") ? "" : " "}${name};`;
  const col = code.lastIndexOf(name) + 1;
  return {
    fn,
    line,
    col,
    message: `unused variable ${q(name)}`,
    option: "-Wunused-variable",
    code,
    // gcc underlines the name; clang puts a bare caret on it.
    marker: " ".repeat(col - 1) + "^" + (clang ? "" : "~".repeat(name.length - 1)),
  };
}

/** The lines gcc or clang prints for one warning. */
export function renderDiagnostic(
  style: Style,
  src: string,
  d: Diagnostic,
  clang: boolean,
): string[] {
  const bold = style.bold;
  const warn = style.combine(style.bold, style.magenta);
  const quote = (text: string) =>
    text.replace(/([‘'])([^’']*)([’'])/g, (_, a, b, c) => `${a}${bold(b)}${c}`);
  const head = `${bold(`${src}:${d.line}:${d.col}:`)} ${warn("warning:")} `;
  const lines = clang ? [`${head}${bold(`${d.message} [`)}${warn(d.option)}${bold("]")}`] : [
    `${bold(`${src}:`)} In function ${quote(`‘${d.fn}’`)}:`,
    `${head}${quote(d.message)} ${warn(`[${d.option}]`)}`,
  ];
  lines.push(`${String(d.line).padStart(5)} | ${d.code}`);
  lines.push(`      | ${style.combine(style.bold, style.green)(d.marker)}`);
  return lines;
}

/** The compile command make echoes for a unit. */
export function compileLine(build: Build, unit: Unit): string {
  return `${build.compiler} ${build.flags} -c ${unit.src} -o ${unit.obj}`;
}

/** Runs `jobs` parallel workers over `durations`; returns each job's start time and the end. */
export function schedule(
  durations: readonly number[],
  jobs: number,
): { starts: number[]; end: number } {
  const free: number[] = new Array(Math.min(jobs, durations.length)).fill(0);
  const starts = durations.map((d) => {
    let slot = 0;
    for (let i = 1; i < free.length; i++) {
      if ((free[i] as number) < (free[slot] as number)) slot = i;
    }
    const start = free[slot] as number;
    free[slot] = start + d;
    return start;
  });
  return { starts, end: Math.max(0, ...free) };
}

export const cc: Module = {
  name: "cc",
  signature: "make -j$(nproc)",
  about: "A C project built by make -jN: gcc or clang compile lines, warnings and the final link",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { out, rng, style } = ctx;
    const build = planBuild(rng);
    const clang = build.compiler === "clang";
    const target = Math.min(150_000, Math.max(10_000, rng.logNormal(30_000, 0.5)));
    const raw = build.units.map(() => Math.min(8, Math.max(0.15, rng.logNormal(1, 0.7))));
    const { starts, end } = schedule(raw, build.jobs);
    const scale = target / end;
    const warned = new Set(rng.sample(build.units, rng.weighted([0, 1, 2, 3], [4, 3, 2, 1])));
    type Event = { at: number; print: () => void };
    const events: Event[] = [];
    const madeDirs = new Set<string>();
    build.units.forEach((unit, i) => {
      const at = (starts[i] as number) * scale;
      const dir = unit.obj.slice(0, unit.obj.lastIndexOf("/"));
      const mkdir = build.outDir !== "" && !madeDirs.has(dir);
      madeDirs.add(dir);
      events.push({
        at,
        print: () => {
          if (mkdir) out.line(`mkdir -p ${dir}`);
          out.line(compileLine(build, unit));
        },
      });
      if (warned.has(unit)) {
        const d = diagnose(rng, unit, clang, build.flags);
        events.push({
          at: at + (raw[i] as number) * scale * 0.8,
          print: () => {
            for (const l of renderDiagnostic(style, unit.src, d, clang)) out.line(l);
            if (clang) out.line("1 warning generated.");
          },
        });
      }
    });
    events.sort((a, b) => a.at - b.at);
    let now = 0;
    for (const e of events) {
      await ctx.sleep(e.at - now);
      now = e.at;
      e.print();
    }
    await ctx.sleep(end * scale - now);
    const objs = build.units.map((u) => u.obj);
    const libs = [build.linkFlags, ...build.libs].filter((s) => s).join(" ");
    if (build.archive) {
      const lib = objs.filter((o) => !o.endsWith("/main.o"));
      out.line(`ar rcs ${build.archive} ${lib.join(" ")}`);
      await ctx.sleep(rng.float(150, 600));
      const main = objs.filter((o) => o.endsWith("/main.o"));
      out.line(`${build.compiler} -o ${build.output} ${main.join(" ")} ${build.archive} ${libs}`);
    } else {
      out.line(`${build.compiler} -o ${build.output} ${objs.join(" ")} ${libs}`);
    }
    await ctx.sleep(rng.float(600, 3500));
  },
};
