/**
 * One column chunk: statistics, encoding choice, pages (data page v1, contracts §2.1),
 * ZSTD per page, and the ColumnChunk footer entry.
 *
 * Encodings (measured in bench/encode.ts, see docs/benchmarks.md):
 *   int64 / timestamp_ns → DELTA_BINARY_PACKED (PLAIN page fallback for huge deltas)
 *   utf8, float64, int32 → RLE_DICTIONARY while the dictionary stays small, else PLAIN
 *   everything else → PLAIN (a zero-copy view of the typed array when there are no nulls)
 */
import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { serializeTCompactProtocol } from "hyparquet-writer/src/thrift.js";
import type { Column, ColumnCodes } from "../../frame";
import { Codec, Encoding, PageType } from "../format";
import type { LeafColumn } from "../schema-map";
import { PageBuffer } from "./buffer";
import { writeDeltaInt64 } from "./delta";
import { compactNonNull, fixedStats, plainBytes, physicalWidth, type ChunkStats, type FixedValues } from "./fixed";
import { listLevels, listStats } from "./lists";
import { codedDictionary, isExactTable, numericDictionary } from "./numeric-dictionary";
import { bitWidthOf, writeRleHybrid } from "./rle";
import { appendByteArray, buildDictionary, stringStats } from "./strings";

export interface ChunkOptions {
  readonly zstdLevel: number;
  readonly pageBytes: number;
  /** What the chunks of one file may share (see `CodedPages`); one per file being written. */
  readonly memo?: ChunkMemo;
}

/** State the chunks of one file share; a new one per file, since the arrays behind it may be refilled between files. */
export interface ChunkMemo {
  coded?: CodedPages;
}

/** Output file as a list of parts; offsets are file positions. */
export class FileSink {
  readonly parts: Uint8Array[] = [];
  offset = 0;
  push(b: Uint8Array): void {
    this.parts.push(b);
    this.offset += b.length;
  }
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.offset);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

export type ThriftObject = Record<string, unknown>;

export function thriftBytes(obj: ThriftObject): Uint8Array {
  const w = new ByteWriter(256);
  serializeTCompactProtocol(w, obj);
  return w.getBytes();
}

const scratch = new PageBuffer(1 << 20);

interface ChunkState {
  sink: FileSink;
  level: number;
  uncompressed: number;
  encodings: Set<number>;
  firstDataPage?: number;
  dictionaryOffset?: number;
}

/** A compressed page with its header: pushed into a chunk, possibly more than once. */
interface Page {
  readonly head: Uint8Array;
  readonly compressed: Uint8Array;
  /** Header plus uncompressed body bytes (the chunk's total_uncompressed_size share). */
  readonly rawBytes: number;
  /** Data pages: their encoding; undefined for a dictionary page. */
  readonly encoding?: number;
}

function makePage(level: number, body: Uint8Array, header: (u: number, c: number) => ThriftObject, encoding?: number): Page {
  const compressed = Bun.zstdCompressSync(body, { level });
  const head = thriftBytes(header(body.length, compressed.length));
  return { head, compressed, rawBytes: head.length + body.length, encoding };
}

function makeDataPage(level: number, body: Uint8Array, numValues: number, encoding: number): Page {
  return makePage(
    level,
    body,
    (u, c) => ({
      field_1: PageType.DATA_PAGE,
      field_2: u,
      field_3: c,
      field_5: { field_1: numValues, field_2: encoding, field_3: Encoding.RLE, field_4: Encoding.RLE },
    }),
    encoding,
  );
}

function pushPage(st: ChunkState, page: Page): void {
  if (page.encoding !== undefined) {
    st.firstDataPage ??= st.sink.offset;
    st.encodings.add(page.encoding);
  }
  st.sink.push(page.head);
  st.sink.push(page.compressed);
  st.uncompressed += page.rawBytes;
}

function emitPage(st: ChunkState, body: Uint8Array, header: (u: number, c: number) => ThriftObject): void {
  pushPage(st, makePage(st.level, body, header));
}

