/**
 * Publish wire messages through JetStream (issue 5 `--to nats`, `lake replay`): publish acks
 * with many in flight, `noAsyncTraces` (measured: async stack capture dominates publish
 * cost), as fast as possible or paced in event time (`speed`) or by message rate (`rate`).
 *
 * Streams are created if missing with the contract §1.2 settings and never modified when
 * they exist (another service owns their configuration; a mismatch is reported, not fixed).
 */
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type PubAck } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { LakeError, errorMessage } from "../errors";
import { log } from "../log";
import type { WireMessage } from "./wire";

/** Contract §1.2: file storage, limits retention, 24 h max_age, no other limits. */
export const STREAMS = [
  { name: "MARKET_DATA", subjects: ["market.*", "market.*.*"] },
  { name: "LEVEL_SIGNALS", subjects: ["levels.*"] },
] as const;
const MAX_AGE_NS = 86_400 * 1_000_000_000;

export async function ensureStreams(jsm: JetStreamManager): Promise<string[]> {
  const created: string[] = [];
  for (const s of STREAMS) {
    let exists = true;
    try {
      const info = await jsm.streams.info(s.name);
      const have = new Set(info.config.subjects ?? []);
      const missing = s.subjects.filter((x) => !have.has(x));
      if (missing.length) log.warn("stream exists with different subjects; leaving it unchanged", { stream: s.name, missing });
    } catch (e) {
      if ((e as { name?: string }).name !== "StreamNotFoundError" && !/not found/i.test(errorMessage(e))) throw e;
      exists = false;
    }
    if (!exists) {
      await jsm.streams.add({
        name: s.name,
        subjects: [...s.subjects],
        retention: "limits" as never,
        storage: "file" as never,
        max_age: MAX_AGE_NS,
      });
      created.push(s.name);
    }
  }
  return created;
}

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
}

export interface PublishResult {
  published: number;
  seconds: number;
  rate: number;
  bytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Publishes with a bounded window of un-acked messages and optional pacing; keeps its clock
 * across `send` calls so a replay can feed it hour by hour and still pace one timeline.
 */
export class PacedSender {
  private readonly window: number;
  private readonly ring: (Promise<PubAck> | undefined)[];
  private head = 0;
  private pending = 0;
  private published = 0;
  private bytes = 0;
  private t0 = performance.now();
  private lastReport = this.t0;
  private firstTs: bigint | undefined;
  private simTimeNs = 0n;

  constructor(
    private readonly js: JetStreamClient,
    private readonly opts: PublishOptions = {},
  ) {
    this.window = Math.max(1, Math.floor(opts.inFlight ?? 8192));
    this.ring = new Array(this.window);
  }

  private async drainOne(): Promise<void> {
    const p = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.window;
    this.pending--;
    try {
      await p;
    } catch (e) {
      throw new LakeError(`JetStream publish failed after ${this.published} messages: ${errorMessage(e)} (is a stream bound to the subject, and the server reachable?)`);
    }
  }

  async send(messages: Iterable<WireMessage>): Promise<void> {
    const { speed, rate, signal, onProgress } = this.opts;
    const every = this.opts.progressEveryMs ?? 1000;
    for (const m of messages) {
      if (signal?.aborted) return;
      if (speed !== undefined || rate !== undefined) {
        this.firstTs ??= m.tsNs;
        let dueMs = 0;
        if (speed !== undefined) dueMs = Number(m.tsNs - this.firstTs) / 1e6 / speed;
        if (rate !== undefined) dueMs = Math.max(dueMs, (this.published / rate) * 1000);
        const ahead = dueMs - (performance.now() - this.t0);
        if (ahead > 5) await sleep(ahead);
      }
      if (this.pending >= this.window) await this.drainOne();
      this.ring[(this.head + this.pending) % this.window] = this.js.publish(m.subject, m.data);
      this.pending++;
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
    while (this.pending > 0) await this.drainOne();
    const seconds = (performance.now() - this.t0) / 1000;
    return { published: this.published, seconds, rate: this.published / Math.max(seconds, 1e-9), bytes: this.bytes };
  }
}

/** Publish every message, awaiting acks with a bounded window; throws on the first failed ack. */
export async function publishAll(js: JetStreamClient, messages: Iterable<WireMessage>, opts: PublishOptions = {}): Promise<PublishResult> {
  const sender = new PacedSender(js, opts);
  await sender.send(messages);
  return sender.flush();
}

export interface Publisher extends AsyncDisposable {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly createdStreams: string[];
  close(): Promise<void>;
}

/** Connect, make sure the §1.2 streams exist, and return a JetStream client. */
export async function openPublisher(natsUrl: string): Promise<Publisher> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: natsUrl, noAsyncTraces: true, name: "lake-sim" });
  } catch (e) {
    throw new LakeError(`cannot connect to NATS at ${natsUrl}: ${errorMessage(e)} (set --nats-url or NATS_URL)`);
  }
  const jsm = await jetstreamManager(nc);
  const createdStreams = await ensureStreams(jsm);
  const js = jetstream(nc);
  const close = async () => {
    if (!nc.isClosed()) await nc.drain();
  };
  return { nc, js, createdStreams, close, [Symbol.asyncDispose]: close };
}
