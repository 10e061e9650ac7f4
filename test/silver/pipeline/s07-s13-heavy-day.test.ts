/**
 * S7–S13 at scale: a synthetic day with hundreds of thousands of book snapshots and
 * trades (runs of equal timestamps included) runs through the seven stages, and a
 * sample of events is recomputed by brute force — a full scan of the day per event,
 * written straight from the spec text — to check that the binary-search / prefix-sum
 * windows select exactly the same rows. (The million-snapshot case is in
 * bench/pipeline.ts; no timing is asserted here.)
 */
import { describe, expect, test } from "bun:test";
import type { PipelineContext } from "../../../src/silver/pipeline/context";
import s07 from "../../../src/silver/pipeline/stages/s07-compute-physics";
import s08 from "../../../src/silver/pipeline/stages/s08-multi-window-kinematics";
import s09 from "../../../src/silver/pipeline/stages/s09-multi-window-ofi";
import s10 from "../../../src/silver/pipeline/stages/s10-barrier-evolution";
import s11 from "../../../src/silver/pipeline/stages/s11-level-distances";
import s12 from "../../../src/silver/pipeline/stages/s12-gex-features";
import s13 from "../../../src/silver/pipeline/stages/s13-force-mass";
import { HEAVY_DAY_DATE as DATE, heavyDayContext } from "../../../testkit/heavy-day";

const STAGES = [s07, s08, s09, s10, s11, s12, s13];

/**
 * Brute-force values of every S7–S13 column for event e (full scans, spec wording).
 * `causal`: option trades after the event are ignored (D-8 fix) — fuel from the trades
 * themselves rather than the whole-day S4 flows.
 */
