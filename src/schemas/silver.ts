/**
 * Silver features / Gold training: 182 columns (contracts Appendix A, es-pipeline §12).
 * Derived from silver-columns.json, a verbatim copy of shared/spec/silver-columns.json
 * (test/schemas checks the copy against the spec when the spec is present).
 */
import spec from "./silver-columns.json";
import { arrowTypeName, type ColumnDef, type ColumnType, type TableSchema } from "./types";

interface SpecColumn {
  name: string;
  type: string;
  nullable: boolean;
  group: string;
  description: string;
  stage: string;
}

const SPEC_TYPES: Record<string, ColumnType> = {
  string: "utf8",
  int64: "int64",
  int32: "int32",
  int8: "int8",
  float64: "float64",
  bool: "bool",
  timestamp_ns: "timestamp_ns",
};

export const SILVER_COLUMN_SPECS: readonly SpecColumn[] = spec as SpecColumn[];

const columns: ColumnDef[] = SILVER_COLUMN_SPECS.map((c) => {
  const type = SPEC_TYPES[c.type];
  if (!type) throw new Error(`silver-columns.json: unknown type "${c.type}" for ${c.name}`);
  return { name: c.name, type, nullable: c.nullable };
});

export const SILVER_FEATURES: TableSchema = {
  name: "features.es_pipeline.v1",
  tier: "silver",
  sortKey: ["ts_ns", "event_id"],
  columns,
  metadata: { pipeline: "es_pipeline", pipeline_version: "2.0.0", total_columns: String(columns.length) },
};

export const GOLD_TRAINING: TableSchema = {
  name: "training.es_pipeline.v1",
  tier: "gold",
  sortKey: ["ts_ns", "event_id"],
  columns,
  metadata: {
    source: "silver/features/es_pipeline/",
    quality_gates: "front_month_purity,causality,rth_only,non_null_coverage",
  },
};

export const IDENTITY_COLUMNS = SILVER_COLUMN_SPECS.filter((c) => c.group === "identity").map((c) => c.name);
export const LABEL_COLUMNS = SILVER_COLUMN_SPECS.filter((c) => c.group === "label").map((c) => c.name);
export const FEATURE_COLUMNS = SILVER_COLUMN_SPECS.filter((c) => c.group !== "identity" && c.group !== "label").map(
  (c) => c.name,
);

/** Portable schema hash input (contracts §4.5): `name:arrowType` pairs joined by `,`. */
export function schemaSignature(cols: readonly ColumnDef[]): string {
  return cols.map((c) => `${c.name}:${arrowTypeName(c.type)}`).join(",");
}
