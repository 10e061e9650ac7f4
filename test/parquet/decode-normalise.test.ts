/**
 * decodeParquet options: column projection, AsyncBuffer input (ranged reads), and
 * normalisation to a schema (contracts §2.5): by-name resolution, widening, checked
 * narrowing, utf8 exp_date → date32, missing columns → typed nulls.
 */
import { expect, test } from "bun:test";
import { Frame, frameFromRows } from "../../src/frame";
import { decodeParquet, encodeParquet } from "../../src/parquet";
import { OPTION_TRADES } from "../../src/schemas/bronze";
import { col, type TableSchema } from "../../src/schemas/types";

/** The backfill tool's options layout: no conditions, exp_date utf8, int64 size, seq before aggressor. */
const BACKFILL_OPTIONS: TableSchema = {
  name: "options.trades.v1",
  tier: "bronze",
  sortKey: ["ts_event_ns"],
  columns: [
    col("ts_event_ns", "int64"),
    col("ts_recv_ns", "int64"),
    col("source", "utf8"),
    col("underlying", "utf8"),
    col("option_symbol", "utf8"),
    col("exp_date", "utf8"),
    col("strike", "float64"),
    col("right", "utf8"),
    col("price", "float64"),
    col("size", "int64"),
    col("opt_bid", "float64", true),
    col("opt_ask", "float64", true),
    col("seq", "int64", true),
    col("aggressor", "int8"),
  ],
};

const T0 = 1_768_400_000_000_000_000n;
const rows = [
  { ts_event_ns: T0, ts_recv_ns: T0 + 1n, source: "f", underlying: "ES", option_symbol: "E2CF6 P6990", exp_date: "2026-01-14", strike: 6990, right: "P", price: 3.5, size: 2n, opt_bid: null, opt_ask: 3.75, seq: 9n, aggressor: -1 },
  { ts_event_ns: T0 + 5n, ts_recv_ns: T0 + 6n, source: "f", underlying: "ES", option_symbol: "E2CF6 C7015", exp_date: "2026-03-20T00:00:00", strike: 7015, right: "C", price: 1.25, size: 2147483647n, opt_bid: 1.0, opt_ask: null, seq: null, aggressor: 1 },
];

test("a backfill-layout options file normalises to OptionTradeV1: order, exp_date as date32, int32 size, typed null conditions", async () => {
  const bytes = encodeParquet(frameFromRows(BACKFILL_OPTIONS.columns, rows), { schema: BACKFILL_OPTIONS });
  const f = await decodeParquet(bytes, { schema: OPTION_TRADES });
  expect(f.columns.map((c) => [c.name, c.type])).toEqual(OPTION_TRADES.columns.map((d) => [d.name, d.type]));
  expect(Array.from(f.values<Int32Array>("exp_date"))).toEqual([20467, 20532]);
  expect(Array.from(f.values<Int32Array>("size"))).toEqual([2, 2147483647]);
  expect(f.values<(Int16Array | null)[]>("conditions")).toEqual([null, null]);
  expect(f.row(0)).toMatchObject({ opt_bid: null, opt_ask: 3.75, seq: 9n, aggressor: -1 });
  expect(f.row(1)).toMatchObject({ opt_bid: 1.0, opt_ask: null, seq: null });
});

test("narrowing an int64 value that does not fit the schema's int32 is an error naming the column", async () => {
  const tooBig = rows.map((r) => ({ ...r, size: 2147483648n }));
  const bytes = encodeParquet(frameFromRows(BACKFILL_OPTIONS.columns, tooBig), { schema: BACKFILL_OPTIONS });
  await expect(decodeParquet(bytes, { schema: OPTION_TRADES })).rejects.toThrow(/column size: value 2147483648 at row 0 does not fit int32/);
});

test("columns projection returns just those columns in the requested order; unknown names are an error without a schema", async () => {
  const bytes = encodeParquet(frameFromRows(BACKFILL_OPTIONS.columns, rows), { schema: BACKFILL_OPTIONS });
  const f = await decodeParquet(bytes, { columns: ["price", "ts_event_ns"] });
  expect(f.columnNames).toEqual(["price", "ts_event_ns"]);
  expect(f.toRows()).toEqual([
    { price: 3.5, ts_event_ns: T0 },
    { price: 1.25, ts_event_ns: T0 + 5n },
  ]);
  await expect(decodeParquet(bytes, { columns: ["nope"] })).rejects.toThrow(/no column\(s\) nope/);
  const withSchema = await decodeParquet(bytes, { columns: ["conditions", "exp_date"], schema: OPTION_TRADES });
  expect(withSchema.columns.map((c) => [c.name, c.type])).toEqual([
    ["conditions", "list_int16"],
    ["exp_date", "date32"],
  ]);
});

test("an AsyncBuffer source (ranged reads) decodes the same frame as bytes", async () => {
  const bytes = encodeParquet(frameFromRows(BACKFILL_OPTIONS.columns, rows), { schema: BACKFILL_OPTIONS });
  const ranges: [number, number][] = [];
  const asyncBuf = {
    byteLength: bytes.length,
    slice: async (s: number, e?: number) => {
      ranges.push([s, e ?? bytes.length]);
      return bytes.slice(s, e).buffer as ArrayBuffer;
    },
  };
  const a = await decodeParquet(asyncBuf, { schema: OPTION_TRADES });
  const b = await decodeParquet(bytes, { schema: OPTION_TRADES });
  expect(a.toRows()).toEqual(b.toRows());
  expect(ranges.length).toBeGreaterThan(0);
});

test("an empty file decodes to an empty frame with the schema's columns", async () => {
  const f = await decodeParquet(encodeParquet(Frame.empty(OPTION_TRADES), { schema: OPTION_TRADES }), { schema: OPTION_TRADES });
  expect(f.numRows).toBe(0);
  expect(f.columnNames).toEqual(OPTION_TRADES.columns.map((c) => c.name));
});