function bruteForce(ctx: PipelineContext, e: number, causal = false): Record<string, number | string | null> {
  const ev = ctx.events!, tr = ctx.trades!, mbp = ctx.mbp!, bars = ctx.ohlcv1m!, opt = ctx.options!;
  const t0 = ev.t[e]!, L = ev.levelPrice[e]!, up = ev.dir[e]! > 0;
  const r: Record<string, number | string | null> = {};
  // Tape
  let buy = 0, sell = 0;
  const ts: number[] = [], ps: number[] = [];
  for (let i = 0; i < tr.n; i++) {
    if (tr.t[i]! < t0 || tr.t[i]! > t0 + 60e9) continue;
    ts.push(Number(tr.ts[i]!) / 1e9);
    ps.push(tr.price[i]!);
    if (Math.abs(tr.price[i]! - L) <= 0.5) {
      if (tr.aggressor[i] === 1) buy += tr.size[i]!;
      if (tr.aggressor[i] === -1) sell += tr.size[i]!;
    }
  }
  r.tape_buy_vol = buy;
  r.tape_sell_vol = sell;
  r.tape_imbalance = buy + sell > 0 ? (buy - sell) / (buy + sell) : 0;
  const mt = ts.reduce((a, b) => a + b, 0) / ts.length, mp = ps.reduce((a, b) => a + b, 0) / ps.length;
  const sxx = ts.reduce((a, t) => a + (t - mt) ** 2, 0), sxy = ts.reduce((a, t, k) => a + (t - mt) * (ps[k]! - mp), 0);
  r.tape_velocity = ts.length >= 2 && sxx > 1e-10 ? sxy / sxx : 0;
  // Barrier
  let slots = 0, bidSum = 0, askSum = 0;
  for (let k = 0; k < 10; k++) for (let i = 0; i < mbp.n; i++) { bidSum += mbp.bidSz[k]![i]!; askSum += mbp.askSz[k]![i]!; slots++; }
  const avg = (bidSum / slots + askSum / slots) / 2;
  const win: number[] = [];
  for (let i = 0; i < mbp.n; i++) if (mbp.t[i]! >= t0 && mbp.t[i]! <= t0 + 240e9) win.push(i);
  const depth = (i: number) => {
    let d = 0;
    for (let k = 0; k < 10; k++) {
      const px = (up ? mbp.askPx : mbp.bidPx)[k]![i]!;
      if (px >= L - 2 && px <= L + 2) d += (up ? mbp.askSz : mbp.bidSz)[k]![i]!;
    }
    return d;
  };
  if (win.length < 2) Object.assign(r, { barrier_state: "NEUTRAL", barrier_delta_liq: 0, wall_ratio: 0 });
  else {
    const s = depth(win[0]!), end = depth(win[win.length - 1]!), d = end - s, w = end / (avg + 1e-6);
    r.barrier_delta_liq = d;
    r.wall_ratio = w;
    r.barrier_state = d < -100 ? (w < 0.3 ? "VACUUM" : "CONSUMED") : d > 100 ? (w > 1.5 ? "WALL" : "ABSORPTION") : end < 50 ? "WEAK" : "NEUTRAL";
  }
  // Fuel
  const sg = new Map<number, number>();
  if (!causal) {
    for (const f of ctx.optionFlows!) if (f.expDate === DATE) sg.set(f.strike, (sg.get(f.strike) ?? 0) + f.netGammaFlow);
  } else {
    for (let i = 0; i < opt.n; i++) {
      if (opt.t[i]! > t0 || opt.expDate[i] !== DATE) continue;
      sg.set(opt.strike[i]!, (sg.get(opt.strike[i]!) ?? 0) + -(opt.aggressor[i]! * opt.size[i]! * opt.gamma![i]! * 50));
    }
  }
  let ge = 0, inRange = 0;
  for (const [K, g] of sg) if (Math.abs(K - L) <= 15) { ge += g; inRange++; }
  r.gamma_exposure = ge;
  r.fuel_effect = inRange === 0 ? "NEUTRAL" : ge < -10000 ? "AMPLIFY" : ge > 10000 ? "DAMPEN" : "NEUTRAL";
  // Kinematics: full difference arrays, last element
  for (const w of [1, 3, 5, 10, 20]) {
    const idx: number[] = [];
    for (let i = 0; i < bars.n; i++) if (bars.t[i]! > t0 - w * 60e9 && bars.t[i]! <= t0) idx.push(i);
    let vel = 0, acc = 0, jerk = 0;
    if (idx.length >= 3) {
      const p = idx.map((i) => (up ? 1 : -1) * (bars.close[i]! - L));
      const dt = idx.slice(0, -1).map((i, k) => (bars.t[idx[k + 1]!]! - bars.t[i]!) / 1e9);
      const v = dt.map((d, k) => (p[k + 1]! - p[k]!) / d);
      const a = v.slice(0, -1).map((x, k) => (v[k + 1]! - x) / dt[k]!);
      const j = a.slice(0, -1).map((x, k) => (a[k + 1]! - x) / dt[k]!);
      vel = v[v.length - 1]!;
      acc = a[a.length - 1]!;
      jerk = j.length ? j[j.length - 1]! : 0;
    }
    Object.assign(r, { [`velocity_${w}min`]: vel, [`acceleration_${w}min`]: acc, [`jerk_${w}min`]: jerk });
    if (w > 1) r[`momentum_trend_${w}min`] = acc;
  }
  // OFI
  const imb = (i: number) => { let s = 0; for (let k = 0; k < 5; k++) s += mbp.bidSz[k]![i]! - mbp.askSz[k]![i]!; return s; };
  for (const W of [30, 60, 120, 300]) {
    let s = 0, c = 0;
    for (let i = 0; i < mbp.n; i++) if (mbp.t[i]! >= t0 - W * 1e9 && mbp.t[i]! <= t0) { s += imb(i); c++; }
    r[`ofi_${W}s`] = s;
    r[`ofi_near_level_${W}s`] = c ? s / c : 0;
  }
  r.ofi_acceleration = (r.ofi_30s as number) / ((r.ofi_120s as number) + 1e-6);
  // Barrier evolution
  const d5 = (i: number) => { let s = 0; for (let k = 0; k < 5; k++) s += mbp.bidSz[k]![i]! + mbp.askSz[k]![i]!; return s; };
  const lastAtOrBefore = (t: number) => { let j = -1; for (let i = 0; i < mbp.n; i++) if (mbp.t[i]! <= t) j = i; return j; };
  const cur = lastAtOrBefore(t0);
  r.barrier_depth_current = cur < 0 ? 0 : d5(cur);
  for (const w of [1, 3, 5]) {
    const past = lastAtOrBefore(t0 - w * 60e9);
    const d = cur < 0 || past < 0 ? 0 : d5(cur) - d5(past);
    r[`barrier_delta_${w}min`] = d;
    r[`barrier_pct_change_${w}min`] = cur < 0 || past < 0 || d5(past) <= 0 ? 0 : d / d5(past);
  }
  // Level distances
  const bi = ev.barIdx[e]!, atr = ctx.atr![bi]!;
  const stack = [0, 0, 0];
  for (const [key, name] of [["PM_HIGH", "pm_high"], ["PM_LOW", "pm_low"], ["OR_HIGH", "or_high"], ["OR_LOW", "or_low"], ["SMA_200", "sma_200"], ["SMA_400", "sma_400"]] as const) {
    const x = ctx.dynamicLevels![key][bi]!;
    r[`dist_to_${name}`] = Number.isFinite(x) ? L - x : null;
    if (name.startsWith("or_")) r[`dist_to_${name}_atr`] = Number.isFinite(x) && atr > 0 ? (L - x) / atr : null;
    [2, 5, 10].forEach((B, k) => { if (Number.isFinite(x) && Math.abs(x - L) > 0 && Math.abs(x - L) <= B) stack[k]!++; });
  }
  r.dist_to_tested_level = 0;
  [2, 5, 10].forEach((B, k) => (r[`level_stacking_${B}pt`] = stack[k]!));
  // GEX
  const G = new Map<string, { K: number; right: string; g: number; n: number }>();
  for (let i = 0; i < opt.n; i++) {
    if (opt.expDate[i] !== DATE || (causal && opt.t[i]! > t0)) continue;
    const key = `${opt.strike[i]}|${opt.right[i]}`;
    const x = G.get(key) ?? { K: opt.strike[i]!, right: opt.right[i]!, g: 0, n: 0 };
    x.g += opt.gamma![i]!;
    x.n += opt.size[i]!;
    G.set(key, x);
  }
  for (const [b, pts] of [[1, 5], [2, 10], [3, 15]] as const) {
    let above = 0, below = 0, ca = 0, pb = 0;
    for (const x of G.values()) {
      const v = -x.g * x.n;
      if (x.K > L && x.K <= L + pts) { above += v; if (x.right === "C") ca += v; }
      if (x.K >= L - pts && x.K < L) { below += v; if (x.right === "P") pb += v; }
    }
    Object.assign(r, { [`gex_above_${b}strike`]: above, [`gex_below_${b}strike`]: below, [`call_gex_above_${b}strike`]: ca, [`put_gex_below_${b}strike`]: pb });
  }
  r.gex_asymmetry = (r.gex_above_3strike as number) - (r.gex_below_3strike as number);
  r.gex_ratio = (r.gex_above_3strike as number) / (Math.abs(r.gex_below_3strike as number) + 1e-6);
  let net = 0;
  for (const x of G.values()) if (Math.abs(x.K - L) <= 15) net += -x.g * x.n;
  r.net_gex_2strike = net;
  // Force/mass
  const force = 10 * (r.tape_imbalance as number), mass = Math.max(Math.abs(r.barrier_delta_liq as number), 1);
  r.predicted_accel = (0.01 * force) / mass;
  r.accel_residual = 0 - (r.predicted_accel as number);
  r.force_mass_ratio = force / mass;
  return r;
}

