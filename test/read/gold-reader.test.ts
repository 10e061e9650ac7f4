import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GoldReader } from "../../src/read/gold-reader";
import { DuckSession } from "../../src/read/duck";
import { UsageError } from "../../src/errors";
import { LEVEL_SIGNALS, ns, signal, tempLake, type TempLake } from "./lake-fixture";
import { join } from "node:path";
import { mkdirSync } from "node:fs";

const D = "2026-01-14";
const base = `gold/levels/signals/underlying=ES/date=${D}`;
let lake: TempLake;
const t0 = ns("2026-01-14T15:00:00Z");

beforeAll(async () => {
  lake = tempLake();
  lake.write(LEVEL_SIGNALS, `${base}/hour=15/part-a.parquet`, [
    signal(t0, "PM_HIGH", { fuel_call_wall: 7050, tape_buy_vol: 12n }),
    signal(t0, "OR_LOW", { fuel_call_wall: 7050 }),
    signal(t0 + 250_000_000n, "PM_HIGH"),
  ]);
  // A republished duplicate in a later file, and a predecessor-style file whose inferred
  // types are null for fuel_call_wall and float64 for tape_buy_vol (contracts §3.3).
  lake.write(LEVEL_SIGNALS, `${base}/hour=15/part-b.parquet`, [signal(t0, "PM_HIGH", { note: "dup" })]);
  mkdirSync(join(lake.root, `${base}/hour=16`), { recursive: true });
  using s = await DuckSession.open();
  await s.exec(
    `COPY (SELECT $ts::BIGINT AS ts_event_ns, 'ES' AS underlying, 'SMA_200' AS level_id, NULL AS fuel_call_wall, 3.0::DOUBLE AS tape_buy_vol, 7004.8 AS level_price)
     TO '${join(lake.root, `${base}/hour=16/part-old.parquet`)}' (FORMAT parquet)`,
    { ts: ns("2026-01-14T16:00:00Z") },
  );
});
afterAll(() => lake[Symbol.dispose]());

describe("GoldReader.readLevelSignals", () => {
  test("unifies files by name into the §3.3 types and orders by (ts_event_ns, level_id)", async () => {
    const r = new GoldReader(lake.root);
    const f = await r.readLevelSignals("ES", { date: D });
    expect(f.columns.map((c) => [c.name, c.type])).toEqual(LEVEL_SIGNALS.columns.map((c) => [c.name, c.type]));
    expect(f.values<(string | null)[]>("level_id")).toEqual(["OR_LOW", "PM_HIGH", "PM_HIGH", "SMA_200"]);
    const last = f.row(3);
    expect(last).toMatchObject({ fuel_call_wall: null, tape_buy_vol: 3n, level_price: 7004.8, spot: null });
  });

  test("drops republished (ts_event_ns, level_id) duplicates, keeping the first written", async () => {
    const f = await new GoldReader(lake.root).readLevelSignals("ES", { date: D });
    expect(f.values<(string | null)[]>("note").includes("dup")).toBe(false);
    const all = await new GoldReader(lake.root).readLevelSignals("ES", { date: D, dedupe: false });
    expect(all.numRows).toBe(5);
    expect(all.values<(string | null)[]>("note").filter((n) => n === "dup")).toHaveLength(1);
  });

  test("time bounds are inclusive and prune hours", async () => {
    const r = new GoldReader(lake.root);
    const f = await r.readLevelSignals("ES", { startNs: t0 + 250_000_000n, endNs: ns("2026-01-14T16:00:00Z") });
    expect(f.values<(string | null)[]>("level_id")).toEqual(["PM_HIGH", "SMA_200"]);
    const h15 = await r.readLevelSignals("ES", { date: D, endNs: t0 });
    expect(h15.numRows).toBe(2);
    expect(r.lastRead.files.every((k) => k.includes("/hour=15/"))).toBe(true);
  });

  test("no data → empty with columns; available dates; bad input → usage error", async () => {
    const r = new GoldReader(lake.root);
    const e = await r.readLevelSignals("ES", { date: "2026-01-15" });
    expect(e.numRows).toBe(0);
    expect(e.columnNames).toEqual(LEVEL_SIGNALS.columns.map((c) => c.name));
    expect(await r.getAvailableDates()).toEqual([D]);
    expect(await r.getAvailableDates("NQ")).toEqual([]);
    await expect(r.readLevelSignals("E/S")).rejects.toBeInstanceOf(UsageError);
    for (const limit of [-1, 1.5, Number.NaN]) await expect(r.readLevelSignals("ES", { limit })).rejects.toThrow("limit must be a non-negative integer");
    expect((await r.readLevelSignals("ES", { limit: 0 })).numRows).toBe(0);
  });
});
