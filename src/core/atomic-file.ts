/**
 * Local-filesystem primitives for Silver and Gold metadata: atomic whole-file writes
 * (temp → fsync → rename → fsync dir, contracts §9 F-1) and an exclusive lock file for
 * read-modify-write of shared registries (experiments.json, catalog.json; §9 S-8, G-6).
 */
import { closeSync, constants, copyFileSync, fsyncSync, linkSync, openSync, statSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync, mkdirSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import { LakeError } from "../errors";
import { log } from "../log";
import { pidAlive } from "./pid";

/** Flush a file's (or directory's) data and metadata to disk, synchronously. */
export function fsyncPathSync(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Synchronous, best-effort directory fsync for the sync temp → rename writers of Silver and
 * Gold metadata (below). Some filesystems refuse a directory fsync; the rename
 * is still atomic there, so a refusal is not an error (LocalStore.put does fail).
 */
export function fsyncDir(dir: string): void {
  try {
    fsyncPathSync(dir);
  } catch {
    /* directory fsync unsupported here */
  }
}

export function uniqueSuffix(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Readers see the old file or the whole new one, never a prefix. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${uniqueSuffix()}`;
  const fd = openSync(tmp, "wx");
  try {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/** `cp src path` with the same guarantee as writeFileAtomic: the copy lands whole or not at all. */
export function copyFileAtomic(src: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${uniqueSuffix()}`;
  try {
    copyFileSync(src, tmp, constants.COPYFILE_EXCL);
    fsyncPathSync(tmp);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}



/** `withFileLock` gave up waiting: callers that know what the lock guards can say so. */
export class LockTimeoutError extends LakeError {
  constructor(
    readonly lock: string,
    readonly owner: number,
  ) {
    super(`timed out waiting for lock ${lock} (held by pid ${owner}); remove it if that process is gone`);
  }
}

/** A lock file that names no owner and is older than this was left by a crash mid-create. */
const OWNERLESS_LOCK_STALE_MS = 5_000;

/**
 * Run `fn` holding `{path}.lock`. The lock appears already holding its owner's pid (written
 * to a private temp file, then link(2)ed into place, which fails if the lock exists), so a
 * holder killed at any instant leaves either no lock or one naming a dead pid — which is
 * broken (a killed promotion must not wedge the lake). A live holder is waited for up to
 * `timeoutMs`.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const lock = `${path}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (!tryCreateLock(lock)) {
    const owner = lockOwner(lock);
    if (owner === "gone") continue; // released between our attempt and the read
    if (owner === "stale" || (owner > 0 && !pidAlive(owner))) {
      log.warn(`breaking stale lock ${lock} (${owner === "stale" ? "it names no owner" : `owner pid ${owner} is gone`})`);
      try {
        unlinkSync(lock);
      } catch {
        /* someone else broke it first */
      }
      continue;
    }
    if (Date.now() >= deadline) throw new LockTimeoutError(lock, owner);
    await Bun.sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* already gone */
    }
  }
}

/** Create `lock` holding this process's pid, atomically; false if it already exists. */
function tryCreateLock(lock: string): boolean {
  const tmp = `${lock}.lake-tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, `${process.pid}\n${new Date().toISOString()}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, lock);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return false;
  } finally {
    unlinkSync(tmp);
  }
}

/** The pid a lock names (0: none yet); "stale" for an old lock naming none (an older binary's crash mid-create). */
function lockOwner(lock: string): number | "gone" | "stale" {
  try {
    const owner = Number(readFileSync(lock, "utf8").split("\n")[0]);
    if (Number.isInteger(owner) && owner > 0) return owner;
    return Date.now() - statSync(lock).mtimeMs > OWNERLESS_LOCK_STALE_MS ? "stale" : 0;
  } catch {
    return "gone";
  }
}

/**
 * Read a JSON registry; a corrupt file is moved aside to `{path}.corrupt-{ts}` with a loud
 * error and an empty registry is returned (§9 G-9: do not crash every later command).
 */
export function readJsonRegistry<T>(path: string, empty: () => T): T {
  if (!existsSync(path)) return empty();
  const text = readFileSync(path, "utf8");
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    const aside = `${path}.corrupt-${Date.now()}`;
    renameSync(path, aside);
    log.error(`${path} is not valid JSON (${(e as Error).message}); moved it to ${aside} and starting empty`);
    return empty();
  }
}
