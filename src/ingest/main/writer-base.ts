/**
 * What BronzeWriter and GoldWriter share: a set of lanes (one per consumer) on one
 * NATS connection, started, flushed and stopped together.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { resolve } from "node:path";
import { DEFAULT_DATA_ROOT, DEFAULT_NATS_URL, type S3Settings } from "../../config";
import { openStore } from "../../storage";
import { errorMessage, LakeError } from "../../errors";
import { log } from "../../log";
import { recordedEpoch } from "../common/commit";
import { connectNats, watchConnection } from "./connection";
import { lockDurableDir, type DirLock } from "./dir-lock";
import { DEFAULT_LEASE_TTL_MS, DurableLease, localIdentity, openLeaseBucket, type Identity } from "./lease";
import { retrying } from "./jetstream";
import { ensureStreams, type ConsumerSpec } from "./streams";
import { IngestLane, type IngestLaneOptions } from "./lane";
import type { StoreSettings } from "../common/protocol";

export interface WriterOptions {
  /** A connected NATS connection to share (contracts §1.1); else one is opened from natsUrl. */
  bus?: NatsConnection;
  natsUrl?: string;
  dataRoot?: string;
  bufferLimit?: number;
  flushIntervalSeconds?: number;
  useS3?: boolean;
  s3?: S3Settings | null;
  /** SharedArrayBuffer ring size per consumer (bytes). */
  ringBytes?: number;
  pullBatch?: number;
  /** Create/verify the streams on start (default true). */
  ensureStreams?: boolean;
  /** When another instance owns a durable: wait and take over when its lease lapses (default: refuse). */
  standby?: boolean;
  /** Lease TTL in ms when the lease bucket is created (default 10 s; an existing bucket's wins). */
  leaseTtlMs?: number;
  /** Replicas of the lease bucket when it is created here (1; 3 in a cluster). */
  replicas?: number;
  /** A stream deleted and recreated under a watermark: archive the commit record and start over (default: refuse). */
  acceptStreamReset?: boolean;
  /** Aborts a start-up that is still waiting for ownership (standby). */
  signal?: AbortSignal;
  /** Read only these durables (`lake serve --consumers`); default every consumer of the writer. */
  only?: readonly string[];
}

/** One identity per process: Bronze and Gold writers of one `lake serve` are one instance. */
let identity: Identity | null = null;

export function processIdentity(): Identity {
  return (identity ??= localIdentity());
}

export const DEFAULT_RING_BYTES = 32 * 1024 * 1024;

export abstract class WriterBase {
  protected readonly options: WriterOptions;
  readonly lanes: IngestLane[] = [];
  protected nc: NatsConnection | null = null;
  /** The JetStream manager of the connection, once started (lake serve reads consumer lag with it). */
  jsm: JetStreamManager | null = null;
  private ownsConnection = false;
  private stopped = false;
  private readonly owned: { lease: DurableLease; lock: DirLock | null }[] = [];
  private leases: Map<string, DurableLease> | null = null;

  constructor(options: WriterOptions, defaults: { bufferLimit: number; flushIntervalSeconds: number }) {
    this.options = { ...options, bufferLimit: options.bufferLimit ?? defaults.bufferLimit, flushIntervalSeconds: options.flushIntervalSeconds ?? defaults.flushIntervalSeconds };
  }

  protected abstract consumers(): readonly ConsumerSpec[];

  /** Where this writer's records and data go. */
  storeConfig(): StoreSettings {
    const useS3 = !!this.options.useS3;
    if (useS3 && !this.options.s3) throw new LakeError("useS3 is set but no S3 settings were given (S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY)");
    return { useS3, s3: useS3 ? this.options.s3! : null, dataRoot: resolve(this.options.dataRoot ?? DEFAULT_DATA_ROOT) };
  }

  protected rootPath(tier: string): string {
    return `${openStore(this.storeConfig()).root}/${tier}`;
  }

  async start(bus?: NatsConnection): Promise<void> {
    const { nc, jsm } = await this.attach(bus);
    const store = this.storeConfig();
    const leases = (this.leases ??= await this.takeOwnership(nc, store));
    await Promise.all(this.specs().map((c) => this.startLane(c, leases.get(c.durable))));
  }

