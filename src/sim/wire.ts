/**
 * Bronze rows → NATS wire messages, byte for byte as contracts §1.6–§1.9 specify (and as
 * the predecessor's Python publishers sent them): keys in declaration order, every key
 * present, int64 ns timestamps as exact integers, enum encodings of §1.5, a 10-element
 * `levels` array for MBP-10, `spy` for the signal market context.
 *
 * The encoders read columns by name and tolerate the physical variants of §2.5 (int64
 * sizes, missing `conditions`, utf8 `exp_date`), so `lake replay` can publish files the
 * predecessor wrote as well as ours.
 */
import { bronzeTable, FUTURES_MBP10 } from "../schemas/bronze";
import { LEVEL_SIGNALS_SUBJECT } from "../schemas/gold";
import { isNullAt, type Column, type Frame } from "../frame";
import { formatEpochDay } from "../core/time/calendar";
import { pyDumps, pyFloat, pyStr } from "./pyjson";
import { mbp10ByteEncoder } from "./wire-bytes";
import type { SignalPayload } from "./signals";

/** Wire schema → NATS subject, from the table definitions (contracts §1.2). */
export const SUBJECTS = {
  trades: bronzeTable("futures.trades").subject,
  mbp10: bronzeTable("futures.mbp10").subject,
  options: bronzeTable("options.trades").subject,
  signals: LEVEL_SIGNALS_SUBJECT,
} as const;
export type WireSchema = keyof typeof SUBJECTS;
export const WIRE_SCHEMAS = Object.keys(SUBJECTS) as WireSchema[];

export interface WireMessage {
  subject: string;
  data: Uint8Array;
  /** Event time (ns) the merge ordered by — used for event-time pacing. */
  tsNs: bigint;
  /**
   * JetStream message id (`Nats-Msg-Id`): subject + ts_event_ns + seq, so a re-publish of the
   * same event inside the stream's duplicate window is dropped by the server, not stored twice.
   */
  msgId?: string;
}

type Cell = (i: number) => string;

function colOrNull(f: Frame, name: string): Column | undefined {
  return f.has(name) ? f.column(name) : undefined;
}

function intCell(c: Column | undefined): Cell {
  if (!c) return () => "null";
  const v = c.values as ArrayLike<number | bigint | string | null>;
  const hasNulls = c.valid !== undefined || c.type === "utf8";
  return (i) => {
    if (hasNulls && isNullAt(c, i)) return "null";
    const x = v[i]!;
    return typeof x === "bigint" ? x.toString() : typeof x === "string" ? x : String(x);
  };
}

function floatCell(c: Column | undefined): Cell {
  if (!c) return () => "null";
  const v = c.values as ArrayLike<number | bigint>;
  const hasNulls = c.valid !== undefined;
  return (i) => (hasNulls && isNullAt(c, i) ? "null" : pyFloat(Number(v[i]!)));
}

function strCell(c: Column | undefined, fallback: string | null = null): Cell {
  const fb = fallback === null ? "null" : pyStr(fallback);
  if (!c) return () => fb;
  const v = c.values as ArrayLike<string | null>;
  return (i) => {
    const s = isNullAt(c, i) ? null : v[i];
    return s === null || s === undefined ? fb : pyStr(String(s));
  };
}

function boolCell(c: Column | undefined, fallback: boolean): Cell {
  const fb = fallback ? "true" : "false";
  if (!c) return () => fb;
  const v = c.values as ArrayLike<number | boolean>;
  return (i) => (isNullAt(c, i) ? fb : v[i] ? "true" : "false");
}

/** list<int16> → `[1, 2]`; null and empty (stored as null, §2.2) → `null`. */
function listCell(c: Column | undefined): Cell {
  if (!c) return () => "null";
  const v = c.values as ArrayLike<ArrayLike<number> | null | string>;
  return (i) => {
    const x = isNullAt(c, i) ? null : v[i];
    if (x === null || x === undefined || typeof x === "string" || x.length === 0) return "null";
    return `[${Array.from(x as ArrayLike<number>).join(", ")}]`;
  };
}

/** exp_date as `YYYY-MM-DD` from date32 days or any date-ish string (§1.8 quirk). */
function dateCell(c: Column | undefined): Cell {
  if (!c) return () => "null";
  const v = c.values as ArrayLike<number | string | bigint | null>;
  return (i) => {
    if (isNullAt(c, i)) return "null";
    const x = v[i]!;
    if (typeof x === "string") return pyStr(x.slice(0, 10));
    return pyStr(formatEpochDay(Number(x)));
  };
}

/** ts_recv_ns defaults to ts_event_ns when absent (§1.6). */
function recvCell(f: Frame): Cell {
  const recv = colOrNull(f, "ts_recv_ns");
  const ev = intCell(colOrNull(f, "ts_event_ns"));
  if (!recv) return ev;
  const r = intCell(recv);
  return (i) => (isNullAt(recv, i) ? ev(i) : r(i));
}

