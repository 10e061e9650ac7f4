/**
 * bun run bench:encode — our Parquet encoder vs DuckDB COPY … (FORMAT parquet,
 * COMPRESSION zstd) on the same 1M MBP-10 rows and 1M trade rows, one thread each.
 * DuckDB gets the rows by reading our file into a table first; only the COPY is timed.
 *
 *   bun run bench:encode [--rows N] [--runs K] [--profile]
 *
 * --profile adds a per-column breakdown of our encoder (each column encoded alone).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Frame } from "../src/frame";
import { encodeParquet } from "../src/parquet";
import { loadDuckDB } from "../src/runtime/duckdb-native";
import { FUTURES_MBP10, FUTURES_TRADES } from "../src/schemas/bronze";
import type { TableSchema } from "../src/schemas/types";
import { generateMbp10, generateTrades, rawBytes } from "./encode-data";
import { median, numberFlag } from "./lib/args";

const ROWS = numberFlag("rows", 1_000_000);
const RUNS = numberFlag("runs", 3);

interface Result {
  seconds: number;
  bytes: number;
}

async function timeOurs(frame: Frame, schema: TableSchema, path: string): Promise<Result> {
  let bytes = encodeParquet(frame, { schema }); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    bytes = encodeParquet(frame, { schema });
    times.push((performance.now() - t) / 1000);
  }
  await Bun.write(path, bytes);
  return { seconds: median(times), bytes: bytes.length };
}

async function timeDuck(src: string, dst: string, rows: number): Promise<Result> {
  const duck = await loadDuckDB();
  const inst = await duck.DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  try {
    await con.run("SET threads = 1");
    await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${src}')`);
    const n = (await con.runAndReadAll("SELECT count(*) FROM t")).getRows()[0]![0];
    if (Number(n) !== rows) throw new Error(`DuckDB read ${n} rows from our file, expected ${rows}`);
    const copy = `COPY t TO '${dst}' (FORMAT parquet, COMPRESSION zstd)`;
    await con.run(copy); // warm-up
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await con.run(copy);
      times.push((performance.now() - t) / 1000);
    }
    return { seconds: median(times), bytes: statSync(dst).size };
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
  lines.push(`rows per table: ${ROWS.toLocaleString("en-US")}, median of ${RUNS} runs, 1 thread each, ZSTD level 3`);
  lines.push("| table | writer | rows/s | MB/s (in-memory) | file MB | time s |");
  lines.push("|---|---|---:|---:|---:|---:|");
  const ratios: string[] = [];
  for (const [label, schema, gen] of [
    ["futures.mbp10", FUTURES_MBP10, generateMbp10],
    ["futures.trades", FUTURES_TRADES, generateTrades],
  ] as const) {
    const frame = gen(ROWS);
    const raw = rawBytes(frame) / 1e6;
    const ours = await timeOurs(frame, schema, join(dir, `${label}.ours.parquet`));
    const duck = await timeDuck(join(dir, `${label}.ours.parquet`), join(dir, `${label}.duck.parquet`), ROWS);
    for (const [who, r] of [["lake", ours], ["DuckDB COPY", duck]] as const) {
      lines.push(`| ${label} | ${who} | ${Math.round(ROWS / r.seconds).toLocaleString("en-US")} | ${fmt(raw / r.seconds, 1)} | ${fmt(r.bytes / 1e6, 2)} | ${fmt(r.seconds, 3)} |`);
    }
    if (process.argv.includes("--profile")) ratios.push(profile(frame, schema));
    ratios.push(
      `${label}: speed ours/DuckDB = ${fmt(duck.seconds / ours.seconds)}× (target ≥ 0.5×), size ours/DuckDB = ${fmt(ours.bytes / duck.bytes, 3)}× (target ≤ 1.10×)`,
    );
  }
  console.log([...lines, "", ...ratios].join("\n"));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
