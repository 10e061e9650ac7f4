/**
 * `lake silver lookahead --distributed`: the dates run on `lake worker` processes (one of them
 * SIGKILLed mid-date) and the report is the one a local run gives — every event, and a seeded
 * sample drawn over all dates from the workers' event counts.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { simulateBronze, spawnLake } from "../../testkit/lake-process";
import { tempDir } from "../ingest/helpers/harness";

/** The report without its run time; exit 1 means "a column leaks", which the reference variant does. */
async function report(args: string[], env: Record<string, string>, log: string): Promise<unknown> {
  await using p = spawnLake(["silver", "lookahead", ...args, "--json"], env, log);
  const code = await p.proc.exited;
  expect([0, 1]).toContain(code);
  const { seconds: _s, ...rest } = JSON.parse(await p.stdout()) as Record<string, unknown>;
  return rest;
}

test("distributed look-ahead equals the local report, with a worker SIGKILLed mid-date", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-distributed-lookahead-");
  const root = join(tmp.path, "lake");
  const dates = await simulateBronze(root, 3);
  const logs = process.env.LAKE_TEST_LOG_DIR ?? tmp.path;
  const env = { NATS_URL: nats.url, LAKE_TASK_ACK_WAIT_S: "3" };
  const local = await report(["--data-root", root], {}, join(logs, "lookahead-local.log"));
  const localSample = await report(["--data-root", root, "--sample", "25", "--seed", "7"], {}, join(logs, "lookahead-local-sample.log"));
  expect((local as { dates: string[] }).dates).toEqual(dates);

  await using doomed = spawnLake(["worker", "--data-root", root, "--workers", "1"], env, join(logs, "lookahead-worker1.log"));
  await doomed.waitForLog(/lake worker ready/);
  const distributed = report(["--data-root", root, "--distributed"], env, join(logs, "lookahead-coordinator.log"));
  await doomed.waitForLog(/task started/, 90_000);
  doomed.proc.kill("SIGKILL");
  await doomed.proc.exited;
  await using worker = spawnLake(["worker", "--data-root", root, "--workers", "1"], env, join(logs, "lookahead-worker2.log"));
  expect(await distributed).toEqual(local);
  expect(await report(["--data-root", root, "--distributed", "--sample", "25", "--seed", "7"], env, join(logs, "lookahead-coordinator-sample.log"))).toEqual(localSample);
  worker.proc.kill("SIGTERM");
  expect(await worker.proc.exited).toBe(0);
}, 300_000);