function emitDataPage(st: ChunkState, body: Uint8Array, numValues: number, encoding: number): void {
  pushPage(st, makeDataPage(st.level, body, numValues, encoding));
}

/** v1 level section: 4-byte length, then the RLE/bit-packed hybrid. */
function appendLevels(out: PageBuffer, levels: Uint8Array, n: number, maxLevel: number): void {
  const at = out.reserveU32();
  const len = writeRleHybrid(out, levels, n, bitWidthOf(maxLevel));
  out.patchU32(at, len);
}

/** Levels of a page without nulls: one RLE run of 1s (bit width 1 → 1 value byte). */
function appendAllDefined(out: PageBuffer, n: number): void {
  const at = out.reserveU32();
  out.varint(n * 2);
  out.u8(1);
  out.patchU32(at, out.length - at - 4);
}

/** Boxed columns reach the writers with nulls as JS null only (encodeParquet's conformColumn). */
function definedMask(c: Column, start: number, end: number): Uint8Array | undefined {
  if (c.type !== "utf8" && c.type !== "list_int16") return c.valid?.subarray(start, end);
  const vals = c.values as readonly unknown[];
  const m = new Uint8Array(end - start);
  for (let i = start; i < end; i++) m[i - start] = vals[i] === null || vals[i] === undefined ? 0 : 1;
  return m;
}

function rowsPerPage(bytesPerRow: number, pageBytes: number): number {
  return Math.max(1, Math.floor(pageBytes / Math.max(bytesPerRow, 0.125)));
}

/** Write rows [start, end) of `c` as one column chunk; returns the ColumnChunk thrift object. */
export function writeColumnChunk(sink: FileSink, leaf: LeafColumn, c: Column, start: number, end: number, opts: ChunkOptions): ThriftObject {
  const chunkStart = sink.offset;
  const st: ChunkState = { sink, level: opts.zstdLevel, uncompressed: 0, encodings: new Set<number>() };
  let stats: ChunkStats;
  let numValues = end - start;
  if (leaf.maxRep > 0) {
    const lv = listLevels(c.values as (Int16Array | null)[], start, end, leaf.maxDef);
    stats = listStats(lv);
    numValues = lv.count;
    // one page per chunk keeps row boundaries trivially aligned; lists are small columns
    scratch.reset();
    appendLevels(scratch, lv.rep, lv.count, leaf.maxRep);
    appendLevels(scratch, lv.def, lv.count, leaf.maxDef);
    scratch.append(new Uint8Array(lv.elements.buffer, lv.elements.byteOffset, lv.elements.byteLength));
    emitDataPage(st, scratch.subarray(), lv.count, Encoding.PLAIN);
  } else if (c.type === "utf8") {
    stats = writeStrings(st, leaf, c, start, end, opts);
  } else {
    stats = writeFixed(st, leaf, c, start, end, opts);
  }
  if (leaf.maxDef > 0) st.encodings.add(Encoding.RLE);
  const meta: ThriftObject = {
    field_1: leaf.physical,
    field_2: [...st.encodings].sort((a, b) => a - b),
    field_3: leaf.path,
    field_4: Codec.ZSTD,
    field_5: BigInt(numValues),
    field_6: BigInt(st.uncompressed),
    field_7: BigInt(sink.offset - chunkStart),
    field_9: BigInt(st.firstDataPage ?? chunkStart),
    field_11: st.dictionaryOffset === undefined ? undefined : BigInt(st.dictionaryOffset),
    field_12: statsThrift(stats),
  };
  return { field_2: BigInt(chunkStart), field_3: meta };
}

