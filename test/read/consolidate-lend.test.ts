/**
 * A Silver date built on the worker pool over an uncompacted day consolidates its many-file
 * hours on every idle worker (LakeFiles lends hours through the pool): the features come out
 * exactly as from the same rows in one file per hour, and every hour's copy is in the cache.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withPoolBuilder } from "../../src/app/silver-build";
import type { Frame } from "../../src/frame";
import { decodeParquet } from "../../src/parquet";
import { esPipelineManifest } from "../../src/silver/baselines";
import { localBronze } from "../../src/silver/lineage";
import { localStore } from "../../src/storage";
import { reshapeToFlushes } from "../../testkit/realtime-lake";
import { FIXTURE_DATE, tempLake } from "../silver/builder/fixture-lake";

const D = FIXTURE_DATE;

async function buildOnPool(root: string): Promise<Frame> {
  const manifest = esPipelineManifest();
  const r = await withPoolBuilder({ root, bronze: localBronze(root) }, 2, (b) => b.buildFeatureSet(manifest, [D], { concurrency: 1 }));
  expect(r.status).toBe("success");
  return decodeParquet(await Bun.file(join(root, `silver/features/es_pipeline/date=${D}/features_${D}.parquet`)).bytes());
}

describe("Silver on the pool over flush-shaped Bronze", () => {
  test("features identical to the batch-shaped day; every many-file hour consolidated", async () => {
    using batch = tempLake({ bronze: true });
    using flushes = tempLake({ bronze: true });
    const shaped = await reshapeToFlushes(localStore(flushes.root), { flushSeconds: 60, dates: [D] });
    expect(shaped.files).toBeGreaterThan(500);
    const cache = mkdtempSync(join(tmpdir(), "lake-lend-cache-"));
    const before = process.env.LAKE_CACHE_DIR;
    process.env.LAKE_CACHE_DIR = cache;
    try {
      const want = await buildOnPool(batch.root);
      const got = await buildOnPool(flushes.root);
      expect(got.numRows).toBe(want.numRows);
      for (const c of want.columns) expect({ c: c.name, v: got.column(c.name).values }).toEqual({ c: c.name, v: c.values });
      const copies = readdirSync(cache, { recursive: true }).filter((p) => String(p).includes("_consolidated") && String(p).endsWith(".parquet"));
      expect(copies.length).toBeGreaterThan(10);
    } finally {
      if (before === undefined) delete process.env.LAKE_CACHE_DIR;
      else process.env.LAKE_CACHE_DIR = before;
      rmSync(cache, { recursive: true, force: true });
    }
  }, 120_000);
});
