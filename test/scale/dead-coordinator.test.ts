/**
 * A distributed build whose coordinator is SIGKILLed leaves tasks in LAKE_TASKS and folders
 * in staging. They are reclaimed, not built again and again: once the coordinator's liveness
 * key has lapsed, the worker drops the result it was building and purges the build's queued
 * tasks; the next build removes the dead build's attempts folder, resumes its staging, and
 * publishes a complete version.
 */
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startNats } from "../../testkit/nats";
import { simulateBronze, spawnLake } from "../../testkit/lake-process";
import { tempDir } from "../ingest/helpers/harness";
import { TASK_STREAM } from "../../src/app/task-queue";

test("a dead coordinator's queued tasks and staging are reclaimed; the next build completes", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-dead-coordinator-");
  const root = join(tmp.path, "lake");
  const dates = await simulateBronze(root, 6);
  const logs = process.env.LAKE_TEST_LOG_DIR ?? tmp.path;
  const env = { NATS_URL: nats.url, LAKE_TASK_ACK_WAIT_S: "3", LAKE_BUILD_TTL_S: "2" };

  await using worker = spawnLake(["worker", "--data-root", root, "--workers", "1", "--log-level", "debug"], env, join(logs, "worker.log"));
  await worker.waitForLog(/lake worker ready/);
  await using dead = spawnLake(["silver", "--data-root", root, "--distributed", "--json"], env, join(logs, "dead-coordinator.log"));
  // The coordinator dies while the worker builds its first date, with the other dates queued.
  await worker.waitForLog(/task started/, 90_000);
  dead.proc.kill("SIGKILL");
  await dead.proc.exited;

  // Within the TTL plus a hand-over retry: the in-flight result is dropped, the queue purged.
  await worker.waitForLog(/its coordinator is gone; reclaimed the build's queued tasks/, 60_000);
  const nc = await connect({ servers: nats.url, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + 30_000;
    while ((await jsm.streams.info(TASK_STREAM)).state.messages > 0 && Date.now() < deadline) await Bun.sleep(200);
    expect((await jsm.streams.info(TASK_STREAM)).state.messages).toBe(0);
  } finally {
    await nc.close();
  }
  // Bounded: at most the date in flight when the coordinator died (and one pulled before its key lapsed) was built.
  expect((worker.log().match(/task started/g) ?? []).length).toBeLessThanOrEqual(2);
  const staging = join(root, "silver/features/.staging");
  expect(readdirSync(staging).some((x) => x.includes(".attempts-"))).toBe(true);

  await using next = spawnLake(["silver", "--data-root", root, "--distributed", "--json"], env, join(logs, "next-coordinator.log"));
  expect(await next.proc.exited).toBe(0);
  const r = JSON.parse(await next.stdout());
  expect(r.status).toBe("success");
  expect(r.dates_processed).toBe(dates.length);
  expect(readdirSync(join(root, "silver/features/es_pipeline")).filter((x) => x.startsWith("date=")).length).toBe(dates.length);
  expect(readdirSync(staging).filter((x) => !x.endsWith(".lock"))).toEqual([]);

  worker.proc.kill("SIGTERM");
  expect(await worker.proc.exited).toBe(0);
}, 240_000);
