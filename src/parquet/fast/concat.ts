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
 * place, frames (files the fast decoder does not know, already decoded) are copied.
 */
export async function concatLakeFiles(schema: TableSchema, parts: readonly (OpenLakeFile | Frame)[]): Promise<Frame> {
  const total = parts.reduce((n, p) => n + p.numRows, 0);
  const sinks = columnSinks(schema, total);
  let at = 0;
  for (const p of parts) {
    if ("bytes" in p) {
      // A page in a shape the fast path does not take: that file's rows again, the general way.
      if (!decodeLakeFileInto(p, schema, sinks, at, total)) copyInto(schema, (await decodeParquetWithInfo(p.bytes, { schema })).frame, sinks, at, total);
    } else copyInto(schema, p, sinks, at, total);
    at += p.numRows;
  }
  return sinkFrame(schema, sinks, total);
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