  /**
   * Connect (or adopt the shared connection) and ensure the streams without starting a lane:
   * `lake serve --share` starts and stops lanes one consumer at a time (share.ts).
   */
  async attach(bus?: NatsConnection): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
    if (this.lanes.length || this.nc) throw new LakeError("writer already started");
    let nc = bus ?? this.options.bus ?? null;
    if (!nc) {
      nc = await connectNats(this.options.natsUrl ?? process.env.NATS_URL ?? DEFAULT_NATS_URL);
      this.ownsConnection = true;
    }
    this.nc = nc;
    const jsm = await retrying("connecting to JetStream", () => jetstreamManager(nc!), undefined, undefined, this.options.signal);
    this.jsm = jsm;
    if (this.options.ensureStreams !== false) await retrying("creating/verifying the streams", () => ensureStreams(jsm), undefined, undefined, this.options.signal);
    void watchConnection(nc, () => this.lanes).catch(() => {});
    return { nc, jsm };
  }

  /** The consumers this writer reads (`only` applied; lake serve --share hands them out one by one). */
  specs(): readonly ConsumerSpec[] {
    const only = this.options.only;
    return only ? this.consumers().filter((c) => only.includes(c.durable)) : this.consumers();
  }

  /** Start the lane of one consumer under `lease` (recovery, positioning, pull loop). */
  async startLane(c: ConsumerSpec, lease?: DurableLease): Promise<IngestLane> {
    const opts: IngestLaneOptions = {
      ...c,
      lease,
      acceptStreamReset: this.options.acceptStreamReset,
      bufferLimit: this.options.bufferLimit!,
      flushIntervalMs: this.options.flushIntervalSeconds! * 1000,
      ringBytes: this.options.ringBytes ?? DEFAULT_RING_BYTES,
      store: this.storeConfig(),
      pullBatch: this.options.pullBatch,
    };
    const lane = new IngestLane(opts);
    this.lanes.push(lane);
    await lane.start(this.nc!, this.jsm!);
    return lane;
  }

  /**
   * Stop one lane (flush, commit, ack — or, after a lost lease, nothing) and forget it.
   * Its lease and lock are the caller's (share.ts hands them back after this).
   */
  async stopLane(lane: IngestLane, deadlineMs: number): Promise<{ ok: boolean; error?: string }> {
    try {
      return await lane.stop(deadlineMs);
    } finally {
      const i = this.lanes.indexOf(lane);
      if (i >= 0) this.lanes.splice(i, 1);
    }
  }

  /**
   * Take every durable's lease now, before start() (which then uses them): a service with
   * several writers owns them one writer after another, so its leases are taken in one global
   * order too.
   */
  async own(bus: NatsConnection): Promise<void> {
    this.leases ??= await this.takeOwnership(bus, this.storeConfig());
  }

  /**
   * Lease every durable (lease.ts), in name order so that two instances starting together
   * cannot each win a part; on a local root also lock each durable's directory (dir-lock.ts).
   */
  private async takeOwnership(nc: NatsConnection, store: StoreSettings): Promise<Map<string, DurableLease>> {
    const bucket = await retrying("opening the lease bucket", () => openLeaseBucket(nc, this.options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, this.options.replicas ?? 1), undefined, undefined, this.options.signal);
    const me = processIdentity();
    const records = openStore(store);
    const leases = new Map<string, DurableLease>();
    try {
      for (const c of [...this.specs()].sort((a, b) => a.durable.localeCompare(b.durable))) {
        const lease = new DurableLease(bucket, c.durable, me);
        await lease.acquire({ standby: !!this.options.standby, minEpoch: () => epochFloor(records, c.durable), signal: this.options.signal });
        const held: { lease: DurableLease; lock: DirLock | null } = { lease, lock: null };
        this.owned.push(held);
        if (!store.useS3) {
          held.lock = await lockDurableDir(store.dataRoot, c.durable, me.instance, this.options.signal);
          if (!held.lock) throw new LakeError(`stopped while waiting for the local lock on ${c.durable}`);
        }
        leases.set(c.durable, lease);
      }
    } catch (e) {
      await this.releaseOwnership();
      throw e;
    }
    return leases;
  }

  private async releaseOwnership(): Promise<void> {
    for (const o of this.owned.splice(0)) {
      o.lock?.release();
      await o.lease.release();
    }
  }

  /** Flush every consumer; resolves when all are committed and acked. */
  async flushAll(): Promise<void> {
    await Promise.all(this.lanes.map((p) => p.flush()));
  }

  protected lane(table: string): IngestLane {
    const p = this.lanes.find((x) => x.opts.table === table || x.opts.subject === table || x.opts.durable === table);
    if (!p) throw new LakeError(`unknown schema "${table}" (have ${this.lanes.map((x) => x.opts.table).join(", ") || "none: not started"})`);
    return p;
  }

  /** Ordered stop (contracts §7.4). Returns false if any final flush failed. */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    if (this.stopped) return true;
    this.stopped = true;
    const deadline = Date.now() + timeoutMs;
    const results = await Promise.all(this.lanes.map((p) => p.stop(deadline)));
    await this.releaseOwnership();
    if (this.ownsConnection && this.nc) await this.nc.drain().catch(() => this.nc?.close());
    return results.every((r) => r.ok);
  }
}

/**
 * The epoch floor from a durable's records. A store that does not answer must not hold up
 * start-up (the lane's recovery retries and reports it): the lease's own epoch then stands,
 * and a record of a higher epoch makes recovery stop rather than guess.
 */
export async function epochFloor(records: ReturnType<typeof openStore>, durable: string): Promise<number> {
  try {
    return await recordedEpoch(records, durable);
  } catch (e) {
    log.warn("commit records unreadable while taking the lease; using the lease's epoch", { durable, error: errorMessage(e) });
    return 0;
  }
}
