/** `market.futures.trades` → Bronze futures.trades.v1 (contracts §1.6, §2.2, §2.7). */
import { bronzeTable, futuresRoot } from "../../../schemas/bronze";
import { DecodeError, type JsonCursor } from "./cursor";
import { assertEnvelope, finishEnvelope, readEventTs, readOptionalInt64, readRecvTs, readSource, setNullable } from "./envelope";
import { missing } from "./fields";
import type { Partitions } from "./partitions";
import type { TableBuffer } from "./table-buffer";
import { bronzeIdentity, type TableDecoder } from "./types";
import { readConditions, readInt, readPositive, skipValue } from "./values";
import { wireFields } from "./wire-fields";

const TABLE = bronzeTable("futures.trades");
// The wire fields are the schema's columns in order: field number = column position.
const WIRE = wireFields(TABLE.schema, { defaulted: ["ts_recv_ns"] });
assertEnvelope(WIRE);
const { names: NAMES, required: REQUIRED, lookup } = WIRE;
const TS_EVENT = WIRE.column("ts_event_ns");
const TS_RECV = WIRE.column("ts_recv_ns");
const SOURCE = WIRE.column("source");
const SYMBOL = WIRE.column("symbol");
const PRICE = WIRE.column("price");
const SIZE = WIRE.column("size");
const AGGRESSOR = WIRE.column("aggressor");
const EXCHANGE = WIRE.column("exchange");
const CONDITIONS = WIRE.column("conditions");
const SEQ = WIRE.column("seq");

const rootCache = new Map<string, string | null>();

/** §2.7: the partition value is the product root; the row keeps the contract code. */
export function symbolRoot(symbol: string): string {
  let root = rootCache.get(symbol);
  if (root === undefined) {
    if (symbol.length < 1 || symbol.length > 20) throw new DecodeError(`symbol ${JSON.stringify(symbol)} must be 1–20 characters`);
    root = futuresRoot(symbol);
    if (rootCache.size > 4096) rootCache.clear();
    rootCache.set(symbol, root);
  }
  if (root === null) throw new DecodeError(`symbol ${JSON.stringify(symbol)} is not an ES outright contract (^ES[FGHJKMNQUVXZ]\\d{1,2}$) or the root ES`);
  return root;
}

export const futuresTradesDecoder: TableDecoder = {
  ...bronzeIdentity(TABLE),
  decode(cur: JsonCursor, buf: TableBuffer, parts: Partitions): number {
    const r = buf.n;
    buf.ensure(r + 1);
    const cols = buf.cols;
    let seen = 0;
    let tsHi = 0;
    let tsLo = 0;
    let root = "";
    cur.beginObject("the message");
    let first = true;
    while (cur.nextKey(first)) {
      first = false;
      const f = lookup(cur);
      seen &= ~(1 << f); // a repeated key replaces the earlier value, a later null included (JSON.parse: last wins)
      switch (f) {
        case TS_EVENT:
          readEventTs(cur, buf, r);
          tsHi = cur.hi;
          tsLo = cur.lo;
          break;
        case TS_RECV:
          if (!readRecvTs(cur, buf, r)) continue; // absent or null → defaults to ts_event_ns
          break;
        case SOURCE:
          readSource(cur, buf, r);
          break;
        case SYMBOL: {
          const s = cur.readString("symbol");
          root = symbolRoot(s);
          (cols[SYMBOL] as string[])[r] = s;
          break;
        }
        case PRICE:
          (cols[PRICE] as Float64Array)[r] = readPositive(cur, "price", false);
          break;
        case SIZE:
          (cols[SIZE] as Int32Array)[r] = readInt(cur, "size", 1, 2147483647);
          break;
        case AGGRESSOR:
          (cols[AGGRESSOR] as Int8Array)[r] = readInt(cur, "aggressor", -1, 1);
          break;
        case EXCHANGE:
          if (cur.isNull()) continue;
          (cols[EXCHANGE] as (string | null)[])[r] = cur.readString("exchange");
          break;
        case CONDITIONS: {
          const c = readConditions(cur);
          if (c === null) continue;
          (cols[CONDITIONS] as (Int16Array | null)[])[r] = c;
          break;
        }
        case SEQ:
          if (!readOptionalInt64(cur, buf, r, SEQ, "seq")) continue;
          break;
        default:
          skipValue(cur);
          continue;
      }
      seen |= 1 << f;
    }
    cur.expectEnd();
    if ((seen & REQUIRED) !== REQUIRED) missing(NAMES, seen, REQUIRED);
    finishEnvelope(buf, r, seen, tsHi, tsLo);
    setNullable(buf, r, EXCHANGE, (seen & (1 << EXCHANGE)) !== 0);
    setNullable(buf, r, CONDITIONS, (seen & (1 << CONDITIONS)) !== 0);
    setNullable(buf, r, SEQ, (seen & (1 << SEQ)) !== 0);
    buf.part[r] = parts.id(root, Math.floor(tsHi / 3600));
    return 1;
  },
};
