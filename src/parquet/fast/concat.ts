/**
 * Many files of one table as one Frame, decoded straight into the merged columns: for an
 * hour of live-ingest flushes (a few rows each), allocating, normalising and copying a Frame
 * per file costs as much as decoding it. Same rows, order and types as decoding each file and
 * concatenating the frames in schema order.
 */
import { castColumn, type Frame } from "../../frame";
import type { TableSchema } from "../../schemas/types";
import { decodeParquetWithInfo } from "../decode";
import { normaliseToSchema } from "../normalise";
import { columnSinks, decodeLakeFileInto, sinkFrame, type ColumnSink, type OpenLakeFile } from "./lake-file";

/**
 * `parts` in order as one Frame of `schema`: opened lake files (openLakeFile) are decoded in
 * place, frames (files the fast decoder does not know, already decoded) are copied. With
 * `columns`, only those (in schema order): the others' pages are never decompressed.
 */
export async function concatLakeFiles(schema: TableSchema, parts: readonly (OpenLakeFile | Frame)[], columns?: ReadonlySet<string> | null): Promise<Frame> {
  const total = parts.reduce((n, p) => n + p.numRows, 0);
  const pick = columns ? schema.columns.flatMap((d, i) => (columns.has(d.name) ? [i] : [])) : null;
  const out: TableSchema = pick ? { ...schema, columns: pick.map((i) => schema.columns[i]!) } : schema;
  // sinks by the full schema's column index, so the file's column chunks find theirs
  const sinks: ColumnSink[] = new Array(schema.columns.length);
  const outSinks = columnSinks(out, total);
  (pick ?? schema.columns.map((_, i) => i)).forEach((ci, k) => (sinks[ci] = outSinks[k]!));
  let at = 0;
  for (const p of parts) {
    if ("bytes" in p) {
      // A page in a shape the fast path does not take: that file's rows again, the general way.
      if (!decodeLakeFileInto(p, schema, sinks, at, total, pick ?? undefined)) copyInto(out, (await decodeParquetWithInfo(p.bytes, { schema: out })).frame, outSinks, at, total);
    } else copyInto(out, p, outSinks, at, total);
    at += p.numRows;
  }
  return sinkFrame(out, outSinks, total);
}

/** Rows of `frame` into `sinks` from row `at` on, every cell overwritten (valid included). */
function copyInto(schema: TableSchema, frame: Frame, sinks: readonly ColumnSink[], at: number, total: number): void {
  const f = normaliseToSchema(frame, schema);
  schema.columns.forEach((d, i) => {
    const src = castColumn(f.column(d.name), d.type);
    const sink = sinks[i]!;
    if (Array.isArray(sink.values)) {
      const s = src.values as unknown[];
      for (let k = 0; k < f.numRows; k++) (sink.values as unknown[])[at + k] = s[k];
    } else (sink.values as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(src.values as ArrayLike<unknown>, at);
    if (src.valid) {
      sink.valid ??= new Uint8Array(total).fill(1);
      sink.valid.set(src.valid, at);
    } else sink.valid?.fill(1, at, at + f.numRows);
  });
}
