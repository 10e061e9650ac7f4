/**
 * A fast decoder for the lake's own files: one footer parse with a lean Thrift reader, then
 * each column chunk's pages decoded straight into the Frame layout. It applies only when the
 * file's schema is exactly what encodeParquet writes for the table (same names, physical and
 * converted types, repetition) and every page uses an encoding that writer emits; anything
 * else returns null and the caller uses the general decoder (hyparquet). Made for compaction
 * and readers of live-ingest Bronze, where a file holds a few rows and the general decoder's
 * per-file planning costs more than the data.
 */
import { allocValues, Frame, type Column } from "../../frame";
import type { TableSchema } from "../../schemas/types";
import { Codec, Encoding, PageType } from "../format";
import type { ParquetInfo } from "../decode";
import { normaliseToSchema } from "../normalise";
import { parquetSchemaFor, type LeafColumn } from "../schema-map";
import { readDeltaInt64, readHybrid, readLevels, readPlainBools, readPlainFixed, readPlainStrings } from "./pages";
import { zstdScratch } from "../zstd-scratch";
import { readFooter, type FooterGroup, type SchemaCheck } from "./footer";
import { Bin, ThriftReader, type TStruct } from "./thrift";

const MAGIC = 0x31524150; // "PAR1" little-endian

interface Layout {
  leaves: LeafColumn[];
  schema: SchemaCheck;
}

const layouts = new WeakMap<TableSchema, Layout>();

function layoutOf(schema: TableSchema): Layout {
  let l = layouts.get(schema);
  if (!l) {
    const { elements, leaves } = parquetSchemaFor(schema.columns);
    const sig = elements.slice(1).map((e) => [e.field_4, e.field_1 ?? "", e.field_3 ?? "", e.field_6 ?? "", e.field_5 ?? ""].join(":"));
    const signature = sig.join("|");
    l = { leaves, schema: { check: (r) => signatureOf(r, r.value(9) as TStruct[]) === signature } };
    layouts.set(schema, l);
  }
  return l;
}

/** The schema elements' names and types, compared as raw bytes against what the writer emits. */
function signatureOf(r: ThriftReader, elements: TStruct[]): string {
  let sig = "";
  for (let i = 1; i < elements.length; i++) {
    const e = elements[i]!;
    const name = e[4] as Bin;
    let s = "";
    for (let k = name.start; k < name.end; k++) s += String.fromCharCode(r.buf[k]!);
    sig += `${i > 1 ? "|" : ""}${s}:${e[1] ?? ""}:${e[3] ?? ""}:${e[6] ?? ""}:${e[5] ?? ""}`;
  }
  return sig;
}

class Unsupported extends Error {}



/** A lake-written file whose footer matched the table's layout, ready to decode. */
export interface OpenLakeFile {
  readonly bytes: Uint8Array;
  readonly groups: FooterGroup[];
  readonly numRows: number;
  readonly info: ParquetInfo;
}

/** Where decoded rows of one column go: `values` and, once a null is seen, `valid` (1 = set). */
export interface ColumnSink {
  values: Column["values"];
  valid: Uint8Array | undefined;
}

/** One sink per column of `schema`, `rows` long. */
export function columnSinks(schema: TableSchema, rows: number): ColumnSink[] {
  return schema.columns.map((d) => ({ values: allocValues(d.type, rows), valid: undefined }));
}

/** The frame made of `sinks` (columns of `schema`). */
export function sinkFrame(schema: TableSchema, sinks: readonly ColumnSink[], rows: number): Frame {
  return new Frame(
    schema.columns.map((d, i) => ({ name: d.name, type: d.type, values: sinks[i]!.values, valid: sinks[i]!.valid })),
    rows,
  );
}

/**
 * The footer of a lake-written file in the exact shape this decoder knows, or null (decode
 * it with decodeParquetWithInfo instead).
 */
export function openLakeFile(bytes: Uint8Array, schema: TableSchema): OpenLakeFile | null {
  const n = bytes.length;
  if (n < 12) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
  if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(n - 4, true) !== MAGIC) return null;
  const footerLen = dv.getUint32(n - 8, true);
  if (footerLen + 12 > n) return null;
  const layout = layoutOf(schema);
  const footer = readFooter(bytes, n - 8 - footerLen, layout.leaves.length, layout.schema);
  if (!footer || !footer.kv.lake_writer?.startsWith("lake/")) return null;
  const { numRows, kv, groups } = footer;
  const info: ParquetInfo = { numRows, kv, columns: schema.columns.map((d) => ({ name: d.name, type: d.type })), rowGroups: groups.length };
  return { bytes, groups, numRows, info };
}

