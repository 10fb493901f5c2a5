/**
 * The grid's chrome, drawn into a {@linkcode Frame}: a title bar on top of each
 * pane (a rule carrying the command the pane pretends to run), vertical rules
 * between panes with proper junctions, and a tidy placeholder for panes too
 * small to show a module. Pure: plan and titles in, cells out.
 *
 * @module
 */

import { truncate, visibleWidth } from "../ansi.ts";
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

/**
 * The label a title bar of `cols` columns shows for `title`: the whole title,
 * or its start cut with `…`; "" when there is no room for a label at all.
 */
function titleLabel(title: string, cols: number): string {
  const room = cols - 3; // a rule character and a space before, a space after
  if (title === "" || room < 3) return "";
  return truncate(title.trimEnd(), room, true).replace(/\s+…$/, "…");
}

/** The title bar for a pane as text: `─ cargo build --release ───…`, exactly `cols` wide. */
export function titleText(title: string, cols: number): string {
  if (cols <= 0) return "";
  const label = titleLabel(title, cols);
  if (label === "") return H.repeat(cols);
  return `${H} ${label} ` + H.repeat(cols - 3 - visibleWidth(label));
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
  frame.fill(x, y, cols, 1, H, pens.rule);
  const label = titleLabel(title, cols);
  if (label !== "") frame.text(x + 1, y, ` ${label} `, cols - 1, pens.title);
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
