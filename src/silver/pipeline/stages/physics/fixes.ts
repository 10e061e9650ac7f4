/**
 * The §15 [REF]/[FIX] switches read by the physics stages S7–S13 — one place, so the
 * corrected variant turns a fix on here and no stage forks.
 *
 * The switches and their variant defaults are PipelineConfig.fixes (config.ts); this picks
 * the S7–S13 ones. A key present in `ctx.cfg.fixes` (e.g. from a Silver manifest override)
 * wins over the variant default.
 */
import { LakeError } from "../../../../errors";
import { correctedConfig, IMPLEMENTED_FIXES, referenceConfig, type FixSwitches } from "../../config";
import type { PipelineContext } from "../../context";

const PHYSICS_KEYS = [
  "trailingWindows",
  "filteredTape",
  "signedGex",
  "boundedOfiAcceleration",
  "causalOptions",
  "fittedKinematics",
  "trailingAvgDepth",
] as const satisfies readonly (keyof FixSwitches)[];

export type PhysicsFixes = Pick<FixSwitches, (typeof PHYSICS_KEYS)[number]>;

function pickPhysics(fixes: FixSwitches): PhysicsFixes {
  return Object.fromEntries(PHYSICS_KEYS.map((k) => [k, fixes[k]])) as unknown as PhysicsFixes;
}

const REFERENCE = pickPhysics(referenceConfig().fixes);
/** Fixes implemented so far; the corrected variant turns exactly these on. */
const CORRECTED = pickPhysics(correctedConfig().fixes);
const NOT_IMPLEMENTED = PHYSICS_KEYS.filter((k) => !IMPLEMENTED_FIXES.has(k));

export function physicsFixes(ctx: PipelineContext): PhysicsFixes {
  const base = ctx.variant === "reference" ? REFERENCE : CORRECTED;
  const overrides = (ctx.cfg?.fixes ?? {}) as unknown as Partial<Record<keyof PhysicsFixes, unknown>>;
  const out = { ...base };
  for (const key of PHYSICS_KEYS) {
    const v = overrides[key];
    if (typeof v === "boolean") out[key] = v;
  }
  for (const key of NOT_IMPLEMENTED) {
    if (out[key]) throw new LakeError(`pipeline fix "${key}" (es-pipeline §15) is not implemented yet; turn it off`);
  }
  return out;
}
