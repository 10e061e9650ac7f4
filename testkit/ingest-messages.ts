/**
 * Small deterministic generator of realistic wire messages (contracts §1.6–§1.9) for the
 * ingest tests and bench, each with the Bronze/Gold row(s) it must become. Message i has
 * vendor `seq` = i (trades/MBP/options) or a unique `ts` (signals), so a test can find
 * every published message in the lake exactly once.
 */
import { toWireJson } from "../src/ingest/worker/decode/wire-json";

export type Subject = "market.futures.trades" | "market.futures.mbp10" | "market.options.trades" | "levels.signals";
export const SUBJECTS: Subject[] = ["market.futures.trades", "market.futures.mbp10", "market.options.trades", "levels.signals"];

export interface GenMsg {
  subject: Subject;
  body: string;
  /** Expected rows (bigint for int64, number of days for date32). */
  rows: Record<string, unknown>[];
}

// 2025-12-16 13:59:50 UTC: runs cross the 14:00 hour boundary, so two hour partitions.
export const BASE_NS = 1_765_893_590_000_000_000n;
const SYMS = ["ESZ5", "ESH6"];

export function trade(i: number): GenMsg {
  const ts = BASE_NS + BigInt(i) * 1_000_003n;
  const price = 6800 + (i % 400) * 0.25;
  const cond = i % 5 === 0 ? [i % 7, 37] : null;
  const seqVal = i % 11 === 0 ? String(i) : i; // stringified-seq quirk (§1.4)
  const exch = i % 9 === 0 ? null : "CME";
  const msg = {
    ts_event_ns: ts, ts_recv_ns: ts + 415_253n, source: "direct_feed", symbol: SYMS[i % 2], price, size: 1 + (i % 7),
    aggressor: (i % 3) - 1, exchange: exch, conditions: cond, seq: seqVal,
  };
  return {
    subject: "market.futures.trades",
    body: toWireJson(msg),
    rows: [{ ...msg, seq: BigInt(i), conditions: cond }],
  };
}

export function mbp(i: number): GenMsg {
  const ts = BASE_NS + BigInt(i) * 999_983n;
  const depth = i % 13 === 0 ? 7 : 10;
  const mid = 6800 + (i % 300) * 0.25;
  const levels: Record<string, number>[] = [];
  const row: Record<string, unknown> = { ts_event_ns: ts, ts_recv_ns: ts + 1000n, source: "direct_feed", symbol: SYMS[i % 2] };
  for (let k = 0; k < 10; k++) {
    const present = k < depth;
    const sentinel = present && k === 9 && i % 17 === 0;
    const lv = { bid_px: sentinel ? 9223372036.854776 : mid - 0.25 * k, bid_sz: sentinel ? 0 : 5 + ((i + k) % 40), ask_px: mid + 0.25 * (k + 1), ask_sz: 3 + ((i * 7 + k) % 50) };
    if (present) levels.push(lv);
    row[`bid_px_${k + 1}`] = present && !sentinel ? lv.bid_px : 0;
    row[`bid_sz_${k + 1}`] = present && !sentinel ? lv.bid_sz : 0;
  }
  for (let k = 0; k < 10; k++) {
    const lv = levels[k];
    row[`ask_px_${k + 1}`] = lv ? lv.ask_px : 0;
    row[`ask_sz_${k + 1}`] = lv ? lv.ask_sz : 0;
  }
  row.is_snapshot = false;
  row.seq = BigInt(i);
  const msg = { ts_event_ns: ts, ts_recv_ns: ts + 1000n, source: "direct_feed", symbol: SYMS[i % 2], levels, is_snapshot: false, seq: i };
  return { subject: "market.futures.mbp10", body: toWireJson(msg), rows: [row] };
}

const EXP_DAY = 20438; // 2025-12-16

export function option(i: number): GenMsg {
  const ts = BASE_NS + BigInt(i) * 7_000_001n;
  const strike = 6700 + (i % 40) * 5;
  const right = i % 2 ? "C" : "P";
  const bid = i % 4 === 0 ? NaN : i % 4 === 1 ? null : 2 + (i % 10) * 0.25;
  const msg = {
    ts_event_ns: ts, ts_recv_ns: ts, source: "replay", underlying: "ES", option_symbol: `ESZ5 ${right}${strike}`,
    exp_date: i % 3 === 0 ? "2025-12-16T00:00:00.000000" : "2025-12-16", strike, right, price: 1 + (i % 20) * 0.25, size: 1 + (i % 4),
    opt_bid: bid, opt_ask: bid === null || Number.isNaN(bid) ? null : (bid as number) + 0.5, aggressor: (i % 3) - 1, conditions: null, seq: i,
  };
  const row = { ...msg, exp_date: EXP_DAY, opt_bid: bid === null || Number.isNaN(bid) ? null : bid, seq: BigInt(i) };
  return { subject: "market.options.trades", body: toWireJson(msg), rows: [row] };
}

