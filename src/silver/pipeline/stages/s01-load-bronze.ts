/**
 * S1 LoadBronze — es-pipeline §5.1 (inputs §1.2–§1.4).
 *
 * Trades: every row of partition D, sorted by (ts_event_ns, seq) — [FIX] tie-break that
 * changes no value. MBP-10: rows with T0 ≤ ts ≤ T1, downsampled to one snapshot per
 * 250 ms bucket (round-half-even bucket index [REF], D-11 [FIX] floor); the largest ts of a
 * bucket wins, ties by highest seq, then last in file order. Options: every row, in table
 * order. [REF] No contract filter (D-10); the contractFilter fix keeps one front month,
 * picked point-in-time by front-month.ts.
 */
import type { Frame } from "../../../frame";
import { LakeError } from "../../../errors";
import type { MbpData, OptionsData, PipelineContext, Stage, TradesData } from "../context";
import type { BronzeInput } from "../bronze-input";
import { gatherValues } from "../../../frame-gather";
import { float64Column, gatherNumber, int64Column, isoDateColumn, numberColumn, relativeNs, stringColumn } from "../frame-columns";
import { roundHalfEven } from "../numeric";
import { etInstantNs } from "../../../core/time/session";
import { prefetchWarmup } from "../warmup";
import { contractBeforeTrades, frontMonthOf, tradesOfContract } from "../front-month";

const LEVELS = 10;

export function bronzeOf(ctx: PipelineContext): BronzeInput {
  if (!ctx.bronze) throw new Error("pipeline context has no Bronze input (runPipeline sets it from dataRoot/store)");
  return ctx.bronze;
}

/**
 * Index order sorting by (t, seq, input position); null when already in that order. A
 * missing seq (NaN) sorts last (the readers' `seq NULLS LAST`), or first with
 * `nullSeqFirst` — used for MBP buckets, where the LAST row wins and a real seq must beat
 * a missing one.
 */
export function sortOrder(ts: Float64Array, seq: Float64Array, nullSeqFirst = false): Uint32Array | null {
  const n = ts.length;
  const nullRank = nullSeqFirst ? -1 : 1;
  const seqCmp = (a: number, b: number): number => {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : nullRank;
    if (Number.isNaN(b)) return -nullRank;
    return a - b;
  };
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    if (ts[i]! < ts[i - 1]! || (ts[i] === ts[i - 1] && seqCmp(seq[i]!, seq[i - 1]!) < 0)) sorted = false;
  }
  if (sorted) return null;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => (ts[a]! < ts[b]! ? -1 : ts[a]! > ts[b]! ? 1 : seqCmp(seq[a]!, seq[b]!) || a - b));
  return Uint32Array.from(idx);
}

function permute<V extends Float64Array | (string | null)[] | BigInt64Array>(values: V, order: Uint32Array | null): V {
  return order ? gatherValues(values, order) : values;
}

export function tradesFromFrame(f: Frame, originNs: bigint): TradesData {
  const n = f.numRows;
  const ts0 = int64Column(f, "ts_event_ns");
  const t0 = relativeNs(ts0, originNs);
  const order = sortOrder(t0, numberColumn(f, "seq", NaN));
  const ts = permute(ts0, order);
  const t = permute(t0, order);
  const price = permute(numberColumn(f, "price", NaN), order);
  const size = permute(numberColumn(f, "size", 0), order);
  const aggRaw = permute(numberColumn(f, "aggressor", 0), order);
  const symbol = permute(stringColumn(f, "symbol"), order);
  const aggressor = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const a = aggRaw[i]!; // §1.2: null / non-numeric / not in {−1, 0, 1} → 0
    aggressor[i] = a === 1 ? 1 : a === -1 ? -1 : 0;
  }
  return { n, ts, t, price, size, aggressor, symbol };
}

/** MBP-10 load window [T0, T1] (§1.3): ET(D, 09:30) − W_b … ET(D, 16:00) + W_b ([FIX] D-12: from 09:20). */
/** [FIX] D-12: the book is read from 09:20 ET, so the 300 s OFI and 5-minute barrier windows are whole at 09:30. */
const EARLY_MBP_LEAD_SEC = 600;

