/**
 * The one read_parquet statement every reader uses, built from a TableSchema.
 *
 * - `hive_partitioning=false`: DuckDB would replace the file's own `symbol` column with the
 *   directory value `ES` (contracts §6.1.1(6), §9 R-1), so partition columns are never read
 *   from paths here; pruning already happened in LakeFiles, by listing.
 * - `union_by_name=true` unifies files by column name and widens types (§2.5, §9 F-5); the
 *   projection then normalises every column to the table's declared type, so a reader's
 *   Frame has one stable schema whatever mix of predecessor (int64 sizes, null-typed
 *   `conditions`, utf8 `exp_date`) and lake-written files sits on disk.
 * - Every value is a bound parameter; identifiers come from our own schemas (§9 R-3).
 * - Order: `ts_event_ns`, then `seq` (nulls last), then file (listing is key-sorted), then
 *   row in file — deterministic ties (§6.1.1(5), §9 R-8).
 */
import type { ColumnType, TableSchema } from "../schemas/types";
import { Frame } from "../frame";
import { parquetMetadataAsync } from "hyparquet";
import { DuckSession, type SqlParam, sqlIdent } from "./duck";
import { fileBuffer } from "./ts-pages";

export interface ScanRequest {
  schema: TableSchema;
  /** Local file paths, already pruned; sorted by object key. */
  paths: readonly string[];
  startNs?: bigint;
  endNs?: bigint;
  /** Extra predicate over declared columns, with its own named parameters (prefix `p_`). */
  where?: { sql: string; params: Record<string, SqlParam> };
  /** Tie-break columns after ts_event_ns (must exist in the schema), e.g. ["seq"]. */
  tieBreak?: readonly string[];
  /** Keep only the first row (in file order) per key, e.g. Gold (ts_event_ns, level_id) §9 G-1. */
  dedupeOn?: readonly string[];
  limit?: number;
  /**
   * `paths` split into groups whose rows cannot overlap in ts (Bronze partition hours), in
   * time order. A stream then sorts one group at a time, so its memory is bounded by the
   * largest group instead of the whole result; the row order is the same.
   */
  timeSlices?: readonly (readonly string[])[];
  /** The single file in `paths` is known to be in (ts, seq NULLS LAST) order: no ORDER BY. */
  presorted?: boolean;
}

export const DUCK_TYPE: Record<ColumnType, string> = {
  int8: "TINYINT",
  int16: "SMALLINT",
  int32: "INTEGER",
  int64: "BIGINT",
  float64: "DOUBLE",
  bool: "BOOLEAN",
  utf8: "VARCHAR",
  date32: "DATE",
  timestamp_ns: "TIMESTAMP_NS",
  list_int16: "SMALLINT[]",
};

export const READ_OPTS = "union_by_name=true, hive_partitioning=false";

/** One projection expression per declared column, given the unified on-disk types. */
export function projection(schema: TableSchema, onDisk: ReadonlyMap<string, string>): string[] {
  return schema.columns.map((c) => {
    const id = sqlIdent(c.name);
    const want = DUCK_TYPE[c.type];
    const have = onDisk.get(c.name);
    if (have === undefined) return `CAST(NULL AS ${want}) AS ${id}`;
    if (have === want) return id;
    if (c.type === "list_int16") {
      // A predecessor's all-null column is Arrow `null` → DuckDB INTEGER: not a list at all.
      return have.endsWith("[]") ? `CAST(${id} AS ${want}) AS ${id}` : `CAST(NULL AS ${want}) AS ${id}`;
    }
    if (c.type === "date32" && have === "VARCHAR") {
      // §2.5: exp_date stored as 'YYYY-MM-DD' (or with a time part, §1.8) → DATE.
      return `CAST(substr(${id}, 1, 10) AS DATE) AS ${id}`;
    }
    return `CAST(${id} AS ${want}) AS ${id}`;
  });
}

/** The unified column types DuckDB sees across `paths` (one footer read per file). */
export async function onDiskTypes(s: DuckSession, paths: readonly string[]): Promise<Map<string, string>> {
  const cols = await s.describe(`SELECT * FROM read_parquet($files, ${READ_OPTS})`, { files: paths });
  return new Map(cols.map((c) => [c.name, c.type]));
}

