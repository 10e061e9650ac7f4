import { describe, expect, test } from "bun:test";
import stage from "../../../src/silver/pipeline/stages/s13-force-mass";
import { makeContext, makeEvents, values } from "./s07-s13-context";

function run(imbalance: number[], deltaLiq: number[], accel1m?: number[]) {
  const ctx = makeContext();
  ctx.events = makeEvents(imbalance.map(() => ({ sec: 0, level: 7000, dir: "UP" as const })));
  const put = (name: string, v: number[]) => ctx.out.set(name, { name, type: "float64", values: Float64Array.from(v) });
  put("tape_imbalance", imbalance);
  put("barrier_delta_liq", deltaLiq);
  put("acceleration_1min", accel1m ?? imbalance.map(() => 0));
  stage.run(ctx);
  return ctx;
}

describe("S13 force/mass", () => {
  test("force = 10·imbalance, mass = max(|Δliq|, 1); predicted = 0.01·force/mass; residual = −predicted", () => {
    const ctx = run([0.5, -1, 0.2, 0], [-200, 0, 0.5, 300]);
    expect(values(ctx, "force_mass_ratio")).toEqual([5 / 200, -10, 2, 0]);
    expect(values(ctx, "predicted_accel")).toEqual([(0.01 * 5) / 200, (0.01 * -10) / 1, (0.01 * 2) / 1, 0]);
    expect(values(ctx, "accel_residual")).toEqual([-(0.01 * 5) / 200, 0.1, -0.02, 0]);
  });

  test("a non-zero acceleration_1min (corrected kinematics) enters the residual", () => {
    const ctx = run([1], [10], [0.5]);
    expect(values(ctx, "accel_residual")[0]).toBeCloseTo(0.5 - (0.01 * 10) / 10, 15);
  });

  test("fails loudly when S7/S8 columns are absent", () => {
    const ctx = makeContext();
    ctx.events = makeEvents([]);
    expect(() => stage.run(ctx)).toThrow(/tape_imbalance.*S7\/S8/);
  });
});
