/**
 * A single-session run with `--record`: live, output goes to stdout and to
 * the cast; with `--fast-forward`, the session runs on a virtual timeline and
 * its output goes only to the cast.
 *
 * @module
 */

import { startInhibitor } from "./inhibit.ts";
import { TimelineSession } from "./panes/timeline_session.ts";
import { REAL_TIMERS, type Timers, VirtualTimeline } from "./panes/timeline.ts";
import { onResize, stdoutSink, writeStderr } from "./platform.ts";
import { runToExit } from "./runner.ts";
import { type RunSetup, wireStops } from "./run_support.ts";
import { Session, type SessionOptions } from "./session.ts";

/** Runs the rotation in one session, recording it; resolves with the exit code. */
export async function runRecorded(setup: RunSetup): Promise<number> {
  const { options, recorder } = setup;
  const timeline = options.fastForward ? new VirtualTimeline() : undefined;
  const timers: Timers = timeline ?? REAL_TIMERS;
  const toStdout = timeline ? () => {} : stdoutSink(() => session.clock.stop("pipe"));
  const sessionOptions: SessionOptions = {
    sink: (chunk) => {
      toStdout(chunk);
      recorder?.output(timers.now(), chunk);
    },
    cols: setup.cols,
    rows: setup.rows,
    tty: timeline ? true : setup.tty,
    color: setup.color,
    speed: options.speedFactor,
    virtual: timeline !== undefined,
    seed: setup.seed,
    epochMs: setup.epochMs,
    utcOffsetMinutes: setup.utcOffsetMinutes,
    instantLines: options.instantPrintLines,
    startedAgoMs: timers.now(),
  };
  const session: Session = timeline
    ? new TimelineSession(sessionOptions, timeline)
    : new Session(sessionOptions);
  const removeStops = wireStops(options, timers, (cause) => {
    session.clock.stop(cause);
    timeline?.stop(cause);
  });
  const removeResize = !timeline && setup.tty
    ? onResize((cols, rows) => {
      recorder?.resize(timers.now(), cols, rows);
      session.resize(cols, rows);
    })
    : () => {};
  const inhibitor = options.inhibit && !timeline
    ? startInhibitor("Pretending to work (denact)", (message) => writeStderr(message + "\n"))
    : undefined;
  timeline?.join();
  try {
    return await runToExit(session, {
      modules: setup.modules,
      ...(options.exitAfterModules !== undefined
        ? { exitAfterModules: options.exitAfterModules }
        : {}),
    }, writeStderr);
  } finally {
    timeline?.leave();
    removeStops();
    removeResize();
    inhibitor?.release();
  }
}
