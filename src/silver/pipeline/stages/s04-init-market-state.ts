/**
 * S4 InitMarketState — es-pipeline §5.4 (model §10).
 * spot = last trade of the whole UTC day with 3000 < price < 10000 [REF end-of-day, D-8];
 * Black-76 gamma (and delta, with the A–S erf) per option trade, expiry 21:00 UTC on D for
 * every option [REF]; option flow aggregates per (strike, right, exp_date) for fuel.
 */
import type { OptionFlow, OptionsData, PipelineContext, Stage, TradesData } from "../context";
import { black76Greeks } from "../../../core/black76";
import { upperBound } from "../windows";
import { etInstantNs } from "../../../core/time/session";

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

/**
 * Expiry instant of each option, ns relative to 00:00 UTC of D: [REF] expiryUtcHour on D for
 * every option; [FIX] D-19 16:00 ET (DST-aware) on the option's own exp_date (D when unparseable).
 */
function expiriesRel(ctx: PipelineContext, opt: OptionsData): (i: number) => number {
  const { expiryUtcHour } = ctx.cfg.greeks;
  if (!ctx.cfg.fixes.perOptionExpiry) return () => expiryUtcHour * 3600e9;
  const byDate = new Map<string, number>();
  const close = 16 * 60;
  return (i) => {
    const d = /^\d{4}-\d{2}-\d{2}$/.test(opt.expDate[i] ?? "") ? opt.expDate[i]! : ctx.date;
    let rel = byDate.get(d);
    if (rel === undefined) byDate.set(d, (rel = Number(etInstantNs(d, close) - ctx.originNs)));
    return rel;
  };
}

export function computeGreeks(ctx: PipelineContext, opt: OptionsData, spot: number | Float64Array): void {
  const { volatility, riskFreeRate, yearSeconds } = ctx.cfg.greeks;
  const expiryRel = expiriesRel(ctx, opt);
  const gamma = new Float64Array(opt.n);
  const delta = new Float64Array(opt.n);
  for (let i = 0; i < opt.n; i++) {
    const T = Math.max(0, expiryRel(i) - opt.t[i]!) / 1e9 / yearSeconds;
    const S = typeof spot === "number" ? spot : spot[i]!;
    const g = black76Greeks(opt.right[i] === "C", S, opt.strike[i]!, T, volatility, riskFreeRate);
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

/** [FIX] D-20: null / out-of-set aggressor → 0 (the row stays in fuel and GEX); returns how many. */
export function zeroUnknownAggressor(opt: OptionsData): number {
  let count = 0;
  for (let i = 0; i < opt.n; i++) {
    const a = opt.aggressor[i]!;
    if (!(a === 1 || a === -1 || a === 0)) {
      opt.aggressor[i] = 0;
      count++;
    }
  }
  return count;
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
    if (ctx.cfg.fixes.keepNullAggressor) ctx.optionRowsWithoutAggressor = zeroUnknownAggressor(opt);
    const spot = ctx.cfg.fixes.causalSpot ? spotAtTradeTime(tr, opt, priceMin, priceMax, spotFallback) : ctx.spot;
    computeGreeks(ctx, opt, spot);
    ctx.optionFlows = optionFlows(opt, optionMultiplier);
  },
};
export default stage;
