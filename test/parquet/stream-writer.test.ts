import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeParquet, readParquetInfo } from "../../src/parquet";
import { ParquetStreamWriter } from "../../src/parquet/stream-writer";
import { duckQuery, DuckSession } from "../../src/read/duck";
import { schemaOfFrame } from "../../src/read/frame-export";
import type { Frame } from "../../src/frame";

const SQL = `SELECT (1772700000000000000 + i * 1000)::BIGINT AS ts_event_ns, i / 4 AS b, CASE WHEN i % 3 = 0 THEN NULL ELSE i::INTEGER END AS c,
  CASE WHEN i = 2 THEN NULL ELSE 'x' || i END AS s, [i::SMALLINT] AS l FROM range(10000) t(i)`;

async function writeStreamed(batches: AsyncIterable<Frame>, rowGroupRows: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let w: ParquetStreamWriter | null = null;
  for await (const f of batches) {
    w ??= new ParquetStreamWriter({ schema: schemaOfFrame(f), rowGroupRows }, async (b) => void parts.push(b.slice()));
    await w.append(f);
  }
  await w!.close();
  return Buffer.concat(parts);
}

describe("ParquetStreamWriter writes a file row group by row group", () => {
  test("batches become row groups; values, nulls and ts metadata survive; DuckDB reads it", async () => {
    using s = await DuckSession.open();
    const bytes = await writeStreamed(s.stream(SQL, undefined, 1500), 4000);
    const info = await readParquetInfo(bytes);
    expect(info.numRows).toBe(10_000);
    expect(info.rowGroups).toBe(3); // 4500, 4500, 1000 rows: groups close once ≥ 4000 rows are buffered
    expect(info.kv.min_ts_event_ns).toBe("1772700000000000000");
    expect(info.kv.max_ts_event_ns).toBe(String(1772700000000000000n + 9999n * 1000n));
    const back = await decodeParquet(bytes);
    const want = await duckQuery(SQL);
    for (const name of ["ts_event_ns", "b", "c", "s"]) {
      for (const i of [0, 1, 2, 3, 4499, 4500, 9999]) expect(back.column(name).values[i]).toEqual(want.column(name).values[i]);
    }
    expect(back.column("c").valid![3]).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "lake-stream-"));
    try {
      writeFileSync(join(dir, "x.parquet"), bytes);
      const agg = await duckQuery(`SELECT count(*) AS n, count(c) AS nc, sum(b) AS sb FROM read_parquet('${join(dir, "x.parquet")}')`);
      const ref = await duckQuery(`SELECT count(*) AS n, count(c) AS nc, sum(b) AS sb FROM (${SQL})`);
      expect(agg.toRows()).toEqual(ref.toRows());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an empty result is a valid file with the columns and no row groups", async () => {
    using s = await DuckSession.open();
    const bytes = await writeStreamed(s.stream(`${SQL} LIMIT 0`), 4000);
    const info = await readParquetInfo(bytes);
    expect(info.numRows).toBe(0);
    expect(info.columns.map((c) => c.name)).toEqual(["ts_event_ns", "b", "c", "s", "l"]);
  });
});
