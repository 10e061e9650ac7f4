/**
 * Silver features / Gold training (contracts Appendix A, es-pipeline §12). The one source
 * of every Silver column: `silver-columns.json` holds the 182 columns of
 * `features.es_pipeline.v1` (name, type, nullability, feature group, producing stage,
 * meaning; test/schemas checks it against the predecessor's golden-day output), and
 * `silver-columns-pit.json` the columns that exist only when a §15 fix switch adds them
 * (field `fix`: D-5 spot-relative distances, D-32 RTH-only ATR). A pipeline config's column
 * set is `silverSchemaFor(fixes)`: the 182, plus each extra column whose switch is on, placed
 * after the features and before the labels (the order every version file has).
 */
import spec from "./silver-columns.json";
import pitSpec from "./silver-columns-pit.json";
import { arrowTypeName, type ColumnDef, type ColumnType, type TableSchema } from "./types";

export interface SilverColumnSpec {
  name: string;
  type: string;
  nullable: boolean;
  group: string;
  description: string;
  stage: string;
  /** the pipeline fix switch that adds this column (absent: one of the 182) */
  fix?: string;
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

/** The 182 columns of the reference contract, in schema order. */
export const SILVER_COLUMN_SPECS: readonly SilverColumnSpec[] = spec as SilverColumnSpec[];
/** Columns beyond the 182, each added by one fix switch. */
export const EXTRA_COLUMN_SPECS: readonly SilverColumnSpec[] = pitSpec as SilverColumnSpec[];

for (const c of EXTRA_COLUMN_SPECS) {
  if (!c.fix) throw new Error(`silver-columns-pit.json: ${c.name} names no fix switch`);
  if (c.group === "identity" || c.group === "label") throw new Error(`silver-columns-pit.json: ${c.name} must be a feature, not ${c.group}`);
  if (SILVER_COLUMN_SPECS.some((s) => s.name === c.name)) throw new Error(`silver-columns-pit.json: ${c.name} is one of the 182`);
}

function defOf(c: SilverColumnSpec): ColumnDef {
  const type = SPEC_TYPES[c.type];
  if (!type) throw new Error(`silver column spec: unknown type "${c.type}" for ${c.name}`);
  return { name: c.name, type, nullable: c.nullable };
}

/** The 182 and then the extra features, inserted before the first label column. */
function withExtras(extras: readonly SilverColumnSpec[]): SilverColumnSpec[] {
  const firstLabel = SILVER_COLUMN_SPECS.findIndex((c) => c.group === "label");
  return [...SILVER_COLUMN_SPECS.slice(0, firstLabel), ...extras, ...SILVER_COLUMN_SPECS.slice(firstLabel)];
}

/** Every known Silver column (the 182 and every extra), in the order a version file holds them. */
export const ALL_SILVER_COLUMN_SPECS: readonly SilverColumnSpec[] = withExtras(EXTRA_COLUMN_SPECS);

const columns: ColumnDef[] = SILVER_COLUMN_SPECS.map(defOf);

export const SILVER_FEATURES: TableSchema = {
  name: "features.es_pipeline.v1",
  tier: "silver",
  sortKey: ["ts_ns", "event_id"],
  columns,
  metadata: { pipeline: "es_pipeline", pipeline_version: "2.0.0", total_columns: String(columns.length) },
};

/**
 * The Silver schema of a pipeline config: the 182 columns when no extra column's switch is on
 * (exactly SILVER_FEATURES, so reference files never change), else the 182 plus the extras
 * of the switches that are on, as `features.es_pipeline_pit.v1`.
 */
export function silverSchemaFor(fixes: object): TableSchema {
  const extras = EXTRA_COLUMN_SPECS.filter((c) => (fixes as Record<string, unknown>)[c.fix!] === true);
  if (extras.length === 0) return SILVER_FEATURES;
  const cols = withExtras(extras).map(defOf);
  return { ...SILVER_FEATURES, name: "features.es_pipeline_pit.v1", columns: cols, metadata: { ...SILVER_FEATURES.metadata, total_columns: String(cols.length) } };
}

/** Every known Silver column: what views, Gold promotion and manifests may name. */
export const SILVER_FEATURES_ALL: TableSchema = silverSchemaFor(Object.fromEntries(EXTRA_COLUMN_SPECS.map((c) => [c.fix!, true])));

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

/** Gold training sets of a point-in-time version: the 182 plus every extra column. */
export const GOLD_TRAINING_PIT: TableSchema = {
  ...GOLD_TRAINING,
  name: "training.es_pipeline_pit.v1",
  columns: SILVER_FEATURES_ALL.columns,
  metadata: { ...GOLD_TRAINING.metadata, source: "silver/features/es_pipeline_pit/" },
};

/** The training schema that holds every one of `names`: the 182-column one when it can. */
export function trainingSchemaHolding(names: readonly string[]): TableSchema | null {
  for (const s of [GOLD_TRAINING, GOLD_TRAINING_PIT]) if (names.every((n) => s.columns.some((c) => c.name === n))) return s;
  return null;
}

export const IDENTITY_COLUMNS = SILVER_COLUMN_SPECS.filter((c) => c.group === "identity").map((c) => c.name);
export const LABEL_COLUMNS = SILVER_COLUMN_SPECS.filter((c) => c.group === "label").map((c) => c.name);
/** The 108 feature columns of the 182 (the predecessor's "all features"). */
export const FEATURE_COLUMNS = SILVER_COLUMN_SPECS.filter((c) => c.group !== "identity" && c.group !== "label").map(
  (c) => c.name,
);

/** Portable schema hash input (contracts §4.5): `name:arrowType` pairs joined by `,`. */
export function schemaSignature(cols: readonly ColumnDef[]): string {
  return cols.map((c) => `${c.name}:${arrowTypeName(c.type)}`).join(",");
}
