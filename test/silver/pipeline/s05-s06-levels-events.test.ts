/** S5 GenerateLevels (§6) and S6 DetectInteractionZones (§5.6, §7) on hand-made bars. */
import { describe, expect, test } from "bun:test";
import type { Bars } from "../../../src/silver/pipeline/context";
import { atr } from "../../../src/silver/pipeline/bars";
import { generateLevels } from "../../../src/silver/pipeline/stages/s05-generate-levels";
import detect from "../../../src/silver/pipeline/stages/s06-detect-interaction-zones";
import { context, makeBars, type BarSpec } from "./stage-test-helpers";

const D = "2026-01-14"; // EST
const SUMMER = "2025-07-15"; // EDT
const empty2m = (): Bars => makeBars(D, []);

function levelsOf(date: string, specs: BarSpec[], m2: Bars = empty2m()) {
  const ctx = context(date);
  const m1 = makeBars(date, specs);
  generateLevels(ctx, m1, m2);
  return { ctx, m1 };
}

describe("S5 GenerateLevels", () => {
  const day: BarSpec[] = [
    { at: "03:59", h: 7100, l: 6900, c: 7000 }, // before pre-market: ignored
    { at: "04:00", h: 7010, l: 7000, c: 7005 },
    { at: "09:29", h: 7020, l: 6995, c: 7000 },
    { at: "09:30", h: 7030, l: 7001, c: 7025 },
    { at: "09:44", h: 7031, l: 7002, c: 7025 },
    { at: "09:45", h: 7090, l: 6900, c: 7000 }, // after the opening range: ignored
  ];

  test("PM levels from ET [04:00, 09:30), OR levels from [09:30, 09:45), in candidate order", () => {
    const { ctx } = levelsOf(D, day);
    expect(ctx.levelInfo).toEqual([
      { price: 7020, kindCode: 0, kindName: "PM_HIGH" },
      { price: 6995, kindCode: 1, kindName: "PM_LOW" },
      { price: 7031, kindCode: 2, kindName: "OR_HIGH" },
      { price: 7001, kindCode: 3, kindName: "OR_LOW" },
    ]);
  });

  test("ET windows follow daylight saving time (same wall clock in July)", () => {
    const { ctx } = levelsOf(SUMMER, day);
    expect(ctx.levelInfo!.map((l) => l.price)).toEqual([7020, 6995, 7031, 7001]);
  });

  test("without pre-market bars there are no PM levels and the PM series stay null", () => {
    const { ctx } = levelsOf(D, day.filter((b) => b.at !== "04:00" && b.at !== "09:29"));
    expect(ctx.levelInfo!.map((l) => l.kindName)).toEqual(["OR_HIGH", "OR_LOW"]);
    expect(Array.from(ctx.dynamicLevels!.PM_HIGH).every(Number.isNaN)).toBe(true);
  });

  test("dynamic PM/OR series: running extreme inside the window, final value after it, null before", () => {
    const { ctx } = levelsOf(D, [{ at: "00:00" as string, h: 7000, l: 7000, c: 7000 }, ...day].sort(() => 0));
    const pmHigh = Array.from(ctx.dynamicLevels!.PM_HIGH);
    // bar 0 is 00:00 ET (previous-evening rule applies only to ET ≥ 09:30) → null; 03:59 → null
    expect(pmHigh.map((x) => (Number.isNaN(x) ? null : x))).toEqual([null, null, 7010, 7020, 7020, 7020, 7020]);
    const orLow = Array.from(ctx.dynamicLevels!.OR_LOW).map((x) => (Number.isNaN(x) ? null : x));
    expect(orLow).toEqual([null, null, null, null, 7001, 7001, 7001]);
  });

  test("previous-evening bars at the start of the UTC day count as ET ≥ 09:30 and get the final values", () => {
    const evening = BigInt(Date.parse(`${D}T00:30:00Z`)) * 1_000_000n; // 19:30 ET of the day before
    const { ctx } = levelsOf(D, [{ at: evening, h: 1, l: 1, c: 1 }, ...day.slice(1)]);
    expect(ctx.dynamicLevels!.PM_HIGH[0]).toBe(7020);
    expect(ctx.dynamicLevels!.OR_HIGH[0]).toBe(7031);
  });

  test("de-duplicates candidates whose prices round to the same cent (Python rounding)", () => {
    const { ctx } = levelsOf(D, [
      { at: "04:00", h: 7000.001, l: 6990, c: 6995 },
      { at: "09:30", h: 7000, l: 6990.004, c: 6995 },
    ]);
    expect(ctx.levelInfo!.map((l) => l.kindName)).toEqual(["PM_HIGH", "PM_LOW"]);
  });

  test("SMA levels need 200/400 two-minute closes and use the last window of the series [REF]", () => {
    const closes = Array.from({ length: 400 }, (_, i) => 7000 + i * 0.25);
    const m2 = makeBars(D, closes.map((c, i) => ({ at: BigInt(Date.parse(`${D}T00:00:00Z`)) * 1_000_000n - BigInt(400 - i) * 120_000_000_000n, h: c, l: c, c })));
    const { ctx } = levelsOf(D, day, m2);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sma = ctx.levelInfo!.filter((l) => l.kindName.startsWith("SMA"));
    expect(sma.map((l) => l.kindName)).toEqual(["SMA_200", "SMA_400"]);
    expect(sma[0]!.price).toBe(mean(closes.slice(200)));
    expect(sma[1]!.price).toBe(mean(closes));
    const short = makeBars(D, closes.slice(0, 199).map((c, i) => ({ at: BigInt(i) * 120_000_000_000n + BigInt(Date.parse(`${D}T00:00:00Z`)) * 1_000_000n, h: c, l: c, c })));
    expect(levelsOf(D, day, short).ctx.levelInfo!.some((l) => l.kindName.startsWith("SMA"))).toBe(false);
  });
});

