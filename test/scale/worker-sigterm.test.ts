/**
 * `lake worker` stopped with SIGTERM mid-date hands its task back at once (no ack-wait delay)
 * and exits 0; another worker builds the date and the version completes.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { simulateBronze, spawnLake } from "../../testkit/lake-process";

test("SIGTERM returns the current task to the queue; another worker finishes the build", async () => {
  await using nats = await startNats();
  const dir = mkdtempSync(join(tmpdir(), "lake-worker-term-"));
  await using _d = { [Symbol.asyncDispose]: async () => rmSync(dir, { recursive: true, force: true }) };
  const root = join(dir, "lake");
  await simulateBronze(root, 2);
  // a long ack wait: only the explicit hand-back can make the date move on quickly
  const env = { NATS_URL: nats.url, LAKE_TASK_ACK_WAIT_S: "600" };
  await using first = spawnLake(["worker", "--data-root", root, "--workers", "1", "--json"], env, join(dir, "w1.log"));
  await first.waitForLog(/lake worker ready/);
  await using coordinator = spawnLake(["silver", "--data-root", root, "--distributed", "--json"], env, join(dir, "coordinator.log"));
  await first.waitForLog(/task started/);
  first.proc.kill("SIGTERM");
  expect(await first.proc.exited).toBe(0);
  expect(JSON.parse(await first.stdout()).returned).toBe(1);

  await using second = spawnLake(["worker", "--data-root", root, "--workers", "1"], env, join(dir, "w2.log"));
  expect(await coordinator.proc.exited).toBe(0);
  const r = JSON.parse(await coordinator.stdout());
  expect(r.status).toBe("success");
  expect(r.dates_processed).toBe(2);
  expect(r.coordination.every((c: { worker: string }) => c.worker.endsWith(`:${second.proc.pid}`))).toBe(true);
  second.proc.kill("SIGTERM");
  expect(await second.proc.exited).toBe(0);
}, 240_000);
