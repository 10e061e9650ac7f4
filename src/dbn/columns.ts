/**
 * Columnar builders for the two high-volume record types. Records are copied straight from
 * the (8-byte aligned) decompressed bytes into typed arrays — no object per record. 64-bit
 * values move as two 32-bit halves through an Int32Array alias of the BigInt64Array, so no
 * BigInt is created per field; prices become float64 as hi·2³² + lo (exact below 2⁵³, one
 * rounding above, the same value as Python's `int / 1e9` path) divided by 1e9.
 */
import { LEVEL_SIZE, MBP10_LEVELS, UNDEF_ORDER_SIZE, UNDEF_PRICE_HI, UNDEF_PRICE_LO } from "./constants";
import { adviseHugePages } from "../runtime/huge-pages";

const TWO32 = 4294967296;

/** Fixed-point i64 (as signed hi, unsigned lo) → points. */
export function fixedToFloat(hi: number, lo: number): number {
  return (hi * TWO32 + lo) / 1e9;
}

/** The 32-bit halves of a 64-bit column, in place. */
export function halves(a: BigInt64Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

/** Columns shared by trades and MBP-10: the 48-byte common prefix of both records. */
export class CommonColumns {
  readonly tsEvent: BigInt64Array;
  readonly tsRecv: BigInt64Array;
  readonly seq: BigInt64Array;
  readonly instrumentId: Uint32Array;
  readonly flags: Uint8Array;
  /** 'A' / 'B' / 'N' as char codes. */
  readonly side: Uint8Array;
  readonly action: Uint8Array;
  protected readonly ev32: Int32Array;
  protected readonly rc32: Int32Array;
  protected readonly sq32: Int32Array;
  n = 0;

  /** `shared`: on SharedArrayBuffers, so a worker can encode a batch in place while this thread decodes into another. */
  constructor(readonly capacity: number, protected readonly shared = false) {
    // Each column starts at its own cache-line offset in its pages (see levelStride below).
    this.tsEvent = new BigInt64Array(this.memory(8 * capacity + 1920), 1920, capacity);
    this.tsRecv = new BigInt64Array(this.memory(8 * capacity + 1984), 1984, capacity);
    this.seq = new BigInt64Array(this.memory(8 * capacity + 3968), 3968, capacity);
    this.ev32 = halves(this.tsEvent);
    this.rc32 = halves(this.tsRecv);
    this.sq32 = halves(this.seq);
    this.instrumentId = new Uint32Array(this.memory(4 * capacity + 4032), 4032, capacity);
    this.flags = new Uint8Array(this.memory(capacity + 64), 64, capacity);
    this.side = new Uint8Array(this.memory(capacity + 128), 128, capacity);
    this.action = new Uint8Array(this.memory(capacity + 256), 256, capacity);
  }

  protected memory(bytes: number): ArrayBuffer {
    const buf = this.shared ? (new SharedArrayBuffer(bytes) as unknown as ArrayBuffer) : new ArrayBuffer(bytes);
    adviseHugePages(buf); // a batch's columns are filled once per batch and reused
    return buf;
  }

  get full(): boolean {
    return this.n >= this.capacity;
  }

  /** Copy the common prefix of the record at 32-bit word `w` (byte offset 4·w, 8-aligned). */
  protected pushCommon(i32: Int32Array, u8: Uint8Array, w: number): number {
    const r = this.n++;
    const r2 = r * 2;
    this.ev32[r2] = i32[w + 2]!;
    this.ev32[r2 + 1] = i32[w + 3]!;
    this.rc32[r2] = i32[w + 8]!;
    this.rc32[r2 + 1] = i32[w + 9]!;
    this.sq32[r2] = i32[w + 11]!; // u32 sequence, high half stays 0
    this.sq32[r2 + 1] = 0;
    this.instrumentId[r] = i32[w + 1]! >>> 0;
    const b = w * 4;
    this.action[r] = u8[b + 28]!;
    this.side[r] = u8[b + 29]!;
    this.flags[r] = u8[b + 30]!;
    return r;
  }

  reset(): void {
    this.n = 0;
  }
}

export class TradeColumns extends CommonColumns {
  readonly price: Float64Array;
  readonly size: Int32Array;
  /** Rows whose price or size was the UNDEF sentinel (kept out of Bronze, counted). */
  undefined = 0;

  constructor(capacity: number, shared = false) {
    super(capacity, shared);
    this.price = new Float64Array(this.memory(8 * capacity));
    this.size = new Int32Array(this.memory(4 * capacity));
  }

  push(i32: Int32Array, u8: Uint8Array, w: number): void {
    const lo = i32[w + 4]! >>> 0;
    const hi = i32[w + 5]!;
    const size = i32[w + 6]! >>> 0;
    if ((hi === UNDEF_PRICE_HI && lo === UNDEF_PRICE_LO) || size === UNDEF_ORDER_SIZE) {
      this.undefined++;
      return;
    }
    const r = this.pushCommon(i32, u8, w);
    this.price[r] = fixedToFloat(hi, lo);
    this.size[r] = size;
  }
}

/**
 * The distance between two levels' columns in the flat arrays. With a stride of exactly the
 * capacity (a power of two by default) the forty columns a record writes sit at the same
 * offset in their pages and fight over the same few cache sets; padding each level by one
 * cache line (and offsetting the four arrays from each other) spreads them out.
 */
function levelStride(capacity: number): number {
  return Math.ceil(capacity / 8) * 8 + 24; // 192 bytes (3 lines) between float64 levels, 96 between int32 ones
}
/**
 * Where the ask prices and the sizes start in their buffers, in elements: 2, 1 and 3 KiB in
 * (see levelStride; the common columns take the cache lines left over).
 */
const ASK_PX_SHIFT = 256;
const BID_SZ_SHIFT = 256;
const ASK_SZ_SHIFT = 768;

/**
 * Bronze MBP-10 depth. One flat array per field, level-major (`px[level·capacity + row]`), so
 * the per-record loop indexes four arrays instead of forty; `bidPx[i]` etc. are views of level i.
 */
export class Mbp10Columns extends CommonColumns {
  private readonly bidPxAll: Float64Array;
  private readonly askPxAll: Float64Array;
  private readonly bidSzAll: Int32Array;
  private readonly askSzAll: Int32Array;
  /** Elements from one level's column to the next's: the capacity plus padding (levelStride). */
  private readonly stride: number;
  readonly bidPx: Float64Array[] = [];
  readonly bidSz: Int32Array[] = [];
  readonly askPx: Float64Array[] = [];
  readonly askSz: Int32Array[] = [];

  constructor(capacity: number, shared = false) {
    super(capacity, shared);
    const stride = (this.stride = levelStride(capacity));
    this.bidPxAll = new Float64Array(this.memory(8 * stride * MBP10_LEVELS));
    this.askPxAll = new Float64Array(this.memory(8 * (stride * MBP10_LEVELS + ASK_PX_SHIFT))).subarray(ASK_PX_SHIFT);
    this.bidSzAll = new Int32Array(this.memory(4 * (stride * MBP10_LEVELS + BID_SZ_SHIFT))).subarray(BID_SZ_SHIFT);
    this.askSzAll = new Int32Array(this.memory(4 * (stride * MBP10_LEVELS + ASK_SZ_SHIFT))).subarray(ASK_SZ_SHIFT);
    for (let i = 0; i < MBP10_LEVELS; i++) {
      const from = i * stride, to = from + capacity;
      this.bidPx.push(this.bidPxAll.subarray(from, to));
      this.bidSz.push(this.bidSzAll.subarray(from, to));
      this.askPx.push(this.askPxAll.subarray(from, to));
      this.askSz.push(this.askSzAll.subarray(from, to));
    }
  }

  /**
   * An empty level (UNDEF_PRICE) becomes 0.0 / 0, the Bronze encoding of an absent level
   * (contracts §2.3 item 6); an UNDEF_ORDER_SIZE becomes 0.
   */
  push(i32: Int32Array, u8: Uint8Array, w: number): void {
    const r = this.pushCommon(i32, u8, w);
    const cap = this.stride;
    const bp = this.bidPxAll, ap = this.askPxAll, bs = this.bidSzAll, as = this.askSzAll;
    let lw = w + 12; // levels start at byte 48, 8 words each
    for (let at = r; at < r + cap * MBP10_LEVELS; at += cap, lw += LEVEL_SIZE / 4) {
      const bLo = i32[lw]! >>> 0, bHi = i32[lw + 1]!;
      const aLo = i32[lw + 2]! >>> 0, aHi = i32[lw + 3]!;
      let bSz = i32[lw + 4]! >>> 0, aSz = i32[lw + 5]! >>> 0;
      if (bSz === UNDEF_ORDER_SIZE) bSz = 0;
      if (aSz === UNDEF_ORDER_SIZE) aSz = 0;
      if (bHi === UNDEF_PRICE_HI && bLo === UNDEF_PRICE_LO) {
        bp[at] = 0;
        bSz = 0;
      } else bp[at] = (bHi * TWO32 + bLo) / 1e9;
      if (aHi === UNDEF_PRICE_HI && aLo === UNDEF_PRICE_LO) {
        ap[at] = 0;
        aSz = 0;
      } else ap[at] = (aHi * TWO32 + aLo) / 1e9;
      bs[at] = bSz;
      as[at] = aSz;
    }
  }
}
