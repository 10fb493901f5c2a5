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

/**
 * Timers on wall time: the only way the engine waits for real. Hosts pass
 * theirs (a browser, a test's fake); {@linkcode REAL_TIMERS} is the default.
 */
export interface Timers {
  /** Milliseconds since the program started. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds (any length); returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** The longest delay one `setTimeout` takes (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Real timers: `performance.now()` and `setTimeout`, chained for delays past
 * {@linkcode MAX_TIMER_MS} (a single longer timeout would fire at once).
 */
export const REAL_TIMERS: Timers = {
  now: () => performance.now(),
  after(ms, fn) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const due = performance.now() + Math.max(0, ms);
    const arm = () => {
      const left = due - performance.now();
      timer = left > MAX_TIMER_MS
        ? setTimeout(arm, MAX_TIMER_MS)
        : setTimeout(fn, Math.max(0, left));
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/**
 * Wall milliseconds a run may go on without a turn of the event loop: however
 * far behind its pretend clock (high speed, instant lines, fast-forward), a
 * run yields at least this often, so signals and time limits are acted on.
 */
export const YIELD_EVERY_MS = 25;

/**
 * When the event loop last turned, per source of wall time, shared by every
 * clock on it: once {@linkcode YIELD_EVERY_MS} have passed, every clock (the
 * panes each have one) yields at its next sleep, so the loop turns even with
 * several runs busy at once.
 */
const LAST_TURN = new WeakMap<Timers, { at: number }>();

function lastTurn(timers: Timers): { at: number } {
  let turn = LAST_TURN.get(timers);
  if (!turn) LAST_TURN.set(timers, turn = { at: timers.now() });
  return turn;
}

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
  /** Wall timers for real waits and yields (default {@linkcode REAL_TIMERS}). */
  timers?: Timers;
  /** Real time source in milliseconds (default `timers.now`). */
  realNow?: () => number;
  /**
   * Backpressure: while output is waiting to leave, a promise for when it has;
   * every real wait and yield waits for it too.
   */
  backlog?: () => Promise<void> | undefined;
  /** Real milliseconds already elapsed since program start when the clock is made. */
  startedAgoMs?: number;
  /**
   * Virtual clocks only: stop the run once this many virtual milliseconds have
   * elapsed since start (tests). Real runs put their limit on the host's timers.
   */
  stopAfterMs?: number;
}

/** The clock behind `ctx.sleep` and `ctx.clock`. */
export class Clock implements PretendClock {
  readonly speed: number;
  readonly virtual: boolean;
  readonly utcOffsetMinutes: number;
  #epochMs: number;
  #beforeWait: () => void;
  /** Whether the screen has been flushed at a sleep yet (the first frame). */
  #drawn = false;
  #instant: () => boolean;
  #minWait: number;
  #realNow: () => number;
  #realStart: number;
  #virtualNow = 0;
  #pretend = 0;
  #skippedReal = 0;
  #stopAfter: number;
  #stopped: StopCause | undefined;
  #timers: Timers;
  #backlog: () => Promise<void> | undefined;
  #pending: { cancel: () => void; reject: (e: unknown) => void } | undefined;
  #lastTurn: { at: number };
  #suspendedAt: number | undefined;

  /** Creates a clock. */
  constructor(options: ClockOptions) {
    this.speed = options.speed;
    this.virtual = options.virtual ?? false;
    this.utcOffsetMinutes = options.utcOffsetMinutes ?? 0;
    this.#epochMs = options.epochMs;
    this.#beforeWait = options.beforeWait ?? (() => {});
    this.#instant = options.instant ?? (() => false);
    this.#minWait = options.minWaitMs ?? 8;
    const timers = options.timers ?? REAL_TIMERS;
    this.#timers = timers;
    this.#realNow = options.realNow ?? (() => timers.now());
    this.#lastTurn = lastTurn(timers);
    this.#backlog = options.backlog ?? (() => undefined);
    if (options.stopAfterMs !== undefined && !this.virtual) {
      throw new RangeError(
        "stopAfterMs is for virtual clocks; put a real limit on the host's timers",
      );
    }
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

  /**
   * The process is being stopped (Ctrl-Z): real time from now until
   * {@linkcode Clock.resume} does not count, so the run does not race to
   * catch up afterwards.
   */
  suspend(): void {
    this.#suspendedAt ??= this.#realNow();
  }

  /** The process continues after {@linkcode Clock.suspend}. */
  resume(): void {
    if (this.#suspendedAt === undefined) return;
    if (!this.virtual) this.#realStart += this.#realNow() - this.#suspendedAt;
    this.#suspendedAt = undefined;
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
      pending.cancel();
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
      return this.#yieldIfDue();
    }
    const target = this.#pretend / this.speed - this.#skippedReal;
    if (this.virtual) return this.#virtualWait(target);
    const remaining = this.#realStart + target - this.#realNow();
    if (remaining < this.#minWait) {
      // The first frame goes out at the first sleep, not at the first yield or wait.
      if (!this.#drawn) {
        this.#drawn = true;
        this.#beforeWait();
      }
      return this.#yieldIfDue();
    }
    return this.#realWait(remaining);
  }

  /**
   * A sleep that needs no wait (instant lines, behind schedule, virtual time)
   * still lets the event loop turn once every {@linkcode YIELD_EVERY_MS} of wall
   * time, so signals, resizes and the time limit are heard. A real clock also
   * flushes the screen then; a virtual one does not, so its bytes never depend
   * on wall time. Between turns, a sleep still waits while the output is
   * backlogged, so one busy window cannot queue megabytes for a slow reader.
   */
  #yieldIfDue(): Promise<void> {
    const asked = this.#timers.now();
    if (asked - this.#lastTurn.at < YIELD_EVERY_MS) {
      // Within the window, only an output backlog (a reader or xterm.js far behind) waits.
      const backlog = this.#stopped ? undefined : this.#backlog();
      if (!backlog) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        this.#pending = { cancel: () => {}, reject };
        backlog.then(() => this.#proceed(resolve, reject, this.#timers.now()));
      });
    }
    if (!this.virtual) this.#beforeWait();
    return new Promise<void>((resolve, reject) => {
      const cancel = this.#timers.after(0, () => this.#proceed(resolve, reject, asked));
      this.#pending = { cancel, reject };
    });
  }

  /**
   * After a wait that began at `asked`: once any output backlog has cleared,
   * go on (or stop). The first clock back after a turn of the event loop
   * starts the next shared window; the others share it.
   */
  #proceed(resolve: () => void, reject: (e: unknown) => void, asked: number): void {
    if (this.#lastTurn.at <= asked) this.#lastTurn.at = this.#timers.now();
    const backlog = this.#stopped ? undefined : this.#backlog();
    if (backlog) {
      this.#pending = { cancel: () => {}, reject };
      backlog.then(() => this.#proceed(resolve, reject, this.#timers.now()));
      return;
    }
    this.#pending = undefined;
    if (this.#stopped) reject(new StopSignal(this.#stopped));
    else resolve();
  }

  #virtualWait(target: number): Promise<void> {
    if (target - this.#virtualNow < this.#minWait) return this.#yieldIfDue();
    this.#beforeWait();
    this.#virtualNow = Math.min(target, this.#stopAfter);
    if (target >= this.#stopAfter) this.stop("time");
    if (this.#stopped) return Promise.reject(new StopSignal(this.#stopped));
    return Promise.resolve();
  }

  #realWait(remaining: number): Promise<void> {
    this.#beforeWait();
    if (this.#stopped) return Promise.reject(new StopSignal(this.#stopped));
    return new Promise<void>((resolve, reject) => {
      const asked = this.#timers.now();
      const cancel = this.#timers.after(remaining, () => this.#proceed(resolve, reject, asked));
      this.#pending = { cancel, reject };
    });
  }
}
