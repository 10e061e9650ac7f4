/**
 * Which columns a version keeps (contracts §4.4 b) and the schema they are checked
 * against (§9 S-5: validate against the schema subset and fail loudly).
 */
import { LakeError } from "../errors";
import { Frame, castColumn } from "../frame";
import { FEATURE_COLUMNS, IDENTITY_COLUMNS, LABEL_COLUMNS, SILVER_FEATURES_ALL } from "../schemas/silver";
import type { ColumnDef, TableSchema } from "../schemas/types";
import type { FeatureManifest } from "./manifest";

/** Every column a manifest may name: the 182 and the columns a fix switch adds (D-5, D-32). */
const SCHEMA_DEFS = new Map(SILVER_FEATURES_ALL.columns.map((c) => [c.name, c]));

/**
 * The feature columns of a manifest: group columns in group/column order that exist in the
 * Silver schema, de-duplicated (first occurrence). If none exist, the 108 features of the 182 —
 * the predecessor's fallback, kept for compatibility but reported by `fellBack`.
 */
export function selectedFeatures(m: FeatureManifest): { features: string[]; fellBack: boolean } {
  const seen = new Set<string>();
  const features: string[] = [];
  for (const g of m.feature_groups) {
    for (const c of g.columns) {
      if (SCHEMA_DEFS.has(c) && !seen.has(c) && !IDENTITY_COLUMNS.includes(c) && !LABEL_COLUMNS.includes(c)) {
        seen.add(c);
        features.push(c);
      }
    }
  }
  if (features.length === 0) return { features: [...FEATURE_COLUMNS], fellBack: true };
  return { features, fellBack: false };
}

/** identity ++ features ++ labels, in that order (before restricting to produced columns). */
export function versionColumns(m: FeatureManifest): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of [...IDENTITY_COLUMNS, ...selectedFeatures(m).features, ...LABEL_COLUMNS]) {
    if (!seen.has(c)) {
      seen.add(c);
      out.push(c);
    }
  }
  return out;
}

/** A TableSchema for a subset of Silver columns (same name/metadata; Parquet encoding enforces it). */
export function subsetSchema(names: readonly string[], base: TableSchema): TableSchema {
  const defs = new Map(base.columns.map((c) => [c.name, c]));
  const columns: ColumnDef[] = names.map((n) => {
    const d = defs.get(n);
    if (!d) throw new LakeError(`column "${n}" is not in schema ${base.name}`);
    return d;
  });
  return { ...base, columns };
}

/**
 * Keep the version's columns that the pipeline produced, in version order, each with its
 * type in `base` (the run's Silver schema, `silverSchemaFor(fixes)`; its name and metadata go
 * into the file) (integer widths are cast; any other mismatch is an error naming the column).
 */
export function projectToVersion(frame: Frame, m: FeatureManifest, base: TableSchema): { frame: Frame; schema: TableSchema; missing: string[] } {
  const wanted = versionColumns(m);
  const keep = wanted.filter((n) => frame.has(n));
  const missing = wanted.filter((n) => !frame.has(n));
  const cols = keep.map((n) => {
    const c = frame.column(n);
    const d = base.columns.find((x) => x.name === n);
    if (!d) throw new LakeError(`pipeline produced column "${n}", which schema ${base.name} does not have`);
    const intLike = (t: string) => t === "int8" || t === "int16" || t === "int32" || t === "int64";
    if (c.type === d.type || (intLike(c.type) && (intLike(d.type) || d.type === "float64")) || (c.type === "int64" && d.type === "timestamp_ns")) {
      return castColumn(c, d.type);
    }
    throw new LakeError(`pipeline produced column "${n}" as ${c.type}, schema ${base.name} says ${d.type}`);
  });
  return { frame: new Frame(cols, frame.numRows), schema: subsetSchema(keep, base), missing };
}
