/**
 * simcity: genact's parody of SimCity loading screens. Each quip is typed out
 * next to a spinner in the live region, then settles as `[o] Quip... OK`.
 *
 * @module
 */

import data from "../data/simcity.json" with { type: "json" };
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** Braille spinner frames, as modern CLIs draw them. */
export const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"] as const;

const FRAME_MS = 80;
const MAX_SPIN_MS = 6000;
/** Hard ceiling on one run; the drawn budget is always below it. */
const MAX_RUN_MS = 225_000;

/** One resolved quip. */
export interface Outcome {
  /** `OK`, `DONE`, `YES`, `SUCCESS` or `FAIL`. */
  text: string;
  /** How it is coloured. */
  tone: string;
}

/** The live line while a quip is loading. */
export function renderLoading(quip: string, frame: number): string {
  return `[${SPINNER[frame % SPINNER.length]}] ${quip}`;
}

/** The permanent line once a quip has loaded. */
export function renderDone(quip: string, outcome: Outcome, style: Style): string {
  const paint = outcome.tone === "bad"
    ? style.combine(style.bold, style.red)
    : outcome.tone === "good"
    ? style.combine(style.bold, style.green)
    : outcome.tone === "info"
    ? style.cyan
    : style.green;
  return `[o] ${quip}... ${paint(outcome.text)}`;
}

/** The simcity module. */
export const simcity: Module = {
  name: "simcity",
  signature: "./start-simcity.sh",
  about: "Loads a city: reticulates splines and other SimCity-style chores",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { rng, out, style } = ctx;
    const start = ctx.clock.now();
    const budget = Math.min(MAX_RUN_MS - 10_000, 20_000 * Math.exp(rng.float(0, Math.log(10))));
    const quips = rng.shuffle(data.quips);
    const weights = data.outcomes.map((o) => o.weight);
    for (const quip of quips) {
      const typeMs = rng.int(10, 22);
      const spinMs = Math.min(MAX_SPIN_MS, rng.logNormal(1100, 0.8));
      if (ctx.clock.now() - start + quip.length * typeMs + spinMs > budget) break;
      let frame = 0;
      if (ctx.term.isTTY) {
        // Typed out only where it is redrawn in place; a log gets the whole quip.
        for (let i = 1; i <= quip.length; i++) {
          out.live([`[ ] ${quip.slice(0, i)}`]);
          await ctx.sleep(typeMs);
        }
      }
      for (let spun = 0; spun < spinMs; spun += FRAME_MS) {
        out.live([renderLoading(`${quip}...`, frame++)]);
        await ctx.sleep(FRAME_MS);
      }
      out.live([]);
      out.line(renderDone(quip, rng.weighted(data.outcomes, weights), style));
    }
    await ctx.sleep(rng.int(300, 900));
    out.line();
    out.line(style.bold(rng.pick(data.finale)));
  },
};
