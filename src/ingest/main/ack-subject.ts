/**
 * Stream sequence from the raw bytes of a JetStream ack subject —
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` (9 tokens) or the
 * v2 form with domain and account hash (≥ 11 tokens, sseq is token 7) — without decoding the
 * subject to a string (that decode was 8% of the ingest main thread). `start`/`end` select
 * the subject inside a larger buffer (the raw socket bytes, raw-pull.ts).
 */
export function seqFromAckSubject(b: Uint8Array, start = 0, end = b.length): number {
  let dots = 0;
  for (let i = start; i < end; i++) if (b[i] === 0x2e) dots++;
  const want = dots === 8 ? 5 : 7;
  let i = start;
  for (let t = 0; t < want && i < end; i++) if (b[i] === 0x2e) t++;
  let n = 0;
  for (; i < end && b[i] !== 0x2e; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) throw new Error("not a JetStream ack subject");
    n = n * 10 + d;
  }
  if (n <= 0 || b[start] !== 0x24 /* $ */) throw new Error("not a JetStream ack subject");
  return n;
}

/** How many dots follow the stream-sequence token (3 in the v1 and 11-token v2 forms). */
export function dotsAfterSeq(b: Uint8Array, start = 0, end = b.length): number {
  seqFromAckSubject(b, start, end); // validates the shape
  let dots = 0;
  for (let i = start; i < end; i++) if (b[i] === 0x2e) dots++;
  return dots - (dots === 8 ? 5 : 7);
}

/**
 * The hot-path variant: scan back from the end over `dotsAfter` dots (learnt once per
 * connection with `dotsAfterSeq` — every ack subject of a server has the same shape), so
 * only the short tail is read instead of the whole ~100-byte subject twice (the forward
 * parse was 23% of the raw data path's main thread). Returns -1 if the bytes do not fit
 * that shape; the caller then uses the full parse.
 */
export function seqFromAckTail(b: Uint8Array, start: number, end: number, dotsAfter: number): number {
  let q = end - 1;
  let after = dotsAfter;
  for (; q > start; q--) if (b[q] === 0x2e && --after === 0) break;
  if (after !== 0) return -1;
  let n = 0;
  let mul = 1;
  for (q--; q > start; q--) {
    const d = b[q]! - 0x30;
    if (d === -2) break; // '.'
    if (d < 0 || d > 9) return -1;
    n += d * mul;
    mul *= 10;
  }
  return n > 0 && b[q] === 0x2e ? n : -1;
}

/** ASCII/Latin-1 bytes → string (subjects are ASCII). */
export function latin1(b: Uint8Array, s: number, e: number): string {
  return String.fromCharCode.apply(null, b.subarray(s, e) as unknown as number[]);
}

/** Index of the space before position `end` (start of the token that ends there, minus one). */
export function spaceBefore(b: Uint8Array, end: number): number {
  let q = end - 1;
  while (q >= 0 && b[q] !== 0x20 /* space */) q--;
  return q;
}

/** `$JS.ACK.` at b[s]: a stored message (a status or flow-control message has no such reply). */
export function isAckSubject(b: Uint8Array, s: number): boolean {
  return b[s] === 0x24 && b[s + 1] === 0x4a && b[s + 2] === 0x53 && b[s + 3] === 0x2e && b[s + 4] === 0x41 && b[s + 5] === 0x43 && b[s + 6] === 0x4b;
}
