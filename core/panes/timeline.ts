/**
 * Time for several sessions at once. Live, every pane has its own real clock
 * and the compositor uses real timers: independent async loops interleave in
 * real time by themselves. A fast-forward run has no real time, so the panes
 * share one {@linkcode VirtualTimeline}: a tiny discrete-event loop in which
 * every pane parks at its next deadline and time jumps to the earliest one
 * only when every pane is parked. All panes, compositor frames and the time
 * limit then advance together on one timeline, deterministically.
 *
 * @module
 */

import { type StopCause, StopSignal } from "../clock.ts";

/** Timers the compositor and the time limit run on. */
export interface Timers {
  /** Milliseconds since the program started. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** Real timers: `performance.now()` and `setTimeout`. */
export const REAL_TIMERS: Timers = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** Real milliseconds a fast-forward runs before letting the event loop turn. */
const YIELD_EVERY_MS = 50;

interface Entry {
  readonly time: number;
  readonly seq: number;
  readonly fn?: () => void;
  readonly wake?: () => void;
  readonly fail?: (error: unknown) => void;
  cancelled: boolean;
}

/**
 * One virtual timeline shared by several tasks. A task {@linkcode join}s,
 * waits only through {@linkcode sleepUntil}, and {@linkcode leave}s when done.
 * Whenever every joined task is waiting, time jumps to the earliest timer or
 * wake-up. Entries at the same time run in the order they were made.
 */
export class VirtualTimeline implements Timers {
  #now: number;
  #seq = 0;
  #heap: Entry[] = [];
  #tasks = 0;
  #running = 0;
  #stopped: StopCause | undefined;
  #advancing = false;
  #yielding = false;
  #lastYield = performance.now();

  /** Creates a timeline starting at `startMs`. */
  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): () => void {
    const entry = this.#push(this.#now + Math.max(0, ms), { fn });
    return () => void (entry.cancelled = true);
  }

  /** Why the timeline was stopped, if it was. */
  get stopped(): StopCause | undefined {
    return this.#stopped;
  }

  /** A task starts running on this timeline. */
  join(): void {
    this.#tasks++;
    this.#running++;
  }

  /** A running task is done. */
  leave(): void {
    this.#tasks--;
    this.#running--;
    this.#advance();
  }

  /**
   * Parks the calling task until the timeline reaches `time`. Rejects with
   * {@linkcode StopSignal} once the timeline is stopped.
   */
  sleepUntil(time: number): Promise<void> {
    if (this.#stopped) return Promise.reject(new StopSignal(this.#stopped));
    if (time <= this.#now) return Promise.resolve();
    return new Promise<void>((wake, fail) => {
      this.#push(time, { wake, fail });
      this.#running--;
      this.#advance();
    });
  }

  /** Stops the timeline: every parked task (and every later sleep) gets a stop signal. */
  stop(cause: StopCause): void {
    if (this.#stopped) return;
    this.#stopped = cause;
    const parked = this.#heap.filter((e) => e.fail && !e.cancelled);
    this.#heap = this.#heap.filter((e) => e.fn);
    for (const entry of parked) {
      this.#running++;
      entry.fail?.(new StopSignal(cause));
    }
  }

  #push(time: number, what: Pick<Entry, "fn" | "wake" | "fail">): Entry {
    const entry: Entry = { time, seq: this.#seq++, ...what, cancelled: false };
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry)) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
    return entry;
  }

  #pop(): Entry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && before(heap[r] as Entry, heap[l] as Entry) ? r : l;
      if (!before(heap[child] as Entry, last)) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /**
   * Runs timers and wakes tasks while every task is parked. Every
   * {@linkcode YIELD_EVERY_MS} of real time it lets the event loop turn once,
   * so signals (Ctrl-C) are heard even during a long fast-forward.
   */
  #advance(): void {
    if (this.#advancing || this.#yielding) return;
    this.#advancing = true;
    try {
      while (this.#running === 0 && this.#tasks > 0) {
        if (performance.now() - this.#lastYield > YIELD_EVERY_MS) {
          this.#yielding = true;
          setTimeout(() => {
            this.#yielding = false;
            this.#lastYield = performance.now();
            this.#advance();
          }, 0);
          return;
        }
        const entry = this.#pop();
        if (entry === undefined) break;
        if (entry.cancelled) continue;
        this.#now = Math.max(this.#now, entry.time);
        if (entry.fn) entry.fn();
        else {
          this.#running++;
          entry.wake?.();
        }
      }
    } finally {
      this.#advancing = false;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
