/** S15 LabelOutcomes (§9) on hand-made 1-minute bars. */
import { describe, expect, test } from "bun:test";
import { isNullAt } from "../../../src/frame";
import { referenceConfig } from "../../../src/silver/pipeline/config";
import { labelHorizon, labelSigma } from "../../../src/silver/pipeline/labels";
import labelOutcomes from "../../../src/silver/pipeline/stages/s15-label-outcomes";
import { context, eventsOnBars, makeBars, type BarSpec, type EventAt } from "./stage-test-helpers";

const D = "2026-01-14";
const cfg = referenceConfig();
const label = (specs: BarSpec[], events: EventAt[], horizonSec: number) => {
  const ctx = context(D);
  ctx.ohlcv1m = makeBars(D, specs);
  ctx.events = eventsOnBars(ctx, events);
  return labelHorizon(ctx.events, ctx.ohlcv1m, horizonSec, cfg.labels, cfg.bands.monitorBand, 2, 14);
};

// σ = popstd(−1, +1) = 1 at bar 3 → barrier clamps to 5, thr1 = 1.65
const breakUp: BarSpec[] = [
  { at: "10:00", h: 7000.5, l: 6999.5, c: 7000 },
  { at: "10:01", h: 7001.5, l: 7000.5, c: 7001 },
  { at: "10:02", h: 7000.5, l: 6999.5, c: 7000 },
  { at: "10:03", h: 7001.5, l: 6999.5, c: 7001 }, // entry + touch bar
  { at: "10:04", h: 7002, l: 7000.5, c: 7001.5 }, // thr1 up (≥ 7001.65)
  { at: "10:05", h: 7006, l: 7003, c: 7005 }, // thr2 up at ts + 120 s: inside the 2-min window
  { at: "10:06", h: 7004, l: 7002, c: 7003 },
  { at: "10:07", h: 7003, l: 6990, c: 6992 }, // bounce thr2 at 240 s
];

describe("S15 LabelOutcomes", () => {
  test("BREAK when the full barrier is crossed through the level first; the bar at ts + H is in the window", () => {
    const l = label(breakUp, [{ bar: 3, level: 7000, dir: 1 }], 120);
    expect(l.outcome[0]).toBe("BREAK");
    expect([l.timeToBreak1[0], l.timeToBreak2[0], l.timeToThreshold1[0], l.timeToThreshold2[0]]).toEqual([60, 120, 60, 120]);
    expect(Number.isNaN(l.timeToBounce1[0]!)).toBe(true);
    expect([l.excursionMax[0], l.excursionMin[0], l.strengthSigned[0], l.strengthAbs[0]]).toEqual([6, 0.5, 5.5, 6]);
    expect([l.tradeable1[0], l.tradeable2[0]]).toEqual([1, 1]);
    expect(l.confirmTs[0]).toBe(makeBars(D, breakUp).ts[3]);
    expect([l.anchorSpot[0], l.futurePrice[0]]).toEqual([7001, 7005]);
  });

  test("the 4-minute horizon sees the later bounce but the earlier break wins", () => {
    const l = label(breakUp, [{ bar: 3, level: 7000, dir: 1 }], 240);
    expect([l.outcome[0], l.timeToBreak2[0], l.timeToBounce2[0], l.futurePrice[0]]).toEqual(["BREAK", 120, 240, 6992]);
  });

  test("for a DOWN event the same path is a BOUNCE (break means through the level downwards)", () => {
    const l = label(breakUp, [{ bar: 3, level: 7000, dir: -1 }], 120);
    expect(l.outcome[0]).toBe("BOUNCE");
    expect([l.excursionMax[0], l.excursionMin[0], l.strengthSigned[0]]).toEqual([0.5, 6, -5.5]);
  });

  test("UNDEFINED when the entry close is more than 5 pt from the level: every float null", () => {
    const l = label(breakUp, [{ bar: 3, level: 7000, dir: 1, entry: 7005.25 }], 120);
    expect(l.outcome[0]).toBe("UNDEFINED");
    expect([l.futurePrice[0], l.anchorSpot[0], l.excursionMax[0]].every(Number.isNaN)).toBe(true);
    expect([l.tradeable1[0], l.tradeable2[0], l.confirmValid[0]]).toEqual([0, 0, 0]);
  });

  test("CHOP without a touch of the exact level: only future_price is set", () => {
    const bars: BarSpec[] = breakUp.slice(0, 3).concat([{ at: "10:03", h: 7004, l: 7001, c: 7003 }, { at: "10:04", h: 7004, l: 7002, c: 7003 }]);
    const l = label(bars, [{ bar: 3, level: 7000, dir: 1 }], 120);
    expect([l.outcome[0], l.futurePrice[0], l.confirmValid[0]]).toEqual(["CHOP", 7003, 0]);
    expect(Number.isNaN(l.excursionMax[0]!)).toBe(true);
  });

  test("break and bounce on the same bar are settled by strength_signed (D-16)", () => {
    const bars: BarSpec[] = breakUp.slice(0, 3).concat([
      { at: "10:03", h: 7001, l: 6999.5, c: 7000 },
      { at: "10:04", h: 7008, l: 6994, c: 7000 }, // both thresholds, up 8 vs down 6
    ]);
    const l = label(bars, [{ bar: 3, level: 7000, dir: 1 }], 120);
    expect([l.outcome[0], l.timeToBreak2[0], l.timeToBounce2[0], l.strengthSigned[0]]).toEqual(["BREAK", 60, 60, 2]);
  });

  test("σ uses two close differences, else the mean true range, else the 15-point barrier", () => {
    const bars = makeBars(D, breakUp);
    expect(labelSigma(bars, 3, 2, 14)).toBe(1);
    // a = 2: one difference only → mean TR of bars 1..2, bar 1 using its own close
    expect(labelSigma(bars, 2, 2, 14)).toBe((1 + 1.5) / 2);
    expect(Number.isNaN(labelSigma(bars, 0, 2, 14))).toBe(true);
    const flat = label([{ at: "10:00", h: 7000, l: 7000, c: 7000 }, { at: "10:01", h: 7014, l: 7000, c: 7014 }, { at: "10:02", h: 7016, l: 7000, c: 7000 }], [{ bar: 0, level: 7000, dir: 1 }], 120);
    // barrier 15: the 14-point move is not a break, thr1 = 4.95 is
    expect([flat.outcome[0], flat.timeToBreak1[0], flat.timeToBreak2[0]]).toEqual(["BREAK", 60, 120]);
  });

  test("the stage writes 3 suffixed horizons plus unsuffixed copies of the 4-minute labels", () => {
    const ctx = context(D);
    ctx.ohlcv1m = makeBars(D, breakUp);
    ctx.events = eventsOnBars(ctx, [{ bar: 3, level: 7000, dir: 1 }, { bar: 3, level: 7010, dir: 1 }]);
    labelOutcomes.run(ctx);
    expect(ctx.out.size).toBe(64);
    expect(ctx.out.get("outcome")!.values).toEqual(ctx.out.get("outcome_4min")!.values);
    expect(ctx.out.get("outcome_8min")!.values).toEqual(["BREAK", "UNDEFINED"]);
    const confirm = ctx.out.get("confirm_ts_ns")!;
    expect(confirm.type).toBe("int64");
    expect([isNullAt(confirm, 0), isNullAt(confirm, 1)]).toEqual([false, true]);
    expect(ctx.out.get("tradeable_1_2min")!.values).toBeInstanceOf(Int8Array);
  });
});
