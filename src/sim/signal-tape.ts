/**
 * The running market picture the `levels.signals` generator (signals.ts) keeps while it
 * walks the simulated day: the front-contract tape (spot, 1/2-minute closes, pre-market and
 * opening-range extremes, a sliding 60 s volume window by price tick, a 2 s sweep window),
 * the latest front MBP-10 row and the option flow by strike. `absorbUpTo` advances every
 * cursor to a snapshot time; the snapshot reads the result.
 */
import type { FuturesDay } from "./futures";
import type { OptionsDay } from "./options";
import { STRIKE_STEP } from "./options";
import type { PricePath } from "./path";

export const NS_PER_MS = 1_000_000;
const TAPE_WINDOW_NS = 60_000 * NS_PER_MS;
const SWEEP_WINDOW_NS = 2_000 * NS_PER_MS;

export const tickOf = (p: number) => Math.round(p * 4);

/** Column views of the day's futures trades, front MBP-10 book and option trades. */
export interface DayColumns {
  tOff: Float64Array;
  tCon: Uint8Array;
  tPrice: Float64Array;
  tSize: Int32Array;
  tAggr: Int8Array;
  mOff: Float64Array;
  mCon: Uint8Array;
  bidPx: Float64Array[];
  bidSz: Int32Array[];
  askPx: Float64Array[];
  askSz: Int32Array[];
  oTs: BigInt64Array;
  oStrike: Float64Array;
  oRight: (string | null)[];
  oSize: Int32Array;
  oAggr: Int8Array;
  oGamma: Float64Array;
  startNs: bigint;
}

export function dayColumns(fut: FuturesDay, opt: OptionsDay, startMs: number): DayColumns {
  return {
    tOff: fut.tradeOffNs,
    tCon: fut.tradeContract,
    tPrice: fut.trades.values<Float64Array>("price"),
    tSize: fut.trades.values<Int32Array>("size"),
    tAggr: fut.trades.values<Int8Array>("aggressor"),
    mOff: fut.mbpOffNs,
    mCon: fut.mbpContract,
    bidPx: Array.from({ length: 10 }, (_, k) => fut.mbp10.values<Float64Array>(`bid_px_${k + 1}`)),
    bidSz: Array.from({ length: 10 }, (_, k) => fut.mbp10.values<Int32Array>(`bid_sz_${k + 1}`)),
    askPx: Array.from({ length: 10 }, (_, k) => fut.mbp10.values<Float64Array>(`ask_px_${k + 1}`)),
    askSz: Array.from({ length: 10 }, (_, k) => fut.mbp10.values<Int32Array>(`ask_sz_${k + 1}`)),
    oTs: opt.options.values<BigInt64Array>("ts_event_ns"),
    oStrike: opt.options.values<Float64Array>("strike"),
    oRight: opt.options.values<(string | null)[]>("right"),
    oSize: opt.options.values<Int32Array>("size"),
    oAggr: opt.options.values<Int8Array>("aggressor"),
    oGamma: opt.gamma,
    startNs: BigInt(startMs) * 1_000_000n,
  };
}

export interface TapeState {
  // tape window: volume by price tick, front contract only
  baseTick: number;
  span: number;
  buyVol: Float64Array;
  sellVol: Float64Array;
  // option flow: net dealer gamma and volume by strike
  strikeBase: number;
  nStrikes: number;
  netGamma: Float64Array;
  callVol: Float64Array;
  putVol: Float64Array;
  // 1-minute and 2-minute closes (front contract last trade)
  closes1m: number[];
  closes2m: number[];
  sum200: number;
  sum400: number;
  spotAtSec: number[]; // per-second spot for velocity
  ti: number; // next trade to absorb
  tw: number; // oldest trade still in the tape window
  sw: number; // oldest trade in the sweep window
  mi: number;
  lastMbp: number;
  oi: number;
  spot: number | null;
  lastEventNs: number;
  pmHigh: number;
  pmLow: number;
  orHigh: number;
  orLow: number;
  nextMinuteNs: number;
  nextTwoMinNs: number;
  nextSecNs: number;
  filledByTick: Map<number, number>; // volume traded per tick since the last snapshot
  rthOpenNs: number;
  orEndNs: number;
}

export function newTapeState(path: PricePath, rthOpenNs: number, orEndNs: number): TapeState {
  const baseTick = path.bidTick.reduce((m, x) => Math.min(m, x), Infinity) - 200;
  const span = path.bidTick.reduce((m, x) => Math.max(m, x), -Infinity) - baseTick + 400;
  const strikeBase = Math.floor((baseTick / 4 - 500) / STRIKE_STEP);
  const nStrikes = Math.ceil((span / 4 + 1000) / STRIKE_STEP);
  const closes2m: number[] = Array.from(path.warmupCloses);
  let sum200 = 0;
  let sum400 = 0;
  for (let k = closes2m.length - 400; k < closes2m.length; k++) {
    sum400 += closes2m[k]!;
    if (k >= closes2m.length - 200) sum200 += closes2m[k]!;
  }
  return {
    baseTick,
    span,
    buyVol: new Float64Array(span),
    sellVol: new Float64Array(span),
    strikeBase,
    nStrikes,
    netGamma: new Float64Array(nStrikes),
    callVol: new Float64Array(nStrikes),
    putVol: new Float64Array(nStrikes),
    closes1m: [],
    closes2m,
    sum200,
    sum400,
    spotAtSec: [],
    ti: 0,
    tw: 0,
    sw: 0,
    mi: 0,
    lastMbp: -1,
    oi: 0,
    spot: null,
    lastEventNs: -1,
    pmHigh: -Infinity,
    pmLow: Infinity,
    orHigh: -Infinity,
    orLow: Infinity,
    nextMinuteNs: 60_000 * NS_PER_MS,
    nextTwoMinNs: 120_000 * NS_PER_MS,
    nextSecNs: 1_000 * NS_PER_MS,
    filledByTick: new Map(),
    rthOpenNs,
    orEndNs,
  };
}