/**
 * Decode an opened file's rows into `sinks` (one per column of `schema`, `total` rows long)
 * from row `at` on; with `pick`, only those columns (indices into `schema.columns`; the other
 * sinks are not touched). False when a page is in a shape this decoder does not know: rows
 * [at, at + numRows) may then be partly written, and the caller fills them another way.
 */
export function decodeLakeFileInto(f: OpenLakeFile, schema: TableSchema, sinks: readonly ColumnSink[], at: number, total: number, pick?: readonly number[]): boolean {
  const { leaves } = layoutOf(schema);
  try {
    for (let k = 0, n = pick ? pick.length : leaves.length; k < n; k++) {
      const ci = pick ? pick[k]! : k;
      let row = at;
      for (const g of f.groups) {
        const codec = g.chunks[ci * 3]!;
        const start = g.chunks[ci * 3 + 1]!;
        const size = g.chunks[ci * 3 + 2]!;
        if ((codec !== Codec.ZSTD && codec !== Codec.UNCOMPRESSED) || start < 0 || size < 0) throw new Unsupported();
        decodeChunk(f.bytes, leaves[ci]!, codec, start, start + size, g.rows, sinks[ci]!, row, total);
        row += g.rows;
      }
    }
    return true;
  } catch (e) {
    if (e instanceof Unsupported) return false;
    throw e;
  }
}

/**
 * Frame (normalised to `schema`) and info of a lake-written file, or null when the file is
 * not in the exact shape this decoder knows (decode it with decodeParquetWithInfo instead).
 */
export function decodeLakeFile(bytes: Uint8Array, schema: TableSchema): { frame: Frame; info: ParquetInfo } | null {
  const f = openLakeFile(bytes, schema);
  if (!f) return null;
  const sinks = columnSinks(schema, f.numRows);
  if (!decodeLakeFileInto(f, schema, sinks, 0, f.numRows)) return null;
  return { frame: normaliseToSchema(sinkFrame(schema, sinks, f.numRows), schema), info: f.info };
}

