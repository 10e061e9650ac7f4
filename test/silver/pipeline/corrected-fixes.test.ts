/**
 * The corrected variant's §15 fixes on hand-built inputs: each case is one where the reference
 * and corrected answers differ, the corrected one worked out by hand from the spec.
 */
import { describe, expect, test } from "bun:test";
import { atr } from "../../../src/silver/pipeline/bars";
import { correctedConfig, decisionTimeNs, referenceConfig } from "../../../src/silver/pipeline/config";
import type { Bars, Events, OptionsData } from "../../../src/silver/pipeline/context";
import { labelHorizon, labelSigma } from "../../../src/silver/pipeline/labels";
import { mbpWindow } from "../../../src/silver/pipeline/stages/s01-load-bronze";
import { computeGreeks, zeroUnknownAggressor } from "../../../src/silver/pipeline/stages/s04-init-market-state";
import { causalAsofJoin, generateLevels } from "../../../src/silver/pipeline/stages/s05-generate-levels";
import detect from "../../../src/silver/pipeline/stages/s06-detect-interaction-zones";
import { attemptClusters } from "../../../src/silver/pipeline/stages/s14-approach-features";
import { black76Greeks } from "../../../src/core/black76";
import { utcMidnightNs } from "../../../src/core/time/session";
import { context, et, makeBars, type BarSpec } from "./stage-test-helpers";

const D = "2026-01-14"; // EST: 09:30 ET = 14:30 UTC
const corrected = () => context(D, { variant: "corrected", cfg: correctedConfig() });
const reference = () => context(D, { cfg: referenceConfig() });

describe("D-2 decision time", () => {
  test("reference rows are known at ts; corrected rows at the last ns of the entry bar", () => {
    const ts = et(D, "10:00");
    expect(decisionTimeNs(referenceConfig(), ts)).toBe(ts);
    expect(decisionTimeNs(correctedConfig(), ts)).toBe(ts + 60_000_000_000n - 1n);
  });
});

describe("D-3 causal levels", () => {
  test("the SMA at a 1-minute bar comes from the last 2-minute bar that has ENDED by that bar's end", () => {
    const m1 = makeBars(D, [{ at: "10:00", h: 1, l: 1, c: 1 }, { at: "10:01", h: 1, l: 1, c: 1 }, { at: "10:02", h: 1, l: 1, c: 1 }]);
    const m2t = Float64Array.from([et(D, "09:58"), et(D, "10:00"), et(D, "10:02")], (x) => Number(x - utcMidnightNs(D)));
    const sma = Float64Array.of(100, 200, 300);
    // 10:00 bar ends 10:01: the 10:00 2-minute bar is still open (ends 10:02) → 09:58's 100
    // 10:01 bar ends 10:02: the 10:00 2-minute bar has just ended → 200; 10:02 → still 200
    expect([...causalAsofJoin(m1.t, m2t, sma)]).toEqual([100, 200, 200]);
  });

  const day: BarSpec[] = [
    { at: "04:00", h: 7010, l: 7000, c: 7005 },
    { at: "09:29", h: 7020, l: 6995, c: 7000 }, // PM 6995–7020
    { at: "09:30", h: 7060, l: 7040, c: 7050 },
    { at: "09:31", h: 7080, l: 7060, c: 7070 }, // OR high 7080 (range 7040–7080)
    { at: "09:32", h: 7062, l: 7050, c: 7055 },
    { at: "09:40", h: 7078, l: 7070, c: 7075 }, // re-enters the OR_HIGH zone before 09:45
    { at: "09:41", h: 7060, l: 7050, c: 7055 },
    { at: "09:50", h: 7079, l: 7072, c: 7076 }, // and again after 09:45
  ];
  function events(ctx: ReturnType<typeof corrected>): string[] {
    const m1 = makeBars(D, day);
    ctx.ohlcv1m = m1;
    ctx.atr = atr(m1, 14);
    generateLevels(ctx, m1, makeBars(D, []));
    detect.run(ctx);
    const ev = ctx.events!;
    return ev.levelKindName.map((k, i) => `${k}@${new Date(Number(ev.ts[i]! / 1_000_000n)).toISOString().slice(11, 16)}`);
  }

  test("OR events fire only from 09:45 ET (the range is complete), PM events from 09:30", () => {
    const ref = events(reference()).filter((e) => e.startsWith("OR_HIGH"));
    const fixed = events(corrected()).filter((e) => e.startsWith("OR_HIGH"));
    // 09:31 ET: the bar that MAKES the high "enters" it; 09:40 ET: against the unfinished range
    expect(ref).toEqual(["OR_HIGH@14:31", "OR_HIGH@14:40", "OR_HIGH@14:50"]);
    expect(fixed).toEqual(["OR_HIGH@14:50"]);
  });
});

