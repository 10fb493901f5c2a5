/**
 * The screen modules draw on: a log of permanent lines plus a live region that
 * is redrawn in place, and the two renderers that turn it into bytes.
 *
 * - {@linkcode TerminalRenderer}: permanent lines wrap as the terminal wraps them;
 *   redraws the live region with cursor movement, truncates live lines to the
 *   width, hides the cursor while a live region exists.
 * - {@linkcode PlainRenderer}: for pipes, files and CI logs. Never emits cursor
 *   movement, `\r` or erase codes; the live region is printed as ordinary lines at
 *   most once per interval of pretend time.
 *
 * Renderers buffer everything and hand it to their sink only on {@linkcode Renderer.flush},
 * which the clock calls once before each real wait: one write per frame.
 *
 * @module
 */

import { truncate, wrapRows } from "./ansi.ts";
import type { LiveOnStop } from "./types.ts";

/** Receives rendered output. */
export type Sink = (chunk: string) => void;

/** Turns log text and live-region states into output for a sink. */
export interface Renderer {
  /** Appends permanent text (may contain newlines). */
  write(text: string): void;
  /** Replaces the live region. */
  setLive(lines: readonly string[]): void;
  /** Emits everything pending to the sink. */
  flush(): void;
  /**
   * Emits everything pending and ends the live region: cleared (the default) or,
   * with `"keep"`, its last frame left in place as the real tool leaves it.
   */
  finish(live?: LiveOnStop): void;
  /** Tells the renderer the terminal size changed. */
  resize(cols: number, rows: number): void;
  /** Whether the permanent output so far ends a line. */
  readonly atLineStart: boolean;
}

/** Pending output beyond this many characters is flushed at once (instant mode, big bursts). */
export const MAX_PENDING = 64 * 1024;

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const ERASE_DOWN = "\x1b[J";

/**
 * Renders for an interactive terminal (or xterm.js): permanent text is written
 * whole and wraps as the terminal wraps it; the live region is redrawn in place,
 * each of its rows cut to the width (never wrapping), the cursor hidden while it
 * is drawn.
 *
 * What is on screen is tracked one way, by these fields, with these invariants
 * (tests/screen_test.ts checks them against a replayed terminal):
 *
 * 1. `#drawn` holds the live-region rows on screen, top to bottom, exactly as
 *    written: the held partial line first when there is one, then the live lines,
 *    at most `rows - 1` of them, each at most `#drawnCols` columns wide.
 * 2. `#drawn` is non-empty exactly when the cursor is hidden; it then rests at
 *    column 0 of the last drawn row.
 * 3. `#held` (the current unfinished permanent line, not on screen as permanent
 *    text) is non-empty only while `#drawn` is; `#tail` (the unfinished permanent
 *    line already written as permanent text, the cursor right after it) is
 *    non-empty only while `#drawn` is empty. At most one of them is non-empty,
 *    and neither contains a newline.
 * 4. `#pending` is permanent text not yet written; nothing else is owed to the sink.
 */
export class TerminalRenderer implements Renderer {
  #sink: Sink;
  #cols: number;
  #rows: number;
  #pending = "";
  #held = "";
  #tail = "";
  #live: readonly string[] = [];
  #liveDirty = false;
  #drawn: readonly string[] = [];
  #drawnCols = 0;

  /** Creates a renderer writing to `sink` for a terminal of the given size. */
  constructor(sink: Sink, cols: number, rows: number) {
    this.#sink = sink;
    this.#cols = Math.max(1, cols);
    this.#rows = Math.max(2, rows);
  }

