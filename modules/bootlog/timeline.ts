/**
 * The boot timeline: kernel ring-buffer lines and systemd console lines, each
 * at a boot time in microseconds. The timeline is built up front; playing it
 * back sleeps exactly the gaps between the times, so the `[    1.234567]`
 * stamps advance the way the pretend clock does.
 *
 * @module
 */

import type { Style } from "../../core/style.ts";

/** The word between the brackets of a systemd status line. */
export type Status = "OK" | "FAILED" | "DEPEND" | "TIME";

/** One thing printed during the boot. */
export type BootEvent =
  | { t: number; kind: "kernel"; text: string }
  | { t: number; kind: "status"; status: Status | undefined; text: string; bold: [number, number] }
  | { t: number; kind: "plain"; text: string; color?: boolean }
  | { t: number; kind: "spinner"; what: string; limit: string; since: number; until: number };

/** A boot under construction: a clock in microseconds and the events so far. */
export class Timeline {
  /** Boot time in microseconds. */
  now = 0;
  readonly events: BootEvent[] = [];

  /** Moves the clock forward by `us` microseconds (fractions are dropped). */
  advance(us: number): this {
    this.now += Math.max(0, Math.round(us));
    return this;
  }

  /** A kernel line, `gap` microseconds after the previous event. */
  k(text: string, gap = 0): this {
    this.advance(gap);
    this.events.push({ t: this.now, kind: "kernel", text });
    return this;
  }

  /** Several kernel lines, each `gap()` microseconds after the one before. */
  ks(lines: readonly string[], gap: () => number): this {
    for (const l of lines) this.k(l, gap());
    return this;
  }

  /**
   * A systemd status line: `[  OK  ] Started unit - Description.` or, without a
   * status, `         Starting unit - Description...`.
   */
  status(status: Status | undefined, verb: string, unit: string, desc: string, gap = 0): this {
    this.advance(gap);
    const dots = verb === "Starting" || verb === "Mounting" || verb === "Activating swap"
      ? "..."
      : ".";
    const text = `${verb} ${unit} - ${desc}${dots}`;
    const from = verb.length + 1;
    this.events.push({
      t: this.now,
      kind: "status",
      status,
      text,
      bold: [from, from + unit.length],
    });
    return this;
  }

  /** A line printed as is (the welcome banner, `See 'systemctl status …'`, the getty). */
  plain(text: string, gap = 0, color = false): this {
    this.advance(gap);
    this.events.push({ t: this.now, kind: "plain", text, color });
    return this;
  }

  /**
   * systemd's animated `A start job is running for …` line, shown for `us`
   * microseconds; the job was queued at boot time `since`.
   */
  spinner(what: string, limit: string, since: number, us: number): this {
    this.events.push({ t: this.now, kind: "spinner", what, limit, since, until: this.now + us });
    this.advance(us);
    return this;
  }
}

/** The dmesg time stamp: `[    1.234567]` (seconds right-aligned in 5, microseconds in 6). */
export function stamp(us: number): string {
  const s = Math.floor(us / 1_000_000);
  const frac = us - s * 1_000_000;
  return `[${String(s).padStart(5)}.${String(frac).padStart(6, "0")}]`;
}

/**
 * systemd's `ellipsize_mem(s, new_length, 50)`: keeps the start and the end of
 * `text`, joined by `…`, in `max` columns. Returns the kept prefix and suffix
 * lengths so styles can be re-applied.
 */
export function ellipsize(text: string, max: number): { text: string; head: number; tail: number } {
  const chars = [...text];
  if (chars.length <= max) return { text, head: chars.length, tail: 0 };
  const head = Math.floor(((max - 1) * 50 + 50) / 100);
  const tail = max - head - 1;
  return {
    text: chars.slice(0, head).join("") + "…" + (tail > 0 ? chars.slice(-tail).join("") : ""),
    head,
    tail,
  };
}

/** The bracketed status word, coloured as systemd does. */
function statusWord(style: Style, status: Status): string {
  const paint = {
    OK: style.combine(style.bold, style.green),
    FAILED: style.combine(style.bold, style.red),
    DEPEND: style.combine(style.bold, style.yellow),
    TIME: style.combine(style.bold, style.red),
  }[status];
  const word = { OK: "  OK  ", FAILED: "FAILED", DEPEND: "DEPEND", TIME: " TIME " }[status];
  return `[${paint(word)}]`;
}

/**
 * A systemd status line for a console `cols` wide: the message is ellipsized in
 * the middle to `cols - 10` columns and the unit name is bold.
 */
export function renderStatus(
  style: Style,
  status: Status | undefined,
  text: string,
  bold: [number, number],
  cols: number,
): string {
  const max = Math.max(3, cols - 9 - 1);
  const cut = ellipsize(text, max);
  const chars = [...text];
  // Rebuild with the unit name in bold, over the part of it that survived.
  const piece = (from: number, to: number): string => {
    const seg = chars.slice(from, to).join("");
    const b0 = Math.max(from, bold[0]);
    const b1 = Math.min(to, bold[1]);
    if (b0 >= b1 || !style.enabled) return seg;
    const rel0 = b0 - from;
    const rel1 = b1 - from;
    const s = [...seg];
    return s.slice(0, rel0).join("") + style.bold(s.slice(rel0, rel1).join("")) +
      s.slice(rel1).join("");
  };
  const body = cut.head === chars.length
    ? piece(0, chars.length)
    : piece(0, cut.head) + "…" + (cut.tail > 0 ? piece(chars.length - cut.tail, chars.length) : "");
  const prefix = status ? statusWord(style, status) : "        ";
  return `${prefix} ${body}`;
}

/**
 * systemd's cylon: three stars bouncing in a six-column box, the middle one
 * highlighted. `pos` runs 0…7.
 */
export function cylon(style: Style, pos: number): string {
  const width = 6;
  let out = "";
  if (pos > 1) {
    if (pos > 2) out += " ".repeat(pos - 2);
    out += style.red("*");
  }
  if (pos > 0 && pos <= width) out += style.combine(style.bold, style.red)("*");
  if (pos < width) {
    out += style.red("*");
    if (pos < width - 1) out += " ".repeat(width - 1 - pos);
  }
  return `[${out}]`;
}

/** systemd's `format_timespan` at one-second accuracy: `12s`, `1min 30s`, `2min`. */
export function timespan(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? `${m}min` : `${m}min ${rest}s`;
}
