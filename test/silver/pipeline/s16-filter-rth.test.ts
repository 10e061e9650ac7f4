/** S16 FilterRTH (§5.16, §12): RTH window, schema order and types, NaN → null, every column required. */
import { describe, expect, test } from "bun:test";
import { allocValues, isNullAt } from "../../../src/frame";
import { SILVER_FEATURES } from "../../../src/schemas/silver";
import { putColumn } from "../../../src/silver/pipeline/columns";
import filterRth from "../../../src/silver/pipeline/stages/s16-filter-rth";
import writeIdentity from "../../../src/silver/pipeline/stages/s06-detect-interaction-zones";
import { context, eventsOnBars, makeBars } from "./stage-test-helpers";
import type { PipelineContext } from "../../../src/silver/pipeline/context";

const D = "2026-07-15"; // summer: 09:30 ET = 13:30 UTC

function withEvents(times: string[]) {
  const ctx = context(D);
  ctx.ohlcv1m = makeBars(D, times.map((at) => ({ at, h: 7001, l: 6999, c: 7000 })));
  ctx.events = eventsOnBars(ctx, times.map((_, bar) => ({ bar, level: 7000, dir: 1 as const })));
  return ctx;
}

/** Stand in for S1–S15: every Silver column not written yet gets zeros for every event. */
function writeRemainingColumns(ctx: PipelineContext): PipelineContext {
  const n = ctx.events?.n ?? 0;
  for (const def of SILVER_FEATURES.columns) if (!ctx.out.has(def.name)) putColumn(ctx, def.name, allocValues(def.type, n));
  return ctx;
}

describe("S16 FilterRTH", () => {
  test("keeps 09:30:00 ≤ ts ≤ 13:30:00 ET inclusive (DST-aware) and emits the 182 columns in schema order", () => {
    const ctx = withEvents(["09:29", "09:30", "13:30", "13:31"]);
    putColumn(ctx, "ts_ns", ctx.events!.ts.slice());
    filterRth.run(writeRemainingColumns(ctx));
    const f = ctx.frame!;
    expect(f.numRows).toBe(2);
    expect(Array.from(f.values<BigInt64Array>("ts_ns"))).toEqual([ctx.events!.ts[1]!, ctx.events!.ts[2]!]);
    expect(f.columns.map((c) => `${c.name}:${c.type}`)).toEqual(SILVER_FEATURES.columns.map((c) => `${c.name}:${c.type}`));
    expect(ctx.eventsBeforeRth).toBe(4);
  });

  test("a column no stage wrote fails the run, naming the column and its stage", () => {
    const ctx = writeRemainingColumns(withEvents(["10:00"]));
    ctx.out.delete("tape_buy_vol");
    expect(() => filterRth.run(ctx)).toThrow(/1 Silver column\(s\) were not computed.*tape_buy_vol \(\w+\)/);
    expect(ctx.frame).toBeUndefined();
  });

  test("float NaN is stored as null (§0)", () => {
    const ctx = withEvents(["10:00", "10:01"]);
    putColumn(ctx, "future_price", Float64Array.from([NaN, 7001]));
    filterRth.run(writeRemainingColumns(ctx));
    const c = ctx.frame!.column("future_price");
    expect([isNullAt(c, 0), isNullAt(c, 1)]).toEqual([true, false]);
  });

  test("a column of the wrong type fails the run naming the column ([FIX] strict schema)", () => {
    const ctx = withEvents(["10:00"]);
    ctx.out.set("level_kind", { name: "level_kind", type: "int64", values: BigInt64Array.from([1n]) });
    writeRemainingColumns(ctx);
    expect(() => filterRth.run(ctx)).toThrow(/level_kind.*int64.*int8/);
  });

  test("with zero events the frame is empty but has every column", () => {
    const ctx = withEvents([]);
    writeIdentity.run(Object.assign(ctx, { atr: new Float64Array(0), levelInfo: [] }));
    filterRth.run(writeRemainingColumns(ctx));
    expect(ctx.frame!.numRows).toBe(0);
    expect(ctx.frame!.columns.length).toBe(182);
  });
});
