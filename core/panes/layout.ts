/**
 * Pane grid maths, pure: how `--panes` is written, how many panes go in each
 * row of the grid, and where each pane's title bar, content and separators sit
 * on a terminal of a given size.
 *
 * The look is a multiplexer's: every pane has a one-row title bar on top (a
 * horizontal rule carrying the command it pretends to run), and panes side by
 * side are separated by a one-column vertical rule. Title bars double as the
 * horizontal separators between grid rows.
 *
 * @module
 */

/** The most panes `--panes` accepts. */
export const MAX_PANES = 16;
/** Narrowest pane content (columns) that still runs modules visibly; modules work from 20. */
export const MIN_PANE_COLS = 20;
/** Lowest pane content (rows) worth showing. */
export const MIN_PANE_ROWS = 3;

/** What `--panes` asked for: a count, or a fixed grid. */
export interface PaneLayout {
  /** Number of panes, 1 to {@linkcode MAX_PANES}. */
  readonly count: number;
  /** Grid columns when given as `COLSxROWS`; otherwise chosen from the count. */
  readonly columns?: number;
}

const GRID_REGEXP = /^(\d+)\s*[xX×]\s*(\d+)$/;

/**
 * Parses `--panes`: a count from 1 to 16 (`4`) or a grid `COLSxROWS` (`2x2`,
 * `3x2`) of at most 16 panes. Throws `RangeError` with the reason.
 */
export function parsePaneLayout(raw: string): PaneLayout {
  const text = raw.trim();
  if (/^\+?\d+$/.test(text)) {
    const count = Number(text);
    if (count < 1 || count > MAX_PANES) {
      throw new RangeError(`a pane count must be from 1 to ${MAX_PANES}`);
    }
    return { count };
  }
  const grid = GRID_REGEXP.exec(text);
  if (!grid) {
    throw new RangeError(
      `expected a pane count (1 to ${MAX_PANES}) or a grid COLSxROWS such as 2x2 or 3x2`,
    );
  }
  const columns = Number(grid[1]);
  const rows = Number(grid[2]);
  if (columns < 1 || rows < 1) throw new RangeError("a grid needs at least 1 column and 1 row");
  if (columns * rows > MAX_PANES) {
    throw new RangeError(
      `a grid holds at most ${MAX_PANES} panes (${columns}x${rows} would be ${columns * rows})`,
    );
  }
  return { count: columns * rows, columns };
}

/** How many panes each grid row holds, top to bottom. */
export function rowShape(layout: PaneLayout): number[] {
  const columns = layout.columns ?? Math.ceil(Math.sqrt(layout.count));
  const shape: number[] = [];
  for (let left = layout.count; left > 0; left -= columns) shape.push(Math.min(columns, left));
  return shape;
}

/** A rectangle of cells, 0-based. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly cols: number;
  readonly rows: number;
}

/** Where one pane sits. */
export interface PanePlacement {
  /** The pane's index, row-major. */
  readonly index: number;
  /** The whole cell: title bar plus content. */
  readonly cell: Rect;
  /** The title bar row (`rows` is 0 when the cell has no room at all). */
  readonly title: Rect;
  /** The content below the title bar (may have 0 rows or columns). */
  readonly content: Rect;
  /** Whether the content is too small to show a module (a placeholder is drawn instead). */
  readonly tooSmall: boolean;
}

/** A vertical rule between two panes of one grid row. */
export interface Separator {
  readonly x: number;
  readonly y: number;
  readonly rows: number;
}

/** Everything the compositor needs to draw the grid. */
export interface GridPlan {
  readonly cols: number;
  readonly rows: number;
  readonly panes: readonly PanePlacement[];
  readonly separators: readonly Separator[];
}

/** Splits `total` into `parts` sizes that differ by at most one, larger first. */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Lays the panes of `layout` out on a `cols` x `rows` terminal. */
export function planGrid(layout: PaneLayout, cols: number, rows: number): GridPlan {
  const width = Math.max(0, Math.floor(cols));
  const height = Math.max(0, Math.floor(rows));
  const shape = rowShape(layout);
  const heights = split(height, shape.length);
  const panes: PanePlacement[] = [];
  const separators: Separator[] = [];
  let y = 0;
  let index = 0;
  shape.forEach((count, r) => {
    const h = heights[r] as number;
    const usable = Math.max(0, width - (count - 1));
    const widths = split(usable, count);
    let x = 0;
    widths.forEach((w, c) => {
      const cell = { x, y, cols: w, rows: h };
      const titleRows = h > 0 ? 1 : 0;
      const content = { x, y: y + titleRows, cols: w, rows: h - titleRows };
      panes.push({
        index: index++,
        cell,
        title: { x, y, cols: w, rows: titleRows },
        content,
        tooSmall: content.cols < MIN_PANE_COLS || content.rows < MIN_PANE_ROWS,
      });
      x += w;
      if (c < count - 1) {
        if (x < width && h > 0) separators.push({ x, y, rows: h });
        x += 1;
      }
    });
    y += h;
  });
  return { cols: width, rows: height, panes, separators };
}

/**
 * The size each pane's own terminal gets: its content size, but never below
 * the minimum a module needs (a too-small pane keeps running out of sight
 * behind its placeholder, and shows again when the terminal grows).
 */
export function paneTerminalSize(content: Rect): { cols: number; rows: number } {
  return {
    cols: Math.max(MIN_PANE_COLS, content.cols),
    rows: Math.max(MIN_PANE_ROWS, content.rows),
  };
}
