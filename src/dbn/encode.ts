/**
 * DBN v3 writer (for `lake simulate --to dbn`, tests and benchmarks): the header of
 * metadata.ts, then records with the exact layouts the decoder reads, zstd-compressed as a
 * sequence of frames of ≤ 8 MiB of records each (a multi-frame zstd stream is a valid
 * single stream), written as it goes so a heavy day never sits in memory. Trades and MBP-10
 * rows come straight from Bronze frames, columnar; other records through the field tables.
 */
import { FLAG, LEVEL_SIZE, MBP10_LEVELS, MBP10_SIZE, RTYPE, TRADE_SIZE, UNDEF_PRICE_HI, UNDEF_PRICE_LO } from "./constants";
import { writeFields, type Layout, type RecordValues } from "./layouts";
import { encodeMetadataV3, type DbnMetadata } from "./metadata";
import type { Frame } from "../frame";

const CHUNK = 8 << 20;
const TWO32 = 4294967296;
const SIDE = { B: 0x42, A: 0x41, N: 0x4e } as const;

export type HeaderInput = Omit<DbnMetadata, "version" | "byteLength" | "symbolCstrLen">;

export class DbnFileWriter {
  private readonly sink: ReturnType<ReturnType<typeof Bun.file>["writer"]>;
  private buf = new Uint8Array(CHUNK);
  private i32 = new Int32Array(this.buf.buffer);
  private pos = 0;
  private prefix: Uint8Array | null;
  records = 0;

  constructor(path: string, header: HeaderInput, private readonly opts: { compress?: boolean; level?: number } = {}) {
    this.sink = Bun.file(path).writer();
    this.prefix = encodeMetadataV3(header);
  }

  private room(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.flushChunk();
  }

  private flushChunk(): void {
    if (this.pos === 0 && !this.prefix) return;
    let bytes = this.buf.subarray(0, this.pos);
    if (this.prefix) {
      const joined = new Uint8Array(this.prefix.length + this.pos);
      joined.set(this.prefix);
      joined.set(bytes, this.prefix.length);
      bytes = joined;
      this.prefix = null;
    }
    this.sink.write(this.opts.compress === false ? bytes.slice() : Bun.zstdCompressSync(bytes, { level: this.opts.level ?? 3 }));
    this.pos = 0;
  }

  /** Any record through its field table (definitions, symbol mappings, tests). */
  writeRecord(layout: Layout, rtype: number, values: RecordValues): void {
    this.room(layout.size);
    writeFields(layout, rtype, values, this.buf, this.pos);
    this.pos += layout.size;
    this.records++;
  }

  private header(w: number, size: number, rtype: number, instrumentId: number, ts32: Int32Array, r: number): void {
    const b = w * 4;
    this.buf.fill(0, b, b + size);
    this.buf[b] = size / 4;
    this.buf[b + 1] = rtype;
    this.buf[b + 2] = 1; // publisher_id 1 = GLBX.MDP3
    this.i32[w + 1] = instrumentId;
    this.i32[w + 2] = ts32[r * 2]!;
    this.i32[w + 3] = ts32[r * 2 + 1]!;
  }

  private common(w: number, recv32: Int32Array, seq32: Int32Array, r: number, action: number, side: number, flags: number): void {
    const b = w * 4;
    this.buf[b + 28] = action;
    this.buf[b + 29] = side;
    this.buf[b + 30] = flags;
    this.i32[w + 8] = recv32[r * 2]!;
    this.i32[w + 9] = recv32[r * 2 + 1]!;
    this.i32[w + 11] = seq32[r * 2]!; // u32 sequence: the low half of seq
  }

  /** Bronze futures or option trades → TradeMsg; `ids[r]` is the row's instrument id. */
  writeTrades(frame: Frame, ids: Uint32Array): void {
    const n = frame.numRows;
    const ts32 = halves(frame.values<BigInt64Array>("ts_event_ns"));
    const recv32 = halves(frame.values<BigInt64Array>("ts_recv_ns"));
    const seq32 = halves(frame.values<BigInt64Array>("seq"));
    const price = frame.values<Float64Array>("price"), size = frame.values<Int32Array>("size"), aggr = frame.values<Int8Array>("aggressor");
    for (let r = 0; r < n; r++) {
      this.room(TRADE_SIZE);
      const w = this.pos >> 2;
      this.header(w, TRADE_SIZE, RTYPE.MBP_0, ids[r]!, ts32, r);
      setFixed(this.i32, w + 4, price[r]!);
      this.i32[w + 6] = size[r]!;
      this.common(w, recv32, seq32, r, 0x54 /* T */, aggr[r] === 1 ? SIDE.B : aggr[r] === -1 ? SIDE.A : SIDE.N, FLAG.LAST);
      this.pos += TRADE_SIZE;
    }
    this.records += n;
  }

  /** Bronze MBP-10 rows → Mbp10Msg (absent levels 0.0/0 → UNDEF_PRICE/0; is_snapshot → F_SNAPSHOT). */
  writeMbp10(frame: Frame, ids: Uint32Array): void {
    const n = frame.numRows;
    const ts32 = halves(frame.values<BigInt64Array>("ts_event_ns"));
    const recv32 = halves(frame.values<BigInt64Array>("ts_recv_ns"));
    const seq32 = halves(frame.values<BigInt64Array>("seq"));
    const snap = frame.values<Uint8Array>("is_snapshot");
    const bp: Float64Array[] = [], bs: Int32Array[] = [], ap: Float64Array[] = [], as: Int32Array[] = [];
    for (let i = 1; i <= MBP10_LEVELS; i++) {
      bp.push(frame.values(`bid_px_${i}`)); bs.push(frame.values(`bid_sz_${i}`));
      ap.push(frame.values(`ask_px_${i}`)); as.push(frame.values(`ask_sz_${i}`));
    }
    for (let r = 0; r < n; r++) {
      this.room(MBP10_SIZE);
      const w = this.pos >> 2;
      this.header(w, MBP10_SIZE, RTYPE.MBP_10, ids[r]!, ts32, r);
      this.i32[w + 4] = UNDEF_PRICE_LO | 0;
      this.i32[w + 5] = UNDEF_PRICE_HI;
      this.common(w, recv32, seq32, r, 0x41 /* A */, SIDE.N, FLAG.LAST | (snap[r] ? FLAG.SNAPSHOT : 0));
      let lw = w + 12;
      for (let i = 0; i < MBP10_LEVELS; i++, lw += LEVEL_SIZE / 4) {
        levelPx(this.i32, lw, bp[i]![r]!, bs[i]![r]!);
        levelPx(this.i32, lw + 2, ap[i]![r]!, as[i]![r]!);
        this.i32[lw + 4] = bs[i]![r]!;
        this.i32[lw + 5] = as[i]![r]!;
      }
      this.pos += MBP10_SIZE;
    }
    this.records += n;
  }

  async close(): Promise<void> {
    this.flushChunk();
    await this.sink.end();
  }
}

function halves(a: BigInt64Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

/** points → fixed-point i64 (1e-9) as two 32-bit halves. */
function setFixed(i32: Int32Array, w: number, px: number): void {
  const v = Math.round(px * 1e9);
  const hi = Math.floor(v / TWO32);
  i32[w] = (v - hi * TWO32) | 0;
  i32[w + 1] = hi;
}

function levelPx(i32: Int32Array, w: number, px: number, sz: number): void {
  if (px === 0 && sz === 0) {
    i32[w] = UNDEF_PRICE_LO | 0;
    i32[w + 1] = UNDEF_PRICE_HI;
  } else setFixed(i32, w, px);
}
