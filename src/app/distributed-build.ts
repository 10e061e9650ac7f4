/**
 * The coordinator of a distributed Silver build: the builder's date runner, backed by the
 * LAKE_TASKS queue instead of the local worker pool. Everything else — the staging folder,
 * the manifest, validation, lineage and the atomic swap — is the local build's code, so a
 * distributed build publishes exactly what a local one does.
 *
 * Per date: publish a task (msg id build:date, so a retried publish is stored once), then
 * wait for the first result a worker asks us to accept; move its file from the worker's
 * attempt folder into staging, reply "accepted", resolve. Later results for the same date
 * (a redelivered task finished twice, a worker resumed after a pause) are answered "not
 * accepted" and their attempt folders removed. When the build ends, the attempts folder is
 * removed first: a worker still building can no longer write anywhere that is published.
 * When the lake's Silver is in its bucket the attempts are there instead (bucket-attempts.ts):
 * the accepted one is downloaded into staging, so workers need no access to this machine.
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { uniqueSuffix } from "../core/atomic-file";
import { LakeError, errorMessage } from "../errors";
import { connectNats } from "../ingest/main/connection";
import { log } from "../log";
import { featuresFileName, type BuildDatePayload, type BuildDateResult } from "../silver/build-date";
import { SilverFeatureBuilder } from "../silver/builder";
import type { BronzeSource } from "../silver/lineage";
import type { LookaheadDateRunner } from "../silver/lookahead/analyse";
import type { DatePart } from "../silver/lookahead/date-part";
import type { LookaheadDatePayload, LookaheadDateResult } from "../silver/lookahead/date-task";
import type { Store } from "../storage";
import type { SilverPlace } from "./silver-build";
import { attemptsPrefix, closeAttempts, collectAttempt, dropPrefix, openAttempts } from "./bucket-attempts";
import { BuildBeacon, openBuildsBucket, reclaimDeadBuilds } from "./build-liveness";
import {
  ensureTaskQueue, MAX_DELIVERIES_ADVISORY, resultSubject, taskAckWaitSeconds, taskSubject, TASK_CONSUMER, TASK_MAX_DELIVER, TASK_STREAM,
  type SilverTask, type TaskReply, type TaskResult,
} from "./task-queue";

/** Where and how long each date spent, for `--json` and bench:distributed. */
export interface DateCoordination {
  date: string;
  worker: string;
  /** publish → accepted, ms */
  total_ms: number;
  build_ms: number;
  /** time the date spent queued behind other dates (no worker was free), ms */
  queued_ms: number;
  /** total − queued − build: publish, delivery, result hand-over, move into staging, ms */
  overhead_ms: number;
  /** results for this date that arrived after the accepted one and were discarded */
  discarded: number;
}

