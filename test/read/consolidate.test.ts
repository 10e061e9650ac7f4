/**
 * Readers over an uncompacted day: a partition-hour of many flush files reaches DuckDB as one
 * consolidated copy (src/read/consolidate.ts), and every reader returns exactly the rows, in
 * exactly the order, it returned from the same rows as one predecessor file per hour. A new
 * flush in an hour names a new copy; a copy is made once and reused. `lake query` views go
 * through the same copies, holding only the columns the SQL uses.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Frame } from "../../src/frame";
import { readParquetInfo } from "../../src/parquet";
import { BronzeReader } from "../../src/read/bronze-reader";
import { CONSOLIDATE_MIN } from "../../src/read/consolidate";
import { DuckSession } from "../../src/read/duck";
import { LakeFiles } from "../../src/read/lake-files";
import { registerViews } from "../../src/read/views";
import { localStore } from "../../src/storage";
import { reshapeToFlushes } from "../../testkit/realtime-lake";
import { FIXTURE_DATE, tempLake } from "../silver/builder/fixture-lake";

const D = FIXTURE_DATE;

async function readAll(root: string, cacheDir: string): Promise<Frame[]> {
  const r = new BronzeReader(new LakeFiles(root, { cacheDir }));
  return [
    await r.readFuturesTrades("ES", { date: D, frontMonthOnly: false }),
    await r.readFuturesTrades("ES", { date: D }),
    await r.readFuturesMbp10("ES", { date: D, frontMonthOnly: false }),
    await r.readOptionTrades("ES", { date: D }),
  ];
}

function expectSameFrames(a: Frame[], b: Frame[]): void {
  expect(b.map((f) => f.numRows)).toEqual(a.map((f) => f.numRows));
  for (const [i, f] of a.entries()) {
    for (const c of f.columns) expect({ t: i, c: c.name, v: b[i]!.column(c.name).values, ok: b[i]!.column(c.name).valid }).toEqual({ t: i, c: c.name, v: c.values, ok: c.valid });
  }
}

describe("consolidated reads of many-file hours", () => {
  test("same rows, same order as the batch-shaped lake; one copy per hour, reused, renewed by a new flush", async () => {
    using lake = tempLake({ bronze: true });
    const cacheDir = mkdtempSync(join(tmpdir(), "lake-consolidate-cache-"));
    try {
      const before = await readAll(lake.root, cacheDir);
      const shaped = await reshapeToFlushes(localStore(lake.root), { flushSeconds: 60, dates: [D] });
      expect(shaped.files).toBeGreaterThan(200);
      const after = await readAll(lake.root, cacheDir);
      expectSameFrames(before, after);

      const files = new LakeFiles(lake.root, { cacheDir });
      const listed = await files.filesFor("bronze/futures/mbp10/symbol=ES", { date: D });
      const hours = new Set(listed.map((f) => f.hour));
      const paths = await files.scanPaths(listed);
      expect(listed.length).toBeGreaterThan(paths.length);
      expect(paths.length).toBeGreaterThanOrEqual(hours.size);
      const copies = paths.filter((p) => p.startsWith(cacheDir));
      expect(copies.length).toBeGreaterThan(0);
      expect(await files.scanPaths(listed)).toEqual(paths); // made once, then reused
      const copiesOnDisk = () => readdirSync(join(copies[0]!, ".."));
      const n = copiesOnDisk().length;

      // A late flush into an hour of many files: a new copy with it, and the reader sees it.
      const byHour = Map.groupBy(listed, (f) => f.hour);
      const [, hourFiles] = [...byHour].find(([, fs]) => fs.length >= CONSOLIDATE_MIN)!;
      const src = hourFiles[0]!;
      const late = src.key.replace(/[^/]+$/, "zz-late.parquet");
      await localStore(lake.root).put(late, await localStore(lake.root).get(src.key));
      const again = await files.scanPaths(await files.filesFor("bronze/futures/mbp10/symbol=ES", { date: D }));
      expect(again).not.toEqual(paths);
      expect(copiesOnDisk().length).toBe(n + 1);
      const mbp = await new BronzeReader(new LakeFiles(lake.root, { cacheDir })).readFuturesMbp10("ES", { date: D, frontMonthOnly: false });
      const lateRows = (await readParquetInfo(await localStore(lake.root).get(late))).numRows;
      expect(lateRows).toBeGreaterThan(0);
      expect(mbp.numRows).toBe(before[2]!.numRows + lateRows);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  test("`lake query` views: the same result over flushes as over the batch-shaped lake, through copies of only the columns the SQL uses", async () => {
    using lake = tempLake({ bronze: true });
    const cacheDir = mkdtempSync(join(tmpdir(), "lake-consolidate-cache-"));
    const sql = "select hour, count(*) as n, sum(bid_px_1) as b, max(seq) as s from bronze_futures_mbp10 group by hour order by hour";
    const run = async () => {
      using s = await DuckSession.open();
      const files = new LakeFiles(lake.root, { cacheDir });
      using _held = files.hold();
      await registerViews(s, files, sql);
      const f = await s.query(sql);
      return f.columns.map((c) => [c.name, Array.from(c.values as ArrayLike<unknown>, String)]);
    };
    try {
      const before = await run();
      await reshapeToFlushes(localStore(lake.root), { flushSeconds: 60, dates: [D] });
      expect(await run()).toEqual(before);
      const copies = (readdirSync(cacheDir, { recursive: true }) as string[]).filter((f) => f.includes("_consolidated") && f.endsWith(".parquet"));
      expect(copies.length).toBeGreaterThan(0);
      for (const c of copies) {
        const info = await readParquetInfo(await Bun.file(join(cacheDir, c)).bytes());
        expect(info.columns.map((x) => x.name).sort()).toEqual(["bid_px_1", "seq", "ts_event_ns"]);
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