describe("D-21 attempt clustering", () => {
  function ev(specs: { hhmm: string; kind: string; dir: number }[]): Events {
    const n = specs.length;
    const ts = BigInt64Array.from(specs, (s) => et(D, s.hhmm));
    return {
      n,
      ts,
      t: Float64Array.from(ts, (x) => Number(x - utcMidnightNs(D))),
      barIdx: new Int32Array(n),
      levelPrice: new Float64Array(n).fill(7000),
      levelKind: new Int8Array(n),
      levelKindName: specs.map((s) => s.kind),
      dir: Int8Array.from(specs, (s) => s.dir),
      entryPrice: new Float64Array(n).fill(7000),
      zoneWidth: new Float64Array(n).fill(5),
      eventId: specs.map((_, i) => `e${i}`),
    };
  }
  const specs = [
    { hhmm: "03:55", kind: "PM_HIGH", dir: 1 }, // before 04:00 ET (previous evening in UTC day D)
    { hhmm: "04:05", kind: "PM_HIGH", dir: 1 },
    { hhmm: "04:06", kind: "SMA_200", dir: -1 },
    { hhmm: "04:10", kind: "PM_HIGH", dir: 1 },
  ];
  test("reference: whole day, ids restart per (kind, direction); corrected: from 04:00 ET, one id per cluster of the day", () => {
    const e = ev(specs);
    const ref = attemptClusters(e, 15 * 60e9, 0.1);
    expect([...ref.index].map(Number)).toEqual([1, 2, 1, 3]);
    expect([...ref.cluster].map(Number)).toEqual([1, 1, 1, 1]);
    const fixed = attemptClusters(e, 15 * 60e9, 0.1, Number(et(D, "04:00") - utcMidnightNs(D)));
    expect([...fixed.index].map(Number)).toEqual([0, 1, 1, 2]);
    expect([...fixed.cluster].map(Number)).toEqual([0, 1, 2, 1]);
  });
});

describe("D-13 / D-14 labels", () => {
  // entry bar 10:00 (close 7006, range reaches 7000 ± 5), then bars 10:01 …
  const bars: Bars = makeBars(D, [
    { at: "09:58", h: 7001, l: 6999, c: 7000 },
    { at: "09:59", h: 7001, l: 6999, c: 7000 },
    { at: "10:00", h: 7007, l: 7004, c: 7006 },
    { at: "10:01", h: 7007, l: 7005, c: 7006 },
    { at: "10:02", h: 7012, l: 7000, c: 7011 },
    { at: "10:03", h: 7011, l: 7009, c: 7010 },
    { at: "10:04", h: 7011, l: 7009, c: 7010 },
  ]);
  const event: Events = {
    n: 1,
    ts: BigInt64Array.of(et(D, "10:00")),
    t: Float64Array.of(Number(et(D, "10:00") - utcMidnightNs(D))),
    barIdx: Int32Array.of(2),
    levelPrice: Float64Array.of(7000),
    levelKind: Int8Array.of(0),
    levelKindName: ["PM_HIGH"],
    dir: Int8Array.of(1),
    entryPrice: Float64Array.of(7006),
    zoneWidth: Float64Array.of(5),
    eventId: ["e"],
  };
  const cfg = referenceConfig().labels;

  test("D-13: an entry close 6 pt away is UNDEFINED in the reference, labelled in the corrected variant (its range reached the zone)", () => {
    expect(labelHorizon(event, bars, 120, cfg, 5, 2, 14).outcome[0]).toBe("UNDEFINED");
    expect(labelHorizon(event, bars, 120, cfg, 5, 2, 14, { rangeGate: true, windowAfterEntry: false }).outcome[0]).not.toBe("UNDEFINED");
  });

  test("D-14: a 2-minute horizon reads exactly the two bars after the entry bar; times from the entry bar's end", () => {
    const l = labelHorizon(event, bars, 120, cfg, 5, 2, 14, { rangeGate: true, windowAfterEntry: true });
    // window = bars 10:01 and 10:02 (not 10:00, not 10:03): future price = 10:02's close
    expect(l.futurePrice[0]).toBe(7011);
    // first touch of 7000 is the 10:02 bar: confirm = its start; from the entry bar's end (10:01) to its end (10:03) = 120 s
    expect(l.confirmTs[0]).toBe(et(D, "10:02"));
    expect(l.excursionMax[0]).toBe(12);
    expect(l.timeToBreak1[0]).toBe(120);
    const ref = labelHorizon(event, bars, 120, cfg, 5, 2, 14, { rangeGate: true, windowAfterEntry: false });
    expect(ref.futurePrice[0]).toBe(7011); // the reference window 10:00 … 10:02 (H + 60 s)
    expect(ref.timeToBreak1[0]).toBe(0); // measured from the touch bar: can be 0
  });
});

