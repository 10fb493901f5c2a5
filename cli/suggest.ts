/**
 * "Did you mean" suggestions for mistyped module names and flags.
 *
 * @module
 */

/** Levenshtein edit distance between two strings. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(
        up + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/**
 * The candidate closest to `input`, if one is close enough to be a plausible
 * typo. Candidates whose length alone puts them out of reach are skipped, so
 * a huge input (a 2 MB URL parameter) costs no more than a short one.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  const limit = Math.max(2, Math.floor(needle.length / 3));
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    let score: number;
    if (needle.length >= 2 && c.startsWith(needle)) score = c === needle ? 0 : 1;
    else if (Math.abs(needle.length - c.length) > limit) continue;
    else score = editDistance(needle, c);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return bestScore <= limit ? best : undefined;
}
