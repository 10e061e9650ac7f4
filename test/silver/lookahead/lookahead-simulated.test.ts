/**
 * Acceptance: the corrected variant (es_pipeline_pit) has no leaking column on simulated days
 * of different kinds — a trend day, a range day, the first day after the US DST change, the
 * contract roll day and a day with a two-hour gap in the option trades — while the reference
 * variant leaks on the same days.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { generateDay, tradingDates, type SimDay } from "../../../src/sim/day";
import { writeBronzeDay } from "../../../src/sim/bronze";
import { localStore } from "../../../src/storage";
import { readerInput } from "../../../src/silver/pipeline/bronze-input";
import { analyseLookahead } from "../../../src/silver/lookahead/analyse";
import { tempLake, type TempLake } from "../builder/fixture-lake";
import { EXTRA_COLUMN_SPECS } from "../../../src/schemas/silver";

const SEED = 11;
const DAYS = { trend: "2026-03-03", range: "2026-03-04", dst: "2026-03-09", gap: "2026-03-10", roll: "2026-03-12" } as const;
const GAP_UTC = [Date.parse("2026-03-10T15:00:00Z"), Date.parse("2026-03-10T17:00:00Z")].map((ms) => BigInt(ms) * 1_000_000n) as [bigint, bigint];

/** Time share of each regime in a day's script. */
function dominantRegime(day: SimDay): string {
  const s = [...day.script].sort((a, b) => a.startStep - b.startStep);
  const share = new Map<string, number>();
  s.forEach((seg, i) => {
    const kind = seg.kind.startsWith("test-") ? "test" : seg.kind;
    share.set(kind, (share.get(kind) ?? 0) + ((s[i + 1]?.startStep ?? day.clock.nSteps) - seg.startStep));
  });
  return [...share].sort((a, b) => b[1] - a[1])[0]![0];
}

let lake: TempLake;
const days = new Map<string, SimDay>();

beforeAll(async () => {
  lake = tempLake();
  const store = localStore(lake.root);
  for (const date of tradingDates("2026-02-26", 11)) {
    let day = generateDay({ date, seed: SEED, scale: "light", signals: false });
    if (date === DAYS.gap) {
      const ts = day.options.values<BigInt64Array>("ts_event_ns");
      day = { ...day, options: day.options.filter((i) => ts[i]! < GAP_UTC[0] || ts[i]! >= GAP_UTC[1]) };
    }
    days.set(date, day);
    await writeBronzeDay(store, day);
  }
});
afterAll(() => rmSync(lake.root, { recursive: true, force: true }));

describe("lookahead on simulated days", () => {
  test("the days are what they claim", () => {
    expect(dominantRegime(days.get(DAYS.trend)!)).toBe("trend");
    expect(dominantRegime(days.get(DAYS.range)!)).toBe("range");
    // 2026-03-08 is the US DST change: the day before is EST (14:30 UTC open), the day EDT (13:30 UTC)
    expect(days.get("2026-03-06")!.clock.rthOpenMs % 86_400_000).toBe(14.5 * 3_600_000);
    expect(days.get(DAYS.dst)!.clock.rthOpenMs % 86_400_000).toBe(13.5 * 3_600_000);
    expect(days.get(DAYS.roll)!.contracts[0]!.symbol).not.toBe(days.get("2026-03-11")!.contracts[0]!.symbol);
    const gapTs = days.get(DAYS.gap)!.options.values<BigInt64Array>("ts_event_ns");
    expect(gapTs.some((t) => t >= GAP_UTC[0] && t < GAP_UTC[1])).toBe(false);
    expect(gapTs.some((t) => t >= GAP_UTC[1])).toBe(true);
  });

  for (const [kind, date] of Object.entries(DAYS)) {
    test(`corrected: zero leaking columns on the ${kind} day ${date}`, async () => {
      const r = await analyseLookahead({ bronze: readerInput(lake.root), dates: [date], variant: "corrected", version: "es_pipeline_pit" });
      expect(r.events_checked).toBeGreaterThan(5);
      expect(r.leaking).toEqual([]);
      for (const name of EXTRA_COLUMN_SPECS.map((c) => c.name)) expect(r.columns.find((c) => c.column === name)).toMatchObject({ compared: r.events_checked, verdict: "causal" });
    });
  }

  test("reference: the same days leak (a sample over all of them)", async () => {
    const r = await analyseLookahead({ bronze: readerInput(lake.root), dates: Object.values(DAYS), variant: "reference", version: "es_pipeline", sample: 20, seed: 1 });
    expect(r.events_checked).toBe(20);
    for (const c of ["event_trigger", "entry_price", "tape_velocity", "gamma_exposure"]) expect(r.leaking).toContain(c);
  });
});
