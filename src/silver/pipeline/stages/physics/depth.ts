/**
 * Per-snapshot top-of-book aggregates shared by S9 and S10 (es-pipeline §5.9, §5.10):
 * computed once per day in one pass over the columnar book, then looked up per event.
 */
import type { MbpData } from "../../context";

/** Σ_{k<levels} bid_sz_k − Σ_{k<levels} ask_sz_k per snapshot (S9 "imb"). */
export function depthImbalance(mbp: MbpData, levels: number): Float64Array {
  const out = new Float64Array(mbp.n);
  for (let k = 0; k < levels; k++) {
    const b = mbp.bidSz[k]!;
    const a = mbp.askSz[k]!;
    for (let i = 0; i < mbp.n; i++) out[i] = out[i]! + b[i]! - a[i]!;
  }
  return out;
}

/** Σ_{k<levels} (bid_sz_k + ask_sz_k) per snapshot (S10 "depth5"). */
export function totalDepth(mbp: MbpData, levels: number): Float64Array {
  const out = new Float64Array(mbp.n);
  for (let k = 0; k < levels; k++) {
    const b = mbp.bidSz[k]!;
    const a = mbp.askSz[k]!;
    for (let i = 0; i < mbp.n; i++) out[i] = out[i]! + b[i]! + a[i]!;
  }
  return out;
}
