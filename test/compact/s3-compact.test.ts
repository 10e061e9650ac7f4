/**
 * `lake compact` on an S3 lake (s3rver): the same protocol through the Store — outputs, the
 * record and the deletes are S3 objects; a SIGKILL after the commit is finished by the next
 * run; the row multiset seen through the lake's listing never changes.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { LakeFiles } from "../../src/read/lake-files";
import { s3Store } from "../../src/storage";
import { startS3rver } from "../../testkit/s3";
import { realtimeDay, rowMultiset, runCompact, tempDir } from "./helpers";

test("S3: compact through the Store, killed after the commit, finished by the next run", async () => {
  await using s3 = await startS3rver();
  using dir = tempDir();
  const store = s3Store(s3.s3Settings);
  const shaped = await realtimeDay(store, 900);
  expect(shaped.files).toBeGreaterThan(50);
  const location = () => new LakeFiles(store, { cacheDir: join(dir.path, "cache") });
  const before = await rowMultiset(location());

  const env = { ...s3.env(), LAKE_CACHE_DIR: join(dir.path, "cache") };
  const killed = await runCompact([], { ...env, LAKE_TEST_FAULTS: "compact-kill=after-record#3" });
  expect(killed.signal).toBe("SIGKILL");
  expect(await rowMultiset(location())).toEqual(before);

  const done = await runCompact(["--json"], env);
  expect(done.stderr).toBe("");
  expect(done.code).toBe(0);
  const report = JSON.parse(done.stdout);
  expect(report.recovered.rolled_forward).toBe(3);
  expect(await rowMultiset(location())).toEqual(before);

  const all = (await store.list("bronze/")).map((o) => o.key);
  const live = await location().listParquet("bronze/");
  expect(new Set(live.map((f) => f.key.slice(0, f.key.lastIndexOf("/")))).size).toBe(live.length);
  expect(all.filter((k) => k.endsWith(".parquet")).length).toBe(live.length);
  expect(await store.exists("_compact/lock.json")).toBe(false);
});
