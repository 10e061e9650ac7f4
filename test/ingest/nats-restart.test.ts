/**
 * NATS restarted under a running `lake serve` (graceful restart, then a SIGKILL crash of
 * nats-server): the service reconnects, resyncs its consumers at the commit watermark and
 * resumes; every message is in the lake exactly once.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { startNats } from "../../testkit/nats";
import { gen, SUBJECTS, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, exactlyOnce, natsClient, publishAll, startServe, tempDir, waitCommitted, within } from "./helpers/harness";

test("a NATS restart mid-stream loses and duplicates nothing", async () => {
  await using nats = await startNats();
  using tmp = tempDir("lake-ingest-natsrestart-");
  const root = join(tmp.path, "lake");
  const nc = await natsClient(nats.url);
  await createStreams(nc);
  const jsm = await jetstreamManager(nc); // made while connected: it checks the API on creation
  const msgs: GenMsg[] = [];
  for (let i = 0; i < 6000; i++) for (const s of SUBJECTS) if (s !== "levels.signals" || i % 4 === 0) msgs.push(gen(s, i));
  const thirds = [0, Math.floor(msgs.length / 3), Math.floor((2 * msgs.length) / 3), msgs.length];
  await using serve = startServe(nats.url, root, ["--bronze-buffer-limit", "2000"]);
  const seqs: number[] = [];
  const ids = msgs.map((_, i) => `m${i}`);
  const publish = (from: number, to: number) => within(45_000, `publish messages ${from}..${to}`, publishAll(nc, msgs.slice(from, to), 500, ids.slice(from, to)), serve);

  seqs.push(...(await publish(thirds[0]!, thirds[1]!)));
  await Bun.sleep(150); // the service is mid-drain
  await within(20_000, "graceful nats-server restart", nats.restart(), serve); // SIGTERM + start on the same port and store
  seqs.push(...(await publish(thirds[1]!, thirds[2]!)));
  await Bun.sleep(150);
  await within(20_000, "nats-server SIGKILL and start", nats.kill().then(() => nats.start()), serve); // crash, then come back
  await expectStreamsKept(jsm, msgs.slice(0, thirds[2]), seqs);
  seqs.push(...(await publish(thirds[2]!, thirds[3]!)));

  await within(90_000, "every message committed", waitCommitted(root, msgs, seqs, 80_000), serve);
  const log = serve.log();
  expect(await serve.term()).toBe(0);
  await within(10_000, "close the publisher connection", nc.close());
  expect(log).toContain("NATS reconnected; resyncing consumers");
  const check = await exactlyOnce(root, msgs);
  expect(check.missing.slice(0, 10)).toEqual([]);
  expect(check.duplicated.slice(0, 10)).toEqual([]);
  expect(check.total).toBe(msgs.reduce((s, m) => s + m.rows.length, 0));
}, 240_000);

/**
 * nats-server acks a publish before its file store has written it; a SIGKILL can lose the
 * newest messages. That would be the server's loss, not lake's: say so instead of failing
 * later as "missing".
 */
async function expectStreamsKept(jsm: JetStreamManager, sent: GenMsg[], seqs: number[]): Promise<void> {
  const want = new Map<string, number>();
  sent.forEach((m, i) => {
    const stream = m.subject.startsWith("levels.") ? "LEVEL_SIGNALS" : "MARKET_DATA";
    want.set(stream, Math.max(want.get(stream) ?? 0, seqs[i]!));
  });
  for (const [stream, seq] of want) {
    const last = await lastSeq(jsm, stream);
    if (last < seq) throw new Error(`nats-server lost acked messages of ${stream} in the SIGKILL (last_seq ${last} < ${seq}): not a lake failure`);
  }
}

/** The stream's last sequence, once the client is back (requests time out while it reconnects). */
async function lastSeq(jsm: JetStreamManager, stream: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await jsm.streams.info(stream)).state.last_seq;
    } catch (e) {
      if (attempt >= 6) throw new Error(`stream info ${stream} after the nats-server restart: ${String(e)}`);
      await Bun.sleep(500);
    }
  }
}
