import { describe, expect, test } from "bun:test";
import { epochDayOf, formatEpochDay, isWeekdayDay, weekdayOf } from "../../../src/core/time/calendar";
import { etToUtcMs, nyOffsetMinutes, wallClockToUtcMs } from "../../../src/core/time/eastern";
import { frontContract, quarterlyExpiringOnOrAfter, thirdFridayDay } from "../../../src/core/time/futures-contracts";

const day = (d: string) => epochDayOf(d)!;
const iso = (ms: number) => new Date(ms).toISOString();

describe("calendar dates as epoch days", () => {
  test("round-trips calendar dates and rejects the rest", () => {
    expect(day("1970-01-01")).toBe(0);
    expect(formatEpochDay(day("2026-03-09"))).toBe("2026-03-09");
    expect(epochDayOf("2026-02-30")).toBeNull();
    expect(epochDayOf("2026-3-09")).toBeNull();
  });

  test("weekdays by integer arithmetic (1970-01-01 was a Thursday)", () => {
    expect(weekdayOf(0)).toBe(4);
    expect(["2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"].map((d) => isWeekdayDay(day(d)))).toEqual([true, false, false, true]);
  });
});

describe("New York wall time", () => {
  test("09:30 ET is 14:30 UTC in EST and 13:30 UTC in EDT, either side of the March switch", () => {
    expect(iso(etToUtcMs(day("2026-03-06"), 9, 30))).toBe("2026-03-06T14:30:00.000Z");
    expect(iso(etToUtcMs(day("2026-03-09"), 9, 30))).toBe("2026-03-09T13:30:00.000Z");
    expect(iso(etToUtcMs(day("2026-10-30"), 16, 0))).toBe("2026-10-30T20:00:00.000Z");
    expect(iso(etToUtcMs(day("2026-11-02"), 16, 0))).toBe("2026-11-02T21:00:00.000Z");
  });

  test("switch-day edge times: skipped 02:30 uses the daylight offset, repeated 01:30 the first (EDT)", () => {
    expect(iso(wallClockToUtcMs(day("2026-03-08") * 86_400_000, 150))).toBe("2026-03-08T06:30:00.000Z");
    expect(iso(wallClockToUtcMs(day("2026-11-01") * 86_400_000, 90))).toBe("2026-11-01T05:30:00.000Z");
    expect(nyOffsetMinutes(Date.parse("2026-03-08T06:59:59Z"))).toBe(-300);
    expect(nyOffsetMinutes(Date.parse("2026-03-08T07:00:00Z"))).toBe(-240);
  });

  test("pre-2007 dates follow the old US rule (first Sunday of April)", () => {
    expect(iso(etToUtcMs(day("2005-03-30"), 9, 30))).toBe("2005-03-30T14:30:00.000Z");
    expect(iso(etToUtcMs(day("2005-04-04"), 9, 30))).toBe("2005-04-04T13:30:00.000Z");
  });
});

describe("ES quarterly calendar (contracts §6.4)", () => {
  test("third Fridays and the expiry − 8 days roll", () => {
    expect(formatEpochDay(thirdFridayDay(2025, 12))).toBe("2025-12-19");
    expect(formatEpochDay(thirdFridayDay(2026, 3))).toBe("2026-03-20");
    expect(frontContract(day("2025-12-10")).code).toBe("ESZ5");
    expect(frontContract(day("2025-12-11")).code).toBe("ESH6");
    expect(frontContract(day("2026-12-31")).code).toBe("ESH7");
  });

  test("the next quarterly expiry on or after a day", () => {
    expect(quarterlyExpiringOnOrAfter(day("2026-03-20")).code).toBe("ESH6");
    expect(quarterlyExpiringOnOrAfter(day("2026-03-21")).code).toBe("ESM6");
    expect(quarterlyExpiringOnOrAfter(day("2026-12-19")).code).toBe("ESH7");
  });
});
