/**
 * Bronze partition-hours as live ingest leaves them (hundreds of 5-second flush files) given
 * to DuckDB as one file each. DuckDB pays per file three times a scan (DESCRIBE, union by
 * name, the scan), so a day of ~20,000 flushes costs many times the same rows in 36 files.
 * An hour with at least CONSOLIDATE_MIN files is decoded here with the lake's fast decoder
 * (hyparquet for anything else), normalised to the table's schema, concatenated in key order
 * and written once (only the columns the read asked for), to a local copy
 * named by the hour's content identity (keys, sizes, modification times). A reader returns
 * the same rows in the same order: ties in (ts, seq) keep file-then-row order through the
 * stable sort. A copy is reused by every later read of the unchanged hour and pruned with the
 * read cache, least recently used first; a new flush in the hour names a new copy.
 */
import * as fs from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Frame } from "../frame";
import { concatLakeFiles, decodeParquetWithInfo, encodeParquet, openLakeFile, type OpenLakeFile } from "../parquet";
import { BRONZE_TABLES, type BronzeTable } from "../schemas/bronze";
import type { Config } from "../config";
import type { LakeFile } from "./lake-files";
import { tempPath, touch } from "./cache-prune";

/** A lake as a thread other than its reader's opens it (structured-clone safe). */
export interface SharedLake {
  location: string | Pick<Config, "useS3" | "s3" | "dataRoot">;
  cacheDir: string;
  maxCacheBytes: number;
}

export interface HourToConsolidate {
  path: string;
  table: BronzeTable;
  files: LakeFile[];
}

/** What a lent consolidation (task CONSOLIDATE_TASK, consolidate-task.ts; lake-files.ts lends it) is given. */
export interface ConsolidatePayload {
  lake: SharedLake;
  path: string;
  /** Bronze table key. */
  table: string;
  files: LakeFile[];
  columns: string[] | null;
}

/** The batch task that consolidates one hour for a reader on another worker (src/app/tasks.ts). */
export const CONSOLIDATE_TASK = "read.consolidateHour";

/** Fewer files than this in an hour are handed to DuckDB as they are. */
export const CONSOLIDATE_MIN = 16;
const ROW_GROUP_ROWS = 131_072;
const READ_AHEAD = 16;

/** The Bronze table of a key, or null (Silver, Gold, unknown paths are never consolidated). */
function tableOf(key: string): BronzeTable | null {
  return BRONZE_TABLES.find((t) => key.startsWith(`bronze/${t.schemaPath}/`)) ?? null;
}

/** Runs of consecutive files of one Bronze partition-hour directory, in listing order. */
export function hourRuns(files: readonly LakeFile[]): { files: LakeFile[]; table: BronzeTable | null }[] {
  const out: { files: LakeFile[]; table: BronzeTable | null; dir: string }[] = [];
  for (const f of files) {
    const dir = f.hour === null ? null : f.key.slice(0, f.key.lastIndexOf("/"));
    const last = out[out.length - 1];
    if (dir !== null && last && last.dir === dir) last.files.push(f);
    else out.push({ files: [f], table: dir === null ? null : tableOf(f.key), dir: dir ?? "" });
  }
  return out;
}

/** Where the consolidated copy of `files` (only `columns`, when given) lives under `dir`. */
export function consolidatedPath(dir: string, files: readonly LakeFile[], columns?: ReadonlySet<string> | null): string {
  const projection = columns && columns.size > 0 ? `columns\0${[...columns].sort().join("\0")}\n` : "";
  const identity = projection + files.map((f) => `${f.key}\0${f.size}\0${Math.floor(f.mtimeMs)}\0${f.etag ?? ""}`).join("\n");
  const name = new Bun.CryptoHasher("sha256").update(identity).digest("hex").slice(0, 32);
  return join(dir, "_consolidated", `${name}.parquet`);
}

/**
 * Make `path` the consolidated copy of one hour's `files` (read through `bytes`); true when it
 * had to be written.
 */
export async function consolidate(path: string, table: BronzeTable, files: readonly LakeFile[], bytes: (f: LakeFile) => Promise<Uint8Array>, columns?: ReadonlySet<string> | null): Promise<boolean> {
  if (await touch(path, Date.now())) return false;
  // Reads overlap (a local read or an S3 GET is latency), decoding goes in key order.
  const reads: Promise<Uint8Array>[] = [];
  let next = 0;
  const readAhead = () => {
    while (next < files.length && next - parts.length < READ_AHEAD) {
      const p = bytes(files[next++]!);
      p.catch(() => {}); // awaited in order below; an early failure must not go unhandled meanwhile
      reads.push(p);
    }
  };
  // Every footer first (the hour's row count), then each file's pages decoded straight into
  // the hour's columns: no per-file frame to allocate, normalise and copy again.
  const parts: (OpenLakeFile | Frame)[] = [];
  while (parts.length < files.length) {
    readAhead();
    const b: Uint8Array = await reads[parts.length]!;
    parts.push(openLakeFile(b, table.schema) ?? (await decodeParquetWithInfo(b, { schema: table.schema })).frame);
  }
  // Only the columns the read asked for are decoded and written: an hour's other columns
  // are most of the work and never reach the reader.
  const projected = columns && columns.size > 0 ? columns : null;
  const merged = await concatLakeFiles(table.schema, parts, projected);
  const schema = projected ? { ...table.schema, columns: table.schema.columns.filter((d) => projected.has(d.name)) } : table.schema;
  const data = encodeParquet(merged, { schema, rowGroupSize: ROW_GROUP_ROWS, metadata: { "lake.consolidated_from": String(files.length) } });
  await fs.mkdir(dirname(path), { recursive: true });
  const tmp = tempPath(path);
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, path);
  return true;
}