/** Advances every cursor (trades, windows, book, options) to events at or before `tNs`. */
export function absorbUpTo(st: TapeState, c: DayColumns, tNs: number): void {
  absorbTrades(st, c, tNs);
  expireTapeWindow(st, c, tNs);
  while (st.sw < st.ti && c.tOff[st.sw]! < tNs - SWEEP_WINDOW_NS) st.sw++;
  absorbBook(st, c, tNs);
  absorbOptions(st, c, tNs);
}

function push2m(st: TapeState, c: number): void {
  st.closes2m.push(c);
  const n = st.closes2m.length;
  st.sum200 += c - st.closes2m[n - 201]!;
  st.sum400 += c - st.closes2m[n - 401]!;
}

/** Closes the second/minute/two-minute bars a trade at `off` has moved past. */
function rollBars(st: TapeState, off: number): void {
  while (off >= st.nextSecNs) {
    if (st.spot !== null) st.spotAtSec.push(st.spot);
    st.nextSecNs += 1_000 * NS_PER_MS;
  }
  while (off >= st.nextMinuteNs) {
    if (st.spot !== null) st.closes1m.push(st.spot);
    st.nextMinuteNs += 60_000 * NS_PER_MS;
  }
  while (off >= st.nextTwoMinNs) {
    if (st.spot !== null) push2m(st, st.spot);
    st.nextTwoMinNs += 120_000 * NS_PER_MS;
  }
}

function absorbTrades(st: TapeState, c: DayColumns, tNs: number): void {
  while (st.ti < c.tOff.length && c.tOff[st.ti]! <= tNs) {
    const ti = st.ti;
    const off = c.tOff[ti]!;
    rollBars(st, off);
    if (c.tCon[ti] === 0) {
      const p = c.tPrice[ti]!;
      st.spot = p;
      const k = tickOf(p) - st.baseTick;
      if (c.tAggr[ti] === 1) st.buyVol[k]! += c.tSize[ti]!;
      else if (c.tAggr[ti] === -1) st.sellVol[k]! += c.tSize[ti]!;
      st.filledByTick.set(tickOf(p), (st.filledByTick.get(tickOf(p)) ?? 0) + c.tSize[ti]!);
      if (off < st.rthOpenNs) {
        if (p > st.pmHigh) st.pmHigh = p;
        if (p < st.pmLow) st.pmLow = p;
      } else if (off < st.orEndNs) {
        if (p > st.orHigh) st.orHigh = p;
        if (p < st.orLow) st.orLow = p;
      }
    }
    st.lastEventNs = Math.max(st.lastEventNs, off);
    st.ti++;
  }
}

function expireTapeWindow(st: TapeState, c: DayColumns, tNs: number): void {
  while (st.tw < st.ti && c.tOff[st.tw]! < tNs - TAPE_WINDOW_NS) {
    const tw = st.tw;
    if (c.tCon[tw] === 0) {
      const k = tickOf(c.tPrice[tw]!) - st.baseTick;
      if (c.tAggr[tw] === 1) st.buyVol[k]! -= c.tSize[tw]!;
      else if (c.tAggr[tw] === -1) st.sellVol[k]! -= c.tSize[tw]!;
    }
    st.tw++;
  }
}

function absorbBook(st: TapeState, c: DayColumns, tNs: number): void {
  while (st.mi < c.mOff.length && c.mOff[st.mi]! <= tNs) {
    if (c.mCon[st.mi] === 0) st.lastMbp = st.mi;
    st.lastEventNs = Math.max(st.lastEventNs, c.mOff[st.mi]!);
    st.mi++;
  }
}

function absorbOptions(st: TapeState, c: DayColumns, tNs: number): void {
  while (st.oi < c.oTs.length && Number(c.oTs[st.oi]! - c.startNs) <= tNs) {
    const oi = st.oi;
    const s = Math.round(c.oStrike[oi]! / STRIKE_STEP) - st.strikeBase;
    if (s >= 0 && s < st.nStrikes) {
      st.netGamma[s]! += -c.oAggr[oi]! * c.oSize[oi]! * c.oGamma[oi]! * 50;
      if (c.oRight[oi] === "C") st.callVol[s]! += c.oSize[oi]!;
      else st.putVol[s]! += c.oSize[oi]!;
    }
    st.oi++;
  }
}
