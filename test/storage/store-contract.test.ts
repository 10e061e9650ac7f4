/**
 * The same behaviour suite against both backends: local filesystem and S3 (real s3rver).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { LocalStore, ObjectExistsError, ObjectNotFoundError, S3Store } from "../../src/storage";
import { spawnService } from "../../testkit/processes";
import { storeFixture } from "./helpers/store-fixture";

const fx = storeFixture("lake-store-");

const backends = fx.backends;

for (const [name, make] of backends) {
  describe(`${name} store`, () => {
    test("put then get returns the same bytes", async () => {
      const store = make();
      const data = new Uint8Array(100_000).map((_, i) => (i * 31) & 255);
      await store.put("bronze/a/b.parquet", data);
      expect(await store.get("bronze/a/b.parquet")).toEqual(data);
      expect((await store.stat("bronze/a/b.parquet"))?.size).toBe(100_000);
    });

    test("put of chunks writes them in order (small: one object; over the multipart threshold: part by part)", async () => {
      const store = make();
      const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([4, 5])];
      await store.put("q/small.ndjson", chunks);
      expect(await store.get("q/small.ndjson")).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
      const big = Array.from({ length: 9 }, (_, i) => new Uint8Array(2 * 1024 * 1024).fill(i + 1));
      await store.put("q/big.ndjson", big);
      const got = await store.get("q/big.ndjson");
      expect(got.length).toBe(18 * 1024 * 1024);
      for (let i = 0; i < 9; i++) expect(got[i * 2 * 1024 * 1024]).toBe(i + 1);
    }, 60_000);

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
  const store = new S3Store({ ...fx.s3.s3Settings, prefix: `many-${crypto.randomUUID()}` });
  const keys = Array.from({ length: 1105 }, (_, i) => `k/${String(i).padStart(5, "0")}`);
  for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, "v")));
  const listed = await store.list("k/");
  expect(listed.length).toBe(1105);
  expect(listed.map((o) => o.key)).toEqual(keys);
});

test("s3 store: a large object goes through multipart upload intact", async () => {
  const store = new S3Store({ ...fx.s3.s3Settings, prefix: `big-${crypto.randomUUID()}` });
  const data = new Uint8Array(20 * 1024 * 1024).map((_, i) => (i * 7) & 255);
  await store.put("big.bin", data);
  const back = await store.get("big.bin");
  expect(back.byteLength).toBe(data.byteLength);
  expect(Bun.hash(back)).toBe(Bun.hash(data));
});

test("s3 store: an outage is retried and a put succeeds once the server is back", async () => {
  const store = new S3Store({ ...fx.s3.s3Settings, prefix: `outage-${crypto.randomUUID()}` }, { attempts: 40, baseDelayMs: 50, maxDelayMs: 200 });
  await fx.s3.stop();
  const pending = store.put("during/outage.txt", "kept");
  await Bun.sleep(600);
  await fx.s3.start();
  await pending;
  expect(new TextDecoder().decode(await store.get("during/outage.txt"))).toBe("kept");
});

test("s3 store: unknown credentials and a missing bucket fail at once with a clear message", async () => {
  const badKey = new S3Store({ ...fx.s3.s3Settings, accessKeyId: "NOBODY" }, { attempts: 1000, baseDelayMs: 1000, maxDelayMs: 1000 });
  await expect(badKey.put("x", "y", { overwrite: true })).rejects.toThrow(/access denied|S3_ACCESS_KEY/i);
  const noBucket = new S3Store({ ...fx.s3.s3Settings, bucket: "no-such-bucket" }, { attempts: 1000, baseDelayMs: 1000, maxDelayMs: 1000 });
  await expect(noBucket.put("x", "y", { overwrite: true })).rejects.toThrow(/bucket does not exist/);
});

test("local store: a write SIGKILLed mid-put leaves no visible object and no temp in listings", async () => {
  const root = join(fx.tmp, "crash");
  const store = new LocalStore(root);
  await store.put("obj/keep", "ok");
  const SIZE = 48 * 1024 * 1024; // large enough that the temp file is seen while being written
  const child = spawnService([process.execPath, join(import.meta.dir, "helpers/put-forever.ts"), root, String(SIZE)], { stdout: "ignore", stderr: "pipe" });
  try {
    // kill while the real put has its temp file open (written, not yet linked into place)
    const deadline = Date.now() + 60_000;
    let temps: string[] = [];
    while (temps.length === 0) {
      if (child.exitCode !== null) throw new Error(`writer exited early: ${await new Response(child.stderr as ReadableStream).text()}`);
      if (Date.now() > deadline) throw new Error("the writer never had a temp file on disk");
      temps = existsSync(join(root, "obj")) ? readdirSync(join(root, "obj")).filter((n) => n.startsWith(".lake-tmp-")) : [];
      if (temps.length === 0) await Bun.sleep(1);
    }
    child.kill("SIGKILL");
    await child.exited;
    expect(child.signalCode).toBe("SIGKILL");
  } finally {
    child.kill("SIGKILL");
  }
  // The crash left its temp behind on disk …
  const onDisk = readdirSync(join(root, "obj"));
  expect(onDisk.some((n) => n.startsWith(".lake-tmp-"))).toBe(true);
  // … but no reader sees it, and every object that is visible is complete.
  const listed = await store.list("obj/");
  expect(listed.every((o) => /^obj\/(keep|\d+)$/.test(o.key))).toBe(true);
  expect(listed.length).toBe(onDisk.filter((n) => !n.startsWith(".lake-tmp-")).length);
  for (const o of listed) {
    if (o.key === "obj/keep") continue;
    const i = Number(o.key.slice(4));
    const bytes = await store.get(o.key);
    expect(bytes.length).toBe(SIZE);
    expect(bytes.every((b) => b === i % 251)).toBe(true);
  }
  // the object being written when the writer died does not exist
  const next = `obj/${listed.length - 1}`;
  expect(await store.exists(next)).toBe(false);
  expect(await store.stat(next)).toBeNull();
  await expect(store.get(next)).rejects.toBeInstanceOf(ObjectNotFoundError);
}, 120_000);
