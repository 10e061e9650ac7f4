/**
 * S14 ComputeApproachFeatures — es-pipeline §5.14 (a)–(e), attempt clustering §8.
 * Runs on the whole-UTC-day event set, in event (ts) order. Columns that need a physics
 * stage's input (S7 wall_ratio / barrier_delta_liq / tape_*, S11 dist_to_*) are written only when
 * that input exists; otherwise they stay typed nulls (never invented).
 */
import type { Bars, Events, PipelineContext, Stage } from "../context";
import { putColumn } from "../columns";
import { pyRound2Key } from "../../../core/pyformat";
import { lowerBound, upperBound } from "../windows";
import { atr } from "../bars";
import { etInstantNs } from "../../../core/time/session";

const EPS = 1e-6;

function floats(ctx: PipelineContext, name: string): Float64Array | undefined {
  const c = ctx.out.get(name);
  return c && c.type === "float64" ? (c.values as Float64Array) : undefined;
}

/** (b) prior_touches: per round(L, 2), counted only by RTH-started near-level events. */
export function priorTouches(ev: Events, sessionStartRel: number, touchBand: number): Int32Array {
  const out = new Int32Array(ev.n);
  const counts = new Map<string, number>();
  for (let i = 0; i < ev.n; i++) {
    const key = pyRound2Key(ev.levelPrice[i]!);
    const c = counts.get(key) ?? 0;
    out[i] = c;
    if (Math.abs(ev.entryPrice[i]! - ev.levelPrice[i]!) <= touchBand && ev.t[i]! >= sessionStartRel) counts.set(key, c + 1);
  }
  return out;
}

/** (b) approach context over the bars with start in (ts − lookback, ts]. */
export function approachContext(ev: Events, bars: Bars, lookbackNs: number) {
  const velocity = new Float64Array(ev.n);
  const nBars = new Int32Array(ev.n);
  const distance = new Float64Array(ev.n);
  for (let i = 0; i < ev.n; i++) {
    const from = upperBound(bars.t, ev.t[i]! - lookbackNs);
    const to = upperBound(bars.t, ev.t[i]!); // exclusive
    const m = to - from;
    if (m < 2) continue;
    const c0 = bars.close[from]!;
    const cLast = bars.close[to - 1]!;
    const s = ev.dir[i]!;
    velocity[i] = (s * (cLast - c0)) / m;
    distance[i] = Math.abs(cLast - c0);
    let k = to - 1;
    let run = 0;
    while (k > from) {
      const d = bars.close[k]! - bars.close[k - 1]!;
      if (s > 0 ? d > 0 : d < 0) run++;
      else break;
      k--;
    }
    nBars[i] = run;
  }
  return { velocity, nBars, distance };
}

/**
 * §8: clusters per (kind, direction); a gap > 15 min (or a price move > band) opens a new one.
 * [FIX] D-21 (`fromT` set): only events from that instant (04:00 ET) take part — earlier ones
 * get index and cluster 0 — and cluster ids are numbered across all groups in ts order of
 * their first event, so an id names one cluster of the day.
 */
