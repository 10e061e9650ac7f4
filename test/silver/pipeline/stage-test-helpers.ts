/**
 * Hand-made inputs for the framework stage tests (S1–S6, S14–S16): bars and trades placed at
 * ET wall-clock times, contexts, and in-memory Bronze frames.
 */
import { frameFromRows, type Frame } from "../../../src/frame";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../../src/schemas/bronze";
import { referenceConfig, type PipelineConfig } from "../../../src/silver/pipeline/config";
import type { Variant } from "../../../src/core/variant";
import type { Bars, PipelineContext } from "../../../src/silver/pipeline/context";
import { newContext } from "../../../src/silver/pipeline/run";
import { etInstantNs, utcMidnightNs } from "../../../src/core/time/session";
import type { BronzeInput } from "../../../src/silver/pipeline/bronze-input";

export function context(date: string, opts: { variant?: Variant; cfg?: PipelineConfig; bronze?: BronzeInput } = {}): PipelineContext {
  return newContext(date, opts.variant ?? "reference", opts.cfg ?? referenceConfig(), opts.bronze);
}

/** Epoch ns of ET wall time "HH:MM[:SS]" on `date`, plus `ms` milliseconds. */
export function et(date: string, hhmm: string, ms = 0): bigint {
  const [h, m, s] = hhmm.split(":").map(Number);
  return etInstantNs(date, h! * 60 + m!) + BigInt(s ?? 0) * 1_000_000_000n + BigInt(ms) * 1_000_000n;
}

export interface BarSpec {
  /** ET wall time of the bar start, "HH:MM" (on the session date) or an absolute ts */
  at: string | bigint;
  o?: number;
  h: number;
  l: number;
  c: number;
  v?: number;
}

/** 1-minute (or any) bars from specs, in the given order (must be ascending). */
export function makeBars(date: string, specs: BarSpec[]): Bars {
  const origin = utcMidnightNs(date);
  const n = specs.length;
  const ts = BigInt64Array.from(specs, (s) => (typeof s.at === "bigint" ? s.at : et(date, s.at)));
  return {
    n,
    ts,
    t: Float64Array.from(ts, (x) => Number(x - origin)),
    open: Float64Array.from(specs, (s) => s.o ?? s.c),
    high: Float64Array.from(specs, (s) => s.h),
    low: Float64Array.from(specs, (s) => s.l),
    close: Float64Array.from(specs, (s) => s.c),
    volume: Float64Array.from(specs, (s) => s.v ?? 1),
  };
}

export interface TradeRow {
  ts: bigint;
  price: number;
  size?: number;
  aggressor?: number | null;
  seq?: number | null;
  symbol?: string;
}

export function tradesFrame(rows: TradeRow[]): Frame {
  return frameFromRows(
    FUTURES_TRADES.columns,
    rows.map((r, i) => ({
      ts_event_ns: r.ts,
      ts_recv_ns: r.ts,
      source: "test",
      symbol: r.symbol ?? "ESH6",
      price: r.price,
      size: r.size ?? 1,
      aggressor: r.aggressor === undefined ? 0 : r.aggressor,
      exchange: "CME",
      conditions: null,
      seq: r.seq === undefined ? i : r.seq,
    })),
  );
}

export interface MbpRow {
  ts: bigint;
  seq?: number | null;
  /** bid_sz_1 — enough to tell rows apart */
  bidSz1?: number;
  /** contract code, ESH6 unless given */
  symbol?: string;
}

export function mbpFrame(rows: MbpRow[]): Frame {
  return frameFromRows(
    FUTURES_MBP10.columns,
    rows.map((r, i) => {
      const row: Record<string, unknown> = { ts_event_ns: r.ts, ts_recv_ns: r.ts, source: "test", symbol: r.symbol ?? "ESH6", is_snapshot: false, seq: r.seq === undefined ? i : r.seq };
      for (let k = 1; k <= 10; k++) {
        row[`bid_px_${k}`] = 7000 - 0.25 * k;
        row[`ask_px_${k}`] = 7000 + 0.25 * (k - 1);
        row[`bid_sz_${k}`] = k === 1 ? (r.bidSz1 ?? 10) : 10;
        row[`ask_sz_${k}`] = 10;
      }
      return row;
    }),
  );
}

export interface OptionRow {
  ts: bigint;
  strike: number;
  right: "C" | "P";
  size?: number;
  aggressor?: number | null;
  /** days since epoch (date32), as the lake writes it */
  expDays: number;
}

export function optionsFrame(rows: OptionRow[]): Frame {
  return frameFromRows(
    OPTION_TRADES.columns,
    rows.map((r, i) => ({
      ts_event_ns: r.ts,
      ts_recv_ns: r.ts,
      source: "test",
      underlying: "ES",
      option_symbol: "X",
      exp_date: r.expDays,
      strike: r.strike,
      right: r.right,
      price: 1,
      size: r.size ?? 1,
      opt_bid: null,
      opt_ask: null,
      aggressor: r.aggressor === undefined ? 1 : r.aggressor,
      conditions: null,
      seq: i,
    })),
  );
}

export function daysOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 86_400_000;
}

export interface EventAt {
  /** index into the 1-minute bars */
  bar: number;
  level: number;
  dir: 1 | -1;
  kindName?: string;
  /** defaults to the bar's close */
  entry?: number;
}

/** An Events table on top of `ctx.ohlcv1m` (like S6 would produce, in the given order). */
export function eventsOnBars(ctx: PipelineContext, specs: EventAt[]): import("../../../src/silver/pipeline/context").Events {
  const bars = ctx.ohlcv1m!;
  const n = specs.length;
  return {
    n,
    ts: BigInt64Array.from(specs, (s) => bars.ts[s.bar]!),
    t: Float64Array.from(specs, (s) => bars.t[s.bar]!),
    barIdx: Int32Array.from(specs, (s) => s.bar),
    levelPrice: Float64Array.from(specs, (s) => s.level),
    levelKind: Int8Array.from(specs, () => 0),
    levelKindName: specs.map((s) => s.kindName ?? "PM_HIGH"),
    dir: Int8Array.from(specs, (s) => s.dir),
    entryPrice: Float64Array.from(specs, (s) => s.entry ?? bars.close[s.bar]!),
    zoneWidth: new Float64Array(n).fill(5),
    eventId: specs.map((_, i) => `e${i}`),
  };
}