describe("D-15 label σ", () => {
  test("σ over 10 one-minute returns (corrected) instead of 2 (reference)", () => {
    // bar 0 never counts (σ starts at bar 1); closes of bars 1…11: 0,1,…,8, 4, 8 → returns 1 ×8, −4, +4
    const closes = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 4, 8];
    const b = makeBars(D, closes.map((c, k) => ({ at: et(D, "10:00") + BigInt(k) * 60_000_000_000n, h: c, l: c, c })));
    const ret = (cfg: typeof referenceConfig) => Math.round(cfg().windows.labelVolWindowSec / 60);
    expect([ret(referenceConfig), ret(correctedConfig)]).toEqual([2, 10]);
    expect(labelSigma(b, 11, 2, 14)).toBe(4); // popstd(−4, 4)
    expect(labelSigma(b, 11, 10, 14)).toBeCloseTo(Math.sqrt(3.36), 12); // mean 0.8: (8·0.04 + 23.04 + 10.24)/10
  });
});

describe("D-19 / D-20 options", () => {
  function options(expDate: string, aggressor: number): OptionsData {
    const ts = BigInt64Array.of(et(D, "10:00"));
    return { n: 1, ts, t: Float64Array.of(Number(ts[0]! - utcMidnightNs(D))), strike: Float64Array.of(7000), right: ["C"], size: Float64Array.of(1), aggressor: Float64Array.of(aggressor), expDate: [expDate] };
  }

  test("D-19: an option expiring tomorrow is priced to 16:00 ET tomorrow (reference: 21:00 UTC today)", () => {
    const c = corrected();
    const o = options("2026-01-15", 1);
    computeGreeks(c, o, 7000);
    const g = c.cfg.greeks;
    const T = Number(et("2026-01-15", "16:00") - et(D, "10:00")) / 1e9 / g.yearSeconds;
    expect(o.gamma![0]).toBeCloseTo(black76Greeks(true, 7000, 7000, T, g.volatility, g.riskFreeRate).gamma, 12);
    const r = options("2026-01-15", 1);
    computeGreeks(reference(), r, 7000);
    expect(r.gamma![0]).not.toBeCloseTo(o.gamma![0]!, 6);
  });

  test("D-20: a null aggressor becomes 0 and is counted", () => {
    const o = options(D, NaN);
    expect(zeroUnknownAggressor(o)).toBe(1);
    expect(o.aggressor[0]).toBe(0);
  });
});

describe("D-12 book load window", () => {
  test("the corrected variant reads MBP-10 from 09:20 ET (reference: 09:26 = 09:30 − W_b)", () => {
    expect(mbpWindow(reference()).t0).toBe(et(D, "09:26"));
    expect(mbpWindow(corrected()).t0).toBe(et(D, "09:20"));
  });
});
