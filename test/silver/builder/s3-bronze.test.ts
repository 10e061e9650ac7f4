/**
 * Silver over a lake whose Bronze is on S3 (where `lake serve` writes in S3 mode): the
 * build reads Bronze from the bucket (through the read cache) and keeps Silver and Gold in a
 * local directory (contracts §7: the Silver builder and curator use DATA_ROOT; LAKE_LOCAL_ROOT
 * when DATA_ROOT is s3://…). Same features, byte for byte, as a build over the same Bronze
 * on disk; lineage hashes the S3 objects, so status notices when one changes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3Store } from "../../../src/storage";
import { startS3rver, type S3rver } from "../../../testkit/s3";
import { lake, simulatedLake } from "./sim-lake";

describe("lake silver with Bronze on S3 (s3rver)", () => {
  let s3: S3rver;
  let sim: Awaited<ReturnType<typeof simulatedLake>>;
  let work: string;

  beforeAll(async () => {
    s3 = await startS3rver();
    sim = await simulatedLake(2);
    // the same Bronze objects, under the same keys, in the bucket
    const store = s3Store(s3.s3Settings);
    const local = await import("../../../src/storage").then((m) => m.localStore(sim.root));
    for (const o of await local.list("bronze/")) await store.put(o.key, await local.get(o.key));
    work = mkdtempSync(join(tmpdir(), "lake-silver-s3-"));
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    sim[Symbol.dispose]();
    await s3[Symbol.asyncDispose]();
  });

  test("DATA_ROOT=s3://… + LAKE_LOCAL_ROOT: the build equals the local one; status follows the S3 objects", async () => {
    const silverRoot = join(work, "silver-root");
    // s3rver does not enforce conditional writes: publishing needs a declared single writer
    const env = { ...s3.env(), LAKE_LOCAL_ROOT: silverRoot, LAKE_CACHE_DIR: join(work, "cache"), LAKE_SINGLE_WRITER: "true" };

    const onS3 = await lake(["silver", "--workers", "2", "--json"], env);
    expect(onS3.code).toBe(0);
    const r = JSON.parse(onS3.out);
    expect(r.status).toBe("success");
    expect(r.dates.map((d: { date: string }) => d.date)).toEqual(sim.dates);
    expect(r.output_dir).toBe(join(silverRoot, "silver/features/es_pipeline"));

    const onDisk = await lake(["silver", "--data-root", sim.root, "--workers", "2", "--json"]);
    expect(onDisk.code).toBe(0);
    const l = JSON.parse(onDisk.out);
    expect(r.dates.map((d: { sha256: string }) => d.sha256)).toEqual(l.dates.map((d: { sha256: string }) => d.sha256));
    // lineage records the same Bronze content hashes whichever backend it was read from
    const lineage = (root: string) => readFileSync(join(root, "silver/features/es_pipeline/manifest.yaml"), "utf8").match(/inputs_sha256: \S+/g);
    expect(lineage(silverRoot)).toEqual(lineage(sim.root));

    // lake query: Bronze views from the bucket, the Silver view from the working copy
    const q = await lake(["query", "select (select count(*) from silver_features) s, (select count(distinct date) from bronze_futures_trades) d", "--format", "json"], env);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.out)).toEqual([{ s: r.signals_total, d: sim.dates.length }]);

    expect((await lake(["silver", "status", "--json"], env)).code).toBe(0);
    // an S3 object replaced under the version: stale, exit 1
    const store = s3Store(s3.s3Settings);
    const key = (await store.list(`bronze/options/trades/underlying=ES/date=${sim.dates[1]}/`))[0]!.key;
    await store.put(key, (await store.get(key)).reverse(), { overwrite: true });
    const stale = await lake(["silver", "status"], env);
    expect(stale.code).toBe(1);
    expect(stale.out).toMatch(/es_pipeline\s+stale/);

    // Gold promotes from the Silver working copy into the bucket
    const promote = await lake(["gold", "promote", "es_pipeline", "--json"], env);
    expect(promote.code).toBe(0);
    expect(JSON.parse(promote.out).status).toBe("success");
  }, 120_000);

  test("DATA_ROOT=s3://… without a local directory: one clear line, exit 1", async () => {
    const r = await lake(["silver", "list"], s3.env());
    expect(r.code).toBe(1);
    expect(r.err).toContain("set LAKE_LOCAL_ROOT (or --local-root) to a directory");
  });

  test("USE_S3=true + S3_BUCKET with DATA_ROOT a directory: Silver lives in DATA_ROOT (contracts §7)", async () => {
    const root = join(work, "data-root");
    const { DATA_ROOT: _s3Root, ...rest } = s3.env();
    const r = await lake(["silver", "--dates", sim.dates[0]!, "--workers", "1", "--json"], { ...rest, S3_BUCKET: s3.bucket, DATA_ROOT: root, LAKE_CACHE_DIR: join(work, "cache") });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).output_dir).toBe(join(root, "silver/features/es_pipeline"));
  }, 60_000);
});
