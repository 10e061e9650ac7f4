/**
 * Taking a lease while the server cannot answer (paused, or JetStream electing a leader):
 * the requests time out, taking the lease retries them, and a write whose reply was lost is
 * recognised as this holder's own instead of being mistaken for another owner's.
 */
import { expect, test } from "bun:test";
import { connect } from "@nats-io/transport-node";
import { startNats } from "../../testkit/nats";
import { DurableLease, LeaseHeldError, localIdentity, openLeaseBucket } from "../../src/ingest/main/lease";

test("a lease taken while the server is paused is retried, not failed, and stays exclusive", async () => {
  await using nats = await startNats();
  const nc = await connect({ servers: nats.url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  try {
    const bucket = await openLeaseBucket(nc, 2_500);
    const me = localIdentity();
    const lease = new DurableLease(bucket, "durable_a", me);
    process.kill(nats.pid(), "SIGSTOP");
    const taking = lease.acquire({ standby: false, minEpoch: async () => 0 });
    try {
      await Bun.sleep(1_500); // several request timeouts (a fifth of the TTL each)
    } finally {
      process.kill(nats.pid(), "SIGCONT");
    }
    await taking;
    expect(lease.epoch).toBe(1);
    const proof = await lease.prove();
    expect(proof.ok).toBe(true);
    const held = (await bucket.kv.get("durable_a"))!.json() as { instance: string; epoch: number };
    expect(held).toMatchObject({ instance: me.instance, epoch: 1 });

    const other = new DurableLease(bucket, "durable_a", { ...me, instance: `${me.instance}-other`, pid: me.pid + 1 });
    await expect(other.acquire({ standby: false, minEpoch: async () => 0 })).rejects.toBeInstanceOf(LeaseHeldError);
    await lease.release();
  } finally {
    await nc.close();
  }
}, 60_000);
