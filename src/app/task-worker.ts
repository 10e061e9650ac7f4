/**
 * `lake worker`: pulls date tasks from LAKE_TASKS and runs them on its own batch worker pool,
 * one pull loop per pool thread. A task is built into a fresh attempt folder, then handed to
 * its coordinator (request/reply); only an accepted result is acked. Heartbeats keep a long
 * date from being redelivered while this process is alive; a paused or dead process simply
 * stops heartbeating, and JetStream hands the task to another worker after the ack wait.
 *
 * Idle cost: each loop holds one long pull request (expires 5 s) — no busy polling, ~0 CPU.
 * Stopping (SIGTERM/SIGINT): no new pulls; tasks in progress are returned to the queue at
 * once (nak) so another worker starts them without waiting for the ack wait.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager, type Consumer, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { S3Settings } from "../config";
import { errorMessage, LakeError } from "../errors";
import { connectNats } from "../ingest/main/connection";
import { log } from "../log";
import type { BronzeSource } from "../silver/lineage";
import { s3Store, type Store } from "../storage";
import { attemptKey, attemptsOpen, dropPrefix, uploadAttempt } from "./bucket-attempts";
import { buildAlive, openBuildsBucket, purgeBuild } from "./build-liveness";
import { openBatchPool } from "./pool";
import { ensureTaskQueue, QUEUED_KINDS, taskAckWaitSeconds, TASK_CONSUMER, TASK_STREAM, type SilverTask, type TaskReply, type TaskResult } from "./task-queue";

export interface WorkerOptions {
  natsUrl: string;
  replicas: number;
  /** pool threads = tasks built at once */
  threads: number;
  /** exit after this many tasks (tests, benches); default: run until stopped */
  maxTasks?: number;
  /** This worker's own S3 settings: the credentials it reads an S3 Bronze with (tasks carry none). */
  s3?: S3Settings | null;
}

