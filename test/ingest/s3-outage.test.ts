/**
 * `lake serve` writing to S3 (s3rver): realistic messages on all four subjects land in the
 * right partitions with equal values, and an S3 outage mid-stream (s3rver killed, then
 * back) loses and duplicates nothing — the data stays un-acked and the commit is retried
 * with backoff until the store answers again.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { startS3rver } from "../../testkit/s3";
import { s3Store } from "../../src/storage/index";
import { readCommit } from "../../src/ingest/common/commit";
import { gen, SUBJECTS, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, exactlyOnce, expectLakeMatches, mirror, natsClient, publishAll, startServe, tempDir, waitCommitted, within } from "./helpers/harness";

test("serve writes to S3 and survives an S3 outage mid-stream exactly once", async () => {
  await using nats = await startNats();
  await using s3 = await startS3rver();
  using tmp = tempDir("lake-ingest-s3-");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const store = s3Store({ ...s3.s3Settings, prefix: "lake" });
  const msgs: GenMsg[] = [];
  for (let i = 0; i < 2500; i++) for (const s of SUBJECTS) if (s !== "levels.signals" || i % 3 === 0) msgs.push(gen(s, i));
  const cut = [0, Math.floor(msgs.length / 3), Math.floor((2 * msgs.length) / 3), msgs.length];

  await using serve = startServe(nats.url, `s3://${s3.bucket}/lake`, ["--bronze-buffer-limit", "500"], s3.env("lake"), join(tmp.path, "serve.log"));
  // the outage must hit a running service's commits, not its start-up (slow on a loaded machine)
  for (const deadline = Date.now() + 60_000; !serve.log().includes("lake serve running") && Date.now() < deadline; ) await Bun.sleep(50);
  const seqs = await publishAll(nc, msgs.slice(cut[0], cut[1]));
  await Bun.sleep(300);
  await s3.stop(); // outage while the service is committing
  seqs.push(...(await publishAll(nc, msgs.slice(cut[1], cut[2]))));
  await Bun.sleep(2500);
  await s3.start();
  seqs.push(...(await publishAll(nc, msgs.slice(cut[2], cut[3]))));

  const watermark = async (durable: string) => {
    try {
      return (await readCommit(store, durable))?.watermark ?? 0;
    } catch {
      return 0;
    }
  };
  await within(100_000, "every message committed after the outage", waitCommitted("", msgs, seqs, 90_000, watermark), serve);
  const log = serve.log();
  expect(await serve.term()).toBe(0);
  expect(log).toContain("commit failed, will retry (nothing acked)");

  const local = join(tmp.path, "mirror");
  for (const p of ["bronze", "gold"]) await mirror(store, p, local);
  const check = await exactlyOnce(local, msgs);
  expect(check.missing.slice(0, 10)).toEqual([]);
  expect(check.duplicated.slice(0, 10)).toEqual([]);
  await expectLakeMatches(local, msgs);
}, 150_000);
