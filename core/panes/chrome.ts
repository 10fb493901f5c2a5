/**
 * The grid's chrome, drawn into a {@linkcode Frame}: a title bar on top of each
 * pane (a rule carrying the command the pane pretends to run), vertical rules
 * between panes with proper junctions, and a tidy placeholder for panes too
 * small to show a module. Pure: plan and titles in, cells out.
 *
 * @module
 */

import { ATTR, DEFAULT_COLOR, type Frame, type Pen, PLAIN } from "./frame.ts";
import { type GridPlan, MIN_PANE_COLS, MIN_PANE_ROWS, type PanePlacement } from "./layout.ts";

/** Pens for the chrome; all plain when colour is off. */
export interface ChromePens {
  readonly rule: Pen;
  readonly title: Pen;
  readonly placeholder: Pen;
}

/** The chrome's pens with colour on or off. */
export function chromePens(color: boolean): ChromePens {
  if (!color) return { rule: PLAIN, title: PLAIN, placeholder: PLAIN };
  return {
    rule: { fg: 8, bg: DEFAULT_COLOR, attrs: 0 },
    title: { fg: DEFAULT_COLOR, bg: DEFAULT_COLOR, attrs: ATTR.BOLD },
    placeholder: { fg: 8, bg: DEFAULT_COLOR, attrs: 0 },
  };
}

const H = "─";
const V = "│";

/** The title bar text for a pane: `─ cargo build --release ───…`, fitted to `cols`. */
export function titleText(title: string, cols: number): string {
  if (cols <= 0) return "";
  const label = title === "" ? "" : ` ${title} `;
  const room = cols - 1;
  if (label === "" || room < 4) return H.repeat(cols);
  const chars = [...label];
  const fitted = chars.length <= room ? label : chars.slice(0, room - 2).join("") + "… ";
  return H + fitted + H.repeat(Math.max(0, room - [...fitted].length));
}

/** Which glyph joins a title rule and a vertical rule: up/down say where rules continue. */
function junction(up: boolean, down: boolean): string {
  if (up && down) return "┼";
  if (up) return "┴";
  if (down) return "┬";
  return H;
}

/** Draws rules, title bars and placeholders for `plan`; `titles[i]` is pane i's title. */
export function drawChrome(
  frame: Frame,
  plan: GridPlan,
  titles: readonly string[],
  pens: ChromePens,
): void {
  for (const pane of plan.panes) {
    if (pane.title.rows > 0) drawTitle(frame, pane, titles[pane.index] ?? "", pens);
    if (pane.tooSmall) drawPlaceholder(frame, pane, pens.placeholder);
  }
  const vertical = new Set<number>();
  for (const sep of plan.separators) {
    for (let r = 0; r < sep.rows; r++) vertical.add((sep.y + r) * plan.cols + sep.x);
  }
  for (const sep of plan.separators) {
    for (let r = 0; r < sep.rows; r++) {
      const y = sep.y + r;
      if (r === 0) {
        const up = vertical.has((y - 1) * plan.cols + sep.x);
        frame.set(sep.x, y, junction(up, sep.rows > 1), pens.rule);
      } else frame.set(sep.x, y, V, pens.rule);
    }
  }
  // A rule from the row above that ends on a title bar with no rule below it.
  for (const pane of plan.panes) {
    const y = pane.title.y;
    if (pane.title.rows === 0 || y === 0) continue;
    for (let x = pane.title.x; x < pane.title.x + pane.title.cols; x++) {
      if (vertical.has((y - 1) * plan.cols + x) && !vertical.has(y * plan.cols + x)) {
        frame.set(x, y, junction(true, false), pens.rule);
      }
    }
  }
}

function drawTitle(frame: Frame, pane: PanePlacement, title: string, pens: ChromePens): void {
  const { x, y, cols } = pane.title;
  const text = titleText(title, cols);
  const chars = [...text];
  const labelEnd = title === "" ? 0 : chars.findIndex((ch, i) => i > 0 && ch === H);
  let col = 0;
  chars.forEach((ch, i) => {
    const pen = i > 0 && (labelEnd < 0 || i < labelEnd) ? pens.title : pens.rule;
    col += frame.text(x + col, y, ch, cols - col, pen);
  });
  if (col < cols) frame.fill(x + col, y, cols - col, 1, H, pens.rule);
}

/** Fills a too-small pane's content with blanks and a centred note saying what it needs. */
function drawPlaceholder(frame: Frame, pane: PanePlacement, pen: Pen): void {
  const { x, y, cols, rows } = pane.content;
  frame.fill(x, y, cols, rows, " ", PLAIN);
  if (cols <= 0 || rows <= 0) return;
  const notes = [`pane too small (needs ${MIN_PANE_COLS}x${MIN_PANE_ROWS})`, "too small", "…"];
  const note = notes.find((n) => n.length <= cols) ?? "";
  frame.text(
    x + Math.floor((cols - note.length) / 2),
    y + Math.floor((rows - 1) / 2),
    note,
    cols,
    pen,
  );
}
