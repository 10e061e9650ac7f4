/**
 * A simulated summer-time (EDT) day through all 16 stages: the RTH window, the session
 * clock features and the output contract hold off the golden day's winter offset.
 */
import { expect, test } from "bun:test";
import { isNullAt } from "../../../src/frame";
import { SILVER_FEATURES } from "../../../src/schemas/silver";
import { generateDay } from "../../../src/sim/day";
import { frameInput } from "../../../src/silver/pipeline/bronze-input";
import { runPipeline } from "../../../src/silver/pipeline/run";

test("an EDT day keeps events from 13:30 to 17:30 UTC with consistent session features", async () => {
  const [prev, D] = ["2026-07-13", "2026-07-14"];
  const a = generateDay({ date: prev, seed: 5, scale: "light", signals: false });
  const b = generateDay({ date: D, seed: 5, scale: "light", signals: false });
  const r = await runPipeline({
    date: D,
    bronze: frameInput({ trades: { [prev]: a.trades, [D]: b.trades }, mbp10: { [D]: b.mbp10 }, options: { [D]: b.options } }),
  });
  const f = r.frame;
  expect(r.warmupDates).toEqual([prev]);
  expect(r.timings.length).toBe(16);
  expect(f.columns.map((c) => c.name)).toEqual(SILVER_FEATURES.columns.map((c) => c.name));
  expect(f.numRows).toBeGreaterThan(0);
  expect(r.eventsBeforeRth).toBeGreaterThanOrEqual(f.numRows);
  const open = BigInt(Date.parse(`${D}T13:30:00Z`)) * 1_000_000n;
  const close = BigInt(Date.parse(`${D}T17:30:00Z`)) * 1_000_000n;
  const ts = f.values<BigInt64Array>("ts_ns");
  const minutes = f.values<Float64Array>("minutes_since_open");
  const bars = f.values<Int32Array>("bars_since_open");
  const ids = f.values<string[]>("event_id");
  for (let i = 0; i < f.numRows; i++) {
    expect(ts[i]! >= open && ts[i]! <= close).toBe(true);
    expect(minutes[i]).toBe(Number(ts[i]! - open) / 60e9);
    expect(bars[i]).toBe(Math.trunc(minutes[i]!));
    expect(ids[i]!.startsWith(`${D}_`) && ids[i]!.includes(`_${ts[i]}_`)).toBe(true);
    // label gate: UNDEFINED exactly when the entry close is > 5 pt from the level
    const far = Math.abs(f.values<Float64Array>("entry_price")[i]! - f.values<Float64Array>("level_price")[i]!) > 5;
    expect(f.values<string[]>("outcome")[i] === "UNDEFINED").toBe(far);
    expect(isNullAt(f.column("future_price"), i)).toBe(far);
  }
});
