/**
 * A small line diff (longest common subsequence) and its unified hunks: what
 * the agent shows for an edit, computed from the code it read and the code it
 * wrote, so the diff always applies.
 *
 * @module
 */

/** One line of a hunk: kept, removed or added, with its line number (old for removed, new otherwise). */
export interface DiffLine {
  kind: " " | "-" | "+";
  /** Line number, 1-based: in the old file for `-`, in the new file for ` ` and `+`. */
  line: number;
  text: string;
}

/** A unified hunk: `@@ -oldStart,oldCount +newStart,newCount @@` and its lines. */
export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  lines: DiffLine[];
}

/** The edit script from `before` to `after`, every line of both files in order. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  // lcs[i][j]: length of the longest common subsequence of before[i..] and after[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i] === after[j]
        ? lcs[i + 1]![j + 1]! + 1
        : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ kind: " ", line: j + 1, text: after[j]! });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push({ kind: "-", line: i + 1, text: before[i]! });
      i++;
    } else {
      out.push({ kind: "+", line: j + 1, text: after[j]! });
      j++;
    }
  }
  return out;
}

/** Groups an edit script into hunks with `context` unchanged lines around each change. */
export function hunks(before: readonly string[], after: readonly string[], context = 3): Hunk[] {
  const script = diffLines(before, after);
  const changed = script.map((d, k) => d.kind !== " " ? k : -1).filter((k) => k >= 0);
  const result: Hunk[] = [];
  let k = 0;
  while (k < changed.length) {
    let start = Math.max(0, changed[k]! - context);
    let end = Math.min(script.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end + 1) {
      k++;
      end = Math.min(script.length - 1, changed[k]! + context);
    }
    k++;
    start = Math.max(0, start);
    const lines = script.slice(start, end + 1);
    // Line numbers at the hunk start: count the old and new lines before it.
    let oldBefore = 0;
    let newBefore = 0;
    for (const d of script.slice(0, start)) {
      if (d.kind !== "+") oldBefore++;
      if (d.kind !== "-") newBefore++;
    }
    const oldCount = lines.filter((d) => d.kind !== "+").length;
    const newCount = lines.filter((d) => d.kind !== "-").length;
    result.push({
      oldStart: oldBefore + 1,
      oldCount,
      newStart: newBefore + 1,
      newCount,
      lines,
    });
  }
  return result;
}

/** Applies hunks to `before` (checking every kept and removed line); throws if they do not apply. */
export function applyHunks(before: readonly string[], list: readonly Hunk[]): string[] {
  const out: string[] = [];
  let cursor = 0;
  for (const h of list) {
    while (cursor < h.oldStart - 1) out.push(before[cursor++]!);
    for (const d of h.lines) {
      if (d.kind === "+") {
        out.push(d.text);
        continue;
      }
      if (before[cursor] !== d.text) {
        throw new Error(`hunk does not apply at old line ${cursor + 1}: ${d.text}`);
      }
      if (d.kind === " ") out.push(d.text);
      cursor++;
    }
  }
  while (cursor < before.length) out.push(before[cursor++]!);
  return out;
}