interface Pending {
  key: string;
  date: string;
  task: SilverTask;
  publishedAt: number;
  seq: number;
  accepted: string | null;
  discarded: number;
  /** results of one key are judged one at a time (collecting one from the bucket takes a while) */
  judging: Promise<void>;
  resolve(r: unknown): void;
  reject(e: Error): void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class DistributedDates {
  readonly buildId = `b${uniqueSuffix().replace(/[^A-Za-z0-9]/g, "")}`;
  readonly coordination: DateCoordination[] = [];
  private js!: JetStreamClient;
  private jsm!: JetStreamManager;
  private subs: Subscription[] = [];
  private pending = new Map<string, Pending>();
  private attemptsDir: string | null = null;
  /** the attempts prefix in the bucket, when Silver is there */
  private attemptsKey: string | null = null;
  private outDir: string | null = null;
  private waitingHint: ReturnType<typeof setInterval> | null = null;
  private lastResultAt = Date.now();
  private beacon: BuildBeacon | null = null;
  /** Bumped when the unfinished dates are queued again (the duplicate window would drop a same-id copy). */
  private generation = 0;

  private constructor(private readonly nc: NatsConnection, private readonly bucket: Store | null) {}

  /** `bucket`: the lake's store when its Silver lives there (attempts go to the bucket, not to a local folder). */
  static async open(natsUrl: string, replicas: number, bucket: Store | null = null): Promise<DistributedDates> {
    const nc = await connectNats(natsUrl, "lake-coordinator");
    const d = new DistributedDates(nc, bucket);
    try {
      d.jsm = await jetstreamManager(nc);
      d.js = jetstream(nc);
      await ensureTaskQueue(d.jsm, { replicas, ackWaitS: taskAckWaitSeconds(), updateAckWait: true });
      const builds = await openBuildsBucket(nc, replicas);
      d.beacon = await BuildBeacon.start(builds, d.buildId, () => d.requeue());
      await reclaimDeadBuilds(d.jsm, builds);
      d.waitingHint = setInterval(() => void d.hintIfIdle(), 10_000);
      d.subs.push(nc.subscribe(resultSubject(d.buildId), { callback: (err, m) => void (err || d.judge(m.data, (r) => m.respond(enc.encode(JSON.stringify(r))))) }));
      d.subs.push(nc.subscribe(MAX_DELIVERIES_ADVISORY, { callback: (err, m) => void (err || d.onMaxDeliveries(m.data)) }));
      await nc.flush();
    } catch (e) {
      await nc.close();
      throw e;
    }
    return d;
  }

  /** The builder's DateRunner: queue the date and resolve with the accepted result. */
  readonly runDate = async (p: BuildDatePayload): Promise<BuildDateResult> => {
    await this.prepare(p.outDir, p.manifest.version);
    const { outDir: _o, ...payload } = p;
    const base = { build_id: this.buildId, key: p.date, result_subject: resultSubject(this.buildId), published_at: Date.now() };
    const where = this.attemptsKey ? { attempts_dir: "", attempts_key: this.attemptsKey } : { attempts_dir: this.attemptsDir! };
    return (await this.submit({ ...base, kind: "silver.buildDate", ...where, payload: { ...payload, bronze: withoutKeys(p.bronze) } })) as BuildDateResult;
  };

  /** One date of a distributed look-ahead analysis: count its events, or analyse the chosen rows. */
  async runLookahead(payload: LookaheadDatePayload): Promise<LookaheadDateResult> {
    const base = { build_id: this.buildId, key: `${payload.mode}:${payload.date}`, result_subject: resultSubject(this.buildId), published_at: Date.now() };
    return (await this.submit({ ...base, kind: "silver.lookaheadDate", attempts_dir: "", payload: { ...payload, bronze: withoutKeys(payload.bronze) } })) as LookaheadDateResult;
  }

  /** Queue a task and resolve with the first result a worker hands over for its key. */
  private submit(task: SilverTask): Promise<unknown> {
    if (this.pending.has(task.key)) throw new LakeError(`${task.key} requested twice in one build`);
    return new Promise<unknown>((resolve, reject) => {
      const entry: Pending = { key: task.key, date: task.payload.date, task, publishedAt: task.published_at, seq: 0, accepted: null, discarded: 0, judging: Promise.resolve(), resolve, reject };
      this.pending.set(task.key, entry);
      this.publish(entry);
    });
  }

  private publish(entry: Pending): void {
    this.js
      .publish(taskSubject(this.buildId), enc.encode(JSON.stringify(entry.task)), { msgID: `${this.buildId}:${entry.key}:${this.generation}`, retries: 10 })
      .then((ack) => (entry.seq = ack.seq))
      .catch((e) => {
        if (entry.accepted !== null) return;
        entry.accepted = "(not queued)";
        entry.reject(new LakeError(`could not queue ${entry.date} on ${TASK_STREAM}: ${errorMessage(e)}`));
      });
  }

  /** Our liveness key had lapsed, so workers may have purged our tasks: queue every unfinished date again. */
  private requeue(): void {
    this.generation++;
    for (const p of this.pending.values()) if (p.accepted === null) this.publish(p);
  }

  /** The attempts folder sits next to the staging folder, on the same filesystem (a rename moves a result in). */
  private preparing: Promise<void> | null = null;
  private prepare(outDir: string, version: string): Promise<void> {
    this.preparing ??= this.prepareOnce(outDir, version);
    return this.preparing;
  }

  private async prepareOnce(outDir: string, version: string): Promise<void> {
    this.outDir = outDir;
    if (this.bucket) {
      const key = attemptsPrefix(version, this.buildId);
      await openAttempts(this.bucket, key);
      this.attemptsKey = key;
      return;
    }
    // one folder per build: a dead build's late workers never write into a later build's
    this.attemptsDir = join(dirname(outDir), `${basename(outDir)}.attempts-${this.buildId}`);
    mkdirSync(this.attemptsDir, { recursive: true });
  }

  private async hintIfIdle(): Promise<void> {
    if (Date.now() - this.lastResultAt < 10_000 || ![...this.pending.values()].some((p) => !p.accepted)) return;
    const info = await this.jsm.consumers.info(TASK_STREAM, TASK_CONSUMER).catch(() => null);
    const waiting = info?.num_waiting ?? 0;
    const inFlight = info?.num_ack_pending ?? 0;
    if (waiting === 0 && inFlight === 0) log.warn(`no \`lake worker\` is pulling from ${TASK_STREAM}: start one (same NATS_URL and DATA_ROOT) to build the queued dates`, { queued: info?.num_pending ?? null });
  }

  /** Results of one key wait for the one before them: the first is accepted (or refused) before the next is judged. */
  private judge(data: Uint8Array, reply: (r: TaskReply) => void): void {
    let r: TaskResult;
    try {
      r = JSON.parse(dec.decode(data)) as TaskResult;
    } catch {
      return reply({ accepted: false, reason: "unreadable result" });
    }
    const p = this.pending.get(r.key);
    if (!p) return reply({ accepted: false, reason: `${r.key} is not part of build ${this.buildId}` });
    p.judging = p.judging.then(() => this.onResult(p, r, reply)).catch((e) => log.warn("could not judge a result", { date: r.date, error: errorMessage(e) }));
  }

  private dropAttempt(attempt: string): Promise<void> {
    if (!attempt) return Promise.resolve();
    if (this.attemptsKey) return dropPrefix(this.bucket!, attempt);
    rmSync(attempt, { recursive: true, force: true });
    return Promise.resolve();
  }

  private async onResult(p: Pending, r: TaskResult, reply: (r: TaskReply) => void): Promise<void> {
    // which attempt this is: its folder, or (no files) the worker and when it took the task
    const attempt = r.attempt_dir || `${r.worker}@${r.received_at}`;
    if (p.accepted !== null) {
      // the accepting reply was lost and the worker asks again: same answer
      if (p.accepted === attempt) return reply({ accepted: true });
      p.discarded++;
      await this.dropAttempt(r.attempt_dir).catch(() => {});
      log.info("discarded a late result", { date: r.date, worker: r.worker, accepted_from: p.accepted });
      return reply({ accepted: false, reason: `date ${r.date} already has a result` });
    }
    try {
      const built = r.ok && p.task.kind === "silver.buildDate" ? (r.result as BuildDateResult) : null;
      if (built?.file && this.attemptsKey) {
        await collectAttempt(this.bucket!, r.attempt_dir, r.date, built.sha256, this.outDir!);
      } else if (built?.file) {
        mkdirSync(join(this.outDir!, `date=${r.date}`), { recursive: true });
        renameSync(join(r.attempt_dir, featuresFileName(r.date)), join(this.outDir!, featuresFileName(r.date)));
      }
    } catch (e) {
      return reply({ accepted: false, retry: true, reason: `could not move the result into staging: ${errorMessage(e)}` });
    }
    if (p.accepted !== null) return reply({ accepted: false, reason: `date ${r.date} already has a result` });
    p.accepted = attempt;
    await this.dropAttempt(r.attempt_dir).catch((e) => log.warn("could not remove an accepted attempt (the sweep will)", { date: r.date, error: errorMessage(e) }));
    this.lastResultAt = Date.now();
    const now = Date.now();
    const buildMs = r.built_at - r.received_at;
    const queued = Math.max(0, r.idle_since - p.publishedAt);
    this.coordination.push({ date: r.date, worker: r.worker, total_ms: now - p.publishedAt, build_ms: buildMs, queued_ms: queued, overhead_ms: now - p.publishedAt - queued - buildMs, discarded: 0 });
    reply({ accepted: true });
    log.debug("date accepted", { date: r.date, worker: r.worker, build_ms: buildMs });
    if (r.ok) p.resolve(r.result);
    else p.reject(new Error(r.error ?? "the worker reported a failure"));
  }

  private onMaxDeliveries(data: Uint8Array): void {
    let seq = 0;
    try {
      seq = (JSON.parse(dec.decode(data)) as { stream_seq?: number }).stream_seq ?? 0;
    } catch {
      return;
    }
    const p = [...this.pending.values()].find((x) => x.seq === seq && x.accepted === null);
    if (!p) return;
    p.accepted = "(given up)";
    p.reject(new Error(`no worker finished it in ${TASK_MAX_DELIVER} deliveries (workers died or were cut off each time)`));
  }

  /** Stop accepting, drop what is left of this build in the queue and every attempt folder. */
  async close(): Promise<void> {
    if (this.waitingHint) clearInterval(this.waitingHint);
    await this.beacon?.stop();
    for (const s of this.subs) s.unsubscribe();
    for (const p of this.pending.values()) if (p.accepted === null) p.reject(new Error("build closed"));
    for (const c of this.coordination) c.discarded = this.pending.get(c.date)?.discarded ?? 0;
    await this.jsm.streams.purge(TASK_STREAM, { filter: taskSubject(this.buildId) }).catch((e) => log.warn(`could not purge the build's tasks: ${errorMessage(e)}`));
    if (this.attemptsDir) removeTree(this.attemptsDir);
    if (this.attemptsKey) await closeAttempts(this.bucket!, this.attemptsKey).catch((e) => log.warn(`could not remove the build's attempts in the bucket (the sweep will): ${errorMessage(e)}`));
    await this.nc.close();
  }
}

/** The lake's place travels, its keys do not: each worker reads with its own (task-worker.ts). */
function withoutKeys(bronze: BronzeSource): BronzeSource {
  return { ...bronze, s3: bronze.s3 && { ...bronze.s3, accessKeyId: "", secretAccessKey: "", sessionToken: undefined } };
}

/** rm -rf that tolerates a worker creating files inside meanwhile (ENOTEMPTY): try again. */
function removeTree(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch (e) {
      if (i >= 5) throw e;
      Bun.sleepSync(50);
    }
  }
}

