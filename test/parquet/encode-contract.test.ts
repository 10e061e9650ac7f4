/**
 * encodeParquet honours the file contract of contracts §2.1: stable sort by the
 * schema's sort key, key/value metadata, min/max statistics readable by DuckDB, ZSTD,
 * explicit row-group size, int8 as converted_type INT_8, and clear errors for batches
 * that do not fit the schema.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Frame, frameFromRows } from "../../src/frame";
import { decodeParquet, encodeParquet, readParquetInfo } from "../../src/parquet";
import { loadDuckDB } from "../../src/runtime/duckdb-native";
import { FUTURES_TRADES } from "../../src/schemas/bronze";
import { SILVER_FEATURES } from "../../src/schemas/silver";
import { LAKE_VERSION } from "../../src/version";

const dir = mkdtempSync(join(tmpdir(), "lake-parquet-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_768_400_000_000_000_000n;
function trade(ts: bigint, seq: bigint | null, tag: string) {
  return { ts_event_ns: ts, ts_recv_ns: ts + 5n, source: "sim", symbol: tag.startsWith("m") ? "ESM6" : "ESH6", price: 7000.25, size: 2, aggressor: 1, exchange: tag, conditions: null, seq };
}
const unsorted = [
  trade(T0 + 30n, 7n, "a"),
  trade(T0 + 10n, 5n, "b"),
  trade(T0 + 10n, null, "c"),
  trade(T0 + 10n, 3n, "d"),
  trade(T0 + 10n, 3n, "e"),
  trade(T0 + 20n, 1n, "m"),
];

async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const duck = await loadDuckDB();
  const inst = await duck.DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

test("rows are stably sorted by (ts_event_ns, seq) with null seq last; sort:false keeps input order", async () => {
  const frame = frameFromRows(FUTURES_TRADES.columns, unsorted);
  const sorted = await decodeParquet(encodeParquet(frame, { schema: FUTURES_TRADES }));
  expect(sorted.values<(string | null)[]>("exchange")).toEqual(["d", "e", "b", "c", "m", "a"]);
  const kept = await decodeParquet(encodeParquet(frame, { schema: FUTURES_TRADES, sort: false }));
  expect(kept.values<(string | null)[]>("exchange")).toEqual(["a", "b", "c", "d", "e", "m"]);
});

test("key/value metadata: schema_name, tier, lake_writer, min/max ts_event_ns, schema metadata, caller metadata last", async () => {
  const bytes = encodeParquet(frameFromRows(FUTURES_TRADES.columns, unsorted), {
    schema: FUTURES_TRADES,
    metadata: { stream_seq_range: "100-105", tier: "overridden-by-caller" },
  });
  const { kv } = await readParquetInfo(bytes);
  expect(kv).toEqual({
    schema_name: "futures.trades.v1",
    tier: "overridden-by-caller",
    lake_writer: `lake/${LAKE_VERSION}`,
    min_ts_event_ns: String(T0 + 10n),
    max_ts_event_ns: String(T0 + 30n),
    stream_seq_range: "100-105",
  });
  const silver = await readParquetInfo(encodeParquet(Frame.empty(SILVER_FEATURES), { schema: SILVER_FEATURES }));
  expect(silver.kv).toMatchObject({ schema_name: "features.es_pipeline.v1", tier: "silver", pipeline: "es_pipeline", total_columns: "182" });
  expect(silver.kv.min_ts_event_ns).toBeUndefined();
});

test("DuckDB sees ZSTD, the requested row groups, min/max statistics on ts_event_ns/seq/symbol, and TINYINT via INT_8", async () => {
  const rows = Array.from({ length: 1000 }, (_, i) => trade(T0 + BigInt(i) * 1000n, BigInt(5000 - i), i % 3 ? "x" : "m"));
  const path = join(dir, "stats.parquet");
  await Bun.write(path, encodeParquet(frameFromRows(FUTURES_TRADES.columns, rows), { schema: FUTURES_TRADES, rowGroupSize: 400 }));
  const meta = await duckRows(
    `SELECT row_group_id, row_group_num_rows, path_in_schema, compression, stats_min_value, stats_max_value, stats_null_count
     FROM parquet_metadata('${path}') WHERE path_in_schema IN ('ts_event_ns', 'seq', 'symbol', 'aggressor') ORDER BY row_group_id, path_in_schema`,
  );
  expect(new Set(meta.map((m) => m.compression))).toEqual(new Set(["ZSTD"]));
  expect(meta.filter((m) => m.path_in_schema === "ts_event_ns").map((m) => [m.row_group_num_rows, m.stats_min_value, m.stats_max_value])).toEqual([
    [400n, String(T0), String(T0 + 399_000n)],
    [400n, String(T0 + 400_000n), String(T0 + 799_000n)],
    [200n, String(T0 + 800_000n), String(T0 + 999_000n)],
  ]);
  expect(meta.filter((m) => m.path_in_schema === "seq").map((m) => [m.stats_min_value, m.stats_max_value, m.stats_null_count])).toEqual([
    ["4601", "5000", 0n],
    ["4201", "4600", 0n],
    ["4001", "4200", 0n],
  ]);
  expect(meta.filter((m) => m.path_in_schema === "symbol").map((m) => [m.stats_min_value, m.stats_max_value])).toEqual([
    ["ESH6", "ESM6"],
    ["ESH6", "ESM6"],
    ["ESH6", "ESM6"],
  ]);
  const schema = await duckRows(`SELECT name, type, converted_type, logical_type FROM parquet_schema('${path}') WHERE name = 'aggressor'`);
  expect(schema[0]).toMatchObject({ type: "INT32", converted_type: "INT_8" });
  // statistics drive pushdown: a range filter on ts_event_ns returns exactly the matching rows
  const hit = await duckRows(`SELECT count(*) AS n FROM read_parquet('${path}') WHERE ts_event_ns BETWEEN ${T0 + 399_000n} AND ${T0 + 400_000n}`);
  expect(hit[0]!.n).toBe(2n);
});

test("a missing nullable column is written as all-null; a missing required column or a null in it is an error naming it", async () => {
  const rows = unsorted.map(({ exchange: _e, ...r }) => r);
  const defs = FUTURES_TRADES.columns.filter((c) => c.name !== "exchange");
  const back = await decodeParquet(encodeParquet(frameFromRows(defs, rows), { schema: FUTURES_TRADES }));
  expect(back.columnNames).toEqual(FUTURES_TRADES.columns.map((c) => c.name));
  expect(back.values<(string | null)[]>("exchange").every((v) => v === null)).toBe(true);

  const noPrice = FUTURES_TRADES.columns.filter((c) => c.name !== "price");
  expect(() => encodeParquet(frameFromRows(noPrice, unsorted), { schema: FUTURES_TRADES })).toThrow(/required column "price" is missing/);
  const nullSize = unsorted.map((r, i) => ({ ...r, size: i === 2 ? null : r.size }));
  expect(() => encodeParquet(frameFromRows(FUTURES_TRADES.columns, nullSize), { schema: FUTURES_TRADES })).toThrow(/"size" is not nullable but has 1 null\(s\) \(first at row 2\)/);
});

test("a narrower integer column in the batch is widened to the schema type", async () => {
  const defs = FUTURES_TRADES.columns.map((c) => (c.name === "size" ? { ...c, type: "int16" as const } : c));
  const back = await decodeParquet(encodeParquet(frameFromRows(defs, unsorted), { schema: FUTURES_TRADES }));
  expect(back.column("size").type).toBe("int32");
  expect(Array.from(back.values<Int32Array>("size"))).toEqual([2, 2, 2, 2, 2, 2]);
});

test("higher ZSTD levels are honoured (smaller file for compressible data)", () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => trade(T0 + BigInt(i * 137), BigInt(i), "x"));
  const frame = frameFromRows(FUTURES_TRADES.columns, rows);
  const fast = encodeParquet(frame, { schema: FUTURES_TRADES, zstdLevel: 1 });
  const slow = encodeParquet(frame, { schema: FUTURES_TRADES, zstdLevel: 19 });
  expect(slow.length).toBeLessThanOrEqual(fast.length);
});

test("the pre-encode sort orders negative, extreme and wide-spread int64 keys, nulls last, ties stable", async () => {
  const keys = [5n, -(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 2n ** 32n, 2n ** 32n - 1n, -(2n ** 32n), 5n, 65536n, 65535n, -65536n];
  const rows = keys.map((k, i) => trade(k, i % 4 === 0 ? null : BigInt(100 - (i % 3)), `r${i}`));
  const back = await decodeParquet(encodeParquet(frameFromRows(FUTURES_TRADES.columns, rows), { schema: FUTURES_TRADES }));
  const order = [...rows.keys()].sort((a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    if (x !== y) return x < y ? -1 : 1;
    const sa = rows[a]!.seq;
    const sb = rows[b]!.seq;
    if (sa !== sb) return sa === null ? 1 : sb === null ? -1 : sa < sb ? -1 : 1;
    return a - b;
  });
  expect(back.values<(string | null)[]>("exchange")).toEqual(order.map((i) => `r${i}`));
});
