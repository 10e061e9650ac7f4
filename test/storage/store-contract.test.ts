/**
 * The same behaviour suite against both backends: local filesystem and S3 (real s3rver).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalStore, ObjectExistsError, ObjectNotFoundError, S3Store, type Store } from "../../src/storage";
import { startS3rver, type S3rver } from "../helpers/s3";

let s3: S3rver;
let tmp: string;

beforeAll(async () => {
  s3 = await startS3rver();
  tmp = mkdtempSync(join(tmpdir(), "lake-store-"));
});
afterAll(async () => {
  await s3?.[Symbol.asyncDispose]();
  rmSync(tmp, { recursive: true, force: true });
});

const backends: [string, () => Store][] = [
  ["local", () => new LocalStore(join(tmp, crypto.randomUUID()))],
  ["s3", () => new S3Store({ ...s3.s3Settings, prefix: `p-${crypto.randomUUID()}` })],
];

for (const [name, make] of backends) {
  describe(`${name} store`, () => {
    test("put then get returns the same bytes", async () => {
      const store = make();
      const data = new Uint8Array(100_000).map((_, i) => (i * 31) & 255);
      await store.put("bronze/a/b.parquet", data);
      expect(await store.get("bronze/a/b.parquet")).toEqual(data);
      expect((await store.stat("bronze/a/b.parquet"))?.size).toBe(100_000);
    });

    test("put refuses to overwrite unless asked", async () => {
      const store = make();
      await store.put("x/y.txt", "one");
      await expect(store.put("x/y.txt", "two")).rejects.toBeInstanceOf(ObjectExistsError);
      expect(new TextDecoder().decode(await store.get("x/y.txt"))).toBe("one");
      await store.put("x/y.txt", "three", { overwrite: true });
      expect(new TextDecoder().decode(await store.get("x/y.txt"))).toBe("three");
    });

    test("ranged get returns exactly the requested bytes", async () => {
      const store = make();
      const data = new Uint8Array(5000).map((_, i) => i & 255);
      await store.put("r/f.bin", data);
      expect(await store.getRange("r/f.bin", 10, 20)).toEqual(data.subarray(10, 20));
      expect(await store.getRange("r/f.bin", 4990, 5000)).toEqual(data.subarray(4990, 5000));
    });

    test("list is recursive, prefix-filtered and sorted", async () => {
      const store = make();
      for (const k of ["b/2/z.p", "b/1/y.p", "b/1/x.p", "bb/q.p", "c/w.p"]) await store.put(k, k);
      expect((await store.list("b/")).map((o) => o.key)).toEqual(["b/1/x.p", "b/1/y.p", "b/2/z.p"]);
      expect((await store.list("b")).map((o) => o.key)).toEqual(["b/1/x.p", "b/1/y.p", "b/2/z.p", "bb/q.p"]);
      expect(await store.list("nothing/here/")).toEqual([]);
    });

    test("delete, exists and stat of a missing object", async () => {
      const store = make();
      await store.put("d/e.txt", "1");
      expect(await store.exists("d/e.txt")).toBe(true);
      await store.delete("d/e.txt");
      expect(await store.exists("d/e.txt")).toBe(false);
      expect(await store.stat("d/e.txt")).toBeNull();
      await expect(store.get("d/e.txt")).rejects.toBeInstanceOf(ObjectNotFoundError);
      await store.delete("d/e.txt"); // deleting a missing object is not an error
    });

    test("keys that could escape the lake are rejected before any I/O", async () => {
      const store = make();
      for (const bad of ["../etc/passwd", "/abs/key", "a/../../b", "a//b", "a/./b", "nul\0byte", "back\\slash", ""]) {
        await expect(store.put(bad, "x")).rejects.toThrow(/key/);
      }
    });
  });
}

test("s3 store: many objects page through list (> 1000 keys)", async () => {
  const store = new S3Store({ ...s3.s3Settings, prefix: `many-${crypto.randomUUID()}` });
  const keys = Array.from({ length: 1105 }, (_, i) => `k/${String(i).padStart(5, "0")}`);
  for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, "v")));
  const listed = await store.list("k/");
  expect(listed.length).toBe(1105);
  expect(listed.map((o) => o.key)).toEqual(keys);
});

test("s3 store: a large object goes through multipart upload intact", async () => {
  const store = new S3Store({ ...s3.s3Settings, prefix: `big-${crypto.randomUUID()}` });
  const data = new Uint8Array(20 * 1024 * 1024).map((_, i) => (i * 7) & 255);
  await store.put("big.bin", data);
  const back = await store.get("big.bin");
  expect(back.byteLength).toBe(data.byteLength);
  expect(Bun.hash(back)).toBe(Bun.hash(data));
});

test("s3 store: an outage is retried and a put succeeds once the server is back", async () => {
  const store = new S3Store({ ...s3.s3Settings, prefix: `outage-${crypto.randomUUID()}` }, { attempts: 40, baseDelayMs: 50, maxDelayMs: 200 });
  await s3.stop();
  const pending = store.put("during/outage.txt", "kept");
  await Bun.sleep(600);
  await s3.start();
  await pending;
  expect(new TextDecoder().decode(await store.get("during/outage.txt"))).toBe("kept");
});

test("s3 store: unknown credentials and a missing bucket fail at once with a clear message", async () => {
  const badKey = new S3Store({ ...s3.s3Settings, accessKeyId: "NOBODY" }, { attempts: 1000, baseDelayMs: 1000, maxDelayMs: 1000 });
  await expect(badKey.put("x", "y", { overwrite: true })).rejects.toThrow(/access denied|S3_ACCESS_KEY/i);
  const noBucket = new S3Store({ ...s3.s3Settings, bucket: "no-such-bucket" }, { attempts: 1000, baseDelayMs: 1000, maxDelayMs: 1000 });
  await expect(noBucket.put("x", "y", { overwrite: true })).rejects.toThrow(/bucket does not exist/);
});

test("local store: a crashed write leaves no visible object and no temp in listings", async () => {
  const root = join(tmp, "crash");
  const store = new LocalStore(root);
  await store.put("a/keep.txt", "ok");
  // a temp file left by a killed writer
  await Bun.write(join(root, "a", ".lake-tmp-999-deadbeef"), "partial");
  expect((await store.list("a/")).map((o) => o.key)).toEqual(["a/keep.txt"]);
  expect(readdirSync(join(root, "a")).length).toBe(2);
});
