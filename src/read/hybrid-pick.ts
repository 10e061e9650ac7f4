/**
 * Chosen values of an RLE / bit-packed hybrid run sequence (parquet-format Encodings.md
 * "RLE"), without decoding the others: the dictionary indices of a RLE_DICTIONARY page at
 * a few rows. An RLE run answers every wanted row inside it with one value; a bit-packed run
 * is addressed directly (row × width bits from its start). Cost: one step per run plus one
 * per wanted row — a book column whose value changes every few dozen rows is mostly runs.
 */

/**
 * For each wanted row `rows[k]` from k0 on (ascending; position `rows[k] − origin` in the
 * runs, below `count`), `out[k]` = the value there. Runs start at `page[from]` and end at
 * `page[to]`. Returns the first k not answered: past `count`, or the runs ended early.
 */
export function pickHybrid(
  page: Uint8Array,
  from: number,
  to: number,
  width: number,
  count: number,
  rows: ArrayLike<number>,
  origin: number,
  k0: number,
  out: Int32Array,
): number {
  if (width > 24) throw new Error(`bit width ${width} is beyond a dictionary index`);
  const mask = width === 0 ? 0 : (1 << width) - 1;
  const valueBytes = (width + 7) >> 3;
  let at = from;
  let first = 0; // position of the current run's first value
  let k = k0;
  const end = origin + count;
  while (k < rows.length && rows[k]! < end && at < to) {
    // run headers of a page stay far below 2^31: plain int arithmetic
    let header = page[at++]!;
    if (header >= 128) {
      header &= 127;
      for (let shift = 7; ; shift += 7) {
        const b = page[at++]!;
        header |= (b & 127) << shift;
        if (b < 128) break;
      }
    }
    if (header & 1) {
      const values = (header >>> 1) << 3;
      const base = at;
      const stop = Math.min(end, origin + first + values);
      for (; k < rows.length && rows[k]! < stop; k++) {
        const bit = (rows[k]! - origin - first) * width;
        const byte = base + (bit >>> 3);
        const word = (page[byte]! | ((page[byte + 1] ?? 0) << 8) | ((page[byte + 2] ?? 0) << 16) | ((page[byte + 3] ?? 0) << 24)) >>> (bit & 7);
        out[k] = word & mask;
      }
      at = base + (header >>> 1) * width;
      first += values;
    } else {
      const len = header >>> 1;
      let v = 0;
      for (let b = 0; b < valueBytes; b++) v |= page[at + b]! << (8 * b);
      at += valueBytes;
      const stop = Math.min(end, origin + first + len);
      for (; k < rows.length && rows[k]! < stop; k++) out[k] = v;
      first += len;
    }
  }
  return k;
}
