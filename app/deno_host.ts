/**
 * The Deno terminal host: the one place that touches `Deno.*` for a run.
 * Standard streams, terminal size, environment (read only where permission is
 * already granted, never prompting), signals, the raw keyboard for panes,
 * Ctrl-Z, the recording's file and the keep-awake helper.
 *
 * @module
 */

import { REAL_TIMERS } from "../core/clock.ts";
import type { CastSink } from "../core/record.ts";
import { type Host, type KeepAwake, NOTHING_TO_REMOVE, type OutsideStop } from "./host.ts";
import { boundedSize } from "../core/term_size.ts";
import { echoed } from "../core/visible.ts";
import { startInhibitor } from "./inhibit.ts";
import { openCastFile } from "./record_file.ts";
import type { ProcessFacts } from "./plan.ts";

const encoder = new TextEncoder();

/** What became of a write. */
type WriteResult = "ok" | "closed" | "terminal gone" | { failure: string };

/** Writes all of `text` to a stream, looping over partial writes; never throws. */
function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): WriteResult {
  let bytes = encoder.encode(text);
  try {
    while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
    return "ok";
  } catch (error) {
    if (isClosedPipe(error)) return "closed";
    if (isTerminalGone(error)) return "terminal gone";
    return { failure: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether an error means the reader went away (`denact | head`). */
function isClosedPipe(error: unknown): boolean {
  if (error instanceof Deno.errors.BrokenPipe) return true;
  const code = (error as { code?: string } | null)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
}

/** Whether an error means the terminal was closed under us (EIO on a tty). */
function isTerminalGone(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "EIO" || (error instanceof Error && /\(os error 5\)$/.test(error.message));
}

/** Writes to stdout (help, version, lists); false if it could not be written. */
export function writeStdout(text: string): boolean {
  return writeAll(Deno.stdout, text) === "ok";
}

/** Writes to stderr; a closed, full or vanished stderr is ignored (the exit code still tells). */
export function writeStderr(text: string): void {
  writeAll(Deno.stderr, text);
}

function isTerminal(stream: { isTerminal(): boolean }): boolean {
  try {
    return stream.isTerminal();
  } catch {
    return false;
  }
}

/** Whether stdout is an interactive terminal. */
export function stdoutIsTerminal(): boolean {
  return isTerminal(Deno.stdout);
}

/** Whether stderr is an interactive terminal. */
export function stderrIsTerminal(): boolean {
  return isTerminal(Deno.stderr);
}

/**
 * The terminal size, or undefined when there is none. Asks the runtime only
 * when some standard stream is a terminal: otherwise the answer is known, and
 * asking costs a thrown error.
 */
export function terminalSize(): { cols: number; rows: number } | undefined {
  if (!isTerminal(Deno.stdout) && !isTerminal(Deno.stderr) && !isTerminal(Deno.stdin)) {
    return undefined;
  }
  try {
    const { columns, rows } = Deno.consoleSize();
    if (columns > 0 && rows > 0) return boundedSize(columns, rows);
  } catch {
    // No terminal attached: the caller falls back to defaults.
  }
  return undefined;
}

/** An environment variable, read only if permission is already granted; never prompts. */
export function envVar(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return undefined;
    }
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Whether `NO_COLOR` is set (needs no permission). */
export function noColorSet(): boolean {
  return Deno.noColor || (envVar("NO_COLOR") ?? "") !== "";
}

/** A random 64-bit seed from the system's random source (needs no permission). */
function randomSeed(): bigint {
  return crypto.getRandomValues(new BigUint64Array(1))[0] ?? 0n;
}

/** The facts of this process that a run plan needs. */
export function processFacts(): ProcessFacts {
  const tty = stdoutIsTerminal();
  return {
    stdoutIsTerminal: tty,
    size: terminalSize(),
    columns: envVar("COLUMNS"),
    noColor: noColorSet(),
    forceColor: envVar("FORCE_COLOR"),
    term: envVar("TERM"),
    epochMs: Date.now(),
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
    randomSeed: randomSeed(),
  };
}

/** Wall time Ctrl-Z waits for the screen's restoring bytes before the process stops. */
const SUSPEND_DRAIN_MS = 200;

/** The signals that end a run. */
const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Adds a signal listener if the platform has the signal; returns a remover. */
function listen(signal: Deno.Signal, listener: () => void): () => void {
  try {
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  } catch {
    return NOTHING_TO_REMOVE;
  }
}

/** The byte Ctrl-C sends in raw mode. */
const CTRL_C = 0x03;

/**
 * Output queued beyond this many bytes makes the run wait (backpressure): a
 * slow or stalled reader slows the run down instead of filling memory.
 */
const MAX_QUEUED_BYTES = 256 * 1024;

/** Where the Deno host writes its output (stdout; a fake in tests). */
export interface OutputStream {
  write(p: Uint8Array): Promise<number>;
}

/**
 * The Deno terminal host for one run. Output is written asynchronously, in
 * order, so that a signal is heard even while a write waits on a stalled
 * reader (a synchronous write would block the only thread).
 */
export function denoHost(stdout: OutputStream = Deno.stdout): Host {
  const stops = new Set<(cause: OutsideStop) => void>();
  /** Why the output closed, for listeners that come after it did. */
  let closedBy: OutsideStop | undefined;
  const stopAll = (cause: OutsideStop) => {
    for (const stop of [...stops]) stop(cause);
  };
  let outputOpen = true;
  let outputFailure: string | undefined;
  const queue: Uint8Array[] = [];
  let queued = 0;
  let writing = false;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const ready = waiters;
    waiters = [];
    ready.forEach((resume) => resume());
  };
  const close = (error: unknown) => {
    outputOpen = false;
    queue.length = 0;
    queued = 0;
    if (!isTerminalGone(error) && !isClosedPipe(error)) {
      outputFailure = error instanceof Error ? error.message : String(error);
    }
    closedBy = isTerminalGone(error) ? "SIGHUP" : "pipe";
    stopAll(closedBy);
  };
  const pump = async () => {
    writing = true;
    while (queue.length > 0) {
      const bytes = queue[0];
      try {
        let rest = bytes;
        while (rest.length > 0) rest = rest.subarray(await stdout.write(rest));
      } catch (error) {
        close(error);
        break;
      }
      queue.shift();
      queued -= bytes.length;
      if (queued <= MAX_QUEUED_BYTES / 2) wake();
    }
    writing = false;
    wake();
  };
  const waitFor = (done: () => boolean, limitMs: number) => {
    if (done()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancel = Number.isFinite(limitMs) ? REAL_TIMERS.after(limitMs, resolve) : () => {};
      const check = () => {
        if (!done()) return void waiters.push(check);
        cancel();
        resolve();
      };
      waiters.push(check);
    });
  };
  return {
    time: { kind: "real", timers: REAL_TIMERS },
    write(chunk) {
      if (!outputOpen || chunk.length === 0) return;
      const bytes = encoder.encode(chunk);
      queue.push(bytes);
      queued += bytes.length;
      if (!writing) pump();
    },
    backlog() {
      return queued > MAX_QUEUED_BYTES
        ? waitFor(() => queued <= MAX_QUEUED_BYTES / 2, Number.POSITIVE_INFINITY)
        : undefined;
    },
    drain: (limitMs) => waitFor(() => !writing, limitMs),
    onStop(stop) {
      stops.add(stop);
      if (closedBy !== undefined) stop(closedBy);
      const removers = EXIT_SIGNALS
        .filter((signal) => Deno.build.os !== "windows" || signal === "SIGINT")
        .map((signal) => listen(signal, () => stop(signal)));
      return () => {
        stops.delete(stop);
        removers.forEach((remove) => remove());
      };
    },
    onResize(resize) {
      let last = terminalSize();
      const check = () => {
        const size = terminalSize();
        if (size && (size.cols !== last?.cols || size.rows !== last?.rows)) {
          last = size;
          resize(size.cols, size.rows);
        }
      };
      if (Deno.build.os !== "windows") return listen("SIGWINCH", check);
      const timer = setInterval(check, 1000);
      Deno.unrefTimer(timer);
      return () => clearInterval(timer);
    },
    onSuspend(suspend, resume) {
      if (Deno.build.os === "windows") return NOTHING_TO_REMOVE;
      const removeStop = listen("SIGTSTP", () => {
        suspend();
        // The screen's last words (cursor shown, alternate screen left) are written
        // asynchronously: stopping before they are out would leave the terminal as it was.
        waitFor(() => !writing, SUSPEND_DRAIN_MS).then(() => {
          try {
            // Listening replaced the default action: stop as the shell expects.
            Deno.kill(Deno.pid, "SIGSTOP");
          } catch {
            resume();
          }
        });
      });
      const removeContinue = listen("SIGCONT", resume);
      return () => {
        removeStop();
        removeContinue();
      };
    },
    takeKeyboard() {
      try {
        if (!Deno.stdin.isTerminal()) return NOTHING_TO_REMOVE;
        Deno.stdin.setRaw(true);
      } catch {
        return NOTHING_TO_REMOVE;
      }
      let active = true;
      const buffer = new Uint8Array(64);
      const loop = async () => {
        while (active) {
          const n = await Deno.stdin.read(buffer).catch(() => null);
          if (n === null) return;
          if (active && buffer.subarray(0, n).includes(CTRL_C)) stopAll("SIGINT");
        }
      };
      loop();
      return () => {
        active = false;
        try {
          Deno.stdin.setRaw(false);
        } catch {
          // stdin went away: nothing to restore.
        }
      };
    },
    keepAwake(reason): KeepAwake | undefined {
      return startInhibitor(reason, (message) => writeStderr(message + "\n"));
    },
    createRecording(path, overwrite): CastSink | string {
      return createFile(path, overwrite);
    },
    report: writeStderr,
    get outputFailure() {
      return outputFailure;
    },
  };
}

/** Creates `path` for writing (never overwriting without `overwrite`, never prompting). */
function createFile(path: string, overwrite: boolean): CastSink | string {
  const permission = `no permission to write it (under deno run, add --allow-write=${
    echoed(path)
  })`;
  try {
    if (Deno.permissions.querySync({ name: "write", path }).state !== "granted") return permission;
  } catch {
    return permission;
  }
  try {
    return openCastFile(path, overwrite);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      return "the file exists (add --force to overwrite it)";
    }
    return error instanceof Error ? error.message : String(error);
  }
}
