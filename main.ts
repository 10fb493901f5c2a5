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
import { type ColorMode, type Options, usesPanesOrRecording } from "./cli/options.ts";
import { UsageError } from "./cli/errors.ts";
import { parseCommandLine } from "./cli/parse.ts";
import {
  envVar,
  noColorSet,
  onExitSignal,
  onResize,
  randomSeed,
  stderrIsTerminal,
  stdoutIsTerminal,
  stdoutSink,
  terminalSize,
  writeStderr,
  writeStdout,
} from "./core/platform.ts";
import { runToExit } from "./core/runner.ts";
import { fallbackColumns } from "./core/term_size.ts";
import { Session } from "./core/session.ts";
import { lazyModule, loadModules, MODULE_NAMES } from "./modules/registry.ts";

/** The version, from deno.json (the single source of truth). */
export const VERSION: string = config.version;

/** Decides whether to colour: `--color` first, then NO_COLOR, FORCE_COLOR, then the terminal. */
function resolveColor(
  mode: ColorMode,
  isTerminal: boolean,
  noColor: boolean,
  forceColor: string | undefined,
): boolean {
  if (mode === "always") return true;
  if (mode === "never") return false;
  if (noColor) return false;
  if (
    forceColor !== undefined && forceColor !== "" && forceColor !== "0" && forceColor !== "false"
  ) {
    return true;
  }
  return isTerminal;
}

/**
 * Frame interval of a CLI run: about ten frames a second, the rate real tools
 * redraw at; each wake-up of the runtime costs CPU whatever it draws.
 */
const CLI_FRAME_MS = 100;

const bold = (enabled: boolean) => (s: string) => enabled ? `\x1b[1m${s}\x1b[0m` : s;

/** Runs the program with `args`; resolves with the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parseCommandLine(args, MODULE_NAMES);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    writeStderr(error.format(stderrIsTerminal() && !noColorSet()));
    return 2;
  }
  const stdoutColor = resolveColor(
    options.color,
    stdoutIsTerminal(),
    noColorSet(),
    envVar("FORCE_COLOR"),
  );
  if (options.help) {
    const { helpText } = await import("./cli/help.ts");
    writeStdout(helpText(VERSION, bold(stdoutColor), Math.min(terminalSize()?.cols ?? 80, 100)));
    return 0;
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
  if (options.printManpage) {
    const { manPage } = await import("./cli/manpage.ts");
    writeStdout(manPage(VERSION, await loadModules()));
    return 0;
  }
  if (options.listModules) {
    const { listText } = await import("./cli/help.ts");
    writeStdout(listText(await loadModules(), bold(stdoutColor)));
    return 0;
  }
  return await run(options, stdoutColor);
}

async function run(options: Options, color: boolean): Promise<number> {
  const names = options.modules.length > 0 ? options.modules : MODULE_NAMES;
  const tty = stdoutIsTerminal();
  if (usesPanesOrRecording(options)) {
    // Panes show each module's signature, so these load every selected module up front.
    const { runPanesOrRecording } = await import("./core/run_modes.ts");
    return await runPanesOrRecording(options, color, await loadModules(names), tty);
  }
  // A plain run loads each module only when the rotation first picks it.
  const selected = names.map(lazyModule);
  const size = terminalSize();
  let onClosedPipe = () => {};
  const sink = stdoutSink(() => onClosedPipe());
  const session = new Session({
    sink,
    cols: size?.cols ?? fallbackColumns(envVar("COLUMNS")),
    rows: size?.rows ?? 24,
    tty,
    color,
    speed: options.speedFactor,
    seed: options.seed ?? randomSeed(),
    epochMs: Date.now(),
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
    instantLines: options.instantPrintLines,
    startedAgoMs: performance.now(),
    frameMs: CLI_FRAME_MS,
  });
  onClosedPipe = () => session.clock.stop("pipe");
  const active = session;
  const removeSignals = onExitSignal((signal) => active.clock.stop(signal));
  const removeResize = tty ? onResize((cols, rows) => active.resize(cols, rows)) : () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.exitAfterTime !== undefined) {
    timer = setTimeout(
      () => active.clock.stop("time"),
      Math.max(0, options.exitAfterTime - performance.now()),
    );
  }
  const inhibitor = options.inhibit
    ? (await import("./core/inhibit.ts")).startInhibitor(
      "Pretending to work (denact)",
      (message) => writeStderr(message + "\n"),
    )
    : undefined;
  try {
    return await runToExit(active, {
      modules: selected,
      ...(options.exitAfterModules !== undefined
        ? { exitAfterModules: options.exitAfterModules }
        : {}),
    }, writeStderr);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    removeSignals();
    removeResize();
    inhibitor?.release();
  }
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
