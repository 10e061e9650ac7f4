import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { ConfigError, UsageError } from "../../src/errors";
import { cacheCapBytes, cacheRootDir, DEFAULT_CACHE_MAX_GB, pruneCache, STALE_TMP_MS, tempPath, touch } from "../../src/read/cache-prune";
import { BronzeReader } from "../../src/read/bronze-reader";
import { LakeFiles } from "../../src/read/lake-files";
import { s3Store } from "../../src/storage";
import { startS3rver, type S3rver } from "../../testkit/s3";
import { FUTURES_TRADES, futKey, ns, tempLake, trade, type TempLake } from "./lake-fixture";

const GIB = 1024 ** 3;
const T0 = Date.parse("2026-01-01T00:00:00Z");

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "lake-cache-prune-"));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** A cached copy of `size` bytes under lake root `root`, last used `usedAt` (ms). */
function copy(root: string, key: string, size: number, usedAt: number): string {
  const path = join(cacheRootDir(base, root), ...key.split("/"));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, new Uint8Array(size));
  utimesSync(path, new Date(usedAt), new Date(T0));
  return path;
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).replace(/\/etag=[^/]+/g, "")) // object key (copies sit in an etag= directory)
    .sort();
}

const none = () => false;

describe("pruneCache", () => {
  test("evicts least recently used first until the total is within the cap, across lake roots", async () => {
    const a = copy("s3://b/one", "k/a.parquet", 1000, T0 + 1000);
    const b = copy("s3://b/two", "k/b.parquet", 1000, T0 + 3000); // another root: same budget
    const c = copy("s3://b/one", "k/c.parquet", 1000, T0 + 2000);
    const d = copy("s3://b/one", "k/d.parquet", 1000, T0 + 4000);
    const r = await pruneCache(base, 2500, none);
    expect(r.removed).toEqual([a, c]);
    expect(r.totalBytes).toBe(2000);
    expect([a, b, c, d].map((p) => existsSync(p))).toEqual([false, true, false, true]);
  });

  test("does nothing when the cache is within the cap", async () => {
    copy("s3://b/one", "k/a.parquet", 1000, T0);
    const r = await pruneCache(base, 1000, none);
    expect(r).toEqual({ totalBytes: 1000, removed: [], failed: [] });
  });

  test("never deletes a file in use, even when those alone exceed the cap", async () => {
    const old = copy("s3://b/one", "k/old.parquet", 1000, T0);
    const mid = copy("s3://b/one", "k/mid.parquet", 1000, T0 + 1000);
    const recent = copy("s3://b/one", "k/new.parquet", 1000, T0 + 2000);
    const r = await pruneCache(base, 500, (p) => p === old);
    expect(r.removed).toEqual([mid, recent]);
    expect(r.totalBytes).toBe(1000); // over the cap: the caller warns
    expect(existsSync(old)).toBe(true);
  });

  test("only touches <root-hash> directories: other entries of the base are not the cache's", async () => {
    writeFileSync(join(base, "libduckdb-0123abcd.so"), new Uint8Array(5000));
    mkdirSync(join(base, "notes"));
    writeFileSync(join(base, "notes", "keep.txt"), new Uint8Array(5000));
    const a = copy("s3://b/one", "k/a.parquet", 1000, T0);
    const r = await pruneCache(base, 10, none);
    expect(r.removed).toEqual([a]);
    expect(r.totalBytes).toBe(0);
    expect(files(base)).toEqual(["libduckdb-0123abcd.so", "notes/keep.txt"]);
  });

  test("stale temp files are deleted, fresh ones (downloads in progress) left alone and not counted", async () => {
    const a = copy("s3://b/one", "k/a.parquet", 1000, T0);
    const tmp = tempPath(a);
    expect(tmp).toMatch(/\.tmp-\d+-[0-9a-f]{8}$/);
    writeFileSync(tmp, new Uint8Array(4000));
    utimesSync(tmp, new Date(T0), new Date(T0)); // a finished download's mtime is the object's: age comes from ctime
    const fresh = await pruneCache(base, 1000, none);
    expect(fresh).toEqual({ totalBytes: 1000, removed: [], failed: [] });
    expect(existsSync(tmp)).toBe(true);
    const later = await pruneCache(base, 1000, none, Date.now() + STALE_TMP_MS + 60_000);
    expect(later.totalBytes).toBe(1000);
    expect(existsSync(tmp)).toBe(false);
    expect(existsSync(a)).toBe(true);
  });

  test("a file deleted by someone else mid-prune is fine (ENOENT), and counts as gone", async () => {
    const a = copy("s3://b/one", "k/a.parquet", 1000, T0);
    const b = copy("s3://b/one", "k/b.parquet", 1000, T0 + 1000);
    // The in-use check runs just before each delete: remove the file there, as a
    // concurrent process would between our listing and our unlink.
    const r = await pruneCache(base, 1000, (p) => {
      if (p === a) rmSync(p);
      return false;
    });
    expect(r).toEqual({ totalBytes: 1000, removed: [], failed: [] });
    expect(existsSync(b)).toBe(true);
  });

  test("two concurrent prunes of the same cache both succeed", async () => {
    for (let i = 0; i < 20; i++) copy("s3://b/one", `k/${String(i).padStart(2, "0")}.parquet`, 100, T0 + i * 1000);
    const rs = await Promise.all([pruneCache(base, 500, none), pruneCache(base, 500, none)]);
    expect(rs.every((r) => r.failed.length === 0 && r.totalBytes <= 500)).toBe(true);
    expect(files(cacheRootDir(base, "s3://b/one"))).toEqual(["k/15.parquet", "k/16.parquet", "k/17.parquet", "k/18.parquet", "k/19.parquet"]);
  });

  test("a missing cache directory is an empty cache", async () => {
    expect(await pruneCache(join(base, "nope"), 1, none)).toEqual({ totalBytes: 0, removed: [], failed: [] });
  });

  test("touch sets atime to now and keeps mtime; false once the file is gone", async () => {
    const a = copy("s3://b/one", "k/a.parquet", 10, T0);
    const before = Date.now();
    expect(await touch(a, T0)).toBe(true);
    const st = statSync(a);
    expect(st.mtimeMs).toBe(T0);
    expect(st.atimeMs).toBeGreaterThanOrEqual(before - 1000);
    rmSync(a);
    expect(await touch(a, T0)).toBe(false);
  });
});

