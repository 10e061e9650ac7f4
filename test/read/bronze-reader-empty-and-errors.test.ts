import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BronzeReader } from "../../src/read/bronze-reader";
import { UsageError } from "../../src/errors";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES, futKey, ns, tempLake, trade, type TempLake } from "./lake-fixture";

let lake: TempLake;

beforeAll(() => {
  lake = tempLake();
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-14", "15"), [trade(ns("2026-01-14T15:00:00Z"), "ESH6")]);
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-09", "15"), [trade(ns("2026-01-09T15:00:00Z"), "ESH6")]);
  // Not dates, or dates without Parquet: getAvailableDates must ignore them.
  lake.write(FUTURES_TRADES, "bronze/futures/trades/symbol=ES/date=bogus/hour=15/part-a.parquet", [trade(ns("2026-01-14T15:00:00Z"), "ESH6")]);
  lake.write(FUTURES_TRADES, "bronze/futures/trades/symbol=ES/date=2026-02-30/hour=15/part-a.parquet", [trade(ns("2026-01-14T15:00:00Z"), "ESH6")]);
  mkdirSync(join(lake.root, "bronze/futures/trades/symbol=ES/date=2026-01-15/hour=15"), { recursive: true });
  lake.raw("bronze/futures/trades/symbol=ES/date=2026-01-16/hour=15/notes.txt", "x");
  writeFileSync(join(lake.root, "bronze/futures/trades/symbol=ES/date=2026-01-20"), "a file, not a directory");
});
afterAll(() => lake[Symbol.dispose]());

describe("no data is an empty result with the declared columns", () => {
  test("a date without files", async () => {
    const f = await new BronzeReader(lake.root).readFuturesTrades("ES", { date: "2026-01-15" });
    expect(f.numRows).toBe(0);
    expect(f.columns.map((c) => [c.name, c.type])).toEqual(FUTURES_TRADES.columns.map((c) => [c.name, c.type]));
  });

  test("a root, table or lake that does not exist", async () => {
    const r = new BronzeReader(lake.root);
    expect((await r.readFuturesMbp10("NQ", { date: "2026-01-14" })).columnNames).toEqual(FUTURES_MBP10.columns.map((c) => c.name));
    expect((await r.readOptionTrades("ES")).columnNames).toEqual(OPTION_TRADES.columns.map((c) => c.name));
    const nowhere = new BronzeReader(join(lake.root, "missing-lake"));
    expect((await nowhere.readFuturesTrades("ES", { date: "2026-01-14" })).numRows).toBe(0);
    expect(await nowhere.getAvailableDates("futures/trades", "symbol=ES")).toEqual([]);
  });

  test("bounds that exclude every row", async () => {
    const f = await new BronzeReader(lake.root).readFuturesTrades("ES", { date: "2026-01-14", startNs: ns("2026-01-14T15:00:00Z", 1n) });
    expect(f.numRows).toBe(0);
    expect(f.columns.length).toBe(FUTURES_TRADES.columns.length);
  });
});

describe("bad arguments are usage errors, before any SQL runs", () => {
  const r = () => new BronzeReader(lake.root);
  test.each([
    ["a malformed date", () => r().readFuturesTrades("ES", { date: "2026-1-14" })],
    ["an impossible date", () => r().readFuturesTrades("ES", { date: "2026-02-30" })],
    ["a symbol that escapes the lake", () => r().readFuturesTrades("../ES", { date: "2026-01-14" })],
    ["a quote in the underlying", () => r().readOptionTrades("ES'; DROP TABLE x; --")],
    ["a fractional bound", () => r().readFuturesTrades("ES", { startNs: 1.5 as unknown as bigint })],
    ["an injected contract", () => r().readFuturesTrades("ES", { date: "2026-01-14", specificContract: "ESH6' OR '1'='1" })],
    ["a negative limit", () => r().readFuturesTrades("ES", { date: "2026-01-14", limit: -1 })],
    ["an unknown schema path", () => r().getAvailableDates("futures/quotes", "symbol=ES")],
    ["a partition key for the wrong table", () => r().getAvailableDates("options/trades", "symbol=ES")],
  ])("%s", async (_what, call) => {
    await expect(call()).rejects.toBeInstanceOf(UsageError);
  });
});

describe("getAvailableDates / getLatestDate", () => {
  test("only real dates with at least one Parquet file, sorted", async () => {
    const r = new BronzeReader(lake.root);
    expect(await r.getAvailableDates("futures/trades", "symbol=ES")).toEqual(["2026-01-09", "2026-01-14"]);
    expect(await r.getLatestDate("futures/trades", "symbol=ES")).toBe("2026-01-14");
  });

  test("a schema with no data has no latest date", async () => {
    expect(await new BronzeReader(lake.root).getLatestDate("options/trades", "underlying=ES")).toBeNull();
  });
});
