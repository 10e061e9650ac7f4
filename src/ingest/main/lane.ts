/**
 * IngestLane — the main-thread side of one consumer: JetStream pull → SharedArrayBuffer ring → worker, and
 * acks once the worker reports a durable commit (contracts §2.1 flush/ack contract).
 *
 * The main thread only moves bytes: per message it copies the body, stream sequence and
 * subject into the ring (ack subjects are only sampled, ack-queue.ts). The data path is
 * lake's own framing on a plain TCP connection per consumer (raw-pull.ts); the nats.js
 * `consume()` iterator is the fallback for servers that need TLS or authentication. When
 * the ring is full it stops pulling (backpressure). On a commit report with watermark W it
 * sends one ack-all on the newest remembered message ≤ W.
 *
 * Resync: after a NATS disconnect, a consume error or a restart, delivery may have a gap
 * (messages in flight on the dead connection). The lane then stops pulling, has the
 * worker flush and commit everything it has, and repositions the consumer at W + 1
 * (jetstream.ts), so the ring only ever holds a contiguous run of the subject.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, type ConsumerMessages, type JetStreamManager } from "@nats-io/jetstream";
import { errorMessage, LakeError } from "../../errors";
import { log } from "../../log";
import { FencedError, newWriterId, type StreamIdentity } from "../common/commit";
import { DEFAULT_PULL_EXPIRES_MS, retrying, type PullNeeds } from "./jetstream";
import type { DurableLease } from "./lease";
import type { StoreSettings } from "../common/protocol";
import { LaneWorker } from "./lane-worker";
import { newFlushHistogram, observe, type IngestLaneStats } from "./metrics";
import { reposition } from "./reposition";
import { AckQueue } from "./ack-queue";
import { seqFromAckSubject } from "./ack-subject";
import { DROPPED, latin1, NO_ROOM, pullMaxBytes, RawPullSession, RawPullUnsupported, TAKEN, type RawPullSink } from "./raw-pull";
import { createRing, KIND_DATA, KIND_FLUSH, KIND_TOO_LARGE, RingWriter, tooLargeHead } from "../common/ring";

export interface IngestLaneOptions {
  table: string;
  stream: string;
  subject: string;
  durable: string;
  bufferLimit: number;
  flushIntervalMs: number;
  ringBytes: number;
  store: StoreSettings;
  /** Messages per pull request. */
  pullBatch?: number;
  /** "raw" (default): lake's own framing on a data connection per consumer (raw-pull.ts); "natsjs": the client's consume(). */
  dataClient?: "raw" | "natsjs";
  /** The lease this process holds on the durable: every write and repositioning is fenced by it. */
  lease?: DurableLease;
  /** Archive the commit record and restart from the stream's first sequence when the stream was reset. */
  acceptStreamReset?: boolean;
}


/** Consecutive data sessions ended by 409 rejections (each after backoff and a reposition) before the service fails. */
const MAX_REJECTED_SESSIONS = 3;
const ACK = new TextEncoder().encode("+ACK");

export class IngestLane {
  readonly opts: IngestLaneOptions;
  readonly stats: IngestLaneStats;
  private nc: NatsConnection | null = null;
  private jsm: JetStreamManager | null = null;
  private worker: LaneWorker | null = null;
  private ring: RingWriter;
  private readonly ringBufs;
  private readonly subjectBytes: Uint8Array;
  private iter: ConsumerMessages | null = null;
  private session: RawPullSession | null = null;
  /** Set when the server needs TLS/auth (raw-pull.ts cannot): use nats.js consume() instead. */
  private useNatsJs: boolean;
  private rawCount = 0;
  private loopDone: Promise<void> | null = null;
  private stopping = false;
  private paused = false;
  private needsResync = false;
  private lastPushed = 0;
  /** Reply subjects to ack with (sampled; see ack-queue.ts). */
  private readonly acks = new AckQueue();
  private flushToken = 0;
  private publishScheduled = false;
  private recordedStream: StreamIdentity | undefined;
  private rejectedSessions = 0;
  fatalError: string | null = null;
  /** Resolves with the error once the worker has failed (and never otherwise). */
  readonly failed: Promise<string>;
  private failWith!: (error: string) => void;

