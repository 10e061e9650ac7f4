import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Frame } from "../../src/frame";
import { BronzeReader } from "../../src/read/bronze-reader";
import { DuckSession, QueryError } from "../../src/read/duck";
import { scanFrame, type ScanRequest } from "../../src/read/scan";
import { scanInThread, scansInThread } from "../../src/read/thread-scan";
import { bronzeTable } from "../../src/schemas/bronze";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES, futKey, mbp, ns, optionTrade, tempLake, trade, type TempLake } from "./lake-fixture";

// The predecessor's fixture hour (pyarrow-written: int64 sizes, null-typed conditions, utf8
// exp_date) beside lake-written files whose rows interleave with it, tie on ts, and miss seq.
const D = "2026-01-14";
let lake: TempLake;

beforeAll(() => {
  lake = tempLake();
  lake.copyFixtureHour(D, "15");
  const t = (iso: string, extra = 0n) => ns(iso, extra);
  lake.write(FUTURES_TRADES, futKey("trades", D, "15", "part-x.parquet"), [
    trade(t("2026-01-14T15:00:00Z"), "ESH6", { seq: 5n }),
    trade(t("2026-01-14T15:00:00Z"), "ESH6", { seq: null, exchange: null }),
    trade(t("2026-01-14T15:30:00Z"), "ESM6", { seq: 1n, conditions: new Int16Array([3]) }),
  ]);
  lake.write(FUTURES_TRADES, futKey("trades", D, "15", "part-y.parquet"), [
    trade(t("2026-01-14T15:00:00Z"), "ESH6", { seq: 2n }),
    trade(t("2026-01-14T15:30:00Z"), "ESH6", { seq: 1n }),
  ]);
  lake.write(FUTURES_TRADES, futKey("trades", D, "16"), [trade(t("2026-01-14T16:10:00Z"), "ESH6", { seq: null })]);
  lake.write(FUTURES_MBP10, futKey("mbp10", D, "15", "part-x.parquet"), [mbp(t("2026-01-14T15:00:00Z"), "ESH6", { bid_sz_1: 77, seq: null })]);
  lake.write(OPTION_TRADES, `bronze/options/trades/underlying=ES/date=${D}/hour=15/part-x.parquet`, [optionTrade(t("2026-01-14T15:00:00Z"), { seq: null })]);
});
afterAll(() => lake[Symbol.dispose]());

function expectSameFrame(here: Frame, duck: Frame): void {
  expect(here.numRows).toBe(duck.numRows);
  expect(here.columns.map((c) => [c.name, c.type])).toEqual(duck.columns.map((c) => [c.name, c.type]));
  for (const c of duck.columns) {
    const h = here.column(c.name);
    expect({ c: c.name, v: h.values, valid: h.valid }).toEqual({ c: c.name, v: c.values, valid: c.valid });
  }
}

async function bothWays(req: ScanRequest, table: string): Promise<void> {
  expect(scansInThread(req)).toBe(true);
  using s = await DuckSession.open();
  expectSameFrame(await scanInThread(req, bronzeTable(table).schema), await scanFrame(s, req));
}

describe("a small scan read on the thread equals DuckDB's scan: types, nulls, order", () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ["futures.trades", "ES", { date: D, frontMonthOnly: false }],
    ["futures.trades", "ES", { date: D, frontMonthOnly: false, columns: ["price", "size", "symbol"] }],
    ["futures.trades", "ES", { date: D, frontMonthOnly: false, startNs: ns("2026-01-14T15:00:00Z"), endNs: ns("2026-01-14T15:30:00Z") }],
    ["futures.mbp10", "ES", { date: D, frontMonthOnly: false }],
    ["options.trades", "ES", { date: D }],
    ["options.trades", "ES", { date: D, columns: ["strike", "right", "exp_date"] }],
  ];
  for (const [table, key, opts] of cases) {
    test(`${table} ${JSON.stringify(opts, (_, v) => (typeof v === "bigint" ? String(v) : v))}`, async () => {
      const req = await new BronzeReader(lake.root).scanRequest(bronzeTable(table), key, opts);
      expect(req.paths.length).toBeGreaterThan(1);
      await bothWays(req, table);
    });
  }

  test("a SQL predicate, a limit or a dedupe stay with DuckDB", async () => {
    const r = new BronzeReader(lake.root);
    expect(scansInThread(await r.scanRequest(bronzeTable("futures.trades"), "ES", { date: D, specificContract: "ESH6" }))).toBe(false);
    expect(scansInThread(await r.scanRequest(bronzeTable("futures.trades"), "ES", { date: D, frontMonthOnly: false, limit: 3 }))).toBe(false);
  });

  test("a corrupt file fails the read with its path, never an empty or partial result", async () => {
    using bad = tempLake();
    bad.write(FUTURES_TRADES, futKey("trades", D, "15"), [trade(ns("2026-01-14T15:00:00Z"), "ESH6")]);
    bad.raw(futKey("trades", D, "16"), "PAR1 this is not parquet PAR1");
    const err = await new BronzeReader(bad.root).readFuturesTrades("ES", { date: D, frontMonthOnly: false }).catch((e) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toContain("hour=16");
  });
});
