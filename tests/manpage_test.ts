/**
 * The man page: `mandoc -T lint` finds nothing, `man -l` renders it, and the
 * rendered OPTIONS section lists exactly the options of the table, MODULES every
 * registered module. These run on Linux; mandoc and man-db are installed by
 * `.ci/run`, and a missing tool skips its test locally but fails it under CI.
 */

import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { manDate, manPage, roffEscape, roffLines } from "../cli/manpage.ts";
import { OPTION_TABLE, type OptionSpec } from "../cli/options.ts";
import type { Module } from "../core/types.ts";
import { MODULES } from "../modules/mod.ts";
import { hasCommand } from "./completion_shells.ts";
import { PROGRAM } from "./program.ts";

/** Under CI on Linux (.ci/run, GitHub's ubuntu runner) every tool is installed: nothing skips. */
const REQUIRED = Deno.env.get("CI") !== undefined && Deno.build.os === "linux";
/** Skips on other systems (their shells and man differ) and where a tool is missing locally. */
const skip = (tool: string) => Deno.build.os !== "linux" || (!REQUIRED && !hasCommand(tool));
const decoder = new TextDecoder();
const DATE = "2026-03-14";

/** An option and a module whose text roff would misread if it were not escaped. */
const TRICKY_OPTION: OptionSpec = {
  long: "record-test",
  short: "R",
  value: "FILE",
  help: ".starts with a dot, has a \\backslash and 'quotes'",
  details: "'Starts with a quote. Then e.g. a sentence. Then -dashes- and a 0.5 fraction.",
  apply: () => {},
};
const TRICKY_MODULE: Module = {
  name: "dot_module",
  signature: ".hidden --flag 'quoted' \\path",
  about: "'Quoted start' and a backslash \\ in the middle",
  run: () => Promise.resolve(),
};

async function run(command: string, args: string[], input: string) {
  const child = new Deno.Command(command, {
    args,
    env: { LC_ALL: "C", MANWIDTH: "100", MANPAGER: "cat", PAGER: "cat" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const output = await child.output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Renders roff with `man -l` (the file is read from a temporary path). */
async function render(roff: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "denact_", suffix: ".1" });
  let result: Awaited<ReturnType<typeof run>>;
  try {
    await Deno.writeTextFile(path, roff);
    result = await run("man", ["-l", path], "");
  } finally {
    await Deno.remove(path);
  }
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "", "man -l writes no warnings");
  return result.stdout;
}

/** The lines of a rendered section, up to the next heading. */
function section(rendered: string, heading: string): string[] {
  const lines = rendered.split("\n");
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `section ${heading} is rendered`);
  const end = lines.findIndex((line, i) => i > start && /^[A-Z]/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** `-s, --speed-factor SPEED_FACTOR`, as man renders an option's tag. */
function renderedTag(spec: OptionSpec): string {
  const names = [...(spec.short ? [`-${spec.short}`] : []), `--${spec.long}`].join(", ");
  return spec.value ? `${names} ${spec.value}` : names;
}

/** Tags of the OPTIONS section: lines indented by exactly seven spaces. */
function optionTags(rendered: string): string[] {
  return section(rendered, "OPTIONS")
    .filter((line) => /^ {7}\S/.test(line))
    .map((line) => line.trim());
}

for (
  const [label, roff] of [
    ["the program's page", manPage(config.version, MODULES, { date: DATE })],
    [
      "a page with roff-hostile text",
      manPage("1.2.3-rc.1", [...MODULES, TRICKY_MODULE], {
        date: DATE,
        table: [...OPTION_TABLE, TRICKY_OPTION],
      }),
    ],
  ] as const
) {
  Deno.test({
    name: `mandoc -T lint finds nothing in ${label}, at every level down to style`,
    ignore: skip("mandoc"),
    async fn() {
      const result = await run("mandoc", ["-T", "lint", "-W", "style"], roff);
      assert.equal(result.stdout + result.stderr, "");
      assert.equal(result.code, 0);
    },
  });
}

Deno.test({
  name: "man -l renders every option of the table in OPTIONS, every module in MODULES",
  ignore: skip("man"),
  async fn() {
    const table = [...OPTION_TABLE, TRICKY_OPTION];
    const modules = [...MODULES, TRICKY_MODULE];
    const rendered = await render(manPage(config.version, modules, { date: DATE, table }));
    assert.deepEqual(optionTags(rendered), table.map(renderedTag));
    const moduleLines = section(rendered, "MODULES").join("\n");
    for (const module of modules) {
      assert.match(moduleLines, new RegExp(`^ {7}${module.name}\\b`, "m"), module.name);
    }
    assert.ok(moduleLines.includes(".hidden --flag 'quoted' \\path"), "signature kept literally");
    assert.ok(moduleLines.includes("'Quoted start' and a backslash \\ in the middle"));
    const options = section(rendered, "OPTIONS").join(" ").replace(/\s+/g, " ");
    assert.ok(options.includes(".starts with a dot, has a \\backslash and 'quotes'."));
    assert.ok(options.includes("Then e.g. a sentence."), "no sentence gap after e.g.");
  },
});

Deno.test({
  name: "man -l shows the sections in order and the environment variables denact reads",
  ignore: skip("man"),
  async fn() {
    const rendered = await render(manPage(config.version, MODULES, { date: DATE }));
    const headings = rendered.split("\n").filter((line) => /^[A-Z][A-Z ]+$/.test(line));
    assert.deepEqual(headings, [
      "NAME",
      "SYNOPSIS",
      "DESCRIPTION",
      "OPTIONS",
      "MODULES",
      "EXIT STATUS",
      "ENVIRONMENT",
      "EXAMPLES",
      "SEE ALSO",
    ]);
    assert.deepEqual(section(rendered, "NAME"), [
      "       denact - a nonsense activity generator",
      "",
    ]);
    const environment = section(rendered, "ENVIRONMENT").map((l) => l.trim());
    for (const name of ["NO_COLOR", "FORCE_COLOR", "COLUMNS"]) {
      assert.ok(environment.includes(name));
    }
    const synopsis = section(rendered, "SYNOPSIS").join(" ").replace(/\s+/g, " ");
    for (const spec of OPTION_TABLE) {
      const name = spec.short ? `-${spec.short}` : `--${spec.long}`;
      assert.ok(synopsis.includes(`[${name}${spec.value ? ` ${spec.value}` : ""}]`), name);
    }
    const footer = rendered.trimEnd().split("\n").at(-1) ?? "";
    assert.match(footer, new RegExp(`^denact ${config.version.replaceAll(".", "\\.")} +${DATE}`));
  },
});

Deno.test("--print-manpage prints today's page with no permission flags", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", PROGRAM, "--print-manpage"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  const page = decoder.decode(output.stdout);
  const today = manDate();
  assert.ok(page.startsWith(`.TH DENACT 1 ${today} "denact ${config.version}"`), page.slice(0, 80));
  assert.equal(page, manPage(config.version, MODULES, { date: today }));
});

Deno.test("roffLines keeps lines within 80 bytes and never starts one with a control character", () => {
  const text = roffEscape(`${"word ".repeat(40)}. 'quoted ${"x".repeat(100)} .dot end`);
  const lines = roffLines(text);
  assert.deepEqual(lines.join(" ").replaceAll("\\&", ""), text.replace(/\s+/g, " ").trim());
  for (const line of lines) {
    assert.ok(line.length <= 80 || !line.includes(" "), `too long: ${line}`);
    assert.ok(!/^[.']/.test(line), `control character first: ${line}`);
  }
});
