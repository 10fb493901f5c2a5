/**
 * The browser's host: output into an xterm.js terminal, Ctrl-C typed into it
 * as the stop event, its resizes, the page's timers. Free of the DOM and of
 * Deno: it sees only the small part of xterm.js it uses.
 *
 * @module
 */

import { REAL_TIMERS, type Timers } from "../core/clock.ts";
import { type Host, NOTHING_TO_REMOVE } from "./host.ts";

/** The part of an xterm.js `Terminal` the page uses. */
export interface WebTerminal {
  readonly cols: number;
  readonly rows: number;
  /** Writes data; `callback` runs once xterm.js has parsed it (flow control). */
  write(data: string, callback?: () => void): void;
  onResize(listener: (size: { cols: number; rows: number }) => void): { dispose(): void };
  onData(listener: (data: string) => void): { dispose(): void };
}

/**
 * Output xterm.js may hold unparsed before the page waits for it: well below
 * the 50 MB at which xterm.js discards writes ("write data discarded").
 */
const MAX_UNPARSED_CHARS = 1024 * 1024;

/** A host writing into `term`. `timers` are the page's (default: the runtime's). */
export function browserHost(term: WebTerminal, timers: Timers = REAL_TIMERS): Host {
  let unparsed = 0;
  let waiters: (() => void)[] = [];
  const parsed = (length: number) => () => {
    unparsed -= length;
    if (unparsed > MAX_UNPARSED_CHARS / 2) return;
    const ready = waiters;
    waiters = [];
    ready.forEach((wake) => wake());
  };
  return {
    time: { kind: "real", timers },
    write(chunk) {
      unparsed += chunk.length;
      term.write(chunk, parsed(chunk.length));
    },
    backlog() {
      if (unparsed <= MAX_UNPARSED_CHARS) return undefined;
      return new Promise((resolve) => waiters.push(resolve));
    },
    drain(limitMs) {
      if (unparsed <= MAX_UNPARSED_CHARS) return Promise.resolve();
      return new Promise((resolve) => {
        const cancel = timers.after(limitMs, resolve);
        waiters.push(() => {
          cancel();
          resolve();
        });
      });
    },
    onStop(stop) {
      const keys = term.onData((data) => {
        if (data.includes("\x03")) stop("SIGINT");
      });
      return () => keys.dispose();
    },
    onResize(resize) {
      const listener = term.onResize(({ cols, rows }) => resize(cols, rows));
      return () => listener.dispose();
    },
    onSuspend: () => NOTHING_TO_REMOVE,
    takeKeyboard: () => NOTHING_TO_REMOVE,
    keepAwake: () => undefined,
    createRecording: () => "the page cannot write files",
    report(text) {
      term.write(text.replace(/^error:/gm, "\x1b[1;31merror:\x1b[0m"));
    },
    outputFailure: undefined,
  };
}
