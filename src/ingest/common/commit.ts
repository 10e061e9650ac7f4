/**
 * The exactly-once commit protocol of one consumer (docs/ingest.md has the full argument).
 *
 * Per consumer (durable name) two small objects under `_ingest/{durable}/`:
 *   intent.json  — written (overwrite) BEFORE a flush's data files: flush id, stream-seq
 *                  range and every key the flush will create;
 *   commit.json  — written (overwrite) AFTER all of them: the watermark W (every message of
 *                  this consumer with stream seq ≤ W is durably in the lake or quarantine),
 *                  the flush id and running totals.
 * Both are atomic puts (temp+fsync+rename / completed PUT). At start-up, an intent whose
 * flush id is newer than the commit's is a half-finished flush: its keys are deleted (its
 * messages were never acked, JetStream still has them). The consumer is then positioned
 * at W + 1, so a crash between commit and ack cannot duplicate a row.
 */
import type { Store } from "../../storage/store";
import { getIfExists } from "../../storage/store";
import { errorMessage, LakeError } from "../../errors";

export interface CommitRecord {
  version: 1;
  consumer: string;
  table: string;
  flushId: number;
  /** Highest stream sequence durably handled (committed, quarantined or dropped as duplicate). */
  watermark: number;
  filesTotal: number;
  rowsTotal: number;
  quarantinedTotal: number;
  lastCommitAt: string | null;
  lastFiles: string[];
  /** Fencing epoch of the owner that wrote it (lease.ts); absent in records of older versions. */
  epoch?: number;
  /** The stream this watermark counts in: a different creation time means it was reset. */
  stream?: StreamIdentity;
}

export interface StreamIdentity {
  name: string;
  /** The stream's creation time as JetStream reports it. */
  created: string;
}

export interface Intent {
  version: 1;
  consumer: string;
  flushId: number;
  writer: string;
  fromSeq: number;
  toSeq: number;
  keys: string[];
  createdAt: string;
  epoch?: number;
}

export const commitKey = (consumer: string) => `_ingest/${consumer}/commit.json`;
export const intentKey = (consumer: string) => `_ingest/${consumer}/intent.json`;

/**
 * A commit or intent record that exists but cannot be read as one (empty, truncated, not
 * JSON, wrong shape): retrying cannot help, and guessing could lose or duplicate data. The
 * service refuses to start with this message; `lake ingest repair` rebuilds the record.
 */
export class TornRecordError extends LakeError {
  constructor(readonly key: string, readonly consumer: string, problem: string, root = "") {
    const what = key.endsWith("commit.json")
      ? `the commit record: {"version":1,"consumer":"${consumer}","flushId":N,"watermark":W,…} — every message with stream sequence ≤ W is in the lake`
      : `the flush intent: {"version":1,"consumer":"${consumer}","flushId":N,"fromSeq":…,"toSeq":…,"keys":[every file the flush creates],…}`;
    super(
      `${root ? `${root}/` : ""}${key} is unreadable (${problem}); it should hold ${what}. Stop every lake serve on this root, then repair it with ` +
        `\`lake ingest repair --durable ${consumer}\` (rebuilds the record from the stream-sequence ranges in the files' own metadata), and start again.`,
    );
    this.name = "TornRecordError";
  }
}

async function readRecord<T>(store: Store, key: string, consumer: string, valid: (v: Record<string, unknown>) => boolean): Promise<T | null> {
  const bytes = await getIfExists(store, key);
  if (bytes === null) return null;
  if (bytes.length === 0) throw new TornRecordError(key, consumer, "empty file", store.root);
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new TornRecordError(key, consumer, `not JSON: ${errorMessage(e)}`, store.root);
  }
  if (typeof v !== "object" || v === null || !valid(v as Record<string, unknown>)) throw new TornRecordError(key, consumer, "not a record of the expected shape", store.root);
  return v as T;
}

const isCount = (x: unknown) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
const validCommit = (v: Record<string, unknown>) => v.version === 1 && isCount(v.flushId) && isCount(v.watermark) && Array.isArray(v.lastFiles);
const validIntent = (v: Record<string, unknown>) => v.version === 1 && isCount(v.flushId) && Array.isArray(v.keys) && v.keys.every((k) => typeof k === "string");

