/**
 * What BronzeWriter and GoldWriter share: a set of pipelines (one per consumer) on one
 * NATS connection, started, flushed and stopped together.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { resolve } from "node:path";
import { DEFAULT_DATA_ROOT, DEFAULT_NATS_URL, type S3Settings } from "../config";
import { openStore } from "../storage";
import { LakeError } from "../errors";
import { connectNats, watchConnection } from "./connection";
import { retrying } from "./jetstream";
import { ensureStreams, type ConsumerSpec } from "./streams";
import { Pipeline, type PipelineOptions } from "./pipeline";
import type { StoreSettings } from "./protocol";

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
}

export const DEFAULT_RING_BYTES = 32 * 1024 * 1024;

export abstract class WriterBase {
  protected readonly options: WriterOptions;
  readonly pipelines: Pipeline[] = [];
  protected nc: NatsConnection | null = null;
  /** The JetStream manager of the connection, once started (lake serve reads consumer lag with it). */
  jsm: JetStreamManager | null = null;
  private ownsConnection = false;
  private stopped = false;

  constructor(options: WriterOptions, defaults: { bufferLimit: number; flushIntervalSeconds: number }) {
    this.options = { ...options, bufferLimit: options.bufferLimit ?? defaults.bufferLimit, flushIntervalSeconds: options.flushIntervalSeconds ?? defaults.flushIntervalSeconds };
  }

  protected abstract consumers(): readonly ConsumerSpec[];

  protected storeConfig(): StoreSettings {
    const useS3 = !!this.options.useS3;
    if (useS3 && !this.options.s3) throw new LakeError("useS3 is set but no S3 settings were given (S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY)");
    return { useS3, s3: useS3 ? this.options.s3! : null, dataRoot: resolve(this.options.dataRoot ?? DEFAULT_DATA_ROOT) };
  }

  protected rootPath(tier: string): string {
    return `${openStore(this.storeConfig()).root}/${tier}`;
  }

  async start(bus?: NatsConnection): Promise<void> {
    if (this.pipelines.length) throw new LakeError("writer already started");
    let nc = bus ?? this.options.bus ?? null;
    if (!nc) {
      nc = await connectNats(this.options.natsUrl ?? process.env.NATS_URL ?? DEFAULT_NATS_URL);
      this.ownsConnection = true;
    }
    this.nc = nc;
    const jsm = await retrying("connecting to JetStream", () => jetstreamManager(nc!));
    this.jsm = jsm;
    if (this.options.ensureStreams !== false) await retrying("creating/verifying the streams", () => ensureStreams(jsm));
    const store = this.storeConfig();
    for (const c of this.consumers()) {
      const opts: PipelineOptions = {
        ...c,
        bufferLimit: this.options.bufferLimit!,
        flushIntervalMs: this.options.flushIntervalSeconds! * 1000,
        ringBytes: this.options.ringBytes ?? DEFAULT_RING_BYTES,
        store,
        pullBatch: this.options.pullBatch,
      };
      this.pipelines.push(new Pipeline(opts));
    }
    void watchConnection(nc, () => this.pipelines).catch(() => {});
    await Promise.all(this.pipelines.map((p) => p.start(nc!, jsm)));
  }

  /** Flush every consumer; resolves when all are committed and acked. */
  async flushAll(): Promise<void> {
    await Promise.all(this.pipelines.map((p) => p.flush()));
  }

  protected pipeline(table: string): Pipeline {
    const p = this.pipelines.find((x) => x.opts.table === table || x.opts.subject === table || x.opts.durable === table);
    if (!p) throw new LakeError(`unknown schema "${table}" (have ${this.pipelines.map((x) => x.opts.table).join(", ") || "none: not started"})`);
    return p;
  }

  /** Ordered stop (contracts §7.4). Returns false if any final flush failed. */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    if (this.stopped) return true;
    this.stopped = true;
    const deadline = Date.now() + timeoutMs;
    const results = await Promise.all(this.pipelines.map((p) => p.stop(deadline)));
    if (this.ownsConnection && this.nc) await this.nc.drain().catch(() => this.nc?.close());
    return results.every((r) => r.ok);
  }
}