export const SIGNAL_BASE_MS = 1_765_893_590_000;

export function signal(i: number): GenMsg {
  const ts = SIGNAL_BASE_MS + i * 7; // unique ts per payload
  const n = 1 + (i % 3);
  const levels = [];
  const rows = [];
  const ctxKey = i % 5 === 0 ? "es" : "spy";
  const spot = 6845.5 + (i % 10) * 0.25;
  for (let k = 0; k < n; k++) {
    const id = ["PM_HIGH", "OR_LOW", "SMA_200"][k]!;
    const inf = (i + k) % 2 === 0;
    const obstacle = inf ? null : { id: "SMA_400", price: 6900.25 };
    levels.push({
      id, price: 6850 + k, kind: id, direction: "RESISTANCE", distance: 4.5 + k, break_score_raw: 60 + k, break_score_smooth: 55.5,
      signal: "NEUTRAL", confidence: "MEDIUM", approach_velocity: 0.85, approach_bars: 3, approach_distance: 8.5, prior_touches: 1,
      barrier: { state: "WALL", delta_liq: 140, delta_liq_smooth: 120.5, replenishment_ratio: 1.8, replenishment_ratio_smooth: 1.6, added: 320, canceled: 110, filled: 70, defending_quote: { price: 6850.25, size: 85 }, churn: 500, depth_in_zone: 410 },
      tape: { imbalance: 0.31, buy_vol: i % 2 ? String(400 + k) : 400 + k, sell_vol: 221, velocity: 0.12, velocity_smooth: 0.1, sweep: { detected: k === 1, direction: "NONE", notional: 0, num_prints: 0, window_ms: 0 } },
      fuel: k === 2 ? null : { effect: "DAMPEN", net_dealer_gamma: 15234.5, net_dealer_gamma_smooth: 14000, call_wall: 6875, put_wall: null, hvl: null },
      runway: { direction: "UP", distance: inf ? Infinity : 12, next_obstacle: obstacle, quality: "CLEAR" },
      confluence_count: 1, confluence_pressure: 0.2, confluence_alignment: 0, confluence_level: 5, confluence_level_name: "STRONG", note: "Wall holding",
    });
    rows.push({
      ts_event_ns: BigInt(ts) * 1_000_000n, underlying: "ES", spot, bid: 6845.25, ask: null, level_id: id, level_kind: id, level_price: 6850 + k,
      direction: "RESISTANCE", distance: 4.5 + k, break_score_raw: 60 + k, break_score_smooth: 55.5, signal: "NEUTRAL", confidence: "MEDIUM",
      barrier_state: "WALL", barrier_delta_liq: 140, barrier_replenishment_ratio: 1.8, barrier_added: 320, barrier_canceled: 110, barrier_filled: 70,
      tape_imbalance: 0.31, tape_buy_vol: BigInt(400 + k), tape_sell_vol: 221n, tape_velocity: 0.12, tape_sweep_detected: k === 1, tape_sweep_direction: "NONE", tape_sweep_notional: 0,
      fuel_effect: k === 2 ? null : "DAMPEN", fuel_net_dealer_gamma: k === 2 ? null : 15234.5, fuel_call_wall: k === 2 ? null : 6875, fuel_put_wall: null, fuel_hvl: null,
      runway_direction: "UP", runway_next_level_id: obstacle?.id ?? null, runway_next_level_price: obstacle?.price ?? null, runway_distance: inf ? Infinity : 12, runway_quality: "CLEAR", note: "Wall holding",
    });
  }
  const payload = { ts, [ctxKey]: { spot, bid: 6845.25, ask: null }, levels };
  return { subject: "levels.signals", body: toWireJson(payload), rows };
}

export function gen(subject: Subject, i: number): GenMsg {
  switch (subject) {
    case "market.futures.trades":
      return trade(i);
    case "market.futures.mbp10":
      return mbp(i);
    case "market.options.trades":
      return option(i);
    case "levels.signals":
      return signal(i);
  }
}
