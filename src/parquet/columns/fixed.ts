/**
 * Fixed-width columns (int64/timestamp_ns, float64, int32/date32, int16, int8, bool):
 * PLAIN value bytes straight from the typed arrays, and min/max statistics from tight
 * loops over the raw words. Parquet is little-endian like every platform Bun ships on,
 * so a non-null INT32/INT64/DOUBLE page is a zero-copy view of the column's memory.
 */
import type { ColumnType } from "../../schemas/types";

export type FixedValues = BigInt64Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface ChunkStats {
  min?: Uint8Array;
  max?: Uint8Array;
  nullCount: number;
}

/** Bytes per value in the Parquet physical type (bool is bit-packed: 0). */
export function physicalWidth(type: ColumnType): number {
  switch (type) {
    case "int64":
    case "timestamp_ns":
    case "float64":
      return 8;
    case "bool":
      return 0;
    default:
      return 4;
  }
}

/** Gather the non-null values of rows [start, end) into a new array of the same kind. */
export function compactNonNull<T extends FixedValues>(values: T, start: number, end: number, valid: Uint8Array): T {
  let n = 0;
  for (let i = start; i < end; i++) n += valid[i]!;
  const out = new (values.constructor as new (n: number) => T)(n);
  let j = 0;
  for (let i = start; i < end; i++) if (valid[i]) out[j++] = values[i]!;
  return out;
}

/**
 * PLAIN bytes of values[start..end) (all non-null). INT32-backed narrow types are
 * widened; bools are bit-packed LSB first. Returns a view when no conversion is needed.
 */
export function plainBytes(type: ColumnType, values: FixedValues, start: number, end: number): Uint8Array {
  const n = end - start;
  if (type === "bool") {
    const out = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (values[start + i]) out[i >> 3]! |= 1 << (i & 7);
    return out;
  }
  if (values instanceof Int16Array || values instanceof Int8Array) {
    const wide = new Int32Array(n);
    wide.set(values.subarray(start, end));
    return new Uint8Array(wide.buffer);
  }
  const w = values.BYTES_PER_ELEMENT;
  return new Uint8Array(values.buffer, values.byteOffset + start * w, n * w);
}

function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

function le64f(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return b;
}

/** min/max over non-null rows of [start, end); float chunks holding NaN get none. */
export function fixedStats(type: ColumnType, values: FixedValues, start: number, end: number, valid?: Uint8Array): ChunkStats {
  let nullCount = 0;
  if (valid) for (let i = start; i < end; i++) nullCount += 1 - valid[i]!;
  if (end - start === nullCount) return { nullCount };
  if (values instanceof BigInt64Array) return { nullCount, ...int64MinMax(values, start, end, valid) };
  if (values instanceof Float64Array) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = start; i < end; i++) {
      if (valid && !valid[i]) continue;
      const v = values[i]!;
      // Any NaN: no bounds at all. The Parquet spec leaves NaN out of min/max, but DuckDB
      // orders NaN above +Infinity and would prune a group holding NaN by its NaN-less max
      // (`x >= 1e300` missed rows). DuckDB's own writer omits the bounds too.
      if (v !== v) return { nullCount };
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // signed zero rule: a zero min is written -0, a zero max +0
    return { nullCount, min: le64f(min === 0 ? -0 : min), max: le64f(max === 0 ? 0 : max) };
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    if (valid && !valid[i]) continue;
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (type === "bool") return { nullCount, min: Uint8Array.of(min), max: Uint8Array.of(max) };
  return { nullCount, min: le32(min), max: le32(max) };
}

/** int64 min/max via the 32-bit halves — reading a BigInt64Array element allocates a BigInt. */
export function int64MinMax(values: BigInt64Array, start: number, end: number, valid?: Uint8Array): { min: Uint8Array; max: Uint8Array } {
  const w = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  let minI = -1;
  let maxI = -1;
  let minHi = 0;
  let minLo = 0;
  let maxHi = 0;
  let maxLo = 0;
  for (let i = start; i < end; i++) {
    if (valid && !valid[i]) continue;
    const hi = w[i * 2 + 1]!;
    const lo = w[i * 2]! >>> 0;
    if (minI < 0 || hi < minHi || (hi === minHi && lo < minLo)) {
      minI = i;
      minHi = hi;
      minLo = lo;
    }
    if (maxI < 0 || hi > maxHi || (hi === maxHi && lo > maxLo)) {
      maxI = i;
      maxHi = hi;
      maxLo = lo;
    }
  }
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return { min: bytes.slice(minI * 8, minI * 8 + 8), max: bytes.slice(maxI * 8, maxI * 8 + 8) };
}
