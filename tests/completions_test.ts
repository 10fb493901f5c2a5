/**
 * The completion scripts, loaded into real shells (bash, zsh, fish, elvish):
 * what each offers for a command line is checked against the option table.
 * These run on Linux. A missing shell skips its tests locally but fails them
 * under CI, where `.ci/run` (and the GitHub workflows) install every shell.
 */

import assert from "node:assert/strict";
import { completionScript } from "../cli/completions.ts";
import { COLOR_MODES, OPTION_TABLE, type OptionSpec, SHELLS } from "../cli/options.ts";
import { MODULES } from "../modules/mod.ts";
import {
  completeBash,
  completeElvish,
  completeFish,
  completeZsh,
  hasCommand,
} from "./completion_shells.ts";
import { PROGRAM } from "./program.ts";

/** Under CI on Linux (.ci/run, GitHub's ubuntu runner) every tool is installed: nothing skips. */
const REQUIRED = Deno.env.get("CI") !== undefined && Deno.build.os === "linux";
/** Skips on other systems (their shells and man differ) and where a tool is missing locally. */
const skip = (tool: string) => Deno.build.os !== "linux" || (!REQUIRED && !hasCommand(tool));
const MODULE_NAMES = ["bootlog", "cargo", "cc", "docker_build"];

/** A path-valued option (like `--record FILE`) with every quote character in its help. */
const FILE_OPTION: OptionSpec = {
  long: "write-test-file",
  value: "FILE",
  help: `Write to FILE (it's a [test]: "quoted" \\ back\`tick\` $HOME)`,
  apply: () => {},
};
const TABLE = [...OPTION_TABLE, FILE_OPTION];

type Completer = (script: string, lines: readonly string[]) => Promise<string[][]>;

const DRIVERS: Record<"bash" | "elvish" | "fish" | "zsh", Completer> = {
  bash: completeBash,
  elvish: completeElvish,
  fish: completeFish,
  zsh: completeZsh,
};

/** Offers as the value alone: `--color=always` and `always` both become `always`. */
function values(offers: readonly string[]): string[] {
  return offers.map((offer) => offer.replace(/^--[a-z-]+=/, "")).sort();
}

const sorted = (items: readonly string[]) => [...items].sort();

for (const [shell, complete] of Object.entries(DRIVERS)) {
  const ignore = skip(shell);

  Deno.test({
    name: `[${shell}] completion offers module names, --color values and every option`,
    ignore,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "denact_files_" });
      await Deno.writeTextFile(`${dir}/recording.cast`, "");
      const script = completionScript(shell as keyof typeof DRIVERS, MODULE_NAMES, TABLE);
      const lines = [
        "denact -m ca",
        "denact --modules ca",
        "denact -s 2 -m d",
        "denact --color ",
        "denact --color=al",
        "denact -m cargo,c",
        "denact --",
        "denact -s ",
        "denact --print-completions f",
        `denact --write-test-file ${dir}/rec`,
      ];
      const [
        shortModules,
        longModules,
        afterOther,
        color,
        colorInline,
        commaList,
        longOptions,
        freeValue,
        shells,
        files,
      ] = await complete(script, lines);
      assert.deepEqual(shortModules, ["cargo"], "denact -m ca");
      assert.deepEqual(longModules, ["cargo"], "denact --modules ca");
      assert.deepEqual(afterOther, ["docker_build"], "denact -s 2 -m d");
      assert.deepEqual(values(color ?? []), sorted(COLOR_MODES), "denact --color ");
      assert.deepEqual(values(colorInline ?? []), ["always"], "denact --color=al");
      assert.deepEqual(sorted(commaList ?? []), ["cargo,cargo", "cargo,cc"], "-m cargo,c");
      assert.deepEqual(
        sorted((longOptions ?? []).map((o) => o.replace(/=$/, ""))),
        sorted(TABLE.map((spec) => `--${spec.long}`)),
        "denact -- offers every long option of the table",
      );
      assert.deepEqual(freeValue, [], "a free value (-s) offers nothing");
      assert.deepEqual(values(shells ?? []), ["fish"], "--print-completions f");
      if (shell !== "elvish") {
        // elvish's file completion lives in the interactive editor only.
        assert.ok(
          (files ?? []).some((offer) => offer.endsWith("recording.cast")),
          `a FILE value offers paths: ${JSON.stringify(files)}`,
        );
      }
      await Deno.remove(dir, { recursive: true });
    },
  });

  Deno.test({
    name: `[${shell}] the program's own script completes every registered module`,
    ignore,
    async fn() {
      const script = await programScript(shell);
      const names = MODULES.map((m) => m.name);
      const answers = await complete(script, names.map((name) => `denact -m ${name.slice(0, 2)}`));
      names.forEach((name, i) => {
        assert.ok(answers[i]?.includes(name), `-m ${name.slice(0, 2)} offers ${name}`);
      });
      const [color] = await complete(script, ["denact --color "]);
      assert.deepEqual(values(color ?? []), sorted(COLOR_MODES));
    },
  });
}

async function programScript(shell: string): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", PROGRAM, "--print-completions", shell],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout);
}

Deno.test("--print-completions prints the generated script for every shell, with no permission flags", async () => {
  for (const shell of SHELLS) {
    assert.equal(
      await programScript(shell),
      completionScript(shell, MODULES.map((m) => m.name)),
      shell,
    );
  }
});

Deno.test("[powershell] the completer lists every option spelling, module and value, quoted", () => {
  const script = completionScript("powershell", MODULE_NAMES, TABLE);
  for (const spec of TABLE) {
    const names = [...(spec.short ? [`'-${spec.short}'`] : []), `'--${spec.long}'`].join(", ");
    assert.ok(script.includes(`Names = @(${names})`), `--${spec.long}`);
  }
  assert.ok(script.includes(`Words = @(${MODULE_NAMES.map((n) => `'${n}'`).join(", ")})`));
  assert.ok(script.includes(`Words = @(${COLOR_MODES.map((n) => `'${n}'`).join(", ")})`));
  assert.ok(script.includes("Help = 'Write to FILE (it''s a [test]"), "single quotes doubled");
  for (const [open, close] of [["{", "}"], ["(", ")"]] as const) {
    const code = script.replace(/'(?:[^']|'')*'/g, "''").replace(/"[^"]*"/g, '""');
    assert.equal(code.split(open).length, code.split(close).length, `balanced ${open}${close}`);
  }
});
