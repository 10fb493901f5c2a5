/**
 * A host on virtual time: the run goes as fast as it can on a
 * {@linkcode VirtualTimeline}, the same frames and times on every run. On its
 * own it is a fake for tests (output, reports and recordings kept in memory;
 * stops, resizes and suspensions fired by hand). Over another host it is
 * `--fast-forward` or a test of the page: that host's stop events, resizes,
 * recordings and reports, with its output kept or muted.
 *
 * @module
 */

import { REAL_TIMERS, type Timers } from "../core/clock.ts";
import { VirtualTimeline } from "../core/panes/timeline.ts";
import type { CastSink } from "../core/record.ts";
import type { Host, HostTime, KeepAwake, OutsideStop } from "./host.ts";

/** Options for {@linkcode VirtualHost}. */
export interface VirtualHostOptions {
  /** Virtual milliseconds since program start at which the timeline starts. */
  startMs?: number;
  /** The host whose events, recordings and reports this one uses. */
  base?: Host;
  /** With a base: drop the output instead of passing it on (fast-forward draws only into the recording). */
  mute?: boolean;
  /** Wall timers that pace the yields to the event loop (tests may fake them). */
  wall?: Timers;
}

/** A host on virtual time; see the module documentation. */
export class VirtualHost implements Host {
  readonly time: Extract<HostTime, { kind: "virtual" }>;
  /** Output written, when there is no base host. */
  output = "";
  /** Reports made, when there is no base host. */
  readonly reports: string[] = [];
  /** Recordings made, by path, when there is no base host. */
  readonly files: Map<string, { text: string; closed: boolean }> = new Map();
  /** Keep-awake locks taken and released, when there is no base host. */
  readonly keepAwakes: { reason: string; released: boolean }[] = [];
  #base: Host | undefined;
  #mute: boolean;
  #stops = new Set<(cause: OutsideStop) => void>();
  #resizes = new Set<(cols: number, rows: number) => void>();
  #suspends = new Set<{ suspend: () => void; resume: () => void }>();
  #keyboards = 0;

  /** Creates a virtual host. */
  constructor(options: VirtualHostOptions = {}) {
    const wall = options.wall ?? REAL_TIMERS;
    this.time = {
      kind: "virtual",
      timeline: new VirtualTimeline(options.startMs ?? 0, wall),
      wall,
    };
    this.#base = options.base;
    this.#mute = options.mute ?? false;
  }

  write(chunk: string): void {
    if (this.#base) {
      if (!this.#mute) this.#base.write(chunk);
    } else {
      this.output += chunk;
    }
  }

  backlog(): Promise<void> | undefined {
    return this.#base && !this.#mute ? this.#base.backlog() : undefined;
  }

  drain(limitMs: number): Promise<void> {
    return this.#base && !this.#mute ? this.#base.drain(limitMs) : Promise.resolve();
  }

  onStop(stop: (cause: OutsideStop) => void): () => void {
    this.#stops.add(stop);
    const removeBase = this.#base?.onStop(stop);
    return () => {
      this.#stops.delete(stop);
      removeBase?.();
    };
  }

  onResize(resize: (cols: number, rows: number) => void): () => void {
    this.#resizes.add(resize);
    const removeBase = this.#base?.onResize(resize);
    return () => {
      this.#resizes.delete(resize);
      removeBase?.();
    };
  }

  onSuspend(suspend: () => void, resume: () => void): () => void {
    const entry = { suspend, resume };
    this.#suspends.add(entry);
    const removeBase = this.#base?.onSuspend(suspend, resume);
    return () => {
      this.#suspends.delete(entry);
      removeBase?.();
    };
  }

  takeKeyboard(): () => void {
    const giveBack = this.#base?.takeKeyboard();
    this.#keyboards++;
    return () => {
      this.#keyboards--;
      giveBack?.();
    };
  }

  keepAwake(reason: string): KeepAwake | undefined {
    if (this.#base) return this.#base.keepAwake(reason);
    const lock = { reason, released: false };
    this.keepAwakes.push(lock);
    return { release: () => void (lock.released = true) };
  }

  createRecording(path: string, overwrite: boolean): CastSink | string {
    if (this.#base) return this.#base.createRecording(path, overwrite);
    if (this.files.has(path) && !overwrite) return "the file exists (add --force to overwrite it)";
    const file = { text: "", closed: false };
    this.files.set(path, file);
    return {
      write: (text) => void (file.text += text),
      close: () => void (file.closed = true),
    };
  }

  report(text: string): void {
    if (this.#base) this.#base.report(text);
    else this.reports.push(text);
  }

  get outputFailure(): string | undefined {
    return this.#mute ? undefined : this.#base?.outputFailure;
  }

  /** Ends the run from outside, as a signal or Ctrl-C would. */
  stop(cause: OutsideStop): void {
    for (const stop of [...this.#stops]) stop(cause);
  }

  /** The terminal became `cols` x `rows`. */
  resize(cols: number, rows: number): void {
    for (const resize of [...this.#resizes]) resize(cols, rows);
  }

  /** Ctrl-Z, then `fg`. */
  suspendAndResume(): void {
    for (const { suspend } of [...this.#suspends]) suspend();
    for (const { resume } of [...this.#suspends]) resume();
  }

  /** Listeners still registered (all are removed when a run ends), and keyboards still taken. */
  get listeners(): number {
    return this.#stops.size + this.#resizes.size + this.#suspends.size + this.#keyboards;
  }
}
