import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BronzeReader } from "../../src/read/bronze-reader";
import { QueryError } from "../../src/read/duck";
import { bronzeTable } from "../../src/schemas/bronze";
import { FUTURES_TRADES, futKey, ns, tempLake, trade, type TempLake } from "./lake-fixture";

let lake: TempLake;

beforeAll(() => {
  lake = tempLake();
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-14", "15"), [trade(ns("2026-01-14T15:00:00Z"), "ESH6")]);
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-14", "16"), [trade(ns("2026-01-14T16:00:00Z"), "ESH6")]);
  // Another date whose only file is not Parquet at all: any read that opens it must fail.
  lake.raw(futKey("trades", "2026-01-13", "15"), "this is not a parquet file");
});
afterAll(() => lake[Symbol.dispose]());

describe("partition pruning: a read opens only the partitions it needs", () => {
  test("reading one date never opens another date's files (a corrupt neighbour is untouched)", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: "2026-01-14" });
    expect(f.numRows).toBe(2);
    expect(r.lastRead.files).toEqual([futKey("trades", "2026-01-14", "15"), futKey("trades", "2026-01-14", "16")]);
  });

  test("time bounds prune hour directories too", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: "2026-01-14", startNs: ns("2026-01-14T16:00:00Z") });
    expect(f.numRows).toBe(1);
    expect(r.lastRead.files).toEqual([futKey("trades", "2026-01-14", "16")]);
  });

  test("DuckDB's own profile of the reader's scan shows it read one file", async () => {
    const r = new BronzeReader(lake.root);
    const plan = await r.explainRead(bronzeTable("futures.trades"), "ES", { date: "2026-01-14", startNs: ns("2026-01-14T16:00:00Z") });
    expect(plan).toMatch(/Total Files Read:\s*1\b/);
    const day = await r.explainRead(bronzeTable("futures.trades"), "ES", { date: "2026-01-14", frontMonthOnly: false });
    expect(day).toMatch(/Total Files Read:\s*2\b/);
  });

  test("opening the corrupt date is an error, never an empty result", async () => {
    const r = new BronzeReader(lake.root);
    const err = await r.readFuturesTrades("ES", { date: "2026-01-13", frontMonthOnly: false }).catch((e) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toContain("date=2026-01-13");
    await expect(r.readFuturesTrades("ES", { frontMonthOnly: false })).rejects.toBeInstanceOf(QueryError);
  });
});
