/**
 * tqdm, reproduced: `format_meter` (percentage, bar of eighths, n/total,
 * elapsed<remaining, rate with the `s/it` flip, postfix) and the progress state
 * with tqdm's exponential moving average of the rate (smoothing 0.3) and its
 * 0.1 s minimum refresh interval.
 *
 * @module
 */

const BLOCKS = " ▏▎▍▌▋▊▉█";

/** tqdm's `format_interval`: `MM:SS` below an hour, `H:MM:SS` above. */
export function formatInterval(seconds: number): string {
  const t = Math.floor(seconds);
  const mins = Math.floor(t / 60);
  const s = t % 60;
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  const p = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${p(m)}:${p(s)}` : `${p(m)}:${p(s)}`;
}

/** tqdm's `format_sizeof` (3 significant figures, SI suffixes). */
export function formatSizeof(num: number, divisor = 1000): string {
  let n = num;
  for (const unit of ["", "k", "M", "G", "T", "P", "E", "Z"]) {
    if (Math.abs(n) < 999.5) {
      if (Math.abs(n) < 99.95) {
        if (Math.abs(n) < 9.995) return `${n.toFixed(2)}${unit}`;
        return `${n.toFixed(1)}${unit}`;
      }
      return `${n.toFixed(0)}${unit}`;
    }
    n /= divisor;
  }
  return `${n.toFixed(1)}Y`;
}

/** Everything `format_meter` needs. */
export interface MeterOptions {
  n: number;
  total: number;
  /** Seconds since the bar started. */
  elapsed: number;
  /** Items per second, or null before a rate exists. */
  rate: number | null;
  /** Text before the bar (`Loading checkpoint shards`). */
  desc?: string;
  /** Terminal width; without it the bar is 10 cells (tqdm's fallback). */
  ncols?: number;
  /** Unit name (`it`, ` examples`). */
  unit?: string;
  /** Scale n/total/rate with SI suffixes. */
  unitScale?: boolean;
  /** Pre-formatted postfix (`loss=2.13, lr=0.0003`). */
  postfix?: string;
  /** Lightning style: never flip to s/it. */
  noInverse?: boolean;
}

/** tqdm's `format_meter` for the default bar format. */
export function formatMeter(o: MeterOptions): string {
  const unit = o.unit ?? "it";
  const frac = o.total > 0 ? Math.min(1, o.n / o.total) : 0;
  const pct = String(roundHalfEven(frac * 100)).padStart(3, " ");
  const fmtN = (x: number) => (o.unitScale ? formatSizeof(x) : String(x));
  let rateFmt: string;
  if (o.rate === null || o.rate <= 0) rateFmt = `?${unit}/s`;
  else if (!o.noInverse && o.rate < 1) {
    const inv = 1 / o.rate;
    rateFmt = `${o.unitScale ? formatSizeof(inv) : inv.toFixed(2).padStart(5, " ")}s/${unit}`;
  } else {
    rateFmt = `${o.unitScale ? formatSizeof(o.rate) : o.rate.toFixed(2).padStart(5, " ")}${unit}/s`;
  }
  const remaining = o.rate && o.rate > 0 ? formatInterval((o.total - o.n) / o.rate) : "?";
  const postfix = o.postfix ? `, ${o.postfix}` : "";
  const lBar = `${o.desc ? `${o.desc}: ` : ""}${pct}%|`;
  const rBar = `| ${fmtN(o.n)}/${fmtN(o.total)} [${
    formatInterval(o.elapsed)
  }<${remaining}, ${rateFmt}${postfix}]`;
  const width = o.ncols === undefined
    ? 10
    : Math.max(1, o.ncols - [...lBar].length - [...rBar].length);
  return lBar + bar(frac, width) + rBar;
}

/** Python's `round()` to an integer (ties to even), as `{:3.0f}` rounds. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d === 0.5) return f % 2 === 0 ? f : f + 1;
  return Math.round(x);
}

/** The bar cells: full blocks, one partial eighth, then spaces. */
export function bar(frac: number, width: number): string {
  const eighths = Math.floor(frac * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  if (full >= width) return "█".repeat(width);
  return "█".repeat(full) + BLOCKS[part] + " ".repeat(width - full - 1);
}

/** A tqdm progress bar's state, driven by pretend seconds. */
export class Tqdm {
  readonly total: number;
  n = 0;
  readonly start: number;
  #lastPrintN = 0;
  #lastPrintT: number;
  #emaDn = 0;
  #emaDt = 0;
  #calls = 0;
  #fixedRate: boolean;

  /**
   * Starts a bar at `nowSec`. With `smoothing` false the rate is the whole-run
   * average `n/elapsed` (Lightning's training bar).
   */
  constructor(total: number, nowSec: number, smoothing = true) {
    this.total = total;
    this.start = nowSec;
    this.#lastPrintT = nowSec;
    this.#fixedRate = !smoothing;
  }

  /** Advances by `dn` at `nowSec`; refreshes the rate at most every 0.1 s, as tqdm does. */
  update(dn: number, nowSec: number): void {
    this.n += dn;
    const dt = nowSec - this.#lastPrintT;
    if (dt >= 0.1) {
      const dN = this.n - this.#lastPrintN;
      if (dN > 0 && dt > 0) {
        this.#emaDn = 0.3 * dN + 0.7 * this.#emaDn;
        this.#emaDt = 0.3 * dt + 0.7 * this.#emaDt;
        this.#calls++;
      }
      this.#lastPrintN = this.n;
      this.#lastPrintT = nowSec;
    }
  }

  /** The displayed rate in items per second, or null before the first refresh. */
  rate(nowSec: number): number | null {
    if (this.#fixedRate) {
      const el = nowSec - this.start;
      return el > 0 && this.n > 0 ? this.n / el : null;
    }
    if (this.#calls === 0) {
      // format_meter falls back to the average when no smoothed rate exists yet
      const el = nowSec - this.start;
      return el > 0 ? this.n / el : null;
    }
    const corr = 1 - 0.7 ** this.#calls;
    return (this.#emaDn / corr) / (this.#emaDt / corr);
  }

  /** Renders the bar at `nowSec`. */
  render(
    nowSec: number,
    options: Omit<MeterOptions, "n" | "total" | "elapsed" | "rate"> = {},
  ): string {
    return formatMeter({
      ...options,
      n: this.n,
      total: this.total,
      elapsed: nowSec - this.start,
      rate: this.rate(nowSec),
    });
  }
}
