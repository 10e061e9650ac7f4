/** S4 InitMarketState (§5.4, §10): end-of-day spot, Black-76 gamma, option flows. */
import { describe, expect, test } from "bun:test";
import { erfA } from "../../../src/core/black76";
import initMarketState from "../../../src/silver/pipeline/stages/s04-init-market-state";
import { black76Greeks } from "../../../src/core/black76";
import { optionsFromFrame, tradesFromFrame } from "../../../src/silver/pipeline/stages/s01-load-bronze";
import { context, daysOf, et, optionsFrame, tradesFrame } from "./stage-test-helpers";

const D = "2026-01-14";

describe("S4 InitMarketState", () => {
  test("spot is the last trade of the day inside the sanity range, even after the session [REF]", () => {
    const ctx = context(D);
    ctx.trades = tradesFromFrame(tradesFrame([{ ts: et(D, "10:00"), price: 7000 }, { ts: et(D, "15:59"), price: 7012.5 }, { ts: et(D, "16:00"), price: 12000 }]), ctx.originNs);
    initMarketState.run(ctx);
    expect(ctx.spot).toBe(7012.5);
  });

  test("spot falls back to 6000 when no trade passes the filter", () => {
    const ctx = context(D);
    ctx.trades = tradesFromFrame(tradesFrame([{ ts: et(D, "10:00"), price: 2000 }]), ctx.originNs);
    initMarketState.run(ctx);
    expect(ctx.spot).toBe(6000);
  });

  test("gamma is Black-76 at σ 20 %, r 4.5 %, expiring 21:00 UTC on D; zero after expiry", () => {
    const ctx = context(D);
    ctx.trades = tradesFromFrame(tradesFrame([{ ts: et(D, "10:00"), price: 7000 }]), ctx.originNs);
    const expiry = BigInt(Date.parse(`${D}T21:00:00Z`)) * 1_000_000n;
    const ts = et(D, "10:00");
    ctx.options = optionsFromFrame(
      optionsFrame([
        { ts, strike: 7010, right: "C", expDays: daysOf(D) },
        { ts: expiry, strike: 7010, right: "P", expDays: daysOf(D) },
      ]),
      ctx.originNs,
    );
    initMarketState.run(ctx);
    const T = Number(expiry - ts) / 1e9 / (252 * 6.5 * 3600);
    const d1 = (Math.log(7000 / 7010) + 0.5 * 0.04 * T) / (0.2 * Math.sqrt(T));
    const want = (Math.exp(-0.045 * T) * Math.exp(-d1 * d1 / 2) / Math.sqrt(2 * Math.PI)) / (7000 * 0.2 * Math.sqrt(T));
    expect(Math.abs(ctx.options.gamma![0]! - want) / want).toBeLessThan(1e-12);
    expect(ctx.options.gamma![1]).toBe(0);
    expect(ctx.options.delta![0]).toBeCloseTo(Math.exp(-0.045 * T) * 0.5 * (1 + erfA(d1 / Math.SQRT2)), 15);
  });

  test("delta conventions at and after expiry", () => {
    expect(black76Greeks(true, 7000, 6990, 0, 0.2, 0.045)).toEqual({ gamma: 0, delta: 1 });
    expect(black76Greeks(false, 7000, 7010, 0, 0.2, 0.045)).toEqual({ gamma: 0, delta: -1 });
    expect(black76Greeks(true, 7000, 7000, 0, 0.2, 0.045)).toEqual({ gamma: 0, delta: 0 });
    expect(black76Greeks(true, 7000, 0, 0.01, 0.2, 0.045)).toEqual({ gamma: 0, delta: 0 });
  });

  test("flows sum −aggressor·size·gamma·50 per (strike, right, exp_date), skipping null aggressors", () => {
    const ctx = context(D);
    ctx.trades = tradesFromFrame(tradesFrame([{ ts: et(D, "10:00"), price: 7000 }]), ctx.originNs);
    const ts = et(D, "11:00");
    ctx.options = optionsFromFrame(
      optionsFrame([
        { ts, strike: 7000, right: "C", size: 2, aggressor: 1, expDays: daysOf(D) },
        { ts, strike: 7000, right: "C", size: 3, aggressor: -1, expDays: daysOf(D) },
        { ts, strike: 7000, right: "C", size: 5, aggressor: null, expDays: daysOf(D) },
        { ts, strike: 7000, right: "P", size: 1, aggressor: 0, expDays: daysOf(D) },
      ]),
      ctx.originNs,
    );
    initMarketState.run(ctx);
    const g = ctx.options.gamma![0]!;
    expect(ctx.optionFlows!.map((f) => [f.strike, f.right, f.expDate])).toEqual([[7000, "C", D], [7000, "P", D]]);
    expect(ctx.optionFlows![0]!.netGammaFlow).toBeCloseTo(-(2 * g * 50) + 3 * g * 50, 12);
    expect(ctx.optionFlows![1]!.netGammaFlow + 0).toBe(0);
  });

  test("a day without options gives no flows", () => {
    const ctx = context(D);
    ctx.trades = tradesFromFrame(tradesFrame([{ ts: et(D, "10:00"), price: 7000 }]), ctx.originNs);
    ctx.options = optionsFromFrame(optionsFrame([]), ctx.originNs);
    initMarketState.run(ctx);
    expect(ctx.optionFlows).toEqual([]);
  });
});
