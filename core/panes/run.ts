/**
 * `--panes` on a real terminal (or into a fast-forward recording): enters the
 * alternate screen, runs the {@linkcode PaneDisplay}, follows resizes, and on
 * every exit restores the terminal exactly (pen reset, cursor shown, main
 * screen back, keyboard back to normal) before printing the saving message.
 * While it runs, the keyboard is read raw: Ctrl-C ends the run as SIGINT
 * would, other keys (Ctrl-Z included) are swallowed.
 *
 * @module
 */

import { startInhibitor } from "../inhibit.ts";
import { onResize, stdoutSink, takeKeyboard, writeStderr, writeStdout } from "../platform.ts";
import { EXIT_CODES, SAVING_MESSAGE } from "../runner.ts";
import { type RunSetup, wireStops } from "../run_support.ts";
import { ENTER_SCREEN, RESTORE_SCREEN } from "./compositor.ts";
import { PaneDisplay } from "./display.ts";
import type { PaneLayout } from "./layout.ts";
import { RealTimeline, type Timeline, VirtualTimeline } from "./timeline.ts";

/** The byte Ctrl-C sends in raw mode. */
const CTRL_C = 0x03;

/** Hides the cursor: the first event of a pane recording. */
const HIDE_CURSOR = "\x1b[?25l";

/** Runs the panes; resolves with the exit code. */
export async function runPanes(setup: RunSetup, layout: PaneLayout): Promise<number> {
  const { options, recorder } = setup;
  const live = !options.fastForward;
  const timeline: Timeline = live ? new RealTimeline() : new VirtualTimeline();
  const toStdout = live ? stdoutSink(() => display.stop("pipe")) : () => {};
  recorder?.output(timeline.now(), HIDE_CURSOR);
  const display: PaneDisplay = new PaneDisplay({
    onFrame: (bytes, timeMs) => {
      toStdout(bytes);
      recorder?.output(timeMs, bytes);
    },
    onResize: (cols, rows, timeMs) => recorder?.resize(timeMs, cols, rows),
    cols: setup.cols,
    rows: setup.rows,
    layout,
    modules: setup.modules,
    seed: setup.seed,
    color: setup.color,
    speed: options.speedFactor,
    epochMs: setup.epochMs,
    utcOffsetMinutes: setup.utcOffsetMinutes,
    instantLines: options.instantPrintLines,
    ...(options.exitAfterModules !== undefined
      ? { exitAfterModules: options.exitAfterModules }
      : {}),
    timeline,
  });
  let restoreInput = () => {};
  let restored = !live;
  const restore = () => {
    if (restored) return;
    restored = true;
    toStdout(RESTORE_SCREEN);
    restoreInput();
  };
  if (live) {
    toStdout(ENTER_SCREEN);
    restoreInput = takeKeyboard((keys) => {
      if (keys.includes(CTRL_C)) display.stop("SIGINT");
    });
    globalThis.addEventListener("unload", restore);
  }
  const removeStops = wireStops(options, timeline, (cause) => display.stop(cause));
  const removeResize = live ? onResize((cols, rows) => display.resize(cols, rows)) : () => {};
  const inhibitor = options.inhibit && live
    ? startInhibitor("Pretending to work (denact)", (message) => writeStderr(message + "\n"))
    : undefined;
  try {
    const cause = await display.run();
    restore();
    if (live && cause !== "pipe") writeStdout(SAVING_MESSAGE + "\n");
    return EXIT_CODES[cause];
  } catch (error) {
    restore();
    writeStderr(
      `error: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    restore();
    globalThis.removeEventListener("unload", restore);
    removeStops();
    removeResize();
    inhibitor?.release();
    for (const pane of display.panes) pane.dispose();
  }
}