/** One column chunk of `rows` rows into `sink` from row `base` on (`total`: the sink's length). */
function decodeChunk(bytes: Uint8Array, leaf: LeafColumn, codec: number, start: number, end: number, rows: number, sink: ColumnSink, base: number, total: number): void {
  const type = leaf.def.type;
  if (end > bytes.length) throw new Error("column chunk past the end of the file");
  const isList = leaf.maxRep > 0;
  const boxed = type === "utf8" || type === "list_int16";
  const values = sink.values;
  let dict: ArrayLike<unknown> | null = null;
  let row = base;
  const last = base + rows;
  let pos = start;
  while (row < last && pos < end) {
    const r = new ThriftReader(bytes, pos);
    const h = r.struct();
    pos = r.pos;
    const csize = h[3] as number;
    const raw = bytes.subarray(pos, pos + csize);
    pos += csize;
    // Every use of a page's bytes below copies or decodes them out before the next page.
    const body = codec === Codec.ZSTD ? zstdScratch(raw, h[2] as number) : raw;
    if (body.length !== (h[2] as number)) throw new Error(`page holds ${body.length} bytes, header says ${h[2]}`);
    if (h[1] === PageType.DICTIONARY_PAGE) {
      const dh = h[7] as TStruct;
      // strings, and the float64 / int32 columns the writer gives a dictionary (numeric-dictionary.ts)
      if (!DICTIONARY_TYPES.has(type) || dh[2] !== Encoding.PLAIN) throw new Unsupported();
      dict = readPlain(type, body, 0, dh[1] as number);
      continue;
    }
    if (h[1] !== PageType.DATA_PAGE) throw new Unsupported();
    const dp = h[5] as TStruct;
    const count = dp[1] as number;
    const encoding = dp[2] as number;
    let at = 0;
    if (isList) {
      // The lake writes a list column as one page; only all-null lists take the fast path.
      const rep = new Uint8Array(count);
      at = readLevels(body, at, 1, count, rep);
      const defs = new Uint8Array(count);
      at = readLevels(body, at, bitWidth(leaf.maxDef), count, defs);
      if (count !== rows || !leaf.def.nullable || defs.some((d) => d !== 0)) throw new Unsupported();
      row += count;
      continue;
    }
    let defined: Uint8Array | null = null;
    let present = count;
    if (leaf.maxDef > 0) {
      defined = new Uint8Array(count);
      at = readLevels(body, at, 1, count, defined);
      present = 0;
      for (let i = 0; i < count; i++) present += defined[i]!;
      if (present === count) defined = null;
    }
    const width = SAME_WIDTH[type];
    if (!defined && encoding === Encoding.PLAIN && width !== undefined) {
      // A dense page of a type stored at its own width: its bytes go straight into place.
      if (at + count * width > body.length) throw new Error("PLAIN values past the end of their page");
      const v = values as unknown as ArrayBufferView;
      new Uint8Array(v.buffer, v.byteOffset + row * width, count * width).set(body.subarray(at, at + count * width));
      row += count;
      continue;
    }
    let dense: ArrayLike<unknown>;
    if (encoding === Encoding.PLAIN) dense = readPlain(type, body, at, present);
    else if (encoding === Encoding.DELTA_BINARY_PACKED && (type === "int64" || type === "timestamp_ns")) dense = readDeltaInt64(body, at, present);
    else if (encoding === Encoding.RLE_DICTIONARY && dict) {
      if (indexScratch.length < present) indexScratch = new Int32Array(Math.max(present, indexScratch.length * 2));
      const idx = indexScratch;
      readHybrid(body, at + 1, body.length, body[at]!, present, idx);
      const n = dict.length;
      if (!defined) {
        // a dense page's values go straight into place: no page-sized array between
        const out = values as unknown as unknown[];
        for (let i = 0; i < present; i++) {
          const j = idx[i]!;
          if (j >= n) throw new Error("dictionary index out of range");
          out[row + i] = dict[j];
        }
        row += count;
        continue;
      }
      const s = type === "utf8" ? new Array<unknown>(present) : type === "float64" ? new Float64Array(present) : new Int32Array(present);
      for (let i = 0; i < present; i++) {
        const j = idx[i]!;
        if (j >= n) throw new Error("dictionary index out of range");
        (s as unknown[])[i] = dict[j];
      }
      dense = s;
    } else throw new Unsupported();
    if (!defined) {
      if (boxed) for (let i = 0; i < count; i++) (values as unknown[])[row + i] = dense[i];
      else (values as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(dense, row);
    } else {
      let k = 0;
      for (let i = 0; i < count; i++) {
        if (defined[i]) (values as unknown as unknown[])[row + i] = dense[k++];
        else if (!boxed) {
          sink.valid ??= new Uint8Array(total).fill(1);
          sink.valid[row + i] = 0;
        }
      }
    }
    row += count;
  }
  if (row !== last) throw new Error(`column ${leaf.def.name}: pages hold ${row - base} rows, the row group ${rows}`);
}

/** Dictionary indices of the page being decoded (one page at a time per thread). */
let indexScratch = new Int32Array(1024);

const DICTIONARY_TYPES = new Set(["utf8", "float64", "int32", "date32"]);

/** Byte width of the types whose PLAIN values are their in-memory bytes (little-endian). */
const SAME_WIDTH: Partial<Record<string, number>> = { int64: 8, timestamp_ns: 8, float64: 8, int32: 4, date32: 4 };

function bitWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

function readPlain(type: string, body: Uint8Array, at: number, count: number): ArrayLike<unknown> {
  switch (type) {
    case "int64":
    case "timestamp_ns":
      return readPlainFixed(body, at, count, BigInt64Array);
    case "float64":
      return readPlainFixed(body, at, count, Float64Array);
    case "int32":
    case "date32":
    case "int16":
    case "int8":
      return readPlainFixed(body, at, count, Int32Array); // narrowed by the typed-array set
    case "bool":
      return readPlainBools(body, at, count);
    case "utf8":
      return readPlainStrings(body, at, count);
    default:
      throw new Unsupported();
  }
}
