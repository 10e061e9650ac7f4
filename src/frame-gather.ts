/**
 * Gather rows by index (Frame.take, the codec's pre-encode sort), one monomorphic loop per
 * array kind (a shared generic loop over every typed-array class ran ~3× slower). int64 is copied as
 * pairs of 32-bit words: reading a BigInt64Array element allocates a BigInt, and routing
 * int64 bits through a Float64Array could canonicalise bit patterns that look like NaN
 * (values near ±2^63). float64 goes through Float64Array: only NaN payloads may change.
 */
import type { Column, ColumnValues } from "./frame";

function gatherWords(src: BigInt64Array, idx: Uint32Array): BigInt64Array {
  const n = idx.length;
  const s = new Int32Array(src.buffer, src.byteOffset, src.length * 2);
  const out = new BigInt64Array(n);
  const d = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const j = idx[i]! * 2;
    d[i * 2] = s[j]!;
    d[i * 2 + 1] = s[j + 1]!;
  }
  return out;
}

function gatherF64(s: Float64Array, idx: Uint32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = s[idx[i]!]!;
  return out;
}

function gatherI32(s: Int32Array, idx: Uint32Array): Int32Array {
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = s[idx[i]!]!;
  return out;
}

function gatherI16(s: Int16Array, idx: Uint32Array): Int16Array {
  const out = new Int16Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = s[idx[i]!]!;
  return out;
}

function gatherI8(s: Int8Array, idx: Uint32Array): Int8Array {
  const out = new Int8Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = s[idx[i]!]!;
  return out;
}

function gatherU8(s: Uint8Array, idx: Uint32Array): Uint8Array {
  const out = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = s[idx[i]!]!;
  return out;
}

function gatherBoxed<T>(s: readonly T[], idx: Uint32Array): T[] {
  const out = new Array<T>(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = s[idx[i]!]!;
  return out;
}

/** `out[i] = v[idx[i]]` for any column's values (typed arrays stay their own class). */
export function gatherValues<V extends ColumnValues>(v: V, idx: Uint32Array): V;
export function gatherValues(v: ColumnValues, idx: Uint32Array): ColumnValues {
  if (v instanceof BigInt64Array) return gatherWords(v, idx);
  if (v instanceof Float64Array) return gatherF64(v, idx);
  if (v instanceof Int32Array) return gatherI32(v, idx);
  if (v instanceof Int16Array) return gatherI16(v, idx);
  if (v instanceof Int8Array) return gatherI8(v, idx);
  if (v instanceof Uint8Array) return gatherU8(v, idx);
  return gatherBoxed(v as unknown[], idx) as ColumnValues;
}

export function gatherColumn(c: Column, idx: Uint32Array): Column {
  return {
    name: c.name,
    type: c.type,
    values: gatherValues(c.values, idx),
    valid: c.valid ? gatherU8(c.valid, idx) : undefined,
  };
}
