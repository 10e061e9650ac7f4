/**
 * Decoded DBN columns → Bronze frames (contracts §2.2–§2.4), columnar: the typed arrays the
 * decoder filled become the frame's columns (sub-arrays when every row is kept, one gather
 * otherwise). Mapping (docs/dbn.md): ts_event → ts_event_ns, ts_recv → ts_recv_ns,
 * source "direct_feed", raw symbol → symbol (ES outrights only, partition root ES),
 * price ÷ 1e9, side B → +1 / A → −1 / else 0, exchange "CME" for GLBX.MDP3,
 * sequence → seq, F_SNAPSHOT → is_snapshot; option trades take strike, right, expiry and
 * underlying from their instrument definition.
 */
import { Frame, type Column, type ColumnValues } from "../frame";
import { FUTURES_MBP10, FUTURES_TRADES, futuresRoot, MBP10_DEPTH, OPTION_TRADES } from "../schemas/bronze";
import type { TableSchema } from "../schemas/types";
import { FLAG } from "./constants";
import type { CommonColumns, Mbp10Columns, TradeColumns } from "./columns";
import type { Symbology } from "./symbology";

export type ImportSchema = "auto" | "trades" | "mbp10" | "options";
export type SkipCounts = Record<string, number>;

const SIDE_B = 0x42, SIDE_A = 0x41;
const TWO32 = 4294967296;
const NS_PER_DAY = 86_400e9;
const NS_PER_DAY_N = 86_400_000_000_000n;
/** 1 ms: far beyond a float timestamp's error, so a row this far inside a day is surely in it. */
const DAY_EDGE = 1e6;

function bump(s: SkipCounts, k: string, n = 1): void {
  s[k] = (s[k] ?? 0) + n;
}

function filled<T>(n: number, v: T): T[] {
  return new Array<T>(n).fill(v);
}

function col(name: string, schema: TableSchema, values: ColumnValues): Column {
  const def = schema.columns.find((c) => c.name === name)!;
  return { name, type: def.type, values };
}

/** Approximate ns as a float from the Int32 halves of a BigInt64Array (for day/hour bucketing). */
export function approxNs(ts32: Int32Array, r: number): number {
  return ts32[r * 2 + 1]! * TWO32 + (ts32[r * 2]! >>> 0);
}

function aggressorOf(side: Uint8Array, n: number): Int8Array {
  const out = new Int8Array(n);
  for (let r = 0; r < n; r++) out[r] = side[r] === SIDE_B ? 1 : side[r] === SIDE_A ? -1 : 0;
  return out;
}

interface Resolved {
  symbols: (string | null)[];
  futures: Uint32Array;
  options: number[];
}

/**
 * Which rows are ES futures (and their contract symbols) and which are option trades. Rows of
 * one instrument come in runs, so the id's lookups and the symbol's root are redone only
 * when the instrument changes (the symbology caches the day).
 */
function resolveRows(c: CommonColumns, sym: Symbology, skipped: SkipCounts, wantFutures: boolean, wantOptions: boolean): Resolved {
  const n = c.n;
  const ts32 = new Int32Array(c.tsEvent.buffer, c.tsEvent.byteOffset, n * 2);
  const symbols = new Array<string | null>(n);
  const futures = new Uint32Array(n);
  let nFutures = 0;
  const options: number[] = [];
  let lastId = -1, isOption = false;
  let lastSym: string | null = null, isFuture = false;
  const notEs = sym.options.size ? "not an ES outright" : "not an ES outright (option trades need --definitions)";
  // the symbology maps by UTC day: the symbol resolved for a row holds for its instrument's
  // rows well inside the same day; near a day's edges each row is resolved by its exact day
  let symId = -1, symFrom = 0, symUntil = -1, sym0: string | null = null;
  for (let r = 0; r < n; r++) {
    const id = c.instrumentId[r]!;
    if (id !== lastId) {
      lastId = id;
      isOption = sym.options.has(id);
    }
    if (isOption) {
      if (wantOptions) options.push(r);
      else bump(skipped, "option trade (not selected)");
      continue;
    }
    const t = approxNs(ts32, r);
    if (id !== symId || !(t > symFrom && t < symUntil)) {
      let day = Math.floor(t / NS_PER_DAY);
      const within = t - day * NS_PER_DAY;
      // near midnight the float may round across it: the exact day from the integer
      if (within < DAY_EDGE || within > NS_PER_DAY - DAY_EDGE) day = Number(c.tsEvent[r]! / NS_PER_DAY_N);
      sym0 = sym.resolve(id, day * NS_PER_DAY + NS_PER_DAY / 2);
      symId = id;
      symFrom = day * NS_PER_DAY + DAY_EDGE;
      symUntil = (day + 1) * NS_PER_DAY - DAY_EDGE;
    }
    const s = sym0;
    symbols[r] = s;
    if (s !== lastSym) {
      lastSym = s;
      isFuture = s !== null && futuresRoot(s) !== null;
    }
    if (isFuture && wantFutures) futures[nFutures++] = r;
    else bump(skipped, s === null ? "unmapped instrument_id" : !isFuture ? notEs : "futures trade (not selected)");
  }
  return { symbols, futures: futures.subarray(0, nFutures), options };
}

