/**
 * decodeParquet / readParquetInfo: Parquet bytes → Frame via hyparquet, with ZSTD pages
 * decompressed by Bun.zstdDecompressSync. int64 stays BigInt64Array (ns timestamps
 * exceed 2^53), dates stay day numbers, timestamps become ns bigints.
 *
 * With `schema`, the result is normalised to it (contracts §2.5): columns by name in
 * schema order, integer widening, null-typed / missing columns → typed nulls, utf8
 * `exp_date` → date32.
 */
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { allocValues, Frame, type Column } from "../frame";
import type { ColumnType, TableSchema } from "../schemas/types";
import { columnTypeOf, type FileColumnType } from "./file-types";
import { normaliseToSchema } from "./normalise";

export interface DecodeOptions {
  columns?: string[];
  schema?: TableSchema;
}

export interface ParquetInfo {
  numRows: number;
  kv: Record<string, string>;
  columns: { name: string; type: FileColumnType }[];
  rowGroups: number;
}

const compressors = {
  ZSTD: (input: Uint8Array, outputLength: number): Uint8Array => {
    const out = Bun.zstdDecompressSync(input);
    if (out.length !== outputLength) throw new Error(`ZSTD page decompressed to ${out.length} bytes, header says ${outputLength}`);
    return out;
  },
};

/** ns since epoch as bigint, whatever unit the file used. */
const parsers = {
  timestampFromNanoseconds: (v: bigint) => v,
  timestampFromMicroseconds: (v: bigint) => v * 1000n,
  timestampFromMilliseconds: (v: bigint) => v * 1_000_000n,
  dateFromDays: (d: number) => d,
};

export function toAsyncBuffer(src: Uint8Array | AsyncBuffer): AsyncBuffer {
  if (!(src instanceof Uint8Array)) return src;
  return {
    byteLength: src.byteLength,
    slice: (start: number, end?: number) => src.buffer.slice(src.byteOffset + start, src.byteOffset + (end ?? src.byteLength)) as ArrayBuffer,
  };
}

function fileColumns(metadata: FileMetaData): { name: string; type: FileColumnType }[] {
  return parquetSchema(metadata).children.map((node) => ({ name: node.element.name, type: columnTypeOf(node) }));
}

export async function readParquetInfo(src: Uint8Array | AsyncBuffer): Promise<ParquetInfo> {
  return infoOf(await parquetMetadataAsync(toAsyncBuffer(src)));
}

function infoOf(metadata: FileMetaData, columns = fileColumns(metadata)): ParquetInfo {
  const kv: Record<string, string> = {};
  for (const { key, value } of metadata.key_value_metadata ?? []) kv[key] = value ?? "";
  return { numRows: Number(metadata.num_rows), kv, columns, rowGroups: metadata.row_groups.length };
}

export async function decodeParquet(src: Uint8Array | AsyncBuffer, opts: DecodeOptions = {}): Promise<Frame> {
  return (await decodeParquetWithInfo(src, opts)).frame;
}

/** decodeParquet and readParquetInfo from one footer parse: what a reader of many small files pays per file. */
export async function decodeParquetWithInfo(src: Uint8Array | AsyncBuffer, opts: DecodeOptions = {}): Promise<{ frame: Frame; info: ParquetInfo }> {
  const file = toAsyncBuffer(src);
  const metadata = await parquetMetadataAsync(file);
  const numRows = Number(metadata.num_rows);
  const present = fileColumns(metadata);
  const wanted = opts.columns ?? (opts.schema ? opts.schema.columns.map((d) => d.name) : present.map((c) => c.name));
  const presentNames = new Set(present.map((c) => c.name));
  if (!opts.schema) {
    const missing = wanted.filter((n) => !presentNames.has(n));
    if (missing.length) throw new Error(`Parquet file has no column(s) ${missing.join(", ")} (have: ${[...presentNames].join(", ")})`);
  }
  const toRead = present.filter((c) => wanted.includes(c.name));
  const sinks = new Map(toRead.map((c) => [c.name, new ColumnSink(c.name, c.type, numRows)]));
  if (toRead.length > 0 && numRows > 0) {
    await parquetRead({
      file,
      metadata,
      columns: toRead.map((c) => c.name),
      compressors,
      parsers,
      onChunk: ({ columnName, columnData, rowStart }) => sinks.get(columnName)!.put(columnData as ArrayLike<unknown>, rowStart),
    });
  }
  const order = opts.schema ? toRead.map((c) => c.name) : wanted;
  const frame = new Frame(order.map((n) => sinks.get(n)!.finish()), numRows);
  return { frame: opts.schema ? normaliseToSchema(frame, opts.schema, opts.columns) : frame, info: infoOf(metadata, present) };
}

const utf8Decoder = new TextDecoder();

/** Collects hyparquet's decoded pages for one column into the Frame layout. */
class ColumnSink {
  private readonly type: ColumnType;
  private readonly values: Column["values"];
  private valid: Uint8Array | undefined;

  constructor(
    private readonly name: string,
    fileType: FileColumnType,
    private readonly n: number,
  ) {
    // an Arrow null-typed column has no values; int8 widens to whatever the reader needs
    this.type = fileType === "null" ? "int8" : fileType;
    this.values = allocValues(this.type, n);
    if (fileType === "null") this.valid = new Uint8Array(n);
  }

  put(data: ArrayLike<unknown>, rowStart: number): void {
    const n = data.length;
    const out = this.values as unknown as { [i: number]: unknown };
    const bigData = data instanceof BigInt64Array;
    const bigOut = this.values instanceof BigInt64Array;
    if (ArrayBuffer.isView(data) && ArrayBuffer.isView(this.values) && bigData === bigOut && this.type !== "bool") {
      // dense page (no nulls): one native copy, narrowing INT32 → int8/int16 in range
      (this.values as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(data, rowStart);
      return;
    }
    for (let i = 0; i < n; i++) {
      const v = data[i];
      const at = rowStart + i;
      if (v === null || v === undefined) {
        this.markNull(at);
        continue;
      }
      switch (this.type) {
        case "utf8":
          out[at] = typeof v === "string" ? v : utf8Decoder.decode(v as Uint8Array);
          break;
        case "list_int16":
          out[at] = Int16Array.from(v as ArrayLike<number>, (x) => x ?? 0);
          break;
        case "bool":
          out[at] = v ? 1 : 0;
          break;
        case "int64":
        case "timestamp_ns":
          out[at] = typeof v === "bigint" ? v : BigInt(v as number);
          break;
        default:
          out[at] = typeof v === "bigint" ? Number(v) : v;
      }
    }
  }

  private markNull(at: number): void {
    if (this.type === "utf8" || this.type === "list_int16") {
      (this.values as unknown[])[at] = null;
      return;
    }
    if (!this.valid) this.valid = new Uint8Array(this.n).fill(1);
    this.valid[at] = 0;
  }

  finish(): Column {
    return { name: this.name, type: this.type, values: this.values, valid: this.valid };
  }
}
