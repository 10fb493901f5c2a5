/**
 * The smoke run the release workflow gives the Linux binary before uploading
 * it, and `.ci/run` gives `deno run main.ts` with the same permissions: the
 * version, the module list, the man page and completions, a short seeded run
 * into a pipe, and the features that need baked permissions (`--inhibit`,
 * `--record`).
 *
 * @module
 */

import { findOption } from "../cli/options.ts";
import { MODULES } from "../modules/mod.ts";

/** One check's outcome. */
export interface SmokeResult {
  /** What was checked. */
  readonly name: string;
  /** Why it failed; undefined when it passed. */
  readonly failure?: string;
}

/** Options for {@linkcode smoke}. */
export interface SmokeOptions {
  /** The version `--version` must print. */
  readonly version: string;
  /** A folder for the `--record` file. */
  readonly tempDir: string;
  /** Whether `--inhibit` is expected to have its helper's permission (baked or granted). */
  readonly expectInhibit: boolean;
}

const decoder = new TextDecoder();

async function invoke(command: readonly string[], args: string[]) {
  const [program, ...prefix] = command;
  if (program === undefined) throw new Error("Cannot smoke-test an empty command");
  const output = await new Deno.Command(program, {
    args: [...prefix, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Whether `program` is on PATH. */
function onPath(program: string): boolean {
  const separator = Deno.build.os === "windows" ? ";" : ":";
  const path = Deno.env.get("PATH") ?? "";
  return path.split(separator).some((dir) => {
    try {
      return Deno.statSync(`${dir}/${program}`).isFile;
    } catch {
      return false;
    }
  });
}

/**
 * Runs the smoke checks against `command` (the binary, or `deno run … main.ts`).
 * Every check runs; the results say which failed.
 */
export async function smoke(
  command: readonly string[],
  options: SmokeOptions,
): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  const check = async (name: string, body: () => Promise<string | undefined>) => {
    try {
      const failure = await body();
      results.push(failure === undefined ? { name } : { name, failure });
    } catch (error) {
      results.push({ name, failure: error instanceof Error ? error.message : String(error) });
    }
  };

  await check("--version prints the release version", async () => {
    const r = await invoke(command, ["--version"]);
    const expected = `denact ${options.version}\n`;
    return r.code === 0 && r.stdout === expected
      ? undefined
      : `exit ${r.code}, printed ${JSON.stringify(r.stdout)}, expected ${JSON.stringify(expected)}`;
  });

  await check("-l lists every module", async () => {
    const r = await invoke(command, ["-l"]);
    const missing = MODULES.filter((m) => !new RegExp(`^  ${m.name}\\b`, "m").test(r.stdout));
    if (r.code !== 0 || !r.stdout.startsWith("Available modules:")) {
      return `exit ${r.code}: ${r.stdout}`;
    }
    return missing.length === 0 ? undefined : `missing: ${missing.map((m) => m.name).join(", ")}`;
  });

  await check("--print-manpage and --print-completions bash print their scripts", async () => {
    const man = await invoke(command, ["--print-manpage"]);
    const bash = await invoke(command, ["--print-completions", "bash"]);
    if (man.code !== 0 || !man.stdout.startsWith(".TH DENACT 1 ")) {
      return `man page: exit ${man.code}`;
    }
    if (bash.code !== 0 || !bash.stdout.includes("complete -F _denact denact")) {
      return `bash completion: exit ${bash.code}`;
    }
    return undefined;
  });

  await check("a short seeded run into a pipe ends cleanly with plain lines", async () => {
    const args = ["--seed", "7", "--exit-after-time", "2s", "--speed-factor", "4"];
    const first = await invoke(command, args);
    if (first.code !== 0) return `exit ${first.code}: ${first.stderr}`;
    if (!first.stdout.endsWith("Saving work to disk...\n")) {
      return "no 'Saving work to disk...' at the end";
    }
    if (first.stdout.split("\n").length < 5) return `only printed: ${JSON.stringify(first.stdout)}`;
    if (first.stdout.includes("\x1b") || first.stdout.includes("\r")) {
      return "escape codes or carriage returns in a pipe with NO_COLOR";
    }
    return undefined;
  });

  if (options.expectInhibit) {
    const helper = { linux: "systemd-inhibit", darwin: "caffeinate", windows: "powershell.exe" }[
      Deno.build.os as "linux" | "darwin" | "windows"
    ];
    if (helper && onPath(helper)) {
      await check(`--inhibit may run ${helper}`, async () => {
        const r = await invoke(command, ["--inhibit", "--exit-after-time", "1s", "-s", "10"]);
        if (r.code !== 0) return `exit ${r.code}: ${r.stderr}`;
        return r.stderr.includes("needs permission") ? r.stderr.trim() : undefined;
      });
    }
  }

  if (findOption("record")) {
    await check("--record writes an asciicast file", async () => {
      const file = `${options.tempDir}/smoke.cast`;
      const r = await invoke(command, [
        "--record",
        file,
        "--seed",
        "3",
        "--exit-after-time",
        "1s",
        "-s",
        "10",
      ]);
      if (r.code !== 0) return `exit ${r.code}: ${r.stderr}`;
      const [header = ""] = (await Deno.readTextFile(file)).split("\n");
      return JSON.parse(header).version === 2 ? undefined : `bad header: ${header}`;
    });
  }
  return results;
}