/** Compare the stage output with the brute force on `sample`; returns the cell count. */
function compareSample(ctx: PipelineContext, sample: number[], causal: boolean, only?: (name: string) => boolean): number {
  let compared = 0;
  for (const e of sample) {
    const want = bruteForce(ctx, e, causal);
    for (const [name, w] of Object.entries(want)) {
      if (only && !only(name)) continue;
      {
        const c = ctx.out.get(name)!;
        const raw = (c.values as ArrayLike<unknown>)[e];
        const got = c.valid && c.valid[e] === 0 ? null : typeof raw === "bigint" ? Number(raw) : raw;
        if (typeof w === "number" && typeof got === "number") {
          expect({ name, e, got }).toEqual({ name, e, got: expect.closeTo(w, Math.max(0, -Math.log10(Math.abs(w) * 1e-9 + 1e-12))) });
        } else {
          expect({ name, e, got }).toEqual({ name, e, got: w });
        }
        compared++;
      }
    }
  }
  return compared;
}

describe("S7–S13 on a heavy synthetic day", () => {
  test("windowed fast paths equal a brute-force full scan on sampled events", () => {
    const ctx = heavyDayContext({ snapshots: 150_000, trades: 300_000, events: 2_000, options: 20_000, seed: 11 });
    for (const s of STAGES) s.run(ctx);
    const sample = Array.from({ length: 25 }, (_, k) => Math.floor((k * ctx.events!.n) / 25));
    const compared = compareSample(ctx, sample, false);
    // Every S7–S13 column except the two constants (replenishment ratio, sweep flag).
    expect(compared).toBe(25 * (STAGES.reduce((n, s) => n + s.outputs.length, 0) - 2));
    // The day really exercises the windows: non-trivial tape, barrier and GEX values exist.
    const nonZero = (name: string) => Array.from(ctx.out.get(name)!.values as Float64Array).filter((v) => v !== 0).length;
    expect(nonZero("tape_velocity")).toBeGreaterThan(1000);
    expect(nonZero("barrier_delta_liq")).toBeGreaterThan(1000);
    expect(nonZero("gex_above_1strike")).toBeGreaterThan(1000);
  });

  test("the causal option replay (D-8) equals a brute-force ts ≤ event filter", () => {
    const ctx = heavyDayContext({ snapshots: 20_000, trades: 20_000, events: 2_000, options: 40_000, seed: 5 });
    (ctx.cfg.fixes as unknown as Record<string, boolean>).causalOptions = true;
    s07.run(ctx);
    s12.run(ctx);
    const sample = Array.from({ length: 40 }, (_, k) => Math.floor((k * ctx.events!.n) / 40));
    const optionCols = (name: string) => name.includes("gex") || name === "gamma_exposure" || name === "fuel_effect";
    expect(compareSample(ctx, sample, true, optionCols)).toBe(40 * 17);
  });
});
