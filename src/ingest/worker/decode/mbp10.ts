/**
 * `market.futures.mbp10` → Bronze futures.mbp10.v1 (contracts §1.7, §2.3).
 * Levels are padded to 10 with 0.0/0; the vendor's empty-depth sentinel (px ≥ 9.2e9 with
 * size 0) is normalised to 0.0/0 (§9 D-7); levels beyond the 10th are dropped but counted
 * (§9 D-8); a null inside a level object or a fractional size is rejected, never truncated.
 */
import { bronzeTable, FUTURES_MBP10, MBP10_DEPTH } from "../../../schemas/bronze";
import { DecodeError, type JsonCursor } from "./cursor";
import { assertEnvelope, finishEnvelope, readEventTs, readOptionalInt64, readRecvTs, readSource, setNullable } from "./envelope";
import { missing } from "./fields";
import { symbolRoot } from "./futures-trades";
import type { Partitions } from "./partitions";
import type { TableBuffer } from "./table-buffer";
import { bronzeIdentity, type TableDecoder } from "./types";
import { readFloat, readInt, skipValue } from "./values";
import { wireFields } from "./wire-fields";

const TABLE = bronzeTable("futures.mbp10");
const DEPTH_COLUMNS = FUTURES_MBP10.columns.map((c) => c.name).filter((n) => /^(bid|ask)_(px|sz)_\d+$/.test(n));
// The wire fields are the schema's columns with the 40 depth columns folded into one `levels`
// array; an absent `is_snapshot` means false. Field numbers (bits of `seen`) ≠ column positions.
const WIRE = wireFields(TABLE.schema, {
  names: ["ts_event_ns", "ts_recv_ns", "source", "symbol", "levels", "is_snapshot", "seq"],
  defaulted: ["ts_recv_ns", "is_snapshot"],
  wireOnly: { levels: DEPTH_COLUMNS },
});
assertEnvelope(WIRE);
const { names: NAMES, required: REQUIRED, lookup } = WIRE;
const F_TS_EVENT = WIRE.field("ts_event_ns");
const F_TS_RECV = WIRE.field("ts_recv_ns");
const F_SOURCE = WIRE.field("source");
const F_SYMBOL = WIRE.field("symbol");
const F_LEVELS = WIRE.field("levels");
const F_SNAPSHOT = WIRE.field("is_snapshot");
const F_SEQ = WIRE.field("seq");
const LEVEL_NAMES = ["bid_px", "bid_sz", "ask_px", "ask_sz"] as const;

/** bid_px → 0, bid_sz → 1, ask_px → 2, ask_sz → 3, else -1: byte tests, no map lookup (hot path). */
function levelKey(cur: JsonCursor): number {
  if (cur.keyLen !== 6) return -1;
  const b = cur.buf;
  const k = cur.keyStart;
  let side: number;
  if (b[k] === 0x62 && b[k + 1] === 0x69 && b[k + 2] === 0x64) side = 0;
  else if (b[k] === 0x61 && b[k + 1] === 0x73 && b[k + 2] === 0x6b) side = 2;
  else return -1;
  if (b[k + 3] !== 0x5f) return -1;
  if (b[k + 4] === 0x70 && b[k + 5] === 0x78) return side;
  if (b[k + 4] === 0x73 && b[k + 5] === 0x7a) return side + 1;
  return -1;
}

const SENTINEL_PX = 9.2e9;
const SYMBOL = WIRE.column("symbol");
const BID0 = WIRE.column("bid_px_1");
const ASK0 = WIRE.column("ask_px_1");
const SNAP = WIRE.column("is_snapshot");
const SEQ = WIRE.column("seq");
// readLevels writes level i's pairs at BID0 + 2i / ASK0 + 2i: the schema must lay them out so.
for (let i = 0; i < MBP10_DEPTH; i++) {
  for (const [side, base] of [["bid", BID0], ["ask", ASK0]] as const) {
    if (WIRE.column(`${side}_px_${i + 1}`) !== base + 2 * i || WIRE.column(`${side}_sz_${i + 1}`) !== base + 2 * i + 1) {
      throw new Error(`${FUTURES_MBP10.name}: ${side} depth columns must be (px, sz) pairs in level order`);
    }
  }
}

