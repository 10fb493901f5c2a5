/**
 * Playing a run plan on a host, written once for every mode: one session or
 * the panes, live or on virtual time, with or without a recording. Here and
 * only here it is decided how a run ends (limits, signals, a closed output, a
 * module's failure), what `--exit-after-time` counts (wall time since program
 * start, on the host's timers) and what the exit code is.
 *
 * @module
 */

import type { StopCause, Timers } from "../core/clock.ts";
import { RealTimeline, type Timeline } from "../core/panes/timeline.ts";
import { castHeader, CastRecorder } from "../core/record.ts";
import { endSession, EXIT_CODES, runRotation, SAVING_MESSAGE } from "../core/runner.ts";
import { Session, type SessionOptions } from "../core/session.ts";
import { TimelineSession } from "../core/panes/timeline_session.ts";
import type { Module } from "../core/types.ts";
import { echoed } from "../core/visible.ts";
import type { Host } from "./host.ts";
import type { RunPlan } from "./plan.ts";

/** The reason the keep-awake helper gives the system. */
const KEEP_AWAKE_REASON = "Pretending to work (denact)";

/** How a run ended. */
export interface Ending {
  /** The process's exit code. */
  readonly code: number;
  /** Why the run ended; undefined when it never started or failed. */
  readonly cause: StopCause | undefined;
  /** A module's (or the display's) unexpected error, already reported. */
  readonly error?: unknown;
}

/** A run in progress. */
export interface Playing {
  /** The session of a single-session run (what its modules see); undefined for panes. */
  readonly session: Session | undefined;
  /** Resolves once the run has ended, the terminal is restored and everything is reported. */
  readonly done: Promise<Ending>;
}

/** The pane machinery, loaded on demand (see `panes.ts`). */
export type PanesKit = typeof import("./panes.ts");

/** What a host's surroundings add to a run. */
export interface PlayOptions {
  /** Loads the panes; without it, a pane plan cannot be played (the page has no panes). */
  loadPanes?: () => Promise<PanesKit>;
}

/** Wall time a signal leaves for output still on its way out (a stalled reader may never take it). */
const DRAIN_ON_SIGNAL_MS = 200;

/** Plays `plan` on `host` with `modules` (the selected ones, resolved). */
export function play(
  plan: RunPlan,
  host: Host,
  modules: readonly Module[],
  options: PlayOptions = {},
): Playing {
  const recording = openRecording(plan, host);
  if (typeof recording === "string") {
    host.report(`error: ${recording}\n`);
    return { session: undefined, done: Promise.resolve({ code: 1, cause: undefined }) };
  }
  const timers: Timers = host.time.kind === "real" ? host.time.timers : host.time.timeline;
  const run = plan.mode === "panes"
    ? playPanes(plan, host, modules, recording, timers, options)
    : playSingle(plan, host, modules, recording, timers);
  const done = run.done.then(async (ending) => {
    await host.drain(isSignal(ending.cause) ? DRAIN_ON_SIGNAL_MS : Number.POSITIVE_INFINITY);
    let code = ending.code;
    if (ending.error !== undefined) {
      host.report(`error: internal error: ${describe(ending.error)}\n`);
    }
    const failure = host.outputFailure;
    if (failure !== undefined) {
      host.report(`error: cannot write to standard output: ${failure}\n`);
      code = Math.max(code, 1);
    }
    if (recording) code = closeRecording(plan, host, recording, code);
    return { ...ending, code };
  });
  return { session: run.session, done };
}

