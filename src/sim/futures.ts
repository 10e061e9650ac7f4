/**
 * ES futures tape and MBP-10 depth for one simulated day, columnar (FUTURES_TRADES and
 * FUTURES_MBP10 of src/schemas/bronze.ts).
 *
 * Two passes over the session steps: the first draws per-step event counts so every
 * column can be allocated once at its exact length; the second fills them in time order.
 * MBP-10 rows come from three sources, all consistent with the tape:
 *   - one whenever the front contract's top of book moves (so the latest book before any
 *     front-contract trade brackets its price),
 *   - one right after every trade (the touch it depleted),
 *   - random quote updates (adds, cancels, walls) at the configured rate.
 * Timestamps are unique and strictly increasing within each table; `seq` increases per
 * contract across both tables (one vendor channel per contract).
 */
import { FUTURES_MBP10, FUTURES_TRADES, MBP10_DEPTH } from "../schemas/bronze";
import { Frame, allocValues, type Column } from "../frame";
import { DepthBook } from "./book";
import type { DayContract } from "./futures-contracts";
import { TICK, type PricePath } from "./path";
import { Rng } from "./rng";
import type { SimRates } from "./scale";
import { STEP_MS, STEP_NS, type SessionClock } from "./session";
import { TimeColumn } from "./time-column";
import { MbpBuffer, type HourBuffers } from "./mbp-buffer";

export const SIM_SOURCE = "sim";
/** Top-of-book updates land in the first millisecond of a step, before its trades. */
const TOP_WINDOW_NS = 1_000_000;
/** Event times of a step fall in [1 ms, 1 ms + EVENT_WINDOW_NS); the rest of the step absorbs spacing. */
const EVENT_WINDOW_NS = Math.floor((STEP_NS - TOP_WINDOW_NS) * 0.9);
/** Per-step event indices (at most two 16-bit counts) fit below this, packed under the time. */
const EVENT_INDEX_SPAN = 1 << 17;
const SPACING_RESERVE_NS = STEP_NS - TOP_WINDOW_NS - EVENT_WINDOW_NS - 1;
/** Walls placed per RTH hour on the front contract. */
const WALLS_PER_HOUR = 6;

export interface FuturesDay {
  trades: Frame;
  mbp10: Frame;
  /** Per trade: index into `mbp10` of the update right after it (for invariants and signals). */
  postTradeRow: Int32Array;
  /** Event times as exact ns offsets from 04:00 ET (Number; cheap to compare in later passes). */
  tradeOffNs: Float64Array;
  mbpOffNs: Float64Array;
  /** Per row: index of the contract in the day's contract list (0 = front). */
  tradeContract: Uint8Array;
  mbpContract: Uint8Array;
}

/** Seq numbers start from the epoch day so they keep increasing across days of a contract. */
export function seqBase(day: number): number {
  return day * 50_000_000;
}

export function generateFutures(
  seed: number | string,
  clock: SessionClock,
  path: PricePath,
  contracts: readonly DayContract[],
  rates: SimRates,
): FuturesDay {
  const run = futuresRun(seed, clock, path, contracts, rates, false);
  for (let r = run.next(); ; r = run.next()) if (r.done) return r.value;
}

/**
 * The same day with its MBP-10 rows handed out one UTC hour at a time (a Frame viewing a
 * reused buffer: valid until the next `next()`), and the rest returned at the end without
 * `mbp10` rows kept — memory is one hour of book updates, whatever the day's rate. Every
 * random draw happens in the same order as in `generateFutures`, so the hours concatenate to
 * its `mbp10` exactly. (A step never straddles an hour: steps are 250 ms from 04:00 ET and
 * every event of a step lies inside it.) `hourBuffers` lends the buffer to a run of days.
 */
export function futuresByHour(
  seed: number | string,
  clock: SessionClock,
  path: PricePath,
  contracts: readonly DayContract[],
  rates: SimRates,
  hourBuffers?: HourBuffers,
): Generator<Frame, FuturesDay> {
  return futuresRun(seed, clock, path, contracts, rates, true, hourBuffers);
}

