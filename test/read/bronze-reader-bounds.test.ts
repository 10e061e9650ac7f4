import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BronzeReader } from "../../src/read/bronze-reader";
import type { Frame } from "../../src/frame";
import { bronzeTable } from "../../src/schemas/bronze";
import { FUTURES_TRADES, futKey, ns, tempLake, trade, type TempLake } from "./lake-fixture";

// 2026-01-14 is a Wednesday in EST: RTH = 14:30–18:30 UTC.
const D = "2026-01-14";
let lake: TempLake;
const T = {
  h14a: ns("2026-01-14T14:30:00Z"),
  h14z: ns("2026-01-14T14:59:59.999Z", 999_999n), // last ns of hour 14
  h15a: ns("2026-01-14T15:00:00Z"), // first ns of hour 15
  h15b: ns("2026-01-14T15:00:00Z", 1n),
  d15: ns("2026-01-15T00:00:00Z"),
  d14z: ns("2026-01-14T23:59:59.999Z", 999_999n),
};

beforeAll(() => {
  lake = tempLake();
  lake.write(FUTURES_TRADES, futKey("trades", D, "14"), [trade(T.h14a, "ESH6", { seq: 1n }), trade(T.h14z, "ESH6", { seq: 2n })]);
  lake.write(FUTURES_TRADES, futKey("trades", D, "15"), [trade(T.h15a, "ESH6", { seq: 3n }), trade(T.h15b, "ESH6", { seq: 4n })]);
  lake.write(FUTURES_TRADES, futKey("trades", D, "23"), [trade(T.d14z, "ESH6", { seq: 5n })]);
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-15", "00"), [trade(T.d15, "ESH6", { seq: 6n })]);
  // Equal timestamps across two files and with null seq, for the tie-break order.
  const tie = ns("2026-01-14T16:00:00Z");
  lake.write(FUTURES_TRADES, futKey("trades", D, "16", "part-a.parquet"), [
    trade(tie, "ESH6", { seq: null, price: 1 }),
    trade(tie, "ESH6", { seq: 9n, price: 2 }),
    trade(tie, "ESH6", { seq: 7n, price: 3 }),
  ]);
  lake.write(FUTURES_TRADES, futKey("trades", D, "16", "part-b.parquet"), [trade(tie, "ESH6", { seq: 7n, price: 4 })]);
});
afterAll(() => lake[Symbol.dispose]());

const seqs = (f: Frame) => Array.from(f.values<BigInt64Array>("seq"), Number);

describe("BronzeReader time bounds are inclusive on ts_event_ns and prune hours", () => {
  test("a bound equal to a row's timestamp keeps that row, at both ends", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: D, startNs: T.h15a, endNs: T.h15b });
    expect(seqs(f)).toEqual([3, 4]);
  });

  test("one nanosecond outside a bound drops the row", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: D, startNs: T.h14z + 1n, endNs: T.h15b - 1n });
    expect(seqs(f)).toEqual([3]);
  });

  test("bounds across an hour boundary open both hour files and nothing else", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: D, startNs: T.h14z, endNs: T.h15a });
    expect(seqs(f)).toEqual([2, 3]);
    expect(r.lastRead.files.map((k) => k.split("/").at(-2))).toEqual(["hour=14", "hour=15"]);
  });

  test("bounds alone (no date) select the covering dates, across midnight", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { startNs: T.d14z, endNs: T.d15 });
    expect(seqs(f)).toEqual([5, 6]);
    expect(r.lastRead.files).toEqual([futKey("trades", D, "23"), futKey("trades", "2026-01-15", "00")]);
    expect(r.lastRead.selections.map((s) => [s.date, s.frontMonthSymbol])).toEqual([[D, "ESH6"], ["2026-01-15", "ESH6"]]);
  });

  test("rows come ordered by ts_event_ns, then seq (nulls last), then file, then row", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: D, startNs: ns("2026-01-14T16:00:00Z"), endNs: ns("2026-01-14T16:00:00Z") });
    expect(Array.from(f.values<Float64Array>("price"))).toEqual([3, 4, 2, 1]);
  });

  test("limit caps the rows after ordering", async () => {
    const r = new BronzeReader(lake.root);
    const f = await r.readFuturesTrades("ES", { date: D, limit: 2 });
    expect(seqs(f)).toEqual([1, 2]);
  });

  test("the streaming read returns the same rows as the materialised read", async () => {
    const r = new BronzeReader(lake.root);
    const whole = await r.readFuturesTrades("ES", { date: D });
    const parts: Record<string, unknown>[] = [];
    for await (const b of r.stream(bronzeTable("futures.trades"), "ES", { date: D }, 3)) parts.push(...b.toRows());
    expect(parts).toEqual(whole.toRows());
    expect(whole.toRows().filter((x) => x.seq === null)).toHaveLength(1);
  });
});