  constructor(opts: IngestLaneOptions) {
    this.opts = opts;
    this.failed = new Promise((resolve) => (this.failWith = resolve));
    this.ringBufs = createRing(opts.ringBytes);
    this.ring = new RingWriter(this.ringBufs);
    this.subjectBytes = new TextEncoder().encode(opts.subject);
    this.useNatsJs = (opts.dataClient ?? (process.env.LAKE_INGEST_CLIENT === "natsjs" ? "natsjs" : "raw")) === "natsjs";
    this.stats = {
      table: opts.table, durable: opts.durable, received: 0, acked: 0, watermark: 0, rowsCommitted: 0, filesCommitted: 0,
      quarantined: 0, duplicatesDropped: 0, lastCommitAt: null, ringFill: 0, worker: null, lag: null, gapMessages: 0,
      bytesWritten: 0, flushSeconds: newFlushHistogram(),
    };
    void opts.lease?.lost.then((reason) => this.fail(reason));
  }

  private pullNeeds = (): PullNeeds => ({ batch: this.opts.pullBatch ?? 2048, expiresMs: DEFAULT_PULL_EXPIRES_MS, maxBytes: pullMaxBytes(this.nc?.info?.max_payload) });

  /** Stop consuming for good: the service stops (exit 1) with `error`. */
  private fail(error: string): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.failWith(error);
    this.worker?.failAll(error);
    this.iter?.stop();
    this.session?.close();
  }

  private async prove(): Promise<void> {
    if (!this.opts.lease) return;
    const p = await this.opts.lease.prove();
    if (p.lost) throw new FencedError(p.reason ?? "lease lost");
    if (!p.ok) throw new Error(p.reason ?? "ownership not proven");
  }

  /** Prove ownership, check the stream (reset, gap) and put the durable at the watermark (at start-up, or to resync). */
  private async reposition(resync = false): Promise<void> {
    const r = await reposition({
      jsm: this.jsm!, stream: this.opts.stream, durable: this.opts.durable, subject: this.opts.subject, needs: this.pullNeeds(),
      watermark: this.stats.watermark, recorded: this.recordedStream, acceptStreamReset: !!this.opts.acceptStreamReset,
      prove: () => this.prove(), resetWatermark: (s) => this.worker!.resetWatermark(s),
    });
    this.stats.gapMessages += r.gapMessages;
    if (r.watermark !== this.stats.watermark) {
      this.stats.watermark = r.watermark;
      this.lastPushed = r.watermark;
      this.acks.clear();
    }
    this.recordedStream = r.stream;
    this.worker?.setStream(r.stream);
    const pos = r.position;
    if (pos.action === "migrated-push") log.warn("took over the predecessor's push consumer as a pull consumer", { durable: this.opts.durable, ackFloor: pos.ackFloor, resumeAt: pos.startSeq });
    else log.info(resync ? "consumer resynced" : "consumer positioned", { durable: this.opts.durable, action: pos.action, resumeAt: pos.startSeq });
  }

  /** Start the worker (recovery) and the pull loop. */
  async start(nc: NatsConnection, jsm: JetStreamManager): Promise<void> {
    this.nc = nc;
    this.jsm = jsm;
    const lease = this.opts.lease;
    this.worker = new LaneWorker(
      {
        table: this.opts.table, consumer: this.opts.durable, ring: this.ringBufs, store: this.opts.store, bufferLimit: this.opts.bufferLimit,
        flushIntervalMs: this.opts.flushIntervalMs, writerId: newWriterId(), epoch: lease?.epoch ?? 0,
      },
      {
        onCommit: (m) => {
          this.stats.rowsCommitted += m.rows;
          this.stats.filesCommitted += m.commit.lastFiles.length;
          this.stats.bytesWritten += m.bytes;
          observe(this.stats.flushSeconds, m.flushSeconds);
          this.stats.quarantined += m.quarantined;
          this.stats.lastCommitAt = m.commit.lastCommitAt;
          this.stats.worker = m.stats;
          if (m.quarantined) log.warn("quarantined bad messages", { table: this.opts.table, count: m.quarantined });
          this.onCommitted(m.commit.watermark);
        },
        onWatermark: (w) => this.onCommitted(w),
        onStats: (st) => (this.stats.worker = st),
        onFatal: (error) => {
          log.error("ingest worker failed", { table: this.opts.table, error });
          this.fail(error);
        },
        prove: lease && (() => lease.prove()),
      },
    );
    if (this.fatalError) this.worker.failAll(this.fatalError);
    const recovered = await this.worker.ready;
    if (this.stopping) return; // stopped during start-up: consume nothing
    this.recordedStream = recovered.stream;
    this.stats.watermark = recovered.watermark;
    this.lastPushed = recovered.watermark;
    await retrying(`positioning consumer ${this.opts.durable}`, () => this.reposition().catch((e) => {
      throw e instanceof FencedError ? new LakeError(e.message) : e;
    }), 60_000, (e) => log.warn("consumer positioning failed, retrying", { durable: this.opts.durable, error: errorMessage(e) }));
    if (this.fatalError) throw new LakeError(this.fatalError);
    if (this.stopping) return;
    this.loopDone = this.loop();
  }

  /** Ack-all on the newest pushed message ≤ watermark. */
  private onCommitted(watermark: number): void {
    if (watermark > this.stats.watermark) this.stats.watermark = watermark;
    const ack = this.acks.takeUpTo(watermark);
    if (ack && this.nc && !this.nc.isClosed()) {
      try {
        this.nc.publish(ack.reply, ACK);
        this.stats.acked = ack.seq;
      } catch (e) {
        log.warn("ack failed (the messages will be redelivered and dropped as duplicates)", { durable: this.opts.durable, error: errorMessage(e) });
      }
    }
  }

  private schedulePublish(): void {
    if (this.publishScheduled) return;
    this.publishScheduled = true;
    setImmediate(() => {
      this.publishScheduled = false;
      this.ring.publish();
    });
  }

  private async loop(): Promise<void> {
    let backoff = 200;
    while (!this.stopping) {
      try {
        if (this.fatalError) break;
        if (this.needsResync) {
          await this.flush();
          this.acks.clear();
          this.lastPushed = this.stats.watermark;
          await this.reposition(true);
          this.needsResync = false;
        }
        this.paused = false;
        const batch = this.opts.pullBatch ?? 2048;
        if (!this.useNatsJs) {
          try {
            await this.consumeRaw(batch);
          } catch (e) {
            if (!(e instanceof RawPullUnsupported)) throw e;
            this.useNatsJs = true;
            log.info("using the nats.js consumer for data (lake's raw data connection does not do TLS/auth)", { durable: this.opts.durable, reason: e.message });
            continue;
          }
          backoff = 200;
          this.needsResync = true;
          continue;
        }
        const consumer = await jetstream(this.nc!).consumers.get(this.opts.stream, this.opts.durable);
        const iter = await consumer.consume({ max_messages: batch, threshold_messages: Math.floor(batch / 2) });
        this.iter = iter;
        let n = 0;
        for await (const m of iter) {
          // A reconnect may land while the iterator was being set up (iter still null, so
          // onReconnect could not stop it): leave and resync instead of dropping forever.
          if (this.needsResync || this.stopping) break;
          if (this.paused) continue; // may follow a gap: not pushed, not acked, redelivered after the resync
          // The sequence comes from the raw reply bytes: decoding every reply subject to a
          // string was 8% of the main thread. Strings are decoded for every 64th message and
          // for the newest one only when it gets acked — enough for ack-all.
          const raw = (m as unknown as { msg?: { _msg?: { reply?: Uint8Array } } }).msg?._msg?.reply;
          const reply = m as unknown as { reply: string };
          const seq = raw ? seqFromAckSubject(raw) : m.seq;
          if (seq <= this.lastPushed) {
            this.stats.duplicatesDropped++; // a redelivery of something already in hand
            continue;
          }
          const body = m.data;
          // Fast path stays synchronous: an await per message costs a microtask turn.
          if (body.length > this.ring.maxBody || !this.ring.tryWrite(KIND_DATA, seq, this.subjectBytes, body)) await this.push(seq, body);
          if ((n & 63) === 0) this.acks.sample(seq, reply.reply);
          this.acks.setNewest(seq, reply);
          this.lastPushed = seq;
          this.stats.received++;
          if (++n % 1024 === 0) this.ring.publish();
          else this.schedulePublish();
        }
        backoff = 200;
      } catch (e) {
        if (this.stopping) break;
        // Not transient: a lost lease, a refused stream reset, a pull the server keeps rejecting.
        if (e instanceof FencedError || e instanceof LakeError) {
          this.fail(e.message);
          break;
        }
        log.warn("consume loop error, will resync", { durable: this.opts.durable, error: errorMessage(e) });
        await Bun.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      } finally {
        this.iter?.stop();
        this.iter = null;
        this.session?.close();
        this.session = null;
      }
      this.needsResync = true;
    }
    this.ring.publish();
  }

  /**
   * One raw data session (raw-pull.ts): per message only the sequence parse, the
   * duplicate check and the copy into the ring; reply subjects become strings for every
   * 1024th message and once per socket read (the newest) — ack-all needs no more. Returns when the session ends
   * (socket closed, resync, stop); the caller then resyncs.
   */
  private async consumeRaw(batch: number): Promise<void> {
    const ring = this.ring;
    const subject = this.subjectBytes;
    const sink: RawPullSink = {
      onMessage: (seq, b, s, e, rs, re) => {
        if (this.needsResync || this.stopping) {
          this.session?.close();
          return DROPPED;
        }
        if (this.paused) return DROPPED; // a gap may follow
        if (seq <= this.lastPushed) {
          this.stats.duplicatesDropped++; // a redelivery (ack_wait expired during a slow commit)
          return DROPPED;
        }
        if (e - s > ring.maxBody) {
          if (!ring.tryWrite(KIND_TOO_LARGE, seq, subject, tooLargeHead(b.subarray(s, e)))) return NO_ROOM;
        } else if (!ring.tryWriteFrom(KIND_DATA, seq, subject, b, s, e)) return NO_ROOM;
        if ((this.rawCount++ & 1023) === 0) this.acks.sample(seq, latin1(b, rs, re));
        this.lastPushed = seq;
        this.stats.received++;
        return TAKEN;
      },
      onPassEnd: (_taken, lastReply) => {
        if (lastReply !== null) this.acks.setNewest(this.lastPushed, { reply: lastReply });
        ring.publish();
      },
      waitForRoom: async () => {
        ring.publish();
        if (this.fatalError) throw new Error(`worker failed: ${this.fatalError}`);
        if (this.stopping || this.needsResync) throw new Error("lane stopping or resyncing");
        await ring.waitForSpace(50);
      },
      warn: (msg, fields) => log.warn(msg, { durable: this.opts.durable, ...fields }),
    };
    const session = await RawPullSession.open({ server: this.nc!.getServer(), stream: this.opts.stream, durable: this.opts.durable, batch, name: `lake-${this.opts.durable}` }, sink);
    this.session = session;
    if (this.needsResync || this.stopping) session.close();
    const received = this.stats.received;
    const reason = await session.done;
    if (!this.stopping && !this.needsResync) log.warn("data connection ended, will resync", { durable: this.opts.durable, reason });
    // A pull the server keeps rejecting (409) survives the session's own backoff and a
    // reposition (which recreates a consumer whose limits are below lake's): fail with its text.
    if (session.rejectedWith && this.stats.received === received) {
      if (++this.rejectedSessions >= MAX_REJECTED_SESSIONS) throw new LakeError(`the server keeps rejecting pull requests on ${this.opts.durable}: ${session.rejectedWith}`);
    } else this.rejectedSessions = 0;
  }

  private async push(seq: number, body: Uint8Array): Promise<void> {
    let kind = KIND_DATA;
    if (body.length > this.ring.maxBody) {
      body = tooLargeHead(body);
      kind = KIND_TOO_LARGE;
    }
    while (!this.ring.tryWrite(kind, seq, this.subjectBytes, body)) {
      this.ring.publish();
      if (this.fatalError) throw new Error(`worker failed: ${this.fatalError}`);
      await this.ring.waitForSpace(50);
    }
  }

  /** NATS connection lost: stop feeding the ring (what arrives may follow a gap). */
  onDisconnect(): void {
    this.paused = true;
  }

  /** NATS connection back: flush, then reposition at the watermark. */
  onReconnect(): void {
    this.paused = true;
    this.needsResync = true;
    this.iter?.stop();
    this.session?.close();
  }

  /** Flush everything pushed so far; resolves with the committed watermark (acks sent), rejects once the pipeline failed. */
  flush(): Promise<number> {
    const token = ++this.flushToken;
    if (this.fatalError || !this.worker) return Promise.reject(new LakeError(this.fatalError ?? "the lane is not running"));
    const done = this.worker.flushed(token);
    return (async () => {
      while (!this.ring.tryWrite(KIND_FLUSH, token, this.subjectBytes, new Uint8Array(0))) {
        if (this.fatalError) throw new LakeError(this.fatalError);
        this.ring.publish();
        await this.ring.waitForSpace(50);
      }
      this.ring.publish();
      return done;
    })();
  }

  ringFill(): number {
    return this.ring.fill();
  }

  /**
   * Ordered shutdown (contracts §7.4): stop pulling, let the loop finish its current
   * message, have the worker drain the ring, flush and commit, ack, then end the worker.
   */
  async stop(deadlineMs: number): Promise<{ ok: boolean; error?: string }> {
    this.stopping = true;
    this.iter?.stop();
    this.session?.close();
    // The loop may be inside a resync flush that cannot commit (store down): do not wait
    // past the deadline for it — the worker's own stop below gives up on that flush.
    await Promise.race([this.loopDone?.catch(() => {}), Bun.sleep(Math.max(0, deadlineMs - Date.now()))]);
    this.ring.publish();
    const r = this.worker ? await this.worker.stop(deadlineMs) : { ok: true };
    this.worker = null;
    return r;
  }
}
