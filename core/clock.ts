/**
 * Pretend time. A module sleeps in pretend milliseconds; the clock turns that
 * into real waits (pretend / speed factor), deadline-based so overhead never
 * accumulates, and coalesced so tiny waits are not issued one by one. The
 * {@linkcode Clock} can also run virtually: the same sequence of frames and
 * times with no real waiting, for tests, benchmarks and recordings.
 *
 * @module
 */

/** Thrown from `sleep` when the run must end; modules let it propagate. */
export class StopSignal extends Error {
  /** Why the run is ending. */
  readonly reason: StopCause;
  /** Creates a stop signal for `cause`. */
  constructor(cause: StopCause) {
    super(`Stopped: ${cause}`);
    this.name = "StopSignal";
    this.reason = cause;
  }
}

/** Why a run ended. */
export type StopCause = "modules" | "time" | "SIGINT" | "SIGTERM" | "SIGHUP" | "pipe";

/** The pretend clock modules read for timestamps and elapsed figures. */
export interface PretendClock {
  /** Pretend milliseconds since the program started. */
  now(): number;
  /**
   * The pretend local wall-clock time. Read it with the `getUTC*` methods: its
   * UTC fields hold local time, so output never depends on the host's time zone.
   */
  wall(): Date;
  /** The local time zone's offset from UTC in minutes (east positive), e.g. for `+0100`. */
  readonly utcOffsetMinutes: number;
}

/** Options for {@linkcode Clock}. */
export interface ClockOptions {
  /** Real wait = pretend wait / speed. */
  speed: number;
  /** No real waiting: time jumps straight to each deadline. */
  virtual?: boolean;
  /** Epoch milliseconds of the pretend wall clock at start. */
  epochMs: number;
  /** Offset of local time from UTC, in minutes. */
  utcOffsetMinutes?: number;
  /** Called once before each real (or virtual) wait; flushes the screen. */
  beforeWait?: () => void;
  /** While this returns true, sleeps take no real time (`--instant-print-lines`). */
  instant?: () => boolean;
  /** Waits shorter than this many real milliseconds are coalesced. */
  minWaitMs?: number;
  /** Real time source in milliseconds (default `performance.now`). */
  realNow?: () => number;
  /** Real milliseconds already elapsed since program start when the clock is made. */
  startedAgoMs?: number;
  /** Stop the run once this many real (or virtual) milliseconds have elapsed since start. */
  stopAfterMs?: number;
}

/** The clock behind `ctx.sleep` and `ctx.clock`. */
export class Clock implements PretendClock {
  readonly speed: number;
  readonly virtual: boolean;
  readonly utcOffsetMinutes: number;
  #epochMs: number;
  #beforeWait: () => void;
  #instant: () => boolean;
  #minWait: number;
  #realNow: () => number;
  #realStart: number;
  #virtualNow = 0;
  #pretend = 0;
  #skippedReal = 0;
  #stopAfter: number;
  #stopped: StopCause | undefined;
  #pending: { timer: ReturnType<typeof setTimeout>; reject: (e: unknown) => void } | undefined;
  #waits = 0;
  #lastYield = 0;

  /** Creates a clock. */
  constructor(options: ClockOptions) {
    this.speed = options.speed;
    this.virtual = options.virtual ?? false;
    this.utcOffsetMinutes = options.utcOffsetMinutes ?? 0;
    this.#epochMs = options.epochMs;
    this.#beforeWait = options.beforeWait ?? (() => {});
    this.#instant = options.instant ?? (() => false);
    this.#minWait = options.minWaitMs ?? 8;
    this.#realNow = options.realNow ?? (() => performance.now());
    const ago = options.startedAgoMs ?? 0;
    this.#realStart = this.#realNow() - (this.virtual ? 0 : ago);
    this.#virtualNow = this.virtual ? ago : 0;
    this.#pretend = ago * this.speed;
    this.#stopAfter = options.stopAfterMs ?? Number.POSITIVE_INFINITY;
  }

  /** Sets what runs before each wait (the screen's flush). */
  setBeforeWait(fn: () => void): void {
    this.#beforeWait = fn;
  }

  /** Sets the instant-mode predicate. */
  setInstant(fn: () => boolean): void {
    this.#instant = fn;
  }

  now(): number {
    return this.#pretend;
  }

  wall(): Date {
    return new Date(this.#epochMs + this.utcOffsetMinutes * 60_000 + this.#pretend);
  }

  /** Real (or virtual) milliseconds since the program started. */
  elapsedReal(): number {
    return this.virtual ? this.#virtualNow : this.#realNow() - this.#realStart;
  }

  /** How many real (or virtual) waits have happened: one per frame. */
  get waits(): number {
    return this.#waits;
  }

  /** Why the clock was stopped, if it was. */
  get stopped(): StopCause | undefined {
    return this.#stopped;
  }

  /** Ends the run: the pending sleep (and every later one) throws {@linkcode StopSignal}. */
  stop(cause: StopCause): void {
    if (this.#stopped) return;
    this.#stopped = cause;
    const pending = this.#pending;
    if (pending) {
      this.#pending = undefined;
      clearTimeout(pending.timer);
      pending.reject(new StopSignal(cause));
    }
  }

  /** Waits `ms` pretend milliseconds. Throws {@linkcode StopSignal} when the run must end. */
  sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.reject(new StopSignal(this.#stopped));
    const step = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.#pretend += step;
    if (this.#instant()) {
      this.#skippedReal += step / this.speed;
      return this.virtual ? Promise.resolve() : this.#yieldNow();
    }
    const target = this.#pretend / this.speed - this.#skippedReal;
    if (this.virtual) return this.#virtualWait(target);
    const remaining = this.#realStart + target - this.#realNow();
    if (remaining < this.#minWait) return Promise.resolve();
    return this.#realWait(remaining);
  }

  /**
   * In instant mode no real wait happens, so every 50 ms of real time the clock
   * still yields to the event loop once (signals, resizes) and flushes the screen.
   */
  #yieldNow(): Promise<void> {
    const now = this.#realNow();
    if (now - this.#lastYield < 50) return Promise.resolve();
    this.#lastYield = now;
    this.#beforeWait();
    return new Promise<void>((resolve, reject) => {
      setTimeout(() => (this.#stopped ? reject(new StopSignal(this.#stopped)) : resolve()), 0);
    });
  }

  #virtualWait(target: number): Promise<void> {
    if (target - this.#virtualNow < this.#minWait) return Promise.resolve();
    this.#beforeWait();
    this.#waits++;
    this.#virtualNow = Math.min(target, this.#stopAfter);
    if (target >= this.#stopAfter) this.stop("time");
    if (this.#stopped) return Promise.reject(new StopSignal(this.#stopped));
    return Promise.resolve();
  }

  #realWait(remaining: number): Promise<void> {
    this.#beforeWait();
    this.#waits++;
    if (this.#stopped) return Promise.reject(new StopSignal(this.#stopped));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = undefined;
        if (this.#stopped) reject(new StopSignal(this.#stopped));
        else resolve();
      }, remaining);
      this.#pending = { timer, reject };
    });
  }
}
