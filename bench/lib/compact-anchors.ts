/**
 * Same-run anchors for bench:compact that price the per-file floor of a live-shaped day:
 *
 *   - decode floor: every input read and decoded with the lake's fastest decoder, in-process,
 *     nothing sorted, encoded, written or deleted — what any merge of these files must pay
 *     at least, before it writes a byte;
 *   - DuckDB: the same merge done by DuckDB (one `COPY (… ORDER BY ts_event_ns, seq)` per
 *     table-hour from the hour's files, ZSTD), in-process — the standard engine's price.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { decodeLakeFile, decodeParquetWithInfo } from "../../src/parquet";
import { BRONZE_TABLES } from "../../src/schemas/bronze";

export interface AnchorRun {
  seconds: number;
  cpu: number;
  rows: number;
}

function bronzeFiles(root: string): string[] {
  const base = join(root, "bronze");
  return (readdirSync(base, { recursive: true }) as string[]).filter((f) => f.endsWith(".parquet")).map((f) => join(base, f)).sort();
}

function measure(fn: () => number | Promise<number>): Promise<AnchorRun> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return Promise.resolve(fn()).then((rows) => {
    const c = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, rows };
  });
}

/** Read and decode every Bronze file under `root` (the lake's fast decoder; hyparquet for others). */
export function decodeFloor(root: string): Promise<AnchorRun> {
  const files = bronzeFiles(root).map((path) => ({ path, table: BRONZE_TABLES.find((t) => path.includes(`${sep}${t.schemaPath.split("/").join(sep)}${sep}`))! }));
  return measure(async () => {
    let rows = 0;
    for (const { path, table } of files) {
      const bytes = readFileSync(path);
      rows += (decodeLakeFile(bytes, table.schema) ?? (await decodeParquetWithInfo(bytes, { schema: table.schema }))).frame.numRows;
    }
    return rows;
  });
}

/** DuckDB merging each partition-hour's files into one sorted ZSTD file (outputs discarded). */
export async function duckdbMerge(root: string, threads: number): Promise<AnchorRun> {
  const hours = new Map<string, string[]>();
  for (const f of bronzeFiles(root)) {
    const d = dirname(f);
    (hours.get(d) ?? hours.set(d, []).get(d)!).push(f);
  }
  const out = join(tmpdir(), `lake-bench-compact-duckdb-${process.pid}.parquet`);
  const instance = await DuckDBInstance.create(":memory:", { threads: String(threads) });
  const con = await instance.connect();
  try {
    return await measure(async () => {
      let rows = 0;
      for (const files of hours.values()) {
        const list = files.map((f) => `'${f.replaceAll("'", "''")}'`).join(",");
        const r = await con.run(`COPY (SELECT * FROM read_parquet([${list}], union_by_name = true) ORDER BY ts_event_ns, seq) TO '${out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 131072)`);
        rows += Number(r.rowsChanged);
      }
      return rows;
    });
  } finally {
    con.closeSync();
    instance.closeSync();
    rmSync(out, { force: true });
  }
}
