/**
 * Every table schema round-trips through encodeParquet and reads back identically in
 * three independent readers: our decodeParquet (hyparquet), DuckDB and parquet-wasm.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Frame } from "../../src/frame";
import { decodeParquet, encodeParquet, readParquetInfo } from "../../src/parquet";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { LEVEL_SIGNALS } from "../../src/schemas/gold";
import { SILVER_FEATURES } from "../../src/schemas/silver";
import type { TableSchema } from "../../src/schemas/types";
import { edgeFrame } from "./helpers/edge-frames";
import { diffCells, duckCells, frameCells, wasmCells, type Cells } from "./helpers/readers";

const dir = mkdtempSync(join(tmpdir(), "lake-parquet-rt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Independent reference for the expected order: stable, ascending, nulls last. */
function expectedOrder(cells: Cells, keys: readonly string[], n: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  return idx.sort((a, b) => {
    for (const k of keys) {
      const col = cells[k];
      if (!col) continue;
      const x = col[a] as bigint | string | null;
      const y = col[b] as bigint | string | null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return x < y ? -1 : 1;
    }
    return a - b;
  });
}

function reorder(cells: Cells, order: number[]): Cells {
  return Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, order.map((i) => v[i])]));
}

const SCHEMAS: TableSchema[] = [FUTURES_TRADES, FUTURES_MBP10, OPTION_TRADES, LEVEL_SIGNALS, SILVER_FEATURES];
const CASES = [
  { label: "empty batch", rows: 0 },
  { label: "1-row batch", rows: 1 },
  { label: "700 edge-value rows, several row groups and pages", rows: 700, rowGroupSize: 256, pageBytes: 512 },
  { label: "700 edge-value rows, one row group", rows: 700 },
  { label: "50 rows with every nullable column entirely null", rows: 50, nullRate: 1 },
];

let fileNo = 0;
async function checkAllReaders(schema: TableSchema, frame: Frame, opts: { rowGroupSize?: number; pageBytes?: number }) {
  const bytes = encodeParquet(frame, { schema, ...opts });
  const inputCells = frameCells(frame);
  const expected = reorder(inputCells, expectedOrder(inputCells, schema.sortKey, frame.numRows));
  const path = join(dir, `f${fileNo++}.parquet`);
  await Bun.write(path, bytes);

  const ours = frameCells(await decodeParquet(bytes));
  expect(diffCells(ours, expected, "decodeParquet")).toBeNull();
  expect(Object.keys(ours)).toEqual(schema.columns.map((c) => c.name));

  const duck = await duckCells(path);
  expect(diffCells(duck, expected, "DuckDB")).toBeNull();

  const wasm = wasmCells(bytes);
  expect(diffCells(wasm.cells, expected, "parquet-wasm")).toBeNull();

  const info = await readParquetInfo(bytes);
  expect(info.numRows).toBe(frame.numRows);
  expect(info.columns).toEqual(schema.columns.map((c) => ({ name: c.name, type: c.type })));
  return { bytes, info, wasmTypes: wasm.types };
}

describe.each(SCHEMAS.map((s) => [s.name, s] as const))("%s", (_name, schema) => {
  for (const c of CASES) {
    test(`${c.label}: every value identical in decodeParquet, DuckDB and parquet-wasm`, async () => {
      const frame = edgeFrame(schema, c.rows, c.rows * 31 + schema.columns.length, c.nullRate);
      const { info } = await checkAllReaders(schema, frame, c);
      const groups = c.rows === 0 ? 0 : Math.ceil(c.rows / (c.rowGroupSize ?? 1_048_576));
      expect(info.rowGroups).toBe(groups);
    }, 30_000);
  }
});

test("parquet-wasm sees the declared Arrow types (int8 via INT_8, list<int16>, date32, timestamp[ns])", async () => {
  const { wasmTypes } = await checkAllReaders(OPTION_TRADES, edgeFrame(OPTION_TRADES, 20, 7), {});
  expect(wasmTypes).toMatchObject({
    aggressor: "Int8",
    size: "Int32",
    exp_date: "Date32<DAY>",
    conditions: "List<Int16>",
    ts_event_ns: "Int64",
    opt_bid: "Float64",
    right: "Utf8",
  });
  const silver = await checkAllReaders(SILVER_FEATURES, edgeFrame(SILVER_FEATURES, 5, 3), {});
  expect(silver.wasmTypes.timestamp).toBe("Timestamp<NANOSECOND>");
  expect(silver.wasmTypes.level_kind).toBe("Int8");
});
