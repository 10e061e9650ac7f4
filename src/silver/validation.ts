/**
 * Build-summary statistics (contracts §4.4 step 5, §4.5): null rates per non-identity
 * column, validation metrics for the manifest, `validation.json`, and the portable
 * schema hash. Null counts are summed per date inside the workers, so the whole version
 * never has to be concatenated in memory.
 */
import { createHash } from "node:crypto";
import { isNullAt, type Frame } from "../frame";
import { IDENTITY_COLUMNS, schemaSignature } from "../schemas/silver";
import type { ColumnDef } from "../schemas/types";
import type { ValidationMetrics } from "./manifest";

const IDENTITY = new Set(IDENTITY_COLUMNS);

/** Null count per column. NaN in a float column counts as null (the files store NaN as null). */
export function nullCounts(frame: Frame): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of frame.columns) {
    let n = 0;
    if (c.type === "float64") {
      const v = c.values as Float64Array;
      for (let i = 0; i < frame.numRows; i++) if ((c.valid && c.valid[i] === 0) || Number.isNaN(v[i]!)) n++;
    } else if (c.valid || c.type === "utf8" || c.type === "list_int16") {
      for (let i = 0; i < frame.numRows; i++) if (isNullAt(c, i)) n++;
    }
    out[c.name] = n;
  }
  return out;
}

/**
 * Portable schema hash (§4.5, documented as a new algorithm): MD5 hex of
 * `schemaSignature(columns)` — `name:arrowType` pairs joined by `,`. Not comparable with
 * the predecessor's Python-specific hashes.
 */
export function schemaHash(cols: readonly ColumnDef[]): string {
  return createHash("md5").update(schemaSignature(cols), "utf8").digest("hex");
}

export function buildValidation(args: {
  datesProcessed: string[];
  totalRows: number;
  featureCount: number;
  columns: readonly ColumnDef[];
  nullCountTotals: Record<string, number>;
}): ValidationMetrics {
  const sorted = [...args.datesProcessed].sort();
  const null_rates: Record<string, number> = {};
  for (const c of args.columns) {
    if (IDENTITY.has(c.name)) continue;
    null_rates[c.name] = args.totalRows ? (args.nullCountTotals[c.name] ?? 0) / args.totalRows : 0;
  }
  return {
    date_range: { start: sorted[0] ?? "", end: sorted[sorted.length - 1] ?? "" },
    signal_count: args.totalRows,
    feature_count: args.featureCount,
    null_rates,
    schema_hash: schemaHash(args.columns),
  };
}

/** `validation.json` (§4.5), 2-space indent; high-null = strictly > 0.1, in column order. */
export function validationJson(v: ValidationMetrics): string {
  const rates = Object.values(v.null_rates);
  const mean = rates.length ? rates.reduce((s, x) => s + x, 0) / rates.length : 0;
  const max = rates.length ? Math.max(...rates) : 0;
  return (
    JSON.stringify(
      {
        date_range: v.date_range,
        signal_count: v.signal_count,
        feature_count: v.feature_count,
        null_rates_summary: {
          mean,
          max,
          high_null_features: Object.entries(v.null_rates)
            .filter(([, r]) => r > 0.1)
            .map(([k]) => k),
        },
      },
      null,
      2,
    ) + "\n"
  );
}
