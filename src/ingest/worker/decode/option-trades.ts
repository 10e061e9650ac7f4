/** `market.options.trades` → Bronze options.trades.v1 (contracts §1.8, §2.4). */
import { epochDayOf } from "../../../core/time/calendar";
import { bronzeTable } from "../../../schemas/bronze";
import { DecodeError, type JsonCursor } from "./cursor";
import { assertEnvelope, finishEnvelope, readEventTs, readOptionalInt64, readRecvTs, readSource, setNullable } from "./envelope";
import { missing } from "./fields";
import type { Partitions } from "./partitions";
import type { TableBuffer } from "./table-buffer";
import { bronzeIdentity, type TableDecoder } from "./types";
import { readConditions, readFloat, readInt, readPositive, skipValue } from "./values";
import { wireFields } from "./wire-fields";

const TABLE = bronzeTable("options.trades");
// The wire fields are the schema's columns in order: field number = column position.
const WIRE = wireFields(TABLE.schema, { defaulted: ["ts_recv_ns"] });
assertEnvelope(WIRE);
const { names: NAMES, required: REQUIRED, lookup } = WIRE;
const TS_EVENT = WIRE.column("ts_event_ns");
const TS_RECV = WIRE.column("ts_recv_ns");
const SOURCE = WIRE.column("source");
const UNDERLYING = WIRE.column("underlying");
const OPTION_SYMBOL = WIRE.column("option_symbol");
const EXP_DATE = WIRE.column("exp_date");
const STRIKE = WIRE.column("strike");
const RIGHT = WIRE.column("right");
const PRICE = WIRE.column("price");
const SIZE = WIRE.column("size");
const OPT_BID = WIRE.column("opt_bid");
const OPT_ASK = WIRE.column("opt_ask");
const AGGRESSOR = WIRE.column("aggressor");
const CONDITIONS = WIRE.column("conditions");
const SEQ = WIRE.column("seq");
/** The nullable columns, whose validity follows their field's bit in `seen`. */
const NULLABLE = TABLE.schema.columns.flatMap((c, i) => (c.nullable ? [i] : []));
const DAY_2000 = epochDayOf("2000-01-01")!;
/** §2 sanity ranges (docs/ingest.md): strikes below 1e6 points, expiries within 10 years of the trade. */
const STRIKE_MAX = 1e6;
const EXP_MAX_DAYS = 3653;

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
  ...bronzeIdentity(TABLE),
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
        case UNDERLYING:
          underlying = cur.readString("underlying");
          if (underlying.length < 1 || underlying.length > 10) throw new DecodeError(`underlying ${JSON.stringify(underlying)} must be 1–10 characters`);
          (cols[UNDERLYING] as string[])[r] = underlying;
          break;
        case OPTION_SYMBOL: {
          const s = cur.readString("option_symbol");
          if (s.length === 0) throw new DecodeError("option_symbol is empty");
          (cols[OPTION_SYMBOL] as string[])[r] = s;
          break;
        }
        case EXP_DATE:
          (cols[EXP_DATE] as Int32Array)[r] = parseExpDate(cur.readString("exp_date"));
          break;
        case STRIKE: {
          const k = readPositive(cur, "strike", false);
          if (k >= STRIKE_MAX) throw new DecodeError(`strike ${k} is not below ${STRIKE_MAX} (an ES strike is a few thousand points)`);
          (cols[STRIKE] as Float64Array)[r] = k;
          break;
        }
        case RIGHT: {
          const s = cur.readString("right");
          if (s !== "C" && s !== "P") throw new DecodeError(`right ${JSON.stringify(s)} must be C or P`);
          (cols[RIGHT] as string[])[r] = s;
          break;
        }
        case PRICE:
          (cols[PRICE] as Float64Array)[r] = readPositive(cur, "price", true);
          break;
        case SIZE:
          (cols[SIZE] as Int32Array)[r] = readInt(cur, "size", 1, 2147483647);
          break;
        case OPT_BID:
        case OPT_ASK: {
          const v = readQuote(cur, NAMES[f]!);
          if (v === null) continue;
          (cols[f] as Float64Array)[r] = v;
          break;
        }
        case AGGRESSOR:
          (cols[AGGRESSOR] as Int8Array)[r] = readInt(cur, "aggressor", -1, 1);
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
    const exp = (cols[EXP_DATE] as Int32Array)[r]!;
    if (exp > Math.floor(tsHi / 86_400) + EXP_MAX_DAYS) throw new DecodeError(`exp_date ${new Date(exp * 86_400_000).toISOString().slice(0, 10)} is more than 10 years after the trade`);
    finishEnvelope(buf, r, seen, tsHi, tsLo);
    for (const c of NULLABLE) setNullable(buf, r, c, (seen & (1 << c)) !== 0);
    buf.part[r] = parts.id(underlying, Math.floor(tsHi / 3600));
    return 1;
  },
};
