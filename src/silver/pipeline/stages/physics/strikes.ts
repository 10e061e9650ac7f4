/**
 * Per-strike tables for the options consumers (fuel §5.7, GEX §5.12): strikes sorted
 * ascending with parallel value arrays, so an event's band is found by binary search and
 * only the handful of strikes near the level is visited.
 *
 * Band predicates are evaluated exactly as the spec writes them (`|K − L| ≤ r`,
 * `L < K ≤ L + b`, …) on each candidate; the binary search only narrows the candidates
 * with one point of slack, so a strike exactly on a band edge is decided by the spec's
 * own comparison, never by the rounding of a precomputed bound.
 */
import { lowerBound, upperBound } from "../../windows";

export interface StrikeTable {
  strikes: Float64Array;
  /** Named value arrays aligned with `strikes`. */
  values: Record<string, Float64Array>;
  /** 1 = the strike has been traded (causal replay); absent = every strike present. */
  present?: Uint8Array;
}

/** Build a table from a strike → values accumulator (insertion order irrelevant). */
export function sortedStrikeTable(acc: Map<number, Float64Array>, names: readonly string[]): StrikeTable {
  const strikes = Float64Array.from(acc.keys()).sort();
  const values: Record<string, Float64Array> = {};
  names.forEach((name, k) => {
    const v = new Float64Array(strikes.length);
    for (let i = 0; i < strikes.length; i++) v[i] = acc.get(strikes[i]!)![k]!;
    values[name] = v;
  });
  return { strikes, values };
}

/** Candidate index range [lo, hi) for strikes possibly within `reach` points of `level`. */
export function candidateRange(strikes: Float64Array, level: number, reach: number): [number, number] {
  const lo = lowerBound(strikes, level - reach - 1);
  return [lo, upperBound(strikes, level + reach + 1, lo)];
}
