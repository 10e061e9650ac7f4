/**
 * The whole lake in the bucket (s3rver): Silver versions, the experiment registry, Gold
 * training sets and the catalog are published there, so a second working copy (another
 * machine: another LAKE_LOCAL_ROOT) sees what the first built, registered and promoted. A
 * build or a promotion SIGKILLed before its pointer write leaves the published state whole.
 * s3rver does not enforce conditional writes: without LAKE_SINGLE_WRITER the lake refuses
 * to publish; with it, publication is check-then-put (the concurrent cases run on local disk
 * in test/storage/generations.test.ts and test/gold/bucket-promote.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localStore, s3Store } from "../../../src/storage";
import { readGeneration } from "../../../src/storage/generations";
import { startS3rver, type S3rver } from "../../../testkit/s3";
import { lake, simulatedLake } from "./sim-lake";

describe("DATA_ROOT=s3://…: Silver and Gold live in the bucket", () => {
  let s3: S3rver;
  let sim: Awaited<ReturnType<typeof simulatedLake>>;
  let work: string;
  const machine = (name: string, extra: Record<string, string> = {}) => ({ ...s3.env(), LAKE_LOCAL_ROOT: join(work, name), LAKE_CACHE_DIR: join(work, `cache-${name}`), LAKE_SINGLE_WRITER: "true", ...extra });

  beforeAll(async () => {
    s3 = await startS3rver();
    sim = await simulatedLake(2);
    const store = s3Store(s3.s3Settings);
    const local = localStore(sim.root);
    for (const o of await local.list("bronze/")) await store.put(o.key, await local.get(o.key));
    work = mkdtempSync(join(tmpdir(), "lake-bucket-"));
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    sim[Symbol.dispose]();
    await s3[Symbol.asyncDispose]();
  });

  test("without conditional writes and no declared single writer: refused before building, one clear line", async () => {
    const r = await lake(["silver", "--dates", sim.dates[0]!, "--workers", "1"], machine("refused", { LAKE_SINGLE_WRITER: "false" }));
    expect(r.code).toBe(1);
    expect(r.err).toContain("does not enforce conditional writes");
    expect(r.err).toContain("LAKE_SINGLE_WRITER");
    expect(await s3Store(s3.s3Settings).list("silver/")).toEqual([]);
  }, 60_000);

  test("two working copies share versions, experiments and training sets; a killed build or promotion changes nothing visible", async () => {
    const [d0, d1] = sim.dates as [string, string];
    const store = s3Store(s3.s3Settings);
    const a = machine("a");
    const b = machine("b");
    const json = async (args: string[], env: Record<string, string>) => {
      const r = await lake([...args, "--json"], env);
      if (r.code !== 0) throw new Error(`lake ${args.join(" ")} exited ${r.code}: ${r.err}`);
      return JSON.parse(r.out);
    };

    expect((await json(["silver", "--dates", d0, "--workers", "1"], a)).status).toBe("success");
    const g1 = (await readGeneration(store, "silver/features/es_pipeline"))!;
    expect(g1.pointer.files.some((f) => f.path.startsWith(`date=${d0}/`) && f.path.endsWith(".parquet"))).toBe(true);
    expect(g1.pointer.files.map((f) => f.path)).toContain("manifest.yaml");

    // machine B sees A's version and extends it: only the missing date is built
    expect((await json(["silver", "list"], b))[0]).toMatchObject({ version: "es_pipeline", date_range: { start: d0, end: d0 } });
    const ext = await json(["silver", "--dates", `${d0},${d1}`, "--workers", "1"], b);
    expect(ext.dates_built).toEqual([d1]);
    expect(ext.dates_reused).toEqual([d0]);
    expect((await json(["silver", "list"], a))[0].date_range).toEqual({ start: d0, end: d1 });

    // experiments registered from both copies land in the bucket's registry
    await json(["silver", "experiments", "add", "es_pipeline", "exp-a", "--metrics", "auc=0.7"], a);
    await json(["silver", "experiments", "add", "es_pipeline", "exp-b", "--metrics", "auc=0.8"], b);
    expect((await json(["silver", "experiments", "list"], a)).map((e: { id: string }) => e.id)).toEqual(["exp-a", "exp-b"]);

    // Gold: promoted from B, seen and re-promoted from A, queried from B
    const p1 = await json(["gold", "promote", "es_pipeline"], b);
    expect(p1.status).toBe("success");
    expect(p1.path).toMatch(/^gold\/training\/_gen\/[^/]+\/signals_production\.parquet$/);
    expect((await json(["gold", "list"], a)).map((d: { name: string }) => d.name)).toEqual(["signals_production"]);
    const best = await json(["gold", "promote-best", "--metric", "auc", "--force"], a);
    expect(best.experiment).toBe("exp-b");
    expect(best.promotion.replaced).toBe("signals_production@1");
    const q = await lake(["query", "select count(*) n from gold_training", "--format", "json"], b);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.out)).toEqual([{ n: p1.signal_count }]);
    expect((await json(["gold", "validate"], b)).ok).toBe(true);

    // SIGKILL after the first uploaded object of a --force rebuild: the published version is untouched
    const before = (await readGeneration(store, "silver/features/es_pipeline"))!;
    const killed = await lake(["silver", "--force", "--dates", `${d0},${d1}`, "--workers", "1"], { ...a, LAKE_TEST_FAULTS: "publish-kill=1" });
    expect(killed.code).not.toBe(0);
    expect((await readGeneration(store, "silver/features/es_pipeline"))!.etag).toBe(before.etag);
    expect((await json(["silver", "list"], b))[0].date_range).toEqual({ start: d0, end: d1 });
    // …and during a promotion: the catalog still names the dataset A promoted
    const cat = JSON.parse(new TextDecoder().decode(await store.get("gold/catalog.json")));
    const promoteKilled = await lake(["gold", "promote", "es_pipeline", "--force"], { ...b, LAKE_TEST_FAULTS: "publish-kill=1" });
    expect(promoteKilled.code).not.toBe(0);
    expect(JSON.parse(new TextDecoder().decode(await store.get("gold/catalog.json")))).toEqual(cat);
    expect((await json(["gold", "validate"], a)).ok).toBe(true);

    // re-runs succeed
    expect((await json(["silver", "--force", "--dates", `${d0},${d1}`, "--workers", "1"], a)).status).toBe("success");
    expect((await json(["gold", "promote", "es_pipeline", "--force"], b)).replaced).toBe("signals_production@2");
    expect((await json(["gold", "list"], a))[0].history.length).toBe(2);
  }, 120_000);
});
