/**
 * RLE / bit-packed hybrid encoding (parquet-format Encodings.md "RLE"), used for
 * definition/repetition levels and dictionary indices. Groups of 8 equal values extend
 * an RLE run; anything else goes into bit-packed groups of 8. Only the final bit-packed
 * run may be padded, which is where the tail group always lands.
 */
import type { PageBuffer } from "./buffer";

type IntArray = Uint8Array | Uint16Array | Int32Array | Uint32Array;

/** Append the hybrid encoding of `values[0..n)` at `bitWidth` (1..24) to `out`; returns bytes written. */
export function writeRleHybrid(out: PageBuffer, values: IntArray, n: number, bitWidth: number): number {
  const start = out.length;
  const byteWidth = (bitWidth + 7) >> 3;
  let packedFrom = -1; // first index of a pending bit-packed run
  let runValue = 0;
  let runLen = 0;

  const flushRun = () => {
    if (runLen === 0) return;
    out.varint(runLen * 2);
    out.ensure(byteWidth);
    let v = runValue;
    for (let b = 0; b < byteWidth; b++) {
      out.bytes[out.length++] = v & 255;
      v >>>= 8;
    }
    runLen = 0;
  };
  const flushPacked = (end: number) => {
    if (packedFrom < 0) return;
    const groups = Math.ceil((end - packedFrom) / 8);
    out.varint(groups * 2 + 1);
    packBits(out, values, packedFrom, end, groups * 8, bitWidth);
    packedFrom = -1;
  };

  let i = 0;
  while (i + 8 <= n) {
    // how far values[i] repeats: the whole groups of 8 it fills are uniform (dictionary
    // indices of book prices repeat for hundreds of rows: one tight scan, not a test per group)
    const v = values[i]!;
    let e = i + 1;
    while (e < n && values[e] === v) e++;
    const uniform = (e - i) & ~7;
    if (uniform > 0) {
      if (runLen > 0 && runValue === v) runLen += uniform;
      else {
        flushPacked(i);
        flushRun();
        runValue = v;
        runLen = uniform;
      }
      i += uniform;
    } else {
      flushRun();
      if (packedFrom < 0) packedFrom = i;
      i += 8;
    }
  }
  if (i < n) {
    // tail shorter than a group: extend a matching run, else pad into the final packed run
    let uniform = runLen > 0 && packedFrom < 0;
    for (let k = i; uniform && k < n; k++) if (values[k] !== runValue) uniform = false;
    if (uniform) runLen += n - i;
    else {
      flushRun();
      if (packedFrom < 0) packedFrom = i;
    }
  }
  flushPacked(n);
  flushRun();
  return out.length - start;
}

/** Bit-pack values[from..to) LSB-first, padding with zeros up to `count` values. */
function packBits(out: PageBuffer, values: IntArray, from: number, to: number, count: number, bitWidth: number): void {
  out.ensure(Math.ceil((count * bitWidth) / 8));
  const bytes = out.bytes;
  let pos = out.length;
  // fewer than 8 pending bits + a value of ≤ 24 bits fit a 32-bit int
  let acc = 0;
  let bits = 0;
  for (let k = 0; k < count; k++) {
    const v = from + k < to ? values[from + k]! : 0;
    acc |= v << bits;
    bits += bitWidth;
    while (bits >= 8) {
      bytes[pos++] = acc & 255;
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) bytes[pos++] = acc;
  out.length = pos;
}

export function bitWidthOf(maxValue: number): number {
  return maxValue <= 0 ? 0 : 32 - Math.clz32(maxValue);
}
