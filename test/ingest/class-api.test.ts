/**
 * The in-process class API: BronzeWriter flushSchema/flushAll/getBronzePath/stop on
 * a shared connection, taking over the predecessor's push consumer at its ack floor
 * (contracts §1.3); GoldWriter.writeLevelSignals/flush/getGoldPath without NATS.
 */
import { expect, test } from "bun:test";
import { AckPolicy, DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { BronzeWriter, GoldWriter } from "../../src/ingest/index";
import { gen, signal, trade } from "../../testkit/ingest-messages";
import { createStreams, natsClient, publishAll, readTable, tempDir, waitUntil, watermark, listFiles } from "./helpers/harness";

test("BronzeWriter takes over a push consumer at its ack floor and flushes per schema on demand", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-class-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const jsm = await jetstreamManager(nc);
  const trades = Array.from({ length: 300 }, (_, i) => trade(i));
  const mbps = Array.from({ length: 50 }, (_, i) => gen("market.futures.mbp10", i));
  const seqs = await publishAll(nc, [...trades, ...mbps]);

  // The predecessor: a push durable that has acked the first 100 trades.
  const inbox = "_predecessor.deliver";
  await jsm.consumers.add("MARKET_DATA", {
    durable_name: "bronze_writer_market_futures_trades", deliver_subject: inbox, filter_subject: "market.futures.trades",
    ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
  });
  let acked = 0;
  await new Promise<void>((resolve) => {
    const sub = nc.subscribe(inbox, {
      callback: (_e, m) => {
        if (acked < 100) {
          m.respond(new TextEncoder().encode("+ACK"));
          if (++acked === 100) {
            sub.unsubscribe();
            resolve();
          }
        }
      },
    });
  });
  await nc.flush();
  const ackFloor = async () => (await jsm.consumers.info("MARKET_DATA", "bronze_writer_market_futures_trades")).ack_floor.stream_seq;
  await waitUntil(async () => (await ackFloor()) === seqs[99]!, 30_000, "the predecessor's acks to reach the ack floor");

  const w = new BronzeWriter({ dataRoot: root, bufferLimit: 100_000, flushIntervalSeconds: 3600 });
  await w.start(nc);
  const info = await jsm.consumers.info("MARKET_DATA", "bronze_writer_market_futures_trades");
  expect(info.config.deliver_subject).toBeUndefined(); // now a pull consumer
  expect(info.config.ack_policy).toBe(AckPolicy.All);

  // Wait until the worker holds the 200 remaining trades, then flush only that schema.
  await waitUntil(() => w.lanes[0]!.stats.received >= 200, 30_000, "the worker to receive the 200 remaining trades");
  await w.flushSchema("futures.trades");
  expect(watermark(root, "bronze_writer_market_futures_trades")).toBe(seqs[299]!);
  expect(watermark(root, "bronze_writer_market_futures_mbp10")).toBe(0); // not flushed yet
  await w.flushAll();
  expect(watermark(root, "bronze_writer_market_futures_mbp10")).toBe(seqs[349]!);
  // The acked ack floor follows the commits.
  await waitUntil(async () => (await ackFloor()) === seqs[299]!, 30_000, "the ack floor to follow the commit");

  const rows = await readTable(root, "bronze/futures/trades", "seq");
  expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 200 }, (_, i) => 100 + i));
  expect(w.getBronzePath()).toBe(join(root, "bronze"));
  expect(await w.stop()).toBe(true);
});

test("GoldWriter.writeLevelSignals buffers whole payloads and flush() commits them", async () => {
  using tmp = tempDir("lake-ingest-gold-");
  const root = join(tmp.path, "lake");
  const g = new GoldWriter({ dataRoot: root, bufferLimit: 500, flushIntervalSeconds: 3600 });
  for (let i = 0; i < 20; i++) await g.writeLevelSignals(signal(i).body); // wire text, as published
  await g.writeLevelSignals({ ts: 1765895400123, spy: { spot: 1, bid: 2, ask: 3 }, levels: [{ id: "OBJ", runway: { distance: Infinity } }] });
  await g.writeLevelSignals("{not json"); // quarantined, never thrown
  expect(listFiles(join(root, "gold"))).toEqual([]); // nothing before flush (500-row limit)
  await g.flush();
  const rows = await readTable(root, "gold/levels/signals", "ts_event_ns, level_id");
  const expected = Array.from({ length: 20 }, (_, i) => signal(i).rows.length).reduce((a, b) => a + b, 0) + 1;
  expect(rows.length).toBe(expected);
  expect(rows.find((r) => r.level_id === "OBJ")).toMatchObject({ spot: 1, bid: 2, ask: 3, runway_distance: Infinity });
  expect(listFiles(join(root, "_quarantine", "levels.signals")).filter((f) => f.endsWith(".ndjson")).length).toBe(1);
  expect(g.getGoldPath()).toBe(join(root, "gold"));
  expect(await g.stop()).toBe(true);
});
