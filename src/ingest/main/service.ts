/**
 * `lake serve`: the lake service (contracts §7.4) — one NATS connection shared by the
 * BronzeWriter (3 consumers) and the GoldWriter (1 consumer), a periodic summary line,
 * optional Prometheus metrics, and the ordered shutdown on SIGINT/SIGTERM.
 */
import type { Config } from "../../config";
import { log } from "../../log";
import { BronzeWriter } from "./bronze-writer";
import { connectNats } from "./connection";
import { GoldWriter } from "./gold-writer";
import { prometheusText, SummaryLine } from "./metrics";
import type { IngestLane } from "./lane";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { retrying } from "./jetstream";
import { ensureStreams } from "./streams";
import { health, natsConnected } from "./health";
import { DEFAULT_LEASE_TTL_MS, openLeaseBucket } from "./lease";
import { ConsumerShare } from "./share";
import { epochFloor, processIdentity, type WriterBase } from "./writer-base";
import { openStore } from "../../storage";

export interface ServeOptions {
  metricsPort?: number;
  /** Interface the metrics server listens on (default 127.0.0.1). */
  metricsHost?: string;
  summaryIntervalS?: number;
  ringBytes?: number;
  pullBatch?: number;
  shutdownTimeoutS?: number;
  /** Wait for another instance's leases to lapse instead of refusing to start. */
  standby?: boolean;
  /** Share the consumers with other `--share` instances (share.ts) instead of owning all of them. */
  share?: boolean;
  /** Durables to read: the only ones (default), or the ones this instance is pinned to (share). */
  consumers?: readonly string[];
  leaseTtlS?: number;
  acceptStreamReset?: boolean;
  /** Resolves when the service should stop (signals by default). */
  until?: Promise<unknown>;
  /** Work the service runs beside ingest (e.g. compaction), started after ingest, stopped with it. */
  background?: readonly BackgroundJob[];
}

/** A job that lives as long as the service and never blocks ingest. */
export interface BackgroundJob {
  start(): void;
  stop(): Promise<void>;
}

export async function serve(cfg: Config, opts: ServeOptions = {}): Promise<number> {
  const startedAt = Date.now();
  // Signals first: a SIGTERM during start-up then stops the service right after it started.
  const signals = listenForStop();
  let nc: NatsConnection;
  try {
    nc = await connectNats(cfg.natsUrl, "lake-serve");
  } catch (e) {
    signals.release();
    throw e;
  }
  const { bronze, gold, lanes } = createWriters(cfg, opts, signals.abort.signal);
  const timeoutMs = (opts.shutdownTimeoutS ?? 30) * 1000;

  const started = await startUp(nc, bronze, gold, cfg.natsReplicas, signals, opts.until, timeoutMs, opts.share ? { ...opts, replicas: cfg.natsReplicas, timeoutMs } : null);
  if (started.exitCode !== undefined) return started.exitCode;
  const { jsm, untilStop, share } = started;
  log.info("lake serve running", { nats: cfg.natsUrl, root: cfg.dataRoot, consumers: lanes().map((p) => p.opts.durable).join(",") });

  for (const job of opts.background ?? []) job.start();
  const refreshLag = lagRefresher(jsm, lanes);
  const timer = startSummary(refreshLag, lanes, (opts.summaryIntervalS ?? 10) * 1000);
  const server = startMetrics(opts, nc, lanes, refreshLag, startedAt);

  const fatal = share ? share.fatal : Promise.race(lanes().map((p) => p.failed));
  const reason = await waitForStop(signals.stopSignal, untilStop, fatal);
  return shutDown({ nc, bronze, gold, share, lanes, timer, server, background: opts.background ?? [], signals, reason, timeoutMs });
}

interface StopSignals {
  stopSignal: Promise<void>;
  abort: AbortController;
  /** Remove the SIGINT/SIGTERM handlers. */
  release(): void;
}

