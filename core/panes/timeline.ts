/**
 * One timeline for several sessions at once. Every pane runs on its own
 * virtual clock (its own pretend time, deadline-based) and, after each sleep,
 * parks on the shared {@linkcode Timeline} until the timeline reaches that
 * deadline. The timeline is a tiny discrete-event loop: when every task is
 * parked it runs the earliest entries (wake-ups, compositor frames, the time
 * limit).
 *
 * - {@linkcode VirtualTimeline} (fast-forward recordings, tests) jumps straight
 *   to the earliest entry: minutes of pretend time in a moment, and the same
 *   interleaving of panes and frames on every run.
 * - {@linkcode RealTimeline} (a live `--panes` run) waits for real time with a
 *   single timer, and wakes everything due within a few milliseconds at once,
 *   so four panes and the compositor share one wake-up instead of each
 *   waking the process on its own: the main cost of an idle-looking program.
 *
 * @module
 */

import { REAL_TIMERS, type StopCause, StopSignal, type Timers, YIELD_EVERY_MS } from "../clock.ts";

interface Entry {
  readonly time: number;
  readonly seq: number;
  readonly fn?: () => void;
  readonly wake?: () => void;
  readonly fail?: (error: unknown) => void;
  cancelled: boolean;
}

/**
 * A timeline shared by several tasks. A task {@linkcode Timeline.join}s, waits
 * only through {@linkcode Timeline.sleepUntil}, and {@linkcode Timeline.leave}s
 * when done. Whenever every joined task is parked, the entries that are due
 * run: timers are called, tasks are woken. Entries run in time order, and in
 * the order they were made at equal times.
 */
export abstract class Timeline implements Timers {
  #seq = 0;
  #heap: Entry[] = [];
  #tasks = 0;
  #running = 0;
  #stopped: StopCause | undefined;
  #advancing = false;

  abstract now(): number;

  /** Called when every task is parked and the earliest entry is due at `time`: true to run it now. */
  protected abstract due(time: number): boolean;

  /** Called when every task is parked and nothing is due: arrange for `resume` to be called later. */
  protected abstract idle(nextTime: number, resume: () => void): void;

  /** Called as an entry at `time` runs. */
  protected abstract reached(time: number): void;

  after(ms: number, fn: () => void): () => void {
    const entry = this.#push(this.now() + Math.max(0, ms), { fn });
    this.advance(); // from outside the tasks (a resize, a signal): may be due before the next wake-up
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
    this.advance();
  }

  /**
   * Parks the calling task until the timeline reaches `time`. Rejects with
   * {@linkcode StopSignal} once the timeline is stopped. A time already
   * reached returns at once, unless an entry (a frame, the time limit) is
   * overdue: then the task parks so that entry runs first, and a run that
   * has fallen behind still draws and still ends.
   */
  sleepUntil(time: number): Promise<void> {
    if (this.#stopped) return Promise.reject(new StopSignal(this.#stopped));
    const now = this.now();
    if (time <= now && !((this.#heap[0]?.time ?? Infinity) <= now)) return Promise.resolve();
    return new Promise<void>((wake, fail) => {
      this.#push(time, { wake, fail });
      this.#running--;
      this.advance();
    });
  }

  /** Stops the timeline: every parked task (and every later sleep) gets a stop signal. */
  stop(cause: StopCause): void {
    if (this.#stopped) return;
    this.#stopped = cause;
    const entries = this.#heap;
    this.#heap = [];
    const parked: Entry[] = [];
    for (const entry of entries) {
      if (entry.cancelled) continue;
      if (entry.fn) this.#push(entry.time, entry, entry.seq);
      else parked.push(entry);
    }
    for (const entry of parked) {
      this.#running++;
      entry.fail?.(new StopSignal(cause));
    }
  }

  /** Whether any task is still on the timeline. */
  protected get active(): boolean {
    return this.#tasks > 0;
  }

  /** Runs due entries while every task is parked. */
  protected advance(): void {
    if (this.#advancing) return;
    this.#advancing = true;
    try {
      while (this.#running === 0 && this.#tasks > 0) {
        const entry = this.#heap[0];
        if (entry === undefined) break;
        if (entry.cancelled) {
          this.#pop();
          continue;
        }
        if (!this.due(entry.time)) {
          this.idle(entry.time, () => this.advance());
          break;
        }
        this.#pop();
        this.reached(entry.time);
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

  #push(time: number, what: Pick<Entry, "fn" | "wake" | "fail">, seq = this.#seq++): Entry {
    const entry: Entry = {
      time,
      seq,
      fn: what.fn,
      wake: what.wake,
      fail: what.fail,
      cancelled: false,
    };
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
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
      const child = r < heap.length && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * A timeline with no real waiting: time jumps to the earliest entry whenever
 * every task is parked. Every {@linkcode YIELD_EVERY_MS} of real time it lets
 * the event loop turn once, so Ctrl-C is heard even during a long fast-forward.
 */
export class VirtualTimeline extends Timeline {
  #now: number;
  #wall: Timers;
  #lastYield: number;
  #yielding = false;

  /** Creates a timeline starting at `startMs`; `wall` paces its yields to the event loop. */
  constructor(startMs = 0, wall: Timers = REAL_TIMERS) {
    super();
    this.#now = startMs;
    this.#wall = wall;
    this.#lastYield = wall.now();
  }

  now(): number {
    return this.#now;
  }

  protected due(): boolean {
    return !this.#yielding && this.#wall.now() - this.#lastYield <= YIELD_EVERY_MS;
  }

  protected idle(_next: number, resume: () => void): void {
    if (this.#yielding) return;
    this.#yielding = true;
    this.#wall.after(0, () => {
      this.#yielding = false;
      this.#lastYield = this.#wall.now();
      resume();
    });
  }

  protected reached(time: number): void {
    this.#now = Math.max(this.#now, time);
  }
}

/** Options for {@linkcode RealTimeline}. */
export interface RealTimelineOptions {
  /** Entries due within this many milliseconds run together with the one due now. */
  slackMs?: number;
  /** Wall timers (default {@linkcode REAL_TIMERS}). */
  timers?: Timers;
  /** Real time source in milliseconds since program start (default `timers.now`). */
  realNow?: () => number;
}

/**
 * A timeline on real time: one timer for the earliest entry, and everything
 * due within `slackMs` of it runs in the same wake-up.
 */
export class RealTimeline extends Timeline {
  #slack: number;
  #realNow: () => number;
  #timers: Timers;
  #cancel: (() => void) | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  /** Creates a real timeline. */
  constructor(options: RealTimelineOptions = {}) {
    super();
    this.#slack = options.slackMs ?? 12;
    const timers = options.timers ?? REAL_TIMERS;
    this.#timers = timers;
    this.#realNow = options.realNow ?? (() => timers.now());
  }

  now(): number {
    return this.#realNow();
  }

  protected due(time: number): boolean {
    return time <= this.#realNow() + this.#slack;
  }

  protected idle(next: number, resume: () => void): void {
    if (this.#cancel !== undefined && this.#timerAt <= next) return;
    this.#cancel?.();
    this.#timerAt = next;
    this.#cancel = this.#timers.after(Math.max(0, next - this.#realNow()), () => {
      this.#cancel = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      resume();
    });
  }

  protected reached(): void {}

  override leave(): void {
    super.leave();
    if (!this.active && this.#cancel !== undefined) {
      this.#cancel();
      this.#cancel = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
    }
  }
}