export function mbpWindow(ctx: Pick<PipelineContext, "date" | "cfg">): { t0: bigint; t1: bigint } {
  const buf = BigInt(ctx.cfg.windows.barrierSec) * 1_000_000_000n;
  const lead = ctx.cfg.fixes.earlyMbpLoad ? BigInt(Math.max(ctx.cfg.windows.barrierSec, EARLY_MBP_LEAD_SEC)) * 1_000_000_000n : buf;
  return {
    t0: etInstantNs(ctx.date, ctx.cfg.session.rthStart) - lead,
    t1: etInstantNs(ctx.date, ctx.cfg.session.mbpLoadEnd) + buf,
  };
}

/**
 * §5.1 step 2. `sinceT0` = ts − T0 of rows sorted by (ts, seq, file order). Returns the row
 * of each bucket's winner: the last row of each run of equal bucket index.
 */
export function downsampleWinners(sinceT0: Float64Array, intervalNs: number, floorBuckets: boolean): Uint32Array {
  const n = sinceT0.length;
  const keep: number[] = [];
  let prevBucket = NaN;
  for (let i = 0; i < n; i++) {
    const q = sinceT0[i]! / intervalNs; // float division, then rounding (the reference's SQL cast)
    const bucket = floorBuckets ? Math.floor(q) : roundHalfEven(q);
    if (i > 0 && bucket !== prevBucket) keep.push(i - 1);
    prevBucket = bucket;
  }
  if (n > 0) keep.push(n - 1);
  return Uint32Array.from(keep);
}

/** The MBP-10 rows of the load window in (ts, seq, file order): what downsampling walks. */
export interface MbpWindowRows {
  /** row numbers of the Frame, sorted */
  sorted: Uint32Array;
  /** ts − T0 of each sorted row (exact ns) */
  sinceT0: Float64Array;
  tsAll: BigInt64Array;
  relAll: Float64Array;
  t0: bigint;
}

export function mbpWindowRows(f: Frame, ctx: PipelineContext): MbpWindowRows {
  const { t0, t1 } = mbpWindow(ctx);
  const tsAll = int64Column(f, "ts_event_ns");
  const relAll = relativeNs(tsAll, t0); // exact ns since T0
  const seqAll = numberColumn(f, "seq", NaN);
  const span = Number(t1 - t0);
  const inWinAll = new Uint32Array(f.numRows);
  let w = 0;
  for (let i = 0; i < f.numRows; i++) if (relAll[i]! >= 0 && relAll[i]! <= span) inWinAll[w++] = i;
  const inWin = inWinAll.subarray(0, w);
  const wT = new Float64Array(w);
  const wSeq = new Float64Array(w);
  for (let j = 0; j < w; j++) {
    wT[j] = relAll[inWin[j]!]!;
    wSeq[j] = seqAll[inWin[j]!]!;
  }
  const order = sortOrder(wT, wSeq, true);
  const sorted = order ? order.map((j) => inWin[j]!) : inWin;
  const sinceT0 = new Float64Array(w);
  for (let j = 0; j < w; j++) sinceT0[j] = relAll[sorted[j]!]!;
  return { sorted, sinceT0, tsAll, relAll, t0 };
}

/**
 * Downsampled snapshots from the first `limit` sorted window rows (all by default): a
 * truncated day keeps exactly the rows known at its cut-off, so the bucket holding the
 * cut-off gets the winner a live run would have seen.
 */