  write(text: string): void {
    if (text.length === 0) return;
    this.#pending += text;
    if (this.#pending.length > MAX_PENDING) this.flush();
  }

  setLive(lines: readonly string[]): void {
    this.#live = lines.slice();
    this.#liveDirty = true;
  }

  resize(cols: number, rows: number): void {
    this.#cols = Math.max(1, cols);
    this.#rows = Math.max(2, rows);
    this.#liveDirty = true;
  }

  flush(): void {
    if (this.#pending.length === 0 && !this.#liveDirty) return;
    this.#liveDirty = false;
    if (this.#pending.length === 0 && this.#patchLive()) return;
    const wasDrawn = this.#drawn.length > 0;
    let out = "";
    let text = this.#pending;
    this.#pending = "";
    if (wasDrawn) {
      // Back to the first drawn row. Terminals that reflow (xterm.js, VTE, iTerm2,
      // Windows Terminal) rewrap the drawn rows after a resize to fewer columns:
      // count the rows they occupy now. The last row's own rows don't count.
      let above = this.#drawn.length - 1;
      if (this.#cols < this.#drawnCols) {
        above = 0;
        for (let i = 0; i < this.#drawn.length - 1; i++) {
          above += wrapRows(this.#drawn[i] as string, this.#cols).length;
        }
      }
      out += this.#rewind(above);
      text = this.#held + text;
      this.#held = "";
    } else if (this.#live.length > 0 && this.#tail.length > 0) {
      // A live region starts below the log: the unfinished line becomes its first row.
      out += this.#rewind(wrapRows(this.#tail, this.#cols).length - 1);
      text = this.#tail + text;
      this.#tail = "";
    }
    if (this.#live.length === 0) {
      out += text;
      const cut = text.lastIndexOf("\n");
      this.#tail = cut === -1 ? this.#tail + text : text.slice(cut + 1);
      this.#drawn = [];
      if (wasDrawn) out += SHOW_CURSOR;
    } else {
      const cut = text.lastIndexOf("\n") + 1;
      out += text.slice(0, cut);
      this.#held = text.slice(cut);
      const rows = this.#frame();
      out += rows.join("\n") + "\r";
      if (!wasDrawn) out = HIDE_CURSOR + out;
      this.#drawn = rows;
      this.#drawnCols = this.#cols;
    }
    if (out.length > 0) this.#sink(out);
  }

  /** Carriage return, `up` rows up, erase to the end of the screen. */
  #rewind(up: number): string {
    return "\r" + (up > 0 ? `\x1b[${up}A` : "") + ERASE_DOWN;
  }

  /** The live-region rows to draw now: the held line, then the live lines, cut to fit. */
  #frame(): string[] {
    const lines = this.#held ? [this.#held, ...this.#live] : this.#live;
    return lines.slice(0, this.#rows - 1).map((line) => truncate(line, this.#cols));
  }

  /**
   * When only the live region changed, at the width it was drawn at, and it keeps
   * its number of rows, rewrites just the rows that differ (a BuildKit block or a
   * GPU grid changes a few timers per frame, not every line). Returns false when
   * a full redraw is needed.
   */
  #patchLive(): boolean {
    const drawn = this.#drawn;
    if (drawn.length === 0 || this.#live.length === 0 || this.#drawnCols !== this.#cols) {
      return false;
    }
    const rows = this.#frame();
    if (rows.length !== drawn.length) return false;
    let out = "";
    let at = rows.length - 1; // the cursor rests at the start of the last row
    for (let i = 0; i < rows.length; i++) {
      if (rows[i] === drawn[i]) continue;
      if (i < at) out += `\x1b[${at - i}A`;
      else if (i > at) out += `\x1b[${i - at}B`;
      out += "\r\x1b[2K" + rows[i] + "\r";
      at = i;
    }
    if (out.length === 0) return true;
    const last = rows.length - 1;
    if (at < last) out += `\x1b[${last - at}B`;
    this.#drawn = rows;
    this.#sink(out);
    return true;
  }

  /**
   * Writes what is pending and ends the live region: `"clear"` erases it, `"keep"`
   * leaves its last frame on screen as the real tool leaves it. Either way the
   * cursor ends visible, and after `"keep"` on a fresh line below the frame.
   */
  finish(live: LiveOnStop = "clear"): void {
    if (live === "clear") this.#live = [];
    this.#liveDirty = true;
    this.flush();
    if (this.#drawn.length === 0) return;
    this.#sink("\n" + SHOW_CURSOR);
    this.#drawn = [];
    this.#held = "";
    this.#live = [];
  }

  /** Whether the permanent output so far ends a line. */
  get atLineStart(): boolean {
    if (this.#pending.length > 0) return this.#pending.endsWith("\n");
    return this.#held.length === 0 && this.#tail.length === 0;
  }
}

/** Renders for pipes, files and CI logs: only ordinary lines, never cursor control. */
export class PlainRenderer implements Renderer {
  #sink: Sink;
  #now: () => number;
  #interval: number;
  #pending = "";
  #atLineStart = true;
  #lastShown = Number.NEGATIVE_INFINITY;
  #lastShownText = "";
  #latestText = "";

  /**
   * Creates a plain renderer. `now` is the pretend clock in milliseconds;
   * live regions are printed at most once per `intervalMs` of it.
   */
  constructor(sink: Sink, now: () => number, intervalMs = 5000) {
    this.#sink = sink;
    this.#now = now;
    this.#interval = intervalMs;
  }

  write(text: string): void {
    if (text.length === 0) return;
    this.#pending += text;
    this.#atLineStart = text.endsWith("\n");
    if (this.#pending.length > MAX_PENDING) this.flush();
  }

  setLive(lines: readonly string[]): void {
    const text = lines.join("\n");
    this.#latestText = text;
    if (lines.length === 0) return;
    const now = this.#now();
    if (now - this.#lastShown < this.#interval) return;
    if (text === this.#lastShownText) return;
    this.#lastShown = now;
    this.#showLive(text);
  }

  #showLive(text: string): void {
    this.#lastShownText = text;
    if (!this.#atLineStart) this.#pending += "\n";
    this.#pending += text + "\n";
    this.#atLineStart = true;
  }

  resize(): void {}

  flush(): void {
    if (this.#pending.length === 0) return;
    const out = this.#pending;
    this.#pending = "";
    this.#sink(out);
  }

  /**
   * Emits what is pending. With `"keep"`, a last frame the throttle held back is
   * printed too, so the log ends on the state the tool stopped in, as a real
   * tool's CI log does; `"clear"` adds nothing (a cleared bar leaves no trace).
   */
  finish(live: LiveOnStop = "clear"): void {
    if (live === "keep" && this.#latestText !== "" && this.#latestText !== this.#lastShownText) {
      this.#showLive(this.#latestText);
    }
    this.#latestText = "";
    this.flush();
  }

  /** Whether the last permanent output ended a line. */
  get atLineStart(): boolean {
    return this.#atLineStart;
  }
}

/** What modules see as `ctx.out`. */
export interface Out {
  /** Prints `text` followed by a newline, permanently. */
  line(text?: string): void;
  /** Prints `text` permanently, without a newline. */
  write(text: string): void;
  /** Types `text` out one character at a time, `msPerChar` pretend milliseconds apart. */
  type(text: string, msPerChar: number): Promise<void>;
  /** Replaces the live region below the log; `live([])` clears it. */
  live(lines: readonly string[]): void;
}

/** The screen: counts lines, forwards to a renderer, implements {@linkcode Out}. */
export class Screen implements Out {
  #renderer: Renderer;
  #sleep: (ms: number) => Promise<void>;
  #lines = 0;
  #liveShown = false;

  /** Creates a screen over a renderer; `sleep` paces {@linkcode Screen.type}. */
  constructor(
    renderer: Renderer,
    sleep: (ms: number) => Promise<void>,
  ) {
    this.#renderer = renderer;
    this.#sleep = sleep;
  }

  /** Permanent lines printed so far. */
  get linesPrinted(): number {
    return this.#lines;
  }

  /** Replaces the pacing function used by {@linkcode Screen.type}. */
  setSleep(sleep: (ms: number) => Promise<void>): void {
    this.#sleep = sleep;
  }

  line(text = ""): void {
    this.write(text + "\n");
  }

  write(text: string): void {
    if (text.length === 0) return;
    let n = 0;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
    this.#lines += n;
    this.#renderer.write(text);
  }

  async type(text: string, msPerChar: number): Promise<void> {
    for (const ch of text) {
      this.write(ch);
      await this.#sleep(msPerChar);
    }
  }

  live(lines: readonly string[]): void {
    if (lines.length === 0 && !this.#liveShown) return;
    this.#liveShown = lines.length > 0;
    this.#renderer.setLive(lines);
  }

  /** Ends any unterminated line and clears the live region (between modules). */
  settle(): void {
    this.live([]);
    if (!this.#renderer.atLineStart) this.line();
  }

  /** Emits pending output. */
  flush(): void {
    this.#renderer.flush();
  }

  /**
   * Ends the live region (cleared by default, or its last frame kept as the
   * running module's `liveOnStop` says), restores the cursor, flushes.
   */
  finish(live: LiveOnStop = "clear"): void {
    this.#liveShown = false;
    this.#renderer.finish(live);
  }

  /** Forwards a terminal resize to the renderer. */
  resize(cols: number, rows: number): void {
    this.#renderer.resize(cols, rows);
  }
}