function writeFixed(st: ChunkState, leaf: LeafColumn, c: Column, start: number, end: number, opts: ChunkOptions): ChunkStats {
  const valid = leaf.maxDef > 0 ? c.valid : undefined;
  if (c.codes && !valid && c.type === "float64") {
    const stats = writeCodedChunk(st, leaf, c.codes, start, end, opts);
    if (stats) return stats;
  }
  const values = c.values as FixedValues;
  if (values instanceof Float64Array || values instanceof Int32Array) {
    const dict = numericDictionary(values, start, end, valid, dictionaryLimit(start, end));
    if (dict && dict.entries.length > 0) {
      writeDictionaryChunk(st, new Uint8Array(dict.entries.buffer), dict.entries.length, dict.indices, leaf.maxDef > 0, valid?.subarray(start, end), opts);
      // the chunk's bounds are its dictionary's: the same values without the repeats
      let nullCount = 0;
      if (valid) for (let i = start; i < end; i++) nullCount += 1 - valid[i]!;
      return { ...fixedStats(c.type, dict.entries, 0, dict.entries.length), nullCount };
    }
  }
  const stats = fixedStats(c.type, values, start, end, valid);
  const per = rowsPerPage(physicalWidth(c.type) || 0.125, opts.pageBytes);
  for (let p = start; p < end; p += per) {
    const q = Math.min(end, p + per);
    scratch.reset();
    let src: FixedValues = values;
    let from = p;
    let to = q;
    if (leaf.maxDef > 0) {
      if (valid) appendLevels(scratch, valid.subarray(p, q), q - p, 1);
      else appendAllDefined(scratch, q - p);
      if (valid) {
        src = compactNonNull(values, p, q, valid);
        from = 0;
        to = src.length;
      }
    }
    const levelsLen = scratch.length;
    let encoding: number = Encoding.PLAIN;
    if (src instanceof BigInt64Array && writeDeltaInt64(scratch, src, from, to)) encoding = Encoding.DELTA_BINARY_PACKED;
    let body: Uint8Array;
    if (encoding === Encoding.PLAIN) {
      const plain = plainBytes(c.type, src, from, to);
      if (levelsLen === 0) body = plain; // zero-copy: the typed array's own bytes
      else {
        scratch.append(plain);
        body = scratch.subarray();
      }
    } else body = scratch.subarray();
    emitDataPage(st, body, q - p, encoding);
  }
  return stats;
}

/** Most dictionary entries a chunk of rows [start, end) may have before PLAIN pays better. */
function dictionaryLimit(start: number, end: number): number {
  return Math.min(1 << 16, (end - start) >> 2);
}

/**
 * A dictionary page (`entries`: the PLAIN values, already encoded) and RLE_DICTIONARY data
 * pages of `indices` (one per row of the chunk). An optional column's pages carry levels:
 * from `mask` (the defined rows, relative to the chunk), or all defined without one.
 */
function writeDictionaryChunk(st: ChunkState, entries: Uint8Array, count: number, indices: Int32Array, optional: boolean, mask: Uint8Array | undefined, opts: ChunkOptions): void {
  emitDictionaryPage(st, entries, count);
  for (const page of indexPages(st.level, count, indices, optional, mask, opts)) pushPage(st, page);
}

function emitDictionaryPage(st: ChunkState, entries: Uint8Array, count: number): void {
  st.dictionaryOffset = st.sink.offset;
  emitPage(st, entries, (u, cz) => ({
    field_1: PageType.DICTIONARY_PAGE,
    field_2: u,
    field_3: cz,
    field_7: { field_1: count, field_2: Encoding.PLAIN },
  }));
  st.encodings.add(Encoding.PLAIN);
}

function* indexPages(level: number, count: number, indices: Int32Array, optional: boolean, mask: Uint8Array | undefined, opts: ChunkOptions): Generator<Page> {
  const width = Math.max(1, bitWidthOf(count - 1));
  const n = indices.length;
  const per = rowsPerPage(width / 8 + 0.125, opts.pageBytes);
  for (let p = 0; p < n; p += per) {
    const q = Math.min(n, p + per);
    scratch.reset();
    let idx = indices.subarray(p, q);
    if (optional && mask) {
      appendLevels(scratch, mask.subarray(p, q), q - p, 1);
      idx = compactNonNull(indices, p, q, mask);
    } else if (optional) appendAllDefined(scratch, q - p);
    scratch.u8(width);
    writeRleHybrid(scratch, idx, idx.length, width);
    yield makeDataPage(level, scratch.subarray(), q - p, Encoding.RLE_DICTIONARY);
  }
}

