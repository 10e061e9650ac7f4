/** S14 ComputeApproachFeatures (§5.14, §8) on hand-made bars and events. */
import { describe, expect, test } from "bun:test";
import { atr } from "../../../src/silver/pipeline/bars";
import { putColumn } from "../../../src/silver/pipeline/columns";
import { correctedConfig } from "../../../src/silver/pipeline/config";
import approach from "../../../src/silver/pipeline/stages/s14-approach-features";
import { context, eventsOnBars, makeBars, type BarSpec, type EventAt } from "./stage-test-helpers";

const D = "2026-01-14";

function setup(specs: BarSpec[], events: EventAt[], variant: "reference" | "corrected" = "reference") {
  const ctx = variant === "reference" ? context(D) : context(D, { variant, cfg: correctedConfig() });
  ctx.ohlcv1m = makeBars(D, specs);
  ctx.atr = atr(ctx.ohlcv1m, 14);
  ctx.events = eventsOnBars(ctx, events);
  return ctx;
}
const f64 = (ctx: ReturnType<typeof setup>, name: string) => Array.from(ctx.out.get(name)!.values as Float64Array);
const ints = (ctx: ReturnType<typeof setup>, name: string) => Array.from(ctx.out.get(name)!.values as ArrayLike<number | bigint>, Number);

// closes rising 1 pt per minute from 09:20 to 09:40 ET
const rising: BarSpec[] = Array.from({ length: 21 }, (_, i) => ({ at: `09:${20 + i}`, h: 7001 + i, l: 6999 + i, c: 7000 + i }));

