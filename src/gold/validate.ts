/**
 * validateDataset (contracts §5.5, §9 G-8): the predecessor's report plus a list of checks
 * (dataset-checks.ts), each pass/fail with the numbers behind it. A dataset is trusted only
 * if every check passes.
 */
import { existsSync } from "node:fs";
import { LakeError } from "../errors";
import type { Frame } from "../frame";
import { nullCounts } from "../silver/validation";
import type { GoldCurator } from "./curator";
import { check, DATASET_CHECKS, fileHashCheck, labelDistribution, type Check, type ValidateOptions } from "./dataset-checks";

export type { Check, ValidateOptions } from "./dataset-checks";

export async function validateDataset(curator: GoldCurator, name: string, opts: ValidateOptions = {}) {
  const { path } = curator.resolveDataset(name);
  if (!existsSync(path)) throw new LakeError(`Gold training dataset '${name}' not found`);
  const meta = curator.getDatasetMetadata(name);
  // read once: hashed here, decoded below
  const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
  const checks: Check[] = [fileHashCheck(bytes, meta)];
  let df: Frame;
  try {
    const { decodeParquet } = await import("../parquet");
    df = await decodeParquet(bytes);
  } catch (e) {
    checks.push(check("readable", false, `cannot decode: ${(e as Error).message}`));
    return report(name, null, meta, checks);
  }
  const subject = { df, meta, opts, curator, nulls: nullCounts(df) };
  for (const run of DATASET_CHECKS) {
    const c = await run(subject);
    if (c) checks.push(c);
  }
  return report(name, df, meta, checks, subject.nulls);
}

/** The predecessor's report fields, then the checks and the verdict. */
function report(name: string, df: Frame | null, meta: Record<string, any> | null, checks: Check[], nulls?: Record<string, number>) {
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
