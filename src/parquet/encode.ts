/**
 * encodeParquet: Frame → Parquet bytes (contracts §2.1 Parquet settings).
 *
 * Columns in schema order (matched by name), stable sort by `schema.sortKey`, ZSTD
 * (level 3 default) per page, explicit row-group size, min/max statistics on every
 * column, key/value metadata (schema_name, tier, lake_writer, min/max ts_event_ns,
 * schema metadata, caller metadata — later keys win).
 */
import { castColumn, nullColumn, type Column, type Frame } from "../frame";
import type { ColumnDef, TableSchema } from "../schemas/types";
import { LAKE_VERSION } from "../version";
import { int64MinMax } from "./columns/fixed";
import { FileSink, thriftBytes, writeColumnChunk, type ThriftObject } from "./columns/chunk";
import { parquetSchemaFor } from "./schema-map";
import { sortForSchema } from "../frame-sort";

export interface EncodeOptions {
  schema: TableSchema;
  /** Rows per row group; default 1 048 576 (contracts §2.1: one group per Bronze file). */
  rowGroupSize?: number;
  /** ZSTD level, default 3 (contracts §2.1). */
  zstdLevel?: number;
  metadata?: Record<string, string>;
  /** Stable sort by schema.sortKey first (default true). */
  sort?: boolean;
  /** Target uncompressed page size in bytes (default 1 MiB). */
  pageBytes?: number;
}

export const DEFAULT_ROW_GROUP_SIZE = 1_048_576;
const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

export function encodeParquet(frame: Frame, opts: EncodeOptions): Uint8Array {
  const { schema } = opts;
  const rowGroupSize = opts.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) throw new Error(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  const zstdLevel = opts.zstdLevel ?? 3;
  let columns = schema.columns.map((d) => conformColumn(frame, d, schema.name));
  if (opts.sort !== false) columns = sortForSchema(columns, frame.numRows, schema.sortKey);

  const { elements, leaves } = parquetSchemaFor(schema.columns);
  const sink = new FileSink();
  sink.push(MAGIC);
  const rowGroups: ThriftObject[] = [];
  const sortingColumns = opts.sort === false ? undefined : sortingColumnsFor(schema);
  const chunkOptions = { zstdLevel, pageBytes: opts.pageBytes ?? 1 << 20, memo: {} };
  const tsLeaf = schema.columns.findIndex((d) => d.name === "ts_event_ns" && (d.type === "int64" || d.type === "timestamp_ns"));
  const tsBounds = new TsBounds();
  for (let start = 0; start < frame.numRows; start += rowGroupSize) {
    const end = Math.min(frame.numRows, start + rowGroupSize);
    const groupStart = sink.offset;
    let totalBytes = 0n;
    const chunks = leaves.map((leaf, i) => {
      const chunk = writeColumnChunk(sink, leaf, columns[i]!, start, end, chunkOptions);
      const meta = chunk.field_3 as ThriftObject;
      totalBytes += meta.field_6 as bigint;
      if (i === tsLeaf) tsBounds.addStats(meta.field_12 as ThriftObject);
      return chunk;
    });
    rowGroups.push({
      field_1: chunks,
      field_2: totalBytes,
      field_3: BigInt(end - start),
      field_4: sortingColumns,
      field_5: BigInt(groupStart),
      field_6: BigInt(sink.offset - groupStart),
    });
  }

  const head = { field_1: 2, field_2: elements, field_3: BigInt(frame.numRows) }; // format version 2 (2.6 feature set)
  const footer = thriftBytes({
    ...head,
    field_4: rowGroups,
    field_5: kvMetadata(schema, tsBounds, opts.metadata).map(([k, v]) => ({ field_1: k, field_2: v })),
    field_6: `lake version ${LAKE_VERSION}`, // "<app> version <x>" like parquet-cpp-arrow; readers parse this form
    field_7: leaves.map(() => ({ field_1: {} })), // TypeDefinedOrder: min/max are signed / byte-order
  });
  if (rowGroups.length === 0) {
    // An empty list is written with no element type; arrow-rs (parquet-wasm) insists on
    // STRUCT for row_groups even when empty. Patch the list header right after field 4's header.
    const at = thriftBytes(head).length; // STOP position of the head = field 4 header; list header follows
    if (footer[at - 1] !== 0x19 || (footer[at]! & 0xf0) !== 0) throw new Error("unexpected footer layout for an empty file");
    footer[at] = 0x0c;
  }
  sink.push(footer);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, footer.length, true);
  sink.push(len);
  sink.push(MAGIC);
  return sink.toBytes();
}