describe("S6 DetectInteractionZones", () => {
  function run(specs: BarSpec[], levels: { price: number; kindName: string; kindCode: number }[]) {
    const ctx = context(D);
    ctx.ohlcv1m = makeBars(D, specs);
    ctx.atr = atr(ctx.ohlcv1m, 14);
    ctx.levelInfo = levels;
    detect.run(ctx);
    return ctx;
  }
  const L = { price: 7000, kindName: "PM_HIGH", kindCode: 0 };

  test("fires on entering the ±5 zone from outside; bar 0 never fires; gaps compare with the previous existing bar", () => {
    const ctx = run(
      [
        { at: "10:00", h: 7001, l: 6999, c: 7000 }, // inside but bar 0
        { at: "10:01", h: 7020, l: 7010, c: 7015 }, // outside
        { at: "10:07", h: 7006, l: 7004, c: 7005 }, // gap of 6 minutes, inside → entry
        { at: "10:08", h: 7004, l: 7003, c: 7003 }, // still inside
      ],
      [L],
    );
    const ev = ctx.events!;
    expect(ev.n).toBe(1);
    expect(ev.barIdx[0]).toBe(2);
    expect(ev.dir[0]).toBe(-1); // previous close 7015 ≥ L → DOWN
    expect(ev.entryPrice[0]).toBe(7005);
    expect(ev.eventId[0]).toBe(`${D}_PM_HIGH_700000_${ctx.ohlcv1m!.ts[2]}_DOWN`);
  });

  test("direction is UP only when the previous close is strictly below the level (equality → DOWN)", () => {
    const ctx = run(
      [
        { at: "10:00", h: 6990, l: 6980, c: 6985 },
        { at: "10:01", h: 6999, l: 6996, c: 6998 }, // entry from below → UP
        { at: "10:02", h: 7000, l: 6970, c: 7000 }, // still inside
        { at: "10:03", h: 6990, l: 6980, c: 6985 }, // leaves
        { at: "10:04", h: 6995, l: 6994, c: 6995 }, // re-entry, prev close 6985 < L → UP
      ],
      [L],
    );
    expect(Array.from(ctx.events!.dir)).toEqual([1, 1]);
    // 10:01 is outside the zone (low 7010 > 7005) yet closes exactly at L (a synthetic bar);
    // the entry at 10:02 then sees previous close == L → DOWN
    const eq = run([{ at: "10:00", h: 7000, l: 7000, c: 7000 }, { at: "10:01", h: 7020, l: 7010, c: 7000 }, { at: "10:02", h: 7004, l: 7003, c: 7003 }], [L]);
    expect(Array.from(eq.events!.dir)).toEqual([-1]);
  });

  test("events entered in the same bar sort by the level's position in level_info ([FIX] tie order)", () => {
    const levels = [
      { price: 7003, kindName: "OR_HIGH", kindCode: 2 },
      { price: 7000, kindName: "PM_HIGH", kindCode: 0 },
    ];
    const ctx = run([{ at: "10:00", h: 7030, l: 7020, c: 7025 }, { at: "10:01", h: 7004, l: 7001, c: 7002 }], levels);
    expect(ctx.events!.levelKindName).toEqual(["OR_HIGH", "PM_HIGH"]);
    expect(Array.from(ctx.out.get("level_kind")!.values as Int8Array)).toEqual([2, 0]);
    expect(ctx.out.get("spot")!.values).toEqual(Float64Array.from([7002, 7002]));
  });

  test("a quiet day yields zero events and zero-length identity columns", () => {
    const ctx = run([{ at: "10:00", h: 7100, l: 7090, c: 7095 }, { at: "10:01", h: 7100, l: 7090, c: 7095 }], [L]);
    expect(ctx.events!.n).toBe(0);
    expect(ctx.out.get("event_id")!.values.length).toBe(0);
  });
});
