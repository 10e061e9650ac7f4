/**
 * The checks `lake gold validate` runs on a decoded training dataset, as a table: each
 * entry looks at one property and returns a Check with the numbers behind its verdict (or
 * null when it does not apply, e.g. date bounds without a ts_ns column). Order = report order.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isNullAt, type Frame } from "../frame";
import { TS_MAX_NS, TS_MIN_NS } from "../schemas/bronze";
import { GOLD_TRAINING_PIT, IDENTITY_COLUMNS, LABEL_COLUMNS, trainingSchemaHolding } from "../schemas/silver";
import { sha256Bytes } from "../silver/lineage";
import { dateRange } from "../core/validate";
import type { GoldCurator } from "./curator";

export interface ValidateOptions {
  /** max null fraction for feature columns that the schema declares non-nullable (default 0.5) */
  maxNullRate?: number;
  /** max share of one outcome class (default 0.8) */
  maxClassShare?: number;
  /** outcome classes that must be present */
  requiredClasses?: string[];
  /** plausible ES price range in points (default 1000–20000) */
  priceRange?: [number, number];
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
  numbers: Record<string, unknown>;
}

/** What every check may look at: the decoded dataset, its metadata and the options. */
export interface DatasetUnderTest {
  readonly df: Frame;
  readonly meta: Record<string, any> | null;
  readonly opts: ValidateOptions;
  readonly curator: GoldCurator;
  /** null count per column (computed once; also in the report) */
  readonly nulls: Record<string, number>;
}

type CheckFn = (d: DatasetUnderTest) => Check | null | Promise<Check | null>;

const PRICE_COLUMNS = ["level_price", "entry_price", "spot", ...LABEL_COLUMNS.filter((c) => /^(anchor_spot|future_price)/.test(c))];
/** Every known training column (the 182 then the fix-added ones: the 182's order is kept). */
const SCHEMA = new Map(GOLD_TRAINING_PIT.columns.map((c, i) => [c.name, { def: c, i }]));
const IDENTITY = new Set(IDENTITY_COLUMNS);
const LABELS = new Set(LABEL_COLUMNS);

export const check = (name: string, pass: boolean, detail: string, numbers: Record<string, unknown> = {}): Check => ({ name, pass, detail, numbers });

/** The file's bytes hash to the sha256 recorded at promotion. */
export function fileHashCheck(bytes: Uint8Array, meta: Record<string, any> | null): Check {
  const sha = sha256Bytes(bytes);
  const want = meta?.lineage?.sha256 ?? null;
  const detail = want === null ? "metadata has no recorded sha256" : sha === want ? "sha256 matches metadata" : "sha256 differs from metadata";
  return check("file_hash", want !== null && sha === want, detail, { actual: sha, expected: want });
}

/** Names known, in schema order, schema types; the recorded column list unchanged. */
function schemaCheck({ df, meta }: DatasetUnderTest): Check {
  const problems: string[] = [];
  let last = -1;
  for (const c of df.columns) {
    const s = SCHEMA.get(c.name);
    if (!s) problems.push(`unknown column ${c.name}`);
    else {
      if (s.i < last) problems.push(`${c.name} out of order`);
      last = Math.max(last, s.i);
      if (s.def.type !== c.type) problems.push(`${c.name} is ${c.type}, expected ${s.def.type}`);
    }
  }
  const recorded: string[] | undefined = meta?.lineage?.columns;
  if (recorded && recorded.join() !== df.columnNames.join()) problems.push(`columns differ from metadata (${recorded.length} recorded, ${df.columns.length} found)`);
  const detail = problems.length ? problems.slice(0, 5).join("; ") : `${df.columns.length} columns match ${trainingSchemaHolding(df.columnNames)!.name}`;
  return check("schema", problems.length === 0, detail, { columns: df.columns.length, problems: problems.length });
}

function rowCountCheck({ df, meta }: DatasetUnderTest): Check {
  const n = df.numRows;
  const expected = meta?.signal_count ?? null;
  return check("row_count", expected === n, expected === null ? "no metadata" : `${n} rows, metadata says ${expected}`, { actual: n, expected });
}

