/** What the distributed tests over a bucket lake share: Bronze copied into s3rver, and a look at the queue. */
import { expect } from "bun:test";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { TASK_STREAM } from "../../src/app/task-queue";
import { localStore, s3Store, type S3Store } from "../../src/storage";
import { simulateBronze } from "../../testkit/lake-process";
import type { S3rver } from "../../testkit/s3";

/** Simulate `days` of Bronze in `<dir>/source` and copy it into the bucket; the dates, the source lake and the bucket. */
export async function bronzeInBucket(s3: S3rver, dir: string, days: number): Promise<{ dates: string[]; source: string; bucket: S3Store }> {
  const source = join(dir, "source");
  const dates = await simulateBronze(source, days);
  const bucket = s3Store(s3.s3Settings);
  const local = localStore(source);
  for (const o of await local.list("bronze/")) await bucket.put(o.key, await local.get(o.key));
  return { dates, source, bucket };
}

/** Once `count` tasks are queued (before any worker runs): the first one, as queued. */
export async function firstQueuedTask(natsUrl: string, count: number): Promise<string> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && ((await jsm.streams.info(TASK_STREAM).catch(() => null))?.state.messages ?? 0) < count) await Bun.sleep(200);
    const info = await jsm.streams.info(TASK_STREAM);
    expect(info.state.messages).toBe(count);
    return new TextDecoder().decode((await jsm.streams.getMessage(TASK_STREAM, { seq: info.state.first_seq }))!.data);
  } finally {
    await nc.close();
  }
}
