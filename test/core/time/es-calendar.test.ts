import { describe, expect, test } from "bun:test";
import { esFrontMonth, esFrontMonthCode, rthWindow, thirdFriday, validateContract, zonedTimeToUtcNs } from "../../../src/core/time/es-calendar";

const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();

describe("esFrontMonthCode follows the §6.4 quarterly calendar", () => {
  test.each([
    ["2025-11-03", "ESZ5"],
    ["2025-12-10", "ESZ5"],
    ["2025-12-11", "ESH6"], // Dec-2025 expiry 12-19, roll date 12-11
    ["2025-12-20", "ESH6"],
    ["2025-12-22", "ESH6"],
    ["2026-03-12", "ESM6"],
    ["2029-12-13", "ESH0"],
  ])("%s → %s", (date, code) => {
    expect(esFrontMonthCode(date)).toBe(code);
  });

  test("the expiry is the third Friday and the roll date is 8 calendar days before", () => {
    expect(new Date(thirdFriday(2025, 12)).toISOString().slice(0, 10)).toBe("2025-12-19");
    expect(new Date(thirdFriday(2026, 3)).toISOString().slice(0, 10)).toBe("2026-03-20");
    expect(esFrontMonth("2026-03-11")).toMatchObject({ code: "ESH6", expiration: "2026-03-20", rollDate: "2026-03-12" });
  });

  test("validateContract compares against the calendar", () => {
    expect(validateContract("ESH6", "2026-01-14")).toEqual({ ok: true, expected: "ESH6" });
    expect(validateContract("ESM6", "2026-01-14")).toEqual({ ok: false, expected: "ESH6" });
  });

  test("a malformed date is a usage error", () => {
    expect(() => esFrontMonthCode("2026-02-30")).toThrow(/invalid date/);
  });
});

describe("RTH window is 09:30–13:30 America/New_York with daylight saving", () => {
  test.each([
    ["2026-03-06", "2026-03-06T14:30:00.000Z", "2026-03-06T18:30:00.000Z"], // Friday before DST starts (EST)
    ["2026-03-09", "2026-03-09T13:30:00.000Z", "2026-03-09T17:30:00.000Z"], // Monday after DST starts (EDT)
    ["2026-10-30", "2026-10-30T13:30:00.000Z", "2026-10-30T17:30:00.000Z"], // Friday before DST ends (EDT)
    ["2026-11-02", "2026-11-02T14:30:00.000Z", "2026-11-02T18:30:00.000Z"], // Monday after DST ends (EST)
    ["2026-07-15", "2026-07-15T13:30:00.000Z", "2026-07-15T17:30:00.000Z"],
  ])("%s", (date, start, end) => {
    const w = rthWindow(date)!;
    expect(iso(w.startNs)).toBe(start);
    expect(iso(w.endNs)).toBe(end);
  });

  test("weekends have no window (the whole UTC day counts)", () => {
    expect(rthWindow("2026-03-08")).toBeNull(); // the DST-transition Sunday itself
    expect(rthWindow("2026-01-17")).toBeNull();
  });

  test("wall times on the transition days resolve to the right instant", () => {
    // 2026-03-08 03:30 EDT exists (02:00→03:00 jump); 2026-11-01 01:30 is ambiguous → first (EDT).
    expect(iso(zonedTimeToUtcNs("2026-03-08", "03:30", "America/New_York"))).toBe("2026-03-08T07:30:00.000Z");
    expect(iso(zonedTimeToUtcNs("2026-03-08", "01:30", "America/New_York"))).toBe("2026-03-08T06:30:00.000Z");
    expect(iso(zonedTimeToUtcNs("2026-11-01", "09:30", "America/New_York"))).toBe("2026-11-01T14:30:00.000Z");
    expect(iso(zonedTimeToUtcNs("2026-07-01", "09:30", "Europe/London"))).toBe("2026-07-01T08:30:00.000Z");
  });

  test("configured window and zone are honoured", () => {
    const w = rthWindow("2026-01-14", { start: "08:30", end: "15:00", timeZone: "America/Chicago" })!;
    expect(iso(w.startNs)).toBe("2026-01-14T14:30:00.000Z");
    expect(iso(w.endNs)).toBe("2026-01-14T21:00:00.000Z");
    expect(() => rthWindow("2026-01-14", { timeZone: "Mars/Base" })).toThrow(/unknown time zone/);
  });
});