/** Levels beyond the 10th seen so far in this process (metrics, §9 D-8). */
export const mbpStats = { truncatedLevels: 0 };

// Precomputed field paths: a template string per level per message was most of the cost.
const LEVEL_PATH = Array.from({ length: MBP10_DEPTH }, (_, i) => `levels[${i}]`);
const FIELD_PATH = LEVEL_PATH.map((p) => LEVEL_NAMES.map((n) => `${p}.${n}`));

const px = new Float64Array(4);
const sz = new Int32Array(4);

export const mbp10Decoder: TableDecoder = {
  ...bronzeIdentity(TABLE),
  decode(cur: JsonCursor, buf: TableBuffer, parts: Partitions): number {
    const r = buf.n;
    buf.ensure(r + 1);
    const cols = buf.cols;
    (cols[SNAP] as Uint8Array)[r] = 0;
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
        case F_TS_EVENT:
          readEventTs(cur, buf, r);
          tsHi = cur.hi;
          tsLo = cur.lo;
          break;
        case F_TS_RECV:
          if (!readRecvTs(cur, buf, r)) continue; // absent or null → defaults to ts_event_ns
          break;
        case F_SOURCE:
          readSource(cur, buf, r);
          break;
        case F_SYMBOL: {
          const s = cur.readString("symbol");
          root = symbolRoot(s);
          (cols[SYMBOL] as string[])[r] = s;
          break;
        }
        case F_LEVELS:
          readLevels(cur, cols, r);
          break;
        case F_SNAPSHOT:
          if (cur.isNull()) {
            (cols[SNAP] as Uint8Array)[r] = 0; // null = absent = false, also after an earlier value
            continue;
          }
          (cols[SNAP] as Uint8Array)[r] = cur.readBool("is_snapshot") ? 1 : 0;
          break;
        case F_SEQ:
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
    setNullable(buf, r, SEQ, (seen & (1 << F_SEQ)) !== 0);
    buf.part[r] = parts.id(root, Math.floor(tsHi / 3600));
    return 1;
  },
};

function readLevels(cur: JsonCursor, cols: TableBuffer["cols"], r: number): void {
  // Padding first (§2.3): every level not in this array — also when a repeated `levels`
  // key replaces an earlier, longer one — is an empty level.
  for (let i = 0; i < MBP10_DEPTH * 2; i++) {
    (cols[BID0 + i] as Float64Array | Int32Array)[r] = 0;
    (cols[ASK0 + i] as Float64Array | Int32Array)[r] = 0;
  }
  cur.beginArray("levels");
  let i = 0;
  while (cur.nextItem(i === 0)) {
    if (i >= MBP10_DEPTH) {
      skipValue(cur);
      mbpStats.truncatedLevels++;
      i++;
      continue;
    }
    if (cur.isNull()) {
      i++;
      continue; // a null element is padding (§2.3 rule 3)
    }
    px[0] = px[2] = 0;
    sz[1] = sz[3] = 0;
    cur.beginObject(LEVEL_PATH[i]!);
    let first = true;
    while (cur.nextKey(first)) {
      first = false;
      const f = levelKey(cur);
      if (f < 0) {
        skipValue(cur);
        continue;
      }
      const path = FIELD_PATH[i]![f]!;
      if (cur.isNull()) throw new DecodeError(`${path} is null`);
      if (f === 0 || f === 2) {
        const v = readFloat(cur, path);
        if (!Number.isFinite(v) || v < 0) throw new DecodeError(`${path} must be a finite price ≥ 0, got ${v}`);
        px[f] = v;
      } else {
        sz[f] = readInt(cur, path, 0, 2147483647);
      }
    }
    let bidPx = px[0]!;
    let askPx = px[2]!;
    if (bidPx >= SENTINEL_PX && sz[1] === 0) bidPx = 0;
    if (askPx >= SENTINEL_PX && sz[3] === 0) askPx = 0;
    (cols[BID0 + 2 * i] as Float64Array)[r] = bidPx;
    (cols[BID0 + 2 * i + 1] as Int32Array)[r] = sz[1]!;
    (cols[ASK0 + 2 * i] as Float64Array)[r] = askPx;
    (cols[ASK0 + 2 * i + 1] as Int32Array)[r] = sz[3]!;
    i++;
  }
}
