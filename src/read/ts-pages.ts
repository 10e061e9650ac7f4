/**
 * A file's `ts_event_ns` as exact float64 offsets from an origin, page by page, without
 * DuckDB and without a BigInt per value — the one column a bucketed read must touch in full.
 *
 * The lake writes int64 timestamps as DELTA_BINARY_PACKED v1 pages: a first value, then
 * per block a minimum delta and bit-packed deltas. Those decode here straight into doubles
 * (x = ts − origin stays exact while |x| < 2^53, ~104 days of ns). Anything else — another
 * encoding, v2 pages, nulls, a delta wider than 52 bits — goes through hyparquet's generic
 * page reader for that page only, with the same result.
 *
 * Row groups whose ts statistics lie outside [lo, hi] are not read at all.
 */
import type { AsyncBuffer, FileMetaData } from "hyparquet";
import { parquetHeader, readPage } from "hyparquet/src/column.js";
import { convert, DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { readVarInt, readZigZagBigInt } from "hyparquet/src/thrift.js";
import type { ColumnDecoder, DecodedArray, PageHeader } from "hyparquet/src/types.js";
import { zstdScratch } from "../parquet/zstd-scratch";
import { readChunkScratch } from "./chunk-scratch";
import { hugePageBuffer } from "../runtime/huge-pages";
import { columnSchemaPath, localFooter } from "./footer-cache";

export interface TsBatch {
  /** File row number of x[0]. */
  row0: number;
  /** ts − origin per row, exact. */
  x: Float64Array;
}

const TWO_53 = 2 ** 53;

/** Ranged reads of a local file: only the footer and the needed column chunks are read. */
export function fileBuffer(path: string): AsyncBuffer {
  const file = Bun.file(path);
  return { byteLength: file.size, slice: (start: number, end?: number) => file.slice(start, end).arrayBuffer() };
}

/**
 * `ts − origin` of each row group of `path` that may hold rows in [lo, hi], handed to `use`
 * at once: the batch's array is reused by the next one (and by the next call on the thread).
 */
export async function eachTsOffsets(path: string, origin: bigint, lo: bigint, hi: bigint, use: (b: TsBatch) => void): Promise<void> {
  const meta = await localFooter(path);
  let groupStart = 0;
  for (const rg of meta.row_groups) {
    const rows = Number(rg.num_rows);
    const chunk = rg.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === "ts_event_ns");
    const md = chunk?.meta_data;
    if (!md) throw new Error(`${path}: no ts_event_ns column chunk`);
    const min = statBigint(md.statistics?.min_value);
    const max = statBigint(md.statistics?.max_value);
    if (rows > 0 && !((max !== null && max < lo) || (min !== null && min > hi))) {
      const start = Number(md.dictionary_page_offset ?? md.data_page_offset);
      const bytes = readChunkScratch(path, start, start + Number(md.total_compressed_size));
      use({ row0: groupStart, x: decodeChunk(bytes, rows, decoderFor(meta, md.type, md.codec), origin) });
    }
    groupStart += rows;
  }
}

function statBigint(v: unknown): bigint | null {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  return null;
}

const compressors = { ZSTD: zstdScratch };
const ownCompressors = { ZSTD: (input: Uint8Array): Uint8Array => Bun.zstdDecompressSync(input) };

function decoderFor(meta: FileMetaData, type: ColumnDecoder["type"], codec: ColumnDecoder["codec"]): ColumnDecoder {
  const schemaPath = columnSchemaPath(meta, "ts_event_ns");
  return {
    pathInSchema: ["ts_event_ns"],
    type,
    element: schemaPath[schemaPath.length - 1]!.element,
    schemaPath,
    codec,
    parsers: { ...DEFAULT_PARSERS, timestampFromNanoseconds: (v: bigint) => v },
    compressors,
    utf8: true,
  };
}

let offsets = new Float64Array(0);

function decodeChunk(bytes: Uint8Array, rows: number, decoder: ColumnDecoder, origin: bigint): Float64Array {
  // a heavy hour's offsets: ~14 MB, kept for the thread's life
  if (offsets.length < rows) offsets = new Float64Array(hugePageBuffer(8 * Math.max(rows, offsets.length * 2)));
  const out = offsets.subarray(0, rows);
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), offset: 0 };
  const required = decoder.element.repetition_type === "REQUIRED";
  let at = 0;
  let dictionary: DecodedArray | undefined;
  while (at < rows && reader.offset < bytes.length) {
    const header = parquetHeader(reader);
    if (header.type === "DICTIONARY_PAGE") {
      const { data } = readPage(reader, header, { ...decoder, compressors: ownCompressors }, undefined, undefined, 0);
      dictionary = data ? convert(data, decoder) : undefined;
      continue;
    }
    const n = header.data_page_header?.num_values;
    if (header.type === "DATA_PAGE" && required && n !== undefined && header.data_page_header!.encoding === "DELTA_BINARY_PACKED" && fastCodec(decoder.codec)) {
      const raw = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
      const page = decoder.codec === "ZSTD" ? zstdScratch(raw, header.uncompressed_page_size) : raw;
      if (deltaToOffsets(page, n, origin, out, at)) {
        reader.offset += header.compressed_page_size;
        at += n;
        continue;
      }
    }
    at += genericPage(reader, header, decoder, dictionary, origin, out, at);
  }
  if (at !== rows) throw new Error(`ts_event_ns: row group holds ${rows} rows, its pages ${at}`);
  return out;
}

