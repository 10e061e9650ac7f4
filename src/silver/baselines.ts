/**
 * The built-in manifests: the predecessor's two baselines (contracts §4.2) and the
 * canonical `es_pipeline` version (all 182 columns: its groups are the schema's feature
 * groups in file order, so the selection of §4.4 b reproduces the schema exactly) and the
 * point-in-time `es_pipeline_pit` (the corrected variant's schema, the same way).
 */
import { silverSchemaFor, SILVER_COLUMN_SPECS, ALL_SILVER_COLUMN_SPECS, type SilverColumnSpec } from "../schemas/silver";
import { correctedConfig } from "./pipeline/config";
import { manifestFromObject, type FeatureManifest, type FeatureGroup } from "./manifest";
import { isoNowZ } from "../core/validate";
import type { Variant } from "../core/variant";

const SOURCE_SCHEMAS = ["futures/trades", "futures/mbp10", "options/trades"];

const MECHANICS_GROUPS: FeatureGroup[] = [
  {
    name: "barrier_physics",
    description: "Order book liquidity defense metrics",
    columns: ["barrier_state", "barrier_delta_liq", "barrier_delta_liq_log", "barrier_replenishment_ratio", "wall_ratio", "wall_ratio_log", "wall_ratio_nonzero"],
    dependencies: [],
  },
  { name: "tape_physics", description: "Trade flow momentum metrics", columns: ["tape_imbalance", "tape_velocity", "sweep_detected"], dependencies: [] },
  { name: "fuel_physics", description: "Dealer gamma exposure and hedging pressure", columns: ["gamma_exposure", "fuel_effect", "dealer_pressure"], dependencies: [] },
  {
    name: "dealer_velocity",
    description: "Dealer flow dynamics",
    columns: ["gamma_flow_velocity", "gamma_flow_impulse", "gamma_flow_accel_1m", "gamma_flow_accel_5m", "dealer_pressure_accel"],
    dependencies: [],
  },
  {
    name: "pressure_indicators",
    description: "Composite pressure metrics",
    columns: ["liquidity_pressure", "tape_pressure", "gamma_pressure", "gamma_pressure_accel", "net_break_pressure"],
    dependencies: [],
  },
];

const ENSEMBLE_EXTRA_GROUPS: FeatureGroup[] = [
  {
    name: "approach_context",
    description: "Approach dynamics relative to the level",
    columns: ["approach_velocity", "approach_distance", "approach_distance_atr", "distance_signed", "distance_signed_atr", "distance_pct"],
    dependencies: [],
  },
  {
    name: "sma_context",
    description: "Moving-average context",
    columns: ["sma_200", "sma_400", "sma_200_slope", "sma_400_slope", "dist_to_sma_200", "dist_to_sma_400"],
    dependencies: [],
  },
  {
    name: "confluence",
    description: "Level confluence metrics",
    columns: ["confluence_count", "confluence_pressure", "confluence_alignment", "confluence_level"],
    dependencies: [],
  },
];

export function mechanicsOnlyManifest(now = new Date()): FeatureManifest {
  return manifestFromObject({
    version: "v1.0_mechanics_only",
    name: "mechanics_only",
    description: "Pure physics-based features (barrier, tape, fuel) without TA",
    created_at: isoNowZ(now),
    created_by: "pipeline",
    source: { layer: "bronze", schemas: SOURCE_SCHEMAS, date_range: null },
    feature_groups: MECHANICS_GROUPS,
    tags: ["mechanics", "baseline", "physics_only"],
    notes: "Baseline model using only market mechanics (no TA features)",
  });
}

export function fullEnsembleManifest(now = new Date()): FeatureManifest {
  return manifestFromObject({
    version: "v2.0_full_ensemble",
    name: "full_ensemble",
    description: "Complete feature set including mechanics and TA",
    created_at: isoNowZ(now),
    created_by: "pipeline",
    source: { layer: "bronze", schemas: SOURCE_SCHEMAS, date_range: null },
    feature_groups: [...MECHANICS_GROUPS, ...ENSEMBLE_EXTRA_GROUPS],
    parent_version: "v1.0_mechanics_only",
    tags: ["full", "ensemble", "mechanics", "ta"],
    notes: "Full ensemble: mechanics plus technical-analysis context",
  });
}

/**
 * The feature groups of a Silver schema: its feature columns grouped as the column specs group
 * them, in schema order (a version file then holds exactly the schema's columns, in order).
 */
function schemaGroups(names: readonly string[], label: string): FeatureGroup[] {
  const specs = new Map<string, SilverColumnSpec>(ALL_SILVER_COLUMN_SPECS.map((c) => [c.name, c]));
  const features = names.filter((n) => !["identity", "label"].includes(specs.get(n)!.group));
  const groups: FeatureGroup[] = [];
  for (const name of features) {
    const group = specs.get(name)!.group;
    let g = groups.find((x) => x.name === group);
    if (!g) groups.push((g = { name: group, description: `${label} ${group} features`, columns: [], dependencies: [] }));
    g.columns.push(name);
  }
  if (groups.flatMap((g) => g.columns).join() !== features.join()) {
    throw new Error(`Silver column specs: feature groups are not contiguous; the ${label} manifest would reorder columns`);
  }
  return groups;
}

/** The canonical version: every feature column of the 182, grouped as silver-columns.json groups them. */
export function esPipelineManifest(now = new Date()): FeatureManifest {
  return manifestFromObject({
    version: "es_pipeline",
    name: "es_pipeline",
    description: "Canonical ES pipeline output: all 182 columns of features.es_pipeline.v1",
    created_at: isoNowZ(now),
    created_by: "lake",
    source: { layer: "bronze", schemas: SOURCE_SCHEMAS, date_range: null },
    feature_groups: schemaGroups(SILVER_COLUMN_SPECS.map((c) => c.name), "es_pipeline"),
    tags: ["canonical", "es_pipeline"],
    notes: "",
  });
}

/**
 * The point-in-time version: every column of the corrected variant's schema — the 182 plus the
 * columns its fix switches add (D-5 spot distances, D-32 RTH ATR) — built by that variant.
 */
export function esPipelinePitManifest(now = new Date()): FeatureManifest {
  const schema = silverSchemaFor(correctedConfig().fixes);
  return {
    ...esPipelineManifest(now),
    version: "es_pipeline_pit",
    name: "es_pipeline_pit",
    description: `Point-in-time ES pipeline: all ${schema.columns.length} columns of ${schema.name} from the corrected variant (every feature known at the end of its entry bar)`,
    feature_groups: schemaGroups(schema.columns.map((c) => c.name), "es_pipeline"),
    tags: ["canonical", "es_pipeline", "point_in_time"],
  };
}

/** Built-in versions tied to one pipeline variant. */
export const BUILTIN_VARIANTS: Record<string, Variant> = { es_pipeline: "reference", es_pipeline_pit: "corrected" };

export const BUILTIN_MANIFESTS: Record<string, (now?: Date) => FeatureManifest> = {
  es_pipeline: esPipelineManifest,
  es_pipeline_pit: esPipelinePitManifest,
  "v1.0_mechanics_only": mechanicsOnlyManifest,
  "v2.0_full_ensemble": fullEnsembleManifest,
};
