/**
 * The entry for runs with `--panes` and/or `--record`: checks how the options
 * combine, opens the recording (never overwriting without `--force`, never
 * prompting for permission), runs panes or a single recorded session, and
 * reports how the recording went.
 *
 * @module
 */

import type { ColorMode, Options } from "../cli/options.ts";
import { UsageError } from "../cli/errors.ts";
import {
  envVar,
  noColorSet,
  randomSeed,
  stderrIsTerminal,
  terminalSize,
  writeAllowed,
  writeStderr,
} from "./platform.ts";
import { castHeader, CastRecorder, describeError } from "./record.ts";
import { openCastFile } from "./record_file.ts";
import { runRecorded } from "./record_run.ts";
import { fallbackColumns } from "./term_size.ts";
import { echoed } from "./visible.ts";
import type { RunSetup } from "./run_support.ts";
import type { Module } from "./types.ts";

/** What is wrong with how the pane and recording options combine, if anything. */
export function combinationProblem(options: Options, stdoutTTY: boolean): string | undefined {
  if (options.record === undefined) {
    if (options.fastForward) {
      return "'--fast-forward' needs '--record <FILE>': a fast-forward run only draws into the recording";
    }
    if (options.force) return "'--force' only applies with '--record <FILE>'";
  }
  if (options.recordSize !== undefined && !options.fastForward) {
    return "'--record-size <COLSxROWS>' only applies with '--fast-forward': a live recording has the terminal's size";
  }
  if (
    options.fastForward && options.exitAfterTime === undefined &&
    options.exitAfterModules === undefined
  ) {
    return "'--fast-forward' needs '--exit-after-time <DURATION>' or '--exit-after-modules <N>' so the recording ends";
  }
  if (options.panes !== undefined && !options.fastForward && !stdoutTTY) {
    return "'--panes <LAYOUT>' needs a terminal, and standard output is not one (a pipe or a file); to record panes without a terminal, add '--record <FILE> --fast-forward'";
  }
  return undefined;
}

/** Colour for a fast-forward recording: meant for a terminal player, so `auto` means on. */
export function recordingColor(mode: ColorMode, noColor: boolean): boolean {
  return mode === "always" || (mode === "auto" && !noColor);
}

/** Opens the cast file, or says clearly why it cannot be. */
export function openRecorder(
  path: string,
  force: boolean,
  header: ReturnType<typeof castHeader>,
  immediate: boolean,
): CastRecorder | string {
  if (path.trim() === "") return "cannot record: the file name is empty";
  if (!writeAllowed(path)) {
    return `cannot record to '${
      echoed(path)
    }': no permission to write it (under deno run, add --allow-write=${echoed(path)})`;
  }
  try {
    const recorder = new CastRecorder(openCastFile(path, force), header, { immediate });
    if (recorder.failure) return `cannot record to '${echoed(path)}': ${recorder.failure}`;
    return recorder;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      return `cannot record to '${echoed(path)}': the file exists (add --force to overwrite it)`;
    }
    return `cannot record to '${echoed(path)}': ${describeError(error)}`;
  }
}

/**
 * Runs with panes and/or a recording; resolves with the exit code (2 for a
 * bad combination of options, 1 when the recording cannot be opened or fails).
 */
export async function runPanesOrRecording(
  options: Options,
  color: boolean,
  modules: readonly Module[],
  stdoutTTY: boolean,
): Promise<number> {
  const problem = combinationProblem(options, stdoutTTY);
  if (problem !== undefined) {
    writeStderr(new UsageError(problem).format(stderrIsTerminal() && !noColorSet()));
    return 2;
  }
  const fastForward = options.fastForward;
  const terminal = terminalSize();
  const size = fastForward
    ? options.recordSize ?? terminal ?? { cols: 80, rows: 24 }
    : terminal ?? { cols: fallbackColumns(envVar("COLUMNS")), rows: 24 };
  const epochMs = Date.now();
  let recorder: CastRecorder | undefined;
  if (options.record !== undefined) {
    const term = fastForward ? "xterm-256color" : envVar("TERM") || "xterm-256color";
    const header = castHeader(size.cols, size.rows, epochMs, term);
    const opened = openRecorder(options.record, options.force, header, !fastForward);
    if (typeof opened === "string") {
      writeStderr(`error: ${opened}\n`);
      return 1;
    }
    recorder = opened;
  }
  const setup: RunSetup = {
    options,
    color: fastForward ? recordingColor(options.color, noColorSet()) : color,
    modules,
    cols: size.cols,
    rows: size.rows,
    tty: stdoutTTY,
    seed: options.seed ?? randomSeed(),
    epochMs,
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
    recorder,
  };
  // The panes (and their terminal emulator) load only when asked for: start-up stays light.
  let code = options.panes !== undefined
    ? await (await import("./panes/run.ts")).runPanes(setup, options.panes)
    : await runRecorded(setup);
  if (recorder) {
    recorder.close();
    const seconds = (recorder.lastMs / 1000).toFixed(1);
    if (recorder.failure !== undefined) {
      writeStderr(
        `error: recording to '${
          echoed(options.record ?? "")
        }' failed: ${recorder.failure}; the recording is incomplete\n`,
      );
      if (code === 0) code = 1;
    } else if (fastForward) {
      writeStderr(
        `Recorded ${seconds} s (${recorder.events} events) to ${echoed(options.record ?? "")}\n`,
      );
    }
  }
  return code;
}
