/**
 * DuckDB result vectors → Frame columns, column-wise.
 *
 * WHY not `getRowObjects()`: a row object per MBP-10 row (46 fields × 1M rows) costs
 * more than DuckDB's whole scan. Fixed-width vectors expose a typed-array view over
 * DuckDB's own memory (`items`); we copy those with one `TypedArray.set` per chunk and
 * read validity bits byte-wise. The views are private fields of @duckdb/node-api, so
 * every fast path checks the shape it relies on and falls back to `getItem()` (slow,
 * but correct) if a future version changes it.
 */
import type { DuckDBVector } from "@duckdb/node-api";
import { LakeError } from "../errors";
import { allocValues, type Column, type ColumnValues } from "../frame";
import type { ColumnType } from "../schemas/types";

/** DuckDBTypeId numbers (stable in the C API; duplicated to avoid loading DuckDB for a switch). */
export const TypeId = {
  BOOLEAN: 1, TINYINT: 2, SMALLINT: 3, INTEGER: 4, BIGINT: 5, UTINYINT: 6, USMALLINT: 7, UINTEGER: 8,
  UBIGINT: 9, FLOAT: 10, DOUBLE: 11, TIMESTAMP: 12, DATE: 13, HUGEINT: 16, VARCHAR: 17, DECIMAL: 19,
  TIMESTAMP_S: 20, TIMESTAMP_MS: 21, TIMESTAMP_NS: 22, LIST: 24, TIMESTAMP_TZ: 31, UHUGEINT: 32, SQLNULL: 36,
} as const;

/** How one DuckDB column becomes a Frame column. */
export interface ColumnSpec {
  name: string;
  typeId: number;
  /** For LIST: the child type id. */
  childTypeId?: number;
  type: ColumnType;
}

export function frameTypeFor(typeId: number, childTypeId?: number): ColumnType {
  switch (typeId) {
    case TypeId.BIGINT:
    case TypeId.UINTEGER:
    case TypeId.UBIGINT:
    case TypeId.HUGEINT:
    case TypeId.UHUGEINT:
      return "int64";
    case TypeId.INTEGER:
    case TypeId.USMALLINT:
      return "int32";
    case TypeId.SMALLINT:
    case TypeId.UTINYINT:
      return "int16";
    case TypeId.TINYINT:
      return "int8";
    case TypeId.DOUBLE:
    case TypeId.FLOAT:
    case TypeId.DECIMAL:
      return "float64";
    case TypeId.BOOLEAN:
      return "bool";
    case TypeId.DATE:
      return "date32";
    case TypeId.TIMESTAMP:
    case TypeId.TIMESTAMP_S:
    case TypeId.TIMESTAMP_MS:
    case TypeId.TIMESTAMP_NS:
    case TypeId.TIMESTAMP_TZ:
      return "timestamp_ns";
    case TypeId.LIST:
      return childTypeId === TypeId.SMALLINT || childTypeId === TypeId.TINYINT ? "list_int16" : "utf8";
    default:
      return "utf8"; // VARCHAR, and a readable rendering of everything else (TIME, UUID, STRUCT…)
  }
}

type Typed = Exclude<ColumnValues, unknown[]>;

/** Accumulates one column across chunks into preallocated typed arrays. */
export class ColumnSink {
  readonly spec: ColumnSpec;
  values: ColumnValues;
  valid: Uint8Array | undefined;
  private readonly strCache = new StringRunCache();

  constructor(spec: ColumnSpec, capacity: number) {
    this.spec = spec;
    this.values = allocValues(spec.type, capacity);
  }

  /** Grow (doubling) so rows [0, rows) fit; existing rows are kept. */
  reserve(rows: number): void {
    const cap = this.values.length;
    if (rows <= cap) return;
    let next = Math.max(cap, 1024);
    while (next < rows) next *= 2;
    const grown = allocValues(this.spec.type, next);
    if (Array.isArray(grown)) {
      const src = this.values as unknown[];
      for (let i = 0; i < cap; i++) (grown as unknown[])[i] = src[i];
    } else {
      (grown as Typed).set(this.values as never);
    }
    this.values = grown;
    if (this.valid) {
      const v = new Uint8Array(next).fill(1);
      v.set(this.valid);
      this.valid = v;
    }
  }

