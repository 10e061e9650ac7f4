/**
 * The raw data connection (raw-pull.ts) against a scripted NATS peer, one protocol path per
 * test: handshake, MSG and HMSG deliveries, server PING, pull statuses 100/404/408/409 (each
 * 409 variant), -ERR during and after the handshake, missed heartbeats, a hang-up, back-
 * pressure, and every frame split at every byte boundary.
 */
import { describe, expect, test } from "bun:test";
import { PULL_MAX_BYTES, RawPullSession, RawPullUnsupported, type RawPullOptions } from "../../src/ingest/main/raw-pull";
import { ackSubject, RecordingSink, ScriptedNats, statusMessage, storedMessage } from "./helpers/scripted-nats";

const STREAM = "MARKET_DATA";
const DURABLE = "bronze_writer_test";

async function session(peer: ScriptedNats, sink: RecordingSink, opts: Partial<RawPullOptions> = {}) {
  const s = await RawPullSession.open({ server: peer.server, stream: STREAM, durable: DURABLE, batch: 8, ...opts }, sink);
  await peer.waitForPulls(1);
  return { s, inbox: peer.pulls()[0]!.inbox };
}

/** Resolves with the session's end reason, or "still open" if it has not ended within `ms`. */
function endedWithin(s: RawPullSession, ms: number): Promise<string> {
  return Promise.race([s.done, Bun.sleep(ms).then(() => "still open")]);
}

