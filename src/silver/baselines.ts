/**
 * The built-in manifests: the predecessor's two baselines (contracts §4.2) and the
 * canonical `es_pipeline` version (all 182 columns: its groups are the schema's feature
 * groups in file order, so the selection of §4.4 b reproduces the schema exactly).
 */
import { FEATURE_COLUMNS, SILVER_COLUMN_SPECS } from "../schemas/silver";
import { manifestFromObject, type FeatureManifest, type FeatureGroup } from "./manifest";
import { isoNowZ } from "./names";

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

/** The canonical version: every schema feature column, grouped as silver-columns.json groups them. */
export function esPipelineManifest(now = new Date()): FeatureManifest {
  const groups: FeatureGroup[] = [];
  for (const c of SILVER_COLUMN_SPECS) {
    if (c.group === "identity" || c.group === "label") continue;
    let g = groups.find((x) => x.name === c.group);
    if (!g) groups.push((g = { name: c.group, description: `es_pipeline ${c.group} features`, columns: [], dependencies: [] }));
    g.columns.push(c.name);
  }
  if (groups.flatMap((g) => g.columns).join() !== FEATURE_COLUMNS.join()) {
    throw new Error("silver-columns.json feature groups are not contiguous; es_pipeline manifest would reorder columns");
  }
  return manifestFromObject({
    version: "es_pipeline",
    name: "es_pipeline",
    description: "Canonical ES pipeline output: all 182 columns of features.es_pipeline.v1",
    created_at: isoNowZ(now),
    created_by: "lake",
    source: { layer: "bronze", schemas: SOURCE_SCHEMAS, date_range: null },
    feature_groups: groups,
    tags: ["canonical", "es_pipeline"],
    notes: "",
  });
}

export const BUILTIN_MANIFESTS: Record<string, (now?: Date) => FeatureManifest> = {
  es_pipeline: esPipelineManifest,
  "v1.0_mechanics_only": mechanicsOnlyManifest,
  "v2.0_full_ensemble": fullEnsembleManifest,
};
