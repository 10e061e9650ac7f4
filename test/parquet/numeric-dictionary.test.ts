/**
 * float64 and int32 columns with few distinct values are written RLE_DICTIONARY (contracts
 * §2.1: dictionary encoding on); values that a dictionary keyed by number could not keep
 * exact (−0, NaN) and high-cardinality columns stay PLAIN. Either way every value reads back
 * bit for bit in our decoder and in DuckDB, and the statistics are those of the values.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Frame, type Column } from "../../src/frame";
import { decodeLakeFile, decodeParquet, encodeParquet } from "../../src/parquet";
import { DuckSession } from "../../src/read/duck";

/** A result column as plain values, whatever its array kind. */
const cells = (f: { column(name: string): { values: unknown } }, name: string): unknown[] => Array.from(f.column(name).values as ArrayLike<unknown>);
import type { TableSchema } from "../../src/schemas/types";

const dir = mkdtempSync(join(tmpdir(), "lake-numdict-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const n = 5000;
const f64 = (fn: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => fn(i));
const i32 = (fn: (i: number) => number) => Int32Array.from({ length: n }, (_, i) => fn(i));
const cases: { col: Column; dictionary: boolean; nullable?: boolean }[] = [
  { col: { name: "px", type: "float64", values: f64((i) => 5000 + Math.floor(i / 37) * 0.25) }, dictionary: true },
  { col: { name: "sz", type: "int32", values: i32((i) => (i * 7919) % 900) }, dictionary: true },
  { col: { name: "neg", type: "int32", values: i32((i) => -100_000 + (i % 50) * 9999) }, dictionary: true },
  { col: { name: "day", type: "date32", values: i32((i) => 20_000 + (i % 3)) }, dictionary: true },
  { col: { name: "opt", type: "float64", values: f64((i) => (i % 5) * 1.5), valid: Uint8Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 0 : 1)) }, dictionary: true },
  // nullable without nulls: the pages still need their (all-defined) levels
  { col: { name: "optfull", type: "float64", values: f64((i) => (i % 3) * 2) }, dictionary: true, nullable: true },
  { col: { name: "negzero", type: "float64", values: f64((i) => (i === 4321 ? -0 : i % 4)) }, dictionary: false },
  { col: { name: "nan", type: "float64", values: f64((i) => (i === 17 ? NaN : i % 4)) }, dictionary: false },
  { col: { name: "unique", type: "float64", values: f64((i) => i * 1.01) }, dictionary: false },
];
const schema: TableSchema = {
  name: "numdict.test",
  tier: "bronze",
  sortKey: [],
  columns: cases.map(({ col, nullable }) => ({ name: col.name, type: col.type, nullable: nullable ?? col.valid !== undefined })),
};
const frame = new Frame(
  cases.map((c) => c.col),
  n,
);
const path = join(dir, "f.parquet");
writeFileSync(path, encodeParquet(frame, { schema, sort: false, pageBytes: 2048 }));

describe("numeric dictionaries", () => {
  test("few distinct values → RLE_DICTIONARY; −0, NaN or many values → PLAIN", async () => {
    using s = await DuckSession.open();
    const m = await s.query(`SELECT path_in_schema AS c, encodings AS e FROM parquet_metadata($p)`, { p: path });
    const enc = new Map(cells(m, "c").map((c, i) => [String(c), String(cells(m, "e")[i])]));
    for (const { col, dictionary } of cases) expect([col.name, enc.get(col.name)!.includes("RLE_DICTIONARY")]).toEqual([col.name, dictionary]);
  });

  test("every value reads back bit for bit in our decoders and in DuckDB", async () => {
    const bytes = await Bun.file(path).bytes();
    const back = await decodeParquet(bytes, { schema });
    const fast = decodeLakeFile(bytes, schema); // the lake's own layouts, dictionaries included
    expect(fast).not.toBeNull();
    using s = await DuckSession.open();
    const duck = await s.query(`SELECT * FROM read_parquet($p)`, { p: path });
    for (const { col } of cases) {
      for (const got of [back.column(col.name), fast!.frame.column(col.name), duck.column(col.name)]) {
        for (let i = 0; i < n; i++) {
          const defined = col.valid ? col.valid[i] === 1 : true;
          expect(got.valid ? got.valid[i] === 1 : true).toBe(defined);
          if (defined && !Object.is(Number((got.values as ArrayLike<number>)[i]), (col.values as ArrayLike<number>)[i])) {
            throw new Error(`${col.name} row ${i}: ${(got.values as ArrayLike<number>)[i]} ≠ ${(col.values as ArrayLike<number>)[i]}`);
          }
        }
      }
    }
  });

  test("statistics are the values' min/max and null count", async () => {
    using s = await DuckSession.open();
    const m = await s.query(`SELECT path_in_schema AS c, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls FROM parquet_metadata($p)`, { p: path });
    const names = cells(m, "c").map(String);
    for (const { col } of cases.filter((c) => c.col.name !== "nan" && c.col.type !== "date32")) {
      const i = names.indexOf(col.name);
      const vals = Array.from(col.values as ArrayLike<number>).filter((_, r) => !col.valid || col.valid[r]);
      // + 0: a zero minimum is written as −0 (the writer's signed-zero rule)
      expect(Number(cells(m, "lo")[i]) + 0).toBe(Math.min(...vals) + 0);
      expect(Number(cells(m, "hi")[i]) + 0).toBe(Math.max(...vals) + 0);
      expect(Number(cells(m, "nulls")[i])).toBe(n - vals.length);
    }
  });
});