function uniqueEventIdCheck({ df }: DatasetUnderTest): Check {
  if (!df.has("event_id")) return check("unique_event_id", false, "no event_id column");
  const seen = new Set<string | null>();
  let dups = 0;
  for (const id of df.values<(string | null)[]>("event_id")) (seen.has(id) ? dups++ : seen.add(id));
  return check("unique_event_id", dups === 0, `${dups} duplicate event_id values`, { duplicates: dups });
}

/** Rows in (ts_ns, event_id) order. */
function sortedCheck({ df }: DatasetUnderTest): Check {
  if (!df.has("ts_ns")) return check("sorted", false, "no ts_ns column");
  const ts = df.values<BigInt64Array>("ts_ns");
  const ids = df.has("event_id") ? df.values<(string | null)[]>("event_id") : null;
  let unsorted = 0;
  for (let i = 1; i < df.numRows; i++) if (ts[i]! < ts[i - 1]! || (ts[i] === ts[i - 1] && ids && (ids[i] ?? "") < (ids[i - 1] ?? ""))) unsorted++;
  return check("sorted", unsorted === 0, `${unsorted} rows out of (ts_ns, event_id) order`, { out_of_order: unsorted });
}

/** Every row's UTC day (and `date` column) within the recorded dates. */
function withinDatesCheck({ df, meta }: DatasetUnderTest): Check | null {
  if (!df.has("ts_ns")) return null; // reported by "sorted"
  const ts = df.values<BigInt64Array>("ts_ns");
  // predecessor metadata has no lineage: fall back to its date_range (every calendar day in it)
  const dates: string[] = meta?.lineage?.dates ?? (meta?.date_range?.start && meta?.date_range?.end ? dateRange(meta.date_range.start, meta.date_range.end) : []);
  const allowed = new Set(dates);
  const dcol = df.has("date") ? df.values<(string | null)[]>("date") : null;
  let outside = 0;
  for (let i = 0; i < df.numRows; i++) {
    const utc = new Date(Number(ts[i]! / 1_000_000n)).toISOString().slice(0, 10);
    if (!allowed.has(utc) || (dcol && !allowed.has(dcol[i] ?? ""))) outside++;
  }
  return check("within_dates", dates.length > 0 && outside === 0, `${outside} rows outside the recorded dates ${dates.join(",") || "(none recorded)"}`, { outside, dates });
}

/** Null rates against thresholds: identity columns none, nullable and label columns any, features ≤ maxNullRate. */
function nullRatesCheck({ df, opts, nulls }: DatasetUnderTest): Check {
  const n = df.numRows;
  const maxNull = opts.maxNullRate ?? 0.5;
  const over: string[] = [];
  for (const c of df.columns) {
    const s = SCHEMA.get(c.name);
    const rate = n ? nulls[c.name]! / n : 0;
    const limit = IDENTITY.has(c.name) ? 0 : s?.def.nullable || LABELS.has(c.name) ? 1 : maxNull;
    if (rate > limit) over.push(`${c.name}=${rate.toFixed(3)}>${limit}`);
  }
  const detail = over.length ? over.slice(0, 5).join(", ") : `every column within its null threshold (features ≤ ${maxNull}, identity 0)`;
  return check("null_rates", over.length === 0, detail, { over_threshold: over.length });
}

/** Required classes present; no labelled class above maxClassShare (UNDEFINED means "no label", es-pipeline §9). */
function labelDistributionCheck({ df, opts }: DatasetUnderTest): Check {
  const n = df.numRows;
  const dist = labelDistribution(df);
  const missing = (opts.requiredClasses ?? ["BREAK", "BOUNCE", "CHOP"]).filter((c) => !dist[c]);
  const maxShare = opts.maxClassShare ?? 0.8;
  const labelled = Object.entries(dist).filter(([k]) => k !== "UNDEFINED");
  const labelledN = labelled.reduce((s, [, v]) => s + v, 0);
  const top = labelled[0];
  const topShare = labelledN && top ? top[1] / labelledN : 0;
  const undefinedShare = n ? (dist.UNDEFINED ?? 0) / n : 0;
  const detail = !df.has("outcome")
    ? "no outcome column"
    : missing.length
      ? `missing class(es) ${missing.join(", ")}`
      : `largest class ${top![0]} ${(topShare * 100).toFixed(1)}% of labelled rows (limit ${maxShare * 100}%); UNDEFINED ${(undefinedShare * 100).toFixed(1)}% of all`;
  const pass = df.has("outcome") && missing.length === 0 && topShare <= maxShare;
  return check("label_distribution", pass, detail, { distribution: dist, largest_share: topShare, undefined_share: undefinedShare, missing });
}