function listenForStop(): StopSignals {
  let stopRequested!: () => void;
  const stopSignal = new Promise<void>((r) => (stopRequested = r));
  const abort = new AbortController();
  const onSignal = (sig: string) => {
    log.info("shutdown requested", { signal: sig });
    stopRequested();
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A write past a file-size limit (ulimit -f) must be an EFBIG error that the flush retries
  // like a full disk, not the signal's default action of killing the service.
  process.on("SIGXFSZ", () => {});
  return {
    stopSignal,
    abort,
    release: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function createWriters(cfg: Config, opts: ServeOptions, signal: AbortSignal) {
  const common = {
    dataRoot: cfg.dataRoot, useS3: cfg.useS3, s3: cfg.s3, ringBytes: opts.ringBytes, pullBatch: opts.pullBatch, ensureStreams: false,
    standby: opts.standby, only: opts.share ? undefined : opts.consumers, leaseTtlMs: opts.leaseTtlS !== undefined ? opts.leaseTtlS * 1000 : undefined, replicas: cfg.natsReplicas, acceptStreamReset: opts.acceptStreamReset, signal,
  };
  const bronze = new BronzeWriter({ ...common, bufferLimit: cfg.bronzeBufferLimit, flushIntervalSeconds: cfg.bronzeFlushIntervalS });
  const gold = new GoldWriter({ ...common, bufferLimit: cfg.goldBufferLimit, flushIntervalSeconds: cfg.goldFlushIntervalS });
  const lanes = (): IngestLane[] => [...bronze.lanes, ...gold.lanes];
  return { bronze, gold, lanes };
}

type StartUp = { exitCode: number; jsm?: undefined; untilStop?: undefined; share?: undefined } | { exitCode?: undefined; jsm: JetStreamManager; untilStop: Promise<"stop">; share: ConsumerShare | null };

interface SharingOptions {
  leaseTtlS?: number;
  replicas: number;
  consumers?: readonly string[];
  timeoutMs: number;
}

/**
 * Ensure the streams, then take every consumer's lease and start its lane. A stop request
 * during start-up wins the race: what started is stopped and the exit code is returned.
 */
async function startUp(nc: NatsConnection, bronze: BronzeWriter, gold: GoldWriter, replicas: Config["natsReplicas"], signals: StopSignals, until: Promise<unknown> | undefined, timeoutMs: number, sharing: SharingOptions | null): Promise<StartUp> {
  // Streams first (both writers need them), then every consumer independently: one that is
  // slow to recover (store unavailable) holds up no other. A signal ends start-up at once.
  // Sharing instead starts no lane here: the share takes consumers as they come free.
  let jsm!: JetStreamManager;
  let share: ConsumerShare | null = null;
  const starting = (async () => {
    const stop = signals.abort.signal;
    jsm = await retrying("connecting to JetStream", () => jetstreamManager(nc), undefined, undefined, stop);
    await retrying("creating/verifying the streams", () => ensureStreams(jsm, { replicas }), undefined, undefined, stop);
    if (!sharing) {
      // Leases in one global name order (bronze_writer_* < gold_writer_*), writer after writer:
      // two instances starting together could otherwise each win one writer's durables and both
      // refuse to start. Positioning and recovery then run for every consumer at once.
      await bronze.own(nc);
      await gold.own(nc);
      return void (await Promise.all([bronze.start(nc), gold.start(nc)]));
    }
    await Promise.all([bronze.attach(nc), gold.attach(nc)]);
    share = await startSharing(nc, jsm, [bronze, gold], sharing, signals.abort.signal);
  })();
  starting.catch(() => {}); // observed below; a signal may win the race first
  const untilStop = until?.then(() => "stop" as const) ?? new Promise<never>(() => {});
  let startedOk: "started" | "stop";
  try {
    startedOk = await Promise.race([starting.then(() => "started" as const), signals.stopSignal.then(() => "stop" as const), untilStop]);
  } catch (e) {
    // Leave nothing running (workers, timers, the connection) so the process can exit.
    signals.release();
    await Promise.all([bronze.stop(5_000), gold.stop(5_000)]).catch(() => {});
    await closeWithin(nc, 2_000);
    if (signals.abort.signal.aborted) {
      log.info("lake serve stopped before it owned its consumers");
      return { exitCode: 0 };
    }
    throw e;
  }
  if (startedOk === "stop") {
    log.info("stopping during start-up");
    const s = share as ConsumerShare | null;
    await s?.quiesce();
    const [okB, okG] = await Promise.all([bronze.stop(timeoutMs), gold.stop(timeoutMs)]);
    await s?.releaseAll();
    // nothing was committed through this connection yet: a drain would only wait for the
    // start-up request still in flight, so close at once
    await nc.close().catch(() => {});
    signals.release();
    return { exitCode: okB && okG ? 0 : 1 };
  }
  return { jsm, untilStop, share };
}

/** Open the lease bucket and join the other sharing instances (share.ts). */
async function startSharing(nc: NatsConnection, jsm: JetStreamManager, writers: WriterBase[], o: SharingOptions, signal: AbortSignal): Promise<ConsumerShare> {
  const ttlMs = o.leaseTtlS !== undefined ? o.leaseTtlS * 1000 : DEFAULT_LEASE_TTL_MS;
  const bucket = await retrying("opening the lease bucket", () => openLeaseBucket(nc, ttlMs, o.replicas), undefined, undefined, signal);
  const store = writers[0]!.storeConfig();
  const records = openStore(store);
  const share = new ConsumerShare({
    bucket, jsm, me: processIdentity(), consumers: writers.flatMap((w) => w.specs().map((spec) => ({ spec, host: w }))), pinned: o.consumers ?? null,
    localRoot: store.useS3 ? null : store.dataRoot, minEpoch: (d) => epochFloor(records, d), handBackTimeoutMs: o.timeoutMs, signal,
  });
  await share.start();
  return share;
}

/** Refreshes every lane's consumer lag (unknown when JetStream does not answer) and ring fill. */
function lagRefresher(jsm: JetStreamManager, lanes: () => IngestLane[]): () => Promise<void> {
  return async () => {
    for (const p of lanes()) {
      try {
        const info = await jsm.consumers.info(p.opts.stream, p.opts.durable);
        p.stats.lag = info.num_pending + info.num_ack_pending;
      } catch {
        p.stats.lag = null;
      }
      p.stats.ringFill = p.ringFill();
    }
  };
}

function startSummary(refreshLag: () => Promise<void>, lanes: () => IngestLane[], intervalMs: number): ReturnType<typeof setInterval> {
  const summary = new SummaryLine();
  return setInterval(() => {
    void refreshLag().then(() => log.info(summary.line(lanes().map((p) => p.stats))));
  }, intervalMs);
}

/** Prometheus /metrics and /healthz, when --metrics-port is given. */
function startMetrics(opts: ServeOptions, nc: NatsConnection, lanes: () => IngestLane[], refreshLag: () => Promise<void>, startedAt: number): ReturnType<typeof Bun.serve> | null {
  if (opts.metricsPort === undefined) return null;
  const host = opts.metricsHost ?? "127.0.0.1";
  const server = Bun.serve({
    port: opts.metricsPort,
    hostname: host,
    fetch: async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/healthz") {
        const h = await health(nc, lanes());
        return Response.json(h, { status: h.ok ? 200 : 503 });
      }
      if (path !== "/metrics") return new Response("see /metrics or /healthz\n", { status: 404 });
      // during an outage each lag request would wait out its timeout: report the lag unknown instead
      const natsUp = await natsConnected(nc);
      if (natsUp) await refreshLag();
      else for (const p of lanes()) p.stats.lag = null;
      return new Response(prometheusText(lanes().map((p) => p.stats), { startedAt, rssBytes: process.memoryUsage.rss(), natsConnected: natsUp }), {
        headers: { "content-type": "text/plain; version=0.0.4" },
      });
    },
  });
  log.info("metrics on", { url: `http://${host.includes(":") ? `[${host}]` : host}:${server.port}/metrics` });
  return server;
}

/** Resolves on a stop request (null) or with the first worker failure's reason. */
async function waitForStop(stopSignal: Promise<void>, untilStop: Promise<"stop">, fatal: Promise<string>) {
  const reason = await Promise.race([stopSignal.then(() => null), untilStop.then(() => null), fatal]);
  if (reason) log.error("stopping after a worker failure", { error: reason });
  return reason;
}

interface ShutDown {
  nc: NatsConnection;
  bronze: BronzeWriter;
  gold: GoldWriter;
  share: ConsumerShare | null;
  lanes: () => IngestLane[];
  timer: ReturnType<typeof setInterval>;
  server: ReturnType<typeof Bun.serve> | null;
  background: readonly BackgroundJob[];
  signals: StopSignals;
  reason: unknown;
  timeoutMs: number;
}

/**
 * Ordered shutdown (§7.4): stop fetching, drain, flush + commit + ack, close NATS — all
 * within the timeout. Past it, what is not committed is abandoned un-acked (JetStream
 * redelivers it to the next run) and the exit code says so.
 */
async function shutDown({ nc, bronze, gold, share, lanes, timer, server, background: jobs, signals, reason, timeoutMs }: ShutDown): Promise<number> {
  clearInterval(timer);
  server?.stop(true);
  // a take or hand-back under way finishes first, so every running lane is stopped below
  await share?.quiesce();
  // background jobs (compaction) stop beside ingest: a pass in flight is aborted, safely
  const background = Promise.all(jobs.map((j) => j.stop().catch(() => {})));
  const stopped = Promise.all([bronze.stop(timeoutMs), gold.stop(timeoutMs)]);
  const res = await Promise.race([stopped, Bun.sleep(timeoutMs + 2_000).then(() => null)]);
  if (!res) log.error("shutdown timeout reached: abandoning what is not committed (left un-acked in JetStream)", { timeoutS: timeoutMs / 1000 });
  const [okB, okG] = res ?? [false, false];
  await share?.releaseAll();
  await closeWithin(nc, 2_000);
  await background;
  signals.release();
  const ok = okB && okG && !reason;
  log.info(ok ? "lake serve stopped cleanly" : "lake serve stopped with errors (un-committed data stays un-acked in JetStream)", {
    rows: lanes().reduce((s, p) => s + p.stats.rowsCommitted, 0),
  });
  return ok ? 0 : 1;
}

/** Drain the connection (flushes the last acks), or close it if the server does not answer in time. */
async function closeWithin(nc: NatsConnection, ms: number): Promise<void> {
  const drained = await Promise.race([nc.drain().then(() => true, () => false), Bun.sleep(ms).then(() => false)]);
  if (!drained) await nc.close().catch(() => {});
}
