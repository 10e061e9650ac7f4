/** What a raw data session (raw-pull.ts) is given: where to pull from, and the sink it feeds. */

export interface RawPullSink {
  /**
   * One delivered JetStream message; body = buf[bodyStart, bodyEnd), valid only during the
   * call. Returns TAKEN, DROPPED (not kept — e.g. a redelivery; never acked through it) or
   * NO_ROOM (offered again after `waitForRoom`).
   */
  onMessage(seq: number, buf: Uint8Array, bodyStart: number, bodyEnd: number, replyStart: number, replyEnd: number): number;
  /** After each parse pass: `lastReply` is the ack subject of the last message taken. */
  onPassEnd(taken: number, lastReply: string | null): void;
  /** Resolves when the sink may have room again (it throws to abort the session). */
  waitForRoom(): Promise<void>;
  /** A session event worth a log line. */
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface RawPullOptions {
  /** "host:port" */
  server: string;
  stream: string;
  durable: string;
  /** Messages in flight per session; a new pull is sent when half have arrived. */
  batch: number;
  /** Server-side expiry of one pull request. */
  expiresMs?: number;
  /** Idle heartbeat; no bytes for 3 heartbeats ends the session (dead connection). */
  heartbeatMs?: number;
  name?: string;
}
