/**
 * The scale knob: how many events a simulated day holds. Rates are RTH averages
 * per second; the pre-market and the intraday U-shape scale them per step (session.ts).
 *
 *   light   ≈ 60k messages/day   (unit tests, quick demos)
 *   normal  ≈ 300k messages/day  (the fixture day's shape: ~80k trades)
 *   heavy   ≈ 2.5M messages/day  (millions of MBP-10 updates; ingest benchmarks)
 */
export interface SimRates {
  /** Futures trades per second, RTH average (all contracts). */
  tradesPerSec: number;
  /** Extra MBP-10 quote updates per second, RTH average (on top of one per trade and one per top-of-book move). */
  mbpPerSec: number;
  /** Option trades per second, RTH average. */
  optionsPerSec: number;
  /** `levels.signals` snapshot interval in ms (0 = none). */
  signalIntervalMs: number;
}

export type ScaleName = "light" | "normal" | "heavy";

export const SCALES: Record<ScaleName, SimRates> = {
  light: { tradesPerSec: 0.6, mbpPerSec: 0.2, optionsPerSec: 0.06, signalIntervalMs: 10_000 },
  normal: { tradesPerSec: 3.2, mbpPerSec: 4, optionsPerSec: 0.3, signalIntervalMs: 2_000 },
  heavy: { tradesPerSec: 12, mbpPerSec: 80, optionsPerSec: 1.5, signalIntervalMs: 1_000 },
};

export type ScaleSpec = ScaleName | Partial<SimRates> | SimRates;

export function resolveScale(scale: ScaleSpec | undefined, overrides: Partial<SimRates> = {}): SimRates {
  let base: SimRates;
  if (scale === undefined) base = SCALES.normal;
  else if (typeof scale === "string") {
    const s = SCALES[scale as ScaleName];
    if (!s) throw new Error(`unknown scale ${JSON.stringify(scale)}: expected light, normal or heavy`);
    base = s;
  } else base = { ...SCALES.normal, ...scale };
  const out = { ...base };
  for (const [k, v] of Object.entries(overrides) as [keyof SimRates, number | undefined][]) if (v !== undefined) out[k] = v;
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`rate ${k} must be a non-negative number, got ${v}`);
  }
  return out;
}
