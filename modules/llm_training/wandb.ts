/**
 * Weights & Biases console output: the start block (run folder and URLs with
 * the same 8-character id) and the end block (run history as sparklines of at
 * most 40 cells, min → ▁ and max → █, and the run summary rounded to 5
 * decimals), keys right-aligned and sorted.
 *
 * @module
 */

import { pyRound } from "./pyfmt.ts";
import type { Run } from "./runtime.ts";
import { compactStamp } from "./stamps.ts";

const SPARK = "▁▂▃▄▅▆▇█";
const STAR = "⭐️";
const ROCKET = "🚀";

/** A sparkline of at most `width` cells (the history is sampled evenly). */
export function sparkline(values: readonly number[], width = 40): string {
  if (values.length === 0) return "";
  const n = Math.min(width, values.length);
  const sampled = Array.from(
    { length: n },
    (_, i) => values[Math.floor((i * values.length) / n)] as number,
  );
  const min = Math.min(...sampled);
  const max = Math.max(...sampled);
  return sampled.map((v) => SPARK[max > min ? Math.round(((v - min) / (max - min)) * 7) : 0]).join(
    "",
  );
}

/** A summary value as wandb prints it (pass integers as strings). */
export function summaryValue(v: number | string): string {
  // floats are rounded to 5 decimals (`0.0` stays a float); integers come as strings
  if (typeof v === "string") return v;
  return pyRound(v, 5);
}

/** The run folder name: `run-20240501_120433-3k9x2q7z`. */
export function runFolder(run: Run, started: Date): string {
  return `run-${compactStamp(started)}-${run.sc.names.wandbId}`;
}

/** The start block; `dir` is where the run folder goes (default: the working directory). */
export function wandbStart(run: Run, resumed: boolean, dir?: string): Date {
  const n = run.sc.names;
  const v = run.sc.versions.wandb;
  const started = run.wall();
  const base = `https://wandb.ai/${n.wandbEntity}/${n.wandbProject}`;
  run.line(
    `wandb: Currently logged in as: ${run.sc.cluster.user} (${n.wandbEntity}). Use \`wandb login --relogin\` to force relogin`,
  );
  if (v >= "0.18") {
    run.line(
      "wandb: Using wandb-core as the SDK backend.  Please refer to https://wandb.me/wandb-core for more information.",
    );
  }
  run.line(`wandb: Tracking run with wandb version ${v}`);
  run.line(
    `wandb: Run data is saved locally in ${
      dir ?? `${n.workdir.replace("~", `/home/${run.sc.cluster.user}`)}/wandb`
    }/${runFolder(run, started)}`,
  );
  run.line("wandb: Run `wandb offline` to turn off syncing.");
  run.line(`wandb: ${resumed ? "Resuming" : "Syncing"} run ${n.runName}`);
  run.wideLine(`wandb: ${STAR} View project at ${base}`, [STAR]);
  run.wideLine(`wandb: ${ROCKET} View run at ${base}/runs/${n.wandbId}`, [ROCKET]);
  return started;
}

/** The end block. `history` maps keys to their logged values; `summary` to the final values. */
export function wandbEnd(
  run: Run,
  started: Date,
  history: ReadonlyMap<string, readonly number[]>,
  summary: ReadonlyMap<string, number | string>,
  dir = "./wandb",
): void {
  const n = run.sc.names;
  const base = `https://wandb.ai/${n.wandbEntity}/${n.wandbProject}`;
  const hKeys = [...history.keys()].sort();
  const sKeys = [...summary.keys()].sort();
  const width = Math.max(...hKeys.map((k) => k.length), ...sKeys.map((k) => k.length));
  run.line("wandb:");
  run.line("wandb: Run history:");
  for (const k of hKeys) run.line(`wandb: ${k.padStart(width)} ${sparkline(history.get(k) ?? [])}`);
  run.line("wandb: ");
  run.line("wandb: Run summary:");
  for (const k of sKeys) {
    run.line(`wandb: ${k.padStart(width)} ${summaryValue(summary.get(k) ?? 0)}`);
  }
  run.line("wandb: ");
  run.wideLine(`wandb: ${ROCKET} View run ${n.runName} at: ${base}/runs/${n.wandbId}`, [ROCKET]);
  run.wideLine(`wandb: ${STAR} View project at: ${base}`, [STAR]);
  run.line(
    `wandb: Synced 5 W&B file(s), 0 media file(s), ${
      run.rng.int(0, 2)
    } artifact file(s) and 0 other file(s)`,
  );
  run.line(`wandb: Find logs at: ${dir}/${runFolder(run, started)}/logs`);
}
