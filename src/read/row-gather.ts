/**
 * Late materialisation: the values of a few numeric columns at chosen rows of one Parquet
 * file, reading only what those rows need.
 *
 * A query that keeps 1 row in 70 (Silver's 250 ms MBP-10 buckets) would otherwise decode
 * every value of every column it returns. Here the caller first picks row numbers from
 * cheap columns (timestamps), then this module walks each needed column chunk page by
 * page: row groups without a wanted row are never read, pages without one are skipped
 * from their header without decompressing, and a decoded page is dropped as soon as its
 * wanted cells are copied out. Memory: one column chunk's compressed bytes plus one page.
 *
 * Any page layout hyparquet reads is accepted (v1/v2 pages, dictionary or plain,
 * nullable columns); a column the file lacks comes back all-null (union by name). The
 * lake's own layouts have fast paths: dictionary pages answer from their index runs
 * (hybrid-pick.ts), int64 delta pages decode without BigInt.
 */
import type { FileMetaData } from "hyparquet";
import { parquetHeader, readPage } from "hyparquet/src/column.js";
import { convert, DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { readRleBitPackedHybrid } from "hyparquet/src/encoding.js";
import type { ColumnDecoder, DecodedArray, PageHeader, SchemaTree } from "hyparquet/src/types.js";
import { deltaToOffsets } from "./ts-pages";
import { pickHybrid } from "./hybrid-pick";
import { openFile, readChunkScratch, type OpenFile } from "./chunk-scratch";
import { columnSchemaPath, localFooter } from "./footer-cache";
import { zstdScratch } from "../parquet/zstd-scratch";
import { allocValues, type Column } from "../frame";
import type { ColumnDef } from "../schemas/types";

export type NumericColumnDef = ColumnDef & { type: "float64" | "int32" | "int64" };

/** Data pages are decoded and dropped at once: decompress into the shared scratch buffer. */
const scratchCompressors = { ZSTD: zstdScratch };
/** Dictionary pages outlive the next page: their own buffer. */
const ownCompressors = {
  ZSTD: (input: Uint8Array, outputLength: number): Uint8Array => {
    const out = Bun.zstdDecompressSync(input);
    if (out.length !== outputLength) throw new Error(`ZSTD page decompressed to ${out.length} bytes, header says ${outputLength}`);
    return out;
  },
};

/**
 * Where gathered cells go instead of new columns: row j's cell of `columns[i]` into
 * `out[i]` at index `slots[j]` (callers merging several files into one frame). `out[i]`
 * must be of `columns[i]`'s type with a `valid` mask.
 */
export interface GatherTarget {
  out: readonly Column[];
  slots: Int32Array;
}

/**
 * `columns` at `rows` (file row numbers, strictly ascending) of the Parquet file at `path`.
 * Every returned column has `rows.length` values (or they land in `target`); nulls (and
 * columns the file lacks) are marked in `valid`.
 */
export async function gatherRows(path: string, rows: Uint32Array | Float64Array, columns: readonly NumericColumnDef[], target?: GatherTarget): Promise<Column[]> {
  const meta = await localFooter(path);
  const present = new Set(meta.schema.slice(1).map((e) => e.name));
  const slots = target?.slots ?? Int32Array.from(rows.keys());
  const out = target ? [...target.out] : columns.map((c) => newColumn(c, rows.length));
  for (const [i, c] of columns.entries()) {
    const valid = out[i]!.valid!;
    const v = present.has(c.name) ? 1 : 0;
    for (let j = 0; j < rows.length; j++) valid[slots[j]!] = v;
  }
  let groupStart = 0;
  let k = 0; // first wanted row not yet behind us
  using file = openFile(path);
  for (const [g, rg] of meta.row_groups.entries()) {
    const groupEnd = groupStart + Number(rg.num_rows);
    const k0 = k;
    while (k < rows.length && rows[k]! < groupEnd) k++;
    if (k > k0) {
      const wanted = rows.subarray(k0, k);
      for (const [i, c] of columns.entries()) {
        if (present.has(c.name)) gatherChunk(file, meta, g, c, wanted, groupStart, out[i]!, slots.subarray(k0));
      }
    }
    groupStart = groupEnd;
  }
  if (k !== rows.length) throw new Error(`${path}: row ${rows[k]} is past the file's ${groupStart} rows`);
  return out;
}

function newColumn(c: NumericColumnDef, n: number): Column {
  return { name: c.name, type: c.type, values: allocValues(c.type, n), valid: new Uint8Array(n) };
}

/** One column chunk of row group `g`: wanted row k's cell into `col` at `slots[k]`. */
function gatherChunk(
  file: OpenFile,
  meta: FileMetaData,
  g: number,
  def: NumericColumnDef,
  wanted: Uint32Array | Float64Array,
  groupStart: number,
  col: Column,
  slots: Int32Array,
): void {
  const chunk = meta.row_groups[g]!.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === def.name);
  const md = chunk?.meta_data;
  if (!md) throw new Error(`row group ${g} has no column chunk for ${def.name}`);
  const schemaPath: SchemaTree[] = columnSchemaPath(meta, def.name);
  const leaf = schemaPath[schemaPath.length - 1]!.element;
  if (schemaPath.length !== 2) throw new Error(`column ${def.name} is nested; only flat numeric columns can be gathered`);
  const decoder: ColumnDecoder = {
    pathInSchema: [def.name],
    type: md.type,
    element: leaf,
    schemaPath,
    codec: md.codec,
    parsers: DEFAULT_PARSERS,
    compressors: scratchCompressors,
    utf8: true,
  };
  const start = Number(md.dictionary_page_offset ?? md.data_page_offset);
  // synchronous from here to the end of the chunk: the scratch bytes stay this chunk's
  const bytes = readChunkScratch(file, start, start + Number(md.total_compressed_size));
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), offset: 0 };
  let dictionary: DecodedArray | undefined;
  let picked: Int32Array | undefined; // dictionary index per wanted row
  let dictF64: Float64Array | undefined; // the dictionary as the column's own array type
  let dictI32: Int32Array | undefined;
  let pageRow = groupStart; // file row of the next data page's first row
  let k = 0;
  while (k < wanted.length && reader.offset < bytes.length) {
    const header = parquetHeader(reader);
    if (header.type === "DICTIONARY_PAGE") {
      const { data } = readPage(reader, header, { ...decoder, compressors: ownCompressors }, undefined, undefined, 0);
      if (data) dictionary = convert(data, decoder);
      continue;
    }
    const rowsInPage = header.data_page_header?.num_values ?? header.data_page_header_v2?.num_rows;
    if (rowsInPage === undefined) {
      reader.offset += header.compressed_page_size; // index page: nothing to read
      continue;
    }
    const pageEnd = pageRow + rowsInPage;
    if (wanted[k]! >= pageEnd) {
      reader.offset += header.compressed_page_size; // no wanted row here: never decompressed
      pageRow = pageEnd;
      continue;
    }
    if (dictionary && dictionaryIndices(bytes, reader, header, decoder, rowsInPage, wanted, pageRow, k, (picked ??= new Int32Array(wanted.length)))) {
      let end = k;
      while (end < wanted.length && wanted[end]! < pageEnd) end++;
      const values = col.values;
      // (Number: an int64 dictionary holds BigInts)
      if (values instanceof Float64Array) pickFloat64(values, slots, (dictF64 ??= Float64Array.from(dictionary as ArrayLike<number | bigint>, Number)), picked, k, end);
      else if (values instanceof Int32Array) pickInt32(values, slots, (dictI32 ??= Int32Array.from(dictionary as ArrayLike<number | bigint>, Number)), picked, k, end);
      else for (let j = k; j < end; j++) put(col, slots[j]!, dictionary[picked[j]!]);
      k = end;
      pageRow = pageEnd;
      continue;
    }
    const fast = def.type === "int64" ? int64DeltaPage(bytes, reader, header, decoder) : null;
    const data = fast ?? readPage(reader, header, decoder, dictionary, undefined, 0).data;
    if (!data || data.length !== rowsInPage) throw new Error(`column ${def.name}: a page of ${rowsInPage} rows decoded to ${data?.length ?? 0} values`);
    for (; k < wanted.length && wanted[k]! < pageEnd; k++) put(col, slots[k]!, data[wanted[k]! - pageRow]);
    pageRow = pageEnd;
  }
  if (k !== wanted.length) throw new Error(`column ${def.name}: row group ${g} ended before row ${wanted[k]}`);
}

