/**
 * The screen modules draw on: a log of permanent lines plus a live region that
 * is redrawn in place, and the two renderers that turn it into bytes.
 *
 * - {@linkcode TerminalRenderer}: redraws the live region with cursor movement,
 *   truncates live lines to the width, hides the cursor while a live region exists.
 * - {@linkcode PlainRenderer}: for pipes, files and CI logs. Never emits cursor
 *   movement, `\r` or erase codes; the live region is printed as ordinary lines at
 *   most once per interval of pretend time.
 *
 * Renderers buffer everything and hand it to their sink only on {@linkcode Renderer.flush},
 * which the clock calls once before each real wait: one write per frame.
 *
 * @module
 */

import { charWidth, truncate, visibleWidth } from "./ansi.ts";

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
  /** Clears the live region, restores the cursor and flushes. */
  finish(): void;
  /** Tells the renderer the terminal size changed. */
  resize(cols: number, rows: number): void;
}

/** Pending output beyond this many characters is flushed at once (instant mode, big bursts). */
export const MAX_PENDING = 64 * 1024;

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const ERASE_DOWN = "\x1b[J";

/** Renders for an interactive terminal (or xterm.js): the live region is redrawn in place. */
export class TerminalRenderer implements Renderer {
  #sink: Sink;
  #cols: number;
  #rows: number;
  #pending = "";
  #held = "";
  #live: readonly string[] = [];
  #liveDirty = false;
  #drawnRows = 0;
  #drawnWidths: number[] = [];
  #drawnLines: string[] = [];
  #cursorHidden = false;
  #atLineStart = true;
  #col = 0;

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
    this.#drawnLines = [];
  }

  flush(): void {
    if (this.#pending.length === 0 && !this.#liveDirty) return;
    this.#liveDirty = false;
    if (this.#pending.length === 0 && this.#updateLiveInPlace()) return;
    let out = "";
    if (this.#drawnRows > 0) {
      // After a resize to fewer columns, terminals that reflow (xterm.js, VTE, iTerm2,
      // Windows Terminal) rewrap the drawn lines: count the rows they occupy now. The
      // cursor rests at the start of the last line, so that line's own rows don't count.
      const above = this.#drawnWidths.slice(0, -1).reduce(
        (sum, width) => sum + Math.max(1, Math.ceil(width / this.#cols)),
        0,
      );
      out += "\r";
      if (above > 0) out += `\x1b[${above}A`;
      out += ERASE_DOWN;
    }
    const text = this.#held + this.#pending;
    if (this.#held.length > 0) this.#col = 0;
    this.#pending = "";
    if (this.#live.length === 0) {
      this.#held = "";
      this.#drawnRows = 0;
      this.#drawnLines = [];
      out += this.#clip(text);
      if (text.length > 0) this.#atLineStart = text.endsWith("\n");
      if (this.#cursorHidden) {
        out += SHOW_CURSOR;
        this.#cursorHidden = false;
      }
    } else {
      if (this.#drawnRows === 0 && !this.#atLineStart && this.#held.length === 0) {
        // A live region always starts on a fresh line below the log.
        out += "\n";
        this.#atLineStart = true;
      }
      const cut = text.lastIndexOf("\n") + 1;
      out += this.#clip(text.slice(0, cut));
      this.#held = text.slice(cut);
      const rows = [...(this.#held ? [this.#held] : []), ...this.#live]
        .slice(0, this.#rows - 1)
        .map((line) => truncate(line, this.#cols));
      out += rows.join("\n") + "\r";
      this.#drawnRows = rows.length;
      this.#drawnWidths = rows.map(visibleWidth);
      this.#drawnLines = rows;
      if (!this.#cursorHidden) {
        out = HIDE_CURSOR + out;
        this.#cursorHidden = true;
      }
    }
    if (out.length > 0) this.#sink(out);
  }

  /**
   * When only the live region changed and it keeps its number of rows, rewrites
   * just the rows that differ (a BuildKit block or a GPU grid changes a few timers
   * per frame, not every line). Returns false when a full redraw is needed.
   */
  #updateLiveInPlace(): boolean {
    const drawn = this.#drawnLines;
    if (drawn.length === 0 || this.#live.length === 0) return false;
    const rows = [...(this.#held ? [this.#held] : []), ...this.#live]
      .slice(0, this.#rows - 1)
      .map((line) => truncate(line, this.#cols));
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
    this.#drawnLines = rows;
    this.#drawnWidths = rows.map(visibleWidth);
    this.#sink(out);
    return true;
  }

  /**
   * Cuts permanent text at the right edge, as `less -S` shows long lines, so a
   * narrow terminal or pane never fills with wrapped text. Tracks the column
   * across calls; escape sequences always pass.
   */
  #clip(text: string): string {
    let out = "";
    let col = this.#col;
    const cols = this.#cols;
    let keepFrom = 0;
    let dropping = false;
    let i = 0;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 0x0a) {
        if (dropping) {
          keepFrom = i;
          dropping = false;
        }
        col = 0;
        i++;
        continue;
      }
      if (code === 0x1b) {
        const end = escapeEnd(text, i);
        if (dropping) out += text.slice(i, end);
        i = end;
        continue;
      }
      const wide = code >= 0x300;
      const cp = wide ? text.codePointAt(i) ?? 0 : code;
      const len = cp > 0xffff ? 2 : 1;
      if (!dropping) {
        const w = wide ? charWidth(cp) : code < 0x20 || (code >= 0x7f && code < 0xa0) ? 0 : 1;
        if (col + w > cols) {
          out += text.slice(keepFrom, i);
          dropping = true;
        } else {
          col += w;
        }
      }
      i += len;
    }
    if (!dropping) out += text.slice(keepFrom);
    this.#col = col;
    return out;
  }

  finish(): void {
    this.#live = [];
    this.#liveDirty = true;
    this.flush();
    if (this.#cursorHidden) {
      this.#sink(SHOW_CURSOR);
      this.#cursorHidden = false;
    }
  }

  /** Whether the last permanent output ended a line. */
  get atLineStart(): boolean {
    const text = this.#held + this.#pending;
    return text.length === 0 ? this.#atLineStart : text.endsWith("\n");
  }
}

/** Index just past the escape sequence starting at `i` (CSI, OSC or a two-byte escape). */
function escapeEnd(text: string, i: number): number {
  const next = text[i + 1];
  if (next === "[") {
    let j = i + 2;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      j++;
      if (c >= 0x40 && c <= 0x7e) break;
    }
    return j;
  }
  if (next === "]") {
    let j = i + 2;
    while (j < text.length && text[j] !== "\x07" && !(text[j] === "\x1b" && text[j + 1] === "\\")) {
      j++;
    }
    return text[j] === "\x07" ? j + 1 : Math.min(text.length, j + 2);
  }
  return Math.min(text.length, i + 2);
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
    if (lines.length === 0) return;
    const now = this.#now();
    if (now - this.#lastShown < this.#interval) return;
    const text = lines.join("\n");
    if (text === this.#lastShownText) return;
    this.#lastShown = now;
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

  finish(): void {
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
  #renderer: Renderer & { readonly atLineStart: boolean };
  #sleep: (ms: number) => Promise<void>;
  #lines = 0;
  #liveShown = false;

  /** Creates a screen over a renderer; `sleep` paces {@linkcode Screen.type}. */
  constructor(
    renderer: Renderer & { readonly atLineStart: boolean },
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

  /** Clears the live region, restores the cursor, flushes. */
  finish(): void {
    this.#liveShown = false;
    this.#renderer.finish();
  }

  /** Forwards a terminal resize to the renderer. */
  resize(cols: number, rows: number): void {
    this.#renderer.resize(cols, rows);
  }
}
