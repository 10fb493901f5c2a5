/**
 * denact: a nonsense activity generator. Pretends to compile code, build
 * containers, provision clouds and train large language models while nothing
 * happens at all.
 *
 * Run it with no permission flags:
 *
 * ```sh
 * deno run jsr:@denact/denact -m llm_training
 * deno run jsr:@denact/denact --help
 * ```
 *
 * Install it as a `denact` command:
 *
 * ```sh
 * deno install -g -n denact jsr:@denact/denact
 * ```
 *
 * The default run needs no permissions. Optional features ask for exactly what
 * they use: `--inhibit` needs `--allow-run=systemd-inhibit` (Linux),
 * `--allow-run=caffeinate` (macOS) or `--allow-run=powershell` (Windows);
 * `--record FILE` needs `--allow-write=FILE`; `--allow-env=FORCE_COLOR,COLUMNS,TERM`
 * lets it read those variables (otherwise they are ignored, never prompted for). Prebuilt
 * binaries for Linux, macOS and Windows, shell completions
 * (`--print-completions`) and a man page (`--print-manpage`) are described in
 * the README.
 *
 * The module exports {@linkcode main}, which runs the program with a list of
 * arguments and resolves with its exit code, and {@linkcode VERSION}.
 *
 * @module
 */

import config from "./deno.json" with { type: "json" };
import type { Options } from "./cli/options.ts";
import { UsageError } from "./cli/errors.ts";
import { parseCommandLine } from "./cli/parse.ts";
import {
  denoHost,
  noColorSet,
  processFacts,
  stderrIsTerminal,
  stdoutIsTerminal,
  terminalSize,
  writeStderr,
  writeStdout,
} from "./app/deno_host.ts";
import { planRun, resolveColor } from "./app/plan.ts";
import { play } from "./app/play.ts";
import { VirtualHost } from "./app/virtual_host.ts";
import { lazyModule, loadModules, MODULE_NAMES } from "./modules/registry.ts";

/** The version, from deno.json (the single source of truth). */
export const VERSION: string = config.version;

const bold = (enabled: boolean) => (s: string) => enabled ? `\x1b[1m${s}\x1b[0m` : s;

/** Prints a usage error to stderr; returns its exit code, 2. */
function usageError(error: UsageError): number {
  writeStderr(error.format(stderrIsTerminal() && !noColorSet()));
  return 2;
}

/** Runs the program with `args`; resolves with the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parseCommandLine(args, MODULE_NAMES);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageError(error);
  }
  if (options.version) {
    writeStdout(`denact ${VERSION}\n`);
    return 0;
  }
  if (options.printCompletions) {
    const { completionScript } = await import("./cli/completions.ts");
    writeStdout(completionScript(options.printCompletions, MODULE_NAMES));
    return 0;
  }
  const facts = processFacts();
  const stdoutColor = resolveColor(
    options.color,
    facts.stdoutIsTerminal,
    facts.noColor,
    facts.forceColor,
  );
  if (options.help) {
    const { helpText } = await import("./cli/help.ts");
    writeStdout(helpText(VERSION, bold(stdoutColor), Math.min(terminalSize()?.cols ?? 80, 100)));
    return 0;
  }
  if (options.printManpage) {
    const { manPage } = await import("./cli/manpage.ts");
    writeStdout(manPage(VERSION, await loadModules()));
    return 0;
  }
  if (options.listModules) {
    const { listText } = await import("./cli/help.ts");
    // In a terminal the list fits its width; in a pipe it is one row per module.
    const width = facts.stdoutIsTerminal ? facts.size?.cols : undefined;
    writeStdout(listText(await loadModules(), bold(stdoutColor), width));
    return 0;
  }
  const plan = planRun(options, facts);
  if (plan instanceof UsageError) return usageError(plan);
  const names = plan.modules.length > 0 ? plan.modules : MODULE_NAMES;
  // Panes show each module's signature, so they load every selected module up front;
  // a single session loads each module only when the rotation first picks it.
  const modules = plan.mode === "panes" || plan.record !== undefined
    ? await loadModules(names)
    : names.map(lazyModule);
  const terminal = denoHost();
  const host = plan.fastForward ? new VirtualHost({ base: terminal, mute: true }) : terminal;
  // The panes (and their terminal emulator) load only when asked for: start-up stays light.
  const loadPanes = () => import("./app/panes.ts");
  return (await play(plan, host, modules, { loadPanes }).done).code;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    // Never a stack trace: one line, and the terminal back to normal.
    if (stdoutIsTerminal()) writeStdout("\x1b[?25h");
    writeStderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  Deno.exit(code);
}