/** §1.6 FuturesTrade. */
export function tradeEncoder(f: Frame): (i: number) => string {
  const ts = intCell(colOrNull(f, "ts_event_ns"));
  const recv = recvCell(f);
  const source = strCell(colOrNull(f, "source"), "replay");
  const symbol = strCell(colOrNull(f, "symbol"));
  const price = floatCell(colOrNull(f, "price"));
  const size = intCell(colOrNull(f, "size"));
  const aggr = intCell(colOrNull(f, "aggressor"));
  const exchange = strCell(colOrNull(f, "exchange"));
  const cond = listCell(colOrNull(f, "conditions"));
  const seq = intCell(colOrNull(f, "seq"));
  return (i) =>
    `{"ts_event_ns": ${ts(i)}, "ts_recv_ns": ${recv(i)}, "source": ${source(i)}, "symbol": ${symbol(i)}, "price": ${price(i)}, "size": ${size(i)}, "aggressor": ${aggr(i)}, "exchange": ${exchange(i)}, "conditions": ${cond(i)}, "seq": ${seq(i)}}`;
}

/** §1.7 MBP10: always the ten depth entries (absent levels are the 0.0/0 padding Bronze stores, §2.3). */
export function mbp10Encoder(f: Frame): (i: number) => string {
  const ts = intCell(colOrNull(f, "ts_event_ns"));
  const recv = recvCell(f);
  const source = strCell(colOrNull(f, "source"), "replay");
  const symbol = strCell(colOrNull(f, "symbol"));
  const snap = boolCell(colOrNull(f, "is_snapshot"), false);
  const seq = intCell(colOrNull(f, "seq"));
  const depth = FUTURES_MBP10.columns.filter((c) => c.name.startsWith("bid_px_")).length;
  const lv: [Cell, Cell, Cell, Cell][] = [];
  for (let k = 1; k <= depth; k++) {
    lv.push([
      floatCell(colOrNull(f, `bid_px_${k}`)),
      intCell(colOrNull(f, `bid_sz_${k}`)),
      floatCell(colOrNull(f, `ask_px_${k}`)),
      intCell(colOrNull(f, `ask_sz_${k}`)),
    ]);
  }
  return (i) => {
    let levels = "";
    for (let k = 0; k < lv.length; k++) {
      const [bp, bs, ap, as] = lv[k]!;
      levels += `${k ? ", " : ""}{"bid_px": ${bp(i)}, "bid_sz": ${bs(i)}, "ask_px": ${ap(i)}, "ask_sz": ${as(i)}}`;
    }
    return `{"ts_event_ns": ${ts(i)}, "ts_recv_ns": ${recv(i)}, "source": ${source(i)}, "symbol": ${symbol(i)}, "levels": [${levels}], "is_snapshot": ${snap(i)}, "seq": ${seq(i)}}`;
  };
}

/** §1.8 OptionTrade. */
export function optionEncoder(f: Frame): (i: number) => string {
  const ts = intCell(colOrNull(f, "ts_event_ns"));
  const recv = recvCell(f);
  const source = strCell(colOrNull(f, "source"), "replay");
  const und = strCell(colOrNull(f, "underlying"), "ES");
  const osym = strCell(colOrNull(f, "option_symbol"));
  const exp = dateCell(colOrNull(f, "exp_date"));
  const strike = floatCell(colOrNull(f, "strike"));
  const right = strCell(colOrNull(f, "right"));
  const price = floatCell(colOrNull(f, "price"));
  const size = intCell(colOrNull(f, "size"));
  const bid = floatCell(colOrNull(f, "opt_bid"));
  const ask = floatCell(colOrNull(f, "opt_ask"));
  const aggr = intCell(colOrNull(f, "aggressor"));
  const cond = listCell(colOrNull(f, "conditions"));
  const seq = intCell(colOrNull(f, "seq"));
  return (i) =>
    `{"ts_event_ns": ${ts(i)}, "ts_recv_ns": ${recv(i)}, "source": ${source(i)}, "underlying": ${und(i)}, "option_symbol": ${osym(i)}, "exp_date": ${exp(i)}, "strike": ${strike(i)}, "right": ${right(i)}, "price": ${price(i)}, "size": ${size(i)}, "opt_bid": ${bid(i)}, "opt_ask": ${ask(i)}, "aggressor": ${aggr(i)}, "conditions": ${cond(i)}, "seq": ${seq(i)}}`;
}

/** Integer-typed keys of the §1.9 payload; every other number is a float. */
export const SIGNAL_INT_KEYS: ReadonlySet<string> = new Set([
  "ts",
  "approach_bars",
  "prior_touches",
  "size",
  "depth_in_zone",
  "buy_vol",
  "sell_vol",
  "num_prints",
  "confluence_count",
  "confluence_alignment",
  "confluence_level",
]);

/** §1.9 level-signal snapshot. */
export function encodeSignal(p: SignalPayload): string {
  return pyDumps(p, SIGNAL_INT_KEYS);
}

// ---------------------------------------------------------------------------------------

export interface WireSource {
  readonly trades?: Frame;
  readonly mbp10?: Frame;
  readonly options?: Frame;
  readonly signals?: readonly SignalPayload[];
}

const encoder = new TextEncoder();
const NO_SEQ = 1n << 62n;

