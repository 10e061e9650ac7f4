/** `market.options.trades` → Bronze options.trades.v1 (contracts §1.8, §2.4). */
import { epochDayOf } from "../../time/calendar";
import { bronzeTable } from "../../schemas/bronze";
import { DecodeError, type JsonCursor } from "./cursor";
import { finishEnvelope, readEventTs, readOptionalInt64, readRecvTs, readSource, setNullable } from "./envelope";
import { fieldLookup, missing } from "./fields";
import type { Partitions } from "./partitions";
import type { TableBuffer } from "./table-buffer";
import { bronzeIdentity, type TableDecoder } from "./types";
import { readConditions, readFloat, readInt, readPositive, skipValue } from "./values";

const NAMES = [
  "ts_event_ns", "ts_recv_ns", "source", "underlying", "option_symbol", "exp_date", "strike",
  "right", "price", "size", "opt_bid", "opt_ask", "aggressor", "conditions", "seq",
] as const;
const REQUIRED = 0b001001111111101; // all but ts_recv_ns, opt_bid, opt_ask, conditions, seq
const lookup = fieldLookup(NAMES);
/** opt_bid, opt_ask, conditions, seq: field number = column number. */
const NULLABLE = [10, 11, 13, 14] as const;
const DAY_2000 = epochDayOf("2000-01-01")!;

const expDays = new Map<string, number>();

/**
 * `YYYY-MM-DD`, or the replay quirk `YYYY-MM-DDTHH:MM:SS[.ffffff]` (keep the date part) → date32.
 * Memoised: a day's option trades carry a handful of distinct expiries, and parsing one costs
 * two regexes and a Date round trip per message.
 */
function parseExpDate(s: string): number {
  let days = expDays.get(s);
  if (days === undefined) {
    days = parseExpDateOnce(s);
    if (expDays.size > 4096) expDays.clear();
    expDays.set(s, days);
  }
  return days;
}

function parseExpDateOnce(s: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)?$/.exec(s);
  if (!m) throw new DecodeError(`exp_date ${JSON.stringify(s)} is not YYYY-MM-DD`);
  const days = epochDayOf(m[1]!);
  if (days === null) throw new DecodeError(`exp_date ${JSON.stringify(s)} is not a calendar date`);
  if (days < DAY_2000) throw new DecodeError(`exp_date ${s} is before 2000-01-01`);
  return days;
}

function readQuote(cur: JsonCursor, what: string): number | null {
  if (cur.isNull()) return null;
  const v = readFloat(cur, what);
  if (Number.isNaN(v)) return null; // §2.4: NaN → null
  if (!Number.isFinite(v) || v < 0) throw new DecodeError(`${what} must be a finite number ≥ 0, got ${v}`);
  return v;
}

export const optionTradesDecoder: TableDecoder = {
  ...bronzeIdentity(bronzeTable("options.trades")),
  decode(cur: JsonCursor, buf: TableBuffer, parts: Partitions): number {
    const r = buf.n;
    buf.ensure(r + 1);
    const cols = buf.cols;
    let seen = 0;
    let tsHi = 0;
    let tsLo = 0;
    let underlying = "";
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
        case 3:
          underlying = cur.readString("underlying");
          if (underlying.length < 1 || underlying.length > 10) throw new DecodeError(`underlying ${JSON.stringify(underlying)} must be 1–10 characters`);
          (cols[3] as string[])[r] = underlying;
          break;
        case 4: {
          const s = cur.readString("option_symbol");
          if (s.length === 0) throw new DecodeError("option_symbol is empty");
          (cols[4] as string[])[r] = s;
          break;
        }
        case 5:
          (cols[5] as Int32Array)[r] = parseExpDate(cur.readString("exp_date"));
          break;
        case 6:
          (cols[6] as Float64Array)[r] = readPositive(cur, "strike", false);
          break;
        case 7: {
          const s = cur.readString("right");
          if (s !== "C" && s !== "P") throw new DecodeError(`right ${JSON.stringify(s)} must be C or P`);
          (cols[7] as string[])[r] = s;
          break;
        }
        case 8:
          (cols[8] as Float64Array)[r] = readPositive(cur, "price", true);
          break;
        case 9:
          (cols[9] as Int32Array)[r] = readInt(cur, "size", 1, 2147483647);
          break;
        case 10:
        case 11: {
          const v = readQuote(cur, NAMES[f]);
          if (v === null) continue;
          (cols[f] as Float64Array)[r] = v;
          break;
        }
        case 12:
          (cols[12] as Int8Array)[r] = readInt(cur, "aggressor", -1, 1);
          break;
        case 13: {
          const c = readConditions(cur);
          if (c === null) continue;
          (cols[13] as (Int16Array | null)[])[r] = c;
          break;
        }
        case 14:
          if (!readOptionalInt64(cur, buf, r, 14, "seq")) continue;
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
    for (const c of NULLABLE) setNullable(buf, r, c, (seen & (1 << c)) !== 0);
    buf.part[r] = parts.id(underlying, Math.floor(tsHi / 3600));
    return 1;
  },
};