/** Prices within the plausible ES range; times within 2000..2100 and `timestamp` = `ts_ns`. */
function valueRangesCheck({ df, opts }: DatasetUnderTest): Check {
  const n = df.numRows;
  const [lo, hi] = opts.priceRange ?? [1000, 20000];
  const bad: string[] = [];
  for (const c of PRICE_COLUMNS) {
    if (!df.has(c)) continue;
    const col = df.column(c);
    const v = col.values as Float64Array;
    let k = 0;
    for (let i = 0; i < n; i++) if (!isNullAt(col, i) && !Number.isNaN(v[i]!) && (v[i]! < lo || v[i]! > hi)) k++;
    if (k) bad.push(`${c}: ${k} outside [${lo}, ${hi}]`);
  }
  if (df.has("ts_ns")) {
    const ts = df.values<BigInt64Array>("ts_ns");
    let k = 0;
    for (let i = 0; i < n; i++) if (ts[i]! < TS_MIN_NS || ts[i]! > TS_MAX_NS) k++;
    if (k) bad.push(`ts_ns: ${k} outside 2000..2100`);
    if (df.has("timestamp")) {
      const t2 = df.values<BigInt64Array>("timestamp");
      let m = 0;
      for (let i = 0; i < n; i++) if (t2[i] !== ts[i]) m++;
      if (m) bad.push(`timestamp: ${m} rows differ from ts_ns`);
    }
  }
  return check("value_ranges", bad.length === 0, bad.length ? bad.join("; ") : "prices and times in range", { problems: bad.length });
}

/** Traceable to the Silver version it was promoted from (stale if Silver changed since). */
async function silverLineageCheck({ df, meta, curator }: DatasetUnderTest): Promise<Check> {
  const v: string | undefined = meta?.silver_version;
  if (!v) return check("silver_lineage", false, "metadata names no Silver version");
  const mpath = join(curator.silver.featuresDir, v, "manifest.yaml");
  if (!existsSync(mpath)) return check("silver_lineage", false, `Silver version ${v} no longer exists`, { silver_version: v });
  const now = sha256Bytes(readFileSync(mpath));
  const then = meta?.lineage?.silver_manifest_sha256;
  if (then && now !== then) return check("silver_lineage", false, `stale: Silver ${v} was rebuilt since promotion (manifest hash changed)`, { silver_version: v, recorded: then, current: now });
  const silver = await curator.silver.loadFeatures(v, meta?.lineage?.dates);
  const ids = new Set(silver.has("event_id") ? silver.values<(string | null)[]>("event_id") : []);
  let untraced = 0;
  if (df.has("event_id")) for (const id of df.values<(string | null)[]>("event_id")) if (!ids.has(id)) untraced++;
  return check("silver_lineage", untraced === 0 && df.has("event_id"), `${untraced} rows not found in Silver ${v}`, { silver_version: v, untraced, silver_rows: silver.numRows });
}

/** The checks on a decoded dataset, in report order (after file_hash, which needs only the bytes). */
export const DATASET_CHECKS: readonly CheckFn[] = [
  schemaCheck,
  rowCountCheck,
  uniqueEventIdCheck,
  sortedCheck,
  withinDatesCheck,
  nullRatesCheck,
  labelDistributionCheck,
  valueRangesCheck,
  silverLineageCheck,
];

/** Outcome counts, largest first (ties by name). */
export function labelDistribution(df: Frame): Record<string, number> {
  if (!df.has("outcome")) return {};
  const counts = new Map<string, number>();
  for (const o of df.values<(string | null)[]>("outcome")) if (o !== null) counts.set(o, (counts.get(o) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}
