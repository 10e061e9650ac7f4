/** The stream sequence is read from raw ack-subject bytes in both JetStream subject forms. */
import { expect, test } from "bun:test";
import { seqFromAckSubject } from "../../src/ingest/ack-subject";

const enc = (s: string) => new TextEncoder().encode(s);

test("stream sequence from v1 and v2 ack subjects", () => {
  expect(seqFromAckSubject(enc("$JS.ACK.MARKET_DATA.bronze_writer_market_futures_trades.1.9007199254740.42.1765895400123456789.0"))).toBe(9007199254740);
  expect(seqFromAckSubject(enc("$JS.ACK.hub.ACCHASH.MARKET_DATA.dur.3.123456.7.1765895400123456789.5.rnd"))).toBe(123456);
  expect(() => seqFromAckSubject(enc("_INBOX.abc"))).toThrow();
});