/**
 * The data pages of the file's last coded chunk. Columns sharing one `ids` array (the
 * simulator's 20 price levels all follow the touch) have the same dictionary indices row for
 * row, so the same data pages byte for byte: only the dictionary page and the bounds differ.
 */
interface CodedPages {
  readonly ids: Int32Array;
  readonly start: number;
  readonly end: number;
  readonly optional: boolean;
  readonly order: Int32Array;
  readonly pages: Page[];
}

/** A float64 chunk from its codes (`Column.codes`); null when it must take the values path. */
function writeCodedChunk(st: ChunkState, leaf: LeafColumn, codes: ColumnCodes, start: number, end: number, opts: ChunkOptions): ChunkStats | null {
  // a table with a repeated, NaN or −0 entry: the values path, as numericDictionary would
  if (!isExactTable(codes.table)) return null;
  const optional = leaf.maxDef > 0;
  let shared = opts.memo?.coded;
  if (!shared || shared.ids !== codes.ids || shared.start !== start || shared.end !== end || shared.optional !== optional) {
    const dict = codedDictionary(codes, start, end, dictionaryLimit(start, end));
    if (!dict || dict.order.length === 0) return null;
    const pages = [...indexPages(st.level, dict.order.length, dict.indices, optional, undefined, opts)];
    shared = { ids: codes.ids, start, end, optional, order: dict.order, pages };
    if (opts.memo) opts.memo.coded = shared;
  }
  const entries = new Float64Array(shared.order.length);
  for (let j = 0; j < entries.length; j++) entries[j] = codes.table[shared.order[j]!]!;
  emitDictionaryPage(st, new Uint8Array(entries.buffer), entries.length);
  for (const page of shared.pages) pushPage(st, page);
  return fixedStats("float64", entries, 0, entries.length);
}

function statsThrift(s: ChunkStats): ThriftObject {
  return { field_3: BigInt(s.nullCount), field_5: s.max, field_6: s.min };
}

function writeStrings(
  st: ChunkState,
  leaf: LeafColumn,
  c: Column,
  start: number,
  end: number,
  opts: ChunkOptions,
): ChunkStats {
  const values = c.values as (string | null)[];
  const mask = leaf.maxDef > 0 ? definedMask(c, start, end) : undefined;
  let nullCount = 0;
  if (mask) for (let i = 0; i < mask.length; i++) nullCount += 1 - mask[i]!;
  else for (let i = start; i < end; i++) if (values[i] == null) throw new Error(`column ${c.name} is not nullable but row ${i} is null`);
  const n = end - start;
  const dict = buildDictionary(values, start, end, Math.min(1 << 16, Math.max(64, n >> 2)));
  if (dict && dict.entries.length > 0) {
    scratch.reset();
    for (const s of dict.entries) appendByteArray(scratch, s);
    writeDictionaryChunk(st, scratch.subarray(), dict.entries.length, dict.indices, leaf.maxDef > 0, mask, opts);
    return stringStats(dict.entries, nullCount);
  }
  let chars = 0;
  for (let i = start; i < Math.min(end, start + 256); i++) chars += values[i]?.length ?? 0;
  const per = rowsPerPage(4 + chars / Math.min(n, 256), opts.pageBytes);
  for (let p = start; p < end; p += per) {
    const q = Math.min(end, p + per);
    scratch.reset();
    if (mask) appendLevels(scratch, mask.subarray(p - start, q - start), q - p, 1);
    for (let i = p; i < q; i++) {
      const s = values[i];
      if (s !== null && s !== undefined) appendByteArray(scratch, s);
    }
    emitDataPage(st, scratch.subarray(), q - p, Encoding.PLAIN);
  }
  return stringStats(values.slice(start, end), nullCount); // stringStats skips the nulls itself
}
