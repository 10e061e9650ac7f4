/**
 * A scripted NATS peer for protocol tests of the raw data connection (raw-pull.ts): a real
 * TCP listener on loopback that sends INFO, answers the handshake PING, records every line
 * the client sends, and otherwise sends exactly the bytes a test script gives it — status
 * messages, split frames, -ERR, silence — which a real nats-server cannot be made to do.
 */
import type { Socket, TCPSocketListener } from "bun";
import type { RawPullSink } from "../../../src/ingest/main/raw-pull";
import { NO_ROOM, TAKEN } from "../../../src/ingest/main/raw-pull";

const enc = new TextEncoder();

export interface PeerOptions {
  /** INFO fields (merged over a plain JetStream server's). */
  info?: Record<string, unknown>;
  /** Reply to the handshake PING with this line instead of PONG (e.g. "-ERR 'Authorization Violation'"). */
  handshakeReply?: string;
}

export class ScriptedNats implements AsyncDisposable {
  /** Lines received from the client (PUB payloads are lines too). */
  readonly lines: string[] = [];
  private socket: Socket<undefined> | null = null;
  private partial = "";
  private waiters: (() => void)[] = [];
  private closedByClient = false;

  private constructor(
    private readonly listener: TCPSocketListener<undefined>,
    private readonly opts: PeerOptions,
  ) {}

  static start(opts: PeerOptions = {}): ScriptedNats {
    let peer!: ScriptedNats;
    const listener = Bun.listen<undefined>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (s) => peer.onOpen(s),
        data: (_s, chunk) => peer.onData(chunk),
        close: () => peer.onClose(),
        error: () => peer.onClose(),
      },
    });
    peer = new ScriptedNats(listener, opts);
    return peer;
  }

  get server(): string {
    return `127.0.0.1:${this.listener.port}`;
  }

  get clientClosed(): boolean {
    return this.closedByClient;
  }

  private onOpen(s: Socket<undefined>): void {
    this.socket = s;
    s.setNoDelay(true);
    const info = { server_id: "scripted", version: "2.10.0", proto: 1, headers: true, jetstream: true, max_payload: 1048576, ...this.opts.info };
    s.write(`INFO ${JSON.stringify(info)}\r\n`);
  }

  private onData(chunk: Uint8Array): void {
    const text = this.partial + new TextDecoder().decode(chunk);
    const parts = text.split("\r\n");
    this.partial = parts.pop()!;
    for (const line of parts) {
      this.lines.push(line);
      if (line === "PING" && !this.lines.slice(0, -1).includes("PING")) this.send(`${this.opts.handshakeReply ?? "PONG"}\r\n`);
    }
    this.wake();
  }

  private onClose(): void {
    this.closedByClient = true;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Send raw bytes to the client. */
  send(data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    const n = this.socket!.write(bytes);
    if (n !== bytes.length) throw new Error(`scripted peer wrote ${n} of ${bytes.length} bytes`);
  }

  /** Close the connection from the server side. */
  hangUp(): void {
    this.socket?.end();
  }

  /** Resolves when `cond` holds (re-checked on every client byte), failing after `timeoutMs`. */
  async until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`scripted peer: timed out waiting for ${what}; client sent:\n${this.lines.join("\n")}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  /** The pull requests received so far, parsed. */
  pulls(): { subject: string; inbox: string; batch: number; max_bytes?: number; expires: number; idle_heartbeat: number }[] {
    const out = [];
    for (let i = 0; i < this.lines.length; i++) {
      const m = /^PUB (\S+) (\S+) \d+$/.exec(this.lines[i]!);
      if (m && i + 1 < this.lines.length) out.push({ subject: m[1]!, inbox: m[2]!, ...JSON.parse(this.lines[i + 1]!) });
    }
    return out;
  }

  async waitForPulls(n: number): Promise<void> {
    await this.until(`${n} pull request(s)`, () => this.pulls().length >= n);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.socket?.end();
    this.listener.stop(true);
  }
}

/** `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` */
export function ackSubject(seq: number, stream = "MARKET_DATA", durable = "bronze_writer_test"): string {
  return `$JS.ACK.${stream}.${durable}.1.${seq}.${seq}.1765893590000000000.0`;
}

/** A stored message as a pull delivers it: MSG, or HMSG when it was published with headers. */
export function storedMessage(inbox: string, seq: number, body: string, headers?: Record<string, string>): string {
  const size = enc.encode(body).length;
  if (!headers) return `MSG ${inbox} 1 ${ackSubject(seq)} ${size}\r\n${body}\r\n`;
  const hdr = `NATS/1.0\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
  const hlen = enc.encode(hdr).length;
  return `HMSG ${inbox} 1 ${ackSubject(seq)} ${hlen} ${hlen + size}\r\n${hdr}${body}\r\n`;
}

/** A pull status (no reply subject): 100 heartbeat, 404, 408, 409 … */
export function statusMessage(inbox: string, code: number, description: string, headers: Record<string, string> = {}): string {
  const hdr = `NATS/1.0 ${code} ${description}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
  const hlen = enc.encode(hdr).length;
  return `HMSG ${inbox} 1 ${hlen} ${hlen}\r\n${hdr}\r\n`;
}

/** A sink that records what the session hands it; `room = false` makes it answer NO_ROOM. */
export class RecordingSink implements RawPullSink {
  readonly messages: { seq: number; body: string; reply: string }[] = [];
  readonly passes: { taken: number; lastReply: string | null }[] = [];
  readonly warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  room = true;
  refusals = 0;
  private roomWaiters: (() => void)[] = [];

  onMessage(seq: number, buf: Uint8Array, bodyStart: number, bodyEnd: number, replyStart: number, replyEnd: number): number {
    if (!this.room) {
      this.refusals++;
      return NO_ROOM;
    }
    const dec = new TextDecoder();
    this.messages.push({ seq, body: dec.decode(buf.subarray(bodyStart, bodyEnd)), reply: dec.decode(buf.subarray(replyStart, replyEnd)) });
    return TAKEN;
  }
  onPassEnd(taken: number, lastReply: string | null): void {
    this.passes.push({ taken, lastReply });
  }
  waitForRoom(): Promise<void> {
    return this.room ? Promise.resolve() : new Promise((res) => this.roomWaiters.push(res));
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.warnings.push({ msg, fields });
  }
  /** Let messages in again. */
  open(): void {
    this.room = true;
    for (const w of this.roomWaiters.splice(0)) w();
  }
}
