/**
 * Tape metrics of S7 (es-pipeline §5.7 "Tape"): banded aggressor volume, imbalance and
 * the OLS price velocity over a 60 s window of trades.
 *
 * [REF] the window is forward-looking, [ts, ts+W_t] inclusive (D-4); [FIX] trailing.
 * The regression runs on absolute epoch seconds (Number(ts_ns)/1e9) as the reference
 * does, so tape_velocity agrees with it to rounding (fixture README: 1e-6).
 */
import type { Events, TradesData } from "../../context";
import { closedRange } from "../../windows";

export interface TapeParams {
  /** ctx.originNs: trades' `t` is relative to it. */
  originNs: bigint;
  windowNs: number;
  band: number;
  trailing: boolean;
  /** D-26: drop trades outside (min, max) before everything; null = reference (no filter). */
  priceFilter: { min: number; max: number } | null;
}

export interface TapeColumns {
  buyVol: Float64Array;
  sellVol: Float64Array;
  imbalance: Float64Array;
  velocity: Float64Array;
}

/**
 * Number(ts_ns)/1e9 per trade, once per day. When the origin is exactly representable
 * (UTC midnights are: multiples of 2^16 ns), `Number(origin) + t` is the correctly rounded
 * exact sum, i.e. bit-identical to `Number(origin + t)`, without a BigInt per trade.
 */
function epochSeconds(tr: TradesData, originNs: bigint): Float64Array {
  const out = new Float64Array(tr.n);
  const origin = Number(originNs);
  if (BigInt(origin) === originNs) {
    for (let i = 0; i < tr.n; i++) out[i] = (origin + tr.t[i]!) / 1e9;
  } else {
    for (let i = 0; i < tr.n; i++) out[i] = Number(tr.ts[i]!) / 1e9;
  }
  return out;
}

export function computeTape(ev: Events, tr: TradesData, p: TapeParams): TapeColumns {
  const n = ev.n;
  const out: TapeColumns = {
    buyVol: new Float64Array(n),
    sellVol: new Float64Array(n),
    imbalance: new Float64Array(n),
    velocity: new Float64Array(n),
  };
  const { price, size, aggressor } = tr;
  const pf = p.priceFilter;
  const secs = n > 0 ? epochSeconds(tr, p.originNs) : new Float64Array(0);
  for (let e = 0; e < n; e++) {
    const t0 = ev.t[e]!;
    const [lo, hi] = p.trailing ? closedRange(tr.t, t0 - p.windowNs, t0) : closedRange(tr.t, t0, t0 + p.windowNs);
    const level = ev.levelPrice[e]!;
    let buy = 0;
    let sell = 0;
    let count = 0;
    let sumT = 0;
    let sumP = 0;
    for (let i = lo; i < hi; i++) {
      const px = price[i]!;
      if (pf && !(px > pf.min && px < pf.max)) continue;
      count++;
      sumT += secs[i]!;
      sumP += px;
      if (Math.abs(px - level) <= p.band) {
        const a = aggressor[i];
        if (a === 1) buy += size[i]!;
        else if (a === -1) sell += size[i]!;
      }
    }
    out.buyVol[e] = buy;
    out.sellVol[e] = sell;
    out.imbalance[e] = buy + sell > 0 ? (buy - sell) / (buy + sell) : 0;
    if (count >= 2) {
      const meanT = sumT / count;
      const meanP = sumP / count;
      let sxx = 0;
      let sxy = 0;
      for (let i = lo; i < hi; i++) {
        const px = price[i]!;
        if (pf && !(px > pf.min && px < pf.max)) continue;
        const dt = secs[i]! - meanT;
        sxx += dt * dt;
        sxy += dt * (px - meanP);
      }
      out.velocity[e] = sxx > 1e-10 ? sxy / sxx : 0;
    }
  }
  return out;
}
