import { describe, expect, test } from "bun:test";
import { erfA } from "../../../src/core/black76";
import { popstd, roundHalfEven, truncCentsText } from "../../../src/silver/pipeline/numeric";
import { pyRound2Key } from "../../../src/core/pyformat";
import { isWeekday } from "../../../src/core/time/es-calendar";
import { etInstantNs, etMinuteOfDay, utcMidnightNs } from "../../../src/core/time/session";

const utc = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

describe("numeric primitives the reference depends on (§14, D-31)", () => {
  test("roundHalfEven settles exact halves to the even neighbour", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map((x) => roundHalfEven(x) + 0)).toEqual([0, 2, 2, 0, -2, 2, 3]);
  });

  test("pyRound2Key rounds the exact binary value with ties to even, like Python round(x, 2)", () => {
    // exact binary ties (x·200 odd, dyadic): Python gives the even hundredth
    expect(pyRound2Key(0.125)).toBe("0.12");
    expect(pyRound2Key(0.375)).toBe("0.38");
    expect(pyRound2Key(7004.125)).toBe("7004.12");
    // 2.675 is stored below the half, so Python (and we) give 2.67, not 2.68
    expect(pyRound2Key(2.675)).toBe("2.67");
    expect(pyRound2Key(7007.955625)).toBe("7007.96");
    expect(pyRound2Key(6999.75)).toBe(pyRound2Key(6999.7500000001));
  });

  test("truncCentsText truncates the IEEE product L·100 toward zero (event_id, §7)", () => {
    expect(truncCentsText(6999.75)).toBe("699975");
    expect(truncCentsText(5929)).toBe("592900");
    // 1.15·100 = 114.99999999999999 in binary → 114 (the binary-error case §7 warns about)
    expect(1.15 * 100 < 115).toBe(true);
    expect(truncCentsText(1.15)).toBe("114");
  });

  test("erfA is the Abramowitz–Stegun 7.1.26 approximation (|error| < 1.5e-7)", () => {
    const refs: [number, number][] = [[0, 0], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [-1.5, -0.9661051464753108], [3, 0.9999779095030014]];
    for (const [x, want] of refs) expect(Math.abs(erfA(x) - want)).toBeLessThan(1.5e-7);
    expect(erfA(0.5)).not.toBe(0.5204998778130465);
  });

  test("popstd divides by n", () => {
    expect(popstd([1, 3])).toBe(1);
    expect(popstd([2, 2, 2])).toBe(0);
    expect(Number.isNaN(popstd([]))).toBe(true);
  });
});

describe("session time is DST-aware (§0, §4)", () => {
  test("ET(D, 09:30) is 14:30 UTC in winter and 13:30 UTC in summer", () => {
    expect(etInstantNs("2026-01-14", 570)).toBe(utc("2026-01-14T14:30:00Z"));
    expect(etInstantNs("2025-07-15", 570)).toBe(utc("2025-07-15T13:30:00Z"));
  });

  test("on the DST switch days the wall clock after 02:00 uses the new offset", () => {
    expect(etInstantNs("2026-03-08", 570)).toBe(utc("2026-03-08T13:30:00Z"));
    expect(etInstantNs("2026-03-08", 60)).toBe(utc("2026-03-08T06:00:00Z"));
    expect(etInstantNs("2025-11-02", 570)).toBe(utc("2025-11-02T14:30:00Z"));
  });

  test("etMinuteOfDay reads the wall clock of each instant, across a DST switch", () => {
    const origin = utcMidnightNs("2026-03-08");
    const at = (iso: string) => Number(utc(iso) - origin);
    const m = etMinuteOfDay(Float64Array.from([at("2026-03-08T06:59:00Z"), at("2026-03-08T07:00:00Z"), at("2026-03-08T00:00:00Z")]), origin);
    expect(Array.from(m)).toEqual([1 * 60 + 59, 3 * 60, 19 * 60]);
  });

  test("weekday test uses the calendar date", () => {
    expect(["2026-01-09", "2026-01-10", "2026-01-11", "2026-01-12"].map(isWeekday)).toEqual([true, false, false, true]);
  });
});
