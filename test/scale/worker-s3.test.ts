/**
 * `lake worker` over a lake whose Bronze is in an S3 bucket (s3rver): the worker is given
 * only the bucket (DATA_ROOT=s3://…) and its own credentials; the queued tasks name the
 * bucket but carry no keys. The distributed build equals a local build over the same
 * bucket, date for date.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { startS3rver } from "../../testkit/s3";
import { spawnLake } from "../../testkit/lake-process";
import { tempDir } from "../ingest/helpers/harness";
import { bronzeInBucket, firstQueuedTask } from "./bucket-lake";

type DateRow = { date: string; sha256: string | null; rows: number };

test("a worker with only S3 access builds the dates of an S3 Bronze: same files as a local build, no keys on the queue", async () => {
  await using nats = await startNats();
  await using s3 = await startS3rver();
  using tmp = tempDir("lake-worker-s3-");
  const logs = process.env.LAKE_TEST_LOG_DIR ?? tmp.path;
  const { dates } = await bronzeInBucket(s3, tmp.path, 3);

  // the reference: a local-pool build over the bucket, published there (the distributed build below rebuilds every date with --force)
  const refEnv = { ...s3.env(), LAKE_SINGLE_WRITER: "true", LAKE_LOCAL_ROOT: join(tmp.path, "reference"), LAKE_CACHE_DIR: join(tmp.path, "cache-ref") };
  await using ref = spawnLake(["silver", "--workers", "1", "--json"], refEnv, join(logs, "reference.log"));
  expect(await ref.proc.exited).toBe(0);
  const reference = JSON.parse(await ref.stdout()) as { status: string; dates: DateRow[] };
  expect(reference.status).toBe("success");

  const env = { NATS_URL: nats.url, LAKE_TASK_ACK_WAIT_S: "5", LAKE_SINGLE_WRITER: "true" };
  await using coordinator = spawnLake(["silver", "--distributed", "--force", "--json"], { ...env, ...s3.env(), LAKE_LOCAL_ROOT: join(tmp.path, "silver"), LAKE_CACHE_DIR: join(tmp.path, "cache-c") }, join(logs, "coordinator.log"));
  // before any worker runs: the queued tasks name the bucket and hold no credentials
  const task = await firstQueuedTask(nats.url, dates.length);
  expect(task).toContain(`"bucket":"${s3.bucket}"`);
  expect(task).not.toContain("S3RVER");

  // the worker: the bucket and its own keys, no lake directory of its own
  await using worker = spawnLake(["worker", "--workers", "1"], { ...env, ...s3.env(), LAKE_CACHE_DIR: join(tmp.path, "cache-w") }, join(logs, "worker.log"));
  expect(await coordinator.proc.exited).toBe(0);
  const r = JSON.parse(await coordinator.stdout()) as { status: string; dates: DateRow[] };
  expect(r.status).toBe("success");
  expect(r.dates.map((d) => [d.date, d.rows, d.sha256])).toEqual(reference.dates.map((d) => [d.date, d.rows, d.sha256]));
  expect(r.dates.map((d) => d.date)).toEqual(dates);
  worker.proc.kill("SIGTERM");
  expect(await worker.proc.exited).toBe(0);
}, 240_000);
