import { describe, expect, test } from "bun:test";
import stage from "../../../src/silver/pipeline/stages/s09-multi-window-ofi";
import { makeContext, makeEvents, makeMbp, values, type SnapSpec } from "./s07-s13-context";

const T = 36000;
/** Snapshot whose top-5 imbalance is `imb` (bid sizes 10+imb/5 …, ask 10 each; deep levels large but ignored). */
const snap = (sec: number, imb: number, ns?: number): SnapSpec => ({
  sec,
  ns,
  bid: [...Array(5).fill(0).map((_, k) => [7000 - 0.25 * k, 10 + imb / 5] as [number, number]), ...Array(5).fill([6990, 1000] as [number, number])],
  ask: [...Array(5).fill(0).map((_, k) => [7000.25 + 0.25 * k, 10] as [number, number]), ...Array(5).fill([7010, 7] as [number, number])],
});

function run(snaps: SnapSpec[], secs: number[], variant: "reference" | "corrected" = "reference", contOfi = variant === "corrected") {
  const ctx = makeContext(variant);
  ctx.cfg.fixes.contOfi = contOfi;
  ctx.mbp = makeMbp(snaps);
  ctx.events = makeEvents(secs.map((sec) => ({ sec, level: 7000, dir: "UP" as const })));
  stage.run(ctx);
  return ctx;
}

describe("S9 multi-window OFI (top-5 depth imbalance over [ts−W, ts])", () => {
  const snaps = [snap(T - 301, 1000), snap(T - 300, 50), snap(T - 120, 20), snap(T - 30, 5), snap(T, 10), snap(T + 1, 999)];

  test("sums and means over inclusive windows, deeper levels and later snapshots ignored", () => {
    const ctx = run(snaps, [T]);
    expect(values(ctx, "ofi_30s")).toEqual([15]);
    expect(values(ctx, "ofi_near_level_30s")).toEqual([7.5]);
    expect(values(ctx, "ofi_60s")).toEqual([15]);
    expect(values(ctx, "ofi_120s")).toEqual([35]);
    expect(values(ctx, "ofi_near_level_120s")[0]).toBeCloseTo(35 / 3, 15);
    expect(values(ctx, "ofi_300s")).toEqual([85]);
    expect(values(ctx, "ofi_near_level_300s")).toEqual([85 / 4]);
    expect(values(ctx, "ofi_acceleration")[0]).toBeCloseTo(15 / (35 + 1e-6), 15);
  });

  test("empty windows give 0 (and ofi_acceleration 0/(0+1e-6) = 0)", () => {
    const ctx = run(snaps, [T - 5000]);
    for (const c of stage.outputs) expect(values(ctx, c)).toEqual([0]);
  });

  test("equal timestamps: every snapshot at the same ts counts", () => {
    const ctx = run([snap(T, 5), snap(T, 5, T * 1e9)], [T]);
    expect(values(ctx, "ofi_30s")).toEqual([10]);
    expect(values(ctx, "ofi_near_level_30s")).toEqual([5]);
  });

  test("ofi_acceleration is unbounded in the reference when ofi_120s ≈ 0, bounded in the corrected variant", () => {
    const book = [snap(T - 100, -20), snap(T - 10, 20)];
    expect(values(run(book, [T]), "ofi_acceleration")[0]).toBeCloseTo(20 / 1e-6, 3);
    expect(values(run(book, [T], "corrected", false), "ofi_acceleration")[0]).toBeCloseTo(20 / (20 + 1e-6), 9);
  });

  test("an empty book (no snapshots at all) gives 0 everywhere", () => {
    const ctx = run([], [T]);
    for (const c of stage.outputs) expect(values(ctx, c)).toEqual([0]);
  });

  test("corrected (D-18): ofi_* is Cont order-flow imbalance from best bid/ask price and size changes", () => {
    // one-level book: [bid px, bid sz] | [ask px, ask sz]
    const best = (sec: number, bid: [number, number], ask: [number, number]): SnapSpec => ({ sec, bid: [bid], ask: [ask] });
    const book = [
      best(T - 200, [7000, 10], [7000.25, 10]), // e0 = 0 (no predecessor)
      best(T - 100, [7000, 15], [7000.25, 10]), // bid same: +15 − 10; ask same: −10 + 10 → e1 = 5
      best(T - 20, [7000.25, 4], [7000.5, 8]), // bid up: +4; ask up: +10 (the old best ask left) → e2 = 14
      best(T - 10, [7000, 12], [7000.25, 6]), // bid down: −4; ask down: −6 → e3 = −10
      best(T, [7000, 12], [7000.25, 9]), // bid same: +12 − 12; ask same: −9 + 6 → e4 = −3
      best(T + 1, [7010, 999], [7010.25, 1]), // after the event: ignored
    ];
    const pit = run(book, [T], "corrected");
    expect(values(pit, "ofi_30s")).toEqual([1]); // 14 − 10 − 3
    expect(values(pit, "ofi_near_level_30s")[0]).toBeCloseTo(1 / 3, 15);
    expect(values(pit, "ofi_60s")).toEqual([1]);
    expect(values(pit, "ofi_120s")).toEqual([6]); // 5 + 14 − 10 − 3
    expect(values(pit, "ofi_near_level_120s")).toEqual([1.5]);
    expect(values(pit, "ofi_300s")).toEqual([6]);
    expect(values(pit, "ofi_near_level_300s")).toEqual([6 / 5]);
    expect(values(pit, "ofi_acceleration")[0]).toBeCloseTo((1 - 6) / (1 + 6 + 1e-6), 12);
    // the reference's depth imbalance of the same snapshots: (4 − 8) + (12 − 6) + (12 − 9) = 5
    expect(values(run(book, [T]), "ofi_30s")).toEqual([5]);
  });
});
