/**
 * Local filesystem backend. A put is atomic and durable: write a temp file in the
 * target directory → fsync → link/rename into place → fsync the directory (contracts
 * §9 F-1). Without `overwrite`, the final step is link(2), which fails if the name
 * exists — so "never overwrite" holds even between two racing processes (§9 F-2).
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync } from "node:fs";
import * as fs from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { ObjectExistsError, ObjectNotFoundError, type ObjectInfo, type PutOptions, type Store } from "./store";
import { validateKey, validatePrefix } from "./keys";

const TMP_MARK = ".lake-tmp-";

export function isTempName(name: string): boolean {
  return name.includes(TMP_MARK);
}

export class LocalStore implements Store {
  readonly kind = "file" as const;
  readonly root: string;
  readonly localRoot: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.localRoot = this.root;
  }

  path(key: string): string {
    return join(this.root, ...validateKey(key).split("/"));
  }

  async put(key: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<void> {
    const final = this.path(key);
    const dir = dirname(final);
    await fs.mkdir(dir, { recursive: true });
    const tmp = join(dir, `${TMP_MARK}${process.pid}-${randomBytes(6).toString("hex")}`);
    const fh = await fs.open(tmp, "wx");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
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
      const st = await fs.stat(full).catch(() => null);
      if (st?.isFile()) out.push({ key, size: st.size, mtimeMs: st.mtimeMs });
    });
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.path(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const st = await fs.stat(this.path(key)).catch(() => null);
    return st?.isFile() ? { key, size: st.size, mtimeMs: st.mtimeMs } : null;
  }
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
 * Gold metadata (src/silver/fsutil.ts). Some filesystems refuse a directory fsync; the rename
 * is still atomic there, so a refusal is not an error (LocalStore.put, above, does fail).
 */
export function fsyncDirSync(dir: string): void {
  try {
    fsyncPathSync(dir);
  } catch {
    /* directory fsync unsupported here */
  }
}

function notFound(e: unknown, key: string): unknown {
  return (e as NodeJS.ErrnoException).code === "ENOENT" ? new ObjectNotFoundError(key) : e;
}
