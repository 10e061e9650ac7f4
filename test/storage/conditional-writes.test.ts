/**
 * Conditional writes on both backends: create-only and compare-and-swap on local disk,
 * lock-free registry updates from two processes, and — against s3rver, which ignores
 * If-None-Match / If-Match — the probe that detects it and the refusal of multi-writer
 * updates that would otherwise race.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  ConditionalWritesUnsupportedError,
  LocalStore,
  ObjectExistsError,
  PreconditionFailedError,
  S3Store,
  updateJsonObject,
} from "../../src/storage";
import { storeFixture } from "./helpers/store-fixture";

const WRITER = resolve(import.meta.dir, "helpers/register-many.ts");
const fx = storeFixture("lake-cas-");

describe("local disk", () => {
  test("create-only refuses an existing object; compare-and-swap refuses a stale tag", async () => {
    const store = new LocalStore(join(fx.tmp, "a"));
    expect(await store.conditionalWrites()).toBe(true);
    await store.put("reg/r.json", '{"n":1}');
    await expect(store.put("reg/r.json", '{"n":2}')).rejects.toBeInstanceOf(ObjectExistsError);
    const v1 = (await store.getVersioned("reg/r.json"))!;
    await store.put("reg/r.json", '{"n":2}', { ifMatch: v1.etag });
    await expect(store.put("reg/r.json", '{"n":3}', { ifMatch: v1.etag })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(new TextDecoder().decode(await store.get("reg/r.json"))).toBe('{"n":2}');
    expect(await store.getVersioned("reg/none.json")).toBeNull();
    // The compare-and-swap lock is never listed and never left behind.
    expect((await store.list("reg/")).map((o) => o.key)).toEqual(["reg/r.json"]);
    expect(readdirSync(join(fx.tmp, "a", "reg"))).toEqual(["r.json"]);
  });

  test("two processes registering 20 entries each: every entry exactly once", async () => {
    const root = join(fx.tmp, "b");
    const procs = ["w1", "w2"].map((w) => Bun.spawn(["bun", WRITER, root, "reg/experiments.json", w, "20"], { stderr: "pipe" }));
    const codes = await Promise.all(procs.map((p) => p.exited));
    expect(codes).toEqual([0, 0]);
    const entries = (JSON.parse(readFileSync(join(root, "reg", "experiments.json"), "utf8")) as { entries: string[] }).entries;
    expect(entries.length).toBe(40);
    expect(new Set(entries).size).toBe(40);
    for (const w of ["w1", "w2"]) for (let i = 0; i < 20; i++) expect(entries).toContain(`${w}-${i}`);
  });
});

test("a writer SIGKILLed mid-run leaves a whole registry, no lock behind, and the next writer goes on", async () => {
  const root = join(fx.tmp, "c");
  const victim = Bun.spawn(["bun", WRITER, root, "reg/catalog.json", "v", "100000"], { stderr: "pipe" });
  const file = join(root, "reg", "catalog.json");
  // Kill once it has landed some entries, so the kill falls mid-stream of updates.
  for (let i = 0; i < 400; i++) {
    try {
      if ((JSON.parse(readFileSync(file, "utf8")) as { entries: string[] }).entries.length >= 10) break;
    } catch {
      /* not written yet */
    }
    await Bun.sleep(25);
  }
  victim.kill("SIGKILL");
  await victim.exited;
  const survivor = Bun.spawn(["bun", WRITER, root, "reg/catalog.json", "s", "10"], { stderr: "pipe" });
  expect(await survivor.exited).toBe(0);
  const entries = (JSON.parse(readFileSync(file, "utf8")) as { entries: string[] }).entries;
  const killed = entries.filter((e) => e.startsWith("v-"));
  expect(killed.length).toBeGreaterThanOrEqual(10);
  // The victim's entries are exactly its first k, once each; the survivor's are all there.
  expect(killed).toEqual(Array.from({ length: killed.length }, (_, i) => `v-${i}`));
  expect(entries.filter((e) => e.startsWith("s-"))).toEqual(Array.from({ length: 10 }, (_, i) => `s-${i}`));
  expect(readdirSync(join(root, "reg")).filter((n) => n !== "catalog.json" && !n.includes(".lake-tmp-"))).toEqual([]);
});

describe("S3 endpoint that ignores conditional headers (s3rver)", () => {
  test("the probe detects it once, names what the server did, and leaves no scratch object", async () => {
    const store = new S3Store(fx.s3.s3Settings);
    const probe = await store.conditionalSupport();
    expect(probe.supported).toBe(false);
    expect(probe.detail).toContain("answered 200, not 412");
    expect(await store.conditionalWrites()).toBe(false);
    expect(await store.list("_lake/")).toEqual([]);
  });

  test("multi-writer updates are refused with a clear message instead of racing", async () => {
    const store = new S3Store(fx.s3.s3Settings);
    await store.put("gold/catalog.json", "{}");
    const v = (await store.getVersioned("gold/catalog.json"))!;
    expect(v.etag.length).toBeGreaterThan(2);
    expect(new TextDecoder().decode(v.data)).toBe("{}");
    const err = await store.put("gold/catalog.json", "{ }", { ifMatch: v.etag }).catch((e) => e);
    expect(err).toBeInstanceOf(ConditionalWritesUnsupportedError);
    expect(String(err.message)).toContain("does not enforce conditional writes");
    const err2 = await updateJsonObject(store, "silver/features/experiments.json", () => ({}), (c) => ({ value: c, result: 0 })).catch((e) => e);
    expect(err2).toBeInstanceOf(ConditionalWritesUnsupportedError);
    expect(await store.exists("silver/features/experiments.json")).toBe(false);
    // Single-writer never-overwrite still holds (check-then-put fallback).
    await expect(store.put("gold/catalog.json", "{}")).rejects.toBeInstanceOf(ObjectExistsError);
    expect(await store.getVersioned("gold/missing.json")).toBeNull();
  });
});

describe("S3 errors are one clear line", () => {
  // s3rver checks the access key id but not the signature, so a wrong secret is not provable here.
  test("unknown access key and missing bucket", async () => {
    const once = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
    const e1 = await new S3Store({ ...fx.s3.s3Settings, accessKeyId: "NOT-A-KEY" }, once).list("bronze/").catch((e) => e);
    const e3 = await new S3Store({ ...fx.s3.s3Settings, bucket: "no-such-bucket" }, once).list("bronze/").catch((e) => e);
    const e4 = await new S3Store({ ...fx.s3.s3Settings, bucket: "no-such-bucket" }, once).getVersioned("gold/catalog.json").catch((e) => e);
    for (const e of [e1, e3, e4]) {
      expect(e).toBeInstanceOf(Error);
      expect(String(e.message)).not.toContain("\n");
    }
    expect(e1.message).toContain("unknown access key — check S3_ACCESS_KEY / AWS_ACCESS_KEY_ID");
    expect(e3.message).toContain("bucket does not exist — create it or fix DATA_ROOT / S3_BUCKET");
    expect(e4.message).toContain("bucket does not exist");
  });
});
