/**
 * `levels.signals` → Gold levels.signals.v1, one row per level (contracts §1.9, §3.2, §3.3).
 * Accepted all-or-nothing per payload: rows are written from buf.n on and only kept when
 * the whole payload parsed. The market context key is `spy` (live) or `es` (documented
 * alias, used only when `spy` is absent). A null sub-object is treated like an absent one.
 */
import { TS_MAX_NS, TS_MIN_NS } from "../../../schemas/bronze";
import { LEVEL_SIGNALS, LEVEL_SIGNALS_PATH, LEVEL_SIGNALS_SUBJECT } from "../../../schemas/gold";
import { DecodeError, type JsonCursor } from "./cursor";
import { checkNotFuture, fieldLookup } from "./fields";
import type { Partitions } from "./partitions";
import type { TableBuffer } from "./table-buffer";
import type { TableDecoder } from "./types";
import { putInt64, putInt64Parts, readFloat, readInt, readInt64, skipValue } from "./values";

const C = new Map(LEVEL_SIGNALS.columns.map((c, i) => [c.name, i]));
const col = (n: string) => C.get(n)!;
const TS = col("ts_event_ns");
const UNDERLYING = col("underlying");
const SPOT = col("spot");
const BID = col("bid");
const ASK = col("ask");
const LEVEL_ID = col("level_id");
const SWEEP_DETECTED = col("tape_sweep_detected");

const TOP = fieldLookup(["ts", "spy", "es", "levels"]);
const CTX_NAMES = ["spot", "bid", "ask"] as const;
const CTX = fieldLookup(CTX_NAMES);

// Level keys → column index (resolved once here, not per field); sub-objects are in SUB below.
type Kind = "f" | "s" | "i64" | "b";
interface FieldSpec {
  key: string;
  col: number;
  kind: Kind;
}
const f = (key: string, c: string, kind: Kind = "f"): FieldSpec => ({ key, col: col(c), kind });
const LEVEL: FieldSpec[] = [
  f("id", "level_id", "s"), f("kind", "level_kind", "s"), f("price", "level_price"), f("direction", "direction", "s"),
  f("distance", "distance"), f("break_score_raw", "break_score_raw"), f("break_score_smooth", "break_score_smooth"),
  f("signal", "signal", "s"), f("confidence", "confidence", "s"), f("note", "note", "s"),
];
const SUB: Record<string, FieldSpec[]> = {
  barrier: [
    f("state", "barrier_state", "s"), f("delta_liq", "barrier_delta_liq"), f("replenishment_ratio", "barrier_replenishment_ratio"),
    f("added", "barrier_added"), f("canceled", "barrier_canceled"), f("filled", "barrier_filled"),
  ],
  tape: [f("imbalance", "tape_imbalance"), f("buy_vol", "tape_buy_vol", "i64"), f("sell_vol", "tape_sell_vol", "i64"), f("velocity", "tape_velocity")],
  sweep: [f("detected", "tape_sweep_detected", "b"), f("direction", "tape_sweep_direction", "s"), f("notional", "tape_sweep_notional")],
  fuel: [
    f("effect", "fuel_effect", "s"), f("net_dealer_gamma", "fuel_net_dealer_gamma"), f("call_wall", "fuel_call_wall"),
    f("put_wall", "fuel_put_wall"), f("hvl", "fuel_hvl"),
  ],
  runway: [f("direction", "runway_direction", "s"), f("distance", "runway_distance"), f("quality", "runway_quality", "s")],
  next_obstacle: [f("id", "runway_next_level_id", "s"), f("price", "runway_next_level_price")],
};
const LEVEL_KEYS = [...LEVEL.map((x) => x.key), "barrier", "tape", "fuel", "runway"];
const levelLookup = fieldLookup(LEVEL_KEYS);
const subLookup = new Map(Object.entries(SUB).map(([k, specs]) => [k, fieldLookup([...specs.map((s) => s.key), ...(k === "tape" ? ["sweep"] : k === "runway" ? ["next_obstacle"] : [])])]));
const TS_MIN_MS = Number(TS_MIN_NS / 1_000_000n);
const TS_MAX_MS = Number(TS_MAX_NS / 1_000_000n);

function readField(cur: JsonCursor, buf: TableBuffer, r: number, spec: FieldSpec, path: string): void {
  const c = spec.col;
  if (cur.isNull()) {
    if (c === LEVEL_ID) throw new DecodeError(`${path} (level id) is null`);
    resetField(buf, r, spec); // a null after an earlier value of the same key wins (JSON.parse)
    return;
  }
  const values = buf.cols[c]!;
  switch (spec.kind) {
    case "f":
      (values as Float64Array)[r] = readFloat(cur, path);
      break;
    case "s":
      (values as (string | null)[])[r] = cur.readString(path);
      break;
    case "b":
      (values as Uint8Array)[r] = cur.readBool(path) ? 1 : 0;
      break;
    case "i64":
      readInt64(cur, path, false);
      putInt64(buf.words[c]!, values as BigInt64Array, r, cur);
      break;
  }
  if (buf.valid[c]) buf.valid[c]![r] = 1;
}

/** Back to the absent value: null, or false for `tape.sweep.detected` (§3.2 default). */
function resetField(buf: TableBuffer, r: number, spec: FieldSpec): void {
  const c = spec.col;
  if (c === SWEEP_DETECTED) {
    (buf.cols[c] as Uint8Array)[r] = 0;
    return;
  }
  if (buf.valid[c]) buf.valid[c]![r] = 0;
  const v = buf.cols[c]!;
  if (Array.isArray(v)) v[r] = null;
}

