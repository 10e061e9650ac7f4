import { describe, expect, test } from "bun:test";
import stage from "../../../src/silver/pipeline/stages/s07-compute-physics";
import { dayAverageDepth } from "../../../src/silver/pipeline/stages/physics/barrier";
import { flow, makeContext, makeEvents, makeMbp, makeOptions, makeTrades, values, type SnapSpec } from "./s07-s13-context";

const T = 36000; // 10:00 UTC, seconds after the origin

function ctxWith(parts: { events: Parameters<typeof makeEvents>[0]; trades?: Parameters<typeof makeTrades>[0]; snaps?: SnapSpec[]; flows?: ReturnType<typeof flow>[] }, variant: "reference" | "corrected" = "reference") {
  const ctx = makeContext(variant);
  ctx.events = makeEvents(parts.events);
  ctx.trades = makeTrades(parts.trades ?? []);
  ctx.mbp = makeMbp(parts.snaps ?? []);
  ctx.optionFlows = parts.flows ?? [];
  return ctx;
}

describe("S7 tape (forward 60 s window, ±0.5 pt band)", () => {
  test("counts banded aggressor volume inside [ts, ts+60 s] inclusive, nothing outside", () => {
    const ctx = ctxWith({
      events: [{ sec: T, level: 7000, dir: "UP" }],
      trades: [
        { sec: T - 1, price: 7000, size: 100, aggr: 1 }, // before the window
        { sec: T, price: 7000.5, size: 3, aggr: 1 }, // window start, band edge (+0.5)
        { sec: T + 30, price: 6999.5, size: 2, aggr: -1 }, // band edge (−0.5)
        { sec: T + 31, price: 7000.75, size: 50, aggr: 1 }, // outside the band
        { sec: T + 32, price: 7000, size: 9, aggr: 0 }, // MID aggressor: ignored
        { sec: T + 60, price: 7000, size: 4, aggr: -1 }, // window end, inclusive
        { sec: 0, ns: (T + 60) * 1e9 + 1, price: 7000, size: 70, aggr: 1 }, // 1 ns past the end
      ],
    });
    stage.run(ctx);
    expect(values(ctx, "tape_buy_vol")).toEqual([3]);
    expect(values(ctx, "tape_sell_vol")).toEqual([6]);
    expect(values(ctx, "tape_imbalance")[0]).toBeCloseTo((3 - 6) / 9, 15);
    expect(ctx.out.get("tape_buy_vol")!.type).toBe("int64");
    expect(values(ctx, "sweep_detected")).toEqual([0]);
  });

  test("velocity is the OLS slope in points per second over all window trades (no band)", () => {
    const ctx = ctxWith({
      events: [{ sec: T, level: 7000, dir: "DOWN" }],
      trades: [0, 10, 20, 40].map((s) => ({ sec: T + s, price: 7010 + 0.25 * s, size: 1 })),
    });
    stage.run(ctx);
    expect(values(ctx, "tape_velocity")[0] as number).toBeCloseTo(0.25, 9);
    expect(values(ctx, "tape_imbalance")).toEqual([0]); // no banded volume → 0, not NaN
  });

  test("empty window, a single trade and equal timestamps give velocity 0", () => {
    const ctx = ctxWith({
      events: [
        { sec: T, level: 7000, dir: "UP" }, // empty
        { sec: T + 1000, level: 7000, dir: "UP" }, // one trade
        { sec: T + 2000, level: 7000, dir: "UP" }, // two trades at the same ts
      ],
      trades: [
        { sec: T + 1010, price: 7000, size: 1 },
        { sec: T + 2010, price: 7000, size: 1 },
        { sec: T + 2010, price: 7001, size: 1 },
      ],
    });
    stage.run(ctx);
    expect(values(ctx, "tape_velocity")).toEqual([0, 0, 0]);
    expect(values(ctx, "tape_buy_vol")).toEqual([0, 0, 0]);
  });

  test("corrected variant uses the trailing window [ts−60 s, ts] and drops insane prices", () => {
    const ctx = ctxWith(
      {
        events: [{ sec: T, level: 7000, dir: "UP" }],
        trades: [
          { sec: T - 60, price: 7000, size: 5, aggr: 1 },
          { sec: T - 10, price: 70, size: 7, aggr: 1 }, // fails 3000 < p < 10000
          { sec: T + 10, price: 7000, size: 8, aggr: -1 }, // future: excluded
        ],
      },
      "corrected",
    );
    stage.run(ctx);
    expect(values(ctx, "tape_buy_vol")).toEqual([5]);
    expect(values(ctx, "tape_sell_vol")).toEqual([0]);
  });
});

