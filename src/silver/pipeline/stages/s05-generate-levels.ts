/**
 * S5 GenerateLevels — es-pipeline §5.5 and §6.
 * Static levels PM_HIGH/PM_LOW (ET [04:00, 09:30)), OR_HIGH/OR_LOW (ET [09:30, 09:45)),
 * SMA_200/SMA_400 as the LAST value of the 2-minute SMA [REF end-of-day, D-3], de-duplicated
 * on Python round(price, 2). Dynamic per-1-minute-bar series for distances and stacking.
 * ET time of day = wall clock of the bar start; the ET calendar date is ignored (§4).
 */
import type { Bars, DynamicLevelName, LevelInfo, PipelineContext, Stage } from "../context";
import { pyRound2Key } from "../../../core/pyformat";
import { etInstantNs, etMinuteOfDay } from "../../../core/time/session";

export const LEVEL_CODES: Record<DynamicLevelName, number> = {
  PM_HIGH: 0,
  PM_LOW: 1,
  OR_HIGH: 2,
  OR_LOW: 3,
  SMA_200: 6,
  SMA_400: 12,
};

/** Rolling SMA of closes (NaN until `period` closes exist). */
export function rollingSma(close: Float64Array, period: number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  let sum = 0;
  for (let i = 0; i < close.length; i++) {
    sum += close[i]!;
    if (i >= period) sum -= close[i - period]!;
    if (i >= period - 1) out[i] = sum / period;
  }
  return out;
}

/** Mean of the final `period` closes, computed fresh (the reference's "last value"). */
function lastSma(close: Float64Array, period: number): number {
  let s = 0;
  for (let i = close.length - period; i < close.length; i++) s += close[i]!;
  return s / period;
}

interface WindowExtremes {
  high: Float64Array; // running max inside the window, final value after it, NaN before
  low: Float64Array;
  finalHigh: number;
  finalLow: number;
  count: number;
}

/**
 * §6.2 series for a window [from, to) of ET minutes: running extreme for bars inside it,
 * the final extreme for bars at or after `to` (incl. previous-evening bars), NaN otherwise.
 */
function windowSeries(bars: Bars, etMin: Float64Array, from: number, to: number): WindowExtremes {
  const n = bars.n;
  const high = new Float64Array(n).fill(NaN);
  const low = new Float64Array(n).fill(NaN);
  let hi = -Infinity;
  let lo = Infinity;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const m = etMin[i]!;
    if (m >= from && m < to) {
      if (bars.high[i]! > hi) hi = bars.high[i]!;
      if (bars.low[i]! < lo) lo = bars.low[i]!;
      count++;
      high[i] = hi;
      low[i] = lo;
    }
  }
  const finalHigh = count ? hi : NaN;
  const finalLow = count ? lo : NaN;
  for (let i = 0; i < n; i++) {
    if (etMin[i]! >= to) {
      high[i] = finalHigh;
      low[i] = finalLow;
    }
  }
  return { high, low, finalHigh, finalLow, count };
}

/** Backward as-of join: value of the 2-minute bar with the greatest start ≤ each 1-minute start. */
function asofJoin(minuteT: Float64Array, twoMinT: Float64Array, values: Float64Array): Float64Array {
  const out = new Float64Array(minuteT.length).fill(NaN);
  let j = -1;
  for (let i = 0; i < minuteT.length; i++) {
    while (j + 1 < twoMinT.length && twoMinT[j + 1]! <= minuteT[i]!) j++;
    if (j >= 0) out[i] = values[j]!;
  }
  return out;
}

/**
 * [FIX] D-3: the 2-minute SMA known at the END of each 1-minute bar — from the last 2-minute
 * bar that has ended by then (start + 120 s ≤ minute start + 60 s), never one still open.
 */
export function causalAsofJoin(minuteT: Float64Array, twoMinT: Float64Array, values: Float64Array): Float64Array {
  const out = new Float64Array(minuteT.length).fill(NaN);
  let j = -1;
  for (let i = 0; i < minuteT.length; i++) {
    while (j + 1 < twoMinT.length && twoMinT[j + 1]! + 120e9 <= minuteT[i]! + 60e9) j++;
    if (j >= 0) out[i] = values[j]!;
  }
  return out;
}

