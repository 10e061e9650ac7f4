/**
 * A pull consumer whose limits are below lake's pull: the server answers every pull with a
 * 409 ("Exceeded MaxRequestBatch of 1000") and delivers nothing. lake binds an existing
 * consumer only when every setting it depends on matches (else recreates it at the
 * committed position, naming the differences), and a 409 that keeps coming is backed off,
 * logged with the server's text and finally ends the session with that text.
 */
import { expect, test } from "bun:test";
import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerConfig } from "@nats-io/jetstream";
import { join } from "node:path";
import { ACK_WAIT_NS, consumerMismatches, MAX_ACK_PENDING } from "../../src/ingest/main/jetstream";
import { RawPullSession, TAKEN, type RawPullSink } from "../../src/ingest/main/raw-pull";
import { startNats } from "../../testkit/nats";
import { freePort } from "../../testkit/net";
import { trade, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, DURABLE, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, within } from "./helpers/harness";

const trades = (from: number, n: number): GenMsg[] => Array.from({ length: n }, (_, k) => trade(from + k));
const SUBJECT = "market.futures.trades";
const TRADES = DURABLE[SUBJECT]!;

test("every setting lake depends on is compared before binding", () => {
  const good: ConsumerConfig = {
    durable_name: TRADES, filter_subject: SUBJECT, ack_policy: AckPolicy.All, ack_wait: ACK_WAIT_NS, max_ack_pending: MAX_ACK_PENDING, max_deliver: -1,
    deliver_policy: DeliverPolicy.All,
  } as ConsumerConfig;
  const needs = { batch: 2048, expiresMs: 30_000, maxBytes: 8 << 20 };
  expect(consumerMismatches(good, SUBJECT, needs)).toEqual([]);
  const bad = { ...good, ack_policy: AckPolicy.Explicit, filter_subject: "market.>", max_batch: 1000, max_expires: 10e9, max_bytes: 1 << 20, ack_wait: 30e9, max_ack_pending: 1000, max_deliver: 5, headers_only: true } as ConsumerConfig;
  const m = consumerMismatches(bad, SUBJECT, needs).join("\n");
  for (const s of ["ack_policy", "filter_subject", "max_batch is 1000, lake pulls 2048", "max_expires is 10 s", "max_bytes", "ack_wait", "max_ack_pending", "max_deliver", "headers_only"]) expect(m).toContain(s);
});

test("an existing consumer with max_batch 1000 (lake pulls 2048) is recreated at the committed position and everything is delivered", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-consumer-cfg-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add("MARKET_DATA", { durable_name: TRADES, filter_subject: SUBJECT, ack_policy: AckPolicy.All, max_batch: 1000, max_ack_pending: MAX_ACK_PENDING, ack_wait: ACK_WAIT_NS });
  const msgs = trades(0, 2_000);
  const seqs = await publishAll(nc, msgs);
  await using serve = startServe(nats.url, root);
  await within(60_000, "all 2,000 delivered and committed", waitCommitted(root, msgs, seqs, 60_000), serve);
  expect(serve.log()).toContain("max_batch is 1000, lake pulls 2048");
  expect(await serve.term()).toBe(0);
  const check = await exactlyOnce(root, msgs);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
}, 120_000);

test("a consumer changed under a running service (max_batch 100): the 409s are backed off and logged with the server's text, then the consumer is recreated", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-consumer-409-");
  const root = join(tmp.path, "lake");
  await using nc = await natsClient(nats.url);
  await createStreams(nc);
  await using serve = startServe(nats.url, root);
  const first = trades(0, 200);
  const seqs1 = await publishAll(nc, first);
  await within(60_000, "the first batch committed", waitCommitted(root, first, seqs1, 60_000), serve);
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.update("MARKET_DATA", TRADES, { max_batch: 100 });
  const second = trades(200, 6_000); // more than the open pull asks for: the next pull is rejected
  const seqs2 = await publishAll(nc, second);
  await within(90_000, "everything committed after the consumer is recreated", waitCommitted(root, [...first, ...second], [...seqs1, ...seqs2], 90_000), serve);
  const log = serve.log();
  expect(log).toContain("the server rejected a pull request; backing off");
  expect(log).toContain("Exceeded MaxRequestBatch of 100");
  expect(log).toContain("max_batch is 100, lake pulls 2048");
  expect(await serve.term()).toBe(0);
  const check = await exactlyOnce(root, [...first, ...second]);
  expect(check.missing).toEqual([]);
  expect(check.duplicated).toEqual([]);
}, 150_000);

test("a 409 that persists is backed off (a handful of pulls, not a busy loop) and ends the session with the server's text", async () => {
  const port = await freePort();
  let pulls = 0;
  const STATUS = "NATS/1.0 409 Exceeded MaxRequestBatch of 1000\r\n\r\n";
  const server = Bun.listen<{ seen: string }>({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(s) {
        s.data = { seen: "" };
        s.write(`INFO {"server_id":"scripted","version":"2.9.10","headers":true,"jetstream":true,"max_payload":1048576}\r\n`);
      },
      data(s, chunk) {
        s.data.seen += new TextDecoder().decode(chunk);
        let nl: number;
        while ((nl = s.data.seen.indexOf("\r\n")) >= 0) {
          const line = s.data.seen.slice(0, nl);
          if (line.startsWith("PUB ")) {
            const [, , inbox, size] = line.split(" ");
            if (s.data.seen.length < nl + 2 + Number(size) + 2) break;
            s.data.seen = s.data.seen.slice(nl + 2 + Number(size) + 2);
            pulls++;
            s.write(`HMSG ${inbox} 1 ${STATUS.length} ${STATUS.length}\r\n${STATUS}\r\n`);
            continue;
          }
          s.data.seen = s.data.seen.slice(nl + 2);
          if (line === "PING") s.write("PONG\r\n");
        }
      },
    },
  });
  try {
    const warnings: string[] = [];
    const sink: RawPullSink = {
      onMessage: () => TAKEN,
      onPassEnd: () => {},
      waitForRoom: async () => {},
      warn: (msg, fields) => warnings.push(`${msg} ${JSON.stringify(fields)}`),
    };
    const session = await RawPullSession.open({ server: `127.0.0.1:${port}`, stream: "MARKET_DATA", durable: TRADES, batch: 2048 }, sink);
    const reason = await within(30_000, "the session to give up", session.done);
    expect(reason).toContain("409 Exceeded MaxRequestBatch of 1000");
    expect(session.rejectedWith).toBe("409 Exceeded MaxRequestBatch of 1000");
    expect(warnings.some((w) => w.includes("backing off") && w.includes("Exceeded MaxRequestBatch of 1000"))).toBe(true);
    await Bun.sleep(500);
    expect(pulls).toBe(6); // backed off between them, none after the end
  } finally {
    server.stop(true);
  }
}, 60_000);
