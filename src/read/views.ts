/**
 * The SQL views `lake query` registers over the lake. Each view is the table's declared
 * schema (same normalisation as the readers: by-name union, declared types, the file's own
 * `symbol`) plus the partition columns parsed from the object key — typed (`date` DATE,
 * `hour` INTEGER, `version`/`dataset` VARCHAR), never shadowing a file column.
 *
 * A tier with no files is an empty view with the right columns, so a query over a young
 * lake returns no rows instead of failing. Only views the SQL mentions are built (each
 * build reads every footer of its files).
 */
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../schemas/bronze";
import { LEVEL_SIGNALS, LEVEL_SIGNALS_PATH } from "../schemas/gold";
import { GOLD_TRAINING_PIT, SILVER_FEATURES_ALL } from "../schemas/silver";
import type { ColumnType, TableSchema } from "../schemas/types";
import { type DuckSession, sqlIdent, sqlString } from "./duck";
import type { LakeFile, LakeFiles } from "./lake-files";
import { columnsOfParseTree } from "./column-ranges";
import { DUCK_TYPE, projection, READ_OPTS } from "./scan";

interface PathColumn {
  name: string;
  type: ColumnType;
  /** Regex over the object key; group 1 is the value. */
  pattern: RegExp;
}

export interface ViewSpec {
  name: string;
  prefix: string;
  schema: TableSchema;
  pathColumns: PathColumn[];
  /** Which listed objects belong to the view (default: all .parquet). */
  accept?: (key: string) => boolean;
  /** Silver and Gold training sets live in the local root, also when the lake is on S3. */
  local?: true;
}

