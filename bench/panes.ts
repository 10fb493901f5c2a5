/**
 * Pane benchmarks: CPU per minute of wall time and bytes written per second
 * with 4 panes at speed 1 in a real pseudo-terminal (util-linux `script`),
 * and how fast a fast-forward 2x2 recording renders. Figures, not pass/fail.
 *
 * `bench/run.ts` calls {@linkcode benchPanes}; run alone with
 * `deno run -A bench/panes.ts [--quick]`.
 *
 * @module
 */

import { PaneDisplay } from "../core/panes/display.ts";
import { VirtualTimeline } from "../core/panes/timeline.ts";
import { MODULES } from "../modules/mod.ts";
import { childrenOf, cpuSeconds, delay } from "./proc.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** One reported figure. */
export interface PaneFigure {
  name: string;
  value: string;
  target: string;
}

/** How long to measure. */
export interface PaneBenchOptions {
  /** Seconds measured after start-up (default 60: module costs vary a lot from one minute to the next). */
  seconds?: number;
  /** Seconds left for start-up and compilation before measuring (default 5). */
  warmupSeconds?: number;
}

/** CPU seconds and terminal bytes of `denact --panes 4` in a 160x48 pseudo-terminal. */
async function liveFigures(
  seconds: number,
  warmup: number,
): Promise<{ cpu: number; bytes: number }> {
  const typescript = Deno.makeTempFileSync({ prefix: "denact_panes_", suffix: ".out" });
  const command = `stty cols 160 rows 48; exec "${Deno.execPath()}" run --quiet -A "${MAIN}" ` +
    "--panes 4 --seed 7";
  const script = new Deno.Command("script", {
    args: ["-qfec", command, typescript],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
    env: { TERM: "xterm-256color" },
  }).spawn();
  try {
    await delay(warmup * 1000);
    const pid = childrenOf(script.pid)[0];
    if (pid === undefined) throw new Error("denact did not start in the pseudo-terminal");
    const cpuBefore = cpuSeconds(pid);
    const bytesBefore = Deno.statSync(typescript).size;
    await delay(seconds * 1000);
    const cpu = cpuSeconds(pid) - cpuBefore;
    const bytes = Deno.statSync(typescript).size - bytesBefore;
    try {
      Deno.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    return { cpu, bytes };
  } finally {
    await script.stdin.close().catch(() => {});
    await script.status;
    Deno.removeSync(typescript);
  }
}

/** Real milliseconds to render `pretendMs` of a 2x2 display on the virtual timeline. */
async function fastForwardMs(pretendMs: number): Promise<{ real: number; bytes: number }> {
  const timeline = new VirtualTimeline();
  let bytes = 0;
  const display = new PaneDisplay({
    onFrame: (frame) => void (bytes += frame.length),
    cols: 120,
    rows: 36,
    layout: { count: 4, columns: 2 },
    modules: MODULES,
    seed: 3n,
    color: true,
    speed: 1,
    epochMs: Date.now(),
    timeline,
  });
  timeline.after(pretendMs, () => display.stop("time"));
  const start = performance.now();
  await display.run();
  const real = performance.now() - start;
  for (const pane of display.panes) pane.dispose();
  return { real, bytes };
}

/** Runs the pane benchmarks and returns their figures. */
export async function benchPanes(options: PaneBenchOptions = {}): Promise<PaneFigure[]> {
  const seconds = options.seconds ?? 60;
  const warmup = options.warmupSeconds ?? 5;
  const figures: PaneFigure[] = [];
  const live = await liveFigures(seconds, warmup);
  const share = live.cpu / seconds * 100;
  figures.push({
    name: `CPU, 4 panes at speed 1 in a 160x48 terminal (${MODULES.length} modules)`,
    value: `${(live.cpu * 60 / seconds).toFixed(2)} s per minute (${share.toFixed(2)}% of a core)`,
    target: "< 2% of a core",
  });
  figures.push({
    name: "bytes written to the terminal, 4 panes at speed 1",
    value: `${(live.bytes / seconds / 1024).toFixed(1)} KiB/s`,
    target: "only changed cells",
  });
  const ff = await fastForwardMs(120_000);
  figures.push({
    name: "fast-forward 2x2 recording, 120x36, 2 minutes of pretend time",
    value: `${(ff.real / 1000).toFixed(2)} s real (${(120_000 / ff.real).toFixed(0)}x), ${
      (ff.bytes / 1024).toFixed(0)
    } KiB`,
    target: "a fraction of the pretend time",
  });
  return figures;
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const figures = await benchPanes(quick ? { seconds: 20, warmupSeconds: 3 } : {});
  console.log("| measure | value | target |");
  console.log("| --- | --- | --- |");
  for (const f of figures) console.log(`| ${f.name} | ${f.value} | ${f.target} |`);
}
