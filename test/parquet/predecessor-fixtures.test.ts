/**
 * Files written by the predecessor (pyarrow; the "backfill" physical variant of contracts
 * §2.5) decode through the same decodeParquet path: every value agrees with DuckDB, row
 * counts match the fixture README / summary.json, and schema normalisation widens/narrows
 * types, turns the null-typed `conditions` into typed nulls and utf8 `exp_date` into date32.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { decodeParquet, readParquetInfo } from "../../src/parquet";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../src/schemas/bronze";
import { SILVER_FEATURES } from "../../src/schemas/silver";
import type { TableSchema } from "../../src/schemas/types";
import { diffCells, duckCells, frameCells } from "./helpers/readers";
import { FIXTURE_DAY_A } from "../../testkit/fixtures";

const ROOT = FIXTURE_DAY_A;
const summary = (await Bun.file(join(ROOT, "expected/summary.json")).json()) as {
  rows: number;
  n_columns: number;
  null_counts_nonzero: Record<string, number>;
  bronze: Record<string, Record<string, { files: number; rows: number }>>;
};

function parquetFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...parquetFiles(p));
    else if (name.endsWith(".parquet")) out.push(p);
  }
  return out;
}

const read = async (p: string) => new Uint8Array(await Bun.file(p).arrayBuffer());

const TABLES: [string, string, TableSchema][] = [
  ["futures_trades", "bronze/futures/trades/symbol=ES", FUTURES_TRADES],
  ["futures_mbp10", "bronze/futures/mbp10/symbol=ES", FUTURES_MBP10],
  ["options_trades", "bronze/options/trades/underlying=ES", OPTION_TRADES],
];

describe.each(TABLES)("predecessor Bronze %s", (key, dir, schema) => {
  const files = parquetFiles(join(ROOT, dir));

  test("every file decodes to exactly the values DuckDB reads, and row counts match summary.json", async () => {
    const rowsByDate: Record<string, { files: number; rows: number }> = {};
    for (const path of files) {
      const bytes = await read(path);
      const raw = await decodeParquet(bytes);
      const diff = diffCells(frameCells(raw), await duckCells(path), `decodeParquet vs DuckDB on ${relative(ROOT, path)}`);
      expect(diff).toBeNull();
      const date = /date=(\d{4}-\d{2}-\d{2})/.exec(path)![1]!;
      const agg = (rowsByDate[date] ??= { files: 0, rows: 0 });
      agg.files++;
      agg.rows += raw.numRows;
    }
    expect(rowsByDate).toEqual(Object.fromEntries(Object.entries(summary.bronze[key]!).map(([d, v]) => [d, { files: v.files, rows: v.rows }])));
  }, 60_000);

  test("normalising to the canonical schema gives schema order and types with no value lost", async () => {
    const path = files.find((p) => p.includes("date=2026-01-14/hour=15"))!;
    const bytes = await read(path);
    const raw = await decodeParquet(bytes);
    const norm = await decodeParquet(bytes, { schema });
    expect(norm.columns.map((c) => [c.name, c.type])).toEqual(schema.columns.map((d) => [d.name, d.type]));
    expect(norm.numRows).toBe(raw.numRows);
    for (const c of norm.columns) {
      if (!raw.has(c.name)) continue;
      const r = frameCells(raw.select([c.name]))[c.name]!;
      const n = frameCells(norm.select([c.name]))[c.name]!;
      for (let i = 0; i < n.length; i++) {
        if (c.name === "exp_date") {
          const d = r[i] as string;
          expect(n[i]).toBe(Date.parse(`${d}T00:00:00Z`) / 86_400_000);
        } else if (typeof r[i] === "bigint" && typeof n[i] === "number") expect(BigInt(n[i] as number)).toBe(r[i] as bigint);
        else expect(n[i]).toEqual(r[i]);
      }
    }
    if (norm.has("conditions")) {
      expect(norm.column("conditions").type).toBe("list_int16");
      expect((norm.column("conditions").values as unknown[]).every((v) => v === null)).toBe(true);
    }
  }, 30_000);
});

test("predecessor Bronze (pyarrow) metadata: schema_name and tier are readable", async () => {
  const info = await readParquetInfo(await read(parquetFiles(join(ROOT, "bronze/futures/mbp10"))[0]!));
  expect(info.kv.schema_name).toBe("futures.mbp10.v1");
  expect(info.kv.tier).toBe("bronze");
  expect(info.columns.find((c) => c.name === "bid_sz_1")?.type).toBe("int64");
});

test("expected/silver_features.parquet (pyarrow) decodes to 107 rows × 182 columns in schema types, nulls as in summary.json", async () => {
  const path = join(ROOT, "expected/silver_features.parquet");
  const bytes = await read(path);
  const frame = await decodeParquet(bytes, { schema: SILVER_FEATURES });
  expect(frame.numRows).toBe(summary.rows);
  expect(frame.columns.length).toBe(summary.n_columns);
  expect(frame.columns.map((c) => [c.name, c.type])).toEqual(SILVER_FEATURES.columns.map((d) => [d.name, d.type]));
  const nulls: Record<string, number> = {};
  for (const c of frame.columns) {
    let k = 0;
    for (let i = 0; i < frame.numRows; i++) if (c.valid ? !c.valid[i] : (c.values as unknown[])[i] === null) k++;
    if (k) nulls[c.name] = k;
  }
  expect(nulls).toEqual(summary.null_counts_nonzero);
  // every value, including the naive timestamp[ns] and int8 level_kind, agrees with DuckDB
  expect(diffCells(frameCells(await decodeParquet(bytes)), await duckCells(path), "silver vs DuckDB")).toBeNull();
});