const DATE_COL: PathColumn = { name: "date", type: "date32", pattern: /(?:^|\/)date=(\d{4}-\d{2}-\d{2})\// };
const HOUR_COL: PathColumn = { name: "hour", type: "int32", pattern: /(?:^|\/)hour=(\d{2})\// };

export const LAKE_VIEWS: readonly ViewSpec[] = [
  { name: "bronze_futures_trades", prefix: "bronze/futures/trades/", schema: FUTURES_TRADES, pathColumns: [DATE_COL, HOUR_COL] },
  { name: "bronze_futures_mbp10", prefix: "bronze/futures/mbp10/", schema: FUTURES_MBP10, pathColumns: [DATE_COL, HOUR_COL] },
  { name: "bronze_option_trades", prefix: "bronze/options/trades/", schema: OPTION_TRADES, pathColumns: [DATE_COL, HOUR_COL] },
  { name: "gold_level_signals", prefix: `${LEVEL_SIGNALS_PATH}/`, schema: LEVEL_SIGNALS, pathColumns: [DATE_COL, HOUR_COL] },
  {
    name: "silver_features",
    prefix: "silver/features/",
    // every known column: a version built without a fix's extra columns reads NULL there
    schema: SILVER_FEATURES_ALL,
    pathColumns: [{ name: "version", type: "utf8", pattern: /^silver\/features\/([^/]+)\// }, DATE_COL],
    // Only committed partitions: staging/temp directories start with '.' or '_' (§4.9).
    accept: (k) => /^silver\/features\/[A-Za-z0-9][^/]*\/date=\d{4}-\d{2}-\d{2}\/[^./][^/]*\.parquet$/.test(k),
    local: true,
  },
  {
    name: "gold_training",
    prefix: "gold/training/",
    schema: GOLD_TRAINING_PIT,
    pathColumns: [{ name: "dataset", type: "utf8", pattern: /^gold\/training\/([^/]+)\.parquet$/ }],
    // Current datasets only; history/ holds superseded copies.
    accept: (k) => /^gold\/training\/[A-Za-z0-9][^/]*\.parquet$/.test(k),
    local: true,
  },
];

/** Views whose name appears in `sql` (a word match; cheap and conservative). */
export function viewsMentioned(sql: string): ViewSpec[] {
  const lower = sql.toLowerCase();
  return LAKE_VIEWS.filter((v) => new RegExp(`\\b${v.name}\\b`).test(lower));
}

/**
 * CREATE the view on this session. Returns the number of files behind it.
 *
 * The view is a UNION ALL BY NAME of one `read_parquet` per partition (date, version,
 * dataset), each tagged with its partition values as constants. DuckDB pushes a filter
 * such as `date = DATE '2026-01-14'` into every branch, folds the constant comparison and
 * drops the other branches before opening their files, so view queries are pruned too.
 * `hour` is the UTC hour of `ts_event_ns`, which is what the partition hour is by
 * definition (§2.1); computing it keeps one branch per date instead of 24.
 */
export async function createView(s: DuckSession, files: LakeFiles, v: ViewSpec, columns: ReadonlySet<string> | null = null): Promise<number> {
  const listed = (await files.listParquet(v.prefix)).filter((f) => (v.accept ? v.accept(f.key) : true));
  const declared = new Set(v.schema.columns.map((c) => c.name));
  const extra = v.pathColumns.filter((p) => !declared.has(p.name));
  const constCols = extra.filter((p) => p.name !== "hour");
  const hourExpr = extra.some((p) => p.name === "hour")
    ? `, CAST((ts_event_ns // 3600000000000) % 24 AS INTEGER) AS ${sqlIdent("hour")}`
    : "";
  if (listed.length === 0) {
    const cols = [
      ...v.schema.columns.map((c) => `CAST(NULL AS ${DUCK_TYPE[c.type]}) AS ${sqlIdent(c.name)}`),
      ...extra.map((p) => `CAST(NULL AS ${DUCK_TYPE[p.type]}) AS ${sqlIdent(p.name)}`),
    ];
    await s.exec(`CREATE OR REPLACE TEMP VIEW ${sqlIdent(v.name)} AS SELECT ${cols.join(", ")} WHERE false`);
    return 0;
  }
  // `hour` is computed from ts_event_ns; any other name not in the schema is harmless.
  const fileColumns = columns && new Set([...columns].flatMap((c) => (c === "hour" ? ["ts_event_ns"] : [c])).filter((c) => declared.has(c)));
  // Partition → its files (key order), keyed by the literal SQL of its constant columns.
  const groups = new Map<string, LakeFile[]>();
  for (const f of listed) {
    const consts = constCols.map((p) => `${literal(p, f.key)} AS ${sqlIdent(p.name)}`).join(", ");
    const g = groups.get(consts);
    if (g) g.push(f);
    else groups.set(consts, [f]);
  }
  // A Bronze hour of many live flushes reaches DuckDB as one consolidated copy (scanPaths):
  // DuckDB's cost per file, not the rows, is what a live-shaped day would cost otherwise.
  const branches: string[] = [];
  for (const [consts, group] of groups) {
    const ps = await files.scanPaths(group, fileColumns);
    branches.push(`SELECT *${consts ? ", " + consts : ""} FROM read_parquet([${ps.map(sqlString).join(", ")}], ${READ_OPTS})`);
  }
  const union = branches.join("\nUNION ALL BY NAME\n");
  const types = new Map((await s.describe(`SELECT * FROM (${union})`)).map((c) => [c.name, c.type]));
  const sql = [
    `CREATE OR REPLACE TEMP VIEW ${sqlIdent(v.name)} AS`,
    `SELECT ${projection(v.schema, types).join(", ")}${constCols.map((p) => `, ${sqlIdent(p.name)}`).join("")}${hourExpr}`,
    `FROM (${union}) u`,
  ].join("\n");
  await s.exec(sql);
  return listed.length;
}

/** The SQL literal of a path column's value for one object key (NULL if the key lacks it). */
function literal(p: PathColumn, key: string): string {
  const m = p.pattern.exec(key);
  if (!m) return `CAST(NULL AS ${DUCK_TYPE[p.type]})`;
  if (p.type === "date32") return `DATE ${sqlString(m[1]!)}`;
  if (p.type === "int32") return `CAST(${Number(m[1])} AS INTEGER)`;
  return sqlString(m[1]!);
}

/**
 * Register every view the SQL mentions; returns name → file count. `local` holds Silver and
 * Gold training sets when they are not beside Bronze (the lake on S3, contracts §7).
 */
export async function registerViews(s: DuckSession, files: LakeFiles, sql: string, local: LakeFiles = files): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const views = viewsMentioned(sql);
  // Which columns the SQL can touch, from DuckDB's parse tree: on S3 only those are fetched.
  const columns = views.length > 0 ? await sqlColumns(s, sql) : null;
  for (const v of views) out.set(v.name, await createView(s, v.local ? local : files, v, columns));
  return out;
}

/** Column names the statement references (null: `*`, or not parseable as one statement). */
async function sqlColumns(s: DuckSession, sql: string): Promise<Set<string> | null> {
  try {
    const f = await s.query(`SELECT CAST(json_serialize_sql(${sqlString(sql)}) AS VARCHAR) AS tree`);
    const tree = JSON.parse(f.values<(string | null)[]>("tree")[0] ?? "null") as { error?: boolean } | null;
    if (!tree || tree.error) return null;
    return columnsOfParseTree(tree);
  } catch {
    return null;
  }
}
