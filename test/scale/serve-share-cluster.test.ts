/**
 * Hot-standby sharing on a real 3-node JetStream cluster: two `lake serve --share`, each
 * connected to its own node, split the consumers (streams and lease bucket with 3 replicas).
 * The first one's NATS server is SIGKILLed while a publisher runs, then that instance itself:
 * the other takes its consumers when their leases lapse and the lake holds every message
 * exactly once.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsCluster } from "../../testkit/cluster";
import type { GenMsg } from "../../testkit/ingest-messages";
import { LEASE_BUCKET, type LeaseValue } from "../../src/ingest/main/lease";
import { ensureStreams } from "../../src/ingest/main/streams";
import { batchOf, DURABLE, expectExactlyOnce, startServe, tempDir, waitCommitted, waitUntil, within, type ServeProc } from "../ingest/helpers/harness";

const enc = new TextEncoder();
const DURABLES = Object.values(DURABLE);

async function held(nc: NatsConnection, s: ServeProc): Promise<number> {
  try {
    const kv = await new Kvm(jetstream(nc, { timeout: 2_000 })).open(LEASE_BUCKET);
    let n = 0;
    for (const d of DURABLES) {
      const e = await kv.get(d);
      const v = e && e.operation === "PUT" ? (e.json() as LeaseValue) : null;
      if (v && !v.released && v.pid === s.proc.pid) n++;
    }
    return n;
  } catch {
    return -1; // the bucket is electing a leader: ask again
  }
}

/** Publish with msg ids, retrying a window across a leader election (the duplicate window drops copies). */
async function publish(nc: NatsConnection, msgs: GenMsg[], prefix: string): Promise<number[]> {
  const js = jetstream(nc, { timeout: 5_000 });
  const seqs = new Array<number>(msgs.length);
  for (let i = 0; i < msgs.length; i += 200) {
    for (let attempt = 1; ; attempt++) {
      try {
        const acks = await Promise.all(msgs.slice(i, i + 200).map((m, k) => js.publish(m.subject, typeof m.body === "string" ? enc.encode(m.body) : m.body, { msgID: `${prefix}${i + k}`, retries: 5 })));
        acks.forEach((a, k) => (seqs[i + k] = a.seq));
        break;
      } catch (e) {
        if (attempt >= 40) throw e;
        await Bun.sleep(250);
      }
    }
  }
  return seqs;
}

test("two sharing instances on a cluster: the first one's server and then the instance are SIGKILLed, the other takes over; 0 lost, 0 duplicated", async () => {
  await using cluster = await startNatsCluster();
  using tmp = tempDir("lake-share-cluster-");
  const root = join(tmp.path, "lake");
  const [n1, n2, n3] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
  const nc = await connect({ servers: [n2.url, n3.url], noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  await using _nc = { [Symbol.asyncDispose]: () => nc.close() };
  await ensureStreams(await jetstreamManager(nc), { replicas: 3 });
  const args = ["--share", "--lease-ttl", "4", "--replicas", "3"];
  await using a = startServe(n1.url, root, args);
  await using b = startServe(`${n2.url},${n3.url}`, root, args);
  await within(90_000, "the two instances to split the consumers", waitUntil(async () => (await held(nc, a)) === 2 && (await held(nc, b)) === 2, 90_000, "a 2/2 split"), b);

  const first = batchOf(0, 1_500);
  const seqs1 = await publish(nc, first, "f");
  await within(90_000, "the first batch committed", waitCommitted(root, first, seqs1, 90_000), a);

  // a's server dies while the second batch streams in; then a itself
  const second = batchOf(1_500, 2_000);
  const sending = publish(nc, second, "s");
  await Bun.sleep(200);
  await n1.kill();
  await Bun.sleep(1_000);
  await a.kill9();
  const seqs2 = await within(120_000, "publish the second batch across the failover", sending, b);
  await within(90_000, "the survivor to hold every consumer", waitUntil(async () => (await held(nc, b)) === 4, 90_000, "b holds all four"), b);

  const third = batchOf(3_500, 500);
  const seqs3 = await publish(nc, third, "t");
  const msgs = [...first, ...second, ...third];
  await within(120_000, "everything committed by the survivor", waitCommitted(root, msgs, [...seqs1, ...seqs2, ...seqs3], 120_000), b);
  expect(await b.term()).toBe(0);
  await expectExactlyOnce(root, msgs);
}, 400_000);