/** [FIX] D-3 level universe: static PM/OR levels gated to when they are known, moving SMA levels. */
function causalLevels(ctx: PipelineContext, pm: WindowExtremes, or: WindowExtremes, sma: Record<"SMA_200" | "SMA_400", Float64Array>): LevelInfo[] {
  const s = ctx.cfg.session;
  const rel = (minutes: number) => Number(etInstantNs(ctx.date, minutes) - ctx.originNs);
  const out: LevelInfo[] = [];
  const seen = new Set<string>();
  const addStatic = (kindName: DynamicLevelName, price: number, fromT: number) => {
    const key = pyRound2Key(price);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ price, kindCode: LEVEL_CODES[kindName], kindName, fromT });
  };
  if (pm.count > 0) {
    addStatic("PM_HIGH", pm.finalHigh, rel(s.rthStart));
    addStatic("PM_LOW", pm.finalLow, rel(s.rthStart));
  }
  if (or.count > 0) {
    addStatic("OR_HIGH", or.finalHigh, rel(s.orEnd));
    addStatic("OR_LOW", or.finalLow, rel(s.orEnd));
  }
  for (const kindName of ["SMA_200", "SMA_400"] as const) {
    const series = sma[kindName];
    if (series.some(Number.isFinite)) out.push({ price: NaN, kindCode: LEVEL_CODES[kindName], kindName, series });
  }
  return out;
}

export function generateLevels(ctx: PipelineContext, m1: Bars, m2: Bars): void {
  const s = ctx.cfg.session;
  const etMin = etMinuteOfDay(m1.t, ctx.originNs);
  const pm = windowSeries(m1, etMin, s.premarketStart, s.rthStart);
  const or = windowSeries(m1, etMin, s.rthStart, s.orEnd);
  const sma200 = rollingSma(m2.close, 200);
  const sma400 = rollingSma(m2.close, 400);

  if (ctx.cfg.fixes.causalLevels) {
    const smaNow = { SMA_200: causalAsofJoin(m1.t, m2.t, sma200), SMA_400: causalAsofJoin(m1.t, m2.t, sma400) };
    ctx.levelInfo = causalLevels(ctx, pm, or, smaNow);
    ctx.dynamicLevels = { PM_HIGH: pm.high, PM_LOW: pm.low, OR_HIGH: or.high, OR_LOW: or.low, ...smaNow };
    return;
  }
  const candidates: LevelInfo[] = [];
  const add = (kindName: DynamicLevelName, price: number) => candidates.push({ price, kindCode: LEVEL_CODES[kindName], kindName });
  if (pm.count > 0) {
    add("PM_HIGH", pm.finalHigh);
    add("PM_LOW", pm.finalLow);
  }
  if (or.count > 0) {
    add("OR_HIGH", or.finalHigh);
    add("OR_LOW", or.finalLow);
  }
  if (m2.n >= 200) add("SMA_200", lastSma(m2.close, 200));
  if (m2.n >= 400) add("SMA_400", lastSma(m2.close, 400));

  const seen = new Set<string>();
  ctx.levelInfo = candidates.filter((c) => {
    const key = pyRound2Key(c.price);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  ctx.dynamicLevels = {
    PM_HIGH: pm.high,
    PM_LOW: pm.low,
    OR_HIGH: or.high,
    OR_LOW: or.low,
    SMA_200: asofJoin(m1.t, m2.t, sma200),
    SMA_400: asofJoin(m1.t, m2.t, sma400),
  };
}

const stage: Stage = {
  name: "GenerateLevels",
  section: "es-pipeline §5.5, §6",
  inputs: ["ohlcv1m", "ohlcv2m"],
  outputs: ["levelInfo", "dynamicLevels"],
  run(ctx) {
    if (!ctx.ohlcv1m || !ctx.ohlcv2m) throw new Error("GenerateLevels needs ctx.ohlcv1m (S2) and ctx.ohlcv2m (S3)");
    generateLevels(ctx, ctx.ohlcv1m, ctx.ohlcv2m);
  },
};
export default stage;
