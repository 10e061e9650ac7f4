/**
 * Gather rows by index for the pre-encode sort. 8-byte columns are copied as pairs of
 * 32-bit words: reading a BigInt64Array element allocates a BigInt, and copying through
 * a Float64Array may canonicalise NaN bit patterns.
 */
import { takeColumn, type Column } from "../frame";

export function gatherColumn(c: Column, idx: Uint32Array): Column {
  const v = c.values;
  if (!(v instanceof BigInt64Array || v instanceof Float64Array)) return takeColumn(c, idx);
  const n = idx.length;
  const src = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
  const out = v instanceof BigInt64Array ? new BigInt64Array(n) : new Float64Array(n);
  const dst = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const j = idx[i]! * 2;
    dst[i * 2] = src[j]!;
    dst[i * 2 + 1] = src[j + 1]!;
  }
  let valid: Uint8Array | undefined;
  if (c.valid) {
    valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) valid[i] = c.valid[idx[i]!]!;
  }
  return { name: c.name, type: c.type, values: out, valid };
}
