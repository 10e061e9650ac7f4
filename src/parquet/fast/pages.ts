/**
 * Value decoders for the page encodings the lake's writer emits (src/parquet/columns):
 * RLE/bit-packed hybrid levels and indices, PLAIN fixed-width and byte arrays, and
 * DELTA_BINARY_PACKED int64.
 */
import { ThriftReader } from "./thrift";

const utf8 = new TextDecoder();

/** Decode `count` RLE/bit-packed hybrid values of `bitWidth` from buf[pos..end) into out. */
export function readHybrid(buf: Uint8Array, pos: number, end: number, bitWidth: number, count: number, out: Uint8Array | Int32Array): void {
  const byteWidth = (bitWidth + 7) >> 3;
  const mask = bitWidth >= 32 ? 0xffffffff : (1 << bitWidth) - 1;
  let i = 0;
  while (i < count) {
    if (pos >= end) throw new Error("RLE run past the end of its section");
    let header = 0;
    let mul = 1;
    for (;;) {
      const x = buf[pos++]!;
      header += (x & 0x7f) * mul;
      if (x < 0x80) break;
      mul *= 128;
    }
    if (header % 2 === 1) {
      const n = Math.min(((header - 1) / 2) * 8, count - i);
      if (bitWidth <= 24) {
        // bytes fed into a 32-bit accumulator as needed: never more than 31 bits held, never a
        // byte past the values read
        let acc = 0, held = 0, p = pos;
        for (let k = 0; k < n; k++) {
          while (held < bitWidth) {
            acc |= buf[p++]! << held;
            held += 8;
          }
          out[i++] = acc & mask;
          acc >>>= bitWidth;
          held -= bitWidth;
        }
      } else {
        let bitPos = pos * 8;
        for (let k = 0; k < n; k++) {
          out[i++] = bitsAt(buf, bitPos, bitWidth) & mask;
          bitPos += bitWidth;
        }
      }
      pos += ((header - 1) / 2) * bitWidth;
    } else {
      let v = 0;
      for (let b = 0; b < byteWidth; b++) v |= buf[pos++]! << (8 * b);
      const n = Math.min(header / 2, count - i);
      out.fill(v as never, i, i + n);
      i += n;
    }
  }
}

/** The `width` (≤ 32) bits at bit position `bitPos`, LSB first, as an exact non-negative Number. */
function bitsAt(buf: Uint8Array, bitPos: number, width: number): number {
  if (width === 0) return 0;
  const b = bitPos >>> 3;
  const shift = bitPos & 7;
  // int32 arithmetic: four bytes hold the value unless it reaches into a fifth (shift + width > 32);
  // bytes past the end of buf read as 0 (a last miniblock's padding may be cut short)
  let v = ((buf[b] ?? 0) | ((buf[b + 1] ?? 0) << 8) | ((buf[b + 2] ?? 0) << 16) | ((buf[b + 3] ?? 0) << 24)) >>> shift;
  if (shift + width > 32) v |= (buf[b + 4] ?? 0) << (32 - shift);
  return width === 32 ? v >>> 0 : v & ((1 << width) - 1);
}

/** A u32-length-prefixed level section (data page v1) at pos; returns the position after it. */
export function readLevels(buf: Uint8Array, pos: number, bitWidth: number, count: number, out: Uint8Array): number {
  const len = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24);
  readHybrid(buf, pos + 4, pos + 4 + len, bitWidth, count, out);
  return pos + 4 + len;
}

function asciiOrUtf8(buf: Uint8Array, from: number, to: number): string {
  if (to - from <= 24) {
    let s = "";
    for (let i = from; i < to; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return utf8.decode(buf.subarray(from, to));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(buf.subarray(from, to));
}

/** `count` PLAIN byte arrays from pos. */
export function readPlainStrings(buf: Uint8Array, pos: number, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const n = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24);
    pos += 4;
    if (pos + n > buf.length) throw new Error("PLAIN byte array past the end of its page");
    out[i] = asciiOrUtf8(buf, pos, pos + n);
    pos += n;
  }
  return out;
}