function fastCodec(codec: string): boolean {
  return codec === "ZSTD" || codec === "UNCOMPRESSED";
}

/** Any page hyparquet can read; returns the rows it held (0 for a dictionary/index page). */
function genericPage(
  reader: { view: DataView; offset: number },
  header: PageHeader,
  decoder: ColumnDecoder,
  dictionary: DecodedArray | undefined,
  origin: bigint,
  out: Float64Array,
  at: number,
): number {
  if (header.type !== "DATA_PAGE" && header.type !== "DATA_PAGE_V2") {
    reader.offset += header.compressed_page_size;
    return 0;
  }
  const { data } = readPage(reader, header, decoder, dictionary, undefined, 0);
  const values = data as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "bigint" && typeof v !== "number") throw new Error(`ts_event_ns has a null at row ${at + i}`);
    const x = Number(BigInt(v) - origin);
    if (!(Math.abs(x) < TWO_53)) throw new Error(`ts_event_ns ${v} is too far from ${origin} for an exact offset`);
    out[at + i] = x;
  }
  return values.length;
}

/**
 * DELTA_BINARY_PACKED int64 → (value − origin) doubles into out[at…]. Returns false when a
 * value or delta could not be carried exactly (the caller re-reads the page generically).
 */
export function deltaToOffsets(page: Uint8Array, count: number, origin: bigint, out: Float64Array, at: number): boolean {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const reader = { view, offset: 0 };
  const blockSize = readVarInt(reader);
  const miniblocks = readVarInt(reader);
  const total = readVarInt(reader);
  if (total !== count || blockSize % miniblocks !== 0) return false;
  const perMini = blockSize / miniblocks;
  const first = readZigZagBigInt(reader) - origin;
  if (first >= BigInt(TWO_53) || first <= -BigInt(TWO_53)) return false;
  let x = Number(first);
  let k = 0;
  if (count > 0) out[at + k++] = x;
  const widths = new Uint8Array(miniblocks);
  const words = page.byteOffset % 4 === 0 ? new Uint32Array(page.buffer, page.byteOffset, page.byteLength >>> 2) : null;
  while (k < count) {
    const minBig = readZigZagBigInt(reader);
    if (minBig >= BigInt(TWO_53) || minBig <= -BigInt(TWO_53)) return false;
    const minDelta = Number(minBig);
    for (let m = 0; m < miniblocks; m++) widths[m] = view.getUint8(reader.offset++);
    for (let m = 0; m < miniblocks && k < count; m++) {
      const w = widths[m]!;
      const take = Math.min(perMini, count - k);
      if (w === 0) {
        for (let j = 0; j < take; j++) out[at + k++] = x += minDelta;
      } else if (w <= 32 && words && reader.offset + ((perMini * w) >>> 3) + 4 <= words.length * 4) {
        // aligned 32-bit loads (the scratch page starts on a word), a value spans at most two
        const mask = w === 32 ? 0xffffffff : (1 << w) - 1;
        for (let j = 0, bit = reader.offset * 8; j < take; j++, bit += w) {
          const wi = bit >>> 5;
          const off = bit & 31;
          let v = words[wi]! >>> off;
          if (off + w > 32) v |= words[wi + 1]! << (32 - off);
          out[at + k++] = x += minDelta + ((v & mask) >>> 0);
        }
        reader.offset += (perMini * w) >>> 3;
      } else if (w <= 32) {
        const base = reader.offset;
        const mask = w === 32 ? 0xffffffff : (1 << w) - 1;
        const lastWord = page.byteLength - 4;
        for (let j = 0, bit = 0; j < take; j++, bit += w) {
          const byte = base + ((bit >>> 5) << 2);
          const off = bit & 31;
          let v = view.getUint32(byte, true) >>> off;
          if (off + w > 32 && byte + 4 <= lastWord) v |= view.getUint32(byte + 4, true) << (32 - off);
          out[at + k++] = x += minDelta + ((v & mask) >>> 0);
        }
        reader.offset += (perMini * w) >>> 3;
      } else if (w <= 52) {
        const base = reader.offset;
        for (let j = 0, bit = j * w; j < take; j++, bit += w) out[at + k++] = x += minDelta + wideBits(page, base, bit, w);
        reader.offset += (perMini * w) / 8;
      } else {
        return false;
      }
      if (!(Math.abs(x) < TWO_53)) return false;
    }
  }
  return true;
}

/** `w` (≤ 52) bits little-endian from bit `bit` of the miniblock at `base`, as a number. */
function wideBits(page: Uint8Array, base: number, bit: number, w: number): number {
  let v = 0;
  let got = 0;
  while (got < w) {
    const p = bit + got;
    const off = p & 7;
    const take = Math.min(8 - off, w - got);
    v += ((page[base + (p >>> 3)]! >>> off) & ((1 << take) - 1)) * 2 ** got;
    got += take;
  }
  return v;
}
