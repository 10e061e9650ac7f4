/**
 * The §15 [REF]/[FIX] switches read by the physics stages S7–S13 — one place, so the
 * corrected variant turns a fix on here and no stage forks.
 *
 * PipelineConfig.fixes (config.ts, part 1) holds the S1–S6/S14–S16 switches; these are
 * the S7–S13 ones. A key of the same name present in `ctx.cfg.fixes` (e.g. from a Silver
 * manifest override) wins over the variant default, so moving the flags into
 * FixSwitches later needs no change here.
 */
import { LakeError } from "../../../../errors";
import type { PipelineContext } from "../../context";

export interface PhysicsFixes {
  /** D-4 (S7): trailing tape/barrier windows [ts−W, ts] instead of forward [ts, ts+W]. */
  trailingWindows: boolean;
  /** D-26 (S7): price-filter (priceMin < p < priceMax) the tape before band sums and regression. */
  filteredTape: boolean;
  /** D-9 (S12): GEX = −Σ(aggressor·size·γ·multiplier) instead of −(Σγ)·(Σsize). */
  signedGex: boolean;
  /** D-18 (S9): bounded ofi_acceleration (a−b)/(|a|+|b|+ε) instead of a/(b+ε). */
  boundedOfiAcceleration: boolean;
  /** D-8 (S7 fuel, S12): only option trades with ts ≤ event ts (ordered replay). */
  causalOptions: boolean;
  /** D-1 (S8): fitted multi-window kinematics. Not implemented yet. */
  fittedKinematics: boolean;
  /** D-23 (S7): trailing 30-min average depth for wall_ratio instead of the day-level constant. */
  trailingAvgDepth: boolean;
}

const REFERENCE: PhysicsFixes = {
  trailingWindows: false,
  filteredTape: false,
  signedGex: false,
  boundedOfiAcceleration: false,
  causalOptions: false,
  fittedKinematics: false,
  trailingAvgDepth: false,
};

/** Fixes implemented so far; the corrected variant turns exactly these on. */
const CORRECTED: PhysicsFixes = {
  ...REFERENCE,
  trailingWindows: true,
  filteredTape: true,
  signedGex: true,
  boundedOfiAcceleration: true,
  causalOptions: true,
  trailingAvgDepth: true,
};

const NOT_IMPLEMENTED: readonly (keyof PhysicsFixes)[] = ["fittedKinematics"];

export function physicsFixes(ctx: PipelineContext): PhysicsFixes {
  const base = ctx.variant === "reference" ? REFERENCE : CORRECTED;
  const overrides = (ctx.cfg?.fixes ?? {}) as unknown as Partial<Record<keyof PhysicsFixes, unknown>>;
  const out = { ...base };
  for (const key of Object.keys(base) as (keyof PhysicsFixes)[]) {
    const v = overrides[key];
    if (typeof v === "boolean") out[key] = v;
  }
  for (const key of NOT_IMPLEMENTED) {
    if (out[key]) throw new LakeError(`pipeline fix "${key}" (es-pipeline §15) is not implemented yet; turn it off`);
  }
  return out;
}
