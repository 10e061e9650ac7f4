/**
 * S4 InitMarketState — es-pipeline.md §5.4 (model §10).
 * spot = last trade of the whole UTC day with 3000 < price < 10000 [REF end-of-day, D-8];
 * Black-76 gamma (and delta, with the A–S erf) per option trade, expiry 21:00 UTC on D for
 * every option [REF]; option flow aggregates per (strike, right, exp_date) for fuel.
 */
import type { OptionFlow, OptionsData, PipelineContext, Stage, TradesData } from "../context";
import { erfA } from "../numeric";
import { upperBound } from "../windows";

const SQRT2 = Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** §5.4 step 1: price of the last sane trade, or the fallback. */
export function endOfDaySpot(tr: TradesData, lo: number, hi: number, fallback: number): number {
  for (let i = tr.n - 1; i >= 0; i--) {
    const p = tr.price[i]!;
    if (p > lo && p < hi) return p;
  }
  return fallback;
}

/** [FIX] D-8: last sane trade price with ts ≤ each option ts (fallback before the first). */
function spotAtTradeTime(tr: TradesData, opt: OptionsData, lo: number, hi: number, fallback: number): Float64Array {
  // one pass: the last sane price at or before each trade (NaN before the first sane one)
  const lastSane = new Float64Array(tr.n);
  let s = NaN;
  for (let j = 0; j < tr.n; j++) {
    const p = tr.price[j]!;
    if (p > lo && p < hi) s = p;
    lastSane[j] = s;
  }
  const out = new Float64Array(opt.n);
  for (let i = 0; i < opt.n; i++) {
    const a = upperBound(tr.t, opt.t[i]!, 0, tr.n);
    const spot = a > 0 ? lastSane[a - 1]! : NaN;
    out[i] = Number.isNaN(spot) ? fallback : spot;
  }
  return out;
}

export interface Black76 {
  gamma: number;
  delta: number;
}

/** Black-76 gamma/delta at flat vol (§5.4 step 2), including its T ≤ 0 / K ≤ 0 conventions. */
export function black76(S: number, K: number, T: number, isCall: boolean, sigma: number, r: number): Black76 {
  if (T > 0 && S > 0 && K > 0) {
    const sqrtT = Math.sqrt(T);
    const d1 = (Math.log(S / K) + 0.5 * sigma * sigma * T) / (sigma * sqrtT);
    const nd1 = 0.5 * (1 + erfA(d1 / SQRT2));
    const pdf = Math.exp(-(d1 * d1) / 2) * INV_SQRT_2PI;
    const disc = Math.exp(-r * T);
    return { gamma: (disc * pdf) / (S * sigma * sqrtT), delta: isCall ? disc * nd1 : disc * (nd1 - 1) };
  }
  if (T <= 0) return { gamma: 0, delta: isCall && S > K ? 1 : !isCall && S < K ? -1 : 0 };
  return { gamma: 0, delta: 0 };
}

export function computeGreeks(ctx: PipelineContext, opt: OptionsData, spot: number | Float64Array): void {
  const { volatility, riskFreeRate, expiryUtcHour, yearSeconds } = ctx.cfg.greeks;
  const expiryRel = expiryUtcHour * 3600e9; // relative to 00:00 UTC of D
  const gamma = new Float64Array(opt.n);
  const delta = new Float64Array(opt.n);
  for (let i = 0; i < opt.n; i++) {
    const T = Math.max(0, expiryRel - opt.t[i]!) / 1e9 / yearSeconds;
    const S = typeof spot === "number" ? spot : spot[i]!;
    const g = black76(S, opt.strike[i]!, T, opt.right[i] === "C", volatility, riskFreeRate);
    gamma[i] = g.gamma;
    delta[i] = g.delta;
  }
  opt.gamma = gamma;
  opt.delta = delta;
}

/** §5.4 step 3: Σ −(aggressor·size·gamma·multiplier) per (strike, right, exp_date), table order. */
export function optionFlows(opt: OptionsData, multiplier: number): OptionFlow[] {
  const flows = new Map<string, OptionFlow>();
  const gamma = opt.gamma!;
  for (let i = 0; i < opt.n; i++) {
    const a = opt.aggressor[i]!;
    if (!(a === 1 || a === -1 || a === 0)) continue; // [REF] D-20: null/out-of-set rows leave the fuel path
    const right = opt.right[i] ?? "";
    const key = `${opt.strike[i]}|${right}|${opt.expDate[i]}`;
    let f = flows.get(key);
    if (!f) flows.set(key, (f = { strike: opt.strike[i]!, right, expDate: opt.expDate[i]!, netGammaFlow: 0 }));
    f.netGammaFlow += -(a * opt.size[i]! * gamma[i]! * multiplier);
  }
  return [...flows.values()];
}

const stage: Stage = {
  name: "InitMarketState",
  section: "es-pipeline §5.4",
  inputs: ["trades", "options"],
  outputs: ["spot", "options", "optionFlows"],
  run(ctx) {
    const tr = ctx.trades;
    if (!tr) throw new Error("InitMarketState needs ctx.trades (S1)");
    const { priceMin, priceMax, spotFallback, optionMultiplier } = ctx.cfg.bands;
    ctx.spot = endOfDaySpot(tr, priceMin, priceMax, spotFallback);
    const opt = ctx.options;
    if (!opt) {
      ctx.optionFlows = [];
      return;
    }
    const spot = ctx.cfg.fixes.causalSpot ? spotAtTradeTime(tr, opt, priceMin, priceMax, spotFallback) : ctx.spot;
    computeGreeks(ctx, opt, spot);
    ctx.optionFlows = optionFlows(opt, optionMultiplier);
  },
};
export default stage;