export interface WorkerSummary {
  worker: string;
  built: number;
  accepted: number;
  discarded: number;
  failed: number;
  returned: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
/** Expiry of one long pull: short enough that a pull lost in a leader election is re-issued quickly. */
const PULL_EXPIRES_MS = 5_000;

export async function runWorker(o: WorkerOptions, stop: AbortSignal): Promise<WorkerSummary> {
  const id = `${hostname()}:${process.pid}`;
  const nc = await connectNats(o.natsUrl, `lake-worker-${id}`);
  const summary: WorkerSummary = { worker: id, built: 0, accepted: 0, discarded: 0, failed: 0, returned: 0 };
  const pool = openBatchPool(o.threads);
  try {
    const jsm = await jetstreamManager(nc);
    await ensureTaskQueue(jsm, { replicas: o.replicas, ackWaitS: taskAckWaitSeconds(), updateAckWait: false });
    const consumer = await jetstream(nc).consumers.get(TASK_STREAM, TASK_CONSUMER);
    const builds = await openBuildsBucket(nc, o.replicas);
    const ackWaitMs = ((await consumerWithLeader(jsm)).config.ack_wait ?? 30e9) / 1e6;
    log.info("lake worker ready", { worker: id, threads: o.threads, ack_wait_s: ackWaitMs / 1000 });
    let taken = 0;
    const reclaimed = new Set<string>();
    const loop = async () => {
      let idleSince = Date.now();
      while (!stop.aborted && (o.maxTasks === undefined || taken < o.maxTasks)) {
        const m = await nextTask(consumer, stop);
        if (!m) continue;
        taken++;
        await handle(m, { id, nc, jsm, builds, reclaimed, pool, ackWaitMs, idleSince, stop, summary, s3: o.s3 ?? null });
        idleSince = Date.now();
      }
    };
    await Promise.all(Array.from({ length: o.threads }, loop));
  } finally {
    await pool.close();
    await nc.close().catch(() => {});
  }
  log.info("lake worker stopped", { ...summary });
  return summary;
}

/**
 * The consumer's info once it has a leader: a pull sent to a replicated consumer that is
 * still electing one is silently lost until it expires.
 */
async function consumerWithLeader(jsm: JetStreamManager) {
  for (let i = 0; ; i++) {
    const info = await jsm.consumers.info(TASK_STREAM, TASK_CONSUMER);
    if (!info.cluster || info.cluster.leader || i >= 100) return info;
    await Bun.sleep(100);
  }
}

/** One long pull; null when it expired, failed (logged, retried by the caller) or we are stopping. */
async function nextTask(consumer: Consumer, stop: AbortSignal): Promise<JsMsg | null> {
  if (stop.aborted) return null;
  try {
    const pull = consumer.next({ expires: PULL_EXPIRES_MS });
    const stopped = new Promise<null>((res) => stop.addEventListener("abort", () => res(null), { once: true }));
    const m = await Promise.race([pull, stopped]);
    if (m === null && stop.aborted) {
      // a task may still arrive for the abandoned pull: give it straight back
      void pull.then((late) => late?.nak()).catch(() => {});
    }
    return m;
  } catch (e) {
    log.warn(`pull from ${TASK_STREAM} failed; retrying`, { error: errorMessage(e) });
    await Bun.sleep(500);
    return null;
  }
}

interface Ctx {
  id: string;
  nc: NatsConnection;
  jsm: JetStreamManager;
  builds: KV;
  /** Builds whose queued tasks this worker already purged. */
  reclaimed: Set<string>;
  s3: S3Settings | null;
  pool: ReturnType<typeof openBatchPool>;
  ackWaitMs: number;
  idleSince: number;
  stop: AbortSignal;
  summary: WorkerSummary;
}

async function handle(m: JsMsg, c: Ctx): Promise<void> {
  const receivedAt = Date.now();
  let task: SilverTask;
  try {
    task = JSON.parse(dec.decode(m.data)) as SilverTask;
    if (!(QUEUED_KINDS as readonly string[]).includes(task.kind)) throw new Error(`unknown task kind ${JSON.stringify(task.kind)}`);
  } catch (e) {
    log.error("unreadable task removed from the queue", { error: errorMessage(e), seq: m.seq });
    m.term();
    return;
  }
  const date = task.payload.date;
  if ((await buildAlive(c.builds, task.build_id)) === false) {
    m.term();
    await reclaim(c, task.build_id, `task of ${date} dropped`);
    return;
  }
  // a task whose result is files gets a fresh attempt folder; a look-ahead date's result travels in the hand-over
  const bucket = task.kind === "silver.buildDate" && task.attempts_key ? attemptsBucket(task.payload.bronze, c.s3) : null;
  const key = bucket && task.kind === "silver.buildDate" ? { store: bucket, prefix: task.attempts_key!, attempt: attemptKey(task.attempts_key!, date, c.id, m.info.deliveryCount) } : null;
  const attemptDir = task.attempts_dir ? join(task.attempts_dir, `${date}.${c.id.replace(/[^A-Za-z0-9.-]/g, "_")}.${m.info.deliveryCount}`) : "";
  // Silver in the bucket: built in a private folder here, uploaded under the build's attempts prefix
  let buildDir = attemptDir;
  const dropLocal = () => key && buildDir && rmSync(buildDir, { recursive: true, force: true });
  const dropAttempt = async () => {
    if (attemptDir) rmSync(attemptDir, { recursive: true, force: true });
    dropLocal();
    if (key) await dropPrefix(key.store, key.attempt).catch(() => {});
  };
  const open = key ? await attemptsOpen(key.store, key.prefix).catch((e) => errorMessage(e)) : true;
  if (typeof open === "string") {
    // the bucket did not answer: not a verdict on the build, let a later attempt look again
    log.warn("could not check the build's attempts prefix; task returned to the queue", { date, build: task.build_id, error: open });
    m.nak(1_000);
    return;
  }
  try {
    if (!open) throw new Error(`its attempts prefix ${key!.prefix} is closed`);
    if (key) buildDir = mkdtempSync(join(tmpdir(), "lake-attempt-"));
    // not recursive on purpose: once the build is over its attempts folder is gone, and so is the task
    if (attemptDir) mkdirSync(attemptDir);
  } catch (e) {
    log.info("task of a finished or abandoned build dropped", { date, build: task.build_id, reason: errorMessage(e) });
    m.term();
    return;
  }
  log.info("task started", { date, build: task.build_id, delivery: m.info.deliveryCount });
  const heartbeat = setInterval(() => m.working(), Math.max(250, c.ackWaitMs / 3));
  const onStop = () => {
    // hand the task back now rather than after the ack wait
    clearInterval(heartbeat);
    m.nak();
    c.summary.returned++;
  };
  c.stop.addEventListener("abort", onStop, { once: true });
  let result: unknown;
  let error: string | undefined;
  try {
    const bronze = withOwnKeys(task.payload.bronze, c.s3);
    result = await c.pool.run(task.kind, task.kind === "silver.buildDate" ? { ...task.payload, bronze, outDir: buildDir } : { ...task.payload, bronze });
    if (key && (result as { file?: string | null }).file) await uploadAttempt(key.store, key.attempt, buildDir, date);
    c.summary.built++;
  } catch (e) {
    error = errorMessage(e);
  }
  dropLocal();
  if (c.stop.aborted) {
    await dropAttempt();
    return;
  }
  c.stop.removeEventListener("abort", onStop);
  const report: TaskResult = { build_id: task.build_id, key: task.key, date, worker: c.id, attempt_dir: key ? key.attempt : attemptDir, ok: !error, result, error, idle_since: Math.max(c.idleSince, task.published_at), received_at: receivedAt, built_at: Date.now() };
  try {
    const reply = await handOver(c, task, report, key);
    if (reply.accepted) {
      c.summary.accepted++;
      if (error) c.summary.failed++;
      await m.ackAck().catch(() => m.ack());
      log.info(error ? "task failed (reported)" : "task done", { date, build: task.build_id, ...(error ? { error } : { rows: (result as { rows?: number } | undefined)?.rows ?? null }) });
    } else if (reply.retry) {
      // the coordinator may still be there (a partition): let another attempt try later
      await dropAttempt();
      m.nak(1_000);
      log.warn("result not handed over; task returned to the queue", { date, build: task.build_id, reason: reply.reason });
    } else {
      c.summary.discarded++;
      await dropAttempt();
      m.term();
      if (reply.coordinatorGone) await reclaim(c, task.build_id, `result of ${date} dropped`);
      else log.info("late result discarded", { date, build: task.build_id, reason: reply.reason });
    }
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * Ask the coordinator to accept the result. The build is over when its attempts folder is
 * gone (the coordinator removes it last): then the result is discarded. Otherwise silence or
 * "no responders" is a coordinator between servers (a failover): ask again for a while, then
 * return the task to the queue.
 */
async function handOver(c: Ctx, task: SilverTask, r: TaskResult, bucket: { store: Store; prefix: string } | null): Promise<TaskReply & { coordinatorGone?: boolean }> {
  for (let attempt = 1; ; attempt++) {
    if (task.attempts_dir && !existsSync(task.attempts_dir)) return { accepted: false, reason: "the build is over" };
    if (bucket && !(await attemptsOpen(bucket.store, bucket.prefix).catch(() => true))) return { accepted: false, reason: "the build is over" };
    try {
      const m = await c.nc.request(task.result_subject, enc.encode(JSON.stringify(r)), { timeout: 10_000 });
      return JSON.parse(dec.decode(m.data)) as TaskReply;
    } catch (e) {
      if ((await buildAlive(c.builds, task.build_id)) === false) return { accepted: false, coordinatorGone: true, reason: "its coordinator is gone" };
      if (attempt >= 20) return { accepted: false, retry: true, reason: `coordinator unreachable: ${errorMessage(e)}` };
      await Bun.sleep(500);
    }
  }
}

/**
 * A task names where the lake's Bronze is (bucket and prefix) but carries no keys: the
 * worker reads it with its own endpoint, region and credentials (S3_* / AWS_* of its machine).
 */
function withOwnKeys(bronze: BronzeSource, own: S3Settings | null): BronzeSource {
  if (!bronze.useS3 || !bronze.s3) return bronze;
  if (!own) throw new LakeError(`this date's Bronze is in S3 bucket ${bronze.s3.bucket} but this worker has no S3 settings: start it with DATA_ROOT=s3://${bronze.s3.bucket}/${bronze.s3.prefix} and its credentials (S3_ACCESS_KEY, S3_SECRET_KEY)`);
  return { ...bronze, s3: { ...own, bucket: bronze.s3.bucket, prefix: bronze.s3.prefix } };
}

/** The lake's bucket, read and written with this worker's own keys; null without S3 settings (the date then fails saying so). */
function attemptsBucket(bronze: BronzeSource, own: S3Settings | null): Store | null {
  return own && bronze.s3 ? s3Store(withOwnKeys(bronze, own).s3!) : null;
}

/** The build's coordinator is gone: purge its queued tasks (once per build) rather than build them. */
async function reclaim(c: Ctx, buildId: string, what: string): Promise<void> {
  if (c.reclaimed.has(buildId)) return log.info(`${what}: its coordinator is gone`, { build: buildId });
  c.reclaimed.add(buildId);
  const purged = await purgeBuild(c.jsm, buildId).catch(() => 0);
  log.warn(`${what}: its coordinator is gone; reclaimed the build's queued tasks`, { build: buildId, purged });
}
