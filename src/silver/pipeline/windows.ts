/**
 * Window look-ups over ascending arrays (es-pipeline §14: "use binary search for every
 * window look-up"). Every per-event window of S7–S13 is resolved with these in
 * O(log n), so a day with a million MBP-10 snapshots costs O(events · log n) plus the
 * work inside each window — never a rescan of the day per event.
 *
 * Timestamps inside the pipeline are float64 ns relative to the session origin, exact
 * integers (context.ts), so inclusive bounds like `ts ≤ t ≤ ts + 60e9` compare exactly.
 */

/** First index i in [lo, hi) with a[i] ≥ x (hi if none). `a` ascending. */
export function lowerBound(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i in [lo, hi) with a[i] > x (hi if none). `a` ascending. */
export function upperBound(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Half-open index range [lo, hi) of the elements with from ≤ a[i] ≤ to. */
export function closedRange(a: ArrayLike<number>, from: number, to: number): [number, number] {
  const lo = lowerBound(a, from);
  return [lo, upperBound(a, to, lo)];
}

/**
 * Prefix sums p (length n+1, p[0] = 0) so that Σ v[lo..hi) = p[hi] − p[lo].
 * Exact when the values are integers (depth sizes), which is what S9 sums.
 */
export function prefixSums(v: ArrayLike<number>): Float64Array {
  const p = new Float64Array(v.length + 1);
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i]!;
    p[i + 1] = s;
  }
  return p;
}