/**
 * Wanted rows [from, to)'s dictionary values into their slots: one monomorphic loop per
 * array type (the rows of a heavy day's 40 depth columns pass here, ~4M cells).
 */
function pickFloat64(values: Float64Array, slots: Int32Array, dict: Float64Array, picked: Int32Array, from: number, to: number): void {
  for (let j = from; j < to; j++) values[slots[j]!] = dict[picked[j]!]!;
}

function pickInt32(values: Int32Array, slots: Int32Array, dict: Int32Array, picked: Int32Array, from: number, to: number): void {
  for (let j = from; j < to; j++) values[slots[j]!] = dict[picked[j]!]!;
}

/**
 * A RLE_DICTIONARY v1 page of a required column: the dictionary indices of the wanted rows
 * inside it into `out` (by wanted index), walking the runs without decoding the rest (the
 * lake's book depth pages). false = another layout (the caller reads the page generically;
 * the reader is left untouched).
 */
function dictionaryIndices(
  bytes: Uint8Array,
  reader: { view: DataView; offset: number },
  header: PageHeader,
  decoder: ColumnDecoder,
  rowsInPage: number,
  wanted: Uint32Array | Float64Array,
  pageRow: number,
  k: number,
  out: Int32Array,
): boolean {
  const dph = header.data_page_header;
  if (header.type !== "DATA_PAGE" || !dph || (dph.encoding !== "RLE_DICTIONARY" && dph.encoding !== "PLAIN_DICTIONARY")) return false;
  if (decoder.element.repetition_type !== "REQUIRED" || (decoder.codec !== "ZSTD" && decoder.codec !== "UNCOMPRESSED")) return false;
  const raw = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
  const page = decoder.codec === "ZSTD" ? zstdScratch(raw, header.uncompressed_page_size) : raw;
  const end = pickHybrid(page, 1, page.length, page[0]!, rowsInPage, wanted, pageRow, k, out);
  if (end < wanted.length && wanted[end]! < pageRow + rowsInPage) throw new Error(`column ${decoder.pathInSchema[0]}: a dictionary page of ${rowsInPage} rows ended early`);
  reader.offset += header.compressed_page_size;
  return true;
}

