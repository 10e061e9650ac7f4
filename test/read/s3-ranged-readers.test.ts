/**
 * BronzeReader over S3 reads a projection by byte range: a one-hour MBP-10 read of two
 * columns from a day on s3rver fetches the footers and the column chunks it needs — its
 * own columns in the hour's object, and the three columns the front-month vote reads from
 * the day's trades — within 1.2× those bytes and their footers, far less than the objects. The
 * rows equal the local lake's. Bytes are counted at the store (every GET and ranged GET).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { BronzeReader } from "../../src/read/bronze-reader";
import { LakeFiles } from "../../src/read/lake-files";
import { S3Store } from "../../src/storage";
import { startS3rver, type S3rver } from "../../testkit/s3";
import { ns, tempLake, type TempLake } from "./lake-fixture";
import { countingStore, neededBytes, walk } from "./s3-counting";

const D = "2026-01-14";
let s3: S3rver;
let lake: TempLake;

beforeAll(async () => {
  s3 = await startS3rver();
  lake = tempLake();
  lake.copyFixture(`bronze/futures/trades/symbol=ES/date=${D}`);
  lake.copyFixture(`bronze/futures/mbp10/symbol=ES/date=${D}`);
  const store = new S3Store(s3.s3Settings);
  for (const p of walk(lake.root)) await store.put(relative(lake.root, p), readFileSync(p));
});
afterAll(async () => {
  lake[Symbol.dispose]();
  await s3[Symbol.asyncDispose]();
});

test("a one-hour MBP-10 projection fetches ≤ 1.2× the footers and chunks it needs, no whole object", async () => {
  const q = { date: D, startNs: ns("2026-01-14T15:00:00Z"), endNs: ns("2026-01-14T15:59:59.999Z"), columns: ["bid_px_1", "ask_px_1"] };
  const local = new BronzeReader(lake.root);
  const want = await local.readFuturesMbp10("ES", q);
  const cacheDir = mkdtempSync(join(tmpdir(), "lake-ranged-readers-"));
  try {
    const c = countingStore(s3.s3Settings);
    const remote = new BronzeReader(new LakeFiles(c.store, { cacheDir }));
    const got = await remote.readFuturesMbp10("ES", q);
    expect(got.numRows).toBeGreaterThan(0);
    expect(got.toRows()).toEqual(want.toRows());

    const mbpFiles = remote.lastRead.files.map((k) => join(lake.root, k));
    const tradeFiles = walk(join(lake.root, `bronze/futures/trades/symbol=ES/date=${D}`));
    const needed =
      mbpFiles.reduce((n, p) => n + neededBytes(readFileSync(p), new Set(["bid_px_1", "ask_px_1", "ts_event_ns", "seq", "symbol"])), 0) +
      tradeFiles.reduce((n, p) => n + neededBytes(readFileSync(p), new Set(["symbol", "ts_event_ns", "size"])), 0);
    const objects = [...mbpFiles, ...tradeFiles].reduce((n, p) => n + statSync(p).size, 0);
    const ratio = c.fetched() / needed;
    console.log(`fetched ${c.fetched()} B for ${needed} B needed (footers + column chunks) (${ratio.toFixed(3)}×); objects ${objects} B`);
    expect(ratio).toBeLessThanOrEqual(1.2);
    expect(c.fetched()).toBeLessThan(objects / 2);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}, 60_000);
