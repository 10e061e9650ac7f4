/**
 * Barrier metrics of S7 (es-pipeline §5.7 "Barrier"): depth on the tested side inside
 * the ±2-point zone at the first and last snapshot of a 240 s window, its change, the
 * wall ratio against a day-level average slot size, and the state classification.
 *
 * The zone restriction is normative (the reference's JIT path); the whole-side count of
 * its non-JIT path is not reproduced. Only the window's first and last snapshot matter,
 * so each event costs two binary searches and two 10-level sums.
 */
import type { Events, MbpData } from "../../context";
import { closedRange, prefixSums } from "../../windows";
import { totalDepth } from "./depth";

export interface BarrierParams {
  windowNs: number;
  /** Zone half-width in points (BARRIER_ZONE_ES_TICKS × tick). */
  zone: number;
  trailing: boolean;
  liqThreshold: number;
  vacuumRatio: number;
  wallRatio: number;
  weakDepth: number;
}

export interface BarrierColumns {
  state: string[];
  deltaLiq: Float64Array;
  wallRatio: Float64Array;
}

/**
 * Day-level normaliser: (mean of every bid size slot + mean of every ask size slot)/2 over
 * all downsampled snapshots × 10 levels, empty slots included. Integer sums, so exact.
 */
export function dayAverageDepth(mbp: MbpData): number {
  if (mbp.n === 0) return 0;
  let bid = 0;
  let ask = 0;
  for (let k = 0; k < mbp.bidSz.length; k++) {
    const b = mbp.bidSz[k]!;
    const a = mbp.askSz[k]!;
    for (let i = 0; i < mbp.n; i++) {
      bid += b[i]!;
      ask += a[i]!;
    }
  }
  const slots = mbp.n * mbp.bidSz.length;
  return (bid / slots + ask / slots) / 2;
}

/** [REF] the day-level normaliser for every event. */
export function dayAverageDepthPerEvent(ev: Events, mbp: MbpData): Float64Array {
  return new Float64Array(ev.n).fill(dayAverageDepth(mbp));
}

/**
 * [FIX] D-23: the same average slot size over the snapshots in [ts − lookback, ts] only.
 * NaN when that window is empty (wall_ratio is then 0: no normaliser is known yet).
 */
export function trailingAverageDepth(ev: Events, mbp: MbpData, lookbackNs: number): Float64Array {
  const cum = prefixSums(totalDepth(mbp, mbp.bidSz.length));
  const out = new Float64Array(ev.n);
  for (let e = 0; e < ev.n; e++) {
    const [lo, hi] = closedRange(mbp.t, ev.t[e]! - lookbackNs, ev.t[e]!);
    out[e] = hi > lo ? (cum[hi]! - cum[lo]!) / (2 * mbp.bidSz.length * (hi - lo)) : NaN;
  }
  return out;
}

/** Σ size over the side's levels whose price lies in [lo, hi]. */
function zoneDepth(px: Float64Array[], sz: Float64Array[], row: number, lo: number, hi: number): number {
  let d = 0;
  for (let k = 0; k < px.length; k++) {
    const p = px[k]![row]!;
    if (p >= lo && p <= hi) d += sz[k]![row]!;
  }
  return d;
}

export function classifyBarrier(delta: number, wallRatio: number, end: number, p: BarrierParams): string {
  if (delta < -p.liqThreshold) return wallRatio < p.vacuumRatio ? "VACUUM" : "CONSUMED";
  if (delta > p.liqThreshold) return wallRatio > p.wallRatio ? "WALL" : "ABSORPTION";
  if (end < p.weakDepth) return "WEAK";
  return "NEUTRAL";
}

/** `avgDepth[e]`: the wall-ratio normaliser of event e (day-level [REF] or trailing [FIX]). */
export function computeBarrier(ev: Events, mbp: MbpData, avgDepth: Float64Array, p: BarrierParams): BarrierColumns {
  const n = ev.n;
  const out: BarrierColumns = {
    state: new Array<string>(n).fill("NEUTRAL"),
    deltaLiq: new Float64Array(n),
    wallRatio: new Float64Array(n),
  };
  for (let e = 0; e < n; e++) {
    const t0 = ev.t[e]!;
    const [first, end] = p.trailing ? closedRange(mbp.t, t0 - p.windowNs, t0) : closedRange(mbp.t, t0, t0 + p.windowNs);
    if (end - first < 2) continue; // NEUTRAL, 0, 0
    const level = ev.levelPrice[e]!;
    const up = ev.dir[e]! > 0; // UP tests resistance → ask side; DOWN → bid side
    const px = up ? mbp.askPx : mbp.bidPx;
    const sz = up ? mbp.askSz : mbp.bidSz;
    const zlo = level - p.zone;
    const zhi = level + p.zone;
    const startDepth = zoneDepth(px, sz, first, zlo, zhi);
    const endDepth = zoneDepth(px, sz, end - 1, zlo, zhi);
    const delta = endDepth - startDepth;
    const norm = avgDepth[e]!;
    const wall = Number.isNaN(norm) ? 0 : endDepth / (norm + 1e-6);
    out.deltaLiq[e] = delta;
    out.wallRatio[e] = wall;
    out.state[e] = classifyBarrier(delta, wall, endDepth, p);
  }
  return out;
}
