/**
 * Order-flow imbalance from best-level changes (Cont, Kukanov & Stoikov 2014) — the
 * es-pipeline §15 D-18 [FIX] meaning of `ofi_*`. Per snapshot n (vs n − 1):
 *
 *   e_n = 1{Pb_n ≥ Pb_{n−1}}·qb_n − 1{Pb_n ≤ Pb_{n−1}}·qb_{n−1}
 *       − 1{Pa_n ≤ Pa_{n−1}}·qa_n + 1{Pa_n ≥ Pa_{n−1}}·qa_{n−1}
 *
 * i.e. size added at or above the best bid (a bid that improved or grew) minus size removed
 * from it, mirrored on the ask. Positive = net buying pressure. The first snapshot has no
 * predecessor: e_0 = 0. A side with a missing (NaN) price contributes nothing.
 */
import type { MbpData } from "../../context";

export function bestLevelOfi(mbp: MbpData): Float64Array {
  const out = new Float64Array(mbp.n);
  const bp = mbp.bidPx[0]!;
  const bq = mbp.bidSz[0]!;
  const ap = mbp.askPx[0]!;
  const aq = mbp.askSz[0]!;
  for (let i = 1; i < mbp.n; i++) {
    const j = i - 1;
    let e = 0;
    if (bp[i]! >= bp[j]!) e += bq[i]!;
    if (bp[i]! <= bp[j]!) e -= bq[j]!;
    if (ap[i]! <= ap[j]!) e -= aq[i]!;
    if (ap[i]! >= ap[j]!) e += aq[j]!;
    out[i] = e;
  }
  return out;
}
