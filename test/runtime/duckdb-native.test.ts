/**
 * loadDuckDB / duckConnect from source, and the cache extraction the compiled binary uses
 * for libduckdb.so (the binary itself is exercised in test/build/binary.test.ts).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { duckConnect, duckdbLibraryPath, extractToCache, loadDuckDB } from "../../src/runtime/duckdb-native";

const tmp = mkdtempSync(join(tmpdir(), "lake-duckdb-native-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("loadDuckDB", () => {
  test("returns the node-api module once, and the library path it loaded", async () => {
    const a = loadDuckDB();
    const b = loadDuckDB();
    expect(a).toBe(b);
    const duck = await a;
    expect(typeof duck.DuckDBInstance.create).toBe("function");
    expect(duckdbLibraryPath()).toEndWith("libduckdb.so");
  });
});

describe("duckConnect", () => {
  test("runs SQL on a private in-memory database with the requested thread count", async () => {
    using conn = await duckConnect({ threads: 1 });
    const rows = (await conn.runAndReadAll("select current_setting('threads')::int as t, 6 * 7 as answer")).getRowObjectsJson();
    expect(rows).toEqual([{ t: 1, answer: 42 }]);
  });

  test("each connection gets its own database", async () => {
    using a = await duckConnect();
    using b = await duckConnect();
    await a.run("create table only_in_a as select 1 as x");
    expect((await a.runAndReadAll("select count(*)::int as n from only_in_a")).getRowObjectsJson()).toEqual([{ n: 1 }]);
    await expect(b.run("select * from only_in_a")).rejects.toThrow("only_in_a");
  });

  test("opens a database file when given a path", async () => {
    const path = join(tmp, "x.duckdb");
    {
      using conn = await duckConnect({ path });
      await conn.run("create table t as select 'kept' as v");
    }
    using again = await duckConnect({ path });
    expect((await again.runAndReadAll("select v from t")).getRowObjectsJson()).toEqual([{ v: "kept" }]);
  });

  test("rejects a thread count that is not a positive integer", async () => {
    await expect(duckConnect({ threads: 0 })).rejects.toThrow("threads must be a positive integer, got 0");
  });
});

describe("extractToCache", () => {
  const source = join(tmp, "libfake-abc123.so");
  writeFileSync(source, Buffer.alloc(256 * 1024, 7));

  test("copies the file into the first usable cache root, named as the source", () => {
    const root = join(tmp, "cache-a");
    const out = extractToCache(source, [root]);
    expect(out).toBe(join(root, "libfake-abc123.so"));
    expect(readFileSync(out).equals(readFileSync(source))).toBe(true);
  });

  test("reuses an existing complete copy and replaces a truncated one", () => {
    const root = join(tmp, "cache-b");
    const out = extractToCache(source, [root]);
    writeFileSync(out, "short");
    expect(extractToCache(source, [root])).toBe(out);
    expect(readFileSync(out).length).toBe(256 * 1024);
  });

  test("falls back to the next root when one is not writable, and says why when none is", () => {
    const ro = join(tmp, "readonly");
    writeFileSync(ro, "a file, not a directory");
    const fallback = join(tmp, "cache-c");
    expect(extractToCache(source, [join(ro, "sub"), fallback])).toBe(join(fallback, "libfake-abc123.so"));
    expect(() => extractToCache(source, [join(ro, "sub")])).toThrow("set LAKE_CACHE_DIR to a writable directory");
  });

  test("moves on to the next root when the extracted copy cannot be used (e.g. a noexec mount)", () => {
    const bad = join(tmp, "cache-noexec");
    const good = join(tmp, "cache-exec");
    const used: string[] = [];
    const out = extractToCache(source, [bad, good], (p) => {
      if (p.startsWith(bad)) throw new Error("failed to map segment from shared object");
      used.push(p);
    });
    expect(out).toBe(join(good, "libfake-abc123.so"));
    expect(used).toEqual([out]);
    expect(() => extractToCache(source, [bad], () => { throw new Error("failed to map segment"); })).toThrow(
      /cannot extract and load the embedded DuckDB library .*cache-noexec: failed to map segment/,
    );
  });

  test("removes temp files left by an extraction that was killed long ago", () => {
    const root = join(tmp, "cache-d");
    extractToCache(source, [root]);
    const stale = join(root, "libfake-abc123.so.999.x.tmp");
    writeFileSync(stale, "partial");
    chmodSync(stale, 0o644);
    const old = new Date(Date.now() - 3600_000);
    utimesSync(stale, old, old);
    rmSync(join(root, "libfake-abc123.so"));
    extractToCache(source, [root]);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(root)).toEqual(["libfake-abc123.so"]);
  });
});
