/**
 * The one place that touches `Deno.*` for the program: standard streams,
 * terminal size, environment (only where permission is already granted, never
 * prompting), signals. Modules never import this.
 *
 * @module
 */

import { boundedSize } from "./term_size.ts";

const encoder = new TextEncoder();

/** Writes all of `text` to a stream, looping over partial writes. Returns false on a closed pipe. */
function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): boolean {
  let bytes = encoder.encode(text);
  try {
    while (bytes.length > 0) {
      const n = stream.writeSync(bytes);
      bytes = bytes.subarray(n);
    }
    return true;
  } catch (error) {
    if (isClosedPipe(error)) return false;
    throw error;
  }
}

/** Whether an error means the reader went away (`denact | head`). */
export function isClosedPipe(error: unknown): boolean {
  if (error instanceof Deno.errors.BrokenPipe) return true;
  const code = (error as { code?: string } | null)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
}

/** A sink for the screen that reports a closed pipe once and then drops output. */
export function stdoutSink(onClosed: () => void): (chunk: string) => void {
  let open = true;
  return (chunk) => {
    if (!open) return;
    if (!writeAll(Deno.stdout, chunk)) {
      open = false;
      onClosed();
    }
  };
}

/** Writes to stdout; false if the pipe is closed. */
export function writeStdout(text: string): boolean {
  return writeAll(Deno.stdout, text);
}

/** Writes to stderr, ignoring a closed pipe. */
export function writeStderr(text: string): void {
  writeAll(Deno.stderr, text);
}

/** Whether stdout is an interactive terminal. */
export function stdoutIsTerminal(): boolean {
  try {
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

/** Whether stderr is an interactive terminal. */
export function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

/** The terminal size, or undefined when there is no terminal (never throws). */
export function terminalSize(): { cols: number; rows: number } | undefined {
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

/** The signals that end a run, with the exit cause each maps to. */
export const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Listens for the exit signals this platform supports; returns a function that removes them. */
export function onExitSignal(handler: (signal: typeof EXIT_SIGNALS[number]) => void): () => void {
  const removers: (() => void)[] = [];
  for (const signal of EXIT_SIGNALS) {
    if (Deno.build.os === "windows" && signal !== "SIGINT") continue;
    const listener = () => handler(signal);
    try {
      Deno.addSignalListener(signal, listener);
      removers.push(() => Deno.removeSignalListener(signal, listener));
    } catch {
      // Signal not supported here.
    }
  }
  return () => removers.forEach((remove) => remove());
}

/** Calls `handler` with the new size when the terminal is resized; returns a remover. */
export function onResize(handler: (cols: number, rows: number) => void): () => void {
  let last = terminalSize();
  const check = () => {
    const size = terminalSize();
    if (size && (size.cols !== last?.cols || size.rows !== last?.rows)) {
      last = size;
      handler(size.cols, size.rows);
    }
  };
  if (Deno.build.os !== "windows") {
    try {
      Deno.addSignalListener("SIGWINCH", check);
      return () => Deno.removeSignalListener("SIGWINCH", check);
    } catch {
      // Fall through to polling.
    }
  }
  const timer = setInterval(check, 1000);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}

/** A random 64-bit seed from the system's random source (needs no permission). */
export function randomSeed(): bigint {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(words[0] as number) << 32n) | BigInt(words[1] as number);
}

/** Whether writing `path` is already allowed (never prompts). */
export function writeAllowed(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "write", path }).state === "granted";
  } catch {
    return false;
  }
}

/** A file opened for writing text. */
export interface TextFile {
  /** Writes all of `text`; throws on failure. */
  write(text: string): void;
  /** Closes the file. */
  close(): void;
}

/**
 * Creates `path` for writing. Without `overwrite`, fails with
 * `Deno.errors.AlreadyExists` if it exists; with it, truncates it.
 */
export function createTextFile(path: string, overwrite: boolean): TextFile {
  const file = Deno.openSync(path, {
    write: true,
    create: true,
    truncate: overwrite,
    createNew: !overwrite,
  });
  return {
    write(text) {
      let bytes = encoder.encode(text);
      while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
    },
    close: () => file.close(),
  };
}

/**
 * Takes the keyboard for a full-screen display: stdin goes to raw mode (no
 * echo, no line editing, no job-control keys, so typed keys never scribble on
 * the display nor stop the program in the alternate screen) and every key
 * read is passed to `onKey`; the caller maps Ctrl-C itself. Returns a function
 * that gives the keyboard back. Does nothing when stdin is no terminal.
 */
export function takeKeyboard(onKey: (bytes: Uint8Array) => void): () => void {
  try {
    if (!Deno.stdin.isTerminal()) return () => {};
    Deno.stdin.setRaw(true);
  } catch {
    return () => {};
  }
  let active = true;
  const buffer = new Uint8Array(64);
  const loop = async () => {
    while (active) {
      const n = await Deno.stdin.read(buffer).catch(() => null);
      if (n === null) return;
      if (active && n > 0) onKey(buffer.slice(0, n));
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
}
