import { describe, expect, test } from "bun:test";
import stage from "../../../src/silver/pipeline/stages/s11-level-distances";
import { makeContext, makeDynamicLevels, makeEvents, values } from "./s07-s13-context";

function run(dyn: Parameters<typeof makeDynamicLevels>[1], atr: number[], events: Parameters<typeof makeEvents>[0]) {
  const ctx = makeContext();
  ctx.dynamicLevels = makeDynamicLevels(atr.length, dyn);
  ctx.atr = Float64Array.from(atr);
  ctx.events = makeEvents(events);
  stage.run(ctx);
  return ctx;
}

describe("S11 level distances (L − dyn[X][bar_idx]) and stacking", () => {
  test("distances use the tested level as 'spot'; OR distances get /ATR; undefined levels are null", () => {
    const ctx = run(
      { PM_HIGH: [7010, 7010], PM_LOW: [6990, 6990], OR_HIGH: [NaN, 7004], OR_LOW: [NaN, 6998], SMA_200: [7001.5, 7001.5] },
      [2, 4],
      [
        { sec: 0, level: 7000, dir: "UP", barIdx: 0 },
        { sec: 60, level: 7000, dir: "UP", barIdx: 1 },
      ],
    );
    expect(values(ctx, "dist_to_pm_high")).toEqual([-10, -10]);
    expect(values(ctx, "dist_to_pm_low")).toEqual([10, 10]);
    expect(values(ctx, "dist_to_or_high")).toEqual([null, -4]);
    expect(values(ctx, "dist_to_or_high_atr")).toEqual([null, -1]);
    expect(values(ctx, "dist_to_or_low_atr")).toEqual([null, 0.5]);
    expect(values(ctx, "dist_to_sma_200")).toEqual([-1.5, -1.5]);
    expect(values(ctx, "dist_to_sma_400")).toEqual([null, null]); // series never defined
    expect(values(ctx, "dist_to_tested_level")).toEqual([0, 0]);
    expect(stage.outputs).not.toContain("dist_to_pm_high_atr"); // S14 owns the PM/SMA _atr (§5.14 d)
  });

  test("ATR ≤ 0 makes the OR _atr null but keeps the distance", () => {
    const ctx = run({ OR_HIGH: [7003] }, [0], [{ sec: 0, level: 7000, dir: "DOWN", barIdx: 0 }]);
    expect(values(ctx, "dist_to_or_high")).toEqual([-3]);
    expect(values(ctx, "dist_to_or_high_atr")).toEqual([null]);
  });

  test("stacking counts 0 < |dyn − L| ≤ B (edges inclusive, the level itself excluded) as int8", () => {
    const ctx = run(
      // distances from L = 7000: 0 (itself), 2 (edge of 2 pt), 5 (edge of 5), 5.25, 10, 10.25
      { PM_HIGH: [7000], PM_LOW: [6998], OR_HIGH: [7005], OR_LOW: [6994.75], SMA_200: [7010], SMA_400: [6989.75] },
      [1],
      [{ sec: 0, level: 7000, dir: "UP", barIdx: 0 }],
    );
    expect(values(ctx, "level_stacking_2pt")).toEqual([1]);
    expect(values(ctx, "level_stacking_5pt")).toEqual([2]);
    expect(values(ctx, "level_stacking_10pt")).toEqual([4]);
    expect(ctx.out.get("level_stacking_5pt")!.type).toBe("int8");
  });

  test("an SMA event counts its own series when the per-bar SMA differs from the static level", () => {
    const ctx = run({ SMA_200: [7000.3] }, [1], [{ sec: 0, level: 7000, dir: "UP", barIdx: 0 }]);
    expect(values(ctx, "level_stacking_2pt")).toEqual([1]);
  });
});
