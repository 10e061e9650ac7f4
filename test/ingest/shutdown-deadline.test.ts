/**
 * Every shutdown path ends within --shutdown-timeout: SIGTERM while the store is down (S3
 * server stopped: every flush fails) and after a NATS restart forced a resync — whose flush
 * can never commit. The service exits non-zero within the timeout, nothing it
 * could not commit was acked, and the next run ingests every message exactly once.
 */
import { expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { startS3rver } from "../../testkit/s3";
import { s3Store } from "../../src/storage/index";
import { readCommit } from "../../src/ingest/common/commit";
import { freePort } from "../../testkit/net";
import { trade, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, DURABLE, exactlyOnce, mirror, natsClient, publishAll, startServe, tempDir, waitCommitted, waitUntil, within } from "./helpers/harness";

const TRADES = DURABLE["market.futures.trades"]!;

test("SIGTERM during a store outage plus a NATS resync ends within --shutdown-timeout, exit 1, nothing lost", async () => {
  await using nats = await startNats();
  await using s3 = await startS3rver();
  using tmp = tempDir("lake-ingest-deadline-");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const store = s3Store({ ...s3.s3Settings, prefix: "lake" });
  const committed = async (durable: string) => {
    try {
      return (await readCommit(store, durable))?.watermark ?? 0;
    } catch {
      return 0;
    }
  };
  const port = await freePort();
  const msgs: GenMsg[] = Array.from({ length: 3000 }, (_, i) => trade(i));
  await using serve = startServe(nats.url, `s3://${s3.bucket}/lake`, ["--shutdown-timeout", "4", "--metrics-port", String(port)], s3.env("lake"), join(tmp.path, "serve.log"));
  await waitUntil(() => serve.log().includes("lake serve running"), 30_000, "the service to run");
  await s3.stop(); // the store goes away
  const seqs = await publishAll(nc, msgs);
  const failures = async () => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/^lake_ingest_flush_failures_total\{table="futures.trades"[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0);
    } catch {
      return 0;
    }
  };
  await waitUntil(async () => (await failures()) >= 1, 60_000, "the store outage to fail a flush");
  await nats.restart(); // the service reconnects and resyncs: a flush that cannot commit
  await waitUntil(() => serve.log().includes("NATS reconnected"), 30_000, "the reconnect");
  await Bun.sleep(500);

  const t0 = Date.now();
  serve.proc.kill("SIGTERM");
  const code = await within(30_000, "serve to stop within the shutdown timeout", serve.proc.exited, serve);
  const took = Date.now() - t0;
  expect(code).toBe(1);
  expect(took).toBeLessThan(4_000 + 6_000); // the timeout plus closing
  const info = await (await jetstreamManager(nc)).consumers.info("MARKET_DATA", TRADES);
  expect(info.ack_floor.stream_seq).toBe(0); // nothing it could not commit was acked

  await s3.start();
  await using again = startServe(nats.url, `s3://${s3.bucket}/lake`, [], s3.env("lake"), join(tmp.path, "serve2.log"));
  await waitCommitted("", msgs, seqs, 90_000, committed);
  expect(await again.term()).toBe(0);
  const local = join(tmp.path, "mirror");
  await mirror(store, "bronze", local);
  const check = await exactlyOnce(local, msgs);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
}, 180_000);