interface Cursor {
  subject: string;
  n: number;
  ts: (i: number) => bigint;
  seq: (i: number) => bigint;
  text: (i: number) => string;
  /** Optional byte-level encoder producing exactly the bytes of `text`. */
  bytes?: (i: number) => Uint8Array;
}

function frameCursor(subject: string, f: Frame, text: (i: number) => string, bytes?: (i: number) => Uint8Array): Cursor {
  const tsCol = f.column("ts_event_ns").values as BigInt64Array;
  const seqC = colOrNull(f, "seq");
  const seqV = seqC?.values as ArrayLike<bigint | number> | undefined;
  return {
    subject,
    n: f.numRows,
    ts: (i) => tsCol[i]!,
    seq: seqC ? (i) => (isNullAt(seqC, i) ? NO_SEQ : BigInt(seqV![i]!)) : () => NO_SEQ,
    text,
    bytes,
  };
}

/**
 * Every message of a day (or of a replayed Bronze selection) merged across schemas in
 * (ts_event_ns, seq) order — the order a live feed delivers and `lake replay` publishes.
 * Ties between schemas keep the order trades, mbp10, options, signals. Signals order by
 * `ts` ms × 10^6 (§3.2).
 */
export function* wireMessages(src: WireSource, schemas: readonly WireSchema[] = WIRE_SCHEMAS): Generator<WireMessage> {
  const slab = new SlabEncoder();
  const cursors = openCursors(src, schemas);
  const bytes = cursors.map((c) => c.bytes ?? ((i: number) => slab.encode(c.text(i))));
  for (const [k, i, tsNs] of merge(cursors)) {
    const c = cursors[k]!;
    const seq = c.seq(i);
    // events without a seq (signals) are told apart by their position in the day's stream
    yield { subject: c.subject, data: bytes[k]!(i), tsNs, msgId: `${c.subject}:${tsNs}:${seq === NO_SEQ ? `n${i}` : seq}` };
  }
}

export function* wireTexts(src: WireSource, schemas: readonly WireSchema[] = WIRE_SCHEMAS): Generator<{ subject: string; json: string; tsNs: bigint }> {
  const cursors = openCursors(src, schemas);
  for (const [k, i, tsNs] of merge(cursors)) yield { subject: cursors[k]!.subject, json: cursors[k]!.text(i), tsNs };
}

function openCursors(src: WireSource, schemas: readonly WireSchema[]): Cursor[] {
  const cursors: Cursor[] = [];
  const want = new Set(schemas);
  if (want.has("trades") && src.trades?.numRows) cursors.push(frameCursor(SUBJECTS.trades, src.trades, tradeEncoder(src.trades)));
  if (want.has("mbp10") && src.mbp10?.numRows) {
    cursors.push(frameCursor(SUBJECTS.mbp10, src.mbp10, mbp10Encoder(src.mbp10), mbp10ByteEncoder(src.mbp10) ?? undefined));
  }
  if (want.has("options") && src.options?.numRows) cursors.push(frameCursor(SUBJECTS.options, src.options, optionEncoder(src.options)));
  if (want.has("signals") && src.signals?.length) {
    const s = src.signals;
    cursors.push({
      subject: SUBJECTS.signals,
      n: s.length,
      ts: (i) => BigInt(s[i]!.ts as number) * 1_000_000n,
      seq: () => NO_SEQ,
      text: (i) => encodeSignal(s[i]!),
    });
  }
  return cursors;
}

/**
 * UTF-8 encoding into views of large, never-reused slabs: measured ~10x faster than
 * TextEncoder.encode on freshly concatenated strings, and safe because a slab is only
 * dropped (never overwritten) once full — publishers may hold the views until they flush.
 */
class SlabEncoder {
  private slab = new Uint8Array(0);
  private off = 0;
  encode(s: string): Uint8Array {
    const max = s.length * 3;
    if (this.off + max > this.slab.length) {
      this.slab = new Uint8Array(Math.max(1 << 20, max));
      this.off = 0;
    }
    const { written } = encoder.encodeInto(s, this.slab.subarray(this.off));
    const view = this.slab.subarray(this.off, this.off + written);
    this.off += written;
    return view;
  }
}

/** k-way merge of the cursors: yields [cursor index, row, ts_event_ns]. */
function* merge(cursors: Cursor[]): Generator<[number, number, bigint]> {
  const pos = cursors.map(() => 0);
  const heads = cursors.map((c) => (c.n ? c.ts(0) : 0n));
  const seqs = cursors.map((c) => (c.n ? c.seq(0) : 0n));
  for (;;) {
    let best = -1;
    for (let k = 0; k < cursors.length; k++) {
      if (pos[k]! >= cursors[k]!.n) continue;
      if (best < 0 || heads[k]! < heads[best]! || (heads[k] === heads[best] && seqs[k]! < seqs[best]!)) best = k;
    }
    if (best < 0) return;
    const c = cursors[best]!;
    const i = pos[best]!;
    yield [best, i, heads[best]!];
    pos[best] = i + 1;
    if (i + 1 < c.n) {
      heads[best] = c.ts(i + 1);
      seqs[best] = c.seq(i + 1);
    }
  }
}