describe("cacheCapBytes", () => {
  test("default 20 GiB; LAKE_CACHE_MAX_GB in GiB (fractions allowed); an option wins", () => {
    expect(DEFAULT_CACHE_MAX_GB).toBe(20);
    expect(cacheCapBytes(undefined, {})).toBe(20 * GIB);
    expect(cacheCapBytes(undefined, { LAKE_CACHE_MAX_GB: "" })).toBe(20 * GIB);
    expect(cacheCapBytes(undefined, { LAKE_CACHE_MAX_GB: "5" })).toBe(5 * GIB);
    expect(cacheCapBytes(undefined, { LAKE_CACHE_MAX_GB: " 0.5 " })).toBe(GIB / 2);
    expect(cacheCapBytes(4096, { LAKE_CACHE_MAX_GB: "5" })).toBe(4096);
  });

  test.each(["abc", "0", "-1", "1e3", "0x10", "Infinity", "1.5GB", "0.0000000000001"])("LAKE_CACHE_MAX_GB=%p is rejected, naming the variable", (v) => {
    const call = () => cacheCapBytes(undefined, { LAKE_CACHE_MAX_GB: v });
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(`LAKE_CACHE_MAX_GB is invalid: got ${JSON.stringify(v)}, expected a positive number of GiB`);
  });

  test("an invalid maxCacheBytes option is a usage error", () => {
    for (const v of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => cacheCapBytes(v, {})).toThrow(UsageError);
  });
});