const bookAt = (sec: number, bidTop: number, askTop: number, bidSizes: number[], askSizes: number[]): SnapSpec => ({
  sec,
  bid: bidSizes.map((s, k) => [bidTop - 0.25 * k, s] as [number, number]),
  ask: askSizes.map((s, k) => [askTop + 0.25 * k, s] as [number, number]),
});

describe("S7 barrier (forward 240 s window, ±2 pt zone, side by direction)", () => {
  test("fewer than 2 window snapshots → NEUTRAL, 0, 0", () => {
    const ctx = ctxWith({
      events: [{ sec: T, level: 7000, dir: "UP" }],
      snaps: [bookAt(T - 1, 6999.75, 7000, [500], [500]), bookAt(T + 240, 6999.75, 7000, [500], [500]), bookAt(T + 241, 6999.75, 7000, [9], [9])],
    });
    stage.run(ctx);
    expect(values(ctx, "barrier_state")).toEqual(["NEUTRAL"]);
    expect(values(ctx, "barrier_delta_liq")).toEqual([0]);
    expect(values(ctx, "wall_ratio")).toEqual([0]);
  });

  test("UP reads the ask side inside [L−2, L+2] inclusive; delta = end − start; WALL vs ABSORPTION by wall ratio", () => {
    // ask levels 7000.00 … 7002.25: the zone of L = 7000 ends at 7002.00 (9 levels in, the 10th out).
    const ask0 = Array(10).fill(10);
    const ask1 = [...Array(9).fill(30), 1000]; // +180 in zone, the out-of-zone 10th level must not count
    const ctx = ctxWith({
      events: [{ sec: T, level: 7000, dir: "UP" }],
      snaps: [bookAt(T, 6999.75, 7000, Array(10).fill(1), ask0), bookAt(T + 120, 6999.75, 7000, Array(10).fill(1), ask0), bookAt(T + 240, 6999.75, 7000, Array(10).fill(1), ask1)],
    });
    stage.run(ctx);
    expect(values(ctx, "barrier_delta_liq")).toEqual([270 - 90]);
    const avg = dayAverageDepth(ctx.mbp!);
    expect(avg).toBeCloseTo((30 / 30 + (200 + 1270) / 30) / 2, 12); // day-level: every slot of every snapshot
    expect(values(ctx, "wall_ratio")[0]).toBeCloseTo(270 / (avg + 1e-6), 12);
    expect(values(ctx, "barrier_state")).toEqual([270 / avg > 1.5 ? "WALL" : "ABSORPTION"]);
  });

  test("DOWN reads the bid side; zero depth in the zone → WEAK with wall_ratio 0", () => {
    const ctx = ctxWith({
      events: [{ sec: T, level: 6990, dir: "DOWN" }], // bids at 6999.75 … 6997.50: all > L+2
      snaps: [bookAt(T, 6999.75, 7000, Array(10).fill(400), Array(10).fill(400)), bookAt(T + 5, 6999.75, 7000, Array(10).fill(400), Array(10).fill(400))],
    });
    stage.run(ctx);
    expect(values(ctx, "barrier_state")).toEqual(["WEAK"]);
    expect(values(ctx, "barrier_delta_liq")).toEqual([0]);
    expect(values(ctx, "wall_ratio")).toEqual([0]);
  });

  test("classification thresholds: VACUUM, CONSUMED, NEUTRAL", () => {
    const big = Array(10).fill(100);
    const snaps = [
      bookAt(T, 6999.75, 7000, big, big),
      bookAt(T + 10, 6999.75, 7000, [...Array(9).fill(0), 100], big), // bid zone depth 1000 → 0 (10th level 6997.5 in zone for L=6999.5)
      bookAt(T + 1000, 6999.75, 7000, big, big),
      bookAt(T + 1010, 6999.75, 7000, [60, 60, 60, 60, 60, 60, 60, 60, 60, 60], big),
      bookAt(T + 2000, 6999.75, 7000, big, big),
      bookAt(T + 2010, 6999.75, 7000, big, big),
    ];
    const ctx = ctxWith({
      events: [
        { sec: T, level: 7001.5, dir: "DOWN" }, // zone [6999.5, 7003.5]: only bid 6999.75 and 6999.5 → 200 → 0
        { sec: T + 1000, level: 6999.5, dir: "DOWN" }, // zone [6997.5, 7001.5]: all 10 bids: 1000 → 600, ratio high
        { sec: T + 2000, level: 6999.5, dir: "DOWN" }, // unchanged 1000 → NEUTRAL (end ≥ 50)
      ],
      snaps,
    });
    stage.run(ctx);
    expect(values(ctx, "barrier_delta_liq")).toEqual([-200, -400, 0]);
    const avg = dayAverageDepth(ctx.mbp!);
    expect(600 / avg).toBeGreaterThan(0.3);
    expect(values(ctx, "barrier_state")).toEqual(["VACUUM", "CONSUMED", "NEUTRAL"]);
  });
});

