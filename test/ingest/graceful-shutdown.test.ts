/**
 * SIGTERM with rows still buffered (huge buffer, hour-long flush interval): the ordered
 * shutdown of contracts §7.4 stops pulling, flushes and commits everything, acks, and exits 0
 * — every message is in the lake, and the consumers' ack floors reach the last sequence.
 */
import { expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { freePort } from "../../testkit/net";
import { gen, SUBJECTS, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, DURABLE, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitUntil, watermark } from "./helpers/harness";

test("SIGTERM flushes, commits and acks everything buffered, then exits 0", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-sigterm-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const msgs: GenMsg[] = [];
  for (let i = 0; i < 1000; i++) for (const s of SUBJECTS) msgs.push(gen(s, i));
  const port = await freePort();
  await using serve = startServe(nats.url, root, [
    "--bronze-buffer-limit", "100000", "--gold-buffer-limit", "100000", "--bronze-flush-interval", "3600", "--gold-flush-interval", "3600", "--metrics-port", String(port),
  ]);
  const seqs = await publishAll(nc, msgs);
  const received = async () => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return [...text.matchAll(/^lake_ingest_messages_received_total\{[^}]*\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
    } catch {
      return 0;
    }
  };
  await waitUntil(async () => (await received()) === msgs.length, 30_000, "all messages in the service's buffers");
  for (const s of SUBJECTS) expect(watermark(root, DURABLE[s]!)).toBe(0); // nothing committed yet

  expect(await serve.term()).toBe(0);
  const check = await exactlyOnce(root, msgs);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
  const jsm = await jetstreamManager(nc);
  for (const s of SUBJECTS) {
    const last = Math.max(...seqs.filter((_, i) => msgs[i]!.subject === s));
    expect(watermark(root, DURABLE[s]!)).toBe(last);
    const info = await jsm.consumers.info(s === "levels.signals" ? "LEVEL_SIGNALS" : "MARKET_DATA", DURABLE[s]!);
    expect(info.ack_floor.stream_seq).toBe(last);
  }
}, 90_000);