  /** Copy `count` items of `vec` into rows [off, off + count). */
  append(vec: DuckDBVector, off: number, count: number): void {
    const t = this.spec.typeId;
    const raw = vec as unknown as { items?: unknown; dataView?: DataView; validity?: { data: unknown; offset: number } };
    const direct = directItems(t, raw.items);
    if (direct) {
      (this.values as Typed).set(direct.subarray(0, count) as never, off);
      this.copyValidity(vec, raw, off, count);
      return;
    }
    const scale = TIMESTAMP_SCALE[t];
    if (scale !== undefined && raw.items instanceof BigInt64Array) {
      const src = raw.items;
      const out = this.values as BigInt64Array;
      for (let i = 0; i < count; i++) out[off + i] = src[i]! * scale;
      this.copyValidity(vec, raw, off, count);
      return;
    }
    if (t === TypeId.BOOLEAN && raw.dataView instanceof DataView && raw.dataView.byteLength >= count) {
      const src = new Uint8Array(raw.dataView.buffer, raw.dataView.byteOffset, count);
      const out = this.values as Uint8Array;
      for (let i = 0; i < count; i++) out[off + i] = src[i] !== 0 ? 1 : 0;
      this.copyValidity(vec, raw, off, count);
      return;
    }
    if (t === TypeId.VARCHAR && raw.dataView instanceof DataView && validityOf(raw) !== undefined) {
      this.appendStrings(vec, raw.dataView, validityOf(raw)!, off, count);
      return;
    }
    this.appendSlow(vec, off, count);
  }

  private copyValidity(vec: DuckDBVector, raw: { validity?: { data: unknown; offset: number } }, off: number, count: number): void {
    const v = validityOf(raw);
    if (v === undefined) {
      for (let i = 0; i < count; i++) if (vec.getItem(i) === null) this.setNull(off + i);
      return;
    }
    if (v === null) return;
    const { bytes, offset } = v;
    if (allValid(bytes, offset, count)) return;
    for (let i = 0; i < count; i++) {
      const bit = offset + i;
      if (((bytes[bit >> 3]! >> (bit & 7)) & 1) === 0) this.setNull(off + i);
    }
  }

  private setNull(row: number): void {
    if (Array.isArray(this.values)) {
      this.values[row] = null; // utf8/list: a JS null is the null marker (src/frame.ts)
      return;
    }
    if (!this.valid) {
      this.valid = new Uint8Array(this.values.length).fill(1);
    }
    this.valid[row] = 0;
    // DuckDB leaves whatever bytes were there under a null; zero them so a consumer that
    // ignores the mask still sees a deterministic value.
    if (this.values instanceof BigInt64Array) this.values[row] = 0n;
    else (this.values as Exclude<Typed, BigInt64Array>)[row] = 0;
  }

  /**
   * Inline strings (≤ 12 bytes: symbols, sources, sides) are decoded straight from the
   * 16-byte string slots, reusing the previous value when the slot bytes repeat — ES
   * columns are long runs of the same few values. Longer strings go through getItem.
   */
  private appendStrings(
    vec: DuckDBVector,
    view: DataView,
    validity: { bytes: Uint8Array; offset: number } | null,
    off: number,
    count: number,
  ): void {
    const out = this.values as (string | null)[];
    const u8 = new Uint8Array(view.buffer, view.byteOffset, count * 16);
    const cache = this.strCache;
    if (validity && allValid(validity.bytes, validity.offset, count)) validity = null;
    for (let i = 0; i < count; i++) {
      if (validity) {
        const bit = validity.offset + i;
        if (((validity.bytes[bit >> 3]! >> (bit & 7)) & 1) === 0) {
          this.setNull(off + i);
          continue;
        }
      }
      const len = view.getUint32(i * 16, true);
      out[off + i] = len <= 12 ? cache.decode(u8, i * 16, len) : (vec.getItem(i) as string);
    }
  }

  private appendSlow(vec: DuckDBVector, off: number, count: number): void {
    const t = this.spec.typeId;
    const type = this.spec.type;
    for (let i = 0; i < count; i++) {
      const v = vec.getItem(i) as unknown;
      const row = off + i;
      if (v === null || v === undefined) {
        this.setNull(row);
        continue;
      }
      switch (type) {
        case "int64":
          (this.values as BigInt64Array)[row] = toInt64(v, this.spec.name);
          break;
        case "timestamp_ns":
          (this.values as BigInt64Array)[row] = timestampNs(t, v);
          break;
        case "float64":
          (this.values as Float64Array)[row] = toNumber(v);
          break;
        case "bool":
          (this.values as Uint8Array)[row] = v ? 1 : 0;
          break;
        case "list_int16": {
          const items = (v as { items: unknown[] }).items;
          (this.values as (Int16Array | null)[])[row] = Int16Array.from(items, (x) => Number(x));
          break;
        }
        case "utf8":
          (this.values as (string | null)[])[row] = typeof v === "string" ? v : String(v);
          break;
        default:
          (this.values as unknown as { [k: number]: number })[row] = Number(v);
      }
    }
  }

  /**
   * The finished column of `rows` rows. Spare capacity is cut with a zero-copy view when it
   * is small (≤ 1/8), else copied out so a small result does not pin a large buffer.
   */
  finish(rows: number): Column {
    let values = this.values;
    let valid = this.valid;
    const cap = values.length;
    if (rows !== cap) {
      if (Array.isArray(values)) values = values.slice(0, rows) as ColumnValues;
      else values = (cap - rows <= cap >> 3 ? (values as Typed).subarray(0, rows) : (values as Typed).slice(0, rows)) as ColumnValues;
      valid = valid?.slice(0, rows);
    }
    return { name: this.spec.name, type: this.spec.type, values, valid };
  }
}

