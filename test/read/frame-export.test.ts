import { describe, expect, test } from "bun:test";
import { tableFromIPC } from "apache-arrow";
import { duckQuery, DuckSession } from "../../src/read/duck";
import { frameToArrowIPC } from "../../src/read/frame-arrow";
import { frameToParquet } from "../../src/read/frame-export";
import { readParquetInfo } from "../../src/parquet";
import { FUTURES_TRADES } from "../../src/schemas/bronze";
import { frameFromRows } from "../../src/frame";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SQL = `SELECT i::BIGINT AS a, i / 4 AS b, CASE WHEN i % 3 = 0 THEN NULL ELSE i::INTEGER END AS c,
  CASE WHEN i = 2 THEN NULL ELSE 'x' || i END AS s, i % 2 = 0 AS flag, [i::SMALLINT, -1::SMALLINT] AS l,
  DATE '2026-01-14' + i::INTEGER AS d, (i % 4)::TINYINT AS t FROM range(5000) t(i)`;

describe("a Frame hands off as Arrow IPC or Parquet", () => {
  test("Arrow IPC round-trips types, values and nulls", async () => {
    const f = await duckQuery(SQL);
    const t = tableFromIPC(frameToArrowIPC(f));
    expect(t.numRows).toBe(5000);
    expect(t.schema.fields.map((x) => String(x.type))).toEqual(["Int64", "Float64", "Int32", "Utf8", "Bool", "List<Int16>", "Date32<DAY>", "Int8"]);
    const r = t.get(4099)!.toJSON();
    expect(r.a).toBe(4099n);
    expect(r.b).toBe(1024.75);
    expect(r.c).toBe(4099);
    expect(r.s).toBe("x4099");
    expect(r.flag).toBe(false);
    expect(Array.from(r.l as Iterable<number>)).toEqual([4099, -1]);
    expect(t.getChild("c")!.get(3)).toBeNull();
    expect(t.getChild("s")!.get(2)).toBeNull();
    expect(t.getChild("flag")!.get(4098)).toBe(true);
  });

  test("Parquet bytes read back identically through DuckDB", async () => {
    const f = await duckQuery(SQL);
    const dir = mkdtempSync(join(tmpdir(), "lake-export-"));
    try {
      const path = join(dir, "x.parquet");
      writeFileSync(path, frameToParquet(f));
      using s = await DuckSession.open();
      const back = await s.query(`SELECT * FROM read_parquet($p) ORDER BY a`, { p: path });
      expect(back.toRows()).toEqual(f.toRows());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("with a lake schema the Parquet carries its schema_name and tier", async () => {
    const f = frameFromRows(FUTURES_TRADES.columns, [
      { ts_event_ns: 2n, ts_recv_ns: 2n, source: "t", symbol: "ESH6", price: 1, size: 1, aggressor: 0, seq: 1n },
      { ts_event_ns: 1n, ts_recv_ns: 1n, source: "t", symbol: "ESH6", price: 1, size: 1, aggressor: 0, seq: 2n },
    ]);
    const info = await readParquetInfo(frameToParquet(f, FUTURES_TRADES));
    expect(info.numRows).toBe(2);
    expect(info.kv.schema_name).toBe("futures.trades.v1");
    expect(info.kv.tier).toBe("bronze");
  });
});
