/**
 * The two data paths of `lake serve` (src/ingest/main/lane.ts): lake's own framing on a raw TCP
 * connection (raw-pull.ts, the default) and the nats.js `consume()` fallback used when a
 * server needs TLS/auth. Both must commit every message exactly once with equal values,
 * including stored messages that carry NATS headers (delivered as HMSG: the body follows
 * the headers) and pull requests refilled many times (a small pull batch).
 */
import { expect, test } from "bun:test";
import { jetstream } from "@nats-io/jetstream";
import { join } from "node:path";
import { startNats } from "../../testkit/nats";
import { gen, SUBJECTS, type GenMsg } from "../../testkit/ingest-messages";
import { createStreams, exactlyOnce, expectLakeMatches, natsClient, startServe, tempDir, waitCommitted } from "./helpers/harness";

const enc = new TextEncoder();

for (const client of ["raw", "natsjs"] as const) {
  test(`data client ${client}: every message committed once, with and without NATS headers`, async () => {
    await using nats = await startNats();
    using tmp = tempDir(`lake-ingest-client-${client}-`);
    const root = join(tmp.path, "lake");
    await using nc = await natsClient(nats.url);
    await createStreams(nc);
    const js = jetstream(nc);
    const msgs: GenMsg[] = [];
    for (let i = 0; i < 300; i++) for (const s of SUBJECTS) msgs.push(gen(s, i));
    // Every other message carries a Nats-Msg-Id header (stored with headers).
    const seqs = (await Promise.all(msgs.map((m, i) => js.publish(m.subject, enc.encode(m.body), i % 2 ? { msgID: `m-${i}` } : {})))).map((a) => a.seq);
    await using serve = startServe(nats.url, root, ["--pull-batch", "64"], { LAKE_INGEST_CLIENT: client });
    await waitCommitted(root, msgs, seqs, 60_000);
    await expectLakeMatches(root, msgs);
    const r = await exactlyOnce(root, msgs);
    expect(r.missing).toEqual([]);
    expect(r.duplicated).toEqual([]);
    expect(await serve.term()).toBe(0);
    if (client === "natsjs") expect(serve.log()).not.toContain("data connection ended");
  });
}
