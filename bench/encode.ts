/**
 * bun run bench:encode — our Parquet encoder vs DuckDB COPY … (FORMAT parquet,
 * COMPRESSION zstd) on the same 1M MBP-10 rows and 1M trade rows, one thread each.
 * DuckDB gets the rows by reading our file into a table first; only the COPY is timed. The
 * two writers alternate run by run, so both see the same load on a shared machine.
 *
 * Like for like: COPY encodes and writes a file (no fsync — it issues none), so the
 * headline times our encode *and* the write of the file (writeFileSync, no fsync); the
 * in-memory encode alone is shown beside it. Both writers run at two row-group sizes: ours
 * (1 048 576 rows, one group per Bronze file) and DuckDB's default (122 880 rows), each
 * compared at the same size.
 *
 *   bun run bench:encode [--rows N] [--runs K] [--profile]
 *
 * --profile adds a per-column breakdown of our encoder (each column encoded alone).
 */
import { reexecWithBatchAllocator } from "../src/runtime/allocator";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Frame } from "../src/frame";
import { DEFAULT_ROW_GROUP_SIZE, encodeParquet } from "../src/parquet";
import { loadDuckDB } from "../src/runtime/duckdb-native";
import { FUTURES_MBP10, FUTURES_TRADES } from "../src/schemas/bronze";
import type { TableSchema } from "../src/schemas/types";
import { generateMbp10, generateTrades, rawBytes } from "./encode-data";
import { median, numberFlag } from "./lib/args";

// measured as the lake's batch commands run: with their allocator setting (src/runtime/allocator.ts)
reexecWithBatchAllocator();

const ROWS = numberFlag("rows", 1_000_000);
const RUNS = numberFlag("runs", 3);

interface Result {
  seconds: number;
  bytes: number;
}

/** DuckDB's default ROW_GROUP_SIZE for COPY … (FORMAT parquet). */
const DUCKDB_ROW_GROUP_SIZE = 122_880;
const ROW_GROUP_SIZES = [DEFAULT_ROW_GROUP_SIZE, DUCKDB_ROW_GROUP_SIZE] as const;

interface Ours {
  /** encode + write the file, as COPY does */
  file: Result;
  /** encode to bytes in memory only */
  memory: Result;
}

/** One timed encode + write of ours: [in-memory seconds, file seconds]. */
function oursOnce(frame: Frame, schema: TableSchema, path: string, rowGroupSize: number): [number, number] {
  const t0 = performance.now();
  const bytes = encodeParquet(frame, { schema, rowGroupSize });
  const t1 = performance.now();
  writeFileSync(path, bytes);
  const t2 = performance.now();
  return [(t1 - t0) / 1000, (t2 - t0) / 1000];
}

/**
 * Ours and DuckDB's COPY at one row-group size, run after run alternately (the box is shared
 * and noisy: interleaving exposes both writers to the same load), each warmed up once.
 * DuckDB holds the rows in a table loaded from our file; only the COPY is timed.
 */
async function timePair(frame: Frame, schema: TableSchema, dir: string, label: string, rowGroupSize: number): Promise<{ ours: Ours; duck: Result }> {
  const src = join(dir, `${label}.${rowGroupSize}.ours.parquet`);
  const dst = join(dir, `${label}.${rowGroupSize}.duck.parquet`);
  oursOnce(frame, schema, src, rowGroupSize); // warm-up (JIT) and DuckDB's input
  const duck = await loadDuckDB();
  const inst = await duck.DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  try {
    await con.run("SET threads = 1");
    await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${src}')`);
    const n = (await con.runAndReadAll("SELECT count(*) FROM t")).getRows()[0]![0];
    if (Number(n) !== frame.numRows) throw new Error(`DuckDB read ${n} rows from our file, expected ${frame.numRows}`);
    const copy = `COPY t TO '${dst}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupSize})`;
    await con.run(copy); // warm-up
    const memory: number[] = [];
    const file: number[] = [];
    const copies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [m, f] = oursOnce(frame, schema, src, rowGroupSize);
      memory.push(m);
      file.push(f);
      const t = performance.now();
      await con.run(copy);
      copies.push((performance.now() - t) / 1000);
    }
    const size = statSync(src).size;
    return {
      ours: { file: { seconds: median(file), bytes: size }, memory: { seconds: median(memory), bytes: size } },
      duck: { seconds: median(copies), bytes: statSync(dst).size },
    };
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

/** Per-column encode time and bytes: where the encoder spends its time. */
function profile(frame: Frame, schema: TableSchema): string {
  const rows = schema.columns.map((d) => {
    const one = { ...schema, columns: [d], sortKey: [] };
    const f = new Frame([frame.column(d.name)], frame.numRows);
    let b = encodeParquet(f, { schema: one });
    let ms = Infinity; // best of 3: the per-column split is for spotting hot paths, not absolute figures
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      b = encodeParquet(f, { schema: one });
      ms = Math.min(ms, performance.now() - t);
    }
    return { name: d.name, ms, mb: b.length / 1e6 };
  });
  rows.sort((a, b) => b.ms - a.ms);
  const total = rows.reduce((s, r) => s + r.ms, 0);
  return `${schema.name} per column (top 8 of ${rows.length}, sum ${total.toFixed(0)} ms): ` + rows.slice(0, 8).map((r) => `${r.name} ${r.ms.toFixed(1)} ms/${r.mb.toFixed(2)} MB`).join(", ");
}

const dir = mkdtempSync(join(tmpdir(), "lake-bench-encode-"));
try {
  const lines: string[] = [];
  const fmt = (x: number, d = 2) => x.toFixed(d);
  const groups = (n: number) => n.toLocaleString("en-US");
  lines.push(`rows per table: ${ROWS.toLocaleString("en-US")}, median of ${RUNS} runs, 1 thread each, ZSTD level 3`);
  lines.push("| table | writer | row group rows | rows/s | MB/s (raw in) | file MB | time s |");
  lines.push("|---|---|---:|---:|---:|---:|---:|");
  const ratios: string[] = [];
  for (const [label, schema, gen] of [
    ["futures.mbp10", FUTURES_MBP10, generateMbp10],
    ["futures.trades", FUTURES_TRADES, generateTrades],
  ] as const) {
    const frame = gen(ROWS);
    const raw = rawBytes(frame) / 1e6;
    const row = (who: string, size: number, r: Result) =>
      lines.push(`| ${label} | ${who} | ${groups(size)} | ${Math.round(ROWS / r.seconds).toLocaleString("en-US")} | ${fmt(raw / r.seconds, 1)} | ${fmt(r.bytes / 1e6, 2)} | ${fmt(r.seconds, 3)} |`);
    for (const size of ROW_GROUP_SIZES) {
      const { ours, duck } = await timePair(frame, schema, dir, label, size);
      row("lake encode + file write", size, ours.file);
      row("lake encode (in memory)", size, ours.memory);
      row(size === DUCKDB_ROW_GROUP_SIZE ? "DuckDB COPY (its default)" : "DuckDB COPY", size, duck);
      ratios.push(
        `${label}, ${groups(size)}-row groups: throughput lake/DuckDB, file to file, = ${fmt(duck.seconds / ours.file.seconds)}× ` +
          `(in-memory encode: ${fmt(duck.seconds / ours.memory.seconds)}×), size ours/DuckDB = ${fmt(ours.file.bytes / duck.bytes, 3)}×`,
      );
    }
    if (process.argv.includes("--profile")) ratios.push(profile(frame, schema));
  }
  console.log([...lines, "", "throughput > 1× means lake is faster; size < 1× means lake's file is smaller", ...ratios].join("\n"));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