function* futuresRun(
  seed: number | string,
  clock: SessionClock,
  path: PricePath,
  contracts: readonly DayContract[],
  rates: SimRates,
  hourly: boolean,
  hourBuffers?: HourBuffers,
): Generator<Frame, FuturesDay> {
  const n = clock.nSteps;
  const dayKey = String(clock.day);
  const counts = Rng.stream(seed, dayKey, "futures-counts");
  const quoteCounts = Rng.stream(seed, dayKey, "futures-quote-counts");
  const tape = Rng.stream(seed, dayKey, "futures-tape");
  const quotes = Rng.stream(seed, dayKey, "futures-quotes");
  const seqGaps = Rng.stream(seed, dayKey, "futures-seq");

  const { nTrades, nQuotes, totalTrades, totalQuotes, topChanges, minTick, maxTick } = drawStepCounts(clock, path, rates, counts, quoteCounts);
  const totalMbp = topChanges + totalTrades + totalQuotes;
  const capacity = hourly ? maxRowsPerHour(clock, path, nTrades, nQuotes) : totalMbp;

  // ---- books ----
  const maxOffset = contracts.reduce((m, c) => Math.max(m, Math.abs(c.offsetTicks)), 0);
  void maxOffset; // books are indexed by front-contract ticks; offsets only shift printed prices
  const tickBase = minTick - 20;
  const nTicks = maxTick - minTick + 41;
  const books = contracts.map((c, ci) => new DepthBook(tickBase, nTicks, Rng.stream(seed, dayKey, "book", String(ci)), ci === 0 ? 1 : 0.35));
  const secondShare = contracts.length > 1 ? contracts[1]!.tradeShare : 0;

  // ---- outputs ----
  const tradeCols = newTradeColumns(totalTrades);
  const { tTs, tRecv, tSym, tPrice, tSize, tAggr, tSeq } = tradeCols;
  const postTradeRow = new Int32Array(totalTrades);
  const tradeContract = new Uint8Array(totalTrades);

  const mbp = hourly && hourBuffers ? hourBuffers.take(capacity) : new MbpBuffer(capacity);
  const symbols = contracts.map((c) => c.symbol);
  const startNs = BigInt(clock.startMs) * 1_000_000n;
  let hourRow0 = 0; // day row index of the buffer's first row
  let bufferHour = -1;

  // seq counters and per-contract constants in typed arrays: the hot loop reads them per row
  const seqNext = new Float64Array(contracts.length).fill(seqBase(clock.day));
  const shiftOf = Int32Array.from(contracts, (c) => c.offsetTicks);

  let row = 0;
  const { sizes, stride, contract: mbpCon, top: mbpTop } = mbp;
  const askAt = MBP10_DEPTH * stride;
  const tsOff = mbp.ts.off;
  const recvOff = mbp.recv.off;
  const seqOff = mbp.seq.off;
  const bidOf = books.map((b) => b.bid);
  const askOf = books.map((b) => b.ask);
  // One MBP-10 row: the 20 level sizes, the top tick (prices follow from it), times, seq.
  // The symbol is derived from `contract` when the Frame is made (a string store per row
  // into a JS array costs a GC barrier).
  const emitBook = (ci: number, bt: number, offNs: number): void => {
    const bid = bidOf[ci]!;
    const ask = askOf[ci]!;
    const p0 = bt + shiftOf[ci]!;
    const b = bt - tickBase;
    const r = row - hourRow0;
    for (let k = 0, at = r; k < MBP10_DEPTH; k++, at += stride) {
      sizes[at] = bid[b - k]!;
      sizes[at + askAt] = ask[b + 1 + k]!;
    }
    mbpTop[r] = p0;
    tsOff[r] = offNs;
    recvOff[r] = offNs + 20_000 + (quotes.nextU32() & 0x3ffff);
    mbpCon[r] = ci;
    seqOff[r] = seqNext[ci] += 1 + (seqGaps.nextU32() & 7); // vendor channels interleave other instruments
    row++;
  };
  const nextSeq = (ci: number): number => (seqNext[ci] += 1 + (seqGaps.nextU32() & 7));

  // per-step scratch: event offsets (ns within the step) and kinds (0 trade, 1 quote)
  let evOff = new Float64Array(64);
  let evKind = new Uint8Array(64);
  const wallLambdaRth = WALLS_PER_HOUR / (3600_000 / STEP_MS);

  let t = 0;
  let prevBt = path.bidTick[0]!;
  for (let i = 0; i < n; i++) {
    const base = i * STEP_NS;
    const bt = path.bidTick[i]!;
    if (hourly) {
      const hour = utcHourOfStep(clock, i);
      if (hour !== bufferHour) {
        mbp.n = row - hourRow0;
        if (mbp.n > 0) yield mbp.toFrame(startNs, SIM_SOURCE, symbols);
        hourRow0 = row;
        mbp.n = 0;
        bufferHour = hour;
      }
    }
    if (i === 0 || bt !== prevBt) {
      books[0]!.onTopChange(prevBt, bt);
      for (let ci = 1; ci < books.length; ci++) books[ci]!.onTopChange(prevBt, bt);
      emitBook(0, bt, base + (quotes.nextU32() % TOP_WINDOW_NS));
      prevBt = bt;
    }
    if (quotes.next() < wallLambdaRth * (i < clock.rthOpenStep ? 0.3 : 1)) {
      books[0]!.addWall(bt, i, Math.round(quotes.uniform(5, 40) * 60_000 / STEP_MS));
    }

    const k = nTrades[i]!;
    const m = nQuotes[i]!;
    const e = k + m;
    if (e === 0) continue;
    if (e > evOff.length) {
      evOff = new Float64Array(e * 2);
      evKind = new Uint8Array(e * 2);
    }
    // Trades draw only from `tape` and quotes only from `quotes`, so the quote rate never
    // changes the trade tape. 90 % of the step is for event times, the rest absorbs the
    // minimum spacing that keeps timestamps unique.
    const spacing = Math.max(4, Math.min(4096, Math.floor(SPACING_RESERVE_NS / e)));
    placeStepEvents(evOff, evKind, k, e, spacing, tape, quotes);

    // aggressor bias follows where the path goes next: buyers lift into rallies
    const ahead = path.mid[Math.min(n - 1, i + 8)]! - path.mid[i]!;
    const pBuy = 0.5 + 0.32 * Math.tanh(ahead / 0.5);

    for (let j = 0; j < e; j++) {
      const off = base + evOff[j]!;
      const ci = secondShare > 0 && (evKind[j] === 1 ? quotes : tape).next() < secondShare ? 1 : 0;
      if (evKind[j] === 1) {
        books[ci]!.onQuote(bt, i);
        emitBook(ci, bt, off);
        continue;
      }
      const { aggr, buySide, size } = drawTrade(tape, pBuy, ci === 0 ? 1 : contracts[ci]!.sizeMultiplier, ci === 0);
      const shift = contracts[ci]!.offsetTicks;
      tTs.set(t, off);
      tRecv.set(t, off + 15_000 + (tape.nextU32() & 0x3ffff));
      tSym[t] = contracts[ci]!.symbol;
      tradeContract[t] = ci;
      tPrice[t] = (buySide ? bt + 1 + shift : bt + shift) * TICK;
      tSize[t] = size;
      tAggr[t] = aggr;
      tSeq.off[t] = nextSeq(ci);
      books[ci]!.onTrade(bt, buySide, size);
      postTradeRow[t] = row;
      emitBook(ci, bt, off + 1 + Math.floor(tape.next() * (spacing >> 1)));
      t++;
    }
  }
  if (t !== totalTrades || row !== totalMbp) throw new Error(`sim bookkeeping: ${t}/${totalTrades} trades, ${row}/${totalMbp} mbp rows`);

  mbp.n = row - hourRow0;
  if (hourly && mbp.n > 0) yield mbp.toFrame(startNs, SIM_SOURCE, symbols);
  const trades = tradesFrame(totalTrades, startNs, tradeCols);
  return {
    trades,
    // Hour by hour, the rows were handed out already: the day keeps none of them.
    mbp10: hourly ? Frame.empty(FUTURES_MBP10) : mbp.toFrame(startNs, SIM_SOURCE, symbols),
    postTradeRow,
    tradeOffNs: tTs.off,
    mbpOffNs: hourly ? new Float64Array(0) : mbp.ts.off,
    tradeContract,
    mbpContract: hourly ? new Uint8Array(0) : mbp.contract,
  };
}

