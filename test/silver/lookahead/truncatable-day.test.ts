/** TruncatableDay: Bronze of one date cut in memory exactly as a live run would have seen it. */
import { describe, expect, test } from "bun:test";
import { frameInput } from "../../../src/silver/pipeline/bronze-input";
import { referenceConfig } from "../../../src/silver/pipeline/config";
import { mbpWindow } from "../../../src/silver/pipeline/stages/s01-load-bronze";
import { countAtOrBelow, TruncatableDay } from "../../../src/silver/lookahead/day";
import { context, daysOf, et, mbpFrame, optionsFrame, tradesFrame } from "../pipeline/stage-test-helpers";

const D = "2026-01-14";

describe("TruncatableDay", () => {
  test("countAtOrBelow is the number of sorted values ≤ x", () => {
    const xs = Float64Array.of(1, 2, 2, 5);
    expect([0, 1, 2, 4, 5, 9].map((x) => countAtOrBelow(xs, x))).toEqual([0, 1, 3, 3, 4, 4]);
  });

  test("trades, options and the book keep exactly the rows with ts ≤ cut; the cut's bucket gets the row known then", async () => {
    const ctx = context(D, { cfg: referenceConfig() });
    const T0 = mbpWindow(ctx).t0;
    const ms = (n: number) => T0 + BigInt(n) * 1_000_000n;
    // round-half-even buckets of 250 ms centred on T0 + k·250: rows at 990 and 1100 ms are both bucket 4
    const bronze = frameInput({
      trades: { [D]: tradesFrame([{ ts: et(D, "10:00"), price: 7000 }, { ts: et(D, "10:00", 500), price: 7001 }, { ts: et(D, "10:01"), price: 7002 }]) },
      mbp10: { [D]: mbpFrame([{ ts: ms(500), bidSz1: 1 }, { ts: ms(990), bidSz1: 2 }, { ts: ms(1100), bidSz1: 3 }, { ts: ms(2000), bidSz1: 4 }]) },
      options: { [D]: optionsFrame([{ ts: et(D, "10:00", 700), strike: 7000, right: "C", expDays: daysOf(D) }, { ts: et(D, "09:59"), strike: 7005, right: "P", expDays: daysOf(D) }]) },
    });
    const day = await TruncatableDay.load(bronze, ctx);
    expect(day.bookRows(ctx)).toBe(4);

    const whole = day.at(null, ctx);
    expect(Array.from(whole.mbp.bidSz[0]!)).toEqual([1, 3, 4]); // bucket 4's whole-day winner is the 1100 ms row

    const cut = day.at(ms(1050), ctx);
    expect(Array.from(cut.mbp.bidSz[0]!)).toEqual([1, 2]); // at 1050 ms only the 990 ms row of bucket 4 exists

    const t = day.at(et(D, "10:00", 500), ctx);
    expect(Array.from(t.trades.price)).toEqual([7000, 7001]); // inclusive cut
    expect(Array.from(t.options.strike)).toEqual([7005]); // table order kept, later trade dropped
  });
});
