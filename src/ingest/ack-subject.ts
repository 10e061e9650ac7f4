/**
 * Stream sequence from the raw bytes of a JetStream ack subject —
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` (9 tokens) or the
 * v2 form with domain and account hash (≥ 11 tokens, sseq is token 7) — without decoding the
 * subject to a string (that decode was 8% of the ingest main thread).
 */
export function seqFromAckSubject(b: Uint8Array): number {
  let dots = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x2e) dots++;
  const want = dots === 8 ? 5 : 7;
  let i = 0;
  for (let t = 0; t < want && i < b.length; i++) if (b[i] === 0x2e) t++;
  let n = 0;
  for (; i < b.length && b[i] !== 0x2e; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) throw new Error("not a JetStream ack subject");
    n = n * 10 + d;
  }
  if (n <= 0 || b[0] !== 0x24 /* $ */) throw new Error("not a JetStream ack subject");
  return n;
}
