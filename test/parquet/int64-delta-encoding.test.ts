/**
 * int64 columns are DELTA_BINARY_PACKED with exact 32-bit-half arithmetic; pages whose
 * deltas cannot be exact fall back to PLAIN. Every bit width 0..32, negative deltas,
 * low-word wrap-around and ±2^63 neighbours must read back identically in all readers.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Frame } from "../../src/frame";
import { decodeParquet, encodeParquet } from "../../src/parquet";
import { loadDuckDB } from "../../src/runtime/duckdb-native";
import { col, type TableSchema } from "../../src/schemas/types";
import { mulberry32 as rng } from "../../src/sim/rng";
import { duckCells, frameCells, wasmCells } from "./helpers/readers";

const dir = mkdtempSync(join(tmpdir(), "lake-parquet-delta-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCHEMA: TableSchema = { name: "test.int64.v1", tier: "bronze", sortKey: [], columns: [col("v", "int64", true)] };

function series(): BigInt64Array {
  const r = rng(99);
  const out: bigint[] = [];
  let v = 1_768_400_000_000_000_000n;
  for (let width = 0; width <= 33; width++) {
    for (let i = 0; i < 130; i++) {
      const span = 2 ** width;
      v += BigInt(Math.floor(r() * span)) - (r() < 0.3 ? BigInt(Math.floor(span / 2)) : 0n);
      out.push(v);
    }
  }
  let w = 4294967290n; // crosses the low-word boundary repeatedly
  for (let i = 0; i < 200; i++) out.push((w += 3n));
  for (const x of [2n ** 63n - 1n, -(2n ** 63n), 0n, 2n ** 62n, -(2n ** 62n), 1n, 2n ** 63n - 1n]) out.push(x);
  for (let i = 0; i < 300; i++) out.push(BigInt(i) * 2n ** 40n); // deltas of 2^40: width > 32 → PLAIN page
  return BigInt64Array.from(out);
}

test("int64 deltas of every width 0–33, negative, wrapping and extreme read back exactly in all three readers", async () => {
  const values = series();
  const valid = new Uint8Array(values.length).fill(1);
  for (let i = 7; i < values.length; i += 97) valid[i] = 0;
  const frame = new Frame([{ name: "v", type: "int64", values, valid }], values.length);
  for (const pageBytes of [1 << 20, 1024]) {
    const bytes = encodeParquet(frame, { schema: SCHEMA, pageBytes });
    const path = join(dir, `delta-${pageBytes}.parquet`);
    await Bun.write(path, bytes);
    const expected = frameCells(frame).v!;
    expect(frameCells(await decodeParquet(bytes)).v).toEqual(expected);
    expect((await duckCells(path)).v).toEqual(expected);
    expect(wasmCells(bytes).cells.v).toEqual(expected);
  }
});

test("sorted ns timestamps are stored DELTA_BINARY_PACKED and far smaller than 8 bytes per value", async () => {
  const n = 50_000;
  const values = new BigInt64Array(n);
  for (let i = 0; i < n; i++) values[i] = 1_768_400_000_000_000_000n + BigInt(i * 1_000_003);
  const bytes = encodeParquet(new Frame([{ name: "v", type: "int64", values }], n), { schema: SCHEMA });
  const path = join(dir, "sorted.parquet");
  await Bun.write(path, bytes);
  const duck = await loadDuckDB();
  const inst = await duck.DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  const rows = (await con.runAndReadAll(`SELECT encodings FROM parquet_metadata('${path}')`)).getRowObjectsJS();
  con.closeSync();
  inst.closeSync();
  expect(String(rows[0]!.encodings)).toContain("DELTA_BINARY_PACKED");
  expect(bytes.length).toBeLessThan(n); // < 1 byte per value
});
