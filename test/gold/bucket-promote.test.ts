/**
 * Gold promotions into a bucket from two processes at once: every promotion is in the
 * catalog exactly once (current or history) and each entry's objects are the ones it
 * names. The bucket is a local directory, whose store enforces create-only and
 * compare-and-swap (the S3 emulators available here do not).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalStore } from "../../src/storage";
import { CATALOG_KEY, sweepGold } from "../../src/app/bucket-gold";
import type { Catalog, CatalogEntry } from "../../src/gold/catalog";
import { lake, simulatedLake } from "../silver/builder/sim-lake";

const PROMOTER = resolve(import.meta.dir, "helpers/promote-many.ts");

describe("Gold catalog in a bucket", () => {
  let sim: Awaited<ReturnType<typeof simulatedLake>>;
  let work: string;
  beforeAll(async () => {
    sim = await simulatedLake(1);
    work = mkdtempSync(join(tmpdir(), "lake-gold-bucket-"));
    const r = await lake(["silver", "--data-root", sim.root, "--workers", "1"]);
    if (r.code !== 0) throw new Error(r.err);
  }, 120_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    sim[Symbol.dispose]();
  });

  test("two processes promoting the same dataset 10 times each: 20 promotions, each exactly once", async () => {
    const bucket = join(work, "bucket");
    const procs = ["w1", "w2"].map((w) => Bun.spawn(["bun", PROMOTER, bucket, sim.root, join(work, w), w, "10"], { stdout: "pipe", stderr: "pipe" }));
    const codes = await Promise.all(procs.map((p) => p.exited));
    if (codes.some((c) => c !== 0)) throw new Error(await new Response(procs[codes.findIndex((c) => c !== 0)]!.stderr).text());
    const store = new LocalStore(bucket);
    const cat = JSON.parse(new TextDecoder().decode(await store.get(CATALOG_KEY))) as Catalog;
    expect(cat.datasets.length).toBe(1);
    const e = cat.datasets[0]! as CatalogEntry & { metadata_path: string };
    const all = [{ path: e.path, metadata_path: e.metadata_path }, ...e.history!];
    expect(all.length).toBe(20);
    expect(e.history!.map((h) => h.n)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    const notes = new Set<string>();
    for (const x of all) {
      const m = JSON.parse(new TextDecoder().decode(await store.get(x.metadata_path))) as { notes: string };
      notes.add(m.notes);
      // the entry's dataset and metadata belong to one promotion: same generation
      expect(x.path.split("/")[3]).toBe(x.metadata_path.split("/")[3]);
    }
    expect([...notes].sort()).toEqual(["w1", "w2"].flatMap((w) => Array.from({ length: 10 }, (_, i) => `${w}-${i}`)).sort());
    // every uploaded generation is named: nothing for the sweep to take
    expect(await sweepGold({ store, singleWriter: false }, 0, Date.now() + 1000)).toEqual([]);
  }, 120_000);
});
