/**
 * A synthetic heavy day for S7–S13 at scale ("a day with a million MBP-10
 * snapshots must not be quadratic anywhere"): `snapshots` book rows, `trades` trades
 * (with runs of equal timestamps), thousands of events, tens of thousands of option
 * trades — built straight into the pipeline context, deterministic per seed. Used by
 * the heavy-day stage test (brute-force cross-check) and by bench/pipeline.ts, so it lives
 * in testkit/ (bench/ and test/ never import each other).
 */
import { mulberry32 as rng } from "../src/sim/rng";
import { referenceConfig } from "../src/silver/pipeline/config";
import type { Bars, DynamicLevelName, Events, MbpData, OptionFlow, OptionsData, PipelineContext } from "../src/silver/pipeline/context";
import { utcMidnightNs } from "../src/core/time/session";

/** The session date of the synthetic day (its same-day options expire on it). */
export const HEAVY_DAY_DATE = "2026-01-14";
const DATE = HEAVY_DAY_DATE;
const ORIGIN_NS = utcMidnightNs(DATE);

export interface HeavyDaySpec {
  snapshots: number;
  trades: number;
  events: number;
  options: number;
  seed?: number;
}

const DAY_NS = 86_400e9;
const tick = (p: number) => Math.round(p * 4) / 4;

