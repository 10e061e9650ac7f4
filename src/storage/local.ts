/**
 * Local filesystem backend. A put is atomic and durable: write a temp file in the
 * target directory → fsync → link/rename into place → fsync the directory (contracts
 * §9 F-1). Without `overwrite`, the final step is link(2), which fails if the name
 * exists — so "never overwrite" holds even between two racing processes (§9 F-2).
 */
import { createHash, randomBytes } from "node:crypto";
import { statSync, type Stats } from "node:fs";
import * as fs from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import {
  ObjectExistsError,
  ObjectNotFoundError,
  PreconditionFailedError,
  type ObjectInfo,
  type PutData,
  type PutOptions,
  type Store,
  type VersionedObject,
} from "./store";
import { validateKey, validatePrefix } from "../core/keys";
import { withFileLock } from "../core/atomic-file";
import { LakeError } from "../errors";
import { pidAlive } from "../core/pid";

const TMP_MARK = ".lake-tmp-";
/** Compare-and-swap lock beside the object: `{name}.lake-cas.lock` (never listed). */
const CAS_LOCK_SUFFIX = ".lake-cas.lock";

export function isTempName(name: string): boolean {
  return name.includes(TMP_MARK) || name.endsWith(CAS_LOCK_SUFFIX);
}

/** Local entity tag: a digest of the bytes, so equal content compares equal like an S3 ETag. */
function localEtag(data: Uint8Array): string {
  return `"${createHash("sha256").update(data).digest("hex").slice(0, 32)}"`;
}