/**
 * An int64 DELTA_BINARY_PACKED v1 page (seq: optional, no nulls or a few) decoded without a
 * BigInt per value: values as exact doubles, nulls as undefined. null = not this layout or
 * not exact (the caller reads the page generically; the reader is left untouched).
 */
function int64DeltaPage(bytes: Uint8Array, reader: { view: DataView; offset: number }, header: PageHeader, decoder: ColumnDecoder): (number | undefined)[] | Float64Array | null {
  const dph = header.data_page_header;
  if (header.type !== "DATA_PAGE" || !dph || dph.encoding !== "DELTA_BINARY_PACKED") return null;
  if (decoder.codec !== "ZSTD" && decoder.codec !== "UNCOMPRESSED") return null;
  const maxDef = decoder.element.repetition_type === "REQUIRED" ? 0 : 1;
  if (decoder.schemaPath.length !== 2) return null;
  const raw = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
  const page = decoder.codec === "ZSTD" ? zstdScratch(raw, header.uncompressed_page_size) : raw;
  const pr = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
  const n = dph.num_values;
  let defs: Uint8Array | null = null;
  let present = n;
  if (maxDef) {
    defs = new Uint8Array(n);
    readRleBitPackedHybrid(pr, 1, defs);
    present = 0;
    for (let i = 0; i < n; i++) present += defs[i]!;
  }
  const values = new Float64Array(present);
  if (!deltaToOffsets(page.subarray(pr.offset), present, 0n, values, 0)) return null;
  reader.offset += header.compressed_page_size;
  if (!defs || present === n) return values;
  const out = new Array<number | undefined>(n);
  for (let i = 0, j = 0; i < n; i++) out[i] = defs[i] ? values[j++] : undefined;
  return out;
}

function put(col: Column, i: number, v: unknown): void {
  if (v === null || v === undefined) {
    col.valid![i] = 0;
    return;
  }
  const values = col.values;
  if (values instanceof BigInt64Array) values[i] = typeof v === "bigint" ? v : BigInt(v as number);
  else (values as Float64Array | Int32Array)[i] = Number(v);
}
