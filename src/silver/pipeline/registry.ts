/**
 * The es_pipeline registry (es-pipeline §2): the 16 stages in run order. Stages S7–S13
 * live in part 2's files; until such a file exists, its entry resolves to `null` and the
 * run emits that stage's columns as typed nulls and lists them (never invented values).
 *
 * Imports are literal so that `bun build --compile` bundles every stage that exists.
 * Only a "module not found" for the stage file itself is tolerated; any other error while
 * loading a stage (syntax, missing export) fails loudly.
 */
import type { Stage } from "./context";
import { SILVER_COLUMN_SPECS } from "../../schemas/silver";

export const PIPELINE_NAME = "es_pipeline";
export const PIPELINE_VERSION = "2.0.0";

export interface StageEntry {
  /** "S1" … "S16" */
  readonly id: string;
  /** Spec stage name, as in silver-columns.json `stage` */
  readonly name: string;
  /** Stage file relative to src/silver/pipeline (documentation and error messages) */
  readonly file: string;
  load(): Promise<Stage | null>;
}

type StageModule = { default?: Stage };

async function optional(file: string, importer: () => Promise<StageModule>): Promise<Stage | null> {
  let mod: StageModule;
  try {
    mod = await importer();
  } catch (err) {
    if (isMissingModule(err, file)) return null;
    throw err;
  }
  if (!mod.default || typeof mod.default.run !== "function") {
    throw new Error(`pipeline stage file ${file} must \`export default\` a Stage (name, section, inputs, outputs, run)`);
  }
  return mod.default;
}

function isMissingModule(err: unknown, file: string): boolean {
  const msg = String((err as { message?: string })?.message ?? err);
  const base = file.replace(/^.*\//, "").replace(/\.ts$/, "");
  return /Cannot find module|Could not resolve|ENOENT|not found/i.test(msg) && msg.includes(base);
}

async function required(importer: () => Promise<StageModule>, file: string): Promise<Stage> {
  const s = await optional(file, importer);
  if (!s) throw new Error(`pipeline stage file ${file} is missing`);
  return s;
}

export const ES_PIPELINE: readonly StageEntry[] = [
  { id: "S1", name: "LoadBronze", file: "stages/s01-load-bronze.ts", load: () => required(() => import("./stages/s01-load-bronze"), "stages/s01-load-bronze.ts") },
  { id: "S2", name: "BuildOHLCV1m", file: "stages/s02-build-ohlcv-1m.ts", load: () => required(() => import("./stages/s02-build-ohlcv-1m"), "stages/s02-build-ohlcv-1m.ts") },
  { id: "S3", name: "BuildOHLCV2m", file: "stages/s03-build-ohlcv-2m.ts", load: () => required(() => import("./stages/s03-build-ohlcv-2m"), "stages/s03-build-ohlcv-2m.ts") },
  { id: "S4", name: "InitMarketState", file: "stages/s04-init-market-state.ts", load: () => required(() => import("./stages/s04-init-market-state"), "stages/s04-init-market-state.ts") },
  { id: "S5", name: "GenerateLevels", file: "stages/s05-generate-levels.ts", load: () => required(() => import("./stages/s05-generate-levels"), "stages/s05-generate-levels.ts") },
  { id: "S6", name: "DetectInteractionZones", file: "stages/s06-detect-interaction-zones.ts", load: () => required(() => import("./stages/s06-detect-interaction-zones"), "stages/s06-detect-interaction-zones.ts") },
  // Part 2 (issue 7). Literal imports so the bundler includes them; a missing file → typed nulls.
  { id: "S7", name: "ComputePhysics", file: "stages/s07-compute-physics.ts", load: () => optional("stages/s07-compute-physics.ts", () => import("./stages/s07-compute-physics")) },
  { id: "S8", name: "ComputeMultiWindowKinematics", file: "stages/s08-multi-window-kinematics.ts", load: () => optional("stages/s08-multi-window-kinematics.ts", () => import("./stages/s08-multi-window-kinematics")) },
  { id: "S9", name: "ComputeMultiWindowOFI", file: "stages/s09-multi-window-ofi.ts", load: () => optional("stages/s09-multi-window-ofi.ts", () => import("./stages/s09-multi-window-ofi")) },
  { id: "S10", name: "ComputeBarrierEvolution", file: "stages/s10-barrier-evolution.ts", load: () => optional("stages/s10-barrier-evolution.ts", () => import("./stages/s10-barrier-evolution")) },
  { id: "S11", name: "ComputeLevelDistances", file: "stages/s11-level-distances.ts", load: () => optional("stages/s11-level-distances.ts", () => import("./stages/s11-level-distances")) },
  { id: "S12", name: "ComputeGEXFeatures", file: "stages/s12-gex-features.ts", load: () => optional("stages/s12-gex-features.ts", () => import("./stages/s12-gex-features")) },
  { id: "S13", name: "ComputeForceMass", file: "stages/s13-force-mass.ts", load: () => optional("stages/s13-force-mass.ts", () => import("./stages/s13-force-mass")) },
  { id: "S14", name: "ComputeApproachFeatures", file: "stages/s14-approach-features.ts", load: () => required(() => import("./stages/s14-approach-features"), "stages/s14-approach-features.ts") },
  { id: "S15", name: "LabelOutcomes", file: "stages/s15-label-outcomes.ts", load: () => required(() => import("./stages/s15-label-outcomes"), "stages/s15-label-outcomes.ts") },
  { id: "S16", name: "FilterRTH", file: "stages/s16-filter-rth.ts", load: () => required(() => import("./stages/s16-filter-rth"), "stages/s16-filter-rth.ts") },
];

/** Spec stage name that owns a Silver column. */
export function stageOfColumn(column: string): string | undefined {
  return SILVER_COLUMN_SPECS.find((c) => c.name === column)?.stage;
}