function resetSub(buf: TableBuffer, r: number, name: string): void {
  for (const spec of SUB[name]!) resetField(buf, r, spec);
  if (name === "tape") resetSub(buf, r, "sweep");
  if (name === "runway") resetSub(buf, r, "next_obstacle");
}

function readSub(cur: JsonCursor, buf: TableBuffer, r: number, name: string, path: string): void {
  // §3.2: a null sub-object = absent; a repeated key replaces the earlier object wholly.
  resetSub(buf, r, name);
  if (cur.isNull()) return;
  const specs = SUB[name]!;
  const lookup = subLookup.get(name)!;
  cur.beginObject(path);
  let first = true;
  while (cur.nextKey(first)) {
    first = false;
    const k = lookup(cur);
    if (k < 0) skipValue(cur);
    else if (k < specs.length) readField(cur, buf, r, specs[k]!, `${path}.${specs[k]!.key}`);
    else if (name === "tape") readSub(cur, buf, r, "sweep", `${path}.sweep`);
    else readSub(cur, buf, r, "next_obstacle", `${path}.next_obstacle`);
  }
}

function initRow(buf: TableBuffer, r: number): void {
  for (let c = 0; c < buf.cols.length; c++) {
    const m = buf.valid[c];
    if (m) m[r] = 0;
    const v = buf.cols[c]!;
    if (Array.isArray(v)) v[r] = null;
  }
  (buf.cols[SWEEP_DETECTED] as Uint8Array)[r] = 0; // §3.2: default false when absent
  buf.valid[SWEEP_DETECTED]![r] = 1;
}

function readLevel(cur: JsonCursor, buf: TableBuffer, r: number, i: number): void {
  initRow(buf, r);
  const path = `levels[${i}]`;
  cur.beginObject(path);
  let first = true;
  let hasId = false;
  while (cur.nextKey(first)) {
    first = false;
    const k = levelLookup(cur);
    if (k < 0) skipValue(cur);
    else if (k < LEVEL.length) {
      readField(cur, buf, r, LEVEL[k]!, `${path}.${LEVEL[k]!.key}`);
      if (k === 0) hasId = true;
    } else readSub(cur, buf, r, LEVEL_KEYS[k]!, `${path}.${LEVEL_KEYS[k]}`);
  }
  if (!hasId) throw new DecodeError(`${path}.id is missing`);
}

const ctx = new Float64Array(3);
const ctxSet = new Uint8Array(3);

export const levelSignalsDecoder: TableDecoder = {
  table: "levels.signals",
  schema: LEVEL_SIGNALS,
  subject: LEVEL_SIGNALS_SUBJECT,
  prefix: LEVEL_SIGNALS_PATH,
  keyName: "underlying",
  decode(cur: JsonCursor, buf: TableBuffer, parts: Partitions): number {
    const r0 = buf.n;
    let rows = 0;
    let tsMs = -1;
    let haveSpy = false;
    ctxSet.fill(0);
    let sawLevels = false;
    cur.beginObject("the payload");
    let first = true;
    while (cur.nextKey(first)) {
      first = false;
      const k = TOP(cur);
      if (k === 0) {
        tsMs = readInt(cur, "ts", TS_MIN_MS, TS_MAX_MS);
        checkNotFuture(cur, Math.floor(tsMs / 1000), "ts");
      } else if (k === 1 || k === 2) {
        if (k === 2 && haveSpy) {
          skipValue(cur);
          continue;
        }
        if (k === 1) haveSpy = true;
        ctxSet.fill(0); // the context object read last wins, as with JSON.parse
        if (cur.isNull()) continue;
        const name = k === 1 ? "spy" : "es";
        cur.beginObject(name);
        let f2 = true;
        while (cur.nextKey(f2)) {
          f2 = false;
          const j = CTX(cur);
          if (j < 0 || cur.isNull()) {
            if (j < 0) skipValue(cur);
            else ctxSet[j] = 0;
            continue;
          }
          ctx[j] = readFloat(cur, `${name}.${CTX_NAMES[j]}`);
          ctxSet[j] = 1;
        }
      } else if (k === 3) {
        sawLevels = true;
        cur.beginArray("levels");
        let i = 0;
        while (cur.nextItem(i === 0)) {
          buf.ensure(r0 + i + 1);
          readLevel(cur, buf, r0 + i, i);
          i++;
        }
        rows = i;
      } else skipValue(cur);
    }
    cur.expectEnd();
    if (tsMs < 0) throw new DecodeError("missing required field ts");
    if (!sawLevels) throw new DecodeError("missing required field levels");
    if (rows === 0) return 0;
    const hi = Math.floor(tsMs / 1000);
    const lo = (tsMs - hi * 1000) * 1_000_000;
    const pid = parts.id("ES", Math.floor(hi / 3600));
    const under = buf.cols[UNDERLYING] as string[];
    for (let i = 0; i < rows; i++) {
      const r = r0 + i;
      putInt64Parts(buf.words[TS]!, r, hi, lo);
      under[r] = "ES"; // §3.2: literal, payload content ignored
      for (let j = 0; j < 3; j++) {
        const c = j === 0 ? SPOT : j === 1 ? BID : ASK;
        buf.valid[c]![r] = ctxSet[j]!;
        (buf.cols[c] as Float64Array)[r] = ctxSet[j] ? ctx[j]! : 0;
      }
      buf.part[r] = pid;
    }
    return rows;
  },
};
