import { describe, expect, test } from "bun:test";
import stage from "../../../src/silver/pipeline/stages/s08-multi-window-kinematics";
import { makeBars, makeContext, makeEvents, values } from "./s07-s13-context";

const T0 = 36000; // first bar start (s)

function run(closes: (number | null)[], events: Parameters<typeof makeEvents>[0]) {
  const ctx = makeContext();
  ctx.ohlcv1m = makeBars(T0, closes);
  ctx.events = makeEvents(events);
  stage.run(ctx);
  return ctx;
}

describe("S8 multi-window kinematics [REF] last finite differences", () => {
  // Level-frame closes for an UP event at L = 7000: p = close − 7000.
  const closes = [7000, 7001, 7003, 7006, 7010, 7015, 7021];
  const entry = T0 + 60 * 6; // entry bar = the last bar (its close is 60 s in the future)

  test("*_1min is always 0: the 1-minute window holds only the entry bar", () => {
    const ctx = run(closes, [{ sec: entry, level: 7000, dir: "UP" }]);
    for (const c of ["velocity_1min", "acceleration_1min", "jerk_1min"]) expect(values(ctx, c)).toEqual([0]);
    expect(ctx.out.has("momentum_trend_1min")).toBe(false);
  });

  test("3-minute window: velocity and acceleration from 3 bars, jerk_3min 0, momentum = acceleration", () => {
    const ctx = run(closes, [{ sec: entry, level: 7000, dir: "UP" }]);
    // last three p: 10, 15, 21 → v = 5/60, 6/60 ; a = (6/60 − 5/60)/60
    expect(values(ctx, "velocity_3min")[0]).toBeCloseTo(6 / 60, 15);
    expect(values(ctx, "acceleration_3min")[0]).toBeCloseTo(1 / 3600, 15);
    expect(values(ctx, "jerk_3min")).toEqual([0]);
    expect(values(ctx, "momentum_trend_3min")).toEqual(values(ctx, "acceleration_3min"));
  });

  test("windows 5/10/20 agree on contiguous bars (the window only gates the bar count)", () => {
    const ctx = run(closes, [{ sec: entry, level: 7000, dir: "UP" }]);
    for (const w of [5, 10, 20]) {
      expect(values(ctx, `velocity_${w}min`)[0]).toBeCloseTo(6 / 60, 15);
      expect(values(ctx, `acceleration_${w}min`)[0]).toBeCloseTo(1 / 3600, 15);
      // a for p 6,10,15 is (5/60 − 4/60)/60 = 1/3600 too, so jerk = 0 here
      expect(values(ctx, `jerk_${w}min`)[0]).toBeCloseTo(0, 15);
    }
  });

  test("DOWN flips the level frame; jerk uses the earlier interval of each difference", () => {
    // closes 7010, 7008, 7007, 7003 with a 2-minute gap before the last bar
    const ctx = run([7010, 7008, 7007, null, 7003], [{ sec: T0 + 240, level: 7000, dir: "DOWN" }]);
    // p = −(close − 7000): −10, −8, −7, −3 at t = 0, 60, 120, 240 s
    const v = [2 / 60, 1 / 60, 4 / 120];
    const a = [(v[1]! - v[0]!) / 60, (v[2]! - v[1]!) / 60]; // a_k divides by dt_k (the earlier interval)
    const j = (a[1]! - a[0]!) / 60;
    expect(values(ctx, "velocity_5min")[0]).toBeCloseTo(v[2]!, 15);
    expect(values(ctx, "acceleration_5min")[0]).toBeCloseTo(a[1]!, 15);
    expect(values(ctx, "jerk_5min")[0]).toBeCloseTo(j, 15);
    // The 3-minute window (180, 240] holds only 2 bars because of the gap → all 0.
    expect(values(ctx, "velocity_3min")).toEqual([0]);
  });

  test("fewer than 3 bars (start of day, empty bar series) give 0", () => {
    const ctx = run([7000, 7001], [{ sec: T0 + 60, level: 7000, dir: "UP" }, { sec: T0 - 600, level: 7000, dir: "UP" }]);
    for (const w of [3, 5, 10, 20]) expect(values(ctx, `velocity_${w}min`)).toEqual([0, 0]);
    const empty = run([], [{ sec: T0, level: 7000, dir: "UP" }]);
    expect(values(empty, "acceleration_20min")).toEqual([0]);
  });

  test("bars after the event are never used", () => {
    const a = run([7000, 7001, 7003, 7006], [{ sec: T0 + 120, level: 7000, dir: "UP" }]);
    const b = run([7000, 7001, 7003, 9999], [{ sec: T0 + 120, level: 7000, dir: "UP" }]);
    expect(values(a, "velocity_5min")).toEqual(values(b, "velocity_5min"));
  });

});

describe("S8 [FIX] D-1 fitted kinematics (corrected)", () => {
  // p = s·(close − L) = 0, 1, 3, 6, 10, 15, 21 = k(k+1)/2: exactly quadratic in the bar index
  const closes = [7000, 7001, 7003, 7006, 7010, 7015, 7021];
  const entry = T0 + 60 * 6;
  function runFixed(cl: number[]) {
    const ctx = makeContext("corrected");
    ctx.ohlcv1m = makeBars(T0, cl);
    ctx.events = makeEvents([{ sec: entry, level: 7000, dir: "UP" }]);
    stage.run(ctx);
    return ctx;
  }

  test("3-minute window: the quadratic through the last three positions, not the last difference", () => {
    const ctx = runFixed(closes);
    // 10, 15, 21 at τ = −2, −1, 0 min → p = 21 + 6.5τ + 0.5τ²: v = 6.5/60 (reference: 6/60), a = 1/3600
    expect(values(ctx, "velocity_3min")[0]).toBeCloseTo(6.5 / 60, 12);
    expect(values(ctx, "acceleration_3min")[0]).toBeCloseTo(1 / 3600, 12);
    expect(values(ctx, "jerk_3min")[0]).toBe(0);
  });

  test("20-minute window: cubic fit over all seven bars, jerk 0 for a quadratic path, real trend", () => {
    const ctx = runFixed(closes);
    expect(values(ctx, "velocity_20min")[0]).toBeCloseTo(6.5 / 60, 10); // dp/dk at k = 6 is 6.5
    expect(values(ctx, "acceleration_20min")[0]).toBeCloseTo(1 / 3600, 10);
    expect(Math.abs(values(ctx, "jerk_20min")[0] as number)).toBeLessThan(1e-12);
    // halves [0, 1, 3] (slope 1.5/min) and [6, 10, 15, 21] (slope 5/min) → (5 − 1.5)/60
    expect(values(ctx, "momentum_trend_20min")[0]).toBeCloseTo(3.5 / 60, 10);
  });

  test("1-minute window: the entry bar's own move (close − open)/60 s, not a constant 0", () => {
    const ctx = makeContext("corrected");
    const bars = makeBars(T0, [7000, 7004]);
    bars.open[1] = 7001;
    ctx.ohlcv1m = bars;
    ctx.events = makeEvents([{ sec: T0 + 60, level: 7000, dir: "DOWN" }]);
    stage.run(ctx);
    expect(values(ctx, "velocity_1min")[0]).toBeCloseTo(-3 / 60, 12); // DOWN: s = −1
  });
});
