/**
 * Data quality of Bronze per date and table (`lake bronze dates --stats`, the report):
 * rows, first/last event time, contracts, the largest gap between events inside RTH,
 * exact duplicate rows, and messages quarantined for that date.
 */
import { BRONZE_TABLES, type BronzeTable } from "../schemas/bronze";
import { rthWindow } from "../core/time/es-calendar";
import { duckQuery } from "./duck";
import { LakeFiles, type LakeLocation } from "./lake-files";
import { READ_OPTS } from "./scan";

export interface BronzeDayStats {
  date: string;
  table: string;
  files: number;
  rows: number;
  first_ts_ns: bigint | null;
  last_ts_ns: bigint | null;
  contracts: string[];
  /** longest stretch without an event inside RTH (window edges count), ns; null outside a weekday */
  largest_rth_gap_ns: bigint | null;
  /** rows identical in every column to an earlier row */
  exact_duplicates: number;
  quarantined: number;
}

export function tablePrefix(t: BronzeTable): string {
  return `bronze/${t.schemaPath}/${t.partitionKey}=ES`;
}

const sqlList = (paths: readonly string[]) => `[${paths.map((p) => `'${p.replaceAll("'", "''")}'`).join(", ")}]`;

/** Stats of one table on one date, from its Parquet files. */
export async function tableDayStats(files: LakeFiles, t: BronzeTable, date: string): Promise<BronzeDayStats> {
  const list = await files.listParquet(`${tablePrefix(t)}/date=${date}/`);
  const quarantined = await quarantinedCount(files, t, date);
  const base: BronzeDayStats = { date, table: t.key, files: list.length, rows: 0, first_ts_ns: null, last_ts_ns: null, contracts: [], largest_rth_gap_ns: null, exact_duplicates: 0, quarantined };
  if (!list.length) return base;
  const paths = await files.localPaths(list);
  const src = `read_parquet(${sqlList(paths)}, ${READ_OPTS})`;
  const contractCol = t.partitionKey === "symbol" ? "symbol" : "option_symbol";
  const rth = rthWindow(date);
  const f = await duckQuery(`
    with t as (select * from ${src}),
    edges as (
      select ts_event_ns from t where ${rth ? `ts_event_ns between ${rth.startNs} and ${rth.endNs}` : "false"}
      ${rth ? `union all select ${rth.startNs}::bigint union all select ${rth.endNs}::bigint` : ""}
    ),
    gaps as (select ts_event_ns - lag(ts_event_ns) over (order by ts_event_ns) g from edges)
    select
      (select count(*) from t) as n_rows,
      (select min(ts_event_ns) from t) as first_ts,
      (select max(ts_event_ns) from t) as last_ts,
      (select string_agg(distinct ${contractCol}, ',' order by ${contractCol}) from t) as contracts,
      (select max(g) from gaps) as gap,
      (select count(*) from t) - (select count(*) from (select distinct * from t)) as dups`);
  const v = (c: string) => (f.column(c).values as ArrayLike<unknown>)[0];
  const big = (x: unknown) => (x === null || x === undefined ? null : BigInt(x as bigint));
  const contracts = (v("contracts") as string | null) ?? "";
  return {
    ...base,
    rows: Number(v("n_rows")),
    first_ts_ns: big(v("first_ts")),
    last_ts_ns: big(v("last_ts")),
    contracts: t.partitionKey === "symbol" ? contracts.split(",").filter(Boolean) : [...new Set(contracts.split(",").filter(Boolean).map((s) => s.split(" ")[0]!))],
    largest_rth_gap_ns: rth ? big(v("gap")) : null,
    exact_duplicates: Number(v("dups")),
  };
}

/** Lines in `_quarantine/{table}/date=D/*.ndjson` (one quarantined message per line). */
async function quarantinedCount(files: LakeFiles, t: BronzeTable, date: string): Promise<number> {
  const objs = await files.store.list(`_quarantine/${t.key}/date=${date}/`);
  let n = 0;
  for (const o of objs) {
    if (!o.key.endsWith(".ndjson")) continue;
    const text = new TextDecoder().decode(await files.store.get(o.key));
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  }
  return n;
}

/** Every (date, table) of the lake, or only `dates`; tables in contract order. */
export async function bronzeStats(location: LakeLocation, dates?: readonly string[]): Promise<BronzeDayStats[]> {
  const files = new LakeFiles(location);
  using _held = files.hold();
  const all = new Set<string>(dates ?? []);
  if (!dates) for (const t of BRONZE_TABLES) for (const d of await files.availableDates(tablePrefix(t))) all.add(d);
  const out: BronzeDayStats[] = [];
  for (const d of [...all].sort()) for (const t of BRONZE_TABLES) out.push(await tableDayStats(files, t, d));
  return out;
}