function isSignal(cause: StopCause | undefined): boolean {
  return cause === "SIGINT" || cause === "SIGTERM" || cause === "SIGHUP";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Opens the cast file if the plan records, or says clearly why it cannot be. */
function openRecording(plan: RunPlan, host: Host): CastRecorder | undefined | string {
  const record = plan.record;
  if (record === undefined) return undefined;
  if (record.path.trim() === "") return "cannot record: the file name is empty";
  const sink = host.createRecording(record.path, record.force);
  if (typeof sink === "string") return `cannot record to '${echoed(record.path)}': ${sink}`;
  const header = castHeader(plan.cols, plan.rows, plan.epochMs, record.term);
  const recorder = new CastRecorder(sink, header, { immediate: !plan.fastForward });
  if (recorder.failure) return `cannot record to '${echoed(record.path)}': ${recorder.failure}`;
  return recorder;
}

/** Closes the cast and reports how it went; returns the exit code. */
function closeRecording(plan: RunPlan, host: Host, recorder: CastRecorder, code: number): number {
  const path = echoed(plan.record?.path ?? "");
  recorder.close();
  if (recorder.failure !== undefined) {
    host.report(
      `error: recording to '${path}' failed: ${recorder.failure}; the recording is incomplete\n`,
    );
    return code === 0 ? 1 : code;
  }
  if (plan.fastForward) {
    const seconds = (recorder.lastMs / 1000).toFixed(1);
    host.report(`Recorded ${seconds} s (${recorder.events} events) to ${path}\n`);
  }
  return code;
}

/** Calls every remover (listeners, timers, locks) once. */
function removeAll(removers: readonly (() => void)[]): void {
  for (const remove of removers) remove();
}

/** `--exit-after-time`, counted from program start on `timers`; returns its remover. */
function limit(plan: RunPlan, timers: Timers, stop: (cause: StopCause) => void): () => void {
  if (plan.exitAfterMs === undefined) return () => {};
  return timers.after(plan.exitAfterMs - timers.now(), () => stop("time"));
}

/** The outside events every mode listens to, and the keep-awake lock; returns their removers. */
function listen(plan: RunPlan, host: Host, stop: (cause: StopCause) => void): (() => void)[] {
  const removers = [host.onStop(stop)];
  if (plan.inhibit && !plan.fastForward) {
    const lock = host.keepAwake(KEEP_AWAKE_REASON);
    if (lock) removers.push(() => lock.release());
  }
  return removers;
}

function playSingle(
  plan: RunPlan,
  host: Host,
  modules: readonly Module[],
  recorder: CastRecorder | undefined,
  timers: Timers,
): Playing {
  const timeline = host.time.kind === "virtual" ? host.time.timeline : undefined;
  let listening = false;
  const options: SessionOptions = {
    sink: (chunk) => {
      host.write(chunk);
      recorder?.output(timers.now(), chunk);
      if (!listening) listenNow();
    },
    cols: plan.cols,
    rows: plan.rows,
    tty: plan.tty,
    color: plan.color,
    speed: plan.speed,
    virtual: timeline !== undefined,
    seed: plan.seed,
    epochMs: plan.epochMs,
    utcOffsetMinutes: plan.utcOffsetMinutes,
    instantLines: plan.instantLines,
    startedAgoMs: timers.now(),
    frameMs: plan.frameMs,
    timers: host.time.kind === "real" ? host.time.timers : host.time.wall,
    backlog: () => host.backlog(),
  };
  const session = timeline ? new TimelineSession(options, timeline) : new Session(options);
  const stop = (cause: StopCause) => {
    session.clock.stop(cause);
    timeline?.stop(cause);
  };
  const removers = [limit(plan, timers, stop)];
  let ended = false;
  const listenNow = () => {
    if (ended || listening) return;
    listening = true;
    removers.push(...listen(plan, host, stop));
    if (!plan.tty || plan.fastForward) return;
    removers.push(host.onResize((cols, rows) => {
      recorder?.resize(timers.now(), cols, rows);
      session.resize(cols, rows);
    }));
    removers.push(host.onSuspend(
      () => {
        // Ctrl-Z: take the live region away and show the cursor, as the shell expects.
        session.clock.suspend();
        session.screen.finish();
      },
      // After `fg` the cursor is wherever the shell left it: the next frame draws there.
      () => session.clock.resume(),
    ));
  };
  // Live, the listeners (and the runtime's timers, which load on first use) wait for the
  // first frame's write to be under way: until then nothing on the terminal needs restoring,
  // so a signal's default action is as good as ours.
  if (host.time.kind !== "real") listenNow();
  const run = async (): Promise<Ending> => {
    timeline?.join();
    try {
      if (modules.length === 0) return { code: 0, cause: "modules" };
      const cause = await runRotation(session, {
        modules,
        exitAfterModules: plan.exitAfterModules,
      });
      // The one place a session's run ends (live region, cursor, saving message).
      endSession(session, cause);
      return { code: EXIT_CODES[cause], cause };
    } catch (error) {
      session.screen.finish();
      return { code: 1, cause: undefined, error };
    } finally {
      ended = true;
      timeline?.leave();
      removeAll(removers);
    }
  };
  return { session, done: run() };
}

/** Hides the cursor: the first event of a pane recording. */
const HIDE_CURSOR = "\x1b[?25l";
/** Resets the pen and shows the cursor: the last event of a pane recording. */
const SHOW_CURSOR = "\x1b[0m\x1b[?25h";

function playPanes(
  plan: RunPlan,
  host: Host,
  modules: readonly Module[],
  recorder: CastRecorder | undefined,
  timers: Timers,
  options: PlayOptions,
): Playing {
  const run = async (): Promise<Ending> => {
    if (!options.loadPanes) {
      return { code: 1, cause: undefined, error: new Error("panes are not available here") };
    }
    const { PaneDisplay, ENTER_SCREEN, RESTORE_SCREEN } = await options.loadPanes();
    const live = !plan.fastForward;
    const timeline: Timeline = host.time.kind === "virtual"
      ? host.time.timeline
      : new RealTimeline({ timers: host.time.timers });
    recorder?.output(timeline.now(), HIDE_CURSOR);
    const display = new PaneDisplay({
      onFrame: (bytes, timeMs) => {
        host.write(bytes);
        recorder?.output(timeMs, bytes);
      },
      onResize: (cols, rows, timeMs) => recorder?.resize(timeMs, cols, rows),
      cols: plan.cols,
      rows: plan.rows,
      layout: plan.layout ?? { count: 4 },
      modules,
      seed: plan.seed,
      color: plan.color,
      speed: plan.speed,
      epochMs: plan.epochMs,
      utcOffsetMinutes: plan.utcOffsetMinutes,
      instantLines: plan.instantLines,
      exitAfterModules: plan.exitAfterModules,
      timeline,
    });
    // The time limit and signals are on the host's own timers, not the panes' timeline:
    // they are heard even while the panes are behind.
    const stop = (cause: StopCause) => display.stop(cause);
    const removers = [limit(plan, timers, stop), ...listen(plan, host, stop)];
    let giveKeyboardBack = () => {};
    let onScreen = false;
    const enter = () => {
      if (!live || onScreen) return;
      onScreen = true;
      host.write(ENTER_SCREEN);
      giveKeyboardBack = host.takeKeyboard();
    };
    const leave = () => {
      if (!onScreen) return;
      onScreen = false;
      host.write(RESTORE_SCREEN);
      giveKeyboardBack();
    };
    if (live) {
      let size = { cols: plan.cols, rows: plan.rows };
      removers.push(host.onResize((cols, rows) => {
        size = { cols, rows };
        display.resize(cols, rows);
      }));
      removers.push(host.onSuspend(leave, () => {
        enter();
        display.resize(size.cols, size.rows); // repaint everything
      }));
    }
    enter();
    try {
      const cause = await display.run();
      leave();
      if (live && cause !== "pipe") host.write(SAVING_MESSAGE + "\n");
      return { code: EXIT_CODES[cause], cause };
    } catch (error) {
      leave();
      return { code: 1, cause: undefined, error };
    } finally {
      leave();
      recorder?.output(timeline.now(), SHOW_CURSOR);
      removeAll(removers);
      for (const pane of display.panes) pane.dispose();
    }
  };
  return { session: undefined, done: run() };
}