const MS_PER_HOUR = 3_600_000;

function utcHourOfStep(clock: SessionClock, i: number): number {
  return Math.floor((clock.startMs + i * STEP_MS) / MS_PER_HOUR);
}

/** The most MBP-10 rows any UTC hour of the day holds (pass-1 counts: top moves + trades + quotes). */
function maxRowsPerHour(clock: SessionClock, path: PricePath, nTrades: Uint16Array, nQuotes: Uint16Array): number {
  let best = 0;
  let cur = 0;
  let hour = -1;
  for (let i = 0; i < clock.nSteps; i++) {
    const h = utcHourOfStep(clock, i);
    if (h !== hour) {
      best = Math.max(best, cur);
      cur = 0;
      hour = h;
    }
    cur += (i === 0 || path.bidTick[i] !== path.bidTick[i - 1] ? 1 : 0) + nTrades[i]! + nQuotes[i]!;
  }
  return Math.max(best, cur, 1);
}

interface StepCounts {
  nTrades: Uint16Array;
  nQuotes: Uint16Array;
  totalTrades: number;
  totalQuotes: number;
  topChanges: number;
  minTick: number;
  maxTick: number;
}

/** Pass 1: per-step trade and quote counts, so every column is allocated once at its exact length. */
function drawStepCounts(clock: SessionClock, path: PricePath, rates: SimRates, counts: Rng, quoteCounts: Rng): StepCounts {
  const n = clock.nSteps;
  const nTrades = new Uint16Array(n);
  const nQuotes = new Uint16Array(n);
  const tradeLambda = (rates.tradesPerSec * STEP_MS) / 1000;
  const quoteLambda = (rates.mbpPerSec * STEP_MS) / 1000;
  let totalTrades = 0;
  let totalQuotes = 0;
  let topChanges = 0;
  let minTick = Infinity;
  let maxTick = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = clock.activity[i]!;
    nTrades[i] = Math.min(65535, counts.poisson(tradeLambda * a));
    nQuotes[i] = Math.min(65535, quoteCounts.poisson(quoteLambda * a));
    totalTrades += nTrades[i]!;
    totalQuotes += nQuotes[i]!;
    const bt = path.bidTick[i]!;
    if (i === 0 || bt !== path.bidTick[i - 1]) topChanges++;
    if (bt < minTick) minTick = bt;
    if (bt > maxTick) maxTick = bt;
  }
  return { nTrades, nQuotes, totalTrades, totalQuotes, topChanges, minTick, maxTick };
}