/**
 * The frame's column for `def`, converted to the declared type and checked for nulls.
 * A missing nullable column is all null; a missing required one is an error.
 */
export function conformColumn(frame: Frame, def: ColumnDef, table: string): Column {
  if (!frame.has(def.name)) {
    if (def.nullable) return nullColumn(def.name, def.type, frame.numRows);
    throw new Error(`${table}: required column "${def.name}" is missing from the batch (have: ${frame.columnNames.join(", ")})`);
  }
  let c = frame.column(def.name);
  if (c.type !== def.type) {
    try {
      c = castColumn(c, def.type);
    } catch (e) {
      throw new Error(`${table}: column "${def.name}" has type ${c.type}, schema says ${def.type} (${(e as Error).message})`);
    }
  }
  const boxed = c.type === "utf8" || c.type === "list_int16";
  let nulls = 0;
  let firstNull = -1;
  if (boxed) {
    const vals = c.values as unknown[];
    let copy: unknown[] | undefined;
    for (let i = 0; i < vals.length; i++) {
      const isNull = vals[i] === null || vals[i] === undefined || (c.valid !== undefined && c.valid[i] === 0);
      if (!isNull) continue;
      if (firstNull < 0) firstNull = i;
      nulls++;
      if (vals[i] !== null) (copy ??= vals.slice())[i] = null;
    }
    // boxed columns carry nulls as JS null only, so the writers need one test
    if (copy || c.valid) c = { name: c.name, type: c.type, values: (copy ?? vals) as Column["values"] };
  } else if (c.valid) {
    for (let i = 0; i < c.valid.length; i++) {
      if (c.valid[i] === 0) {
        if (firstNull < 0) firstNull = i;
        nulls++;
      }
    }
    if (nulls === 0) c = { name: c.name, type: c.type, values: c.values };
  }
  if (nulls > 0 && !def.nullable) {
    throw new Error(`${table}: column "${def.name}" is not nullable but has ${nulls} null(s) (first at row ${firstNull})`);
  }
  return c;
}

function sortingColumnsFor(schema: TableSchema): ThriftObject[] | undefined {
  const out: ThriftObject[] = [];
  for (const key of schema.sortKey) {
    const idx = schema.columns.findIndex((d) => d.name === key);
    if (idx < 0 || schema.columns[idx]!.type === "list_int16") break;
    out.push({ field_1: idx, field_2: false, field_3: false });
  }
  return out.length ? out : undefined;
}

/** The file's ts_event_ns bounds, from its chunks' statistics (the key/value metadata repeats them). */
class TsBounds {
  min: bigint | undefined;
  max: bigint | undefined;
  addStats(stats: ThriftObject): void {
    const read = (b: unknown) => (b instanceof Uint8Array ? new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true) : undefined);
    const min = read(stats.field_6);
    const max = read(stats.field_5);
    if (min !== undefined && (this.min === undefined || min < this.min)) this.min = min;
    if (max !== undefined && (this.max === undefined || max > this.max)) this.max = max;
  }
}

function kvMetadata(schema: TableSchema, ts: TsBounds, extra?: Record<string, string>): [string, string][] {
  const kv = new Map<string, string>([
    ["schema_name", schema.name],
    ["tier", schema.tier],
    ["lake_writer", `lake/${LAKE_VERSION}`],
  ]);
  if (ts.min !== undefined && ts.max !== undefined) {
    kv.set("min_ts_event_ns", ts.min.toString());
    kv.set("max_ts_event_ns", ts.max.toString());
  }
  for (const [k, v] of Object.entries(schema.metadata ?? {})) kv.set(k, v);
  for (const [k, v] of Object.entries(extra ?? {})) kv.set(k, String(v));
  return [...kv];
}

export function int64Range(c: Column): [bigint | undefined, bigint | undefined] {
  const v = c.values as BigInt64Array;
  if (c.valid && !c.valid.includes(1)) return [undefined, undefined];
  const { min, max } = int64MinMax(v, 0, v.length, c.valid);
  const read = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
  return [read(min), read(max)];
}