/** `count` PLAIN fixed-width values from pos, copied into a fresh (aligned) array. */
export function readPlainFixed<T extends Int32Array | BigInt64Array | Float64Array>(buf: Uint8Array, pos: number, count: number, ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  const bytes = count * ctor.BYTES_PER_ELEMENT;
  if (pos + bytes > buf.length) throw new Error("PLAIN values past the end of their page");
  // An ArrayBuffer made first: asking a small typed array for its `.buffer` makes the engine
  // move it out of line, which cost more than the copy for the few values of a flush file's page.
  const ab = new ArrayBuffer(bytes);
  new Uint8Array(ab).set(buf.subarray(pos, pos + bytes)); // buf may be a Node Buffer, whose slice() is a view
  return new ctor(ab);
}

/** `count` bit-packed PLAIN booleans from pos. */
export function readPlainBools(buf: Uint8Array, pos: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (buf[pos + (i >> 3)]! >> (i & 7)) & 1;
  return out;
}

const TWO32 = 4294967296;

/**
 * DELTA_BINARY_PACKED int64 from pos: exact 64-bit sums in 32-bit halves for packed widths up
 * to 32 bits and safe minimum deltas (what the lake writes), BigInt otherwise.
 */
export function readDeltaInt64(buf: Uint8Array, pos: number, count: number): BigInt64Array {
  const r = new ThriftReader(buf, pos);
  const varint = () => r.varint();
  const varBig = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const x = buf[r.pos++]!;
      if (x === undefined) throw new Error("truncated DELTA_BINARY_PACKED page");
      result |= BigInt(x & 0x7f) << shift;
      if (x < 0x80) return result;
      shift += 7n;
    }
  };
  const zigBig = (): bigint => {
    const n = varBig();
    return n & 1n ? -((n + 1n) >> 1n) : n >> 1n;
  };
  const blockSize = varint();
  const miniblocks = varint();
  const total = varint();
  const ab = new ArrayBuffer(count * 8); // see readPlainFixed
  const out = new BigInt64Array(ab);
  if (total === 0 || count === 0) return out;
  if (total < count) throw new Error(`DELTA_BINARY_PACKED page holds ${total} values, expected ${count}`);
  const perMini = blockSize / miniblocks;
  const words = new Int32Array(ab);
  out[0] = BigInt.asIntN(64, zigBig());
  let lo = words[0]! >>> 0;
  let hi = words[1]!;
  let i = 1;
  while (i < count) {
    const minBig = zigBig();
    const widthsAt = r.pos;
    r.pos += miniblocks;
    const minSafe = minBig >= -(2n ** 52n) && minBig <= 2n ** 52n;
    const min = Number(minBig);
    for (let m = 0; m < miniblocks && i < count; m++) {
      const w = buf[widthsAt + m]!;
      let bitPos = r.pos * 8;
      const n = Math.min(perMini, count - i);
      for (let k = 0; k < n; k++) {
        if (w <= 32 && minSafe) {
          const v = bitsAt(buf, bitPos, w);
          const d = min + v; // exact: |min| ≤ 2^52, v < 2^32
          const dHi = Math.floor(d / TWO32);
          const dLo = d - dHi * TWO32;
          let nlo = lo + dLo;
          let carry = 0;
          if (nlo >= TWO32) {
            nlo -= TWO32;
            carry = 1;
          }
          lo = nlo;
          hi = (hi + dHi + carry) | 0;
          words[i * 2] = lo | 0;
          words[i * 2 + 1] = hi;
        } else {
          let v = 0n;
          for (let b = 0; b < w; b++) {
            const at = bitPos + b;
            if ((buf[at >> 3]! >> (at & 7)) & 1) v |= 1n << BigInt(b);
          }
          out[i] = BigInt.asIntN(64, out[i - 1]! + minBig + v);
          lo = words[i * 2]! >>> 0;
          hi = words[i * 2 + 1]!;
        }
        bitPos += w;
        i++;
      }
      r.pos += (perMini * w) / 8;
    }
  }
  return out;
}