describe("LakeFiles over S3 (s3rver) keeps the cache within its cap", () => {
  const DATES = ["2026-02-02", "2026-02-03", "2026-02-04"];
  let s3: S3rver;
  let lake: TempLake;
  const key = (d: string) => futKey("trades", d, "15");

  beforeAll(async () => {
    s3 = await startS3rver();
    lake = tempLake();
    const store = s3Store(s3.s3Settings);
    for (const [i, d] of DATES.entries()) {
      const rows = [trade(ns(`${d}T15:00:00Z`), "ESH6", { price: 7000 + i }), trade(ns(`${d}T15:00:01Z`), "ESH6", { price: 7100 + i })];
      await store.put(key(d), await Bun.file(lake.write(FUTURES_TRADES, key(d), rows)).bytes());
    }
  });
  afterAll(async () => {
    lake[Symbol.dispose]();
    await s3[Symbol.asyncDispose]();
  });

  const cached = () => files(cacheRootDir(base, s3Store(s3.s3Settings).root));
  const objectSize = (d: string) => statSync(join(lake.root, key(d))).size;

  test("reading two dates in turn leaves only the second date's files, and both reads are right", async () => {
    const cap = Math.max(...DATES.map(objectSize)) + 100; // one date fits, two do not
    expect(cap).toBeLessThan(objectSize(DATES[0]!) + objectSize(DATES[1]!));
    const remote = new BronzeReader(s3Store(s3.s3Settings), { cacheDir: base, maxCacheBytes: cap });
    const local = new BronzeReader(lake.root);
    for (const d of DATES.slice(0, 2)) {
      const got = await remote.readFuturesTrades("ES", { date: d });
      expect(got.numRows).toBe(2);
      expect(got.toRows()).toEqual((await local.readFuturesTrades("ES", { date: d })).toRows());
    }
    expect(cached()).toEqual([key(DATES[1]!)]);
  });

  test("files handed out under hold() survive later downloads until the hold ends (a query's views)", async () => {
    const cap = Math.max(...DATES.map(objectSize)) + 100; // one date fits
    const lf = new LakeFiles(s3Store(s3.s3Settings), { cacheDir: base, maxCacheBytes: cap });
    const [d0, d1, d2] = DATES as [string, string, string];
    {
      using _held = lf.hold();
      for (const d of [d0, d1]) await lf.localPaths(await lf.filesFor("bronze/futures/trades/symbol=ES", { date: d }));
      expect(cached()).toEqual([key(d0), key(d1)]); // over the cap, but both are held
    }
    await lf.localPaths(await lf.filesFor("bronze/futures/trades/symbol=ES", { date: d2 }));
    expect(cached()).toEqual([key(d2)]);
  });

  test("a cache hit counts as a use: the copy read again survives, the older one goes", async () => {
    const sizes = DATES.map(objectSize).sort((a, b) => b - a);
    const cap = sizes[0]! + sizes[1]! + 100; // two dates fit, three do not
    expect(cap).toBeLessThan(sizes[0]! + sizes[1]! + sizes[2]!);
    const remote = new BronzeReader(s3Store(s3.s3Settings), { cacheDir: base, maxCacheBytes: cap });
    const [d0, d1, d2] = DATES as [string, string, string];
    for (const d of [d0, d1, d0]) await remote.readFuturesTrades("ES", { date: d });
    expect(cached()).toEqual([key(d0), key(d1)]);
    const got = await remote.readFuturesTrades("ES", { date: d2 });
    expect(got.values<Float64Array>("price")[0]).toBe(7002);
    expect(cached()).toEqual([key(d0), key(d2)]);
  });

  test("a read larger than the cap keeps its files and logs one warning", async () => {
    const err = spyOn(process.stderr, "write");
    try {
      const files = new LakeFiles(s3Store(s3.s3Settings), { cacheDir: base, maxCacheBytes: 100 });
      const listed = await files.filesFor("bronze/futures/trades/symbol=ES", { date: DATES[0] });
      const paths = await files.localPaths(listed);
      expect(paths.every((p) => existsSync(p))).toBe(true);
      const warnings = err.mock.calls.map((c) => String(c[0])).filter((l) => l.includes("WARN") && l.includes("S3 read cache"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("this read alone needs more than the cap");
    } finally {
      err.mockRestore();
    }
  });

  test("an invalid LAKE_CACHE_MAX_GB stops an S3 LakeFiles with a clear message", () => {
    const saved = process.env.LAKE_CACHE_MAX_GB;
    process.env.LAKE_CACHE_MAX_GB = "lots";
    try {
      expect(() => new LakeFiles(s3Store(s3.s3Settings), { cacheDir: base })).toThrow('LAKE_CACHE_MAX_GB is invalid: got "lots"');
    } finally {
      if (saved === undefined) delete process.env.LAKE_CACHE_MAX_GB;
      else process.env.LAKE_CACHE_MAX_GB = saved;
    }
  });
});
