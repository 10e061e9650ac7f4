import { describe, expect, test } from "bun:test";
import { parseDate } from "../../src/core/time/dates";
import { esFrontMonthCode } from "../../src/core/time/es-calendar";
import { frontContract } from "../../src/core/time/futures-contracts";
import { dayContracts } from "../../src/sim/futures-contracts";
import { generateDays } from "../../src/sim/day";

const shares = (date: string, rollDate?: string) =>
  Object.fromEntries(dayContracts(parseDate(date), 60, rollDate ? { rollDate } : {}).map((c) => [c.symbol, c.share]));

describe("ES contract calendar (§6.4)", () => {
  test("front month codes and roll dates follow the spec examples", () => {
    expect(esFrontMonthCode("2025-11-03")).toBe("ESZ5");
    expect(esFrontMonthCode("2025-12-10")).toBe("ESZ5");
    expect(esFrontMonthCode("2025-12-11")).toBe("ESH6");
    expect(esFrontMonthCode("2025-12-20")).toBe("ESH6");
    expect(esFrontMonthCode("2026-03-12")).toBe("ESM6");
    expect(esFrontMonthCode("2029-12-13")).toBe("ESH0");
    expect(frontContract(parseDate("2026-03-02")).expiry).toBe(parseDate("2026-03-20"));
  });
});

describe("volume split and the roll", () => {
  test("the dominant contract is always the calendar front month; the next one gains share before the roll", () => {
    for (const d of ["2026-03-02", "2026-03-06", "2026-03-09", "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-19", "2026-03-23"]) {
      const cs = dayContracts(parseDate(d), 60);
      expect(cs[0]!.symbol).toBe(esFrontMonthCode(d));
      expect(cs[0]!.share).toBeGreaterThan(0.5);
      expect(cs[0]!.share + cs[1]!.share).toBeCloseTo(1, 12);
    }
    expect(shares("2026-03-05")).toEqual({ ESH6: 0.95, ESM6: 0.05 });
    // prints follow the volume share, but a 5 % back month prints rarely (and in size)
    const quiet = dayContracts(parseDate("2026-03-05"), 60)[1]!;
    expect(quiet.tradeShare).toBeLessThan(0.001);
    expect(quiet.tradeShare * quiet.sizeMultiplier / (1 - quiet.tradeShare)).toBeCloseTo(0.05 / 0.95, 9);
    expect(shares("2026-03-11").ESM6).toBeGreaterThan(shares("2026-03-10").ESM6!);
    // roll day: the share flips to ESM6, the expiring ESH6 fades until it expires
    expect(shares("2026-03-12").ESM6).toBeGreaterThan(0.5);
    expect(shares("2026-03-13").ESH6).toBeLessThan(shares("2026-03-12").ESH6!);
    expect(Object.keys(shares("2026-03-23")).sort()).toEqual(["ESM6", "ESU6"]);
  });

  test("a multi-day run across an overridden roll date flips the majority contract on that date", () => {
    const seen: [string, string][] = [];
    for (const day of generateDays({ from: "2026-03-02", days: 5, seed: 2, scale: { tradesPerSec: 0.3, mbpPerSec: 0, optionsPerSec: 0, signalIntervalMs: 0 }, contracts: { rollDate: "2026-03-04" } })) {
      const counts = new Map<string, number>();
      for (const s of day.trades.values<string[]>("symbol")) counts.set(s, (counts.get(s) ?? 0) + 1);
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      seen.push([day.date, top]);
    }
    expect(seen).toEqual([
      ["2026-03-02", "ESH6"],
      ["2026-03-03", "ESH6"],
      ["2026-03-04", "ESM6"],
      ["2026-03-05", "ESM6"],
      ["2026-03-06", "ESM6"],
    ]);
  });

  test("the later contract trades at a calendar-spread premium on the same tick grid", () => {
    // two sessions before the roll: ESM6 already prints often
    const [day] = [...generateDays({ from: "2026-03-10", days: 1, seed: 4, scale: "light", signals: false })];
    const sym = day!.trades.values<string[]>("symbol");
    const px = day!.trades.values<Float64Array>("price");
    let lastFront = NaN;
    let spreads = 0;
    for (let i = 0; i < sym.length; i++) {
      if (sym[i] === "ESH6") lastFront = px[i]!;
      else if (!Number.isNaN(lastFront)) {
        const spread = px[i]! - lastFront;
        expect(spread).toBeGreaterThan(30);
        expect(spread).toBeLessThan(90);
        spreads++;
      }
    }
    expect(spreads).toBeGreaterThan(10);
  });
});
