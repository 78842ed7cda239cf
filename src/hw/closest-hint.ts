// "did you mean" hints for misspelt keys, section names and enum values: the allowed word with the
// smallest edit distance, when it is close enough. Plain functions, no schema library, so readers that
// need only this (the SCALE-Sim .cfg reader) stay light.

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** ` (did you mean "bandwidth"?)` when one allowed word is close to what was found. */
export function closestHint(found: string, allowed: readonly string[]): string {
  const scored = allowed
    .map((word) => ({ word, distance: levenshtein(found, word) }))
    .sort((x, y) => x.distance - y.distance);
  const best = scored[0];
  if (best === undefined || best.distance > Math.max(2, Math.floor(found.length / 3))) return '';
  return ` (did you mean "${best.word}"?)`;
}
