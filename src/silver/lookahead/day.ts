/**
 * One session date's Bronze, loaded and converted once, that can be cut at any instant in
 * memory: the look-ahead analysis re-runs the pipeline many times per day on "what was in
 * Bronze at time T" without touching Parquet again.
 *
 * Cutting is exact: trades and options keep rows with ts ≤ T; MBP-10 is downsampled from
 * the raw window rows with ts ≤ T, so the bucket holding T gets the winner a live run
 * would have picked (not the whole-day winner, which may lie after T).
 */
import type { Frame } from "../../frame";
import type { BronzeInput } from "../pipeline/bronze-input";
import type { MbpData, OptionsData, PipelineContext, TradesData } from "../pipeline/context";
import { mbpFromWindowRows, mbpWindowRows, optionsFromFrame, tradesFromFrame, type MbpWindowRows } from "../pipeline/stages/s01-load-bronze";
import { mbpWindow } from "../pipeline/stages/s01-load-bronze";
import { gatherValues } from "../../frame-gather";
import { LakeError } from "../../errors";
import { calendarFrontMonth, frontMonthOf, tradesOfContract } from "../pipeline/front-month";

/** Every contract a front-month rule can pick on D: the day's traded contracts and the calendar one. */
function bookCandidates(ctx: PipelineContext, trades: TradesData): string[] {
  const codes = new Set<string>([calendarFrontMonth(ctx.date)]);
  for (const s of trades.symbol) if (s !== null) codes.add(s);
  return [...codes].sort();
}

export interface DayInputs {
  trades: TradesData;
  mbp: MbpData;
  options: OptionsData;
}

/** Index of the first element > x in an ascending array (count of elements ≤ x). */
export function countAtOrBelow(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One contract's MBP-10 window rows (all contracts under the key "" when none is picked). */
interface BookOf {
  frame: Frame;
  rows: MbpWindowRows;
}

export class TruncatableDay {
  private constructor(
    private readonly books: Map<string, BookOf>,
    private readonly fullTrades: TradesData,
    private readonly fullOptions: OptionsData,
    private readonly originNs: bigint,
  ) {}

  /**
   * Reads D once through `bronze`. Trades are kept for every contract and the front month is
   * picked on each cut (front-month.ts), so a rule that looks at the whole day's trades
   * shows up as a leak; the book is loaded for every contract such a pick can name.
   */
  static async load(bronze: BronzeInput, ctx: PipelineContext): Promise<TruncatableDay> {
    const { t0, t1 } = mbpWindow(ctx);
    const [tf, of] = await Promise.all([bronze.trades(ctx.date, undefined), bronze.options(ctx.date)]);
    if (tf.numRows === 0) throw new LakeError(`no ES futures trades in Bronze for ${ctx.date}`);
    const trades = tradesFromFrame(tf, ctx.originNs);
    const codes = ctx.cfg.fixes.contractFilter ? bookCandidates(ctx, trades) : [undefined];
    const books = new Map<string, BookOf>();
    for (const code of codes) {
      const frame = await bronze.mbp10(ctx.date, t0, t1, code);
      books.set(code ?? "", { frame, rows: mbpWindowRows(frame, ctx) });
    }
    return new TruncatableDay(books, trades, optionsFromFrame(of, ctx.originNs), ctx.originNs);
  }

  /** MBP-10 rows inside the load window of the whole day's pick: without any, the pipeline builds no rows for D. */
  bookRows(ctx: PipelineContext): number {
    return this.bookFor(frontMonthOf(ctx.cfg, ctx.date, this.fullTrades)).rows.sorted.length;
  }

  /** Bronze as known at `cutNs` (inclusive); `null` = the whole day. */
  at(cutNs: bigint | null, ctx: PipelineContext): DayInputs {
    const known = cutNs === null ? this.fullTrades : this.tradesAt(Number(cutNs - this.originNs));
    const front = frontMonthOf(ctx.cfg, ctx.date, known);
    const trades = front === undefined ? known : tradesOfContract(known, front);
    const book = this.bookFor(front);
    if (cutNs === null) return { trades, mbp: mbpFromWindowRows(book.frame, book.rows, ctx), options: this.fullOptions };
    const mbpLimit = countAtOrBelow(book.rows.sinceT0, Number(cutNs - book.rows.t0));
    const mbp = mbpFromWindowRows(book.frame, book.rows, ctx, mbpLimit);
    return { trades, mbp, options: this.optionsAt(Number(cutNs - this.originNs)) };
  }

  private bookFor(front: string | undefined): BookOf {
    const b = this.books.get(front ?? "");
    if (!b) throw new LakeError(`no book loaded for contract ${front ?? "(all)"}`);
    return b;
  }

  private tradesAt(cut: number): TradesData {
    const tr = this.fullTrades;
    const k = countAtOrBelow(tr.t, cut);
    return {
      n: k,
      ts: tr.ts.subarray(0, k),
      t: tr.t.subarray(0, k),
      price: tr.price.subarray(0, k),
      size: tr.size.subarray(0, k),
      aggressor: tr.aggressor.subarray(0, k),
      symbol: tr.symbol.slice(0, k),
    };
  }

  private optionsAt(cut: number): OptionsData {
    const o = this.fullOptions;
    const keep: number[] = [];
    for (let i = 0; i < o.n; i++) if (o.t[i]! <= cut) keep.push(i);
    if (keep.length === o.n) return o;
    const rows = Uint32Array.from(keep);
    return {
      n: rows.length,
      ts: gatherValues(o.ts, rows),
      t: gatherValues(o.t, rows),
      strike: gatherValues(o.strike, rows),
      right: gatherValues(o.right, rows),
      size: gatherValues(o.size, rows),
      aggressor: gatherValues(o.aggressor, rows),
      expDate: gatherValues(o.expDate as (string | null)[], rows) as string[],
    };
  }
}
