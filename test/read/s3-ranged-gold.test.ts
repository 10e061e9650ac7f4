/**
 * GoldReader over S3 reads a projection by byte range: a training set promoted into the bucket
 * (its object under a generation the catalog names) and an hour of level signals are read on
 * s3rver as their footers and the column chunks of the projected columns, within 1.2× those
 * bytes and far less than the objects; the rows equal the local lake's. `LAKE_CACHE=full`
 * still copies whole objects. Bytes are counted at the store (every GET and ranged GET).
 * `lake gold read` prints the same rows from the bucket as from the local lake.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { promoteInBucket } from "../../src/app/bucket-gold";
import { GoldReader } from "../../src/read/gold-reader";
import { LakeFiles } from "../../src/read/lake-files";
import { S3Store } from "../../src/storage";
import { startS3rver, type S3rver } from "../../testkit/s3";
import { lakeWithSilver } from "../gold/gold-lake";
import { LEVEL_SIGNALS, ns, signal, tempLake, type TempLake } from "./lake-fixture";
import { countingStore, neededBytes, walk } from "./s3-counting";

const DS = "signals_production";
const D = "2026-01-14";
const TRAINING_COLUMNS = ["ts_ns", "level_price"];
const SIGNAL_COLUMNS = ["spot", "bid"];
/** Columns the signal fixture fills with distinct values, so the chunks a projection skips are real bytes. */
const FILLED = ["bid", "ask", "distance", "break_score_raw", "break_score_smooth", "barrier_delta_liq", "tape_imbalance", "tape_velocity", "fuel_net_dealer_gamma", "fuel_hvl"];
let s3: S3rver;
let gold: Awaited<ReturnType<typeof lakeWithSilver>>;
let signals: TempLake;
let work: string;
let cacheDir: string;

beforeAll(async () => {
  s3 = await startS3rver();
  gold = await lakeWithSilver();
  const local = await gold.curator.promoteToTraining("es_pipeline", { datasetName: DS });
  if (local.status !== "success") throw new Error(`local promotion: ${JSON.stringify(local)}`);
  // s3rver ignores conditional writes: the bucket lake runs in single-writer mode
  work = mkdtempSync(join(tmpdir(), "lake-ranged-gold-work-"));
  const remote = await promoteInBucket({ store: new S3Store(s3.s3Settings), singleWriter: true }, work, gold.silver, "es_pipeline", { datasetName: DS });
  if (remote.status !== "success") throw new Error(`bucket promotion: ${JSON.stringify(remote)}`);

  signals = tempLake();
  const t0 = ns(`${D}T15:00:00Z`);
  const rows = Array.from({ length: 20_000 }, (_, i) =>
    signal(t0 + BigInt(i) * 150_000_000n, i % 2 ? "PM_HIGH" : "OR_LOW", { spot: 7001.25 + i / 4, ...Object.fromEntries(FILLED.map((n, j) => [n, Math.sin(i * 7.1 + j) * 1000])) }),
  );
  signals.write(LEVEL_SIGNALS, `gold/levels/signals/underlying=ES/date=${D}/hour=15/part-a.parquet`, rows);
  const store = new S3Store(s3.s3Settings);
  for (const p of walk(signals.root)) await store.put(relative(signals.root, p), readFileSync(p));
  cacheDir = mkdtempSync(join(tmpdir(), "lake-ranged-gold-"));
});
afterAll(async () => {
  gold?.lake[Symbol.dispose]();
  signals?.[Symbol.dispose]();
  for (const d of [work, cacheDir]) if (d) rmSync(d, { recursive: true, force: true });
  await s3[Symbol.asyncDispose]();
});

