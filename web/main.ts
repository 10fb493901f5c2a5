/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * The browser entry: an xterm.js terminal filling the window, refitted on
 * every resize, running denact with the page's URL parameters. Bundled into the
 * single-file page by `web/build.ts`.
 *
 * @module
 */

import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { MODULES } from "../modules/mod.ts";
import { type DenactTermHook, startWebRun } from "./app.ts";

function randomSeed(): bigint {
  return crypto.getRandomValues(new BigUint64Array(1))[0] as bigint;
}

const container = document.getElementById("terminal") as HTMLElement;
const term = new Terminal({
  convertEol: true,
  cursorBlink: false,
  scrollback: 1000,
  fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace',
  fontSize: 15,
  theme: { background: "#000000", foreground: "#d0d0d0" },
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open(container);
fit.fit();
globalThis.addEventListener("resize", () => fit.fit());
term.focus();

const run = startWebRun(term, {
  modules: MODULES,
  search: location.search,
  randomSeed,
  epochMs: Date.now(),
  utcOffsetMinutes: -new Date().getTimezoneOffset(),
  startedAgoMs: performance.now(),
});
let finished = false;
run.done.finally(() => finished = true).catch((error) => console.error(error));

const hook: DenactTermHook = {
  get cols() {
    return term.cols;
  },
  get rows() {
    return term.rows;
  },
  get moduleCols() {
    return run.session.term.cols;
  },
  lines() {
    const buffer = term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      out.push(buffer.getLine(i)?.translateToString(true) ?? "");
    }
    return out;
  },
  style(line, col) {
    const cell = term.buffer.active.getLine(line)?.getCell(col);
    if (!cell) return undefined;
    const palette = cell.isFgPalette() && cell.getFgColor() < 16;
    return { bold: cell.isBold() !== 0, fg: palette ? cell.getFgColor() : -1 };
  },
  get finished() {
    return finished;
  },
};
Object.defineProperty(globalThis, "denactTerm", { value: Object.freeze(hook) });
