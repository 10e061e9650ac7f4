import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { BronzeReader } from "../../src/read/bronze-reader";
import { ContractSelector } from "../../src/read/futures-contracts";
import { GoldReader } from "../../src/read/gold-reader";
import { s3Store } from "../../src/storage";
import type { Frame } from "../../src/frame";
import { startS3rver, type S3rver } from "../../testkit/s3";
import { FUTURES_TRADES, LEVEL_SIGNALS, futKey, ns, signal, tempLake, trade, type TempLake } from "./lake-fixture";
import { walk } from "./s3-counting";

const D = "2026-01-14";
let s3: S3rver;
let lake: TempLake;
let cacheDir: string;


beforeAll(async () => {
  s3 = await startS3rver();
  lake = tempLake();
  // A predecessor day plus lake-written files, uploaded key for key.
  lake.copyFixture(`bronze/futures/trades/symbol=ES/date=${D}`);
  lake.copyFixture(`bronze/futures/mbp10/symbol=ES/date=${D}/hour=15`);
  lake.copyFixture(`bronze/options/trades/underlying=ES/date=${D}/hour=15`);
  lake.write(FUTURES_TRADES, futKey("trades", "2026-01-15", "15"), [trade(ns("2026-01-15T15:00:00Z"), "ESH6")]);
  lake.write(LEVEL_SIGNALS, `gold/levels/signals/underlying=ES/date=${D}/hour=15/part-a.parquet`, [signal(ns("2026-01-14T15:00:00Z"), "PM_HIGH")]);
  const store = s3Store(s3.s3Settings);
  for (const p of walk(lake.root)) await store.put(relative(lake.root, p), readFileSync(p));
  cacheDir = mkdtempSync(join(tmpdir(), "lake-read-cache-"));
});
afterAll(async () => {
  lake[Symbol.dispose]();
  rmSync(cacheDir, { recursive: true, force: true });
  await s3[Symbol.asyncDispose]();
});

function same(a: Frame, b: Frame) {
  expect(a.columns.map((c) => [c.name, c.type])).toEqual(b.columns.map((c) => [c.name, c.type]));
  expect(a.numRows).toBe(b.numRows);
  expect(a.toRows()).toEqual(b.toRows());
}

describe("readers over S3 (s3rver) give the same results as over the local lake", () => {
  test("Bronze trades, MBP-10 and options, with front-month filtering", async () => {
    const remote = new BronzeReader(s3Store(s3.s3Settings), { cacheDir });
    const local = new BronzeReader(lake.root);
    same(await remote.readFuturesTrades("ES", { date: D }), await local.readFuturesTrades("ES", { date: D }));
    same(
      await remote.readFuturesMbp10("ES", { date: D, startNs: ns("2026-01-14T15:10:00Z"), endNs: ns("2026-01-14T15:20:00Z") }),
      await local.readFuturesMbp10("ES", { date: D, startNs: ns("2026-01-14T15:10:00Z"), endNs: ns("2026-01-14T15:20:00Z") }),
    );
    same(await remote.readOptionTrades("ES", { date: D }), await local.readOptionTrades("ES", { date: D }));
    expect(remote.lastRead.files).toEqual(local.lastRead.files);
  });

  test("dates, the contract decision and Gold signals", async () => {
    const remote = new BronzeReader(s3Store(s3.s3Settings), { cacheDir });
    expect(await remote.getAvailableDates("futures/trades", "symbol=ES")).toEqual([D, "2026-01-15"]);
    expect(await remote.getLatestDate("options/trades", "underlying=ES")).toBe(D);
    const sel = await new ContractSelector(s3Store(s3.s3Settings), { cacheDir }).selectFrontMonth(D);
    expect(sel).toEqual(await new ContractSelector(lake.root).selectFrontMonth(D));
    const g = new GoldReader(s3Store(s3.s3Settings), { cacheDir });
    same(await g.readLevelSignals("ES", { date: D }), await new GoldReader(lake.root).readLevelSignals("ES", { date: D }));
    expect(await g.getAvailableDates()).toEqual([D]);
  });

  test("a pruned read downloads only the files it needs into the cache", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "lake-read-cache-"));
    try {
      const r = new BronzeReader(s3Store(s3.s3Settings), { cacheDir: fresh });
      await r.readFuturesTrades("ES", { date: "2026-01-15" });
      const cached = walk(fresh).map((p) => p.slice(p.indexOf("bronze/")).replace(/\/etag=[^/]+/g, ""));
      expect(cached).toEqual([futKey("trades", "2026-01-15", "15")]);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test("an object overwritten in place is fetched again, not served stale from the cache", async () => {
    const store = s3Store(s3.s3Settings);
    const key = futKey("trades", "2026-01-21", "15");
    const bytes = (price: number) => {
      const p = lake.write(FUTURES_TRADES, key, [trade(ns("2026-01-21T15:00:00Z"), "ESH6", { price })]);
      return readFileSync(p);
    };
    const first = bytes(7001.25);
    await store.put(key, first);
    const r = new BronzeReader(s3Store(s3.s3Settings), { cacheDir });
    expect((await r.readFuturesTrades("ES", { date: "2026-01-21" })).values<Float64Array>("price")[0]).toBe(7001.25);
    // at once, so within the same second of last-modified and (here) the same size: the ETag tells
    const again = bytes(7002.5);
    expect(again.length).toBe(first.length);
    await store.put(key, again, { overwrite: true });
    expect((await r.readFuturesTrades("ES", { date: "2026-01-21" })).values<Float64Array>("price")[0]).toBe(7002.5);
  });

  test("the CLI reads an S3 lake from the environment (bronze read, query)", async () => {
    const run = async (args: string[]) => {
      const p = Bun.spawn(["bun", "run", resolve(import.meta.dir, "../../src/main.ts"), ...args], {
        env: { ...process.env, ...s3.env(), LAKE_CACHE_DIR: cacheDir, LAKE_LOG_LEVEL: "warn" },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      return { out, err, code };
    };
    const q = await run(["query", "SELECT symbol, count(*) AS n FROM bronze_futures_trades WHERE date = DATE '2026-01-14' GROUP BY 1 ORDER BY 1", "--format", "csv"]);
    expect(q.err).toBe("");
    const local = await new BronzeReader(lake.root).readFuturesTrades("ES", { date: D, frontMonthOnly: false });
    const syms = local.values<(string | null)[]>("symbol");
    const counts = ["ESH6", "ESM6"].map((c) => `${c},${syms.filter((x) => x === c).length}`);
    expect(q.out.trim().split("\n")).toEqual(["symbol,n", ...counts]);
    const b = await run(["bronze", "read", "option-trades", "--date", D, "--limit", "2", "--format", "csv"]);
    expect(b.code).toBe(0);
    expect(b.out.trim().split("\n")).toHaveLength(3);
  });
});
