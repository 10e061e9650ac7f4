/**
 * Keeps the S3 read cache (src/read/lake-files.ts) within a size cap.
 *
 * Without it every object a long-running reader or a series of `lake query` runs ever
 * touched stays on disk forever and eventually fills it. Eviction is least-recently-used
 * by the file's atime, which LakeFiles sets itself on every hit and download (`touch`),
 * so noatime/relatime mounts do not matter; mtime stays the S3 object's last-modified,
 * which is what validates a copy.
 *
 * The cache is shared, unlocked, by every process and every lake root using the same
 * base directory, so every step here tolerates files vanishing under it (ENOENT).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import * as fs from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, UsageError } from "../errors";

const GIB = 1024 ** 3;
export const DEFAULT_CACHE_MAX_GB = 20;
/** A temp file this old is a download whose process died, not one in progress. */
export const STALE_TMP_MS = 60 * 60 * 1000;

/** `<base>/<16 hex of sha256(root)>`: one directory per lake root, recognisable by `pruneCache`. */
export function cacheRootDir(base: string, storeRoot: string): string {
  return join(base, createHash("sha256").update(storeRoot).digest("hex").slice(0, 16));
}
const ROOT_DIR = /^[0-9a-f]{16}$/;

/** Where a download is written before the rename that publishes it. */
export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}
const TEMP_NAME = /\.tmp-\d+-[0-9a-f]{8}$/;

/** The cap in bytes: an explicit option, else `$LAKE_CACHE_MAX_GB` (GiB), else 20 GiB. */
export function cacheCapBytes(option?: number, env: Record<string, string | undefined> = process.env): number {
  if (option !== undefined) {
    if (!Number.isFinite(option) || option < 1) throw new UsageError(`maxCacheBytes must be a positive number of bytes, got ${option}`);
    return Math.floor(option);
  }
  const raw = env.LAKE_CACHE_MAX_GB?.trim();
  if (!raw) return DEFAULT_CACHE_MAX_GB * GIB;
  // A plain decimal only: Number() would also take "0x10" or "1e3", which is never what was meant.
  const bytes = /^(\d+\.?\d*|\.\d+)$/.test(raw) ? Math.floor(Number(raw) * GIB) : 0;
  if (bytes < 1) {
    throw new ConfigError(`LAKE_CACHE_MAX_GB is invalid: got ${JSON.stringify(env.LAKE_CACHE_MAX_GB)}, expected a positive number of GiB such as 20 or 0.5`, 1);
  }
  return bytes;
}

/**
 * Mark a cached copy as just used: atime = now, mtime kept at the object's last-modified.
 * False when the file is gone (pruned by another process): the caller fetches it again.
 * Other failures (say, a copy owned by another user) leave the copy valid, so they are ignored.
 */
export async function touch(path: string, mtimeMs: number): Promise<boolean> {
  try {
    await fs.utimes(path, new Date(), new Date(mtimeMs));
    return true;
  } catch (e) {
    return !isMissing(e);
  }
}

export interface PruneResult {
  /** Bytes left in the cache (all roots) after pruning. */
  totalBytes: number;
  removed: string[];
  /** Files that could not be deleted for a reason other than already being gone. */
  failed: string[];
}

interface CachedCopy {
  path: string;
  size: number;
  atimeMs: number;
}

/**
 * Delete least-recently-used copies under every lake-root directory of `base` until the
 * total is at most `maxBytes`, never a path `inUse` (files a caller is about to open; asked
 * just before each delete, so a read that starts during the walk is protected too), and
 * delete temp files older than STALE_TMP_MS.
 *
 * The whole `base`, not just one root's directory: the cap is a disk budget, and a host that
 * reads several lakes (or prefixes) into one cache should not get one budget per lake. Only
 * the `<root-hash>` directories are ours, though: the binary extracts libduckdb.so into
 * `$LAKE_CACHE_DIR` too, and other entries of `base` are never looked at.
 */
export async function pruneCache(base: string, maxBytes: number, inUse: (path: string) => boolean, now = Date.now()): Promise<PruneResult> {
  const copies = await listCopies(base, now);
  let totalBytes = copies.reduce((n, c) => n + c.size, 0);
  const removed: string[] = [];
  const failed: string[] = [];
  const oldestFirst = copies.sort((a, b) => a.atimeMs - b.atimeMs || cmp(a.path, b.path));
  for (const v of oldestFirst) {
    if (totalBytes <= maxBytes) break;
    if (inUse(v.path)) continue;
    const outcome = await removeFile(v.path);
    if (outcome === "failed") {
      failed.push(v.path);
      continue;
    }
    // Gone either way: deleted here, or by a concurrent pruner.
    totalBytes -= v.size;
    if (outcome === "removed") removed.push(v.path);
  }
  return { totalBytes, removed, failed };
}

async function listCopies(base: string, now: number): Promise<CachedCopy[]> {
  const out: CachedCopy[] = [];
  for (const e of await entries(base)) {
    if (e.isDirectory() && ROOT_DIR.test(e.name)) await walk(join(base, e.name), out, now);
  }
  return out;
}

async function walk(dir: string, out: CachedCopy[], now: number): Promise<void> {
  for (const e of await entries(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory()) await walk(path, out, now);
    else if (e.isFile()) await visit(path, e.name, out, now);
  }
}

async function visit(path: string, name: string, out: CachedCopy[], now: number): Promise<void> {
  const st = await fs.stat(path).catch((e: unknown) => (isMissing(e) ? null : Promise.reject(e)));
  if (!st) return;
  if (TEMP_NAME.test(name)) {
    // ctime, not mtime: a finished download's mtime is already back-dated to the object's.
    if (now - st.ctimeMs > STALE_TMP_MS) await removeFile(path);
    return;
  }
  out.push({ path, size: st.size, atimeMs: st.atimeMs });
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isMissing(e) || code(e) === "ENOTDIR") return [];
    throw e;
  }
}

async function removeFile(path: string): Promise<"removed" | "missing" | "failed"> {
  try {
    await fs.unlink(path);
    return "removed";
  } catch (e) {
    return isMissing(e) ? "missing" : "failed";
  }
}

function code(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String(e.code) : undefined;
}

function isMissing(e: unknown): boolean {
  return code(e) === "ENOENT";
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
