import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BronzeReader } from "../../src/read/bronze-reader";
import { readParquetInfo } from "../../src/parquet";
import { FIXTURE, FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES, futKey, mbp, ns, optionTrade, tempLake, trade, type TempLake } from "./lake-fixture";

// The fixture day: pyarrow-written "backfill" files (contracts §2.5): int64 sizes, null-typed
// `conditions`, utf8 `exp_date`, interleaved MBP column order, no options `conditions`.
const D = "2026-01-14";
let lake: TempLake;

beforeAll(() => {
  lake = tempLake();
  lake.copyFixtureHour(D, "15");
  // Lake-written files beside them in the same hour directories.
  lake.write(FUTURES_TRADES, futKey("trades", D, "15", "part-lake.parquet"), [
    trade(ns("2026-01-14T15:59:59Z"), "ESH6", { conditions: new Int16Array([1, 2]), seq: 1n }),
  ]);
  lake.write(FUTURES_MBP10, futKey("mbp10", D, "15", "part-lake.parquet"), [mbp(ns("2026-01-14T15:59:59Z"), "ESH6", { bid_sz_1: 77 })]);
  lake.write(OPTION_TRADES, `bronze/options/trades/underlying=ES/date=${D}/hour=15/part-lake.parquet`, [optionTrade(ns("2026-01-14T15:59:59Z"))]);
});
afterAll(() => lake[Symbol.dispose]());

async function fixtureRows(key: string): Promise<number> {
  return (await readParquetInfo(new Uint8Array(await Bun.file(`${FIXTURE}/${key}`).arrayBuffer()))).numRows;
}

describe("predecessor-written files read correctly, mixed with lake-written ones", () => {
  test("futures trades: declared types, the file's contract codes, lake lists beside null-typed conditions", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: D, frontMonthOnly: false });
    const old = await fixtureRows(`bronze/futures/trades/symbol=ES/date=${D}/hour=15/part-000.parquet`);
    expect(f.numRows).toBe(old + 1);
    expect(f.columns.map((c) => [c.name, c.type])).toEqual(FUTURES_TRADES.columns.map((c) => [c.name, c.type]));
    expect(f.values<Int32Array>("size")).toBeInstanceOf(Int32Array);
    const sym = new Set(f.values<(string | null)[]>("symbol"));
    expect(sym.has("ES")).toBe(false); // never the hive directory value
    expect(sym.has("ESH6")).toBe(true);
    const cond = f.values<(Int16Array | null)[]>("conditions");
    const withLists = cond.filter((c) => c !== null).map((c) => Array.from(c!));
    expect(withLists).toEqual([[1, 2]]);
  });

  test("MBP-10: interleaved int64 predecessor columns come back in schema order as int32", async () => {
    const f = await new BronzeReader(lake.root).readFuturesMbp10("ES", { date: D, specificContract: "ESH6" });
    const old = await fixtureRows(`bronze/futures/mbp10/symbol=ES/date=${D}/hour=15/part-000.parquet`);
    expect(f.numRows).toBe(old + 1);
    expect(f.columnNames).toEqual(FUTURES_MBP10.columns.map((c) => c.name));
    expect(f.values<Int32Array>("bid_sz_1")).toBeInstanceOf(Int32Array);
    const mine = f.values<(string | null)[]>("source").indexOf("test");
    expect(f.values<Int32Array>("bid_sz_1")[mine]).toBe(77);
  });

  test("options: utf8 exp_date and date32 exp_date both become dates; a missing conditions column is null", async () => {
    const f = await new BronzeReader(lake.root).readOptionTrades("ES", { date: D });
    const old = await fixtureRows(`bronze/options/trades/underlying=ES/date=${D}/hour=15/part-000.parquet`);
    expect(f.numRows).toBe(old + 1);
    expect(f.columns.map((c) => [c.name, c.type])).toEqual(OPTION_TRADES.columns.map((c) => [c.name, c.type]));
    const exp = f.values<Int32Array>("exp_date");
    const days = new Set(Array.from(exp, (d) => new Date(d * 86_400_000).toISOString().slice(0, 10)));
    // Fixture README: exp_date is D for most rows, else 2026-01-15/16/30 or 2026-03-20.
    for (const d of days) expect(["2026-01-14", "2026-01-15", "2026-01-16", "2026-01-30", "2026-03-20"]).toContain(d);
    expect(days.has("2026-01-14")).toBe(true);
    const last = f.row(f.values<(string | null)[]>("source").indexOf("test"));
    expect(Array.from(last.conditions as Int16Array)).toEqual([12, 37]);
    expect(f.values<(Int16Array | null)[]>("conditions").filter((c) => c !== null)).toHaveLength(1);
  });

  test("the whole fixture day: front month ESH6 drops exactly the ESM6 prints", async () => {
    const r = new BronzeReader(FIXTURE);
    const all = await r.readFuturesTrades("ES", { date: D, frontMonthOnly: false });
    const front = await r.readFuturesTrades("ES", { date: D });
    const m6 = all.values<(string | null)[]>("symbol").filter((s) => s === "ESM6").length;
    expect(all.numRows).toBe(81_883); // fixture README
    expect(m6).toBe(7); // fixture README: 7 on ESM6
    expect(front.numRows).toBe(all.numRows - m6);
    expect(r.lastRead.selections[0]!.frontMonthSymbol).toBe("ESH6");
    const ts = front.values<BigInt64Array>("ts_event_ns");
    for (let i = 1; i < ts.length; i++) if (ts[i]! < ts[i - 1]!) throw new Error(`not sorted at ${i}`);
  });
});
