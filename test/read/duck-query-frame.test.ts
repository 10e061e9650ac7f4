import { describe, expect, test } from "bun:test";
import { duckQuery, duckStream, DuckSession, QueryError } from "../../src/read/duck";

describe("duckQuery converts DuckDB results to typed Frame columns", () => {
  test("every supported type maps to its Frame representation, nulls included", async () => {
    const f = await duckQuery(`
      SELECT * FROM (VALUES
        (9223372036854775807::BIGINT, 1.5::DOUBLE, 7::INTEGER, 3::SMALLINT, -2::TINYINT, true, 'ESH6', DATE '2026-01-14',
         TIMESTAMP_NS '2026-01-14 14:30:00.123456789', [1, -2]::SMALLINT[], 1.25::DECIMAL(6,2), 'a string longer than twelve bytes'),
        (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
      ) t(i64, f64, i32, i16, i8, b, s, d, ts, l, dec, long)`);
    expect(f.numRows).toBe(2);
    expect(f.columns.map((c) => c.type)).toEqual([
      "int64", "float64", "int32", "int16", "int8", "bool", "utf8", "date32", "timestamp_ns", "list_int16", "float64", "utf8",
    ]);
    expect(f.values<BigInt64Array>("i64")).toBeInstanceOf(BigInt64Array);
    expect(f.values<Float64Array>("f64")).toBeInstanceOf(Float64Array);
    const r0 = f.row(0);
    expect(r0).toMatchObject({ i64: 9223372036854775807n, f64: 1.5, i32: 7, i16: 3, i8: -2, b: true, s: "ESH6", d: 20467, dec: 1.25 });
    expect(r0.ts).toBe(1768401000123456789n);
    expect(Array.from(r0.l as Int16Array)).toEqual([1, -2]);
    expect(r0.long).toBe("a string longer than twelve bytes");
    expect(Object.values(f.row(1)).every((v) => v === null)).toBe(true);
  });

  test("results spanning many DuckDB chunks keep every value in order", async () => {
    const f = await duckQuery(`SELECT i, i * 0.5 AS h, CASE WHEN i % 7 = 0 THEN NULL ELSE 'sym' || (i % 3) END AS s FROM range(10000) t(i)`);
    expect(f.numRows).toBe(10000);
    const i = f.values<BigInt64Array>("i");
    const s = f.values<(string | null)[]>("s");
    for (const k of [0, 2047, 2048, 4095, 9999]) {
      expect(i[k]).toBe(BigInt(k));
      expect(s[k]).toBe(k % 7 === 0 ? null : `sym${k % 3}`);
    }
    expect(f.values<Float64Array>("h")[9999]).toBe(4999.5);
  });

  test("the streaming variant yields bounded batches that add up to the whole result", async () => {
    const sizes: number[] = [];
    let sum = 0n;
    for await (const b of duckStream(`SELECT i FROM range(100000) t(i)`, undefined, 20000)) {
      sizes.push(b.numRows);
      for (const v of b.values<BigInt64Array>("i")) sum += v;
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(20000 + 2048);
    expect(sizes.length).toBeGreaterThan(3);
    expect(sum).toBe(4999950000n);
  });

  test("strings at the inline limit, beyond it, and multi-byte UTF-8 decode exactly", async () => {
    const words = ["", "a", "ESH6", "123456789012", "1234567890123", "é€𝄞", "ümlaut-ünïcödé-long", "ESH6", "ESM6", "ESH6"];
    const f = await duckQuery(`SELECT s FROM (SELECT unnest($w) AS s, generate_subscripts($w, 1) AS i) ORDER BY i`, { w: words });
    expect(f.values<(string | null)[]>("s")).toEqual(words);
  });

  test("an empty result still has its columns and types", async () => {
    const f = await duckQuery(`SELECT 1::BIGINT AS a, 'x' AS b WHERE false`);
    expect(f.numRows).toBe(0);
    expect(f.columns.map((c) => [c.name, c.type])).toEqual([["a", "int64"], ["b", "utf8"]]);
  });

  test("parameters are bound values, never SQL text", async () => {
    const evil = "x'); DROP TABLE t; --";
    const f = await duckQuery(`SELECT $s AS s, $n AS n, $b AS b, len($l) AS l`, { s: evil, n: 1768401000123456789n, b: true, l: ["a", "b"] });
    expect(f.row(0)).toEqual({ s: evil, n: 1768401000123456789n, b: true, l: 2n });
    const p = await duckQuery(`SELECT ?::VARCHAR AS a, ? AS b`, ["q", 2.5]);
    expect(p.row(0)).toEqual({ a: "q", b: 2.5 });
  });

  test("a DuckDB error becomes a QueryError naming the statement", async () => {
    const err = await duckQuery(`SELECT * FROM no_such_table`).catch((e) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toContain("no_such_table");
    expect(err.message).toContain("in query:");
  });

  test("a HUGEINT that does not fit int64 is an error that says how to fix it, not a wrapped value", async () => {
    const ok = await duckQuery(`SELECT sum(i) AS s FROM range(10) t(i)`); // sum(BIGINT) is HUGEINT
    expect(ok.row(0)).toEqual({ s: 45n });
    const err = await duckQuery(`SELECT 170141183460469231731687303715884105727::HUGEINT AS h`).catch((e) => e);
    expect(err.message).toMatch(/does not fit in int64.*CAST/);
  });

  test("a session keeps state across statements (views, temp tables)", async () => {
    using s = await DuckSession.open();
    await s.exec(`CREATE TEMP VIEW v AS SELECT 42 AS x`);
    expect((await s.query(`SELECT x FROM v`)).row(0)).toEqual({ x: 42 });
    expect(await s.describe(`SELECT x FROM v`)).toEqual([{ name: "x", type: "INTEGER" }]);
  });
});
