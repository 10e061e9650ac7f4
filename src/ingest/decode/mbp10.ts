/**
 * `market.futures.mbp10` → Bronze futures.mbp10.v1 (contracts §1.7, §2.3).
 * Levels are padded to 10 with 0.0/0; the vendor's empty-depth sentinel (px ≥ 9.2e9 with
 * size 0) is normalised to 0.0/0 (§9 D-7); levels beyond the 10th are dropped but counted
 * (§9 D-8); a null inside a level object or a fractional size is rejected, never truncated.
 */
import { bronzeTable, FUTURES_MBP10, MBP10_DEPTH } from "../../schemas/bronze";
import { DecodeError, type JsonCursor } from "./cursor";
import { finishEnvelope, readEventTs, readOptionalInt64, readRecvTs, readSource, setNullable } from "./envelope";
import { fieldLookup, missing } from "./fields";
import { symbolRoot } from "./futures-trades";
import type { Partitions } from "./partitions";
import type { TableBuffer } from "./table-buffer";
import { bronzeIdentity, type TableDecoder } from "./types";
import { readFloat, readInt, skipValue } from "./values";

const NAMES = ["ts_event_ns", "ts_recv_ns", "source", "symbol", "levels", "is_snapshot", "seq"] as const;
const REQUIRED = 0b0011101; // ts_event_ns, source, symbol, levels
const lookup = fieldLookup(NAMES);
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
const BID0 = FUTURES_MBP10.columns.findIndex((c) => c.name === "bid_px_1");
const ASK0 = FUTURES_MBP10.columns.findIndex((c) => c.name === "ask_px_1");
const SNAP = FUTURES_MBP10.columns.findIndex((c) => c.name === "is_snapshot");
const SEQ = FUTURES_MBP10.columns.findIndex((c) => c.name === "seq");

/** Levels beyond the 10th seen so far in this process (metrics, §9 D-8). */
export const mbpStats = { truncatedLevels: 0 };

// Precomputed field paths: a template string per level per message was most of the cost.
const LEVEL_PATH = Array.from({ length: MBP10_DEPTH }, (_, i) => `levels[${i}]`);
const FIELD_PATH = LEVEL_PATH.map((p) => LEVEL_NAMES.map((n) => `${p}.${n}`));

const px = new Float64Array(4);
const sz = new Int32Array(4);

export const mbp10Decoder: TableDecoder = {
  ...bronzeIdentity(bronzeTable("futures.mbp10")),
  decode(cur: JsonCursor, buf: TableBuffer, parts: Partitions): number {
    const r = buf.n;
    buf.ensure(r + 1);
    const cols = buf.cols;
    for (let i = 0; i < MBP10_DEPTH * 2; i++) {
      (cols[BID0 + i] as Float64Array | Int32Array)[r] = 0;
      (cols[ASK0 + i] as Float64Array | Int32Array)[r] = 0;
    }
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
          readLevels(cur, cols, r);
          break;
        case 5:
          if (cur.isNull()) continue;
          (cols[SNAP] as Uint8Array)[r] = cur.readBool("is_snapshot") ? 1 : 0;
          break;
        case 6:
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
    setNullable(buf, r, SEQ, (seen & (1 << 6)) !== 0);
    buf.part[r] = parts.id(root, Math.floor(tsHi / 3600));
    return 1;
  },
};

function readLevels(cur: JsonCursor, cols: TableBuffer["cols"], r: number): void {
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
