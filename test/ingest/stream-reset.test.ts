/**
 * The stream under a committed watermark changes: deleted and recreated (sequences restart
 * at 1) → lake serve refuses, naming the stream and --accept-stream-reset, and with that
 * flag archives the commit record and ingests the new stream from its first sequence;
 * messages removed by the stream's limits before they were read → a loud gap log and
 * `lake_ingest_gap_messages_total`.
 */
import { expect, test } from "bun:test";
import { jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { freePort } from "../../testkit/net";
import { trade, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, DURABLE, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, waitForLog, waitUntil, watermark, within } from "./helpers/harness";

const trades = (from: number, n: number): GenMsg[] => Array.from({ length: n }, (_, k) => trade(from + k));
const TRADES = DURABLE["market.futures.trades"]!;

test("a stream deleted and recreated under W is refused by name; --accept-stream-reset archives the record and ingests it from seq 1", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-stream-reset-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const old = trades(0, 3_000);
  const oldSeqs = await publishAll(nc, old);
  {
    await using serve = startServe(nats.url, root);
    await within(60_000, "the old stream committed", waitCommitted(root, old, oldSeqs, 60_000), serve);
    expect(await serve.term()).toBe(0);
  }
  expect(watermark(root, TRADES)).toBe(3_000);

  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete("MARKET_DATA");
  await createStreams(nc);
  const fresh = trades(3_000, 4_000); // sequences 1…4000 of the new stream
  const freshSeqs = await publishAll(nc, fresh);
  expect(Math.max(...freshSeqs)).toBe(4_000);

  {
    await using refused = startServe(nats.url, root);
    expect(await within(60_000, "lake serve to refuse", refused.proc.exited, refused)).toBe(1);
    expect(refused.log()).toContain("stream MARKET_DATA");
    expect(refused.log()).toContain("--accept-stream-reset");
  }
  expect(watermark(root, TRADES)).toBe(3_000); // nothing written

  {
    await using serve = startServe(nats.url, root, ["--accept-stream-reset"]);
    await within(60_000, "the new stream committed", waitCommitted(root, fresh, freshSeqs, 60_000), serve);
    expect(await serve.term()).toBe(0);
    expect(serve.log()).toContain("stream reset accepted");
  }
  const archive = join(root, "_ingest", TRADES, "archive");
  expect(existsSync(archive) && readdirSync(archive).some((f) => f.startsWith("commit-") && f.includes("-w3000"))).toBe(true);
  const check = await exactlyOnce(root, [...old, ...fresh]);
  expect(check.missing.slice(0, 10)).toEqual([]);
  expect(check.duplicated.slice(0, 10)).toEqual([]);
  expect(check.total).toBe(7_000);
}, 180_000);

test("a stream recreated while lake serve runs stops the service with the same message", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-stream-reset-live-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  await using serve = startServe(nats.url, root);
  const old = trades(0, 500);
  const oldSeqs = await publishAll(nc, old);
  await within(60_000, "committed", waitCommitted(root, old, oldSeqs, 60_000), serve);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete("MARKET_DATA");
  await createStreams(nc);
  await publishAll(nc, trades(500, 100));
  expect(await within(60_000, "lake serve to stop", serve.proc.exited, serve)).toBe(1);
  expect(serve.log()).toContain("--accept-stream-reset");
  expect(watermark(root, TRADES)).toBe(500);
}, 120_000);

test("messages removed by the stream's limits before ingest are logged as a gap and counted in lake_ingest_gap_messages_total", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-stream-gap-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  const jsm = await jetstreamManager(nc);
  // An operator-made MARKET_DATA with a message limit: lake verifies it, never changes it.
  await jsm.streams.add({ name: "MARKET_DATA", subjects: ["market.*", "market.*.*"], retention: RetentionPolicy.Limits, storage: StorageType.File, max_msgs: 100 });
  await createStreams(nc);
  const first = trades(0, 50);
  const firstSeqs = await publishAll(nc, first);
  {
    await using serve = startServe(nats.url, root);
    await within(60_000, "committed", waitCommitted(root, first, firstSeqs, 60_000), serve);
    expect(await serve.term()).toBe(0);
  }
  const later = trades(50, 500); // seqs 51…550; the stream keeps 451…550
  const laterSeqs = await publishAll(nc, later);
  const kept = later.slice(400);
  const port = await freePort();
  await using serve = startServe(nats.url, root, ["--metrics-port", String(port)]);
  await within(60_000, "the kept messages committed", waitCommitted(root, kept, laterSeqs.slice(400), 60_000), serve);
  const log = serve.log();
  expect(log).toContain("MESSAGES LOST BEFORE INGEST");
  expect(log).toMatch(/stream=MARKET_DATA durable=bronze_writer_market_futures_trades fromSeq=51 toSeq=450 count=400/);
  let metrics = "";
  await waitUntil(async () => (metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).includes("gap"), 10_000, "metrics");
  expect(metrics).toMatch(/^lake_ingest_gap_messages_total\{table="futures.trades",consumer="bronze_writer_market_futures_trades"\} 400$/m);
  expect(await serve.term()).toBe(0);
  const check = await exactlyOnce(root, [...first, ...kept]);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);

  // A purge of messages not yet read is the same loss: seqs 551…560 purged, the stream empty.
  await publishAll(nc, trades(550, 10));
  await jsm.streams.purge("MARKET_DATA");
  await using again = startServe(nats.url, root);
  const purged = /MESSAGES LOST BEFORE INGEST.* durable=bronze_writer_market_futures_trades fromSeq=551 toSeq=560 count=10/;
  await within(30_000, "the gap logged", waitUntil(() => purged.test(again.log()), 30_000, "gap log"), again);
  expect(await again.term()).toBe(0);
}, 180_000);

test("a stream that ends below W but is the same stream (a replica catching up) is waited for, not taken for a reset", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-stream-lag-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const first = trades(0, 1_000);
  const firstSeqs = await publishAll(nc, first);
  {
    await using serve = startServe(nats.url, root);
    await within(60_000, "the first batch committed", waitCommitted(root, first, firstSeqs, 60_000), serve);
    expect(await serve.term()).toBe(0);
  }
  // What a new stream leader that has not applied its last entries answers: the same stream
  // (same creation time) ending 5 sequences below the committed watermark.
  const record = join(root, "_ingest", TRADES, "commit.json");
  writeFileSync(record, JSON.stringify({ ...JSON.parse(readFileSync(record, "utf8")), watermark: 1_005 }, null, 2));
  await using serve = startServe(nats.url, root);
  await waitForLog(serve, "waiting for a replica that may not have caught up", "the service to wait for the stream", 60_000);
  await publishAll(nc, trades(1_000, 10)); // the stream reaches 1,010: past the watermark
  await waitForLog(serve, "lake serve running", "the service to run", 60_000);
  await within(60_000, "the new messages committed", waitUntil(() => watermark(root, TRADES) === 1_010, 60_000, "watermark 1010"), serve);
  expect(serve.log()).not.toContain("--accept-stream-reset");
  expect(await serve.term()).toBe(0);
});