/** A builder whose dates run on `lake worker` processes through LAKE_TASKS, closed when `fn` settles. */
export async function withDistributedBuilder<T>(place: SilverPlace, nats: { url: string; replicas: number; bucket?: Store | null }, fn: (b: SilverFeatureBuilder, d: DistributedDates) => Promise<T>): Promise<T> {
  const d = await DistributedDates.open(nats.url, nats.replicas, nats.bucket ?? null);
  try {
    return await fn(new SilverFeatureBuilder(place.root, { bronze: place.bronze, runDate: d.runDate }), d);
  } finally {
    await d.close();
  }
}

/** A look-ahead analysis whose dates run on `lake worker` processes through LAKE_TASKS, closed when `fn` settles. */
export async function withDistributedLookahead<T>(nats: { url: string; replicas: number }, base: Pick<LookaheadDatePayload, "variant" | "config" | "bronze">, fn: (run: LookaheadDateRunner) => Promise<T>): Promise<T> {
  const d = await DistributedDates.open(nats.url, nats.replicas);
  try {
    return await fn({
      count: async (date) => (await d.runLookahead({ ...base, mode: "count", date, rows: null })) as { events: number; skipped?: string },
      analyse: async (date, rows) => (await d.runLookahead({ ...base, mode: "analyse", date, rows })) as DatePart,
    });
  } finally {
    await d.close();
  }
}