export function mbpFromWindowRows(f: Frame, w: MbpWindowRows, ctx: PipelineContext, limit = w.sorted.length): MbpData {
  const winners = downsampleWinners(w.sinceT0.subarray(0, limit), ctx.cfg.session.snapIntervalMs * 1e6, ctx.cfg.fixes.floorMbpBuckets);
  const m = winners.length;
  const rows = new Uint32Array(m);
  for (let k = 0; k < m; k++) rows[k] = w.sorted[winners[k]!]!;
  const ts = gatherValues(w.tsAll, rows);
  const t = new Float64Array(m);
  const shift = Number(w.t0 - ctx.originNs);
  for (let k = 0; k < m; k++) t[k] = w.relAll[rows[k]!]! + shift;
  // Only the winners' depth cells are converted: a heavy day has ~25× more rows than buckets.
  // An input that already downsampled (mbp-winners.ts: depth gathered as float64) keeps every
  // row: its columns are the snapshots' arrays as they are (the stages only read them).
  const all = m === f.numRows && rows.every((r, k) => r === k);
  const pick = (name: string) => (all ? float64Column(f, name, 0) : gatherNumber(f, name, rows, 0));
  const side = (s: string) => Array.from({ length: LEVELS }, (_, k) => pick(`${s}_${k + 1}`));
  return { n: m, ts, t, bidPx: side("bid_px"), bidSz: side("bid_sz"), askPx: side("ask_px"), askSz: side("ask_sz") };
}

export function mbpFromFrame(f: Frame, ctx: PipelineContext): MbpData {
  return mbpFromWindowRows(f, mbpWindowRows(f, ctx), ctx);
}

export function optionsFromFrame(f: Frame, originNs: bigint): OptionsData {
  const n = f.numRows;
  const ts = n ? int64Column(f, "ts_event_ns") : new BigInt64Array(0);
  return {
    n,
    ts,
    t: relativeNs(ts, originNs),
    strike: numberColumn(f, "strike", NaN),
    right: stringColumn(f, "right"),
    size: numberColumn(f, "size", 0), // §5.12: null contracts → 0
    aggressor: numberColumn(f, "aggressor", NaN), // null stays NaN: S4 drops it from fuel [REF] D-20
    expDate: isoDateColumn(f, "exp_date"),
  };
}

const stage: Stage = {
  name: "LoadBronze",
  section: "es-pipeline §5.1",
  inputs: [],
  outputs: ["trades", "mbp", "options"],
  async run(ctx) {
    const src = bronzeOf(ctx);
    const { t0, t1 } = mbpWindow(ctx);
    prefetchWarmup(ctx); // S3's warm-up reads overlap with this stage
    const downsample = { intervalNs: BigInt(ctx.cfg.session.snapIntervalMs) * 1_000_000n, floor: ctx.cfg.fixes.floorMbpBuckets };
    // A contract known before the trades (reference: none, calendar rule) lets the book load in parallel.
    const pre = contractBeforeTrades(ctx.cfg, ctx.date);
    const needsTrades = ctx.cfg.fixes.contractFilter && pre === undefined;
    const [tf, of, early] = await Promise.all([
      src.trades(ctx.date, pre),
      src.options(ctx.date),
      needsTrades ? undefined : src.mbp10(ctx.date, t0, t1, pre, downsample),
    ]);
    if (tf.numRows === 0) throw new LakeError(`no ES futures trades in Bronze for ${ctx.date} (futures/trades/symbol=ES/date=${ctx.date})`);
    let trades = tradesFromFrame(tf, ctx.originNs);
    const front = frontMonthOf(ctx.cfg, ctx.date, trades);
    if (front !== undefined) trades = tradesOfContract(trades, front);
    if (trades.n === 0) throw new LakeError(`no ${front} futures trades in Bronze for ${ctx.date} (the front month of ${ctx.date})`);
    const mf = await (early ?? src.mbp10(ctx.date, t0, t1, front, downsample));
    const mbp = mbpFromFrame(mf, ctx);
    if (mbp.n === 0) {
      const utc = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString().slice(11, 19);
      throw new LakeError(`no ES MBP-10 rows for ${ctx.date} inside the load window ${utc(t0)}–${utc(t1)} UTC (futures/mbp10/symbol=ES/date=${ctx.date})`);
    }
    ctx.trades = trades;
    ctx.mbp = mbp;
    ctx.options = optionsFromFrame(of, ctx.originNs);
  },
};
export default stage;