export function emptyCommit(consumer: string, table: string): CommitRecord {
  return { version: 1, consumer, table, flushId: 0, watermark: 0, filesTotal: 0, rowsTotal: 0, quarantinedTotal: 0, lastCommitAt: null, lastFiles: [] };
}

export function readCommit(store: Store, consumer: string): Promise<CommitRecord | null> {
  return readRecord<CommitRecord>(store, commitKey(consumer), consumer, validCommit);
}

export function readIntent(store: Store, consumer: string): Promise<Intent | null> {
  return readRecord<Intent>(store, intentKey(consumer), consumer, validIntent);
}

export interface Recovery {
  commit: CommitRecord;
  /** Keys of a half-finished flush that were removed. */
  removed: string[];
}

/** A newer owner has written this durable's records: this process must write nothing. */
export class FencedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FencedError";
  }
}

export interface RecoverOptions {
  /** This owner's fencing epoch (0: unfenced, e.g. the direct Gold writer). */
  epoch?: number;
  /** Proves ownership right before the deletes (throws when it cannot). */
  fence?: () => Promise<void>;
}

/**
 * The highest owner epoch recorded in a durable's commit and intent records (0 if none or
 * torn — a torn record is start-up recovery's to report). A store that does not answer
 * throws: guessing 0 could hand out an epoch below the records'.
 */
export async function recordedEpoch(store: Store, consumer: string): Promise<number> {
  let e = 0;
  for (const read of [readCommit, readIntent]) {
    try {
      e = Math.max(e, (await read(store, consumer))?.epoch ?? 0);
    } catch (err) {
      if (!(err instanceof TornRecordError)) throw err;
    }
  }
  return e;
}

/** Start-up recovery: load the commit record and undo a flush that never committed. */
export async function recover(store: Store, consumer: string, table: string, opts: RecoverOptions = {}): Promise<Recovery> {
  const commit = (await readCommit(store, consumer)) ?? emptyCommit(consumer, table);
  const intent = await readIntent(store, consumer);
  const epoch = opts.epoch ?? 0;
  const newest = Math.max(commit.epoch ?? 0, intent?.epoch ?? 0);
  if (epoch > 0 && newest > epoch) throw new FencedError(`${consumer}: its records were written by a newer owner (epoch ${newest} > ours ${epoch}); this instance no longer owns it`);
  const removed: string[] = [];
  if (intent && intent.flushId > commit.flushId) {
    if (intent.keys.length) await opts.fence?.();
    for (const key of intent.keys) {
      if (await store.exists(key)) {
        await store.delete(key);
        removed.push(key);
      }
    }
  }
  return { commit, removed };
}

export async function writeIntent(store: Store, intent: Intent): Promise<void> {
  await store.put(intentKey(intent.consumer), JSON.stringify(intent), { overwrite: true, contentType: "application/json" });
}

/** Keep a commit record that a stream reset makes obsolete (never overwritten). */
export async function archiveCommit(store: Store, rec: CommitRecord, now = new Date()): Promise<string> {
  const key = `_ingest/${rec.consumer}/archive/commit-${now.toISOString().replace(/[-:.]/g, "")}-w${rec.watermark}.json`;
  await store.put(key, JSON.stringify(rec), { contentType: "application/json" });
  return key;
}

export async function writeCommit(store: Store, rec: CommitRecord): Promise<void> {
  await store.put(commitKey(rec.consumer), JSON.stringify(rec), { overwrite: true, contentType: "application/json" });
}

let counter = 0;

/** A writer id unique across processes and workers: pid + random. */
export function newWriterId(): string {
  const rnd = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0");
  return `w${process.pid.toString(36)}${rnd}`;
}

/**
 * `part-{YYYYMMDDTHHMMSSffffffZ}-{writer}-{flush}-{fromSeq}-{toSeq}.{ext}` (contracts §2.1
 * recommended form + the stream-sequence lineage of §9 F-4). Unique: the writer id is per
 * process, the flush id and a process counter are per file.
 */
export function partFileName(writer: string, flushId: number, fromSeq: number, toSeq: number, ext: string, now = new Date()): string {
  const iso = now.toISOString(); // 2026-01-02T03:04:05.678Z
  const stamp = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + "T" + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + iso.slice(20, 23) + String(counter++ % 1000).padStart(3, "0") + "Z";
  return `part-${stamp}-${writer}-${flushId}-${fromSeq}-${toSeq}.${ext}`;
}
