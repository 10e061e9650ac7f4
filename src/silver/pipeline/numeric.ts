/**
 * Numeric primitives whose exact behaviour the reference depends on (es-pipeline §14, D-31):
 * round-half-even bucket indices, Python's round(x, 2), truncation in event ids, the
 * Abramowitz–Stegun erf and population std. Binary searches live in windows.ts.
 */

/** Round to the nearest integer, ties to even (numpy/DuckDB cast semantics, §5.1). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Python `round(x, 2)` as a canonical decimal string (used only as an equality key for
 * level de-duplication and prior_touches, §6.1 / §5.14). Python rounds the exact binary
 * value with ties to even. `toFixed` also rounds the exact binary value but breaks exact
 * ties upward; exact ties exist only when x·200 is an odd integer and x is dyadic with ≤ 3
 * fraction bits (so x·200 is computed exactly), which we detect and settle to even.
 */
export function pyRound2Key(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const t = x * 200;
  if (Number.isInteger(t) && Number.isInteger(x * 8) && Math.abs(t % 2) === 1) {
    const lo = (t - 1) / 2; // candidates lo/100 and (lo+1)/100 in hundredths
    const hundredths = lo % 2 === 0 ? lo : lo + 1;
    return normaliseZero((hundredths / 100).toFixed(2));
  }
  return normaliseZero(x.toFixed(2));
}

function normaliseZero(s: string): string {
  return s === "-0.00" ? "0.00" : s;
}

/** `int(L * 100)` of the IEEE product, as the decimal text used in event_id (§7). */
export function truncCentsText(levelPrice: number): string {
  const v = Math.trunc(levelPrice * 100);
  return (v === 0 ? 0 : v).toFixed(0);
}

/** Abramowitz–Stegun 7.1.26 erf approximation (|error| < 1.5e−7), used for parity (§5.4). */
export function erfA(x: number): number {
  const sign = x < 0 ? -1 : x > 0 ? 1 : 0;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-ax * ax));
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