/**
 * Event times of one step's `k` trades and `e - k` quotes (ns within the step), sorted and
 * forced strictly increasing with room for a post-trade book update between consecutive events.
 */
function placeStepEvents(evOff: Float64Array, evKind: Uint8Array, k: number, e: number, spacing: number, tape: Rng, quotes: Rng): void {
  // Sort (time, draw index) pairs packed into one exact double — offsets < 2^28, indices
  // < 2^17 — so the order is a stable sort's on time (ties keep draw order).
  const keys = evOff.subarray(0, e);
  for (let j = 0; j < e; j++) {
    keys[j] = (TOP_WINDOW_NS + Math.floor((j < k ? tape : quotes).next() * EVENT_WINDOW_NS)) * EVENT_INDEX_SPAN + j;
  }
  if (e > 1) sortSpreadKeys(keys, TOP_WINDOW_NS * EVENT_INDEX_SPAN, (TOP_WINDOW_NS + EVENT_WINDOW_NS) * EVENT_INDEX_SPAN);
  for (let a = 0; a < e; a++) {
    const key = keys[a]!;
    const off = Math.floor(key / EVENT_INDEX_SPAN);
    evKind[a] = key - off * EVENT_INDEX_SPAN < k ? 0 : 1;
    evOff[a] = a > 0 && off < evOff[a - 1]! + spacing ? evOff[a - 1]! + spacing : off;
  }
}

let bucketed = new Float64Array(256);
let bucketStart = new Int32Array(257);