function frameOf(cols: Column[], n: number, keep: Uint32Array): Frame {
  const f = new Frame(cols, n);
  return keep.length === n ? f : f.take(keep);
}

export function tradeFrames(c: TradeColumns, sym: Symbology, mode: ImportSchema, exchange: string | null, skipped: SkipCounts): { futures: Frame | null; options: Frame | null } {
  const n = c.n;
  if (n === 0) return { futures: null, options: null };
  const res = resolveRows(c, sym, skipped, mode !== "options", mode !== "trades");
  const tsEvent = c.tsEvent.subarray(0, n), tsRecv = c.tsRecv.subarray(0, n), seq = c.seq.subarray(0, n);
  const price = c.price.subarray(0, n), size = c.size.subarray(0, n);
  const aggressor = aggressorOf(c.side, n);
  let futures: Frame | null = null;
  if (res.futures.length) {
    const S = FUTURES_TRADES;
    futures = frameOf([
      col("ts_event_ns", S, tsEvent), col("ts_recv_ns", S, tsRecv), col("source", S, filled(n, "direct_feed")),
      col("symbol", S, res.symbols), col("price", S, price), col("size", S, size), col("aggressor", S, aggressor),
      col("exchange", S, filled<string | null>(n, exchange)), col("conditions", S, filled<Int16Array | null>(n, null)), col("seq", S, seq),
    ], n, res.futures);
  }
  let options: Frame | null = null;
  if (res.options.length) options = optionFrame(c, sym, res.options, aggressor, skipped);
  return { futures, options };
}

function optionFrame(c: TradeColumns, sym: Symbology, rows: number[], aggressorAll: Int8Array, skipped: SkipCounts): Frame | null {
  const S = OPTION_TRADES;
  const keep: number[] = [];
  const underlying: string[] = [], optionSymbol: string[] = [], right: string[] = [];
  const expDate: number[] = [], strike: number[] = [];
  for (const r of rows) {
    const d = sym.options.get(c.instrumentId[r]!)!;
    const root = futuresRoot(d.underlying) ?? (d.asset === "ES" ? "ES" : null);
    if (!root) { bump(skipped, "option on another underlying"); continue; }
    keep.push(r);
    underlying.push(root);
    optionSymbol.push(d.rawSymbol);
    right.push(d.right);
    expDate.push(Number(d.expiration / 86_400_000_000_000n));
    strike.push(Number(d.strike) / 1e9);
  }
  const m = keep.length;
  if (!m) return null;
  const base = new Frame([
    col("ts_event_ns", S, c.tsEvent.subarray(0, c.n)), col("ts_recv_ns", S, c.tsRecv.subarray(0, c.n)),
    col("price", S, c.price.subarray(0, c.n)), col("size", S, c.size.subarray(0, c.n)),
    col("aggressor", S, aggressorAll), col("seq", S, c.seq.subarray(0, c.n)),
  ], c.n).take(keep);
  const nulls = new Uint8Array(m);
  return new Frame([
    base.column("ts_event_ns"), base.column("ts_recv_ns"), col("source", S, filled(m, "direct_feed")),
    col("underlying", S, underlying), col("option_symbol", S, optionSymbol), col("exp_date", S, Int32Array.from(expDate)),
    col("strike", S, Float64Array.from(strike)), col("right", S, right), base.column("price"), base.column("size"),
    { ...col("opt_bid", S, new Float64Array(m)), valid: nulls }, { ...col("opt_ask", S, new Float64Array(m)), valid: nulls },
    base.column("aggressor"), col("conditions", S, filled<Int16Array | null>(m, null)), base.column("seq"),
  ], m);
}

export function mbp10Frame(c: Mbp10Columns, sym: Symbology, skipped: SkipCounts): Frame | null {
  const n = c.n;
  if (n === 0) return null;
  const res = resolveRows(c, sym, skipped, true, false);
  if (!res.futures.length) return null;
  const S = FUTURES_MBP10;
  const snapshot = new Uint8Array(n);
  for (let r = 0; r < n; r++) snapshot[r] = (c.flags[r]! & FLAG.SNAPSHOT) !== 0 ? 1 : 0;
  const cols: Column[] = [
    col("ts_event_ns", S, c.tsEvent.subarray(0, n)), col("ts_recv_ns", S, c.tsRecv.subarray(0, n)),
    col("source", S, filled(n, "direct_feed")), col("symbol", S, res.symbols),
  ];
  for (let i = 0; i < MBP10_DEPTH; i++) cols.push(col(`bid_px_${i + 1}`, S, c.bidPx[i]!.subarray(0, n)), col(`bid_sz_${i + 1}`, S, c.bidSz[i]!.subarray(0, n)));
  for (let i = 0; i < MBP10_DEPTH; i++) cols.push(col(`ask_px_${i + 1}`, S, c.askPx[i]!.subarray(0, n)), col(`ask_sz_${i + 1}`, S, c.askSz[i]!.subarray(0, n)));
  cols.push(col("is_snapshot", S, snapshot), col("seq", S, c.seq.subarray(0, n)));
  return frameOf(cols, n, res.futures);
}
