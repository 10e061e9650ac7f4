import { describe, expect, test } from "bun:test";
import { parseDate } from "../../src/core/time/dates";
import { etToUtcMs } from "../../src/core/time/eastern";
import { generateDay, tradingDates } from "../../src/sim/day";

const utcMinutes = (ns: bigint) => {
  const d = new Date(Number(ns / 1_000_000n));
  return d.getUTCHours() * 60 + d.getUTCMinutes();
};

/** Trades per minute of UTC day, for the front contract. */
function perMinute(day: ReturnType<typeof generateDay>): Float64Array {
  const out = new Float64Array(1440);
  for (const ts of day.trades.values<BigInt64Array>("ts_event_ns")) out[utcMinutes(ts)]!++;
  return out;
}

const mean = (a: Float64Array, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s / (to - from);
};

describe("sessions in New York time across the 2026 DST change (2026-03-08)", () => {
  const est = generateDay({ date: "2026-03-06", seed: 5, scale: "light", signals: false });
  const edt = generateDay({ date: "2026-03-09", seed: 5, scale: "light", signals: false });

  test("04:00–16:00 ET maps to 09:00–21:00 UTC in EST and 08:00–20:00 UTC in EDT", () => {
    for (const [day, open] of [
      [est, 9 * 60],
      [edt, 8 * 60],
    ] as const) {
      for (const f of [day.trades, day.mbp10, day.options]) {
        const ts = f.values<BigInt64Array>("ts_event_ns");
        expect(utcMinutes(ts[0]!)).toBeGreaterThanOrEqual(open);
        expect(utcMinutes(ts[ts.length - 1]!)).toBeLessThan(open + 12 * 60);
        expect(new Date(Number(ts[0]! / 1_000_000n)).toISOString().slice(0, 10)).toBe(day.date);
      }
    }
    expect(new Date(est.clock.rthOpenMs).toISOString()).toBe("2026-03-06T14:30:00.000Z");
    expect(new Date(edt.clock.rthOpenMs).toISOString()).toBe("2026-03-09T13:30:00.000Z");
    expect(new Date(edt.clock.closeMs).toISOString()).toBe("2026-03-09T20:00:00.000Z");
  });

  test("pre-market is thin and RTH busy, with a U-shaped intraday volume", () => {
    for (const day of [est, edt]) {
      const pm = perMinute(day);
      const open = Math.round((day.clock.rthOpenMs % 86_400_000) / 60_000);
      const close = Math.round((day.clock.closeMs % 86_400_000) / 60_000);
      const preMarket = mean(pm, open - 300, open - 60);
      const firstHalfHour = mean(pm, open, open + 30);
      const lunch = mean(pm, open + 150, open + 240);
      const lastHalfHour = mean(pm, close - 30, close);
      expect(firstHalfHour).toBeGreaterThan(5 * preMarket);
      expect(firstHalfHour).toBeGreaterThan(1.5 * lunch);
      expect(lastHalfHour).toBeGreaterThan(1.5 * lunch);
      expect(lunch).toBeGreaterThan(preMarket);
    }
  });

  test("the New York offset agrees with the tz database for every day 2020–2030", () => {
    const fmt = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    for (let day = parseDate("2020-01-01"); day <= parseDate("2030-12-31"); day++) {
      for (const [h, m] of [[4, 0], [9, 30], [16, 0]] as const) {
        const wall = fmt.format(new Date(etToUtcMs(day, h, m)));
        if (wall !== `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`) throw new Error(`day ${day}: ${h}:${m} ET maps to ${wall} New York`);
      }
    }
  });

  test("weekends are skipped by multi-day runs and refused for single days", () => {
    expect(tradingDates("2026-03-05", 4)).toEqual(["2026-03-05", "2026-03-06", "2026-03-09", "2026-03-10"]);
    expect(() => generateDay({ date: "2026-03-07", seed: 1, scale: "light" })).toThrow(/weekend/);
  });
});

describe("price path crosses the levels the Silver pipeline watches", () => {
  test("RTH 1-minute bars enter the ±5 pt zone of PM/OR highs and lows several times", () => {
    for (const [date, seed] of [
      ["2026-03-02", 7],
      ["2026-03-03", 7],
      ["2026-06-10", 42],
    ] as const) {
      const day = generateDay({ date, seed, scale: "light", signals: false });
      const ts = day.trades.values<BigInt64Array>("ts_event_ns");
      const px = day.trades.values<Float64Array>("price");
      const sym = day.trades.values<string[]>("symbol");
      const front = day.contracts[0]!.symbol;
      const startMin = day.clock.startMs / 60_000;
      const hi = new Float64Array(720).fill(-Infinity);
      const lo = new Float64Array(720).fill(Infinity);
      for (let i = 0; i < ts.length; i++) {
        if (sym[i] !== front) continue;
        const m = Math.floor(Number(ts[i]! / 1_000_000n) / 60_000) - startMin;
        hi[m] = Math.max(hi[m]!, px[i]!);
        lo[m] = Math.min(lo[m]!, px[i]!);
      }
      const rth = (day.clock.rthOpenMs - day.clock.startMs) / 60_000;
      const levels = {
        PM_HIGH: Math.max(...hi.slice(0, rth).filter(Number.isFinite)),
        PM_LOW: Math.min(...lo.slice(0, rth).filter(Number.isFinite)),
        OR_HIGH: Math.max(...hi.slice(rth, rth + 15).filter(Number.isFinite)),
        OR_LOW: Math.min(...lo.slice(rth, rth + 15).filter(Number.isFinite)),
      };
      let total = 0;
      const touched = new Set<string>();
      for (const [name, L] of Object.entries(levels)) {
        let prev = false;
        for (let m = rth; m < rth + 240; m++) {
          if (!Number.isFinite(hi[m]!)) continue;
          const inside = lo[m]! <= L + 5 && hi[m]! >= L - 5;
          if (inside && !prev) {
            total++;
            touched.add(name);
          }
          prev = inside;
        }
      }
      expect(total).toBeGreaterThanOrEqual(6);
      expect(touched.size).toBeGreaterThanOrEqual(3);
    }
  });
});
