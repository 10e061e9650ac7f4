/**
 * Streaming DBN decoder: header first, then records in file order dispatched by `rtype` into
 * columnar sinks. Unknown record types are skipped and counted; a record whose length
 * overruns the stream, or a stream that ends inside a record, is a DbnFormatError naming the
 * byte offset. Older record layouts (v1/v2 definitions and symbol mappings) are upgraded to
 * the v3 field names on read.
 */
import { DbnFormatError, HEADER_SIZE, MBP10_SIZE, RTYPE, TRADE_SIZE } from "./constants";
import { Mbp10Columns, TradeColumns } from "./columns";
import { defLayout, readFields, SYMMAP_V1, SYMMAP_V2, type RecordValues } from "./layouts";
import { decodeMetadata, headerLength, PRELUDE_LEN, type DbnMetadata } from "./metadata";
import { openDbnBytes } from "./source";

/** Bytes a read may fill at once; the buffer is reused for the whole input (grown only for a larger header). */
const READ_BUFFER = 1 << 20;

export interface DecodeStats {
  records: number;
  trades: number;
  mbp10: number;
  definitions: number;
  symbolMappings: number;
  /** Records of other types, by rtype (hex) — skipped, never an error. */
  skipped: Record<string, number>;
  /** Bytes of the decompressed stream (header + records). */
  bytes: number;
}

export interface DbnSinks {
  trades?: TradeColumns;
  mbp10?: Mbp10Columns;
  onDefinition?: (def: RecordValues) => void;
  onSymbolMapping?: (m: RecordValues) => void;
  /** Called when a columnar sink is full; must drain it (reset) or replace it in the sinks before returning. */
  onFull?: (kind: "trades" | "mbp10") => Promise<void>;
  onMetadata?: (m: DbnMetadata) => void | Promise<void>;
  /** Every record's bytes (a view, valid during the call) — for tools and tests, not the hot path. */
  onRaw?: (rtype: number, bytes: Uint8Array) => void;
}

export class DbnReader {
  /** One buffer for the whole input: the source writes into it after the unread bytes. */
  private buf: Uint8Array = new Uint8Array(READ_BUFFER);
  private i32: Int32Array = new Int32Array(this.buf.buffer);
  private start = 0;
  private end = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  metadata: DbnMetadata | null = null;
  readonly stats: DecodeStats = { records: 0, trades: 0, mbp10: 0, definitions: 0, symbolMappings: 0, skipped: {}, bytes: 0 };
  private space: "file" | "decompressed" = "file";
  private ended = false;

  /** `name`: how errors call the input (default its path), e.g. "stdin" for a spooled pipe. */
  constructor(readonly path: string, readonly name = path) {}

  async run(sinks: DbnSinks): Promise<DecodeStats> {
    const src = openDbnBytes(this.path, this.name);
    try {
      this.space = src.compressed ? "decompressed" : "file";
      for (;;) {
        // the unread bytes (at most a partial record, or a header not yet whole) move to the
        // front, so every read lands after them and records start 8-byte aligned
        this.realign();
        if (this.end === this.buf.length) this.grow();
        const got = src.read(this.buf, this.end, this.buf.length - this.end);
        const n = typeof got === "number" ? got : await got;
        if (n === 0) break;
        this.end += n;
        this.stats.bytes += n;
        if (!this.metadata) {
          if (!(await this.tryHeader(sinks))) continue;
        }
        await this.drain(sinks);
      }
    } finally {
      src.close();
    }
    this.ended = true;
    if (!this.metadata) {
      if (this.end - this.start >= PRELUDE_LEN) headerLength(this.buf.subarray(this.start, this.end), this.name);
      throw this.err(this.base + this.end, "truncated DBN header: the stream ended before the metadata was complete");
    }
    if (this.end > this.start) {
      const len = this.buf[this.start]! * 4;
      throw this.err(this.base + this.start, `truncated record: the stream ends ${this.end - this.start} bytes into a ${len}-byte record`);
    }
    return this.stats;
  }

