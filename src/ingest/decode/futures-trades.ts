/** `market.futures.trades` → Bronze futures.trades.v1 (contracts §1.6, §2.2, §2.7). */
import { bronzeTable, futuresRoot } from "../../schemas/bronze";
import { DecodeError, type JsonCursor } from "./cursor";
import { finishEnvelope, readEventTs, readOptionalInt64, readRecvTs, readSource, setNullable } from "./envelope";
import { fieldLookup, missing } from "./fields";
import type { Partitions } from "./partitions";
import type { TableBuffer } from "./table-buffer";
import { bronzeIdentity, type TableDecoder } from "./types";
import { readConditions, readInt, readPositive, skipValue } from "./values";

const NAMES = ["ts_event_ns", "ts_recv_ns", "source", "symbol", "price", "size", "aggressor", "exchange", "conditions", "seq"] as const;
const REQUIRED = 0b0001111101; // ts_event_ns, source, symbol, price, size, aggressor
const lookup = fieldLookup(NAMES);

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
  ...bronzeIdentity(bronzeTable("futures.trades")),
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
      switch (f) {
        case 0:
          readEventTs(cur, buf, r);
          tsHi = cur.hi;
          tsLo = cur.lo;
          break;
        case 1:
          if (!readRecvTs(cur, buf, r)) continue; // absent or null → defaults to ts_event_ns
          break;
        case 2:
          readSource(cur, buf, r);
          break;
        case 3: {
          const s = cur.readString("symbol");
          root = symbolRoot(s);
          (cols[3] as string[])[r] = s;
          break;
        }
        case 4:
          (cols[4] as Float64Array)[r] = readPositive(cur, "price", false);
          break;
        case 5:
          (cols[5] as Int32Array)[r] = readInt(cur, "size", 1, 2147483647);
          break;
        case 6:
          (cols[6] as Int8Array)[r] = readInt(cur, "aggressor", -1, 1);
          break;
        case 7:
          if (cur.isNull()) continue;
          (cols[7] as (string | null)[])[r] = cur.readString("exchange");
          break;
        case 8: {
          const c = readConditions(cur);
          if (c === null) continue;
          (cols[8] as (Int16Array | null)[])[r] = c;
          break;
        }
        case 9:
          if (!readOptionalInt64(cur, buf, r, 9, "seq")) continue;
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
    setNullable(buf, r, 7, (seen & (1 << 7)) !== 0);
    setNullable(buf, r, 8, (seen & (1 << 8)) !== 0);
    setNullable(buf, r, 9, (seen & (1 << 9)) !== 0);
    buf.part[r] = parts.id(root, Math.floor(tsHi / 3600));
    return 1;
  },
};
