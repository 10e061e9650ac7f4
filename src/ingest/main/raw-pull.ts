/**
 * The data connection of one consumer: a minimal NATS protocol client (plain TCP) that
 * issues JetStream pull requests and frames the delivered messages straight out of the
 * socket bytes, on the main thread (the architecture's rule: the main thread only moves bytes).
 *
 * Why not nats.js for the data path: its byte-at-a-time protocol parser, the args string
 * decoding and a message object per delivery were ~60% of the main thread in the ingest
 * profile (docs/benchmarks.md ## ingest) — the serial bottleneck of the whole service.
 * Framing here is one `indexOf("\n")` per message plus a few byte reads; the body is
 * handed to the caller as (buffer, start, end) and copied once, into the ring.
 *
 * Scope: pull consumers only (MSG/HMSG, PING/PONG, +OK/-ERR, INFO, status 100/404/408/409).
 * Servers that require TLS or authentication are reported as `RawPullUnsupported` and the
 * caller falls back to the nats.js `consume()` path. Admin calls and acks stay on the
 * nats.js connection (they are rare). Reconnects are the caller's job: when the socket
 * closes, `done` resolves and the lane resyncs (flush, reposition, new session).
 *
 * Bounded memory: a pull asks for at most `batch` messages in flight; when the sink is full
 * (`onMessage` returns NO_ROOM) parsing stops, new socket bytes are kept (at most what is in
 * flight) and no new pull is sent until the sink takes messages again.
 */
import type { RawPullOptions, RawPullSink } from "./raw-pull-api";
import { PullRejections } from "./pull-rejections";

export type { RawPullOptions, RawPullSink } from "./raw-pull-api";
import { dotsAfterSeq, isAckSubject, latin1, seqFromAckSubject, seqFromAckTail, spaceBefore } from "./ack-subject";

export { latin1 };

export class RawPullUnsupported extends Error {}

export const NO_ROOM = 0;
export const TAKEN = 1;
export const DROPPED = 2;
/** Bytes one pull request may bring at most (messages of any size still fit: see maybePull). */
export const PULL_MAX_BYTES = 8 * 1024 * 1024;

/** The byte budget of one pull request on a server with this max_payload. */
export const pullMaxBytes = (maxPayload = 1024 * 1024) => Math.max(PULL_MAX_BYTES, 2 * maxPayload);

const NL = 10;
const CR = 13;
const SP = 32;
const enc = new TextEncoder();
const PONG = enc.encode("PONG\r\n");


/** Decimal number in b[numStart+1, end) where numStart is the space before it (set as a side result). */
function numberBefore(b: Uint8Array, end: number): number {
  let v = 0;
  let mul = 1;
  let q = end - 1;
  while (q >= 0 && b[q] !== SP) {
    v += (b[q]! - 48) * mul;
    mul *= 10;
    q--;
  }
  numStart = q;
  return v;
}
let numStart = 0;



export class RawPullSession {
  readonly done: Promise<string>;
  private resolveDone!: (reason: string) => void;
  private socket: import("bun").Socket<undefined> | null = null;
  private readonly opts: Required<RawPullOptions>;
  private readonly inbox: string;
  private readonly pullSubject: string;
  /** Unprocessed bytes (a partial message, or everything while the sink is full). */
  private buf = new Uint8Array(1 << 20);
  private len = 0;
  private blocked = false;
  private pending = 0;
  private closed = false;
  private handshake: ((err: Error | null) => void) | null = null;
  private lastByteAt = Date.now();
  private hbTimer: ReturnType<typeof setInterval> | null = null;
  private outQueue: Uint8Array[] = [];
  // Per parse pass: messages taken and where the last taken one's ack subject is.
  private passTaken = 0;
  private lastReplyBuf: Uint8Array | null = null;
  private lastReplyStart = 0;
  private lastReplyEnd = 0;
  /** The server's max_payload (INFO): the largest message it can deliver. */
  private maxPayload = 1024 * 1024;
  /** Dots after the stream-sequence token in this server's ack subjects (-1: not learnt yet). */
  private dotsAfterSeq = -1;
  private readonly rejections = new PullRejections();
  private backoffTimer: ReturnType<typeof setTimeout> | null = null;
  /** The server's text when the session ended because it kept rejecting pulls. */
  rejectedWith: string | null = null;

