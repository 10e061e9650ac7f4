/**
 * S13 ComputeForceMass — es-pipeline §5.13 (constants §3.6).
 *
 * force = 10·tape_imbalance, mass = max(|barrier_delta_liq|, 1); the reference would add
 * an `integrated_ofi` term that no stage of this pipeline produces. acceleration_1min is
 * always 0 in the reference (§5.8), so accel_residual = −predicted_accel there.
 */
import type { PipelineContext, Stage } from "../context";
import { LakeError } from "../../../errors";
import { need, putFloat } from "./physics/columns";

const NAME = "ComputeForceMass";
/** §3.6 "mass default when barrier_delta_liq is missing" (never happens with S7 output). */
const MISSING_MASS = 100;

function input(ctx: PipelineContext, name: string): Float64Array {
  const c = ctx.out.get(name);
  if (!c || !(c.values instanceof Float64Array)) {
    throw new LakeError(`${NAME}: column "${name}" is missing; S7/S8 must run before S13 (es-pipeline §2)`);
  }
  return c.values;
}

const stage: Stage = {
  name: NAME,
  section: "es-pipeline §5.13",
  inputs: ["events", "out"],
  outputs: ["predicted_accel", "accel_residual", "force_mass_ratio"],
  run(ctx: PipelineContext): void {
    const ev = need(ctx, "events", NAME);
    const imbalance = input(ctx, "tape_imbalance");
    const deltaLiq = input(ctx, "barrier_delta_liq");
    const accel1m = input(ctx, "acceleration_1min");
    const { tapeForceScale, outputScale, massFloor } = ctx.cfg.forceMass;
    const predicted = new Float64Array(ev.n);
    const residual = new Float64Array(ev.n);
    const ratio = new Float64Array(ev.n);
    for (let e = 0; e < ev.n; e++) {
      const imb = imbalance[e]!;
      const force = tapeForceScale * (Number.isFinite(imb) ? imb : 0);
      const d = deltaLiq[e]!;
      const mass = Number.isFinite(d) ? Math.max(Math.abs(d), massFloor) : MISSING_MASS;
      predicted[e] = (outputScale * force) / mass;
      residual[e] = accel1m[e]! - predicted[e]!;
      ratio[e] = force / mass;
    }
    putFloat(ctx, "predicted_accel", predicted);
    putFloat(ctx, "accel_residual", residual);
    putFloat(ctx, "force_mass_ratio", ratio);
  },
};

export default stage;
