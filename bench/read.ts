/**
 * bench:read — 1M MBP-10 rows through BronzeReader → Frame, next to DuckDB running the very
 * same scan, measured in the same run, interleaved. Headline anchor: DuckDB's own
 * materialised result of the scan (our path minus the conversion to typed arrays); second
 * column: `CREATE TEMP TABLE … AS <scan>`, which adds DuckDB's table-storage work and so
 * flatters us. Target: ours ≤ 1.5× DuckDB's materialised result.
 *
 * The lake is lake-written (encodeParquet, ZSTD, one file per UTC hour) from the codec
 * bench's realistic book generator, cached under .bench-out/ between runs.
 *
 *   bun run bench:read [--rows 1000000] [--runs 5]
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { encodeParquet } from "../src/parquet";
import { BronzeReader } from "../src/read/bronze-reader";
import { DuckSession } from "../src/read/duck";
import { buildScan } from "../src/read/scan";
import { bronzeTable, FUTURES_MBP10 } from "../src/schemas/bronze";
import { partitionRuns } from "../src/sim/bronze";
import { generateMbp10 } from "./encode-data";
import { median, numberFlag } from "./lib/args";

const ROWS = numberFlag("rows", 1_000_000);
const RUNS = numberFlag("runs", 5);
const root = resolve(import.meta.dir, "..", ".bench-out", `read-lake-${ROWS}`);
const table = bronzeTable("futures.mbp10");

function buildLake(): string {
  const marker = join(root, ".complete");
  if (existsSync(marker)) return "reused";
  rmSync(root, { recursive: true, force: true });
  const t = performance.now();
  const frame = generateMbp10(ROWS);
  // One file per (symbol root, UTC hour), the Bronze layout; the frame is time-sorted, so each run is a slice.
  for (const run of partitionRuns(table, frame)) {
    const dir = join(root, run.dir);
    mkdirSync(dir, { recursive: true });
    const part = frame.slice(run.rows[0]!, run.rows[0]! + run.rows.length);
    writeFileSync(join(dir, "part-bench.parquet"), encodeParquet(part, { schema: FUTURES_MBP10 }));
  }
  writeFileSync(marker, "");
  return `generated in ${((performance.now() - t) / 1000).toFixed(1)} s`;
}

const how = buildLake();
const reader = new BronzeReader(root);
const dates = await reader.getAvailableDates("futures/mbp10", "symbol=ES");
const symbol = "ESH6";
const opts = { date: dates[0]!, specificContract: symbol };

/** The reader's scan SQL for one contract's MBP-10 on the bench date (both anchors run it). */
async function contractScan(s: DuckSession): Promise<Awaited<ReturnType<typeof buildScan>>> {
  const files = await reader.files.filesFor(`bronze/${table.schemaPath}/symbol=ES`, { date: opts.date });
  return buildScan(s, {
    schema: table.schema,
    paths: await reader.files.localPaths(files),
    tieBreak: ["seq"],
    where: { sql: "symbol = $p_contract", params: { p_contract: symbol } },
  });
}

// Second anchor: the reader's own scan SQL, materialised by DuckDB into a temp table.
async function duckTable(): Promise<{ ms: number; rows: number }> {
  using s = await DuckSession.open();
  const { sql, params } = await contractScan(s);
  const t = performance.now();
  await s.exec(`CREATE OR REPLACE TEMP TABLE bench_mbp AS ${sql}`, params);
  const ms = performance.now() - t;
  const n = await s.query(`SELECT count(*)::BIGINT AS n FROM bench_mbp`);
  await s.exec(`DROP TABLE bench_mbp`);
  return { ms, rows: Number(n.values<BigInt64Array>("n")[0]) };
}

// Headline anchor: DuckDB's materialised result of the same scan, left in DuckDB's memory —
// exactly our path minus the conversion to typed arrays.
async function duckResult(): Promise<{ ms: number; rows: number }> {
  using s = await DuckSession.open();
  const { sql, params } = await contractScan(s);
  const duck = await (await import("../src/runtime/duckdb-native")).loadDuckDB();
  const t = performance.now();
  const values = { files: duck.listValue([...(params.files as string[])]), p_contract: symbol };
  const r = await s.conn.run(sql, values, { files: duck.LIST(duck.VARCHAR), p_contract: duck.VARCHAR });
  return { ms: performance.now() - t, rows: r.rowCount };
}

async function ours(): Promise<{ ms: number; rows: number }> {
  const t = performance.now();
  const f = await reader.readFuturesMbp10("ES", opts);
  return { ms: performance.now() - t, rows: f.numRows };
}

await ours(); // warm the page cache and DuckDB
await duckTable();
await duckResult();
const a: number[] = [];
const b: number[] = [];
const c: number[] = [];
let rows = 0;
for (let i = 0; i < RUNS; i++) {
  const o = await ours();
  const d = await duckTable();
  const r = await duckResult();
  if (r.rows !== d.rows) throw new Error(`row counts differ: result ${r.rows}, table ${d.rows}`);
  c.push(r.ms);
  if (o.rows !== d.rows) throw new Error(`row counts differ: ours ${o.rows}, DuckDB ${d.rows}`);
  rows = o.rows;
  a.push(o.ms);
  b.push(d.ms);
}
const mo = median(a);
const md = median(b);
const mr = median(c);
const rate = (ms: number) => `${((rows / ms) * 1000 / 1e6).toFixed(2)} M rows/s`;
console.log(`bench:read — ${rows.toLocaleString("en-US")} MBP-10 rows × ${FUTURES_MBP10.columns.length} cols, ${reader.lastRead.files.length} files (lake ${how}), median of ${RUNS}`);
console.log(`  ours   BronzeReader.readFuturesMbp10 → Frame          ${mo.toFixed(0).padStart(6)} ms   ${rate(mo)}`);
console.log(`  anchor DuckDB materialised result of the same scan    ${mr.toFixed(0).padStart(6)} ms   ${rate(mr)}`);
console.log(`  (2nd)  DuckDB CREATE TEMP TABLE AS <same scan>        ${md.toFixed(0).padStart(6)} ms   ${rate(md)}`);
console.log(`  ratio  ours / DuckDB result = ${(mo / mr).toFixed(2)}× (target ≤ 1.50×)   ours / DuckDB temp table = ${(mo / md).toFixed(2)}×`);
