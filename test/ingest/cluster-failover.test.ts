/**
 * `lake serve` against a real 3-node JetStream cluster (streams with 3 replicas, NATS_URL
 * listing every node): the server that both carries the service's connections and leads the
 * stream is SIGKILLed mid-stream and later restarted. The service reconnects to another node,
 * the stream elects a new leader, the pull requests are re-issued, and every message is in the
 * lake exactly once.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsCluster, type NatsCluster } from "../../testkit/cluster";
import { gen, SUBJECTS, type GenMsg } from "../../testkit/ingest-messages";
import { ensureStreams } from "../../src/ingest/main/streams";
import { exactlyOnce, startServe, tempDir, waitCommitted, waitForLog, within } from "./helpers/harness";

const enc = new TextEncoder();

test("a cluster node crash under lake serve loses and duplicates nothing", async () => {
  await using cluster = await startNatsCluster();
  using tmp = tempDir("lake-ingest-cluster-");
  const root = join(tmp.path, "lake");
  const nc = await connect({ servers: cluster.nodes.map((n) => n.url), noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, { replicas: 3 });
  expect((await jsm.streams.info("MARKET_DATA")).config.num_replicas).toBe(3);

  const msgs: GenMsg[] = [];
  for (let i = 0; i < 4000; i++) for (const s of SUBJECTS) if (s !== "levels.signals" || i % 4 === 0) msgs.push(gen(s, i));
  const ids = msgs.map((_, i) => `c${i}`);
  const half = Math.floor(msgs.length / 2);
  await using serve = startServe(cluster.url, root, ["--bronze-buffer-limit", "2000", "--replicas", "3"]);
  const seqs: number[] = [];
  // The node is killed under a running service, not while it is still taking its leases.
  await waitForLog(serve, "lake serve running", "lake serve running", 60_000);

  seqs.push(...(await within(60_000, "publish the first half", publishThroughFailover(nc, msgs.slice(0, half), ids.slice(0, half)), serve)));
  await Bun.sleep(150); // the service is mid-drain
  // Kill the node the service's pulls go through, leading the stream: both failovers at once.
  const victim = await within(60_000, "the stream led by the service's node", leadFromServiceNode(nc, jsm, cluster, "MARKET_DATA"), serve);
  await victim.kill();
  // Publishing goes on while the cluster elects a new leader; the client retries with the same msg ids.
  seqs.push(...(await within(90_000, "publish the second half across the failover", publishThroughFailover(nc, msgs.slice(half), ids.slice(half)), serve)));
  await within(30_000, "restart the killed node", victim.start(), serve);

  await within(120_000, "every message committed", waitCommitted(root, msgs, seqs, 110_000), serve);
  const log = serve.log();
  expect(await serve.term()).toBe(0);
  await nc.close();
  const check = await exactlyOnce(root, msgs);
  expect(check.missing.slice(0, 10)).toEqual([]);
  expect(check.duplicated.slice(0, 10)).toEqual([]);
  expect(check.total).toBe(msgs.reduce((s, m) => s + m.rows.length, 0));
  // The lake noticed (leader change or lost connection) and re-issued its pulls at the watermark.
  expect(log).toContain("consumer resynced");
}, 300_000);

/**
 * The node serving the lake's data sessions (connections named `lake-<durable>`), made leader of
 * `stream`: the leader is asked to step down until the election lands there (random among peers).
 */
async function leadFromServiceNode(nc: NatsConnection, jsm: JetStreamManager, cluster: NatsCluster, stream: string): Promise<NatsCluster["nodes"][number]> {
  let target: NatsCluster["nodes"][number] | undefined;
  for (const n of cluster.nodes) if ((await n.clientNames()).some((c) => c.startsWith("lake-"))) target = n;
  if (!target) throw new Error("no node serves a lake data session");
  for (let attempt = 1; ; attempt++) {
    const leader = (await jsm.streams.info(stream)).cluster?.leader;
    if (leader === target.name) return target;
    if (attempt > 30) throw new Error(`${stream} is still led by ${String(leader)}, not ${target.name}, after ${attempt} step-downs`);
    await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, undefined, { timeout: 5_000 }).catch(() => undefined);
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await Bun.sleep(100)) {
      const now = await jsm.streams.info(stream).catch(() => null);
      if (now?.cluster?.leader && now.cluster.leader !== leader) break;
    }
  }
}

/**
 * Pipelined JetStream publishes that survive a leader election: a window that fails (timeout,
 * no responders) is sent again with the same msg ids, and JetStream's duplicate window drops
 * the copies that had been stored (the ack then carries the original sequence).
 */
async function publishThroughFailover(nc: NatsConnection, msgs: GenMsg[], ids: string[], window = 250): Promise<number[]> {
  const js = jetstream(nc, { timeout: 5_000 });
  const seqs = new Array<number>(msgs.length);
  for (let i = 0; i < msgs.length; i += window) {
    for (let attempt = 1; ; attempt++) {
      try {
        const chunk = msgs.slice(i, i + window);
        const acks = await Promise.all(chunk.map((m, k) => js.publish(m.subject, typeof m.body === "string" ? enc.encode(m.body) : m.body, { msgID: ids[i + k], retries: 5 })));
        acks.forEach((a, k) => (seqs[i + k] = a.seq));
        break;
      } catch (e) {
        if (attempt >= 40) throw new Error(`publishing window ${i} failed ${attempt} times: ${String(e)}`);
        await Bun.sleep(250);
      }
    }
  }
  return seqs;
}
