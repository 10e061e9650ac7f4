/**
 * Distributed Silver over a lake that lives wholly in a bucket (s3rver), with workers that
 * share nothing with the coordinator but the bucket and NATS: each has its own empty local
 * root and temporary folder, so results reach the coordinator only through the build's
 * attempts prefix in the bucket. One worker is SIGKILLed mid-date; the version published in
 * the bucket equals a local build, each date once, and no attempt is left behind.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pullGeneration, readGeneration } from "../../src/storage/generations";
import { startNats } from "../../testkit/nats";
import { startS3rver } from "../../testkit/s3";
import { spawnLake, type LakeProcess } from "../../testkit/lake-process";
import type { S3Store } from "../../src/storage";
import type { S3rver } from "../../testkit/s3";
import { tempDir } from "../ingest/helpers/harness";
import { bronzeInBucket, firstQueuedTask } from "./bucket-lake";
import { expectIdentical, pauseMidTask, resumeLate } from "./distributed-checks";

const BASE = "silver/features/es_pipeline";

/** A worker on its own "machine": its own local root, cache and temporary folder; only NATS and the bucket in common. */
function startWorker(env: Record<string, string>, dir: string, name: string, logs: string): LakeProcess {
  const own = join(dir, name);
  mkdirSync(join(own, "tmp"), { recursive: true });
  return spawnLake(["worker", "--workers", "1", "--log-level", "debug"], { ...env, LAKE_LOCAL_ROOT: join(own, "lake"), LAKE_CACHE_DIR: join(own, "cache"), TMPDIR: join(own, "tmp") }, join(logs, `${name}.log`));
}

/** The version published in the bucket equals the local build, and only its generation is left under _gen/. */
async function expectPublishedAsLocal(bucket: S3Store, source: string, dir: string, dates: string[]): Promise<void> {
  const published = await readGeneration(bucket, BASE);
  expect(published).not.toBeNull();
  const copy = join(dir, `published-${published!.pointer.generation}`, "es_pipeline");
  await pullGeneration(bucket, BASE, copy, published);
  expectIdentical(join(source, BASE), copy, dates);
  const generations = new Set((await bucket.list(`${BASE}/_gen/`)).map((o) => o.key.slice(`${BASE}/_gen/`.length).split("/")[0]));
  expect([...generations]).toEqual([published!.pointer.generation]);
}

/** Bronze in the bucket, the local reference build, and the environment every process of the test shares. */
async function bucketLake(s3: S3rver, natsUrl: string, dir: string, logs: string, days: number) {
  const { dates, source, bucket } = await bronzeInBucket(s3, dir, days);
  // the reference: a local build of the same Bronze, in its own directory lake
  await using ref = spawnLake(["silver", "--data-root", source, "--workers", "1", "--json"], {}, join(logs, "reference.log"));
  expect(await ref.proc.exited).toBe(0);
  expect(JSON.parse(await ref.stdout()).status).toBe("success");
  // s3rver ignores conditional writes: the coordinator is this lake's only Silver writer
  const env = { ...s3.env(), NATS_URL: natsUrl, LAKE_TASK_ACK_WAIT_S: "3", LAKE_SINGLE_WRITER: "true" };
  return { dates, source, bucket, env };
}

test("2 workers with their own local roots, one SIGKILLed mid-date: the version published in the bucket equals a local build", async () => {
  await using nats = await startNats();
  await using s3 = await startS3rver();
  using tmp = tempDir("lake-worker-bucket-");
  const logs = process.env.LAKE_TEST_LOG_DIR ?? tmp.path;
  const { dates, source, bucket, env } = await bucketLake(s3, nats.url, tmp.path, logs, 4);
  const coordinatorRoot = join(tmp.path, "coordinator");
  await using coordinator = spawnLake(["silver", "--distributed", "--json"], { ...env, LAKE_LOCAL_ROOT: coordinatorRoot, LAKE_CACHE_DIR: join(tmp.path, "cache-c") }, join(logs, "coordinator.log"));
  // the queued tasks point at the bucket, never at the coordinator's directory
  const task = await firstQueuedTask(nats.url, dates.length);
  expect(task).not.toContain(coordinatorRoot);
  expect(JSON.parse(task)).toMatchObject({ attempts_dir: "", attempts_key: expect.stringMatching(new RegExp(`^${BASE}/_gen/[^/]+/attempts-`)) });

  const workers = [1, 2].map((i) => startWorker(env, tmp.path, `machine${i}`, logs));
  await using _w = { [Symbol.asyncDispose]: async () => void (await Promise.all(workers.map((w) => w[Symbol.asyncDispose]()))) };

  // SIGKILL worker 1 in the middle of a date: its task goes to worker 2 after the ack wait
  await workers[0]!.waitForLog(/task started/, 90_000);
  workers[0]!.proc.kill("SIGKILL");
  await workers[0]!.proc.exited;

  expect(await coordinator.proc.exited).toBe(0);
  const r = JSON.parse(await coordinator.stdout());
  expect(r.status).toBe("success");
  expect(r.coordination.map((c: { date: string }) => c.date).sort()).toEqual(dates);
  await workers[1]!.waitForLog(/task done/);
  // the killed worker's date was delivered again
  expect(workers[1]!.log()).toMatch(/task started .*delivery=2/);

  await expectPublishedAsLocal(bucket, source, tmp.path, dates);
  // nothing was written into the coordinator's Silver directory by anyone but the coordinator
  expect(readdirSync(join(coordinatorRoot, "silver/features/.staging")).filter((x) => x.includes(".attempts-"))).toEqual([]);
  expect(existsSync(join(tmp.path, "machine2", "lake", "silver"))).toBe(false);
  expect(readdirSync(join(tmp.path, "machine2", "tmp")).filter((x) => x.startsWith("lake-attempt-"))).toEqual([]);

  workers[1]!.proc.kill("SIGTERM");
  expect(await workers[1]!.proc.exited).toBe(0);
}, 300_000);

test("a worker paused past the ack wait: its date is finished by the other, its late upload refused and removed", async () => {
  await using nats = await startNats();
  await using s3 = await startS3rver();
  using tmp = tempDir("lake-worker-bucket-late-");
  const logs = process.env.LAKE_TEST_LOG_DIR ?? tmp.path;
  const { dates, source, bucket, env } = await bucketLake(s3, nats.url, tmp.path, logs, 2);

  const paused = startWorker(env, tmp.path, "paused", logs);
  const other = startWorker(env, tmp.path, "other", logs);
  await using _p = paused;
  await using _o = other;
  const coordinatorEnv = { ...env, LAKE_LOCAL_ROOT: join(tmp.path, "coordinator"), LAKE_CACHE_DIR: join(tmp.path, "cache-c") };
  await using coordinator = await pauseMidTask(paused, other, () => spawnLake(["silver", "--distributed", "--json"], coordinatorEnv, join(logs, "late-coordinator.log")));

  expect(await coordinator.proc.exited).toBe(0);
  const r = JSON.parse(await coordinator.stdout());
  expect(r.status).toBe("success");
  expect(r.coordination.every((c: { worker: string }) => c.worker.endsWith(`:${other.proc.pid}`))).toBe(true);
  await expectPublishedAsLocal(bucket, source, tmp.path, dates);

  // resumed after the build ended: it finishes and uploads its date, finds the build closed, and deletes its attempt
  await resumeLate(paused, other);
  await expectPublishedAsLocal(bucket, source, tmp.path, dates);
}, 300_000);