export async function buildScan(s: DuckSession, req: ScanRequest): Promise<{ sql: string; params: Record<string, SqlParam> }> {
  const types = await onDiskTypes(s, req.paths);
  const params: Record<string, SqlParam> = { files: req.paths };
  const where: string[] = [];
  if (req.startNs !== undefined) {
    where.push(`ts_event_ns >= $start_ns`);
    params.start_ns = req.startNs;
  }
  if (req.endNs !== undefined) {
    where.push(`ts_event_ns <= $end_ns`);
    params.end_ns = req.endNs;
  }
  if (req.where) {
    where.push(`(${req.where.sql})`);
    Object.assign(params, req.where.params);
  }
  const order = ["ts_event_ns", ...(req.tieBreak ?? []).map((c) => `${sqlIdent(c)} NULLS LAST`), "file_index", "file_row_number"];
  // The projection is applied in an outer SELECT so predicates see declared types
  // (e.g. `symbol`), and ORDER BY can use the virtual file columns of the inner scan.
  const sql = [
    `SELECT ${req.schema.columns.map((c) => sqlIdent(c.name)).join(", ")} FROM (`,
    `  SELECT ${projection(req.schema, types).join(", ")}, file_index, file_row_number`,
    `  FROM read_parquet($files, ${READ_OPTS})`,
    `) t`,
    where.length ? `WHERE ${where.join(" AND ")}` : "",
    req.dedupeOn?.length
      ? `QUALIFY row_number() OVER (PARTITION BY ${req.dedupeOn.map(sqlIdent).join(", ")} ORDER BY file_index, file_row_number) = 1`
      : "",
    req.presorted ? "" : `ORDER BY ${order.join(", ")}`,
    req.limit !== undefined ? `LIMIT ${Math.max(0, Math.trunc(req.limit))}` : "",
  ]
    .filter(Boolean)
    .join("\n");
  return { sql, params };
}

/** Run a scan; no files → an empty Frame with the declared columns (never an error). */
export async function scanFrame(s: DuckSession, req: ScanRequest): Promise<Frame> {
  if (req.paths.length === 0) return Frame.empty(req.schema);
  const { sql, params } = await buildScan(s, req);
  return s.query(sql, params, { capacityHint: await footerRows(s, req.paths, req.limit) });
}

/** The scan as a stream of Frames of about `batchRows` rows; one empty Frame when there are no files. */
export async function* streamScan(req: ScanRequest, batchRows?: number): AsyncGenerator<Frame> {
  if (req.paths.length === 0) {
    yield Frame.empty(req.schema);
    return;
  }
  using s = await DuckSession.open();
  const slices = req.timeSlices && req.timeSlices.length > 1 && req.limit === undefined && !req.dedupeOn ? req.timeSlices : [req.paths];
  for (const paths of slices) {
    const presorted = paths.length === 1 && !req.dedupeOn && (await sortedByTs(paths[0]!, req.tieBreak ?? []));
    const { sql, params } = await buildScan(s, { ...req, paths, presorted });
    yield* s.stream(sql, params, batchRows);
  }
}

/** Above this many files the footer pass costs more than growing the result arrays does. */
const FOOTER_HINT_MAX_FILES = 256;

/**
 * Rows in the files' footers: an upper bound on a scan's result (filters only remove rows).
 * Only a sizing hint: for the thousands of small files of an uncompacted hour a whole extra
 * pass over every footer is not worth it, so none is given (the arrays grow instead).
 */
async function footerRows(s: DuckSession, paths: readonly string[], limit?: number): Promise<number> {
  if (paths.length > FOOTER_HINT_MAX_FILES) return 0;
  const f = await s.query(`SELECT coalesce(sum(num_rows), 0)::BIGINT AS n FROM parquet_file_metadata($files)`, { files: paths });
  const n = Number(f.values<BigInt64Array>("n")[0] ?? 0n);
  return limit !== undefined ? Math.min(n, limit) : n;
}

/**
 * Whether a file's rows are already in scan order (ts_event_ns, then `tieBreak` ascending,
 * nulls last): every row group declares those sorting columns (the lake writer does), and
 * consecutive groups do not overlap in ts by their statistics. DuckDB keeps file order when
 * nothing reorders, so such a file streams without a sort — memory no longer grows with it.
 */
export async function sortedByTs(path: string, tieBreak: readonly string[]): Promise<boolean> {
  if (path.startsWith("s3://")) return false;
  const meta = await parquetMetadataAsync(fileBuffer(path)).catch(() => null);
  if (!meta) return false;
  // Sorting columns and chunks are indexed by leaf column, not schema element.
  const names = (meta.row_groups[0]?.columns ?? []).map((c) => c.meta_data?.path_in_schema.join(".") ?? "");
  const want = ["ts_event_ns", ...tieBreak].map((n) => names.indexOf(n));
  if (want.some((i) => i < 0)) return false;
  let prevMax: bigint | null = null;
  for (const rg of meta.row_groups) {
    const sc = rg.sorting_columns ?? [];
    if (sc.length < want.length || want.some((col, i) => sc[i]!.column_idx !== col || sc[i]!.descending || sc[i]!.nulls_first)) return false;
    const ts = rg.columns[want[0]!]?.meta_data?.statistics;
    const min = ts?.min_value;
    const max = ts?.max_value;
    if (typeof min !== "bigint" || typeof max !== "bigint") return false;
    if (prevMax !== null && min <= prevMax) return false;
    prevMax = max;
  }
  return true;
}
