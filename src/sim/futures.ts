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
import type { DayContract } from "./contracts";
import { TICK, type PricePath } from "./path";
import { Rng } from "./rng";
import type { SimRates } from "./scale";
import { STEP_MS, STEP_NS, type SessionClock } from "./session";
import { TimeColumn } from "./time-column";

export const SIM_SOURCE = "sim";
/** Top-of-book updates land in the first millisecond of a step, before its trades. */
const TOP_WINDOW_NS = 1_000_000;
/** Event times of a step fall in [1 ms, 1 ms + EVENT_WINDOW_NS); the rest of the step absorbs spacing. */
const EVENT_WINDOW_NS = Math.floor((STEP_NS - TOP_WINDOW_NS) * 0.9);
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
  const n = clock.nSteps;
  const dayKey = String(clock.day);
  const counts = Rng.stream(seed, dayKey, "futures-counts");
  const quoteCounts = Rng.stream(seed, dayKey, "futures-quote-counts");
  const tape = Rng.stream(seed, dayKey, "futures-tape");
  const quotes = Rng.stream(seed, dayKey, "futures-quotes");
  const seqGaps = Rng.stream(seed, dayKey, "futures-seq");

  // ---- pass 1: per-step counts ----
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
  const totalMbp = topChanges + totalTrades + totalQuotes;

  // ---- books ----
  const maxOffset = contracts.reduce((m, c) => Math.max(m, Math.abs(c.offsetTicks)), 0);
  void maxOffset; // books are indexed by front-contract ticks; offsets only shift printed prices
  const tickBase = minTick - 20;
  const nTicks = maxTick - minTick + 41;
  const books = contracts.map((c, ci) => new DepthBook(tickBase, nTicks, Rng.stream(seed, dayKey, "book", String(ci)), ci === 0 ? 1 : 0.35));
  const secondShare = contracts.length > 1 ? contracts[1]!.tradeShare : 0;

  // ---- outputs ----
  const tTs = new TimeColumn(totalTrades);
  const tRecv = new TimeColumn(totalTrades);
  const tSym = new Array<string | null>(totalTrades);
  const tPrice = new Float64Array(totalTrades);
  const tSize = new Int32Array(totalTrades);
  const tAggr = new Int8Array(totalTrades);
  const tSeq = new BigInt64Array(totalTrades);
  const postTradeRow = new Int32Array(totalTrades);
  const tradeContract = new Uint8Array(totalTrades);
  const mbpContract = new Uint8Array(totalMbp);

  const mTs = new TimeColumn(totalMbp);
  const mRecv = new TimeColumn(totalMbp);
  const mSym = new Array<string | null>(totalMbp);
  const mSeq = new BigInt64Array(totalMbp);
  const bidPx: Float64Array[] = [];
  const bidSz: Int32Array[] = [];
  const askPx: Float64Array[] = [];
  const askSz: Int32Array[] = [];
  for (let k = 0; k < MBP10_DEPTH; k++) {
    bidPx.push(new Float64Array(totalMbp));
    bidSz.push(new Int32Array(totalMbp));
    askPx.push(new Float64Array(totalMbp));
    askSz.push(new Int32Array(totalMbp));
  }

  const seqNext = contracts.map(() => seqBase(clock.day));
  const nextSeq = (ci: number): bigint => {
    seqNext[ci] += 1 + (seqGaps.nextU32() & 7); // vendor channels interleave other instruments
    return BigInt(seqNext[ci]!);
  };

  let row = 0;
  const emitBook = (ci: number, bt: number, offNs: number): void => {
    const book = books[ci]!;
    const shift = contracts[ci]!.offsetTicks;
    const b = bt - tickBase;
    for (let k = 0; k < MBP10_DEPTH; k++) {
      bidPx[k]![row] = (bt + shift - k) * TICK;
      bidSz[k]![row] = book.bid[b - k]!;
      askPx[k]![row] = (bt + shift + 1 + k) * TICK;
      askSz[k]![row] = book.ask[b + 1 + k]!;
    }
    mTs.set(row, offNs);
    mRecv.set(row, offNs + 20_000 + (quotes.nextU32() & 0x3ffff));
    mSym[row] = contracts[ci]!.symbol;
    mbpContract[row] = ci;
    mSeq[row] = nextSeq(ci);
    row++;
  };

  // per-step scratch: event offsets (ns within the step) and kinds (0 trade, 1 quote)
  let evOff = new Float64Array(64);
  let evKind = new Uint8Array(64);
  const wallLambdaRth = WALLS_PER_HOUR / (3600_000 / STEP_MS);

  let t = 0;
  let prevBt = path.bidTick[0]!;
  for (let i = 0; i < n; i++) {
    const base = i * STEP_NS;
    const bt = path.bidTick[i]!;
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
    for (let j = 0; j < e; j++) {
      evOff[j] = TOP_WINDOW_NS + Math.floor((j < k ? tape : quotes).next() * EVENT_WINDOW_NS);
      evKind[j] = j < k ? 0 : 1;
    }
    // insertion sort (per-step lists are tiny), then force strictly increasing with room
    // for a post-trade book update between consecutive events
    for (let a = 1; a < e; a++) {
      const o = evOff[a]!;
      const kd = evKind[a]!;
      let b = a - 1;
      while (b >= 0 && evOff[b]! > o) {
        evOff[b + 1] = evOff[b]!;
        evKind[b + 1] = evKind[b]!;
        b--;
      }
      evOff[b + 1] = o;
      evKind[b + 1] = kd;
    }
    for (let a = 1; a < e; a++) if (evOff[a]! < evOff[a - 1]! + spacing) evOff[a] = evOff[a - 1]! + spacing;

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
      const u = tape.next();
      const aggr = u < 0.012 ? 0 : u < 0.012 + pBuy * 0.988 ? 1 : -1;
      const buySide = aggr === 1 || (aggr === 0 && tape.next() < 0.5);
      const lots = tape.heavyTailInt(1.3, 1.45, 1500);
      const size = ci === 0 ? lots : Math.min(3000, Math.max(1, Math.round(lots * contracts[ci]!.sizeMultiplier)));
      const shift = contracts[ci]!.offsetTicks;
      tTs.set(t, off);
      tRecv.set(t, off + 15_000 + (tape.nextU32() & 0x3ffff));
      tSym[t] = contracts[ci]!.symbol;
      tradeContract[t] = ci;
      tPrice[t] = (buySide ? bt + 1 + shift : bt + shift) * TICK;
      tSize[t] = size;
      tAggr[t] = aggr;
      tSeq[t] = nextSeq(ci);
      books[ci]!.onTrade(bt, buySide, size);
      postTradeRow[t] = row;
      emitBook(ci, bt, off + 1 + Math.floor(tape.next() * (spacing >> 1)));
      t++;
    }
  }
  if (t !== totalTrades || row !== totalMbp) throw new Error(`sim bookkeeping: ${t}/${totalTrades} trades, ${row}/${totalMbp} mbp rows`);

  const startNs = BigInt(clock.startMs) * 1_000_000n;
  const sourceCol = (len: number) => new Array<string | null>(len).fill(SIM_SOURCE);

  const tradeCols: Column[] = [];
  for (const def of FUTURES_TRADES.columns) {
    let values;
    let valid: Uint8Array | undefined;
    switch (def.name) {
      case "ts_event_ns": values = tTs.toBigInt(startNs); break;
      case "ts_recv_ns": values = tRecv.toBigInt(startNs); break;
      case "source": values = sourceCol(totalTrades); break;
      case "symbol": values = tSym; break;
      case "price": values = tPrice; break;
      case "size": values = tSize; break;
      case "aggressor": values = tAggr; break;
      case "exchange": values = new Array<string | null>(totalTrades).fill("CME"); break;
      case "conditions": values = allocValues("list_int16", totalTrades); break;
      case "seq": values = tSeq; break;
      default: throw new Error(`sim: no generator for futures.trades column ${def.name}`);
    }
    tradeCols.push({ name: def.name, type: def.type, values, valid });
  }

  const mbpCols: Column[] = [];
  for (const def of FUTURES_MBP10.columns) {
    const lvl = /^(bid|ask)_(px|sz)_(\d+)$/.exec(def.name);
    let values;
    if (lvl) {
      const k = Number(lvl[3]) - 1;
      values = lvl[1] === "bid" ? (lvl[2] === "px" ? bidPx[k]! : bidSz[k]!) : lvl[2] === "px" ? askPx[k]! : askSz[k]!;
    } else {
      switch (def.name) {
        case "ts_event_ns": values = mTs.toBigInt(startNs); break;
        case "ts_recv_ns": values = mRecv.toBigInt(startNs); break;
        case "source": values = sourceCol(totalMbp); break;
        case "symbol": values = mSym; break;
        case "is_snapshot": values = new Uint8Array(totalMbp); break;
        case "seq": values = mSeq; break;
        default: throw new Error(`sim: no generator for futures.mbp10 column ${def.name}`);
      }
    }
    mbpCols.push({ name: def.name, type: def.type, values });
  }

  return {
    trades: new Frame(tradeCols, totalTrades),
    mbp10: new Frame(mbpCols, totalMbp),
    postTradeRow,
    tradeOffNs: tTs.off,
    mbpOffNs: mTs.off,
    tradeContract,
    mbpContract,
  };
}
