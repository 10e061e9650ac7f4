/**
 * validateDataset (contracts §5.5, §9 G-8, issue 9 §2): the predecessor's report plus a
 * list of checks, each pass/fail with the numbers behind it. A dataset is trusted only if
 * every check passes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LakeError } from "../errors";
import { isNullAt, type Frame } from "../frame";
import { TS_MAX_NS, TS_MIN_NS } from "../schemas/bronze";
import { GOLD_TRAINING, IDENTITY_COLUMNS, LABEL_COLUMNS } from "../schemas/silver";
import { sha256Bytes } from "../silver/lineage";
import type { GoldCurator } from "./curator";
import { nullCounts } from "../silver/validation";
import { dateRange } from "../silver/names";

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

const PRICE_COLUMNS = ["level_price", "entry_price", "spot", ...LABEL_COLUMNS.filter((c) => /^(anchor_spot|future_price)/.test(c))];
const SCHEMA = new Map(GOLD_TRAINING.columns.map((c, i) => [c.name, { def: c, i }]));
const IDENTITY = new Set(IDENTITY_COLUMNS);
const LABELS = new Set(LABEL_COLUMNS);

const check = (name: string, pass: boolean, detail: string, numbers: Record<string, unknown> = {}): Check => ({ name, pass, detail, numbers });

export async function validateDataset(curator: GoldCurator, name: string, opts: ValidateOptions = {}) {
  const { path } = curator.resolveDataset(name);
  if (!existsSync(path)) throw new LakeError(`Gold training dataset '${name}' not found`);
  const meta = curator.getDatasetMetadata(name);
  const checks: Check[] = [];

  // 1. file exists and hash matches metadata (read once: hashed here, decoded below)
  const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
  const sha = sha256Bytes(bytes);
  const want = meta?.lineage?.sha256 ?? null;
  checks.push(check("file_hash", want !== null && sha === want, want === null ? "metadata has no recorded sha256" : sha === want ? "sha256 matches metadata" : "sha256 differs from metadata", { actual: sha, expected: want }));

  let df: Frame;
  try {
    const { decodeParquet } = await import("../parquet");
    df = await decodeParquet(bytes);
  } catch (e) {
    checks.push(check("readable", false, `cannot decode: ${(e as Error).message}`));
    return finish(name, null, meta, checks);
  }
  const n = df.numRows;

  // 2. schema: names known, in schema order, schema types; recorded column list unchanged
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
  checks.push(check("schema", problems.length === 0, problems.length ? problems.slice(0, 5).join("; ") : `${df.columns.length} columns match ${GOLD_TRAINING.name}`, { columns: df.columns.length, problems: problems.length }));

  // 3. row count
  const expected = meta?.signal_count ?? null;
  checks.push(check("row_count", expected === n, expected === null ? "no metadata" : `${n} rows, metadata says ${expected}`, { actual: n, expected }));

  // 4. unique event_id
  if (df.has("event_id")) {
    const ids = df.values<(string | null)[]>("event_id");
    const seen = new Set<string | null>();
    let dups = 0;
    for (const id of ids) (seen.has(id) ? dups++ : seen.add(id));
    checks.push(check("unique_event_id", dups === 0, `${dups} duplicate event_id values`, { duplicates: dups }));
  } else checks.push(check("unique_event_id", false, "no event_id column"));

  // 5. sorted by (ts_ns, event_id) and within the recorded dates
  if (df.has("ts_ns")) {
    const ts = df.values<BigInt64Array>("ts_ns");
    const ids = df.has("event_id") ? df.values<(string | null)[]>("event_id") : null;
    let unsorted = 0;
    for (let i = 1; i < n; i++) if (ts[i]! < ts[i - 1]! || (ts[i] === ts[i - 1] && ids && (ids[i] ?? "") < (ids[i - 1] ?? ""))) unsorted++;
    checks.push(check("sorted", unsorted === 0, `${unsorted} rows out of (ts_ns, event_id) order`, { out_of_order: unsorted }));
    // predecessor metadata has no lineage: fall back to its date_range (every calendar day in it)
    const dates: string[] = meta?.lineage?.dates ?? (meta?.date_range?.start && meta?.date_range?.end ? dateRange(meta.date_range.start, meta.date_range.end) : []);
    const allowed = new Set(dates);
    let outside = 0;
    const dcol = df.has("date") ? df.values<(string | null)[]>("date") : null;
    for (let i = 0; i < n; i++) {
      const utc = new Date(Number(ts[i]! / 1_000_000n)).toISOString().slice(0, 10);
      if (!allowed.has(utc) || (dcol && !allowed.has(dcol[i] ?? ""))) outside++;
    }
    checks.push(check("within_dates", dates.length > 0 && outside === 0, `${outside} rows outside the recorded dates ${dates.join(",") || "(none recorded)"}`, { outside, dates }));
  } else checks.push(check("sorted", false, "no ts_ns column"));

  // 6. null rates against thresholds
  const maxNull = opts.maxNullRate ?? 0.5;
  const nulls = nullCounts(df);
  const over: string[] = [];
  for (const c of df.columns) {
    const s = SCHEMA.get(c.name);
    const rate = n ? nulls[c.name]! / n : 0;
    const limit = IDENTITY.has(c.name) ? 0 : s?.def.nullable || LABELS.has(c.name) ? 1 : maxNull;
    if (rate > limit) over.push(`${c.name}=${rate.toFixed(3)}>${limit}`);
  }
  checks.push(check("null_rates", over.length === 0, over.length ? over.slice(0, 5).join(", ") : `every column within its null threshold (features ≤ ${maxNull}, identity 0)`, { over_threshold: over.length }));

  // 7. label distribution
  const dist = labelDistribution(df);
  const required = opts.requiredClasses ?? ["BREAK", "BOUNCE", "CHOP"];
  const missing = required.filter((c) => !dist[c]);
  const maxShare = opts.maxClassShare ?? 0.8;
  // shares among labelled rows: UNDEFINED means "no label" (es-pipeline §9), not a class to balance
  const labelled = Object.entries(dist).filter(([k]) => k !== "UNDEFINED");
  const labelledN = labelled.reduce((s, [, v]) => s + v, 0);
  const top = labelled[0];
  const topShare = labelledN && top ? top[1] / labelledN : 0;
  const undefinedShare = n ? (dist.UNDEFINED ?? 0) / n : 0;
  checks.push(
    check(
      "label_distribution",
      df.has("outcome") && missing.length === 0 && topShare <= maxShare,
      !df.has("outcome")
        ? "no outcome column"
        : missing.length
          ? `missing class(es) ${missing.join(", ")}`
          : `largest class ${top![0]} ${(topShare * 100).toFixed(1)}% of labelled rows (limit ${maxShare * 100}%); UNDEFINED ${(undefinedShare * 100).toFixed(1)}% of all`,
      { distribution: dist, largest_share: topShare, undefined_share: undefinedShare, missing },
    ),
  );

  // 8. value ranges for prices and times
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
  checks.push(check("value_ranges", bad.length === 0, bad.length ? bad.join("; ") : "prices and times in range", { problems: bad.length }));

  // 9. traceable to the Silver version (stale if Silver changed since promotion)
  checks.push(await traceability(curator, df, meta));

  return finish(name, df, meta, checks, nulls);
}

async function traceability(curator: GoldCurator, df: Frame, meta: Record<string, any> | null): Promise<Check> {
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

function labelDistribution(df: Frame): Record<string, number> {
  if (!df.has("outcome")) return {};
  const counts = new Map<string, number>();
  for (const o of df.values<(string | null)[]>("outcome")) if (o !== null) counts.set(o, (counts.get(o) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

function finish(name: string, df: Frame | null, meta: Record<string, any> | null, checks: Check[], nulls?: Record<string, number>) {
  const n = df?.numRows ?? 0;
  const perDate: Record<string, number> = {};
  if (df?.has("date")) for (const d of df.values<(string | null)[]>("date")) if (d) perDate[d] = (perDate[d] ?? 0) + 1;
  const keys = Object.keys(perDate).sort();
  return {
    dataset_name: name,
    row_count: n,
    column_count: df?.columns.length ?? 0,
    null_summary: {
      total_nulls: nulls ? Object.values(nulls).reduce((s, x) => s + x, 0) : 0,
      high_null_columns: nulls && n ? Object.entries(nulls).filter(([, k]) => k / n > 0.1).map(([c]) => c) : [],
    },
    label_distribution: df ? labelDistribution(df) : {},
    date_coverage: keys.length
      ? { start_date: keys[0]!, end_date: keys[keys.length - 1]!, unique_dates: keys.length, signals_per_date: Object.fromEntries(keys.map((k) => [k, perDate[k]!])) }
      : {},
    ...(meta ? { metadata_match: { signal_count_match: meta.signal_count === n, expected_count: meta.signal_count, actual_count: n } } : {}),
    checks,
    ok: checks.every((c) => c.pass),
  };
}

export type ValidationReport = Awaited<ReturnType<typeof validateDataset>>;