describe("S7 fuel (same-day flows within 15 pt)", () => {
  test("no same-day options → every event NEUTRAL with 0", () => {
    const ctx = ctxWith({ events: [{ sec: T, level: 7000, dir: "UP" }], flows: [flow(7000, -50_000, "2026-01-15")] });
    stage.run(ctx);
    expect(values(ctx, "fuel_effect")).toEqual(["NEUTRAL"]);
    expect(values(ctx, "gamma_exposure")).toEqual([0]);
  });

  test("strikes exactly at ±15 pt count, beyond do not; calls and puts add per strike", () => {
    const flows = [flow(6985, -4000), flow(7015, -4000, undefined, "P"), flow(7015, -2500), flow(7020, -1e9), flow(6980, -1e9), flow(7000, 1e9, "2026-03-20")];
    const ctx = ctxWith({ events: [{ sec: T, level: 7000, dir: "UP" }, { sec: T, level: 7000.5, dir: "UP" }], flows });
    stage.run(ctx);
    expect(values(ctx, "gamma_exposure")).toEqual([-10500, -6500]);
    expect(values(ctx, "fuel_effect")).toEqual(["AMPLIFY", "NEUTRAL"]);
  });

  test("DAMPEN above +10000; a strike in range with exposure inside ±10000 stays NEUTRAL", () => {
    const ctx = ctxWith({ events: [{ sec: T, level: 7000, dir: "DOWN" }, { sec: T, level: 7100, dir: "DOWN" }], flows: [flow(7005, 10000.5), flow(7100, 10000)] });
    stage.run(ctx);
    expect(values(ctx, "fuel_effect")).toEqual(["DAMPEN", "NEUTRAL"]);
    expect(values(ctx, "gamma_exposure")).toEqual([10000.5, 10000]);
  });
});

describe("S7 fails loudly instead of a degraded fallback", () => {
  test("missing MBP or option flows abort with the producing stage named", () => {
    const ctx = makeContext();
    ctx.events = makeEvents([{ sec: T, level: 7000, dir: "UP" }]);
    ctx.trades = makeTrades([]);
    ctx.optionFlows = [];
    expect(() => stage.run(ctx)).toThrow(/"mbp" is missing.*S1 LoadBronze/);
    ctx.mbp = makeMbp([]);
    ctx.optionFlows = undefined;
    expect(() => stage.run(ctx)).toThrow(/optionFlows.*S4 InitMarketState/);
  });

  test("an empty event table yields empty columns of the right types", () => {
    const ctx = ctxWith({ events: [] });
    stage.run(ctx);
    expect(stage.outputs.every((c) => ctx.out.get(c)?.values.length === 0)).toBe(true);
    expect(ctx.out.get("sweep_detected")!.type).toBe("bool");
  });
});

describe("S7 corrected-variant switches (es-pipeline §15)", () => {
  test("D-8: fuel uses only option trades with ts ≤ the event ts (the S4 whole-day flows are ignored)", () => {
    const ctx = ctxWith({ events: [{ sec: T, level: 7000, dir: "UP" }, { sec: T + 100, level: 7000, dir: "UP" }], flows: [flow(7000, 1e9)] }, "corrected");
    ctx.options = makeOptions([
      { sec: T, strike: 7005, right: "C", size: 100, gamma: 0.05, aggr: 1 }, // −(1·100·0.05·50) = −250, at exactly ts
      { sec: T + 50, strike: 7010, right: "C", size: 1000, gamma: 0.5, aggr: 1 }, // −25000, after event 0
      { sec: T + 50, strike: 7010, right: "C", size: 1000, gamma: 0.5 }, // MID aggressor: adds 0, but the strike is present
    ]);
    stage.run(ctx);
    expect(values(ctx, "gamma_exposure")).toEqual([-250, -25250]);
    expect(values(ctx, "fuel_effect")).toEqual(["NEUTRAL", "AMPLIFY"]);
  });

  test("D-23: wall_ratio is normalised by the trailing 30-minute average slot size", () => {
    const deep = (sec: number, size: number) => bookAt(sec, 6999.75, 7000, Array(10).fill(size), Array(10).fill(size));
    const ctx = ctxWith(
      {
        events: [{ sec: T, level: 7000, dir: "UP" }],
        // 40 min ago a huge book (outside the 30-min lookback), then 20-lot slots.
        snaps: [deep(T - 2400, 10_000), deep(T - 600, 20), deep(T - 100, 20), deep(T, 20)],
      },
      "corrected",
    );
    stage.run(ctx);
    // Trailing barrier window [T−240, T]: ask zone [6998, 7002] holds 9 levels × 20 = 180 at both ends.
    expect(values(ctx, "wall_ratio")[0]).toBeCloseTo(180 / (20 + 1e-6), 9);
  });
});
