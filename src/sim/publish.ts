/**
 * Publish wire messages through JetStream (`lake simulate --to nats`, `lake replay`): publish acks
 * with many in flight, `noAsyncTraces` (measured: async stack capture dominates publish
 * cost), as fast as possible or paced in event time (`speed`) or by message rate (`rate`).
 *
 * Streams are created if missing with the contract §1.2 settings and never modified when
 * they exist (another service owns their configuration; a mismatch is reported, not fixed).
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { connect, createInbox, headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { natsServers } from "../config";
import { LakeError, errorMessage } from "../errors";
import { ensureStreams } from "../ingest/main/streams";
import type { WireMessage } from "./wire";

export interface Progress {
  published: number;
  seconds: number;
  /** Messages per second since the start. */
  rate: number;
  /** Event time of the last published message (ns). */
  simTimeNs: bigint;
}

export interface PublishOptions {
  /** Publishes awaiting their ack at most (default 8192). */
  inFlight?: number;
  /** Event-time speed-up (1 = real time, 10 = ten times faster); undefined = as fast as possible. */
  speed?: number;
  /** Messages per second ceiling; undefined = unlimited. */
  rate?: number;
  onProgress?: (p: Progress) => void;
  progressEveryMs?: number;
  signal?: AbortSignal;
  /** Fail when no ack arrives for this long while messages are outstanding (default 30 s). */
  ackWaitMs?: number;
}

export interface PublishResult {
  published: number;
  seconds: number;
  rate: number;
  bytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * JetStream publishing with acks, the "async publish" way: each message is a core NATS
 * publish whose reply subject is one of our inbox subjects; the stream's PubAck (or error)
 * arrives on a single wildcard subscription. Unlike `js.publish` (a request with its own
 * promise and timer per message, ~20k msg/s here) this keeps thousands in flight for the
 * cost of a counter. A full window blocks until acks catch up; no progress for `ackWaitMs`
 * fails the run (nothing is silently dropped: every message is either acked or reported).
 *
 * The clock persists across `send` calls so a replay can feed it hour by hour and still
 * pace one timeline.
 */
export class PacedSender {
  private readonly window: number;
  private readonly prefix: string;
  private readonly sub: Subscription;
  private published = 0;
  private acked = 0;
  private failure: string | null = null;
  private wake: (() => void) | null = null;
  private bytes = 0;
  private t0 = performance.now();
  private lastReport = this.t0;
  private firstTs: bigint | undefined;
  private simTimeNs = 0n;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: PublishOptions = {},
  ) {
    this.window = Math.max(1, Math.floor(opts.inFlight ?? 8192));
    this.prefix = createInbox();
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (err) this.failure ??= errorMessage(err);
        else if (msg.headers?.hasError || msg.headers?.code === 503) {
          this.failure ??= `${msg.headers.code} ${msg.headers.description || "no responders"}: no JetStream stream accepts subject ${msg.subject}`;
        } else if (msg.data.length > 2 && msg.data[2] === 0x65 /* {"error": … */) {
          this.failure ??= new TextDecoder().decode(msg.data);
        } else this.acked++;
        if (this.wake && (this.failure || this.outstanding() <= this.window >> 1 || this.outstanding() === 0)) {
          const w = this.wake;
          this.wake = null;
          w();
        }
      },
    });
  }

  private outstanding(): number {
    return this.published - this.acked;
  }

  private fail(): never {
    throw new LakeError(`JetStream publish failed after ${this.acked} acked messages: ${this.failure} (is a stream bound to the subject, and the server reachable?)`);
  }

  /** Wait until at most `limit` publishes are un-acked. */
  private async waitAcks(limit: number): Promise<void> {
    const ackWaitMs = this.opts.ackWaitMs ?? 30_000;
    while (this.outstanding() > limit && !this.failure) {
      const before = this.acked;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, ackWaitMs);
      });
      clearTimeout(timer); // else every wait leaves a timer holding the process open for ackWaitMs
      this.wake = null;
      if (this.acked === before && this.outstanding() > limit && !this.failure) {
        this.failure = `no ack for ${ackWaitMs} ms with ${this.outstanding()} messages outstanding`;
      }
    }
    if (this.failure) this.fail();
  }

  async send(messages: Iterable<WireMessage>): Promise<void> {
    const { speed, rate, signal, onProgress } = this.opts;
    const every = this.opts.progressEveryMs ?? 1000;
    for (const m of messages) {
      if (signal?.aborted) return;
      if (this.failure) this.fail();
      if (speed !== undefined || rate !== undefined) {
        this.firstTs ??= m.tsNs;
        let dueMs = 0;
        if (speed !== undefined) dueMs = Number(m.tsNs - this.firstTs) / 1e6 / speed;
        if (rate !== undefined) dueMs = Math.max(dueMs, (this.published / rate) * 1000);
        const ahead = dueMs - (performance.now() - this.t0);
        if (ahead > 5) {
          this.nc.flush().catch(() => {});
          await sleep(ahead);
        }
      }
      if (this.outstanding() >= this.window) await this.waitAcks(this.window >> 1);
      let h: ReturnType<typeof headers> | undefined;
      if (m.msgId) {
        h = headers();
        h.set("Nats-Msg-Id", m.msgId);
      }
      this.nc.publish(m.subject, m.data, { reply: `${this.prefix}.${this.published}`, headers: h });
      this.published++;
      this.bytes += m.data.length;
      this.simTimeNs = m.tsNs;
      if (onProgress && (this.published & 1023) === 0) {
        const now = performance.now();
        if (now - this.lastReport >= every) {
          this.lastReport = now;
          const seconds = (now - this.t0) / 1000;
          onProgress({ published: this.published, seconds, rate: this.published / seconds, simTimeNs: this.simTimeNs });
        }
      }
    }
  }

  /** Wait for every outstanding ack; the totals so far. */
  async flush(): Promise<PublishResult> {
    await this.nc.flush();
    await this.waitAcks(0);
    const seconds = (performance.now() - this.t0) / 1000;
    return { published: this.acked, seconds, rate: this.acked / Math.max(seconds, 1e-9), bytes: this.bytes };
  }

  close(): void {
    this.sub.unsubscribe();
  }
}