export function attemptClusters(ev: Events, gapNs: number, priceBand: number, fromT?: number) {
  const index = new BigInt64Array(ev.n);
  const cluster = new BigInt64Array(ev.n);
  const isNew = new Uint8Array(ev.n);
  const groups = new Map<string, number[]>();
  const global = fromT !== undefined;
  let globalId = 0;
  for (let i = 0; i < ev.n; i++) {
    if (global && ev.t[i]! < fromT) continue;
    const key = `${ev.levelKindName[i]}|${ev.dir[i]}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i); // event order is ts order, so each group is already ts-sorted (stable)
  }
  for (const g of groups.values()) {
    let id = 0;
    let attempt = 0;
    let lastT = 0;
    let lastPrice = 0;
    g.forEach((i, k) => {
      const fresh = k === 0 || ev.t[i]! - lastT > gapNs || Math.abs(ev.levelPrice[i]! - lastPrice) > priceBand;
      if (fresh) {
        id++;
        attempt = 1;
      } else attempt++;
      isNew[i] = fresh ? 1 : 0;
      index[i] = BigInt(attempt);
      cluster[i] = BigInt(id);
      lastT = ev.t[i]!;
      lastPrice = ev.levelPrice[i]!;
    });
  }
  if (global) {
    // global ids: clusters numbered by the event order of their first event
    const idOf = new Map<string, bigint>();
    for (let i = 0; i < ev.n; i++) {
      if (ev.t[i]! < fromT!) continue;
      const key = `${ev.levelKindName[i]}|${ev.dir[i]}|${cluster[i]}`;
      if (!idOf.has(key)) idOf.set(key, BigInt(++globalId));
      cluster[i] = idOf.get(key)!;
    }
  }
  return { index, cluster, isNew, groups: [...groups.values()] };
}

/** `<metric>_trend = value − value at the cluster's first event` (baseline NaN/±∞ → 0). */
function trend(values: Float64Array, clusters: ReturnType<typeof attemptClusters>): Float64Array {
  const out = new Float64Array(values.length);
  for (const g of clusters.groups) {
    let base = 0;
    for (const i of g) {
      if (clusters.isNew[i]) base = Number.isFinite(values[i]!) ? values[i]! : 0;
      out[i] = values[i]! - base;
    }
  }
  return out;
}

function map(n: number, f: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

/**
 * [FIX] D-32: NEW column `atr_rth` — the entry bar's ATR over bars from the session open only
 * (the series restarts at the first bar ≥ 09:30 ET); null for an entry bar before the open.
 */
export function rthAtr(ev: Events, bars: Bars, window: number, sessionStartRel: number): Float64Array {
  const series = atr(bars, window, lowerBound(bars.t, sessionStartRel));
  return map(ev.n, (i) => {
    const k = upperBound(bars.t, ev.t[i]!) - 1;
    return k >= 0 ? series[k]! : NaN;
  });
}

export function computeApproachFeatures(ctx: PipelineContext, ev: Events, bars: Bars, atrSeries: Float64Array): void {
  const n = ev.n;
  const { windows, bands, fixes } = ctx.cfg;
  const sessionStartRel = Number(etInstantNs(ctx.date, ctx.cfg.session.rthStart) - ctx.originNs);

  // (a) ATR of the bar with the greatest start ≤ ts (the entry bar itself).
  const atrAt = map(n, (i) => {
    const k = upperBound(bars.t, ev.t[i]!) - 1;
    return k >= 0 ? atrSeries[k]! : NaN;
  });
  putColumn(ctx, "atr", atrAt);
  if (fixes.rthAtr) putColumn(ctx, "atr_rth", rthAtr(ev, bars, windows.atrBars, sessionStartRel));

  // (b) approach context
  putColumn(ctx, "prior_touches", priorTouches(ev, sessionStartRel, bands.touchBand));
  const ap = approachContext(ev, bars, windows.lookbackMin * 60e9);
  putColumn(ctx, "approach_velocity", ap.velocity);
  putColumn(ctx, "approach_bars", ap.nBars);
  putColumn(ctx, "approach_distance", ap.distance);
  const minutes = map(n, (i) => (ev.t[i]! - sessionStartRel) / 60e9);
  putColumn(ctx, "minutes_since_open", minutes);
  putColumn(ctx, "bars_since_open", Int32Array.from(minutes, (m) => Math.min(240, Math.max(0, Math.trunc(m)))));

  // (c) sparse transforms of S7 outputs
  for (const name of ["wall_ratio", "barrier_delta_liq"]) {
    const x = floats(ctx, name);
    if (!x) continue;
    putColumn(ctx, `${name}_nonzero`, Int8Array.from(x, (v) => (v !== 0 ? 1 : 0)));
    putColumn(ctx, `${name}_log`, map(n, (i) => Math.sign(x[i]!) * Math.log1p(Math.abs(x[i]!))));
  }

  // (d) normalisation; spot = entry_price
  const L = ev.levelPrice;
  const spot = ev.entryPrice;
  const dist = map(n, (i) => L[i]! - spot[i]!);
  putColumn(ctx, "distance_signed", dist);
  putColumn(ctx, "distance_signed_atr", map(n, (i) => dist[i]! / (atrAt[i]! + EPS)));
  putColumn(ctx, "distance_signed_pct", map(n, (i) => dist[i]! / (spot[i]! + EPS)));
  for (const x of ["pm_high", "pm_low", "sma_200", "sma_400"]) {
    const d = floats(ctx, `dist_to_${x}`);
    if (!d) continue;
    // [REF] D-6: PM/SMA distances are re-divided by (ATR + 1e−6); [FIX] one formula /ATR, null if ATR ≤ 0.
    const perAtr = fixes.singleAtrDistance
      ? map(n, (i) => (atrAt[i]! > 0 ? d[i]! / atrAt[i]! : NaN))
      : map(n, (i) => d[i]! / (atrAt[i]! + EPS));
    putColumn(ctx, `dist_to_${x}_atr`, perAtr);
    putColumn(ctx, `dist_to_${x}_pct`, map(n, (i) => d[i]! / (spot[i]! + EPS)));
  }
  putColumn(ctx, "approach_distance_atr", map(n, (i) => ap.distance[i]! / (atrAt[i]! + EPS)));
  putColumn(ctx, "approach_distance_pct", map(n, (i) => ap.distance[i]! / (spot[i]! + EPS)));
  putColumn(ctx, "level_price_pct", map(n, (i) => (L[i]! - spot[i]!) / (spot[i]! + EPS)));

  // (e) attempt clustering §8
  const clusterFrom = fixes.rthAttemptClustering ? Number(etInstantNs(ctx.date, ctx.cfg.session.premarketStart) - ctx.originNs) : undefined;
  const cl = attemptClusters(ev, windows.touchClusterMin * 60e9, bands.touchClusterPriceBand, clusterFrom);
  putColumn(ctx, "attempt_index", cl.index);
  putColumn(ctx, "attempt_cluster_id", cl.cluster);
  const trends: [string, string][] = [
    ["barrier_replenishment_ratio", "barrier_replenishment_trend"],
    ["barrier_delta_liq", "barrier_delta_liq_trend"],
    ["tape_velocity", "tape_velocity_trend"],
    ["tape_imbalance", "tape_imbalance_trend"],
  ];
  for (const [src, dst] of trends) {
    const v = floats(ctx, src);
    if (v) putColumn(ctx, dst, trend(v, cl));
  }
}

const stage: Stage = {
  name: "ComputeApproachFeatures",
  section: "es-pipeline §5.14, §8",
  inputs: ["events", "ohlcv1m", "atr", "out"],
  outputs: [
    "atr", "prior_touches", "approach_velocity", "approach_bars", "approach_distance", "minutes_since_open", "bars_since_open",
    "wall_ratio_nonzero", "wall_ratio_log", "barrier_delta_liq_nonzero", "barrier_delta_liq_log",
    "distance_signed", "distance_signed_atr", "distance_signed_pct",
    "dist_to_pm_high_atr", "dist_to_pm_low_atr", "dist_to_sma_200_atr", "dist_to_sma_400_atr",
    "dist_to_pm_high_pct", "dist_to_pm_low_pct", "dist_to_sma_200_pct", "dist_to_sma_400_pct",
    "approach_distance_atr", "approach_distance_pct", "level_price_pct",
    "attempt_index", "attempt_cluster_id",
    "barrier_replenishment_trend", "barrier_delta_liq_trend", "tape_velocity_trend", "tape_imbalance_trend",
  ],
  run(ctx) {
    if (!ctx.events || !ctx.ohlcv1m || !ctx.atr) throw new Error("ComputeApproachFeatures needs events (S6) and ohlcv1m/atr (S2)");
    computeApproachFeatures(ctx, ctx.events, ctx.ohlcv1m, ctx.atr);
  },
};
export default stage;
