/**
 * [FIX] D-10: the corrected variant builds a date from one front month picked point-in-time
 * (the roll calendar), and the look-ahead analysis picks it on every cut, so a whole-day pick
 * (the most-traded contract of the day) is visible as a difference between cut and whole day.
 */
import { describe, expect, test } from "bun:test";
import { frameInput } from "../../../src/silver/pipeline/bronze-input";
import { correctedConfig, referenceConfig, type PipelineConfig } from "../../../src/silver/pipeline/config";
import { calendarFrontMonth } from "../../../src/silver/pipeline/front-month";
import loadBronze from "../../../src/silver/pipeline/stages/s01-load-bronze";
import { TruncatableDay } from "../../../src/silver/lookahead/day";
import { context, et, mbpFrame, tradesFrame } from "./stage-test-helpers";

// 2026-03-20 is the third Friday of March: ESH6 expires then, so ESM6 is front from 2026-03-12.
const ROLL = "2026-03-12";

function dayVolumeConfig(): PipelineConfig {
  const c = correctedConfig();
  return { ...c, session: { ...c.session, frontMonthRule: "day-volume" } };
}

/** Roll day: the expiring ESH6 trades first, the new ESM6 takes over at 10:30 with more trades. */
function rollDay() {
  const h = (hhmm: string, price: number) => ({ ts: et(ROLL, hhmm), price, symbol: "ESH6" });
  const m = (hhmm: string, price: number) => ({ ts: et(ROLL, hhmm), price, symbol: "ESM6" });
  return frameInput({
    trades: { [ROLL]: tradesFrame([h("09:31", 6000), h("09:40", 6001), m("10:30", 6050), m("10:31", 6051), m("10:32", 6052)]) },
    mbp10: {
      [ROLL]: mbpFrame([
        { ts: et(ROLL, "09:31"), bidSz1: 1, symbol: "ESH6" },
        { ts: et(ROLL, "09:31"), bidSz1: 2, symbol: "ESM6" },
        { ts: et(ROLL, "10:30"), bidSz1: 3, symbol: "ESH6" },
        { ts: et(ROLL, "10:30"), bidSz1: 4, symbol: "ESM6" },
      ]),
    },
  });
}

describe("D-10 front month", () => {
  test("the roll calendar: the next quarterly is front from its predecessor's expiry − 8 days", () => {
    expect(calendarFrontMonth("2026-03-11")).toBe("ESH6");
    expect(calendarFrontMonth(ROLL)).toBe("ESM6");
    expect(calendarFrontMonth("2025-12-10")).toBe("ESZ5");
    expect(calendarFrontMonth("2025-12-11")).toBe("ESH6");
  });

  test("S1: reference keeps every contract, corrected keeps the calendar front month (trades and book)", async () => {
    const ref = context(ROLL, { cfg: referenceConfig(), bronze: rollDay() });
    await loadBronze.run(ref);
    expect(ref.trades!.symbol).toEqual(["ESH6", "ESH6", "ESM6", "ESM6", "ESM6"]);
    expect(ref.mbp!.n).toBe(2); // both contracts' rows share the two buckets; the later row of each wins

    const pit = context(ROLL, { variant: "corrected", cfg: correctedConfig(), bronze: rollDay() });
    await loadBronze.run(pit);
    expect(pit.trades!.symbol).toEqual(["ESM6", "ESM6", "ESM6"]);
    expect(Array.from(pit.mbp!.bidSz[0]!)).toEqual([2, 4]);
  });

  test("the look-ahead cut sees the pick a live run would make: a whole-day volume pick differs, the calendar does not", async () => {
    const cut = et(ROLL, "10:00");
    const vol = context(ROLL, { variant: "corrected", cfg: dayVolumeConfig(), bronze: rollDay() });
    const volDay = await TruncatableDay.load(rollDay(), vol);
    // at 10:00 only ESH6 has traded; over the whole day ESM6 leads 3 to 2
    expect(volDay.at(cut, vol).trades.symbol).toEqual(["ESH6", "ESH6"]);
    expect(volDay.at(null, vol).trades.symbol).toEqual(["ESM6", "ESM6", "ESM6"]);
    expect(Array.from(volDay.at(cut, vol).mbp.bidSz[0]!)).toEqual([1]);

    const cal = context(ROLL, { variant: "corrected", cfg: correctedConfig(), bronze: rollDay() });
    const calDay = await TruncatableDay.load(rollDay(), cal);
    expect(calDay.at(cut, cal).trades.n).toBe(0); // ESM6 had not traded yet at 10:00
    expect(calDay.at(null, cal).trades.symbol).toEqual(["ESM6", "ESM6", "ESM6"]);
    expect(Array.from(calDay.at(cut, cal).mbp.bidSz[0]!)).toEqual([2]);
  });

  test("an unknown rule is refused with the allowed names", async () => {
    const c = correctedConfig();
    const bad = context(ROLL, { variant: "corrected", cfg: { ...c, session: { ...c.session, frontMonthRule: "biggest" } }, bronze: rollDay() });
    await expect(loadBronze.run(bad)).rejects.toThrow(/frontMonthRule.*calendar, day-volume/);
  });
});