  private constructor(opts: RawPullOptions, private readonly sink: RawPullSink) {
    this.opts = { expiresMs: 30_000, heartbeatMs: 5_000, name: "lake-ingest-data", ...opts };
    this.inbox = `_INBOX.lake.${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
    this.pullSubject = `$JS.API.CONSUMER.MSG.NEXT.${opts.stream}.${opts.durable}`;
    this.done = new Promise((res) => (this.resolveDone = res));
  }

  /** Connect, handshake, subscribe the inbox and send the first pull. */
  static async open(opts: RawPullOptions, sink: RawPullSink): Promise<RawPullSession> {
    const s = new RawPullSession(opts, sink);
    await s.connect();
    return s;
  }

  private async connect(): Promise<void> {
    const i = this.opts.server.lastIndexOf(":");
    const hostname = this.opts.server.slice(0, i).replace(/^\[|\]$/g, "");
    const port = Number(this.opts.server.slice(i + 1));
    const ready = new Promise<void>((res, rej) => (this.handshake = (e) => (e ? rej(e) : res())));
    this.socket = await Bun.connect({
      hostname,
      port,
      socket: {
        data: (_s, chunk) => this.onData(chunk),
        drain: () => this.flushOut(),
        close: () => this.end("socket closed"),
        error: (_s, e) => this.end(`socket error: ${e.message}`),
        end: () => this.end("server closed the connection"),
      },
    });
    const t = setTimeout(() => this.end("handshake timed out"), 10_000);
    try {
      await ready;
    } finally {
      clearTimeout(t);
    }
    this.hbTimer = setInterval(() => {
      // Heartbeats only flow while a pull is open and idle, so only then is silence a fault.
      if (!this.blocked && this.pending > 0 && Date.now() - this.lastByteAt > 3 * this.opts.heartbeatMs + 2_000) this.end("no data or heartbeat from the server");
    }, this.opts.heartbeatMs);
    this.maybePull();
  }

  private write(data: string | Uint8Array): void {
    if (this.closed || !this.socket) return;
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    if (this.outQueue.length) {
      this.outQueue.push(bytes);
      return;
    }
    const n = this.socket.write(bytes);
    if (n < bytes.length) this.outQueue.push(bytes.subarray(Math.max(0, n)));
  }

  private flushOut(): void {
    while (this.outQueue.length && this.socket && !this.closed) {
      const b = this.outQueue[0]!;
      const n = this.socket.write(b);
      if (n < b.length) {
        this.outQueue[0] = b.subarray(Math.max(0, n));
        return;
      }
      this.outQueue.shift();
    }
  }

  /** Keep about `batch` messages requested while the sink has room. */
  private maybePull(): void {
    if (this.closed || this.blocked || this.handshake || this.backoffTimer) return;
    const batch = this.opts.batch;
    if (this.pending > batch / 2) return;
    const n = batch - this.pending;
    // max_bytes bounds what a request can bring (the socket keeps delivering it while the
    // ring is full): without it, 2,048 requested 1 MiB messages are 2 GiB in flight. It must
    // exceed the largest message the server carries, or that message could never come.
    const maxBytes = pullMaxBytes(this.maxPayload);
    const body = `{"batch":${n},"max_bytes":${maxBytes},"expires":${this.opts.expiresMs * 1e6},"idle_heartbeat":${this.opts.heartbeatMs * 1e6}}`;
    this.write(`PUB ${this.pullSubject} ${this.inbox} ${body.length}\r\n${body}\r\n`);
    this.pending += n;
  }

  private append(chunk: Uint8Array, from: number): void {
    const need = this.len + chunk.length - from;
    if (need > this.buf.length) {
      const nb = new Uint8Array(Math.max(need, this.buf.length * 2));
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
    }
    this.buf.set(from === 0 ? chunk : chunk.subarray(from), this.len);
    this.len = need;
  }

  private onData(chunk: Uint8Array): void {
    try {
      this.take(chunk);
    } catch (e) {
      this.end(`unreadable data from the server: ${(e as Error).message}`);
    }
  }

  private take(chunk: Uint8Array): void {
    this.lastByteAt = Date.now();
    if (this.closed) return;
    if (this.len > 0 || this.blocked) {
      this.append(chunk, 0);
      if (this.blocked) return;
      const used = this.parse(this.buf, this.len);
      this.buf.copyWithin(0, used, this.len);
      this.len -= used;
    } else {
      const used = this.parse(chunk, chunk.length);
      if (used < chunk.length) this.append(chunk, used);
    }
    if (this.blocked) void this.waitAndResume();
    else this.maybePull();
  }

  private async waitAndResume(): Promise<void> {
    try {
      while (this.blocked && !this.closed) {
        await this.sink.waitForRoom();
        if (this.closed) return;
        this.blocked = false;
        const used = this.parse(this.buf, this.len);
        this.buf.copyWithin(0, used, this.len);
        this.len -= used;
      }
      this.maybePull();
    } catch (e) {
      this.end(`stopped: ${(e as Error).message}`);
    }
  }

  /** Frame and dispatch complete protocol units in b[0, end); returns the bytes consumed. */
  private parse(b: Uint8Array, end: number): number {
    let p = 0;
    this.passTaken = 0;
    this.lastReplyBuf = null;
    while (p < end && !this.closed) {
      const nl = b.indexOf(NL, p);
      if (nl < 0 || nl >= end) break;
      const c0 = b[p]!;
      const lineEnd = b[nl - 1] === CR ? nl - 1 : nl;
      if (c0 === 0x4d /* MSG */) {
        const size = numberBefore(b, lineEnd);
        const total = nl + 1 + size + 2;
        if (total > end) break;
        const re = numStart; // the token before the size: the reply (or the sid)
        const rs = spaceBefore(b, re) + 1;
        if (isAckSubject(b, rs) && !this.offer(b, nl + 1, nl + 1 + size, rs, re)) break;
        p = total;
      } else if (c0 === 0x48 /* HMSG */) {
        const totalLen = numberBefore(b, lineEnd);
        const hdrLen = numberBefore(b, numStart);
        const total = nl + 1 + totalLen + 2;
        if (total > end) break;
        const re = numStart;
        const rs = spaceBefore(b, re) + 1;
        if (isAckSubject(b, rs) && totalLen >= hdrLen) {
          // A stored message published with headers: the body follows them.
          if (!this.offer(b, nl + 1 + hdrLen, nl + 1 + totalLen, rs, re)) break;
        } else this.onStatus(latin1(b, nl + 1, nl + 1 + hdrLen));
        p = total;
      } else {
        const line = latin1(b, p, lineEnd);
        p = nl + 1;
        if (line === "PING") this.write(PONG);
        else if (line === "PONG") {
          const h = this.handshake;
          this.handshake = null;
          // The inbox subscription must precede the first pull (sent after this pass).
          if (h) this.write(`SUB ${this.inbox} 1\r\n`);
          h?.(null);
        } else if (line.startsWith("INFO")) {
          if (this.handshake) this.onInfo(line.slice(4).trim());
        } else if (line.startsWith("-ERR")) {
          const h = this.handshake;
          this.handshake = null;
          h?.(new Error(`NATS server error: ${line.slice(4).trim()}`));
          this.end(`server error: ${line.slice(4).trim()}`);
        }
        // +OK and anything else: nothing to do
      }
    }
    const rb = this.lastReplyBuf;
    if (rb) this.sink.onPassEnd(this.passTaken, latin1(rb, this.lastReplyStart, this.lastReplyEnd));
    this.lastReplyBuf = null; // never keep socket bytes past the pass
    return p;
  }

  /** Hand one stored message to the sink; false when it has no room (parsing stops there). */
  private offer(b: Uint8Array, bodyStart: number, bodyEnd: number, rs: number, re: number): boolean {
    const r = this.sink.onMessage(this.seqOf(b, rs, re), b, bodyStart, bodyEnd, rs, re);
    if (r === NO_ROOM) {
      this.blocked = true;
      return false;
    }
    if (this.pending > 0) this.pending--;
    this.rejections.reset();
    if (r === TAKEN) {
      this.passTaken++;
      this.lastReplyBuf = b;
      this.lastReplyStart = rs;
      this.lastReplyEnd = re;
    }
    return true;
  }

  /** Stream sequence of an ack subject: the full parse learns the shape once, then the tail scan. */
  private seqOf(b: Uint8Array, s: number, e: number): number {
    if (this.dotsAfterSeq < 0) this.dotsAfterSeq = dotsAfterSeq(b, s, e);
    const n = seqFromAckTail(b, s, e, this.dotsAfterSeq);
    return n > 0 ? n : seqFromAckSubject(b, s, e);
  }

  private onInfo(json: string): void {
    let info: { tls_required?: boolean; auth_required?: boolean; headers?: boolean; jetstream?: boolean; max_payload?: number };
    try {
      info = JSON.parse(json);
    } catch {
      return this.failHandshake(new Error("unreadable INFO from the server"));
    }
    if (info.tls_required || info.auth_required) return this.failHandshake(new RawPullUnsupported("server requires TLS or authentication"));
    if (info.headers === false) return this.failHandshake(new RawPullUnsupported("server does not support headers"));
    if (typeof info.max_payload === "number" && info.max_payload > 0) this.maxPayload = info.max_payload;
    const connect = { verbose: false, pedantic: false, headers: true, no_responders: true, protocol: 1, lang: "lake", version: "1", name: this.opts.name };
    this.write(`CONNECT ${JSON.stringify(connect)}\r\nPING\r\n`);
  }

  private failHandshake(e: Error): void {
    const h = this.handshake;
    this.handshake = null;
    h?.(e);
    this.end(e.message);
  }

  /** Pull status: 100 heartbeat, 404/408 request over, 409 request ended or consumer gone. */
  private onStatus(hdr: string): void {
    const m = /^NATS\/1\.0 (\d{3})\s*([^\r\n]*)/.exec(hdr);
    if (!m) return;
    const code = Number(m[1]);
    if (code === 100) return;
    const pm = /Nats-Pending-Messages:\s*(\d+)/i.exec(hdr);
    const unfilled = pm ? Number(pm[1]) : this.pending;
    this.pending = Math.max(0, this.pending - unfilled);
    if (code === 409) {
      const desc = m[2]!.trim();
      // The request's max_bytes budget is used up (the next message would not fit): a normal
      // end of a byte-bounded pull, not a rejection — ask again at once. (It can never mean
      // an undeliverable message: max_bytes is at least twice the server's max_payload.)
      if (/exceeds maxbytes/i.test(desc)) return this.maybePull();
      if (/deleted|push based|leadership/i.test(desc)) return this.end(`pull ended: ${code} ${desc}`);
      return this.rejected(`${code} ${desc}`);
    }
    this.maybePull();
  }

  /** A 409 on a pull (pull-rejections.ts): back off, log the server's text, give up when it persists. */
  private rejected(text: string): void {
    const r = this.rejections.record(text);
    if (r.log) this.sink.warn("the server rejected a pull request; backing off", { status: text, attempt: this.rejections.count });
    if (r.action === "end") {
      this.rejectedWith = text;
      return this.end(`pull rejected by the server ${this.rejections.count} times in a row: ${text}`);
    }
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      this.maybePull();
    }, r.delayMs);
  }

  private end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.hbTimer) clearInterval(this.hbTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    const h = this.handshake;
    this.handshake = null;
    h?.(new Error(reason));
    try {
      this.socket?.end();
    } catch {
      // already closed
    }
    this.resolveDone(reason);
  }

  /** Stop: no more messages are handed to the sink. */
  close(): void {
    this.end("closed");
  }
}