/** Publish every message, awaiting acks with a bounded window; throws on the first failed ack. */
export async function publishAll(nc: NatsConnection, messages: Iterable<WireMessage>, opts: PublishOptions = {}): Promise<PublishResult> {
  const sender = new PacedSender(nc, opts);
  try {
    await sender.send(messages);
    return await sender.flush();
  } finally {
    sender.close();
  }
}

export interface Publisher extends AsyncDisposable {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly createdStreams: string[];
  close(): Promise<void>;
}

/** Connect, make sure the §1.2 streams exist, and return a JetStream client. */
export async function openPublisher(natsUrl: string, replicas = 1): Promise<Publisher> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: natsServers(natsUrl), noAsyncTraces: true, name: "lake-sim" });
  } catch (e) {
    throw new LakeError(`cannot connect to NATS at ${natsUrl}: ${errorMessage(e)} (set --nats-url or NATS_URL)`);
  }
  let createdStreams: string[];
  try {
    const jsm = await jetstreamManager(nc);
    // A publisher only reports an incompatible stream; the service refuses to consume from it.
    createdStreams = (await ensureStreams(jsm, { onIncompatible: "warn", replicas })).created;
  } catch (e) {
    // an open connection keeps the process alive: close it before reporting
    await nc.close().catch(() => {});
    throw new LakeError(`NATS at ${natsUrl}: ${errorMessage(e)} (the server must run with JetStream, e.g. nats-server -js)`);
  }
  const js = jetstream(nc);
  const close = async () => {
    if (!nc.isClosed()) await nc.drain();
  };
  return { nc, js, createdStreams, close, [Symbol.asyncDispose]: close };
}