export function heavyDayContext(spec: HeavyDaySpec): PipelineContext {
  const rand = rng(spec.seed ?? 7);
  // A random-walk mid price sampled per second drives trades, book and bars coherently.
  const mid = new Float64Array(86_401);
  mid[0] = 7000;
  for (let s = 1; s < mid.length; s++) mid[s] = mid[s - 1]! + (rand() - 0.5) * 0.5;
  const midAt = (tNs: number) => mid[Math.min(86_400, Math.floor(tNs / 1e9))]!;

  // Trades: sorted times with deliberate runs of equal timestamps.
  const m = spec.trades;
  const trT = new Float64Array(m);
  const step = DAY_NS / m;
  for (let i = 0; i < m; i++) trT[i] = i > 0 && rand() < 0.2 ? trT[i - 1]! : Math.floor(i * step);
  const trades = {
    n: m,
    ts: BigInt64Array.from(trT, (t) => ORIGIN_NS + BigInt(t)),
    t: trT,
    price: Float64Array.from(trT, (t) => tick(midAt(t) + (rand() - 0.5) * 2)),
    size: Float64Array.from(trT, () => 1 + Math.floor(rand() * 20)),
    aggressor: Int8Array.from(trT, () => Math.floor(rand() * 3) - 1),
    symbol: new Array<string | null>(m).fill("ESH6"),
  };

  // Book: `snapshots` rows evenly over the day, 10 levels a side 0.25 apart.
  const n = spec.snapshots;
  const mbpT = Float64Array.from({ length: n }, (_, i) => Math.floor((i * DAY_NS) / n));
  const side = () => Array.from({ length: 10 }, () => new Float64Array(n));
  const mbp: MbpData = { n, ts: BigInt64Array.from(mbpT, (t) => ORIGIN_NS + BigInt(t)), t: mbpT, bidPx: side(), bidSz: side(), askPx: side(), askSz: side() };
  for (let i = 0; i < n; i++) {
    const bestBid = Math.floor(midAt(mbpT[i]!) * 4) / 4;
    for (let k = 0; k < 10; k++) {
      mbp.bidPx[k]![i] = bestBid - 0.25 * k;
      mbp.askPx[k]![i] = bestBid + 0.25 * (k + 1);
      mbp.bidSz[k]![i] = Math.floor(rand() * 200);
      mbp.askSz[k]![i] = Math.floor(rand() * 200);
    }
  }

  // 1-minute bars (close = mid at the bar end), with a few gaps.
  const barStarts: number[] = [];
  for (let b = 0; b < 1440; b++) if (rand() > 0.02) barStarts.push(b * 60e9);
  const bars: Bars = {
    n: barStarts.length,
    ts: BigInt64Array.from(barStarts, (t) => ORIGIN_NS + BigInt(t)),
    t: Float64Array.from(barStarts),
    open: Float64Array.from(barStarts, (t) => tick(midAt(t))),
    high: Float64Array.from(barStarts, (t) => tick(midAt(t)) + 1),
    low: Float64Array.from(barStarts, (t) => tick(midAt(t)) - 1),
    close: Float64Array.from(barStarts, (t) => tick(midAt(t + 59e9))),
    volume: Float64Array.from(barStarts, () => 100),
  };
  const atr = Float64Array.from(barStarts, () => (rand() < 0.01 ? 0 : 1 + rand() * 3));
  const dyn = {} as Record<DynamicLevelName, Float64Array>;
  for (const k of ["PM_HIGH", "PM_LOW", "OR_HIGH", "OR_LOW", "SMA_200", "SMA_400"] as DynamicLevelName[]) {
    dyn[k] = Float64Array.from(barStarts, (t) => (rand() < 0.1 ? NaN : tick(midAt(t) + (rand() - 0.5) * 24)));
  }

  // Events at bar starts (sorted, several per bar), levels near the market.
  const e = spec.events;
  const barOf = Int32Array.from({ length: e }, () => Math.floor(rand() * bars.n)).sort();
  const events: Events = {
    n: e,
    ts: BigInt64Array.from(barOf, (b) => bars.ts[b]!),
    t: Float64Array.from(barOf, (b) => bars.t[b]!),
    barIdx: barOf,
    levelPrice: Float64Array.from(barOf, (b) => tick(bars.close[b]! + (rand() - 0.5) * 10) + (rand() < 0.3 ? 0.07 : 0)),
    levelKind: new Int8Array(e),
    levelKindName: new Array<string>(e).fill("PM_HIGH"),
    dir: Int8Array.from(barOf, () => (rand() < 0.5 ? 1 : -1)),
    entryPrice: Float64Array.from(barOf, (b) => bars.close[b]!),
    zoneWidth: new Float64Array(e).fill(5),
    eventId: Array.from({ length: e }, (_, i) => `heavy_${i}`),
  };

  // Option trades on a 5-pt grid; 80% same-day expiry; gamma > 0.
  const o = spec.options;
  const oT = Float64Array.from({ length: o }, (_, i) => Math.floor((i * DAY_NS) / o));
  const options: OptionsData = {
    n: o,
    ts: BigInt64Array.from(oT, (t) => ORIGIN_NS + BigInt(t)),
    t: oT,
    strike: Float64Array.from(oT, (t) => Math.round((midAt(t) + (rand() - 0.5) * 80) / 5) * 5),
    right: Array.from({ length: o }, () => (rand() < 0.5 ? "C" : "P")),
    size: Float64Array.from(oT, () => 1 + Math.floor(rand() * 10)),
    aggressor: Float64Array.from(oT, () => Math.floor(rand() * 3) - 1),
    expDate: Array.from({ length: o }, () => (rand() < 0.8 ? DATE : "2026-01-16")),
    gamma: Float64Array.from(oT, () => rand() * 0.01),
  };
  const flowMap = new Map<string, OptionFlow>();
  for (let i = 0; i < o; i++) {
    const key = `${options.strike[i]}|${options.right[i]}|${options.expDate[i]}`;
    let f = flowMap.get(key);
    if (!f) flowMap.set(key, (f = { strike: options.strike[i]!, right: options.right[i]!, expDate: options.expDate[i]!, netGammaFlow: 0 }));
    f.netGammaFlow += -(options.aggressor[i]! * options.size[i]! * options.gamma![i]! * 50);
  }

  return {
    date: DATE,
    originNs: ORIGIN_NS,
    variant: "reference",
    cfg: referenceConfig(),
    out: new Map(),
    trades,
    mbp,
    options,
    optionFlows: [...flowMap.values()],
    ohlcv1m: bars,
    atr,
    dynamicLevels: dyn,
    events,
  };
}
