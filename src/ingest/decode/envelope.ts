/**
 * The fields every market-data message shares (contracts §1.6–§1.8): `ts_event_ns` (column 0),
 * `ts_recv_ns` (column 1, defaults to the event time), `source` (column 2), the nullable
 * int64 `seq`, and the nullable-cell bookkeeping. One implementation for the three Bronze
 * decoders; these are small monomorphic functions that the JIT inlines into each decoder's
 * key switch (measured: no change in decode rate).
 */
import type { JsonCursor } from "./cursor";
import { checkSource, checkTsRange } from "./fields";
import type { TableBuffer } from "./table-buffer";
import { putInt64, putInt64Parts, readInt64 } from "./values";

/** `ts_event_ns` → column 0; its (second, nanosecond) split stays in `cur.hi`/`cur.lo`. */
export function readEventTs(cur: JsonCursor, buf: TableBuffer, r: number): void {
  readInt64(cur, "ts_event_ns", true);
  checkTsRange(cur, "ts_event_ns");
  putInt64(buf.words[0]!, buf.cols[0] as BigInt64Array, r, cur);
}

/** `ts_recv_ns` → column 1; false when null (then `finishEnvelope` copies the event time). */
export function readRecvTs(cur: JsonCursor, buf: TableBuffer, r: number): boolean {
  if (cur.isNull()) return false;
  readInt64(cur, "ts_recv_ns", true);
  checkTsRange(cur, "ts_recv_ns");
  putInt64(buf.words[1]!, buf.cols[1] as BigInt64Array, r, cur);
  return true;
}

export function readSource(cur: JsonCursor, buf: TableBuffer, r: number): void {
  (buf.cols[2] as string[])[r] = checkSource(cur.readString("source"));
}

/** A nullable int64 column (`seq`); false when null. */
export function readOptionalInt64(cur: JsonCursor, buf: TableBuffer, r: number, c: number, what: string): boolean {
  if (cur.isNull()) return false;
  readInt64(cur, what, true);
  putInt64(buf.words[c]!, buf.cols[c] as BigInt64Array, r, cur);
  return true;
}

/** After the object: an absent `ts_recv_ns` (bit 1 of `seen`) defaults to `ts_event_ns`. */
export function finishEnvelope(buf: TableBuffer, r: number, seen: number, tsHi: number, tsLo: number): void {
  if ((seen & 2) === 0) putInt64Parts(buf.words[1]!, r, tsHi, tsLo);
}

/** Mark a nullable cell present/absent; absent utf8/list cells are also JS null. */
export function setNullable(buf: TableBuffer, r: number, c: number, present: boolean): void {
  buf.valid[c]![r] = present ? 1 : 0;
  if (!present) {
    const col = buf.cols[c]!;
    if (Array.isArray(col)) col[r] = null;
  }
}
