/**
 * Generations: a directory published into a store by one conditional pointer write. On
 * local disk (which enforces create-only and compare-and-swap) two processes publish the
 * same base at once while a reader pulls it; on s3rver (which enforces neither, so a single
 * writer must be declared) a publisher SIGKILLed mid-upload leaves the old generation
 * visible and its staging is swept.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConditionalWritesUnsupportedError, LocalStore, S3Store, type Store } from "../../src/storage";
import {
  GenerationChangedError,
  GenerationExistsError,
  generationPrefix,
  localGeneration,
  publishGeneration,
  pullGeneration,
  readGeneration,
  sweepGenerations,
  treeFiles,
} from "../../src/storage/generations";
import { storeFixture } from "./helpers/store-fixture";

const PUBLISHER = resolve(import.meta.dir, "helpers/publish-many.ts");
const fx = storeFixture("lake-gen-");

function tree(name: string, tag: string): string {
  const dir = join(fx.tmp, name);
  mkdirSync(join(dir, "date=2026-01-02"), { recursive: true });
  for (const f of ["manifest.yaml", "lineage.json", "date=2026-01-02/part-0.parquet"]) writeFileSync(join(dir, f), `${tag}\n`);
  return dir;
}

/** Every file of a pulled copy carries one tag: never a mix of generations. */
function tagsOf(dir: string): Set<string> {
  return new Set(treeFiles(dir).map((f) => readFileSync(join(dir, f), "utf8").split("\n")[0]!));
}

async function contract(store: Store, singleWriter: boolean) {
  const base = "silver/features/v1";
  const a = await publishGeneration(store, base, tree(`a-${store.kind}`, "A"), { mode: { kind: "create" }, singleWriter });
  await expect(publishGeneration(store, base, tree(`b-${store.kind}`, "B"), { mode: { kind: "create" }, singleWriter })).rejects.toBeInstanceOf(GenerationExistsError);
  // a build based on "nothing published" must not replace A
  await expect(publishGeneration(store, base, tree(`b-${store.kind}`, "B"), { mode: { kind: "replace", etag: null }, singleWriter })).rejects.toBeInstanceOf(GenerationChangedError);
  const cur = (await readGeneration(store, base))!;
  expect(cur.pointer.generation).toBe(a.generation);
  const b = await publishGeneration(store, base, tree(`b-${store.kind}`, "B"), { mode: { kind: "replace", etag: cur.etag }, singleWriter });
  expect(b.replaced).toBe(a.generation);

  const copy = join(fx.tmp, `copy-${store.kind}`);
  await pullGeneration(store, base, copy);
  expect(tagsOf(copy)).toEqual(new Set(["B"]));
  expect(localGeneration(copy)).toBe(b.generation);
  expect(treeFiles(copy)).toEqual(["date=2026-01-02/part-0.parquet", "lineage.json", "manifest.yaml"]);

  // the replaced generation and the two refused uploads stay through the grace period, then go
  expect(await sweepGenerations(store, base, 60_000)).toEqual([]);
  const swept = await sweepGenerations(store, base, 0, Date.now() + 1000);
  expect(swept).toContain(a.generation);
  expect(swept).not.toContain(b.generation);
  const left = await store.list(`${base}/_gen/`);
  expect(left.every((o) => o.key.startsWith(generationPrefix(base, b.generation)))).toBe(true);
}

describe("local disk", () => {
  test("create-only, replace against a read pointer, pull, sweep", async () => {
    await contract(new LocalStore(join(fx.tmp, "lake-local")), false);
  });

  test("two processes publishing with --force 10 times each while a reader pulls: every pull is one whole generation", async () => {
    const root = join(fx.tmp, "lake-race");
    const store = new LocalStore(root);
    const base = "silver/features/es_pipeline";
    const procs = ["w1", "w2"].map((w) => Bun.spawn(["bun", PUBLISHER, root, base, w, "10", join(fx.tmp, `race-${w}`)], { stdout: "pipe", stderr: "pipe" }));
    let done = false;
    const exited = Promise.all(procs.map((p) => p.exited)).finally(() => (done = true));
    const seen = new Set<string>();
    const copy = join(fx.tmp, "race-copy");
    while (!done) {
      const cur = await pullGeneration(store, base, copy).catch((e) => (String(e).includes("not found") ? null : Promise.reject(e)));
      if (!cur) continue;
      const tags = tagsOf(copy);
      expect(tags.size).toBe(1);
      seen.add([...tags][0]!);
    }
    expect(await exited).toEqual([0, 0]);
    const out = await Promise.all(procs.map((p) => new Response(p.stdout).text()));
    expect(out.join("").trim().split("\n").length).toBe(20);
    await pullGeneration(store, base, copy);
    const last = [...tagsOf(copy)];
    expect(last.length).toBe(1);
    expect(last[0]).toMatch(/^w[12]-9$/);
    expect(seen.size).toBeGreaterThan(0);
  }, 120_000);
});

describe("s3rver (no conditional writes)", () => {
  test("refused without a declared single writer", async () => {
    const store = new S3Store(fx.s3.s3Settings);
    await expect(publishGeneration(store, "silver/features/x", tree("x", "X"), { mode: { kind: "create" } })).rejects.toBeInstanceOf(ConditionalWritesUnsupportedError);
    expect(await store.list("silver/features/x/")).toEqual([]);
  });

  test("single writer: create-only, replace, pull, sweep", async () => {
    await contract(new S3Store({ ...fx.s3.s3Settings, prefix: "contract" }), true);
  });

  test("SIGKILL mid-publish: readers keep the old generation; the staging is swept; a re-run succeeds", async () => {
    const settings = { ...fx.s3.s3Settings, prefix: "killed" };
    const store = new S3Store(settings);
    const base = "silver/features/es_pipeline";
    const first = await publishGeneration(store, base, tree("k-a", "A"), { mode: { kind: "create" }, singleWriter: true });
    const env = { ...process.env, LAKE_SINGLE_WRITER: "true", LAKE_TEST_FAULTS: "publish-kill=2" };
    const p = Bun.spawn(["bun", PUBLISHER, JSON.stringify(settings), base, "k", "1", join(fx.tmp, "k-work")], { env, stdout: "pipe", stderr: "pipe" });
    expect(await p.exited).not.toBe(0);
    expect(p.signalCode).toBe("SIGKILL");
    // two objects of the killed generation are in the bucket, invisible
    const staged = (await store.list(`${base}/_gen/`)).filter((o) => !o.key.startsWith(generationPrefix(base, first.generation)));
    expect(staged.length).toBe(2);
    expect((await readGeneration(store, base))!.pointer.generation).toBe(first.generation);
    const copy = join(fx.tmp, "k-copy");
    await pullGeneration(store, base, copy);
    expect(tagsOf(copy)).toEqual(new Set(["A"]));

    const swept = await sweepGenerations(store, base, 0, Date.now() + 1000);
    expect(swept.length).toBe(1);
    expect((await store.list(`${base}/_gen/`)).every((o) => o.key.startsWith(generationPrefix(base, first.generation)))).toBe(true);

    const again = Bun.spawn(["bun", PUBLISHER, JSON.stringify(settings), base, "k", "1", join(fx.tmp, "k-work2")], { env: { ...process.env, LAKE_SINGLE_WRITER: "true" }, stdout: "pipe", stderr: "pipe" });
    expect(await again.exited).toBe(0);
    await pullGeneration(store, base, copy);
    expect(tagsOf(copy)).toEqual(new Set(["k-0"]));
  }, 120_000);
});
