/**
 * Content hashes of Bronze files, remembered across runs the way git's index remembers them:
 * by what `stat` says of the file (device, inode, size, modification and change times in ns).
 *
 * Lineage hashes every input of a date on every build and every `lake silver status`; on a
 * lake of months that is the whole of Bronze read and hashed per status. Bronze files are
 * immutable once written (a rewrite is a new file, renamed into place: a new inode), and an
 * edit in place moves the change time, which no user-space call can set back. So a file whose
 * stat is unchanged still has the bytes it was hashed from, and its hash is served from here.
 *
 * One SQLite file in the read cache's directory (`LAKE_CACHE_DIR`, default `$TMPDIR/lake-cache`),
 * shared by the threads and processes of the machine (WAL, busy timeout). Losing it only costs
 * the hashing again; a cache that cannot be opened or written is skipped, never an error.
 */
import { Database } from "bun:sqlite";
import { mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FILE_NAME = "file-hashes.sqlite";

export interface StatKey {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/**
 * File times advance in the kernel's coarse clock ticks, so a write landing in the same tick
 * as the stat leaves every field unchanged. A file changed this recently is hashed but not
 * remembered (git's "racily clean" rule); Bronze at rest is far older.
 */
const SETTLED_MS = 2_000;

/** Whether a file last changed long enough ago for its stat to identify its bytes. */
export function settled(k: StatKey, nowMs = Date.now()): boolean {
  const changed = k.mtimeNs > k.ctimeNs ? k.mtimeNs : k.ctimeNs;
  return nowMs - Number(changed / 1_000_000n) > SETTLED_MS;
}

export function statKey(path: string): StatKey {
  const st = statSync(path, { bigint: true });
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

function sameStat(a: StatKey, b: StatKey): boolean {
  return stamp(a) === stamp(b);
}

/** The stat fields as one string: compared whole, so no field can be forgotten in a query. */
function stamp(k: StatKey): string {
  return `${k.dev}:${k.ino}:${k.size}:${k.mtimeNs}:${k.ctimeNs}`;
}

export class FileHashCache {
  private readonly get: ReturnType<Database["query"]>;
  private readonly put: ReturnType<Database["query"]>;

  private constructor(private readonly db: Database) {
    this.get = db.query("SELECT sha256 FROM file_hash WHERE path = ?1 AND stamp = ?2");
    this.put = db.query("INSERT OR REPLACE INTO file_hash (path, stamp, sha256) VALUES (?1, ?2, ?3)");
  }

  /** The machine's cache, or null when it cannot be opened (read-only or full disk, say). */
  static open(dir = process.env.LAKE_CACHE_DIR ?? join(tmpdir(), "lake-cache")): FileHashCache | null {
    try {
      mkdirSync(dir, { recursive: true });
      const db = new Database(join(dir, FILE_NAME), { create: true });
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("CREATE TABLE IF NOT EXISTS file_hash (path TEXT PRIMARY KEY, stamp TEXT NOT NULL, sha256 TEXT NOT NULL) WITHOUT ROWID");
      return new FileHashCache(db);
    } catch {
      return null;
    }
  }

  /** The hash recorded for `path` under exactly this stat, if any. */
  lookup(path: string, key: StatKey): string | null {
    try {
      const row = this.get.get(path, stamp(key)) as { sha256: string } | null;
      return row?.sha256 ?? null;
    } catch {
      return null;
    }
  }

  /**
   * The hash remembered for `path` under its current stat, else `hash()`'s. The stat is taken
   * before the read and again after it: a file that changed meanwhile, or changed just before
   * (not `settled`), is hashed but its hash is not remembered.
   */
  async hashed(path: string, hash: () => Promise<string>): Promise<string> {
    const before = statKey(path);
    const hit = this.lookup(path, before);
    if (hit) return hit;
    const sha = await hash();
    if (settled(before) && sameStat(before, statKey(path))) this.remember(path, before, sha);
    return sha;
  }

  remember(path: string, key: StatKey, sha256: string): void {
    try {
      this.put.run(path, stamp(key), sha256);
    } catch {
      // a busy or read-only cache only means hashing again next time
    }
  }

  close(): void {
    this.db.close();
  }
}
