/**
 * What a run needs from its surroundings, as one interface: where output
 * goes, what ends the run from outside (signals, keys, a closed output), the
 * terminal's resizes and suspensions, timers (real or virtual), keep-awake,
 * the recording file and error reporting. {@linkcode play} is written against
 * this alone; the hosts are the Deno terminal (`deno_host.ts`), virtual time
 * (`virtual_host.ts`: tests and `--fast-forward`) and the browser page
 * (`browser_host.ts`). Only hosts touch `Deno.*`, the DOM or real timers.
 *
 * @module
 */

import type { StopCause, Timers } from "../core/clock.ts";
import type { VirtualTimeline } from "../core/panes/timeline.ts";
import type { CastSink } from "../core/record.ts";

/** A cause that ends a run from outside it. */
export type OutsideStop = Exclude<StopCause, "modules" | "time">;

/** Time as a host provides it: real wall timers, or a virtual timeline that runs as fast as it can. */
export type HostTime =
  | { readonly kind: "real"; readonly timers: Timers }
  | { readonly kind: "virtual"; readonly timeline: VirtualTimeline; readonly wall: Timers };

/** A running keep-awake helper. */
export interface KeepAwake {
  /** Releases the lock. */
  release(): void;
}

/** The surroundings of a run. */
export interface Host {
  /** Real or virtual time. Times are milliseconds since program start. */
  readonly time: HostTime;
  /** Writes program output (the screen). After the output closed, drops it. */
  write(chunk: string): void;
  /**
   * While too much output waits to leave the process, a promise that resolves
   * once enough has left: the run waits for it (backpressure). Otherwise undefined.
   */
  backlog(): Promise<void> | undefined;
  /**
   * Waits, at most `limitMs` of wall time, until written output has left the
   * process (a stalled reader may never take it).
   */
  drain(limitMs: number): Promise<void>;
  /**
   * Calls `stop` when the run must end from outside: a signal, Ctrl-C from
   * the keyboard, the output closed. Returns a function that stops listening.
   */
  onStop(stop: (cause: OutsideStop) => void): () => void;
  /** Calls `resize` with the terminal's new size. Returns a remover. */
  onResize(resize: (cols: number, rows: number) => void): () => void;
  /**
   * Ctrl-Z and `fg`: `suspend` runs before the process stops (put the terminal
   * back), `resume` after it continues (draw again). Returns a remover.
   */
  onSuspend(suspend: () => void, resume: () => void): () => void;
  /**
   * Takes the keyboard for a full-screen display (raw mode: no echo, Ctrl-C
   * becomes a stop event). Returns a function that gives it back.
   */
  takeKeyboard(): () => void;
  /** Starts keeping the machine awake; warns through {@linkcode Host.report} when it cannot. */
  keepAwake(reason: string): KeepAwake | undefined;
  /** Creates the recording's file, or says in one phrase why it cannot. */
  createRecording(path: string, overwrite: boolean): CastSink | string;
  /** Reports a message (one or more whole lines) to the user, apart from the output. */
  report(text: string): void;
  /** Why writing the output failed, when it failed other than by the reader going away. */
  readonly outputFailure: string | undefined;
}

/** The remover of a listener a host does not support. */
export const NOTHING_TO_REMOVE = (): void => {};
