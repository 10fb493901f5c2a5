/**
 * The running scene: the context, the scenario, GPU telemetry and the live
 * region (progress bar lines above a GPU grid), with pretend-time pauses that
 * keep telemetry and the live region moving. In plain mode the grid is replaced
 * by a periodic summary table printed as ordinary lines.
 *
 * @module
 */

import { truncate, visibleWidth } from "../../core/ansi.ts";
import type { Rng } from "../../core/rng.ts";
import type { Context } from "../../core/types.ts";
import { gridLines, monitorTable, type Phase, Telemetry } from "./gpu_grid.ts";
import type { Scenario } from "./scenario.ts";
import { isoSeconds } from "./stamps.ts";

/** Seconds between plain-mode monitor tables. */
const MONITOR_EVERY_MS = 60_000;

/** One module run in progress. */
export class Run {
  readonly ctx: Context;
  readonly sc: Scenario;
  readonly rng: Rng;
  readonly tel: Telemetry;
  /** Pretend ms at the start of the module run. */
  readonly t0: number;
  /** Live lines drawn above the grid (a tqdm bar). */
  bar: string[] = [];
  /** The node whose console the log shows (its agent, its ranks' output). */
  consoleNode = 0;
  /**
   * With `srun --label`, the task (node) whose output the next lines are;
   * null when the log is one node's console.
   */
  label: number | null = null;
  /** Whether the grid (terminal) or monitor table (plain) is active. */
  monitoring = false;
  #lastMonitor = Number.NEGATIVE_INFINITY;
  #liveShown = false;

  /** Starts a run. */
  constructor(ctx: Context, sc: Scenario) {
    this.ctx = ctx;
    this.sc = sc;
    this.rng = ctx.rng.fork();
    const used = Math.round(sc.memory.nvsmiUsedMiB);
    this.tel = new Telemetry(sc.cluster.gpu, sc.cluster.nodes, used, ctx.rng.fork());
    this.t0 = ctx.clock.now();
  }

  /** Terminal width. */
  get cols(): number {
    return this.ctx.term.cols;
  }

  /** The pretend wall clock. */
  wall(): Date {
    return this.ctx.clock.wall();
  }

  /** Pretend seconds since the module started. */
  nowSec(): number {
    return (this.ctx.clock.now() - this.t0) / 1000;
  }

  /** A permanent line (in a terminal, tabs are drawn as the spaces the terminal would show). */
  line(text = ""): void {
    const labelled = this.label === null ? text : `${this.labelOf(this.label)}${text}`;
    this.ctx.out.line(
      this.ctx.term.isTTY && labelled.includes("\t") ? expandTabs(labelled) : labelled,
    );
  }

  /** `srun --label`'s prefix for task `k`: the task id right-aligned to the widest one. */
  labelOf(k: number): string {
    return `${String(k).padStart(String(this.sc.cluster.nodes - 1).length)}: `;
  }

  /** Lines printed as the output of node `k` (`srun --label`). */
  as(k: number, fn: () => void): void {
    const old = this.label;
    this.label = k;
    try {
      fn();
    } finally {
      this.label = old;
    }
  }

  /** Several permanent lines. */
  lines(texts: readonly string[]): void {
    for (const t of texts) this.line(t);
  }

  /**
   * A permanent line that may hold characters a terminal draws two cells wide
   * (emoji): in a terminal it is cut to the width first, counting them as two.
   */
  wideLine(text: string, wide: readonly string[]): void {
    if (!this.ctx.term.isTTY) return this.line(text);
    let extra = 0;
    if (this.label !== null) text = `${this.labelOf(this.label)}${text}`;
    for (const w of wide) extra += text.split(w).length - 1;
    const cols = this.cols;
    const label = this.label;
    this.label = null;
    this.line(visibleWidth(text) + extra > cols ? truncate(text, Math.max(1, cols - extra)) : text);
    this.label = label;
  }

  /** Sets what the GPUs are doing. */
  phase(p: Phase): void {
    this.tel.setPhase(p);
  }

  /** Waits `ms` pretend milliseconds, advancing telemetry and redrawing the live region. */
  async pause(ms: number): Promise<void> {
    let left = ms;
    const chunk = this.ctx.term.isTTY ? 1000 : 2500;
    while (left > 0) {
      const d = Math.min(chunk, left);
      await this.ctx.sleep(d);
      left -= d;
      this.tel.step(d / 1000);
      this.refresh();
    }
  }

  /** Redraws the live region; in plain mode prints the monitor table when it is due. */
  refresh(): void {
    const out = this.ctx.out;
    const tty = this.ctx.term.isTTY;
    const live = [...this.bar];
    if (this.monitoring && tty) {
      const rows = this.ctx.term.rows;
      const room = Math.max(2, rows - 3 - live.length);
      live.push(...gridLines(this.tel, this.sc.cluster.hosts, this.cols, room, this.ctx.style));
    }
    if (!tty && this.monitoring) {
      const now = this.ctx.clock.now();
      if (now - this.#lastMonitor >= MONITOR_EVERY_MS) {
        this.#lastMonitor = now;
        const c = this.sc.cluster;
        const table = monitorTable(this.tel, isoSeconds(this.wall()), c.nodes, c.hosts[0]!);
        for (const l of table) this.ctx.out.line(l);
      }
    }
    if (live.length > 0) {
      out.live(live);
      this.#liveShown = true;
    } else if (this.#liveShown) {
      out.live([]);
      this.#liveShown = false;
    }
  }

  /** Clears the live region. */
  clearLive(): void {
    this.bar = [];
    if (this.#liveShown) {
      this.ctx.out.live([]);
      this.#liveShown = false;
    }
  }

  /** The shell prompt. */
  prompt(): string {
    const c = this.sc.cluster;
    const s = this.ctx.style;
    return `${s.bold(s.green(`${c.user}@${c.hosts[0]}`))}:${
      s.bold(s.blue(this.sc.names.workdir))
    }$ `;
  }

  /** Prints a prompt and a command (typed when short), then a short pause. */
  async command(cmd: string): Promise<void> {
    this.clearLive();
    this.ctx.out.write(this.prompt());
    await this.pause(this.rng.int(400, 1400));
    if (cmd.length <= 90) await this.ctx.out.type(cmd, this.rng.int(12, 30));
    else this.ctx.out.write(cmd);
    this.ctx.out.line();
    await this.pause(this.rng.int(150, 500));
  }
}

/** Replaces tabs by spaces up to the next multiple of 8 columns. */
export function expandTabs(text: string): string {
  let out = "";
  let col = 0;
  for (const ch of text) {
    if (ch === "\t") {
      const n = 8 - (col % 8);
      out += " ".repeat(n);
      col += n;
    } else {
      out += ch;
      col += visibleWidth(ch);
    }
  }
  return out;
}
