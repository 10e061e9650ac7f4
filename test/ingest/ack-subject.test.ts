/** The stream sequence is read from raw ack-subject bytes in both JetStream subject forms. */
import { expect, test } from "bun:test";
import { dotsAfterSeq, seqFromAckSubject, seqFromAckTail } from "../../src/ingest/main/ack-subject";

const enc = (s: string) => new TextEncoder().encode(s);

test("stream sequence from v1 and v2 ack subjects", () => {
  expect(seqFromAckSubject(enc("$JS.ACK.MARKET_DATA.bronze_writer_market_futures_trades.1.9007199254740.42.1765895400123456789.0"))).toBe(9007199254740);
  expect(seqFromAckSubject(enc("$JS.ACK.hub.ACCHASH.MARKET_DATA.dur.3.123456.7.1765895400123456789.5.rnd"))).toBe(123456);
  expect(() => seqFromAckSubject(enc("_INBOX.abc"))).toThrow();
});

test("the tail scan (raw data path) agrees with the full parse, inside a larger buffer", () => {
  for (const subject of ["$JS.ACK.MARKET_DATA.bronze_writer_market_futures_trades.1.9007199254740.42.1765895400123456789.0", "$JS.ACK.hub.ACCHASH.MARKET_DATA.dur.3.123456.7.1765895400123456789.5.rnd", "$JS.ACK.S.c.2.1.1.1.0"]) {
    const b = enc(`MSG market.futures.trades 1 ${subject} 12\r\n`);
    const s = b.indexOf(0x24);
    const e = s + subject.length;
    const after = dotsAfterSeq(b, s, e);
    expect(seqFromAckTail(b, s, e, after)).toBe(seqFromAckSubject(b, s, e));
    expect(seqFromAckTail(b, s, e, after)).toBe(seqFromAckSubject(enc(subject)));
  }
  // a subject of another shape is refused (the caller falls back to the full parse)
  expect(seqFromAckTail(enc("$JS.ACK.S.c.2.x.1.1.0"), 0, 21, 3)).toBe(-1);
});
