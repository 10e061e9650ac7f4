/**
 * Numeric primitives whose exact behaviour the reference depends on (es-pipeline §14, D-31):
 * round-half-even bucket indices, truncation in event ids, and
 * population std (the A–S erf lives with Black-76 in src/core/black76.ts). Binary searches live in windows.ts.
 */

/** Round to the nearest integer, ties to even (numpy/DuckDB cast semantics, §5.1). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** `int(L * 100)` of the IEEE product, as the decimal text used in event_id (§7). */
export function truncCentsText(levelPrice: number): string {
  const v = Math.trunc(levelPrice * 100);
  return (v === 0 ? 0 : v).toFixed(0);
}

/** Population standard deviation of values[from..to) (divide by n). NaN when empty. */
export function popstd(values: ArrayLike<number>, from = 0, to = values.length): number {
  const n = to - from;
  if (n <= 0) return NaN;
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = from; i < to; i++) {
    const d = values[i]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / n);
}
