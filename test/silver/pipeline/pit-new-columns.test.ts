/**
 * The columns the corrected variant adds beside the 182 (es-pipeline §15 D-5 spot-relative
 * distances, D-32 RTH-only ATR): hand-built cases where they differ from the reference's
 * columns, and the real pipeline over fixture es-day-a checked against values recomputed here
 * from the fixture's Bronze trades.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { isNullAt, type Frame } from "../../../src/frame";
import { atr } from "../../../src/silver/pipeline/bars";
import { correctedConfig, referenceConfig } from "../../../src/silver/pipeline/config";
import { readerInput } from "../../../src/silver/pipeline/bronze-input";
import { calendarFrontMonth } from "../../../src/silver/pipeline/front-month";
import { runPipeline } from "../../../src/silver/pipeline/run";
import s11 from "../../../src/silver/pipeline/stages/s11-level-distances";
import { computeApproachFeatures } from "../../../src/silver/pipeline/stages/s14-approach-features";
import { EXTRA_COLUMN_SPECS, SILVER_FEATURES, silverSchemaFor } from "../../../src/schemas/silver";
import { etInstantNs } from "../../../src/core/time/session";
import { FIXTURE_DAY_A } from "../../../testkit/fixtures";
import { makeContext, makeDynamicLevels, makeEvents, values } from "./s07-s13-context";
import { context, eventsOnBars, makeBars } from "./stage-test-helpers";

const D = "2026-01-14";
const NEW = EXTRA_COLUMN_SPECS.map((c) => c.name);

describe("the corrected schema: the 182, then the new columns before the labels", () => {
  test("reference config → exactly the 182-column schema; corrected → 182 + the D-5/D-32 columns", () => {
    expect(silverSchemaFor(referenceConfig().fixes)).toBe(SILVER_FEATURES);
    const pit = silverSchemaFor(correctedConfig().fixes);
    expect(NEW).toEqual(["spot_dist_to_pm_high", "spot_dist_to_pm_low", "spot_dist_to_or_high", "spot_dist_to_or_low", "spot_dist_to_sma_200", "spot_dist_to_sma_400", "atr_rth"]);
    expect(pit.columns.length).toBe(182 + NEW.length);
    const names = pit.columns.map((c) => c.name);
    expect(names.filter((n) => !NEW.includes(n))).toEqual(SILVER_FEATURES.columns.map((c) => c.name));
    expect(names.indexOf("atr_rth") + 1).toBe(names.indexOf("outcome_2min"));
    // one switch off → its columns go, the others stay
    const partial = correctedConfig();
    partial.fixes.rthAtr = false;
    expect(silverSchemaFor(partial.fixes).columns.map((c) => c.name)).not.toContain("atr_rth");
    expect(silverSchemaFor(partial.fixes).columns.length).toBe(188);
  });
});

describe("D-5 spot_dist_to_* (S11)", () => {
  test("spot − level where dist_to_* is L − level; only with the switch on", () => {
    const dyn = { PM_HIGH: [7010, 7010], PM_LOW: [6990, 6990], OR_HIGH: [NaN, 7004], SMA_200: [7001.5, 7001.5] };
    const events = [
      { sec: 0, level: 7000, dir: "UP" as const, barIdx: 0, entry: 7003 },
      { sec: 60, level: 6990, dir: "DOWN" as const, barIdx: 1, entry: 6994.25 },
    ];
    const run = (variant: "reference" | "corrected") => {
      const ctx = makeContext(variant);
      ctx.dynamicLevels = makeDynamicLevels(2, dyn);
      ctx.atr = Float64Array.of(2, 4);
      ctx.events = makeEvents(events);
      s11.run(ctx);
      return ctx;
    };
    const c = run("corrected");
    // by hand: spot 7003 vs PM high 7010 → −7; the level itself is 7000 → dist_to_pm_high −10
    expect(values(c, "dist_to_pm_high")).toEqual([-10, -20]);
    expect(values(c, "spot_dist_to_pm_high")).toEqual([-7, -15.75]);
    expect(values(c, "spot_dist_to_pm_low")).toEqual([13, 4.25]);
    expect(values(c, "spot_dist_to_or_high")).toEqual([null, -9.75]);
    expect(values(c, "spot_dist_to_or_low")).toEqual([null, null]);
    expect(values(c, "spot_dist_to_sma_200")).toEqual([1.5, -7.25]);
    expect(values(c, "spot_dist_to_sma_400")).toEqual([null, null]);
    expect(run("reference").out.has("spot_dist_to_pm_high")).toBe(false);
  });
});

describe("D-32 atr_rth (S14)", () => {
  // A wide pre-market bar (TR 10) dominates the all-hours ATR at the open.
  const bars = [
    { at: "09:28", h: 7010, l: 7000, c: 7005 },
    { at: "09:29", h: 7006, l: 7004, c: 7005 },
    { at: "09:30", h: 7007, l: 7003, c: 7006 },
    { at: "09:31", h: 7012, l: 7008, c: 7010 },
  ];
  function run(variant: "reference" | "corrected") {
    const ctx = context(D, { variant, cfg: variant === "reference" ? referenceConfig() : correctedConfig() });
    ctx.ohlcv1m = makeBars(D, bars);
    ctx.atr = atr(ctx.ohlcv1m, 14);
    ctx.events = eventsOnBars(ctx, [1, 2, 3].map((bar) => ({ bar, level: 7005, dir: 1 as const })));
    computeApproachFeatures(ctx, ctx.events, ctx.ohlcv1m, ctx.atr);
    return ctx;
  }

  test("ATR over the bars from 09:30 ET only; the all-hours atr is unchanged; null before the open", () => {
    const c = run("corrected");
    // all hours: TR 10, 2, 4, max(4, |7012−7006|, |7008−7006|) = 6 → means 6, 16/3, 22/4
    expect(values(c, "atr")).toEqual([6, 16 / 3, 5.5]);
    // RTH only: the 09:30 bar is bar 0 (its own close as previous close): TR 4, 6 → 4, 5;
    // NaN before the open (S16 stores it as null)
    expect(values(c, "atr_rth")).toEqual([NaN, 4, 5]);
    expect(run("reference").out.has("atr_rth")).toBe(false);
  });
});

describe("fixture es-day-a through the real pipeline", () => {
  let pit: Frame;
  let ref: Frame;
  let trades: { t: bigint[]; p: number[] };
  beforeAll(async () => {
    pit = (await runPipeline({ date: D, dataRoot: FIXTURE_DAY_A, variant: "corrected" })).frame;
    ref = (await runPipeline({ date: D, dataRoot: FIXTURE_DAY_A, variant: "reference" })).frame;
    // the corrected variant's trades: the calendar front month (D-10), price-filtered (§5.2)
    const f = await readerInput(FIXTURE_DAY_A).trades(D, calendarFrontMonth(D));
    const ts = f.values<BigInt64Array>("ts_event_ns");
    const px = f.values<Float64Array>("price");
    trades = { t: [], p: [] };
    for (let i = 0; i < f.numRows; i++) if (px[i]! > 3000 && px[i]! < 10000) (trades.t.push(ts[i]!), trades.p.push(px[i]!));
  });

  const cell = (f: Frame, name: string, i: number): number | null => (isNullAt(f.column(name), i) ? null : f.values<Float64Array>(name)[i]!);
  const range = (from: bigint, to: bigint) => {
    const ps = trades.p.filter((_, k) => trades.t[k]! >= from && trades.t[k]! < to);
    return ps.length ? { hi: Math.max(...ps), lo: Math.min(...ps) } : null;
  };

  test("the reference output keeps exactly the 182 columns; the corrected one has the new ones too", () => {
    expect(ref.columnNames).toEqual(SILVER_FEATURES.columns.map((c) => c.name));
    expect(pit.columnNames).toEqual(silverSchemaFor(correctedConfig().fixes).columns.map((c) => c.name));
    expect(pit.numRows).toBeGreaterThan(50);
  });

  test("spot_dist_to_pm_* and spot_dist_to_or_* equal spot minus the levels recomputed from the trades", () => {
    const open = etInstantNs(D, 9 * 60 + 30);
    const orEnd = etInstantNs(D, 9 * 60 + 45);
    const pm = range(etInstantNs(D, 4 * 60), open)!;
    const ts = pit.values<BigInt64Array>("ts_ns");
    let checked = 0;
    for (let i = 0; i < pit.numRows; i++) {
      const spot = cell(pit, "spot", i)!;
      expect(cell(pit, "spot_dist_to_pm_high", i)).toBeCloseTo(spot - pm.hi, 9);
      expect(cell(pit, "spot_dist_to_pm_low", i)).toBeCloseTo(spot - pm.lo, 9);
      // the opening range as known at the end of the entry bar (running until 09:45 ET)
      const end = ts[i]! + 60_000_000_000n;
      const or = range(open, end < orEnd ? end : orEnd)!;
      expect(cell(pit, "spot_dist_to_or_high", i)).toBeCloseTo(spot - or.hi, 9);
      expect(cell(pit, "spot_dist_to_or_low", i)).toBeCloseTo(spot - or.lo, 9);
      // and against the 182's L − X: spot − X = (L − X) − (L − spot), SMA included
      for (const x of ["pm_high", "or_low", "sma_200", "sma_400"]) {
        const lx = cell(pit, `dist_to_${x}`, i);
        const sx = cell(pit, `spot_dist_to_${x}`, i);
        expect(sx === null).toBe(lx === null);
        if (lx !== null) expect(sx!).toBeCloseTo(lx - (cell(pit, "level_price", i)! - spot), 9);
      }
      checked++;
    }
    expect(checked).toBe(pit.numRows);
    expect(pit.values<Float64Array>("spot_dist_to_sma_200").some((v, i) => !isNullAt(pit.column("spot_dist_to_sma_200"), i) && v !== 0)).toBe(true);
  });

  test("atr_rth equals an ATR14 over 1-minute bars built here from the trades from 09:30 ET", () => {
    const open = etInstantNs(D, 9 * 60 + 30);
    const bars: { start: bigint; h: number; l: number; c: number }[] = [];
    trades.t.forEach((t, k) => {
      if (t < open) return;
      const start = t - (t % 60_000_000_000n);
      const p = trades.p[k]!;
      const b = bars.at(-1);
      if (b && b.start === start) (b.h = Math.max(b.h, p), b.l = Math.min(b.l, p), (b.c = p));
      else bars.push({ start, h: p, l: p, c: p });
    });
    const tr = bars.map((b, j) => {
      const prev = j === 0 ? b.c : bars[j - 1]!.c;
      return Math.max(b.h - b.l, Math.abs(b.h - prev), Math.abs(b.l - prev));
    });
    const ts = pit.values<BigInt64Array>("ts_ns");
    let differ = 0;
    for (let i = 0; i < pit.numRows; i++) {
      const j = bars.findIndex((b) => b.start === ts[i]!);
      expect(j).toBeGreaterThanOrEqual(0);
      const w = tr.slice(Math.max(0, j - 13), j + 1);
      expect(cell(pit, "atr_rth", i)).toBeCloseTo(w.reduce((s, x) => s + x, 0) / w.length, 9);
      if (j >= 14) expect(cell(pit, "atr_rth", i)).toBe(cell(pit, "atr", i)); // the same 14 bars from the 15th RTH bar on
      else if (Math.abs(cell(pit, "atr_rth", i)! - cell(pit, "atr", i)!) > 1e-9) differ++;
    }
    expect(differ).toBeGreaterThan(0); // the pre-market dominates the all-hours atr early in the session
  });
});
