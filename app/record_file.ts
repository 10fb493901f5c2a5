/**
 * The file a `--record` cast goes into: opened without following a surprise
 * (a directory or a symbolic link to nowhere gets its own clear message, never
 * "the file exists"), and written in whole lines: when a write fails part way
 * (a full disk), the file is cut back to the end of the last complete line,
 * so a cast cut short is still a valid asciicast that players read to its
 * last event (issue 11, F9).
 *
 * @module
 */

import type { CastSink } from "../core/record.ts";
import { visible } from "../core/visible.ts";

/** The calls {@linkcode lineSafeSink} needs from an open file. */
export interface WritableFile {
  writeSync(bytes: Uint8Array): number;
  truncateSync(length: number): void;
  close(): void;
}

/**
 * A cast sink over `file` that keeps the file ending on a complete line: each
 * `write` is whole lines, and if it fails the file is truncated back to where
 * that write began before the error is passed on.
 */
export function lineSafeSink(file: WritableFile, startLength = 0): CastSink {
  const encoder = new TextEncoder();
  let committed = startLength;
  return {
    write(text) {
      const all = encoder.encode(text);
      let bytes = all;
      try {
        while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
      } catch (error) {
        if (bytes.length !== all.length) {
          try {
            file.truncateSync(committed);
          } catch {
            // A device (such as /dev/full) cannot be truncated; there is nothing to cut.
          }
        }
        throw error;
      }
      committed += all.length;
    },
    close: () => file.close(),
  };
}

/** Why a path cannot take a recording before anything is written, or undefined if it may. */
export function pathProblem(path: string, overwrite: boolean): string | undefined {
  let entry: Deno.FileInfo;
  try {
    entry = Deno.lstatSync(path);
  } catch {
    return undefined; // Nothing there (or not visible): opening says what is wrong, if anything.
  }
  if (entry.isDirectory) return "it is a directory; give the name of a file to write";
  if (entry.isSymlink && !overwrite) {
    let target = "";
    try {
      target = Deno.readLinkSync(path);
      Deno.statSync(path);
    } catch {
      return `it is a symbolic link to '${
        visible(target)
      }', which does not exist (add --force to create it)`;
    }
  }
  if (entry.isSymlink) {
    try {
      if (Deno.statSync(path).isDirectory) {
        return "it links to a directory; give the name of a file to write";
      }
    } catch {
      // A dangling link with --force: the file it names is created.
    }
  }
  return undefined;
}

/**
 * Opens `path` for a cast: a new file, or (with `overwrite`) an existing one
 * truncated. Throws `Deno.errors.AlreadyExists` for an existing file without
 * `overwrite`, and an `Error` with a clear reason for a directory or a
 * dangling symbolic link.
 */
export function openCastFile(path: string, overwrite: boolean): CastSink {
  const problem = pathProblem(path, overwrite);
  if (problem !== undefined) throw new Error(problem);
  const file = Deno.openSync(path, {
    write: true,
    create: true,
    truncate: overwrite,
    createNew: !overwrite,
  });
  return lineSafeSink(file);
}