test("a projected training-set read fetches ≤ 1.2× its footer and column chunks, from the object the catalog names", async () => {
  const want = await new GoldReader(gold.lake.root).readTrainingSet(DS, { columns: TRAINING_COLUMNS });
  const c = countingStore(s3.s3Settings);
  const reader = new GoldReader(new LakeFiles(c.store, { cacheDir: join(cacheDir, "training") }));
  const got = await reader.readTrainingSet(DS, { columns: TRAINING_COLUMNS });
  expect(got.columnNames).toEqual(TRAINING_COLUMNS);
  expect(got.numRows).toBe(107);
  expect(got.toRows()).toEqual(want.toRows());

  const [key] = reader.lastRead.files;
  expect(key).toMatch(/^gold\/training\/_gen\/[^/]+\/signals_production\.parquet$/);
  const object = await new S3Store(s3.s3Settings).get(key!);
  const catalog = (await new S3Store(s3.s3Settings).get("gold/catalog.json")).byteLength;
  const fetched = c.fetched() - catalog;
  const needed = neededBytes(object, new Set(TRAINING_COLUMNS));
  console.log(`training set: fetched ${fetched} B for ${needed} B needed (${(fetched / needed).toFixed(3)}×); object ${object.byteLength} B`);
  expect(fetched / needed).toBeLessThanOrEqual(1.2);
  expect(fetched).toBeLessThan(object.byteLength / 2);

  // without a projection: every column the dataset holds, the same as the local read
  const all = await reader.readTrainingSet(DS);
  expect(all.columnNames.length).toBe(182);
  expect(all.toRows()).toEqual((await new GoldReader(gold.lake.root).readTrainingSet(DS)).toRows());
  await expect(reader.readTrainingSet("nope")).rejects.toThrow("Gold training dataset 'nope' not found");
}, 120_000);

test("a projected signal read fetches ≤ 1.2× its footer and column chunks; LAKE_CACHE=full copies the object", async () => {
  const q = { date: D, columns: SIGNAL_COLUMNS };
  const want = await new GoldReader(signals.root).readLevelSignals("ES", q);
  const c = countingStore(s3.s3Settings);
  const got = await new GoldReader(new LakeFiles(c.store, { cacheDir: join(cacheDir, "signals") })).readLevelSignals("ES", q);
  expect(got.columnNames).toEqual(LEVEL_SIGNALS.columns.map((d) => d.name).filter((n) => [...SIGNAL_COLUMNS, "ts_event_ns", "level_id"].includes(n)));
  expect(got.numRows).toBe(20_000);
  expect(got.toRows()).toEqual(want.toRows());

  const file = walk(signals.root)[0]!;
  const object = readFileSync(file);
  const needed = neededBytes(object, new Set([...SIGNAL_COLUMNS, "ts_event_ns", "level_id"]));
  console.log(`signals: fetched ${c.fetched()} B for ${needed} B needed (${(c.fetched() / needed).toFixed(3)}×); object ${object.byteLength} B`);
  expect(c.fetched() / needed).toBeLessThanOrEqual(1.2);
  expect(c.fetched()).toBeLessThan(object.byteLength / 2);

  const whole = countingStore(s3.s3Settings);
  const prev = process.env.LAKE_CACHE;
  process.env.LAKE_CACHE = "full";
  try {
    const full = await new GoldReader(new LakeFiles(whole.store, { cacheDir: join(cacheDir, "full") })).readLevelSignals("ES", q);
    expect(full.toRows()).toEqual(want.toRows());
  } finally {
    if (prev === undefined) delete process.env.LAKE_CACHE;
    else process.env.LAKE_CACHE = prev;
  }
  expect(whole.fetched()).toBe(object.byteLength);
}, 120_000);

test("lake gold read prints the same rows from the bucket (no working copy) as from the local lake", async () => {
  const run = async (args: string[], env: Record<string, string>) => {
    const p = Bun.spawn(["bun", "run", resolve(import.meta.dir, "../../src/main.ts"), "gold", "read", DS, "--columns", TRAINING_COLUMNS.join(","), "--format", "csv", ...args], {
      env: { ...process.env, LAKE_LOG_LEVEL: "warn", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { out, err, code };
  };
  const local = await run(["--data-root", gold.lake.root], {});
  expect(local.err).toBe("");
  expect(local.code).toBe(0);
  const lines = local.out.trim().split("\n");
  expect(lines[0]).toBe(TRAINING_COLUMNS.join(","));
  expect(lines).toHaveLength(108);
  const bucket = await run([], { ...s3.env(), LAKE_LOCAL_ROOT: join(work, "copy"), LAKE_CACHE_DIR: join(cacheDir, "cli") });
  expect(bucket.err).toBe("");
  expect(bucket.out).toBe(local.out);
  const limited = await run(["--data-root", gold.lake.root, "--limit", "3"], {});
  expect(limited.out.trim().split("\n")).toEqual(lines.slice(0, 4));
}, 120_000);
