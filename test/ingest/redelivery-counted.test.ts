/**
 * An ack_wait that expires before the commit (here: 1 s ack wait, 4 s flush interval) makes
 * JetStream redeliver messages the service already holds. The main thread drops them (the
 * lake stays exactly-once) and counts them in lake_ingest_duplicates_dropped_total.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { freePort } from "../../testkit/net";
import { trade, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, waitUntil } from "./helpers/harness";

test("redeliveries dropped on the main thread are counted", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-redelivery-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const port = await freePort();
  await using serve = startServe(nats.url, root, ["--bronze-flush-interval", "4", "--bronze-buffer-limit", "100000", "--metrics-port", String(port)], { LAKE_INGEST_ACK_WAIT_S: "1" });
  const msgs: GenMsg[] = [];
  for (let i = 0; i < 200; i++) msgs.push(trade(i));
  const seqs = await publishAll(nc, msgs);
  const dropped = async () => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const m = /^lake_ingest_duplicates_dropped_total\{table="futures.trades"[^}]*\} (\d+)$/m.exec(text);
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  await waitUntil(async () => (await dropped()) > 0, 30_000, "a redelivery to be dropped and counted");
  await waitCommitted(root, msgs, seqs, 30_000);
  expect(await serve.term()).toBe(0);
  const check = await exactlyOnce(root, msgs);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
}, 90_000);
