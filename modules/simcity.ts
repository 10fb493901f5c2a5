/**
 * simcity: genact's parody of the Maxis loading screens. Each quip is typed
 * out as `[ ] Reticulating Splines... ` with an ASCII spinner turning after it,
 * then settles as `[o] Reticulating Splines... OK`, the whole line in one
 * colour (white half the time, FAIL always red), as genact draws it. The quips
 * are Maxis-style in-jokes written for denact, in Title Case.
 *
 * @module
 */

import data from "../data/simcity.json" with { type: "json" };
import type { Rng } from "../core/rng.ts";
import type { Paint, Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** genact's spinner: four ASCII frames after the quip. */
export const SPINNER = ["/", "-", "\\", "|"] as const;

/** Milliseconds per spinner frame and per typed character (genact's 50 and 15). */
const FRAME_MS = 50;
const TYPE_MS = 15;
/** Hard ceiling on one run; the drawn budget is always below it. */
const MAX_RUN_MS = 225_000;

/** A colour genact paints a settled line in. */
export type Colour = "red" | "green" | "cyan" | "blue" | "white";
const COLOURS = data.colors as Colour[];

/** How a quip settled: its status word and the colour of the whole line. */
export interface Outcome {
  /** `OK`, `SUCCESS`, `YES` or `FAIL`. */
  text: string;
  colour: Colour;
}

/** Draws an outcome: FAIL is red; otherwise white half the time, else any of genact's colours. */
export function drawOutcome(rng: Rng): Outcome {
  const { text } = rng.weighted(data.outcomes, data.outcomes.map((o) => o.weight));
  if (text === "FAIL") return { text, colour: "red" };
  return { text, colour: rng.chance(0.5) ? "white" : rng.pick(COLOURS) };
}

/** The live line while a quip is loading: the spinner turns after the dots. */
export function renderLoading(quip: string, frame: number): string {
  return `[ ] ${quip}... ${SPINNER[frame % SPINNER.length]}`;
}

/** The permanent line once a quip has loaded, coloured whole. */
export function renderDone(quip: string, outcome: Outcome, style: Style): string {
  const paint: Paint = style[outcome.colour];
  return paint(`[o] ${quip}... ${outcome.text}`);
}

/** The simcity module. */
export const simcity: Module = {
  name: "simcity",
  signature: "./start-simcity.sh",
  about: "Loads a city: reticulates splines and other Maxis-style chores",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { rng, out, style } = ctx;
    const start = ctx.clock.now();
    const budget = Math.min(MAX_RUN_MS - 10_000, 20_000 * Math.exp(rng.float(0, Math.log(10))));
    for (const quip of rng.shuffle(data.quips)) {
      const turns = rng.int(1, 19) * SPINNER.length;
      if (ctx.clock.now() - start + quip.length * TYPE_MS + turns * FRAME_MS > budget) break;
      if (ctx.term.isTTY) {
        // Typed out and spun only where it is redrawn in place; a log gets the settled line.
        for (let i = 1; i <= quip.length; i++) {
          out.live([`[ ] ${quip.slice(0, i)}`]);
          await ctx.sleep(TYPE_MS);
        }
        for (let frame = 0; frame < turns; frame++) {
          out.live([renderLoading(quip, frame)]);
          await ctx.sleep(FRAME_MS);
        }
        out.live([]);
      } else {
        await ctx.sleep(quip.length * TYPE_MS + turns * FRAME_MS);
      }
      out.line(renderDone(quip, drawOutcome(rng), style));
    }
  },
};
