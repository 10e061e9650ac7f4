/**
 * The fields every market-data message shares (contracts §1.6–§1.8): `ts_event_ns`,
 * `ts_recv_ns` (defaults to the event time), `source` — the first three columns and wire
 * fields of every Bronze table, checked against the schemas below when this module loads —
 * the nullable int64 `seq`, and the nullable-cell bookkeeping. One implementation for the three Bronze
 * decoders; these are small monomorphic functions that the JIT inlines into each decoder's
 * key switch (measured: no change in decode rate).
 */
import { BRONZE_TABLES } from "../../../schemas/bronze";
import type { JsonCursor } from "./cursor";
import { checkNotFuture, checkSource, checkTsRange } from "./fields";
import type { TableBuffer } from "./table-buffer";
import { putInt64, putInt64Parts, readInt64 } from "./values";
import type { WireFields } from "./wire-fields";

/** Column position = wire field number of the shared envelope fields, in every Bronze table. */
const TS_EVENT = 0;
const TS_RECV = 1;
const SOURCE = 2;
const TS_RECV_BIT = 1 << TS_RECV;
const ENVELOPE = ["ts_event_ns", "ts_recv_ns", "source"] as const;
for (const t of BRONZE_TABLES) {
  const head = t.schema.columns.slice(0, ENVELOPE.length).map((c) => c.name);
  if (head.join() !== ENVELOPE.join()) throw new Error(`${t.schema.name}: the first columns must be ${ENVELOPE.join(", ")} (got ${head.join(", ")})`);
}

/** A decoder's wire fields must start with the envelope, so its `seen` bits match the ones used here. */
export function assertEnvelope(w: WireFields): void {
  if (w.names.slice(0, ENVELOPE.length).join() !== ENVELOPE.join()) throw new Error(`${w.schema.name} decoder: wire fields must start with ${ENVELOPE.join(", ")}`);
}

/** `ts_event_ns` → column 0; its (second, nanosecond) split stays in `cur.hi`/`cur.lo`. */
export function readEventTs(cur: JsonCursor, buf: TableBuffer, r: number): void {
  readInt64(cur, "ts_event_ns", true);
  checkTsRange(cur, "ts_event_ns");
  checkNotFuture(cur, cur.hi, "ts_event_ns");
  putInt64(buf.words[TS_EVENT]!, buf.cols[TS_EVENT] as BigInt64Array, r, cur);
}

/** `ts_recv_ns` → column 1; false when null (then `finishEnvelope` copies the event time). */
export function readRecvTs(cur: JsonCursor, buf: TableBuffer, r: number): boolean {
  if (cur.isNull()) return false;
  readInt64(cur, "ts_recv_ns", true);
  checkTsRange(cur, "ts_recv_ns");
  putInt64(buf.words[TS_RECV]!, buf.cols[TS_RECV] as BigInt64Array, r, cur);
  return true;
}

export function readSource(cur: JsonCursor, buf: TableBuffer, r: number): void {
  (buf.cols[SOURCE] as string[])[r] = checkSource(cur.readString("source"));
}

/** A nullable int64 column (`seq`); false when null. */
export function readOptionalInt64(cur: JsonCursor, buf: TableBuffer, r: number, c: number, what: string): boolean {
  if (cur.isNull()) return false;
  readInt64(cur, what, true);
  putInt64(buf.words[c]!, buf.cols[c] as BigInt64Array, r, cur);
  return true;
}

/** After the object: an absent `ts_recv_ns` (its bit not in `seen`) defaults to `ts_event_ns`. */
export function finishEnvelope(buf: TableBuffer, r: number, seen: number, tsHi: number, tsLo: number): void {
  if ((seen & TS_RECV_BIT) === 0) putInt64Parts(buf.words[TS_RECV]!, r, tsHi, tsLo);
}

/** Mark a nullable cell present/absent; absent utf8/list cells are also JS null. */
export function setNullable(buf: TableBuffer, r: number, c: number, present: boolean): void {
  buf.valid[c]![r] = present ? 1 : 0;
  if (!present) {
    const col = buf.cols[c]!;
    if (Array.isArray(col)) col[r] = null;
  }
}
