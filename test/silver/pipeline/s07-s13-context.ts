/**
 * Tiny hand-made pipeline contexts for the S7–S13 stage tests. Times are given in
 * seconds after 00:00 UTC of the session date and stored the way context.ts keeps them
 * (exact relative ns in `t`, absolute epoch ns in `ts`).
 */
import type { Column } from "../../../src/frame";
import { allocBars } from "../../../src/silver/pipeline/bars";
import { referenceConfig, correctedConfig } from "../../../src/silver/pipeline/config";
import type {
  Bars,
  DynamicLevelName,
  Events,
  MbpData,
  OptionFlow,
  OptionsData,
  PipelineContext,
  TradesData,
} from "../../../src/silver/pipeline/context";
import type { Variant } from "../../../src/core/variant";

export const DATE = "2026-01-14";
export const ORIGIN_NS = BigInt(Date.UTC(2026, 0, 14)) * 1_000_000n;
/** Sentinel price of an empty book level (fixture README). */
export const EMPTY_PX = 9223372036.854776;

const absNs = (tRelNs: number) => ORIGIN_NS + BigInt(tRelNs);

export function makeContext(variant: Variant = "reference"): PipelineContext {
  return {
    date: DATE,
    originNs: ORIGIN_NS,
    variant,
    cfg: variant === "reference" ? referenceConfig() : correctedConfig(),
    out: new Map(),
  };
}

export interface EventSpec {
  sec: number;
  level: number;
  dir: "UP" | "DOWN";
  barIdx?: number;
  entry?: number;
}

export function makeEvents(specs: EventSpec[]): Events {
  const n = specs.length;
  const ev: Events = {
    n,
    ts: new BigInt64Array(n),
    t: new Float64Array(n),
    barIdx: new Int32Array(n),
    levelPrice: new Float64Array(n),
    levelKind: new Int8Array(n),
    levelKindName: new Array<string>(n).fill("PM_HIGH"),
    dir: new Int8Array(n),
    entryPrice: new Float64Array(n),
    zoneWidth: new Float64Array(n).fill(5),
    eventId: specs.map((s, i) => `e${i}`),
  };
  specs.forEach((s, i) => {
    ev.t[i] = s.sec * 1e9;
    ev.ts[i] = absNs(s.sec * 1e9);
    ev.barIdx[i] = s.barIdx ?? 0;
    ev.levelPrice[i] = s.level;
    ev.dir[i] = s.dir === "UP" ? 1 : -1;
    ev.entryPrice[i] = s.entry ?? s.level;
  });
  return ev;
}

export interface TradeSpec {
  /** seconds, or exact relative ns when `ns` is given */
  sec: number;
  ns?: number;
  price: number;
  size: number;
  aggr?: number;
}

export function makeTrades(specs: TradeSpec[]): TradesData {
  const n = specs.length;
  const tr: TradesData = {
    n,
    ts: new BigInt64Array(n),
    t: new Float64Array(n),
    price: new Float64Array(n),
    size: new Float64Array(n),
    aggressor: new Int8Array(n),
    symbol: new Array(n).fill("ESH6"),
  };
  specs.forEach((s, i) => {
    const rel = s.ns ?? s.sec * 1e9;
    tr.t[i] = rel;
    tr.ts[i] = absNs(rel);
    tr.price[i] = s.price;
    tr.size[i] = s.size;
    tr.aggressor[i] = s.aggr ?? 0;
  });
  return tr;
}

/** One snapshot: up to 10 [price, size] pairs per side (rest empty). */
export interface SnapSpec {
  sec: number;
  ns?: number;
  bid?: [number, number][];
  ask?: [number, number][];
}

export function makeMbp(specs: SnapSpec[]): MbpData {
  const n = specs.length;
  const side = () => Array.from({ length: 10 }, () => new Float64Array(n));
  const mbp: MbpData = { n, ts: new BigInt64Array(n), t: new Float64Array(n), bidPx: side(), bidSz: side(), askPx: side(), askSz: side() };
  specs.forEach((s, i) => {
    const rel = s.ns ?? s.sec * 1e9;
    mbp.t[i] = rel;
    mbp.ts[i] = absNs(rel);
    for (let k = 0; k < 10; k++) {
      const b = s.bid?.[k];
      const a = s.ask?.[k];
      mbp.bidPx[k]![i] = b ? b[0] : EMPTY_PX;
      mbp.bidSz[k]![i] = b ? b[1] : 0;
      mbp.askPx[k]![i] = a ? a[0] : EMPTY_PX;
      mbp.askSz[k]![i] = a ? a[1] : 0;
    }
  });
  return mbp;
}

export interface OptionSpec {
  sec?: number;
  strike: number;
  right: "C" | "P";
  size: number;
  gamma: number;
  aggr?: number;
  exp?: string;
}

export function makeOptions(specs: OptionSpec[]): OptionsData {
  const n = specs.length;
  const o: OptionsData = {
    n,
    ts: new BigInt64Array(n),
    t: new Float64Array(n),
    strike: new Float64Array(n),
    right: specs.map((s) => s.right),
    size: new Float64Array(n),
    aggressor: new Float64Array(n),
    expDate: specs.map((s) => s.exp ?? DATE),
    gamma: new Float64Array(n),
  };
  specs.forEach((s, i) => {
    const rel = (s.sec ?? 36000) * 1e9;
    o.t[i] = rel;
    o.ts[i] = absNs(rel);
    o.strike[i] = s.strike;
    o.size[i] = s.size;
    o.aggressor[i] = s.aggr ?? 0;
    o.gamma![i] = s.gamma;
  });
  return o;
}

export function flow(strike: number, netGammaFlow: number, expDate = DATE, right = "C"): OptionFlow {
  return { strike, right, expDate, netGammaFlow };
}

/** 1-minute bars starting at `startSec`, one per entry of `closes` (null = gap). */
export function makeBars(startSec: number, closes: (number | null)[]): Bars {
  const rows = closes.map((c, k) => ({ c, sec: startSec + 60 * k })).filter((r) => r.c !== null) as { c: number; sec: number }[];
  const n = rows.length;
  const b = allocBars(n);
  rows.forEach((r, i) => {
    b.t[i] = r.sec * 1e9;
    b.ts[i] = absNs(r.sec * 1e9);
    b.open[i] = b.high[i] = b.low[i] = b.close[i] = r.c;
    b.volume[i] = 1;
  });
  return b;
}

export function makeDynamicLevels(n: number, values: Partial<Record<DynamicLevelName, number[]>>): Record<DynamicLevelName, Float64Array> {
  const names: DynamicLevelName[] = ["PM_HIGH", "PM_LOW", "OR_HIGH", "OR_LOW", "SMA_200", "SMA_400"];
  const out = {} as Record<DynamicLevelName, Float64Array>;
  for (const k of names) out[k] = values[k] ? Float64Array.from(values[k]!) : new Float64Array(n).fill(NaN);
  return out;
}

export function col(ctx: PipelineContext, name: string): Column {
  const c = ctx.out.get(name);
  if (!c) throw new Error(`stage did not write column ${name}`);
  return c;
}

/** Values of a column as plain JS (null where the valid mask says so; bigint → number). */
export function values(ctx: PipelineContext, name: string): unknown[] {
  const c = col(ctx, name);
  return Array.from(c.values as ArrayLike<unknown>, (v, i) =>
    c.valid && c.valid[i] === 0 ? null : typeof v === "bigint" ? Number(v) : v,
  );
}
