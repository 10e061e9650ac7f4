/**
 * The es_pipeline registry (es-pipeline §2): the 16 stages in run order. Every stage is
 * required: a stage file that fails to load (missing, syntax, no default export) fails the
 * build with the stage's id and file, and S16 fails the run if any Silver column was left
 * unwritten — a lost stage can never turn into a column of typed nulls.
 *
 * Imports are literal so that `bun build --compile` bundles every stage.
 */
import type { Stage } from "./context";
import { ALL_SILVER_COLUMN_SPECS } from "../../schemas/silver";

export const PIPELINE_NAME = "es_pipeline";
export const PIPELINE_VERSION = "2.0.0";

export interface StageEntry {
  /** "S1" … "S16" */
  readonly id: string;
  /** Spec stage name, as in silver-columns.json `stage` */
  readonly name: string;
  /** Stage file relative to src/silver/pipeline (documentation and error messages) */
  readonly file: string;
  load(): Promise<Stage>;
}

type StageModule = { default?: Stage };

/** A registry entry whose load() fails — naming the stage — unless the module exports a Stage. */
export function stage(id: string, name: string, file: string, importer: () => Promise<StageModule>): StageEntry {
  return {
    id,
    name,
    file,
    async load() {
      let mod: StageModule;
      try {
        mod = await importer();
      } catch (err) {
        throw new Error(`pipeline stage ${id} ${name} (${file}) failed to load: ${(err as Error)?.message ?? err}`, { cause: err });
      }
      if (!mod.default || typeof mod.default.run !== "function") {
        throw new Error(`pipeline stage file ${file} must \`export default\` a Stage (name, section, inputs, outputs, run)`);
      }
      return mod.default;
    },
  };
}

export const ES_PIPELINE: readonly StageEntry[] = [
  stage("S1", "LoadBronze", "stages/s01-load-bronze.ts", () => import("./stages/s01-load-bronze")),
  stage("S2", "BuildOHLCV1m", "stages/s02-build-ohlcv-1m.ts", () => import("./stages/s02-build-ohlcv-1m")),
  stage("S3", "BuildOHLCV2m", "stages/s03-build-ohlcv-2m.ts", () => import("./stages/s03-build-ohlcv-2m")),
  stage("S4", "InitMarketState", "stages/s04-init-market-state.ts", () => import("./stages/s04-init-market-state")),
  stage("S5", "GenerateLevels", "stages/s05-generate-levels.ts", () => import("./stages/s05-generate-levels")),
  stage("S6", "DetectInteractionZones", "stages/s06-detect-interaction-zones.ts", () => import("./stages/s06-detect-interaction-zones")),
  stage("S7", "ComputePhysics", "stages/s07-compute-physics.ts", () => import("./stages/s07-compute-physics")),
  stage("S8", "ComputeMultiWindowKinematics", "stages/s08-multi-window-kinematics.ts", () => import("./stages/s08-multi-window-kinematics")),
  stage("S9", "ComputeMultiWindowOFI", "stages/s09-multi-window-ofi.ts", () => import("./stages/s09-multi-window-ofi")),
  stage("S10", "ComputeBarrierEvolution", "stages/s10-barrier-evolution.ts", () => import("./stages/s10-barrier-evolution")),
  stage("S11", "ComputeLevelDistances", "stages/s11-level-distances.ts", () => import("./stages/s11-level-distances")),
  stage("S12", "ComputeGEXFeatures", "stages/s12-gex-features.ts", () => import("./stages/s12-gex-features")),
  stage("S13", "ComputeForceMass", "stages/s13-force-mass.ts", () => import("./stages/s13-force-mass")),
  stage("S14", "ComputeApproachFeatures", "stages/s14-approach-features.ts", () => import("./stages/s14-approach-features")),
  stage("S15", "LabelOutcomes", "stages/s15-label-outcomes.ts", () => import("./stages/s15-label-outcomes")),
  stage("S16", "FilterRTH", "stages/s16-filter-rth.ts", () => import("./stages/s16-filter-rth")),
];

/** Spec stage name that owns a Silver column. */
export function stageOfColumn(column: string): string | undefined {
  return ALL_SILVER_COLUMN_SPECS.find((c) => c.name === column)?.stage;
}