export class LocalStore implements Store {
  readonly kind = "file" as const;
  readonly root: string;
  readonly localRoot: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.localRoot = this.root;
    // A root that is a file (a mistyped DATA_ROOT) would fail later as ENOTDIR deep in a write.
    if (statSync(this.root, { throwIfNoEntry: false })?.isFile()) throw new LakeError(`data root ${this.root} is a file, not a directory: set DATA_ROOT (or --data-root) to a directory`);
  }

  path(key: string): string {
    return join(this.root, ...validateKey(key).split("/"));
  }

  async put(key: string, data: PutData, opts: PutOptions = {}): Promise<void> {
    if (opts.ifMatch !== undefined) return this.putIfMatch(key, data, opts.ifMatch);
    return this.putPlain(key, data, opts);
  }

  async getVersioned(key: string): Promise<VersionedObject | null> {
    try {
      const data = new Uint8Array(await fs.readFile(this.path(key)));
      return { data, etag: localEtag(data) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  /** link(2) makes create-only atomic and a lock file makes compare-and-swap atomic, between processes of one host. */
  async conditionalWrites(): Promise<boolean> {
    return true;
  }

  /** Compare the current bytes' tag and rename the new bytes in, under a per-object lock (a dead holder's lock is broken). */
  private async putIfMatch(key: string, data: PutData, etag: string): Promise<void> {
    const final = this.path(key);
    await fs.mkdir(dirname(final), { recursive: true });
    // withFileLock appends ".lock": the lock file is `{name}.lake-cas.lock`.
    await withFileLock(final + ".lake-cas", async () => {
      const current = await this.getVersioned(key);
      if (!current || current.etag !== etag) throw new PreconditionFailedError(key);
      await this.putPlain(key, data, { overwrite: true });
    });
  }

  private async putPlain(key: string, data: PutData, opts: PutOptions): Promise<void> {
    const final = this.path(key);
    const dir = dirname(final);
    await fs.mkdir(dir, { recursive: true });
    if (opts.staged && !opts.overwrite) return this.putStaged(key, final, data);
    const tmp = join(dir, `${TMP_MARK}${process.pid}-${randomBytes(6).toString("hex")}`);
    await writeNewFile(tmp, data);
    try {
      if (opts.overwrite) {
        await fs.rename(tmp, final);
      } else {
        try {
          await fs.link(tmp, final);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new ObjectExistsError(key);
          throw e;
        }
        await fs.unlink(tmp);
      }
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    await fsyncDir(dir);
  }

  /** PutOptions.staged: created under its own name, bytes fsynced, no directory fsync. */
  private async putStaged(key: string, final: string, data: PutData): Promise<void> {
    try {
      await writeNewFile(final, data);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new ObjectExistsError(key);
      throw e;
    }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await fs.readFile(this.path(key)));
    } catch (e) {
      throw notFound(e, key);
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.path(key), "r");
    } catch (e) {
      throw notFound(e, key);
    }
    try {
      const buf = new Uint8Array(Math.max(0, end - start));
      let off = 0;
      while (off < buf.length) {
        const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return off === buf.length ? buf : buf.subarray(0, off);
    } finally {
      await fh.close();
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    validatePrefix(prefix);
    // Walk from the deepest directory the prefix names, then filter by the full prefix.
    const cut = prefix.lastIndexOf("/");
    const dirKey = cut >= 0 ? prefix.slice(0, cut) : "";
    const start = dirKey ? join(this.root, ...dirKey.split("/")) : this.root;
    const out: ObjectInfo[] = [];
    await walk(start, dirKey, async (key, full) => {
      if (!key.startsWith(prefix)) return;
      // statSync: an uncompacted day lists ~20,000 flush files, and a promise stat costs
      // ten times the CPU of a synchronous one (a few microseconds of local I/O each).
      let st: Stats | undefined;
      try {
        st = statSync(full, { throwIfNoEntry: false });
      } catch {
        return; // unreadable entries are skipped, as a vanished one is
      }
      if (st?.isFile()) out.push({ key, size: st.size, mtimeMs: st.mtimeMs });
    });
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  async delete(key: string): Promise<void> {
    // unlink, not rm: rm stats first, and compaction deletes thousands of small files
    await fs.unlink(this.path(key)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  /**
   * Remove the temp files that processes which no longer run left under `prefix` (a crash
   * or SIGKILL mid-put). The writer's pid is in the temp name; a live pid's files are kept,
   * since that process may still be writing them. Returns how many were removed.
   */
  async sweepOrphans(prefix: string): Promise<number> {
    validatePrefix(prefix);
    let removed = 0;
    const visit = async (dir: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const ent of entries) {
        const full = dir + sep + ent.name;
        if (ent.isDirectory()) await visit(full);
        else if (ent.name.includes(TMP_MARK) && !pidAlive(tempOwnerPid(ent.name))) {
          await fs.rm(full, { force: true }).catch(() => {});
          removed++;
        }
      }
    };
    await visit(prefix ? join(this.root, ...prefix.replace(/\/+$/, "").split("/")) : this.root);
    return removed;
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const st = await fs.stat(this.path(key)).catch(() => null);
    return st?.isFile() ? { key, size: st.size, mtimeMs: st.mtimeMs } : null;
  }
}

/** Write a whole chunk (a positional-less write may be short). */
async function writeAll(fh: fs.FileHandle, chunk: Uint8Array): Promise<void> {
  let off = 0;
  while (off < chunk.length) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
    off += bytesWritten;
  }
}

/** The pid in `.lake-tmp-{pid}-{random}` (NaN if the name has none). */
function tempOwnerPid(name: string): number {
  const rest = name.slice(name.indexOf(TMP_MARK) + TMP_MARK.length);
  return Number(rest.slice(0, rest.indexOf("-")));
}


async function walk(dir: string, keyPrefix: string, visit: (key: string, full: string) => Promise<void>): Promise<void> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return;
    throw e;
  }
  for (const ent of entries) {
    if (isTempName(ent.name)) continue;
    const key = keyPrefix ? `${keyPrefix}/${ent.name}` : ent.name;
    const full = dir + sep + ent.name;
    if (ent.isDirectory()) await walk(full, key, visit);
    else await visit(key, full);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function notFound(e: unknown, key: string): unknown {
  return (e as NodeJS.ErrnoException).code === "ENOENT" ? new ObjectNotFoundError(key) : e;
}

/**
 * `data` written to a file created at `path` (never an existing one) and fsynced. On a write
 * failure (disk full, I/O error) the partial file is removed: each retry would add another.
 */
async function writeNewFile(path: string, data: PutData): Promise<void> {
  const fh = await fs.open(path, "wx");
  try {
    try {
      if (typeof data === "string" || data instanceof Uint8Array) await fh.writeFile(data);
      else for (const chunk of data) await writeAll(fh, chunk);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await fs.rm(path, { force: true }).catch(() => {});
    throw e;
  }
}