/**
 * Sorts distinct keys spread evenly over [lo, hi) — a step's uniform event times: one bucket
 * per key by value, then an insertion sort that only moves keys within their bucket (expected
 * linear). The native typed-array sort took ~4 µs for a 100-event step, most of a heavy day's
 * placement; this takes a fraction of it, to the same order.
 */
function sortSpreadKeys(keys: Float64Array, lo: number, hi: number): void {
  const e = keys.length;
  if (bucketed.length < e) {
    bucketed = new Float64Array(e * 2);
    bucketStart = new Int32Array(e * 2 + 1);
  }
  const scale = e / (hi - lo);
  const bucketOf = (key: number): number => Math.min(e - 1, Math.max(0, Math.floor((key - lo) * scale)));
  bucketStart.fill(0, 0, e + 1);
  for (let j = 0; j < e; j++) bucketStart[bucketOf(keys[j]!) + 1]!++;
  for (let b = 0; b < e; b++) bucketStart[b + 1]! += bucketStart[b]!;
  for (let j = 0; j < e; j++) bucketed[bucketStart[bucketOf(keys[j]!)]!++] = keys[j]!;
  for (let j = 0; j < e; j++) {
    const key = bucketed[j]!;
    let i = j;
    for (; i > 0 && keys[i - 1]! > key; i--) keys[i] = keys[i - 1]!;
    keys[i] = key;
  }
}

interface TradeColumns {
  tTs: TimeColumn;
  tRecv: TimeColumn;
  tSym: (string | null)[];
  tPrice: Float64Array;
  tSize: Int32Array;
  tAggr: Int8Array;
  tSeq: TimeColumn;
}

function newTradeColumns(totalTrades: number): TradeColumns {
  return {
    tTs: new TimeColumn(totalTrades),
    tRecv: new TimeColumn(totalTrades),
    tSym: new Array<string | null>(totalTrades),
    tPrice: new Float64Array(totalTrades),
    tSize: new Int32Array(totalTrades),
    tAggr: new Int8Array(totalTrades),
    tSeq: new TimeColumn(totalTrades),
  };
}

/**
 * One print's aggressor (0: none, ±1), the side of the touch it takes and its size: heavy-tailed
 * lots, scaled for a back month so its volume share holds.
 */
function drawTrade(tape: Rng, pBuy: number, sizeMultiplier: number, front: boolean): { aggr: number; buySide: boolean; size: number } {
  const u = tape.next();
  const aggr = u < 0.012 ? 0 : u < 0.012 + pBuy * 0.988 ? 1 : -1;
  const buySide = aggr === 1 || (aggr === 0 && tape.next() < 0.5);
  const lots = tape.heavyTailInt(1.3, 1.45, 1500);
  const size = front ? lots : Math.min(3000, Math.max(1, Math.round(lots * sizeMultiplier)));
  return { aggr, buySide, size };
}

/** The FUTURES_TRADES frame over the filled trade columns. */
function tradesFrame(totalTrades: number, startNs: bigint, c: TradeColumns): Frame {
  const sourceCol = (len: number) => new Array<string | null>(len).fill(SIM_SOURCE);
  const tradeCols: Column[] = [];
  for (const def of FUTURES_TRADES.columns) {
    let values;
    let valid: Uint8Array | undefined;
    switch (def.name) {
      case "ts_event_ns": values = c.tTs.toBigInt(startNs); break;
      case "ts_recv_ns": values = c.tRecv.toBigInt(startNs); break;
      case "source": values = sourceCol(totalTrades); break;
      case "symbol": values = c.tSym; break;
      case "price": values = c.tPrice; break;
      case "size": values = c.tSize; break;
      case "aggressor": values = c.tAggr; break;
      case "exchange": values = new Array<string | null>(totalTrades).fill("CME"); break;
      case "conditions": values = allocValues("list_int16", totalTrades); break;
      case "seq": values = c.tSeq.toBigInt(0n); break;
      default: throw new Error(`sim: no generator for futures.trades column ${def.name}`);
    }
    tradeCols.push({ name: def.name, type: def.type, values, valid });
  }
  return new Frame(tradeCols, totalTrades);
}