describe("S14 ComputeApproachFeatures", () => {
  test("approach context over (ts − 10 min, ts]: velocity per bar, monotone run length, distance", () => {
    const ctx = setup(rising, [{ bar: 15, level: 7016, dir: 1 }, { bar: 15, level: 7016, dir: -1, kindName: "PM_LOW" }]);
    approach.run(ctx);
    // bars 6..15 (10 bars): c0 = 7006, c9 = 7015
    expect(f64(ctx, "approach_velocity")).toEqual([9 / 10, -9 / 10]);
    expect(ints(ctx, "approach_bars")).toEqual([9, 0]);
    expect(f64(ctx, "approach_distance")).toEqual([9, 9]);
    expect(f64(ctx, "atr")).toEqual([ctx.atr![15]!, ctx.atr![15]!]);
  });

  test("with fewer than 2 bars in the lookback the approach values are 0; session timing still set", () => {
    const ctx = setup([{ at: "09:00", h: 7001, l: 6999, c: 7000 }, { at: "09:45", h: 7001, l: 6999, c: 7000 }, { at: "13:45", h: 7001, l: 6999, c: 7000 }], [
      { bar: 1, level: 7000, dir: 1 },
      { bar: 0, level: 7000, dir: 1 },
      { bar: 2, level: 7000, dir: 1 },
    ]);
    approach.run(ctx);
    expect(f64(ctx, "approach_velocity")).toEqual([0, 0, 0]);
    expect(f64(ctx, "minutes_since_open")).toEqual([15, -30, 255]);
    expect(ints(ctx, "bars_since_open")).toEqual([15, 0, 240]);
  });

  test("prior_touches counts earlier near-level events from 09:30 on, per rounded level price", () => {
    const ctx = setup(rising, [
      { bar: 5, level: 7005, dir: 1 }, // 09:25: reads 0, never increments (pre-open)
      { bar: 10, level: 7010, dir: 1, entry: 7010 }, // 09:30: reads 0, increments key 7010
      { bar: 12, level: 7010.001, dir: -1, entry: 7013 }, // same rounded key: reads 1; |entry−L| > 2 → no increment
      { bar: 14, level: 7010, dir: 1, entry: 7011 }, // reads 1, increments
      { bar: 16, level: 7010, dir: 1 }, // reads 2
    ]);
    approach.run(ctx);
    expect(ints(ctx, "prior_touches")).toEqual([0, 0, 1, 1, 2]);
  });

  test("attempt clusters per (kind, direction) chain on gaps ≤ 15 min and restart after a longer gap", () => {
    const bars: BarSpec[] = ["09:30", "09:40", "09:55", "10:11", "10:12"].map((at) => ({ at, h: 7001, l: 6999, c: 7000 }));
    const ctx = setup(bars, [
      { bar: 0, level: 7000, dir: 1 },
      { bar: 1, level: 7000, dir: 1 }, // +10 min
      { bar: 1, level: 7000, dir: -1 }, // other group
      { bar: 2, level: 7000, dir: 1 }, // +15 min exactly: same cluster (strictly greater needed)
      { bar: 3, level: 7000, dir: 1 }, // +16 min: new cluster
      { bar: 4, level: 7000, dir: 1 },
    ]);
    approach.run(ctx);
    expect(ints(ctx, "attempt_cluster_id")).toEqual([1, 1, 1, 1, 2, 2]);
    expect(ints(ctx, "attempt_index")).toEqual([1, 2, 1, 3, 1, 2]);
    expect(ctx.out.get("attempt_index")!.type).toBe("int64");
  });

  test("trend columns subtract the cluster's first value, and are written only when S7 produced the metric", () => {
    const bars: BarSpec[] = ["10:00", "10:05", "10:30"].map((at) => ({ at, h: 7001, l: 6999, c: 7000 }));
    const ctx = setup(bars, [{ bar: 0, level: 7000, dir: 1 }, { bar: 1, level: 7000, dir: 1 }, { bar: 2, level: 7000, dir: 1 }]);
    putColumn(ctx, "tape_velocity", Float64Array.from([0.5, 0.75, 2]));
    approach.run(ctx);
    expect(f64(ctx, "tape_velocity_trend")).toEqual([0, 0.25, 0]);
    expect(ctx.out.has("tape_imbalance_trend")).toBe(false);
    expect(ctx.out.has("wall_ratio_log")).toBe(false);
  });

  test("sparse transforms and the PM/SMA distance overwrite (D-6) when S7/S11 columns exist", () => {
    const ctx = setup(rising, [{ bar: 15, level: 7020, dir: 1 }, { bar: 16, level: 7020, dir: 1 }]);
    putColumn(ctx, "wall_ratio", Float64Array.from([0, 2]));
    putColumn(ctx, "barrier_delta_liq", Float64Array.from([-150, 0]));
    putColumn(ctx, "dist_to_pm_high", Float64Array.from([4, NaN]));
    approach.run(ctx);
    expect(ints(ctx, "wall_ratio_nonzero")).toEqual([0, 1]);
    expect(f64(ctx, "wall_ratio_log")[0]).toBe(0);
    expect(f64(ctx, "wall_ratio_log")[1]).toBeCloseTo(Math.log(3), 14);
    expect(f64(ctx, "barrier_delta_liq_log")[0]).toBeCloseTo(-Math.log(151), 14);
    const a = ctx.atr![15]!;
    expect(f64(ctx, "dist_to_pm_high_atr")[0]).toBe(4 / (a + 1e-6));
    expect(Number.isNaN(f64(ctx, "dist_to_pm_high_atr")[1]!)).toBe(true);
    expect(f64(ctx, "dist_to_pm_high_pct")[0]).toBe(4 / (7015 + 1e-6));
    expect(ctx.out.has("dist_to_sma_200_pct")).toBe(false);
    expect(f64(ctx, "distance_signed")).toEqual([5, 4]);
    expect(f64(ctx, "level_price_pct")).toEqual(f64(ctx, "distance_signed_pct"));
  });

  test("the corrected variant divides distances by ATR alone (D-6 fix)", () => {
    const ctx = setup(rising, [{ bar: 15, level: 7020, dir: 1 }], "corrected");
    putColumn(ctx, "dist_to_pm_low", Float64Array.from([3]));
    approach.run(ctx);
    expect(f64(ctx, "dist_to_pm_low_atr")).toEqual([3 / ctx.atr![15]!]);
  });
});
