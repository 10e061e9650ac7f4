/**
 * The distributed batch queue: one JetStream work-queue stream (LAKE_TASKS) that a
 * coordinator (`lake silver … --distributed`) fills with one task per date, and one shared
 * durable pull consumer that every `lake worker` pulls from. JetStream does the hard parts:
 * a task is handed to one worker at a time, redelivered after the ack wait when its worker
 * dies (heartbeats — `working()` — keep a live worker's task), deleted once acked.
 *
 * Results do not travel through the queue: a worker writes its date into an attempt folder
 * next to the build's staging folder (or, when Silver is in the lake's bucket, under the
 * build's attempts prefix there) and asks the coordinator (request/reply on the build's
 * result subject) to accept it. The coordinator accepts the first result per date and
 * discards every later one, so a redelivered task can never publish a second copy.
 */
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, type JetStreamManager } from "@nats-io/jetstream";
import { LakeError, errorMessage } from "../errors";
import type { BuildDatePayload } from "../silver/build-date";
import type { LookaheadDatePayload } from "../silver/lookahead/date-task";

export const TASK_STREAM = "LAKE_TASKS";
export const TASK_CONSUMER = "lake-workers";
const TASK_SUBJECTS = "lake.tasks.>";
/** A task whose workers all die this many times is given up (the coordinator reports the date as failed). */
export const TASK_MAX_DELIVER = 5;
const DEFAULT_ACK_WAIT_S = 30;
const NS = 1_000_000_000;

/** Seconds a task may go without a heartbeat before JetStream hands it to another worker. */
export function taskAckWaitSeconds(env: Record<string, string | undefined> = process.env): number {
  const raw = env.LAKE_TASK_ACK_WAIT_S;
  if (raw === undefined || raw === "") return DEFAULT_ACK_WAIT_S;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1 || n > 3600) throw new LakeError(`LAKE_TASK_ACK_WAIT_S must be a number of seconds in [1, 3600], got ${JSON.stringify(raw)}`);
  return n;
}

export const taskSubject = (buildId: string) => `lake.tasks.silver.${buildId}`;
export const resultSubject = (buildId: string) => `lake.results.${buildId}`;
/** JetStream publishes this when a task reached TASK_MAX_DELIVER deliveries without an ack. */
export const MAX_DELIVERIES_ADVISORY = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${TASK_STREAM}.${TASK_CONSUMER}`;

/** The pool tasks a queued task may name: a date's Silver build, a date's look-ahead analysis. */
export const QUEUED_KINDS = ["silver.buildDate", "silver.lookaheadDate"] as const;

/** One unit of a distributed run (a date to build or analyse), as queued. */
export type SilverTask = {
  build_id: string;
  /** unique within the build: the date, or mode:date for look-ahead */
  key: string;
  result_subject: string;
  published_at: number;
} & (
  | {
      kind: "silver.buildDate";
      /** where the worker creates its attempt folder (must exist: it is gone once the build is over) */
      attempts_dir: string;
      /** the lake's Silver is in its bucket: the attempts prefix there (bucket-attempts.ts); attempts_dir is then "" */
      attempts_key?: string;
      /** payload without outDir: the worker's attempt folder is its outDir */
      payload: Omit<BuildDatePayload, "outDir">;
    }
  | {
      kind: "silver.lookaheadDate";
      /** none: the result is small and travels in the hand-over itself */
      attempts_dir: "";
      payload: LookaheadDatePayload;
    }
);

/** What a worker reports for one attempt. */
export interface TaskResult {
  build_id: string;
  key: string;
  date: string;
  worker: string;
  /** the attempt's folder, or its key prefix in the bucket; "" when the result has no files */
  attempt_dir: string;
  ok: boolean;
  /** the pool task's result (BuildDateResult, LookaheadDateResult) */
  result?: unknown;
  error?: string;
  /** ms since the epoch: when the worker became free to take this task, received it, finished building */
  idle_since: number;
  received_at: number;
  built_at: number;
}

export interface TaskReply {
  accepted: boolean;
  reason?: string;
  /** not accepted, but not a verdict on the date either (its file could not be collected): deliver the task again */
  retry?: boolean;
}

/** Create the stream and the workers' consumer when missing; keep the coordinator's ack wait current. */
export async function ensureTaskQueue(jsm: JetStreamManager, o: { replicas: number; ackWaitS: number; updateAckWait: boolean }): Promise<void> {
  try {
    await jsm.streams.info(TASK_STREAM);
  } catch {
    try {
      await jsm.streams.add({
        name: TASK_STREAM,
        subjects: [TASK_SUBJECTS],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        num_replicas: o.replicas,
        max_age: 7 * 86_400 * NS,
        duplicate_window: 120 * NS,
      });
    } catch (e) {
      // another process created it meanwhile: fine if it is there now
      await jsm.streams.info(TASK_STREAM).catch(() => {
        throw new LakeError(`JetStream stream ${TASK_STREAM} could not be created: ${errorMessage(e)}`);
      });
    }
  }
  const want = {
    durable_name: TASK_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: Math.round(o.ackWaitS * NS),
    max_deliver: TASK_MAX_DELIVER,
  };
  let existing;
  try {
    existing = await jsm.consumers.info(TASK_STREAM, TASK_CONSUMER);
  } catch {
    existing = null;
  }
  if (!existing) {
    try {
      await jsm.consumers.add(TASK_STREAM, want);
    } catch (e) {
      if (!(await jsm.consumers.info(TASK_STREAM, TASK_CONSUMER).catch(() => null))) throw new LakeError(`JetStream consumer ${TASK_CONSUMER} could not be created: ${errorMessage(e)}`);
    }
  } else if (o.updateAckWait && existing.config.ack_wait !== want.ack_wait) {
    await jsm.consumers.update(TASK_STREAM, TASK_CONSUMER, { ack_wait: want.ack_wait });
  }
}
