/**
 * Distributed Silver on a real 3-node JetStream cluster with real `lake worker` processes:
 * a worker SIGKILLed mid-task and a NATS server SIGKILLed mid-build still give a version
 * identical to the local build, each date built into it exactly once; a worker paused
 * (SIGSTOP) past the ack wait has its task finished elsewhere and its late result discarded.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsCluster, type NatsCluster } from "../../testkit/cluster";
import { simulateBronze, spawnLake, type LakeProcess } from "../../testkit/lake-process";
import { expectIdentical, pauseMidTask, resumeLate } from "./distributed-checks";

const ACK_WAIT_S = "3";

function tempDir(prefix: string): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** Build locally (the reference), then move it aside so the distributed build starts from nothing. */
async function localReference(root: string, dir: string): Promise<string> {
  const p = spawnLake(["silver", "--data-root", root, "--workers", "2", "--json"], {}, join(dir, "local.log"));
  expect(await p.proc.exited).toBe(0);
  expect(JSON.parse(await p.stdout()).status).toBe("success");
  const ref = join(dir, "reference");
  renameSync(join(root, "silver/features/es_pipeline"), ref);
  return ref;
}

function startWorkers(n: number, root: string, cluster: NatsCluster, dir: string): LakeProcess[] {
  return Array.from({ length: n }, (_, i) =>
    spawnLake(["worker", "--data-root", root, "--workers", "1", "--replicas", "3", "--log-level", "debug"], { NATS_URL: cluster.url, LAKE_TASK_ACK_WAIT_S: ACK_WAIT_S }, join(dir, `worker${i + 1}.log`)),
  );
}

function startCoordinator(root: string, cluster: NatsCluster, dir: string): LakeProcess {
  return spawnLake(["silver", "--data-root", root, "--distributed", "--replicas", "3", "--json"], { NATS_URL: cluster.url, LAKE_TASK_ACK_WAIT_S: ACK_WAIT_S }, join(dir, "coordinator.log"));
}

async function leaderOf(cluster: NatsCluster, stream: string) {
  const nc = await connect({ servers: cluster.nodes.filter((n) => n.running()).map((n) => n.url), noAsyncTraces: true });
  try {
    const leader = (await (await jetstreamManager(nc)).streams.info(stream)).cluster?.leader;
    return cluster.nodes.find((n) => n.name === leader)!;
  } finally {
    await nc.close();
  }
}

test("3 workers × 12 dates, a worker and a NATS server SIGKILLed mid-build: identical to the local build, each date once", async () => {
  await using cluster = await startNatsCluster();
  using tmp = tempDir("lake-distributed-");
  const root = join(tmp.path, "lake");
  const dates = await simulateBronze(root, 12);
  const ref = await localReference(root, tmp.path);
  const logs = process.env.LAKE_TEST_LOG_DIR ?? tmp.path;

  const workers = startWorkers(3, root, cluster, logs);
  await using _w = { [Symbol.asyncDispose]: async () => void (await Promise.all(workers.map((w) => w[Symbol.asyncDispose]()))) };
  await Promise.all(workers.map((w) => w.waitForLog(/lake worker ready/)));
  await using coordinator = startCoordinator(root, cluster, logs);

  // SIGKILL worker 1 in the middle of its first date
  await workers[0]!.waitForLog(/task started/, 90_000);
  workers[0]!.proc.kill("SIGKILL");
  await workers[0]!.proc.exited;
  // then the server leading the task queue, and bring it back
  await workers[1]!.waitForLog(/task done/, 90_000);
  const victim = await leaderOf(cluster, "LAKE_TASKS");
  await victim.kill();
  await Bun.sleep(2_000);
  await victim.start();

  expect(await coordinator.proc.exited).toBe(0);
  const r = JSON.parse(await coordinator.stdout());
  expect(r.status).toBe("success");
  expect(r.dates_processed).toBe(12);
  expect(r.coordination.map((c: { date: string }) => c.date).sort()).toEqual(dates);
  expectIdentical(ref, join(root, "silver/features/es_pipeline"), dates);
  expect(readdirSync(join(root, "silver/features/.staging")).filter((x) => !x.endsWith(".lock"))).toEqual([]);
  // the killed worker's date was built again by a survivor
  expect(new Set(r.coordination.map((c: { worker: string }) => c.worker)).size).toBeGreaterThanOrEqual(2);

  for (const w of workers.slice(1)) w.proc.kill("SIGTERM");
  for (const w of workers.slice(1)) expect(await w.proc.exited).toBe(0);
}, 400_000);

test("a worker paused past the ack wait: its task is finished elsewhere and its late result discarded", async () => {
  await using cluster = await startNatsCluster();
  using tmp = tempDir("lake-distributed-stop-");
  const root = join(tmp.path, "lake");
  const dates = await simulateBronze(root, 2);
  const ref = await localReference(root, tmp.path);

  const [paused, other] = startWorkers(2, root, cluster, tmp.path) as [LakeProcess, LakeProcess];
  await using _p = paused;
  await using _o = other;
  await using coordinator = await pauseMidTask(paused, other, () => startCoordinator(root, cluster, tmp.path));

  expect(await coordinator.proc.exited).toBe(0);
  const r = JSON.parse(await coordinator.stdout());
  expect(r.status).toBe("success");
  expect(r.coordination.every((c: { worker: string }) => c.worker.endsWith(`:${other.proc.pid}`))).toBe(true);
  expectIdentical(ref, join(root, "silver/features/es_pipeline"), dates);

  await resumeLate(paused, other);
  // nothing of the late attempt was published or left behind
  expectIdentical(ref, join(root, "silver/features/es_pipeline"), dates);
  expect(readdirSync(join(root, "silver/features/.staging")).filter((x) => !x.endsWith(".lock"))).toEqual([]);
}, 300_000);
