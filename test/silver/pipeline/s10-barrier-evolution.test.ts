import { describe, expect, test } from "bun:test";
import stage from "../../../src/silver/pipeline/stages/s10-barrier-evolution";
import { makeContext, makeEvents, makeMbp, values, type SnapSpec } from "./s07-s13-context";

const T = 36000;
/** Snapshot whose top-5 bid+ask depth is `depth` (deep levels hold 1000 each and must be ignored). */
const snap = (sec: number, depth: number): SnapSpec => ({
  sec,
  bid: [[7000, depth], [6999.75, 0], [6999.5, 0], [6999.25, 0], [6999, 0], ...Array(5).fill([6990, 1000] as [number, number])],
  ask: [[7000.25, 0], [7000.5, 0], [7000.75, 0], [7001, 0], [7001.25, 0], ...Array(5).fill([7010, 1000] as [number, number])],
});

function run(snaps: SnapSpec[], secs: number[]) {
  const ctx = makeContext();
  ctx.mbp = makeMbp(snaps);
  ctx.events = makeEvents(secs.map((sec) => ({ sec, level: 7000, dir: "DOWN" as const })));
  stage.run(ctx);
  return ctx;
}

describe("S10 barrier evolution (top-5 depth, last snapshot ≤ ts vs ≤ ts − w)", () => {
  test("deltas and percent changes against the last snapshot at or before ts − w", () => {
    const ctx = run([snap(T - 301, 400), snap(T - 180, 200), snap(T - 61, 250), snap(T, 300), snap(T + 1, 1)], [T]);
    expect(values(ctx, "barrier_depth_current")).toEqual([300]);
    expect(values(ctx, "barrier_delta_1min")).toEqual([50]); // past = T−61 (250)
    expect(values(ctx, "barrier_pct_change_1min")).toEqual([50 / 250]);
    expect(values(ctx, "barrier_delta_3min")).toEqual([100]); // past = T−180 exactly (200)
    expect(values(ctx, "barrier_pct_change_3min")).toEqual([0.5]);
    expect(values(ctx, "barrier_delta_5min")).toEqual([-100]); // past = T−301 (400)
    expect(values(ctx, "barrier_pct_change_5min")).toEqual([-0.25]);
  });

  test("no snapshot at or before ts → every value 0; none before ts − w → that window 0", () => {
    const ctx = run([snap(T - 100, 80), snap(T, 100)], [T - 200, T]);
    expect(values(ctx, "barrier_depth_current")).toEqual([0, 100]);
    expect(values(ctx, "barrier_delta_1min")).toEqual([0, 20]);
    expect(values(ctx, "barrier_delta_3min")).toEqual([0, 0]);
    expect(values(ctx, "barrier_pct_change_5min")).toEqual([0, 0]);
  });

  test("zero past depth gives a delta but a 0 percent change", () => {
    const ctx = run([snap(T - 60, 0), snap(T, 40)], [T]);
    expect(values(ctx, "barrier_delta_1min")).toEqual([40]);
    expect(values(ctx, "barrier_pct_change_1min")).toEqual([0]);
  });

  test("fewer than 2 snapshots: past may be the current snapshot itself → delta 0", () => {
    const ctx = run([snap(T - 400, 70)], [T]);
    expect(values(ctx, "barrier_depth_current")).toEqual([70]);
    expect(values(ctx, "barrier_delta_5min")).toEqual([0]);
    expect(values(ctx, "barrier_pct_change_5min")).toEqual([0]);
  });

  test("an empty book (no snapshots at all) gives 0 everywhere", () => {
    const ctx = run([], [T]);
    for (const c of stage.outputs) expect(values(ctx, c)).toEqual([0]);
  });
});
