/**
 * DELTA_BINARY_PACKED for INT64 pages (parquet-format Encodings.md §5): sorted
 * nanosecond timestamps and sequence numbers shrink to a few bits per value before
 * ZSTD even sees them.
 *
 * int64 arithmetic in BigInt is far too slow for a hot loop, so deltas are computed from
 * the 32-bit halves as exact Numbers. When a page holds a delta that cannot be exact
 * (|Δ| ≥ ~2^51, e.g. the int64-extremes test) or a packed width above 32 bits, the
 * encoder returns false and the caller writes that page PLAIN instead.
 */
import type { PageBuffer } from "./buffer";

const BLOCK = 128;
const MINIBLOCKS = 4;
const MINI = BLOCK / MINIBLOCKS;
const TWO32 = 4294967296;

const deltas = new Float64Array(BLOCK);
const miniMax = new Float64Array(MINIBLOCKS);

/** Append DELTA_BINARY_PACKED of values[start..end) to `out`. Returns false (and writes nothing) if not encodable. */
export function writeDeltaInt64(out: PageBuffer, values: BigInt64Array, start: number, end: number): boolean {
  const n = end - start;
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const mark = out.length;
  out.varint(BLOCK);
  out.varint(MINIBLOCKS);
  out.varint(n);
  if (n === 0) {
    out.varint(0);
    return true;
  }
  out.zigzagBig(values[start]!);
  let prevLo = words[start * 2]! >>> 0;
  let prevHi = words[start * 2 + 1]!;
  for (let i = start + 1; i < end; ) {
    const count = Math.min(BLOCK, end - i);
    // one pass: the deltas, the block's minimum and each miniblock's maximum (the widths
    // follow from max − min: exact, every |delta| is below 2^51)
    let minDelta = Infinity;
    for (let m = 0; m < MINIBLOCKS; m++) {
      let max = -Infinity;
      const to = Math.min(count, (m + 1) * MINI);
      for (let k = m * MINI; k < to; k++) {
        const lo = words[(i + k) * 2]! >>> 0;
        const hi = words[(i + k) * 2 + 1]!;
        const dh = hi - prevHi;
        if (dh > 524288 || dh < -524288) {
          out.length = mark;
          return false;
        }
        const d = dh * TWO32 + (lo - prevLo);
        deltas[k] = d;
        if (d < minDelta) minDelta = d;
        if (d > max) max = d;
        prevLo = lo;
        prevHi = hi;
      }
      miniMax[m] = max;
    }
    out.zigzag(minDelta);
    const widthsAt = out.length;
    out.ensure(MINIBLOCKS);
    out.length += MINIBLOCKS;
    for (let m = 0; m < MINIBLOCKS; m++) {
      const from = m * MINI;
      if (from >= count) {
        out.bytes[widthsAt + m] = 0; // unused miniblocks carry width 0 and no data
        continue;
      }
      const max = miniMax[m]! - minDelta;
      if (max >= TWO32) {
        out.length = mark;
        return false;
      }
      const width = max === 0 ? 0 : 32 - Math.clz32(max >>> 0);
      out.bytes[widthsAt + m] = width;
      if (width > 0) packMiniblock(out, deltas, from, Math.min(count, from + MINI), minDelta, width);
    }
    i += count;
  }
  return true;
}

/**
 * Bit-pack 32 values (padding with zeros past `to`) of (d - minDelta) at `width` ≤ 32 bits,
 * LSB first: 32 values × width bits is exactly `width` little-endian 32-bit words.
 */
function packMiniblock(out: PageBuffer, d: Float64Array, from: number, to: number, minDelta: number, width: number): void {
  out.ensure(width * 4);
  const view = out.view;
  let pos = out.length;
  let word = 0;
  let used = 0;
  for (let k = from; k < from + MINI; k++) {
    const v = k < to ? (d[k]! - minDelta) >>> 0 : 0;
    word |= v << used;
    used += width;
    if (used >= 32) {
      view.setUint32(pos, word, true);
      pos += 4;
      used -= 32;
      word = used > 0 ? v >>> (width - used) : 0;
    }
  }
  out.length = pos;
}
