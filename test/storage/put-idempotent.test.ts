/**
 * A retried put after an attempt with an unknown outcome: the object already there counts as
 * written only when it holds exactly these bytes; a torn leftover (an upload cut off on a store
 * whose PUT is not atomic) is replaced. Against the local store and a real s3rver.
 */
import { describe, expect, test } from "bun:test";
import { putIdempotent } from "../../src/storage/put-idempotent";
import type { PutData, PutOptions, Store } from "../../src/storage/store";
import { storeFixture } from "./helpers/store-fixture";

const fx = storeFixture("lake-put-once-");

const backends = fx.backends;
const payload = new Uint8Array(4096).map((_, i) => (i * 7) & 255);

for (const [name, make] of backends) {
  describe(`${name} store`, () => {
    test("a torn leftover at the key is replaced by the whole object", async () => {
      const store = make();
      await store.put("bronze/part-1.parquet", payload.slice(0, 100));
      await putIdempotent(store, "bronze/part-1.parquet", payload);
      expect(await store.get("bronze/part-1.parquet")).toEqual(payload);
    });

    test("the same bytes already there: success, nothing rewritten", async () => {
      const store = make();
      await store.put("bronze/part-2.parquet", [payload.slice(0, 1000), payload.slice(1000)]);
      const before = await store.stat("bronze/part-2.parquet");
      await Bun.sleep(1100); // a rewrite would move the modification time
      await putIdempotent(store, "bronze/part-2.parquet", [payload.slice(0, 2000), payload.slice(2000)]);
      expect(await store.get("bronze/part-2.parquet")).toEqual(payload);
      expect((await store.stat("bronze/part-2.parquet"))!.mtimeMs).toBe(before!.mtimeMs);
    });

    test("a fresh key is simply written", async () => {
      const store = make();
      await putIdempotent(store, "bronze/part-3.parquet", "text body");
      expect(new TextDecoder().decode(await store.get("bronze/part-3.parquet"))).toBe("text body");
    });
  });
}

describe("a key the store cannot even check", () => {
  // s3rver answers every HEAD of an object torn by a kill mid-upload with a 500: the put's
  // existence check fails for good, and only writing over the key gets past it
  const checkFails = (store: Store, down = false): Store =>
    new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== "put") return Reflect.get(target, prop, receiver);
        return async (key: string, data: PutData, opts: PutOptions = {}) => {
          if (down || !opts.overwrite) throw new Error("UnknownError: an unexpected error has occurred");
          return target.put(key, data, opts);
        };
      },
    });

  test("is written over", async () => {
    const store = fx.backends[0]![1]();
    await store.put("bronze/part-4.parquet", payload.slice(0, 10));
    await putIdempotent(checkFails(store), "bronze/part-4.parquet", payload);
    expect(await store.get("bronze/part-4.parquet")).toEqual(payload);
  });

  test("in an outage the put still fails, for the caller to retry", async () => {
    const store = fx.backends[0]![1]();
    await expect(putIdempotent(checkFails(store, true), "bronze/part-5.parquet", payload)).rejects.toThrow("unexpected error");
  });
});
