/**
 * The exactly-once record of `lake import dbn`, under `_import/dbn/` (same intent/commit
 * pattern as ingest):
 *   intent-{sha256}.json  rewritten (atomic put) BEFORE each flush's data files: every key
 *                         this import of that file has created or is about to create (on a
 *                         local lake, written once before the first flush: the files are
 *                         staged, and an uncommitted import's staging folder goes whole);
 *   {sha256}.json          written AFTER all data files: the commit record. Its presence
 *                         makes a re-import of the same bytes a no-op.
 * Recovery (start of every import): an intent without a commit is a crashed import — its
 * keys are deleted, then the file is imported again from the start; an intent beside its
 * commit is an import killed while moving its staged files into place — the move is finished
 * (staging.ts).
 */
import { closeSync, openSync, readSync } from "node:fs";
import type { Store } from "../storage/store";
import { readJsonIfExists } from "../storage/store";
import { discardStaged, publishStaged, syncStaged, writeKeyFor } from "./staging";

import { IMPORT_PREFIX } from "./constants";

export { IMPORT_PREFIX };

export interface ImportCommit {
  version: 1;
  sha256: string;
  file: string;
  bytes: number;
  dataset: string;
  schema: string;
  dbnVersion: number;
  records: number;
  rows: Record<string, number>;
  skipped: Record<string, number>;
  duplicatesDropped: number;
  keys: string[];
  committedAt: string;
}

export interface ImportIntent {
  version: 1;
  sha256: string;
  file: string;
  keys: string[];
  createdAt: string;
}

export const commitKeyFor = (sha: string) => `${IMPORT_PREFIX}/${sha}.json`;
export const intentKeyFor = (sha: string) => `${IMPORT_PREFIX}/intent-${sha}.json`;

const readJson = readJsonIfExists;

export function readImportCommit(store: Store, sha: string): Promise<ImportCommit | null> {
  return readJson<ImportCommit>(store, commitKeyFor(sha));
}

export async function writeImportIntent(store: Store, intent: ImportIntent): Promise<void> {
  await store.put(intentKeyFor(intent.sha256), JSON.stringify(intent), { overwrite: true, contentType: "application/json" });
}

/** Commit: the staged names made durable, the record, then the staged files into place, then the intent goes. */
export async function writeImportCommit(store: Store, c: ImportCommit): Promise<void> {
  syncStaged(store, c.sha256);
  await store.put(commitKeyFor(c.sha256), JSON.stringify(c), { overwrite: true, contentType: "application/json" });
  publishStaged(store, c.sha256, c.keys);
  await store.delete(intentKeyFor(c.sha256)).catch(() => undefined);
}

/**
 * Start of every import: finish the imports that committed but did not finish moving their
 * files into place, and undo those that never committed. Returns the keys removed.
 */
export async function recoverImports(store: Store): Promise<string[]> {
  const removed: string[] = [];
  for (const obj of await store.list(`${IMPORT_PREFIX}/`)) {
    const m = /^_import\/dbn\/intent-([0-9a-f]{64})\.json$/.exec(obj.key);
    if (!m) continue;
    const sha = m[1]!;
    const commit = await readImportCommit(store, sha);
    if (commit) {
      publishStaged(store, sha, commit.keys);
      await store.delete(obj.key).catch(() => undefined);
      continue;
    }
    const intent = await readJson<ImportIntent>(store, obj.key);
    for (const key of intent?.keys ?? []) {
      for (const k of [key, writeKeyFor(store, sha, key)]) {
        if (await store.exists(k)) {
          await store.delete(k);
          removed.push(k);
        }
      }
    }
    discardStaged(store, sha);
    await store.delete(obj.key);
  }
  return removed;
}

/**
 * SHA-256 of a file's bytes, read into one reused buffer (a file stream allocates every chunk
 * afresh; its page faults cost more than the hashing).
 */
export async function fileSha256(path: string): Promise<string> {
  const h = new Bun.CryptoHasher("sha256");
  const buf = new Uint8Array(1 << 20);
  const fd = openSync(path, "r");
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}
