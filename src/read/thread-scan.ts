/**
 * A scan of a small table read on the calling thread, without DuckDB: a day's futures trades
 * or option trades (10^5–10^6 rows in a few MB of Parquet). There, opening DuckDB and its
 * parallel scan cost several times the decode (cold: ~0.4 s and ~110 MB of fresh memory for
 * what the lake's own decoder reads in tens of milliseconds).
 *
 * The result is the one scanFrame gives: the request's columns, each file's own types
 * normalised to the table's (contracts §2.5, as DuckDB's union_by_name and projection do),
 * rows in [startNs, endNs], ordered by (ts_event_ns, tie-break columns nulls last, file in
 * listing order, row in file). Lake-written files go through the fast decoder; any other
 * writer's (the predecessor's) through the general one.
 *
 * Not for: a SQL predicate, dedupe or limit, objects not on local disk, or files larger in
 * total than SMALL_SCAN_BYTES (those stay with DuckDB, which streams and spills).
 */
import { readFileSync, statSync } from "node:fs";
import { errorMessage } from "../errors";
import { QueryError } from "./duck";
import { Frame, sortFrame, type Column } from "../frame";
import { decodeParquetWithInfo, openLakeFile, readParquetInfo } from "../parquet";
import { columnSinks, decodeLakeFileInto, sinkFrame, type ColumnSink } from "../parquet/fast/lake-file";
import type { TableSchema } from "../schemas/types";
import type { ScanRequest } from "./scan";

/** Above this many bytes of Parquet a scan is DuckDB's: it reads in parallel and spills. */
export const SMALL_SCAN_BYTES = 16 << 20;

/** Whether `req` can be read here. */
export function scansInThread(req: ScanRequest): boolean {
  if (req.where || req.dedupeOn?.length || req.limit !== undefined) return false;
  let bytes = 0;
  for (const p of req.paths) {
    if (p.startsWith("s3://")) return false;
    bytes += statSync(p).size;
    if (bytes > SMALL_SCAN_BYTES) return false;
  }
  return true;
}

/** `req` read here (`table`: the full table schema `req.schema` projects). */
export async function scanInThread(req: ScanRequest, table: TableSchema): Promise<Frame> {
  if (req.paths.length === 0) return Frame.empty(req.schema);
  const names = req.schema.columns.map((c) => c.name);
  // every file opened first, so the columns are allocated once at the day's size
  const files = await Promise.all(
    req.paths.map((path) =>
      inFile(path, async () => {
        const bytes = readFileSync(path);
        return { path, bytes, open: openLakeFile(bytes, table) };
      }),
    ),
  );
  const rows = await Promise.all(files.map(async (f) => f.open?.numRows ?? (await inFile(f.path, () => readParquetInfo(f.bytes))).numRows));
  const total = rows.reduce((a, b) => a + b, 0);
  const pick = names.map((n) => table.columns.findIndex((c) => c.name === n));
  const picked = columnSinks(req.schema, total);
  // sinks for the picked columns only; the others are never touched
  const sinks = columnSinks(table, 0);
  for (const [k, ci] of pick.entries()) sinks[ci] = picked[k]!;
  let at = 0;
  for (const [i, f] of files.entries()) {
    const open = f.open;
    if (!open || !(await inFile(f.path, async () => decodeLakeFileInto(open, table, sinks, at, total, pick)))) {
      const other = (await inFile(f.path, () => decodeParquetWithInfo(f.bytes, { schema: table, columns: names }))).frame;
      other.columns.forEach((c, k) => place(c, picked[k]!, at, total));
    }
    at += rows[i]!;
  }
  const decoded = sinkFrame(req.schema, picked, total);
  const frame = withinBounds(new Frame(decoded.columns.map(duckNulls), total), req.startNs, req.endNs);
  return sortFrame(frame, ["ts_event_ns", ...(req.tieBreak ?? [])]);
}

/**
 * Nulls as DuckDB's result columns carry them (duck-columns.ts), so both paths give equal
 * Frames: strings and lists hold a JS null and no mask; other types a `valid` mask exactly
 * when the column has a null, and 0 under it.
 */
function duckNulls(c: Column): Column {
  const valid = c.valid;
  if (Array.isArray(c.values)) {
    if (!valid) return c;
    const v = c.values as unknown[];
    for (let i = 0; i < v.length; i++) if (valid[i] === 0) v[i] = null;
    return { ...c, valid: undefined };
  }
  if (!valid) return c;
  if (!valid.includes(0)) return { ...c, valid: undefined };
  const v = c.values as unknown as { [i: number]: number | bigint };
  const zero = c.values instanceof BigInt64Array ? 0n : 0;
  for (let i = 0; i < valid.length; i++) if (valid[i] === 0) v[i] = zero;
  return c;
}

/** A file that cannot be read fails the scan with its path (as DuckDB's errors name it). */
async function inFile<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw new QueryError(`cannot read ${path}: ${errorMessage(e)}`);
  }
}

/** A column decoded on its own (same type: normalised to the table) into rows at… of a sink. */
function place(c: Column, sink: ColumnSink, at: number, total: number): void {
  if (Array.isArray(sink.values)) {
    const from = c.values as unknown[];
    for (let i = 0; i < from.length; i++) (sink.values as unknown[])[at + i] = from[i];
  } else (sink.values as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(c.values as ArrayLike<unknown>, at);
  // (a fast decode that gave up on this file may have marked some of its rows null already)
  if (c.valid) (sink.valid ??= new Uint8Array(total).fill(1)).set(c.valid, at);
  else sink.valid?.fill(1, at, at + c.values.length);
}

function withinBounds(frame: Frame, startNs: bigint | undefined, endNs: bigint | undefined): Frame {
  if (startNs === undefined && endNs === undefined) return frame;
  const ts = frame.values<BigInt64Array>("ts_event_ns");
  const lo = startNs ?? -(1n << 63n);
  const hi = endNs ?? (1n << 63n) - 1n;
  let inside = true;
  for (let i = 0; i < ts.length && inside; i++) inside = ts[i]! >= lo && ts[i]! <= hi;
  return inside ? frame : frame.filter((i) => ts[i]! >= lo && ts[i]! <= hi);
}
