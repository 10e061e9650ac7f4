/**
 * Invisible until committed: on a local lake, an import writes its Parquet files under
 * `_import/dbn/staging/{sha256}/` (readers never look there) and moves them into
 * their partitions only after the commit record exists — link(2) then unlink, so a file
 * appears whole or not at all and an existing file is never replaced. A crash while moving is
 * finished by the next import (the commit record lists every key). On S3 there is no rename:
 * files go straight to their keys, as live ingest does, and an uncommitted import's files are
 * removed by the next run.
 */
import { existsSync, linkSync, mkdirSync, rmSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fsyncDir } from "../core/atomic-file";
import type { Store } from "../storage/store";
import { IMPORT_PREFIX } from "./constants";

export function stagingRoot(sha: string): string {
  return `${IMPORT_PREFIX}/staging/${sha}`;
}

export function stages(store: Store): boolean {
  return store.kind === "file" && typeof store.localRoot === "string";
}

/**
 * Where a file of this import is written first: flat in the staging folder (no partition
 * directories to create and remove), named by table and file name, e.g.
 * `futures_trades-part-20201228T130000000000Z-dbn…-0.parquet`.
 */
export function writeKeyFor(store: Store, sha: string, key: string): string {
  if (!stages(store)) return key;
  const parts = key.split("/");
  return `${stagingRoot(sha)}/${parts[1]}_${parts[2]}-${parts[parts.length - 1]}`;
}

/**
 * Write one staged file: under its final staging name (no temp file and link: nothing reads
 * the staging folder, and an import that never commits has its folder removed whole), bytes
 * fsynced; the folder itself is fsynced once, just before the commit record (syncStaged),
 * instead of once per file.
 */
export function writeStaged(store: Store, sha: string, key: string, bytes: Uint8Array): Promise<void> {
  return store.put(writeKeyFor(store, sha, key), bytes, { staged: true });
}

/** Make the staged files' names (and their folder's) durable: before the commit record says they exist. */
export function syncStaged(store: Store, sha: string): void {
  if (!stages(store)) return;
  const dir = join(store.localRoot!, stagingRoot(sha));
  fsyncDir(dir);
  fsyncDir(dirname(dir));
}

/** Move every staged file of a committed import into place (idempotent). */
export function publishStaged(store: Store, sha: string, keys: readonly string[]): void {
  if (!stages(store)) return;
  const root = store.localRoot!;
  const dirs = new Set<string>();
  for (const key of keys) {
    const src = join(root, writeKeyFor(store, sha, key));
    if (!existsSync(src)) continue; // moved by an earlier, interrupted run
    const dst = join(root, key);
    if (!dirs.has(dirname(dst))) mkdirSync(dirname(dst), { recursive: true });
    if (!existsSync(dst)) linkSync(src, dst);
    unlinkSync(src);
    dirs.add(dirname(dst));
  }
  for (const d of dirs) fsyncDir(d);
  discardStaged(store, sha);
}

export function discardStaged(store: Store, sha: string): void {
  if (!stages(store)) return;
  rmSync(join(store.localRoot!, stagingRoot(sha)), { recursive: true, force: true });
}
