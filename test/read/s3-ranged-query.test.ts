/**
 * `lake query` views over S3 read by byte range: only the footer and the chunks of the columns
 * the SQL names are fetched into a sparse local copy; results equal the local lake's. `*`
 * (and LAKE_CACHE=full) fall back to whole objects.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DuckSession } from "../../src/read/duck";
import { LakeFiles } from "../../src/read/lake-files";
import { registerViews } from "../../src/read/views";
import { S3Store } from "../../src/storage";
import { startS3rver, type S3rver } from "../../testkit/s3";
import { FUTURES_TRADES, futKey, ns, tempLake, trade, type TempLake } from "./lake-fixture";
import { countingStore, walk } from "./s3-counting";

const D = "2026-01-14";
let s3: S3rver;
let lake: TempLake;
/** Bytes of the MBP-10 objects (the view the tests query most). */
let objectBytes = 0;



beforeAll(async () => {
  s3 = await startS3rver();
  lake = tempLake();
  lake.copyFixture(`bronze/futures/mbp10/symbol=ES/date=${D}`);
  // Lake-written (our encoder: statistics, and whatever indexes it writes) beside the predecessor's files.
  const rows = Array.from({ length: 5000 }, (_, i) => trade(ns("2026-01-15T15:00:00Z", BigInt(i) * 1_000_000n), i % 7 === 0 ? "ESM6" : "ESH6", { price: 5000 + (i % 13) * 0.25 }));
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-15", "15"), rows);
  const store = new S3Store(s3.s3Settings);
  for (const p of walk(lake.root)) {
    const bytes = readFileSync(p);
    if (p.includes("/mbp10/")) objectBytes += bytes.byteLength;
    await store.put(relative(lake.root, p), bytes);
  }
});
afterAll(async () => {
  lake[Symbol.dispose]();
  await s3[Symbol.asyncDispose]();
});

async function run(files: LakeFiles, sql: string): Promise<unknown[]> {
  using _held = files.hold();
  using s = await DuckSession.open();
  await registerViews(s, files, sql);
  return (await s.query(sql)).toRows();
}

test("one column over the day: same rows as local, a fraction of the object bytes fetched", async () => {
  const sql = "SELECT hour, count(*) AS n, sum(bid_px_1) AS s, min(ask_sz_3) AS m FROM bronze_futures_mbp10 WHERE bid_px_1 > 0 GROUP BY hour ORDER BY hour";
  const local = await run(new LakeFiles(lake.root), sql);
  const cacheDir = mkdtempSync(join(tmpdir(), "lake-ranged-"));
  try {
    const c = countingStore(s3.s3Settings);
    const remote = await run(new LakeFiles(c.store, { cacheDir }), sql);
    expect(remote).toEqual(local);
    expect(local.length).toBeGreaterThan(0);
    // Three columns (+ ts_event_ns for hour) of MBP-10's ~45: far less than the objects.
    expect(c.fetched()).toBeLessThan(objectBytes * 0.3);
    // A second run is served from the sparse copies.
    const again = countingStore(s3.s3Settings);
    expect(await run(new LakeFiles(again.store, { cacheDir }), sql)).toEqual(local);
    expect(again.fetched()).toBe(0);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test("lake-written files with an equality predicate (statistics, page indexes, bloom filters) give the same rows", async () => {
  const sql = "SELECT symbol, count(*) AS n, sum(price) AS p FROM bronze_futures_trades WHERE symbol = 'ESM6' AND price >= 5001 GROUP BY symbol";
  const cacheDir = mkdtempSync(join(tmpdir(), "lake-ranged-"));
  try {
    const local = await run(new LakeFiles(lake.root), sql);
    expect(local.length).toBe(1);
    expect(await run(new LakeFiles(countingStore(s3.s3Settings).store, { cacheDir }), sql)).toEqual(local);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test("SELECT * and LAKE_CACHE=full read whole objects, with the same results", async () => {
  const star = "SELECT * FROM bronze_futures_mbp10 ORDER BY ts_event_ns, seq LIMIT 50";
  const cols = "SELECT ts_event_ns, bid_px_1 FROM bronze_futures_mbp10 ORDER BY ts_event_ns LIMIT 50";
  const cacheDir = mkdtempSync(join(tmpdir(), "lake-ranged-"));
  const fullCacheDir = mkdtempSync(join(tmpdir(), "lake-ranged-"));
  const before = process.env.LAKE_CACHE;
  try {
    const c = countingStore(s3.s3Settings);
    expect(await run(new LakeFiles(c.store, { cacheDir }), star)).toEqual(await run(new LakeFiles(lake.root), star));
    expect(c.fetched()).toBe(objectBytes);
    process.env.LAKE_CACHE = "full";
    const full = countingStore(s3.s3Settings);
    expect(await run(new LakeFiles(full.store, { cacheDir: fullCacheDir }), cols)).toEqual(
      await run(new LakeFiles(lake.root), cols),
    );
    expect(full.fetched()).toBe(objectBytes);
  } finally {
    if (before === undefined) delete process.env.LAKE_CACHE;
    else process.env.LAKE_CACHE = before;
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(fullCacheDir, { recursive: true, force: true });
  }
});
