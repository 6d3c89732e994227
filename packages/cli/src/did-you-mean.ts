/**
 * "Did you mean …" for a mistyped command, option or value: the one known word within a small
 * edit distance of what was typed, or none — a far-fetched or ambiguous guess helps nobody.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** How far a typo may be from the word meant: one edit per three letters, at least one. */
function tolerance(typed: string): number {
  return Math.max(1, Math.floor(typed.length / 3));
}

/**
 * The one candidate meant by `typed`: the only one it abbreviates (three letters or more), else
 * the closest when it is close enough and no other is as close; null when there is none.
 */
export function closest(typed: string, candidates: Iterable<string>): string | null {
  const wanted = typed.toLowerCase();
  const unique = [...new Set(candidates)];
  const abbreviated = unique.filter((c) => wanted.length >= 3 && c.toLowerCase().startsWith(wanted));
  if (abbreviated.length === 1) return abbreviated[0] as string;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const candidate of unique) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  if (best === null || tie || bestDistance > tolerance(wanted)) return null;
  return best;
}

/** ` (did you mean "x"?)` to follow what was typed in a message, or '' when there is no good guess. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const guess = closest(typed, candidates);
  return guess === null ? '' : ` (did you mean "${guess}"?)`;
}
