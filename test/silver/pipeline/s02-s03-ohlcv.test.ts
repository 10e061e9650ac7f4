/** S2/S3 BuildOHLCV (§5.2, §5.3): bars with gaps, ties, the price filter, ATR14, warm-up days. */
import { describe, expect, test } from "bun:test";
import { atr, buildBars } from "../../../src/silver/pipeline/bars";
import { frameInput } from "../../../src/silver/pipeline/bronze-input";
import buildOhlcv1m from "../../../src/silver/pipeline/stages/s02-build-ohlcv-1m";
import buildOhlcv2m from "../../../src/silver/pipeline/stages/s03-build-ohlcv-2m";
import { warmupDates } from "../../../src/core/time/warmup";
import loadBronze from "../../../src/silver/pipeline/stages/s01-load-bronze";
import { context, et, makeBars, mbpFrame, tradesFrame } from "./stage-test-helpers";

const D = "2026-01-14";
const filter = { priceMin: 3000, priceMax: 10000 };

describe("S2 BuildOHLCV 1 min", () => {
  test("emits only non-empty minutes (gaps stay gaps) with open/close from ts order", async () => {
    const a = et(D, "10:00");
    const c = et(D, "10:03");
    const trades = tradesFrame([
      { ts: a + 1n, price: 7001, size: 2 },
      { ts: a + 1n, price: 7004, size: 1, seq: 99 }, // same ts, later seq → close candidate
      { ts: a + 30n, price: 6999, size: 3 },
      { ts: a + 59_999_999_999n, price: 7002, size: 1 },
      { ts: c, price: 7010, size: 5 },
    ]);
    const ctx = context(D, { bronze: frameInput({ trades: { [D]: trades }, mbp10: { [D]: mbpFrame([{ ts: a }]) } }) });
    await loadBronze.run(ctx);
    await buildOhlcv1m.run(ctx);
    const b = ctx.ohlcv1m!;
    expect(Array.from(b.ts)).toEqual([a, c]);
    expect([b.open[0], b.high[0], b.low[0], b.close[0], b.volume[0]]).toEqual([7001, 7004, 6999, 7002, 7]);
    expect([b.open[1], b.close[1], b.volume[1]]).toEqual([7010, 7010, 5]);
  });

  test("drops prices outside the strict (3000, 10000) sanity range", () => {
    const t = Float64Array.from([0, 1, 2, 3]);
    const bars = buildBars(t, Float64Array.from([3000, 7000, 10000, 3000.25]), Float64Array.from([1, 1, 1, 1]), 60e9, 0n, filter);
    expect(bars.n).toBe(1);
    expect([bars.low[0], bars.high[0], bars.volume[0]]).toEqual([3000.25, 7000, 2]);
  });

  test("ATR14 is a trailing mean over up to 14 true ranges, TR_0 using its own close", () => {
    const specs = Array.from({ length: 16 }, (_, i) => ({ at: `10:${String(i).padStart(2, "0")}`, h: 7002 + i, l: 7000 + i, c: 7001 + i }));
    const bars = makeBars(D, specs);
    const a = atr(bars, 14);
    // TR_0 = 2; from bar 1 on: max(h−l, |h−prevC|, |l−prevC|) = max(2, 2, 0) = 2
    expect(a[0]).toBe(2);
    expect(a[15]).toBe(2);
    const spiky = makeBars(D, [{ at: "10:00", h: 7001, l: 7000, c: 7000 }, { at: "10:05", h: 7010, l: 7009, c: 7010 }]);
    expect(Array.from(atr(spiky, 14))).toEqual([1, (1 + 10) / 2]);
  });
});

describe("S3 BuildOHLCV 2 min with warm-up", () => {
  test("takes up to 3 listed weekdays before D, skipping weekends, none when D is not listed", () => {
    const listed = ["2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11", "2026-01-12", "2026-01-13", "2026-01-14"];
    expect(warmupDates(listed, "2026-01-14", 3)).toEqual(["2026-01-09", "2026-01-12", "2026-01-13"]);
    expect(warmupDates(listed, "2026-01-09", 3)).toEqual(["2026-01-08"]);
    expect(warmupDates(listed.filter((d) => d !== "2026-01-14"), "2026-01-14", 3)).toEqual([]);
    // a missing day is not replaced by an older one
    expect(warmupDates(["2026-01-05", "2026-01-13", "2026-01-14"], "2026-01-14", 3)).toEqual(["2026-01-05", "2026-01-13"]);
  });

  test("prepends the warm-up days' 2-minute bars in time order", async () => {
    const prev = "2026-01-13";
    const trades = {
      [prev]: tradesFrame([{ ts: et(prev, "10:00"), price: 6990 }, { ts: et(prev, "10:01"), price: 6991 }, { ts: et(prev, "10:02"), price: 6992 }]),
      [D]: tradesFrame([{ ts: et(D, "10:00"), price: 7000 }]),
    };
    const ctx = context(D, { bronze: frameInput({ trades, mbp10: { [D]: mbpFrame([{ ts: et(D, "10:00") }]) } }) });
    await loadBronze.run(ctx);
    await buildOhlcv2m.run(ctx);
    expect(ctx.warmupDates).toEqual([prev]);
    const b = ctx.ohlcv2m!;
    expect(Array.from(b.close)).toEqual([6991, 6992, 7000]);
    expect(Array.from(b.ts)).toEqual([et(prev, "10:00"), et(prev, "10:02"), et(D, "10:00")]);
  });
});