describe("raw pull data connection", () => {
  test("handshake: CONNECT with headers, PING, then the inbox SUB before the first pull", async () => {
    await using peer = ScriptedNats.start();
    const sink = new RecordingSink();
    const { s, inbox } = await session(peer, sink, { batch: 16, expiresMs: 30_000, heartbeatMs: 5_000 });
    const connect = peer.lines.find((l) => l.startsWith("CONNECT "))!;
    expect(JSON.parse(connect.slice(8))).toMatchObject({ headers: true, no_responders: true, verbose: false });
    const order = ["CONNECT", "PING", "SUB", "PUB"].map((k) => peer.lines.findIndex((l) => l.startsWith(k)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(peer.lines).toContain(`SUB ${inbox} 1`);
    expect(peer.pulls()[0]).toEqual({ subject: `$JS.API.CONSUMER.MSG.NEXT.${STREAM}.${DURABLE}`, inbox, batch: 16, max_bytes: PULL_MAX_BYTES, expires: 30_000e6, idle_heartbeat: 5_000e6 });
    s.close();
    expect(await s.done).toBe("closed");
  });

  test("a pull's max_bytes is at least twice the server's max_payload, so any message can come", async () => {
    await using peer = ScriptedNats.start({ info: { max_payload: 8 * 1024 * 1024 } });
    const { s } = await session(peer, new RecordingSink());
    expect(peer.pulls()[0]!.max_bytes).toBe(16 * 1024 * 1024);
    s.close();
  });

  test("MSG and HMSG deliveries: stream sequence from the ack subject, the body after any headers", async () => {
    await using peer = ScriptedNats.start();
    const sink = new RecordingSink();
    const { s, inbox } = await session(peer, sink);
    peer.send(storedMessage(inbox, 7, '{"a":1}') + storedMessage(inbox, 9, "multi\r\nline body", { "Nats-Msg-Id": "m-9", "X-Other": "v" }) + storedMessage(inbox, 12, ""));
    await peer.until("three messages", () => sink.messages.length === 3);
    expect(sink.messages).toEqual([
      { seq: 7, body: '{"a":1}', reply: ackSubject(7) },
      { seq: 9, body: "multi\r\nline body", reply: ackSubject(9) },
      { seq: 12, body: "", reply: ackSubject(12) },
    ]);
    expect(sink.passes.at(-1)!.lastReply).toBe(ackSubject(12));
    s.close();
  });

  test("answers a server PING with PONG and keeps the session", async () => {
    await using peer = ScriptedNats.start();
    const sink = new RecordingSink();
    const { s } = await session(peer, sink);
    const before = peer.lines.filter((l) => l === "PONG").length;
    peer.send("PING\r\n");
    await peer.until("PONG", () => peer.lines.filter((l) => l === "PONG").length === before + 1);
    peer.send("+OK\r\n");
    expect(await endedWithin(s, 100)).toBe("still open");
    s.close();
  });

  test("a frame split at every byte boundary is reassembled (MSG, HMSG, status, PING, +OK)", async () => {
    await using peer = ScriptedNats.start();
    const sink = new RecordingSink();
    const { s, inbox } = await session(peer, sink, { batch: 1_000_000 });
    const script = (seq: number) =>
      storedMessage(inbox, seq, `{"seq":${seq},"px":6800.25}`) +
      statusMessage(inbox, 100, "Idle Heartbeat", { "Nats-Last-Consumer": "0", "Nats-Last-Stream": "0" }) +
      "+OK\r\n" +
      storedMessage(inbox, seq + 1, "with headers", { "Nats-Msg-Id": `id-${seq}` }) +
      "PING\r\n";
    const len = new TextEncoder().encode(script(1000)).length;
    let seq = 1000;
    for (let cut = 1; cut < len; cut++, seq += 2) {
      const bytes = new TextEncoder().encode(script(seq));
      peer.send(bytes.subarray(0, cut));
      await Bun.sleep(1); // let the first part arrive as its own chunk
      peer.send(bytes.subarray(cut));
    }
    const expected = (seq - 1000) / 2;
    await peer.until(`${expected * 2} messages`, () => sink.messages.length === expected * 2);
    for (let k = 0; k < expected; k++) {
      expect(sink.messages[2 * k]).toEqual({ seq: 1000 + 2 * k, body: `{"seq":${1000 + 2 * k},"px":6800.25}`, reply: ackSubject(1000 + 2 * k) });
      expect(sink.messages[2 * k + 1]).toEqual({ seq: 1001 + 2 * k, body: "with headers", reply: ackSubject(1001 + 2 * k) });
    }
    await peer.until("a PONG per PING", () => peer.lines.filter((l) => l === "PONG").length >= expected);
    expect(sink.warnings).toEqual([]);
    expect(await endedWithin(s, 50)).toBe("still open");
    s.close();
  }, 120_000);

  for (const [code, desc] of [[404, "No Messages"], [408, "Request Timeout"]] as const) {
    test(`${code} ${desc}: the request is over, a new pull asks for the unfilled messages again`, async () => {
      await using peer = ScriptedNats.start();
      const sink = new RecordingSink();
      const { s, inbox } = await session(peer, sink, { batch: 10 });
      peer.send(storedMessage(inbox, 1, "x") + storedMessage(inbox, 2, "y"));
      await peer.until("two messages", () => sink.messages.length === 2);
      expect(peer.pulls()).toHaveLength(1); // 8 still pending > batch / 2
      peer.send(statusMessage(inbox, code, desc, { "Nats-Pending-Messages": "8", "Nats-Pending-Bytes": "0" }));
      await peer.waitForPulls(2);
      expect(peer.pulls()[1]!.batch).toBe(10);
      expect(sink.warnings).toEqual([]);
      expect(await endedWithin(s, 50)).toBe("still open");
      s.close();
    });
  }

  test("409 Message Size Exceeds MaxBytes (the request's byte budget used up): pulls again at once, quietly", async () => {
    await using peer = ScriptedNats.start();
    const sink = new RecordingSink();
    const { s, inbox } = await session(peer, sink);
    peer.send(statusMessage(inbox, 409, "Message Size Exceeds MaxBytes"));
    await peer.waitForPulls(2);
    expect(sink.warnings).toEqual([]);
    expect(await endedWithin(s, 50)).toBe("still open");
    s.close();
  });

  for (const desc of ["Exceeded MaxRequestBatch of 100", "Exceeded MaxWaiting", "Request Canceled"]) {
    test(`409 ${desc}: a rejected pull is logged with the server's text, then pulled again after a back-off`, async () => {
      await using peer = ScriptedNats.start();
      const sink = new RecordingSink();
      const { s, inbox } = await session(peer, sink);
      peer.send(statusMessage(inbox, 409, desc, { "Nats-Pending-Messages": "8" }));
      await peer.waitForPulls(2);
      expect(sink.warnings).toEqual([{ msg: "the server rejected a pull request; backing off", fields: { status: `409 ${desc}`, attempt: 1 } }]);
      expect(await endedWithin(s, 50)).toBe("still open");
      s.close();
    });
  }

  for (const desc of ["Consumer Deleted", "Consumer is push based", "Leadership Change"]) {
    test(`409 ${desc}: the session ends with the reason (the caller resyncs)`, async () => {
      await using peer = ScriptedNats.start();
      const sink = new RecordingSink();
      const { s, inbox } = await session(peer, sink);
      peer.send(statusMessage(inbox, 409, desc));
      expect(await s.done).toBe(`pull ended: 409 ${desc}`);
      await peer.until("the client to hang up", () => peer.clientClosed);
      expect(peer.pulls()).toHaveLength(1);
    });
  }

  test("-ERR during the handshake rejects open() with the server's message", async () => {
    await using peer = ScriptedNats.start({ handshakeReply: "-ERR 'Authorization Violation'" });
    const err = await RawPullSession.open({ server: peer.server, stream: STREAM, durable: DURABLE, batch: 8 }, new RecordingSink()).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toBe("NATS server error: 'Authorization Violation'");
    expect(peer.pulls()).toEqual([]);
  });

  test("-ERR after the handshake ends the session with the server's message", async () => {
    await using peer = ScriptedNats.start();
    const { s } = await session(peer, new RecordingSink());
    peer.send("-ERR 'Permissions Violation for Publish'\r\n");
    expect(await s.done).toBe("server error: 'Permissions Violation for Publish'");
  });

  test("a server that needs TLS or auth is reported as unsupported (the caller falls back)", async () => {
    for (const info of [{ tls_required: true }, { auth_required: true }, { headers: false }]) {
      await using peer = ScriptedNats.start({ info });
      const err = await RawPullSession.open({ server: peer.server, stream: STREAM, durable: DURABLE, batch: 8 }, new RecordingSink()).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(RawPullUnsupported);
    }
  });

  test("missed heartbeats end the session; heartbeats that keep coming keep it open", async () => {
    await using peer = ScriptedNats.start();
    const sink = new RecordingSink();
    const { s, inbox } = await session(peer, sink, { heartbeatMs: 100 });
    // Heartbeats (status 100) for well past the silence limit (3 heartbeats + 2 s) …
    for (let i = 0; i < 35; i++) {
      peer.send(statusMessage(inbox, 100, "Idle Heartbeat"));
      await Bun.sleep(100);
    }
    expect(await endedWithin(s, 0)).toBe("still open");
    // … then silence.
    expect(await s.done).toBe("no data or heartbeat from the server");
    await peer.until("the client to hang up", () => peer.clientClosed);
  }, 60_000);

  test("the server hanging up ends the session", async () => {
    await using peer = ScriptedNats.start();
    const { s } = await session(peer, new RecordingSink());
    peer.hangUp();
    expect(await s.done).toMatch(/server closed the connection|socket closed/);
  });

  test("a full sink stops parsing and pulling; the message is offered again once there is room", async () => {
    await using peer = ScriptedNats.start();
    const sink = new RecordingSink();
    const { s, inbox } = await session(peer, sink, { batch: 4 });
    sink.room = false;
    peer.send(storedMessage(inbox, 1, "a") + storedMessage(inbox, 2, "b") + storedMessage(inbox, 3, "c"));
    await peer.until("a refusal", () => sink.refusals > 0);
    peer.send(storedMessage(inbox, 4, "d")); // kept while blocked, not parsed
    await Bun.sleep(20);
    expect(sink.messages).toEqual([]);
    expect(peer.pulls()).toHaveLength(1);
    sink.open();
    await peer.until("four messages", () => sink.messages.length === 4);
    expect(sink.messages.map((m) => [m.seq, m.body])).toEqual([[1, "a"], [2, "b"], [3, "c"], [4, "d"]]);
    await peer.waitForPulls(2); // all 4 arrived: a new pull
    expect(peer.pulls()[1]!.batch).toBe(4);
    s.close();
  });
});
