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
import type { Store } from "../storage/store";
import { ObjectNotFoundError } from "../storage/store";

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
}

export const commitKey = (consumer: string) => `_ingest/${consumer}/commit.json`;
export const intentKey = (consumer: string) => `_ingest/${consumer}/intent.json`;

async function readJson<T>(store: Store, key: string): Promise<T | null> {
  try {
    return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
  } catch (e) {
    if (e instanceof ObjectNotFoundError || (e as { name?: string }).name === "ObjectNotFoundError") return null;
    throw e;
  }
}

export function emptyCommit(consumer: string, table: string): CommitRecord {
  return { version: 1, consumer, table, flushId: 0, watermark: 0, filesTotal: 0, rowsTotal: 0, quarantinedTotal: 0, lastCommitAt: null, lastFiles: [] };
}

export function readCommit(store: Store, consumer: string): Promise<CommitRecord | null> {
  return readJson<CommitRecord>(store, commitKey(consumer));
}

export interface Recovery {
  commit: CommitRecord;
  /** Keys of a half-finished flush that were removed. */
  removed: string[];
}

/** Start-up recovery: load the commit record and undo a flush that never committed. */
export async function recover(store: Store, consumer: string, table: string): Promise<Recovery> {
  const commit = (await readCommit(store, consumer)) ?? emptyCommit(consumer, table);
  const intent = await readJson<Intent>(store, intentKey(consumer));
  const removed: string[] = [];
  if (intent && intent.flushId > commit.flushId) {
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