/** ns per unit of the coarser DuckDB timestamp types. */
const TIMESTAMP_SCALE: Record<number, bigint> = {
  [TypeId.TIMESTAMP]: 1000n,
  [TypeId.TIMESTAMP_TZ]: 1000n,
  [TypeId.TIMESTAMP_MS]: 1_000_000n,
  [TypeId.TIMESTAMP_S]: 1_000_000_000n,
};

/** The typed-array view DuckDB exposes for a fixed-width type whose layout equals ours. */
function directItems(typeId: number, items: unknown): Typed | null {
  switch (typeId) {
    case TypeId.BIGINT:
      return items instanceof BigInt64Array ? items : null;
    case TypeId.TIMESTAMP_NS:
      return items instanceof BigInt64Array ? items : null;
    case TypeId.DOUBLE:
      return items instanceof Float64Array ? items : null;
    case TypeId.INTEGER:
    case TypeId.DATE:
      return items instanceof Int32Array ? items : null;
    case TypeId.SMALLINT:
      return items instanceof Int16Array ? items : null;
    case TypeId.TINYINT:
      return items instanceof Int8Array ? items : null;
    default:
      return null;
  }
}

/**
 * DuckDB often hands out a validity mask even when nothing is null (after a sort, a union);
 * check it a byte at a time before falling back to per-row bits.
 */
function allValid(bytes: Uint8Array, offset: number, count: number): boolean {
  let i = 0;
  for (; i < count && ((offset + i) & 7) !== 0; i++) {
    const bit = offset + i;
    if (((bytes[bit >> 3]! >> (bit & 7)) & 1) === 0) return false;
  }
  const full = (count - i) >> 3;
  const start = (offset + i) >> 3;
  for (let k = 0; k < full; k++) if (bytes[start + k] !== 0xff) return false;
  for (i += full * 8; i < count; i++) {
    const bit = offset + i;
    if (((bytes[bit >> 3]! >> (bit & 7)) & 1) === 0) return false;
  }
  return true;
}

/** null = all valid; undefined = unknown layout (caller must use getItem). */
function validityOf(raw: { validity?: { data: unknown; offset: number } }): { bytes: Uint8Array; offset: number } | null | undefined {
  const v = raw.validity;
  if (!v || typeof v.offset !== "number") return undefined;
  if (v.data === null) return null;
  if (!(v.data instanceof BigUint64Array)) return undefined;
  return { bytes: new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength), offset: v.offset };
}

const decoder = new TextDecoder();

/** Remembers the last few inline string slots and their decoded strings. */
class StringRunCache {
  private keys = new Uint8Array(16 * 4);
  private vals: string[] = ["", "", "", ""];
  private used = 0;
  private next = 0;

  decode(u8: Uint8Array, at: number, len: number): string {
    const end = at + 4 + len;
    outer: for (let s = 0; s < this.used; s++) {
      const k = s * 16;
      if (this.keys[k] !== u8[at]) continue; // length byte
      for (let j = 4; j < 4 + len; j++) if (this.keys[k + j] !== u8[at + j]) continue outer;
      return this.vals[s]!;
    }
    const str = decoder.decode(u8.subarray(at + 4, end));
    const slot = this.next;
    this.keys.set(u8.subarray(at, at + 16), slot * 16);
    this.vals[slot] = str;
    this.next = (slot + 1) % 4;
    if (this.used < 4) this.used++;
    return str;
  }
}

function toInt64(v: unknown, name: string): bigint {
  const b = typeof v === "bigint" ? v : BigInt(Math.trunc(Number(v)));
  if (BigInt.asIntN(64, b) !== b) {
    throw new LakeError(`column "${name}": value ${b} does not fit in int64; CAST it in the query (e.g. ::DOUBLE)`);
  }
  return b;
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  const d = v as { toDouble?: () => number };
  return typeof d.toDouble === "function" ? d.toDouble() : Number(String(v));
}

/** DuckDB timestamp values carry `micros`/`millis`/`seconds`/`nanos` bigints. */
function timestampNs(typeId: number, v: unknown): bigint {
  const o = v as { micros?: bigint; millis?: bigint; seconds?: bigint; nanos?: bigint };
  if (typeId === TypeId.TIMESTAMP_NS && o.nanos !== undefined) return o.nanos;
  if (typeId === TypeId.TIMESTAMP_MS && o.millis !== undefined) return o.millis * 1_000_000n;
  if (typeId === TypeId.TIMESTAMP_S && o.seconds !== undefined) return o.seconds * 1_000_000_000n;
  if (o.micros !== undefined) return o.micros * 1000n;
  throw new LakeError(`unsupported timestamp value ${String(v)}`);
}
