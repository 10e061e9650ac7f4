/**
 * A growable little-endian byte buffer for building page bodies. One instance is reused
 * for every page of a file (the compressor copies out of it), so the hot path allocates
 * nothing per page once it has grown to the largest page.
 */
export class PageBuffer {
  bytes: Uint8Array;
  view: DataView;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  reset(): void {
    this.length = 0;
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.length++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53 (plain Number arithmetic, no bit ops). */
  varint(v: number): void {
    this.ensure(10);
    while (v >= 128) {
      this.bytes[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.bytes[this.length++] = v;
  }

  /** Zigzag + LEB128 for an exact integer |v| < 2^52. */
  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Zigzag + LEB128 for any int64. */
  zigzagBig(v: bigint): void {
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    while (z >= 128n) {
      this.bytes[this.length++] = Number(z & 127n) | 128;
      z >>= 7n;
    }
    this.bytes[this.length++] = Number(z);
  }

  append(src: Uint8Array): void {
    this.ensure(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
  }

  /** Reserve 4 bytes for a length prefix, returning its position for `patchU32`. */
  reserveU32(): number {
    this.ensure(4);
    const at = this.length;
    this.length += 4;
    return at;
  }

  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  subarray(start = 0, end = this.length): Uint8Array {
    return this.bytes.subarray(start, end);
  }
}