  private err(offset: number, reason: string): DbnFormatError {
    const hint = this.space === "decompressed" && this.ended ? " — the zstd input ended there, its last frame may be cut short" : "";
    return new DbnFormatError(this.name, offset, reason + hint, this.space);
  }

  /** A header larger than the buffer: double it, keeping the unread bytes. */
  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf.subarray(this.start, this.end));
    this.base += this.start;
    this.end -= this.start;
    this.start = 0;
    this.buf = next;
    this.i32 = new Int32Array(next.buffer);
  }

  /** Move unread bytes to offset 0 so the next record starts 8-byte aligned. */
  private realign(): void {
    if (this.start === 0) return;
    this.buf.copyWithin(0, this.start, this.end);
    this.base += this.start;
    this.end -= this.start;
    this.start = 0;
  }

  private async tryHeader(sinks: DbnSinks): Promise<boolean> {
    const avail = this.buf.subarray(this.start, this.end);
    if (avail.length < PRELUDE_LEN) return false;
    const total = headerLength(avail, this.name);
    if (avail.length < total) return false;
    this.metadata = decodeMetadata(avail, this.name);
    this.start += total;
    this.realign();
    await sinks.onMetadata?.(this.metadata);
    return true;
  }

  private async drain(sinks: DbnSinks): Promise<void> {
    const version = this.metadata!.version;
    const defLay = defLayout(version);
    const symLay = version === 1 ? SYMMAP_V1 : SYMMAP_V2;
    for (;;) {
      // re-read each round: a sink that was handed off whole is replaced by onFull
      const { trades, mbp10 } = sinks;
      const buf = this.buf;
      const i32 = this.i32;
      let p = this.start;
      const end = this.end;
      let stop: "trades" | "mbp10" | null = null;
      let misaligned = false;
      while (end - p >= 1) {
        const len = buf[p]! * 4;
        if (len < HEADER_SIZE) throw this.err(this.base + p, `record length ${len} is shorter than the 16-byte record header`);
        if (end - p < len) break; // incomplete record: wait for more bytes
        const rtype = buf[p + 1]!;
        if (sinks.onRaw) sinks.onRaw(rtype, buf.subarray(p, p + len));
        if (rtype === RTYPE.MBP_10 && len >= MBP10_SIZE) {
          if (mbp10) {
            if (mbp10.full) { stop = "mbp10"; break; }
            mbp10.push(i32, buf, p >> 2);
          }
          this.stats.mbp10++;
        } else if (rtype === RTYPE.MBP_0 && len >= TRADE_SIZE) {
          if (trades) {
            if (trades.full) { stop = "trades"; break; }
            trades.push(i32, buf, p >> 2);
          }
          this.stats.trades++;
        } else if (rtype === RTYPE.INSTRUMENT_DEF && len >= defLay.size) {
          this.stats.definitions++;
          sinks.onDefinition?.(upgradeDef(readFields(defLay, buf, p)));
        } else if (rtype === RTYPE.SYMBOL_MAPPING && len >= symLay.size) {
          this.stats.symbolMappings++;
          sinks.onSymbolMapping?.(readFields(symLay, buf, p));
        } else {
          const k = `0x${rtype.toString(16).padStart(2, "0")}`;
          this.stats.skipped[k] = (this.stats.skipped[k] ?? 0) + 1;
        }
        this.stats.records++;
        p += len;
        if ((len & 7) !== 0) { misaligned = true; break; }
      }
      this.start = p;
      if (misaligned) { this.realign(); continue; }
      if (stop) {
        await sinks.onFull!(stop);
        continue;
      }
      if (this.end - this.start < HEADER_SIZE || this.buf[this.start]! * 4 > this.end - this.start) {
        this.realign();
        return;
      }
    }
  }
}

/** v1/v2 definitions under v3 names: raw_instrument_id widens, settlement-only fields are kept as read. */
function upgradeDef(d: RecordValues): RecordValues {
  if (typeof d.raw_instrument_id === "number") d.raw_instrument_id = BigInt(d.raw_instrument_id);
  return d;
}
