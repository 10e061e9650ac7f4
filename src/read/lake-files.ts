/**
 * Which Parquet files a read touches, and where DuckDB can open them.
 *
 * Listing goes through the `Store` (local or S3), so partition pruning is decided here,
 * from the `date=`/`hour=` path segments, before DuckDB sees a single file: a read of one
 * date lists and opens only that date's files (contracts §6.1.1(2), stronger than the
 * reference: hours outside [startNs, endNs] are pruned too — partition hour is the UTC hour
 * of `ts_event_ns`, §2.1, so no row of a pruned hour can match).
 *
 * S3: DuckDB's httpfs extension cannot be installed here, so S3 objects are copied once into
 * a local cache directory (keyed by object key, checked against the listed size and
 * last-modified time) and DuckDB reads the copies — or, when the caller names the columns it
 * needs, sparse copies holding only the footer and those column chunks (column-ranges.ts).
 * Same SQL, same results. The cache is kept under a size cap, least-recently-used first
 * (cache-prune.ts).
 */
import { readFileSync } from "node:fs";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Config } from "../config";
import { errorMessage, LakeError, UsageError } from "../errors";
import { log } from "../log";
import { openStore, LocalStore } from "../storage";
import type { ObjectInfo, Store } from "../storage/store";
import { isValidDate } from "../core/keys";
import { writeSparseCopy } from "./column-ranges";
import { resolveLive } from "./superseding";
import { cacheCapBytes, cacheRootDir, pruneCache, tempPath, touch } from "./cache-prune";
import { consolidate, consolidatedPath, CONSOLIDATE_MIN, CONSOLIDATE_TASK, hourRuns, type ConsolidatePayload, type HourToConsolidate, type SharedLake } from "./consolidate";
import { lendToIdleWorker, shareWork } from "../runtime/lend";
import { epochDayOf, formatEpochDay, NS_PER_DAY, NS_PER_HOUR } from "../core/time/calendar";

export interface LakeFile extends ObjectInfo {
  /** Partition date from the `date=` segment, if any. */
  date: string | null;
  /** Partition hour 0–23 from the `hour=` segment, if any. */
  hour: number | null;
}

/**
 * Where the lake is: a local directory, a Store, or a Config's backend. An S3 lake comes as a
 * Config or a Store: a reader never reads credentials from the environment itself.
 */
export type LakeLocation = string | Store | Pick<Config, "useS3" | "s3" | "dataRoot">;

export interface LakeFilesOptions {
  /** Local directory for S3 object copies. Default `$LAKE_CACHE_DIR` or `<tmp>/lake-cache`. */
  cacheDir?: string;
  /** Cap on the cache's total size in bytes. Default `$LAKE_CACHE_MAX_GB` GiB, else 20 GiB. */
  maxCacheBytes?: number;
}

/** `dir` = `<base>/<root-hash>` holds this lake's copies; the cap covers all of `base`. */
type Cache = { base: string; dir: string; maxBytes: number };

const DOWNLOAD_CONCURRENCY = 8;

export class LakeFiles {
  readonly store: Store;
  private readonly cache: Cache | null;
  /** Where consolidated copies of many-file Bronze hours go (the read cache's directory, also for local lakes). */
  private readonly consolidation: Cache;
  /** Paths that running `localPaths` calls will hand out (count per path): never pruned. */
  private readonly inUse = new Map<string, number>();
  /**
   * Open `hold()` handles. While one is open every copy handed out is kept (never pruned)
   * and each prefix is listed once: one read, build or replay sees one snapshot of the lake.
   */
  private holds = 0;
  private readonly held = new Set<string>();
  private readonly listings = new Map<string, Promise<LakeFile[]>>();

  /** How another thread opens this same lake and cache (null when given a Store object). */
  private readonly shareable: SharedLake | null;

  constructor(location: LakeLocation, opts: LakeFilesOptions = {}) {
    this.store = resolveStore(location);
    const base = opts.cacheDir ?? process.env.LAKE_CACHE_DIR ?? join(tmpdir(), "lake-cache");
    this.consolidation = { base, dir: cacheRootDir(base, this.store.root), maxBytes: cacheCapBytes(opts.maxCacheBytes) };
    this.shareable = location === this.store ? null : { location: location as SharedLake["location"], cacheDir: base, maxCacheBytes: this.consolidation.maxBytes };
    this.cache = this.store.kind === "s3" ? this.consolidation : null;
  }

  /** Every `*.parquet` object under `prefix` (a `/`-terminated key prefix), sorted by key. */
  listParquet(prefix: string): Promise<LakeFile[]> {
    // Outside a hold, always fresh: a long-lived reader must see the files `lake serve` adds.
    if (this.holds === 0) return this.listNow(prefix);
    let l = this.listings.get(prefix);
    if (!l) {
      l = this.listNow(prefix);
      this.listings.set(prefix, l);
      l.catch(() => this.listings.delete(prefix)); // a failed listing is not remembered
    }
    return l;
  }

  /** The live Parquet objects under `prefix`: compaction outputs replace their inputs (superseding.ts). */
  private async listNow(prefix: string): Promise<LakeFile[]> {
    const { live } = await resolveLive(this.store, await this.store.list(prefix));
    return live.map(withPartition);
  }

  /**
   * Files under `base` for a read: one date, or the dates/hours overlapping [startNs, endNs],
   * or everything. `base` ends without a slash, e.g. `bronze/futures/trades/symbol=ES`.
   */
  async filesFor(base: string, q: { date?: string; startNs?: bigint; endNs?: bigint }): Promise<LakeFile[]> {
    let files: LakeFile[];
    if (q.date) {
      files = await this.listParquet(`${base}/date=${q.date}/`);
    } else {
      const dates = datesBetween(q.startNs, q.endNs);
      if (dates && dates.length <= 62) {
        const lists = await Promise.all(dates.map((d) => this.listParquet(`${base}/date=${d}/`)));
        files = lists.flat();
      } else {
        files = await this.listParquet(`${base}/`);
      }
    }
    return files.filter((f) => overlaps(f, q.startNs, q.endNs));
  }

  /** Sorted valid dates under `base` (`date=` directories holding at least one .parquet). */
  async availableDates(base: string): Promise<string[]> {
    const files = await this.listParquet(`${base}/`);
    const dates = new Set<string>();
    for (const f of files) if (f.date) dates.add(f.date);
    return [...dates].sort();
  }

  /**
   * Local paths DuckDB can open, in the same order as `files` (S3: via the cache). With
   * `columns` (and LAKE_CACHE not `full`), S3 objects become sparse copies holding only the
   * footer and those columns' chunks, fetched by range (column-ranges.ts).
   */
  async localPaths(files: readonly LakeFile[], columns?: ReadonlySet<string> | null): Promise<string[]> {
    const root = this.store.localRoot;
    if (root !== undefined) return files.map((f) => join(root, ...f.key.split("/")));
    const cache = this.cache!;
    const sparse = columns && columns.size > 0 && process.env.LAKE_CACHE !== "full" ? [...columns].sort() : null;
    const paths = files.map((f) => cachePath(cache.dir, f, sparse));
    this.pin(paths, 1);
    if (this.holds > 0) for (const p of paths) this.held.add(p);
    try {
      let fetched = 0;
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const i = next++;
          if (await this.cached(files[i]!, paths[i]!, sparse)) fetched++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, files.length) }, worker));
      if (fetched > 0) await this.prune(cache, files);
      return paths;
    } finally {
      this.pin(paths, -1);
    }
  }

  /**
   * Local paths for a scan of `files` (key-sorted), where a Bronze partition-hour of many small
   * files becomes one consolidated copy (consolidate.ts): the same rows in the same order
   * for DuckDB, at a fraction of its per-file cost. Not 1:1 with `files`, unlike `localPaths`.
   */
  async scanPaths(files: readonly LakeFile[], columns?: ReadonlySet<string> | null): Promise<string[]> {
    const runs = hourRuns(files);
    if (!runs.some((r) => r.table && r.files.length >= CONSOLIDATE_MIN)) return this.localPaths(files, columns);
    const out: string[][] = [];
    const made: string[] = [];
    const missing: HourToConsolidate[] = [];
    try {
      for (const r of runs) {
        if (!r.table || r.files.length < CONSOLIDATE_MIN) {
          out.push(await this.localPaths(r.files, columns));
          continue;
        }
        const path = consolidatedPath(this.consolidation.dir, r.files, columns);
        this.pin([path], 1);
        made.push(path);
        if (this.holds > 0) this.held.add(path);
        if (!(await touch(path, Date.now()))) missing.push({ path, table: r.table, files: r.files });
        out.push([path]);
      }
      await this.consolidateAll(missing, columns);
      if (made.length) await this.prune(this.consolidation, files);
      return out.flat();
    } finally {
      this.pin(made, -1);
    }
  }

  /** Write the missing copies, on every idle core of the pool when this runs in a worker (lend.ts). */
  private async consolidateAll(hours: HourToConsolidate[], columns?: ReadonlySet<string> | null): Promise<void> {
    const lake = this.shareable;
    const cols = columns ? [...columns] : null;
    await shareWork(
      hours,
      (h) => this.consolidateHour(h, columns),
      async (h) => lake !== null && (await lendToIdleWorker(CONSOLIDATE_TASK, { lake, path: h.path, table: h.table.key, files: h.files, columns: cols } satisfies ConsolidatePayload)).ran,
    );
  }

  /** Make the consolidated copy of one hour (true when it had to be written). */
  consolidateHour(h: HourToConsolidate, columns?: ReadonlySet<string> | null): Promise<boolean> {
    return consolidate(h.path, h.table, h.files, (f) => this.bytesOf(f), columns);
  }

  private bytesOf(f: LakeFile): Promise<Uint8Array> {
    const root = this.store.localRoot;
    // Local: a synchronous read of a flush file (a few KB) costs about half the CPU of an
    // async one, and consolidation decodes each file the moment it arrives anyway.
    if (root !== undefined) {
      try {
        return Promise.resolve(readFileSync(join(root, ...f.key.split("/"))));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.store.get(f.key);
  }

  /**
   * One snapshot of the lake until the handle is disposed: each prefix is listed once, and
   * every copy handed out is kept. `localPaths` only protects its own files while it runs; a
   * read opens them later (and a `lake query` builds several views before its SQL opens any
   * file), and a front-month read lists its date twice (plan, then contract selection) — so
   * readers, Silver dates and replays hold for their whole run.
   */
  hold(): Disposable {
    this.holds++;
    let open = true;
    return {
      [Symbol.dispose]: () => {
        if (!open) return;
        open = false;
        if (--this.holds === 0) {
          this.held.clear();
          this.listings.clear();
        }
      },
    };
  }

  private pin(paths: readonly string[], delta: 1 | -1): void {
    for (const p of paths) {
      const n = (this.inUse.get(p) ?? 0) + delta;
      if (n > 0) this.inUse.set(p, n);
      else this.inUse.delete(p);
    }
  }

  /** Shrink the cache to its cap. A pruning problem costs disk, never the read: it is logged. */
  private async prune(cache: Cache, files: readonly LakeFile[]): Promise<void> {
    try {
      const r = await pruneCache(cache.base, cache.maxBytes, (p) => this.inUse.has(p) || this.held.has(p));
      if (r.totalBytes <= cache.maxBytes) return;
      const readBytes = files.reduce((n, f) => n + f.size, 0);
      const why = readBytes > cache.maxBytes ? "this read alone needs more than the cap (its files are kept)" : "files in use or not deletable";
      log.warn(`S3 read cache is over its cap (LAKE_CACHE_MAX_GB): ${why}`, { dir: cache.base, cacheBytes: r.totalBytes, capBytes: cache.maxBytes, readBytes, undeletable: r.failed.length });
    } catch (e) {
      log.warn("S3 read cache pruning failed; the read goes on", { dir: cache.base, error: errorMessage(e) });
    }
  }

  /** Make `path` a valid copy of `f`; true when it had to be downloaded. */
  private async cached(f: LakeFile, path: string, sparse: string[] | null): Promise<boolean> {
    const st = await fs.stat(path).catch(() => null);
    // Size and last-modified (seconds) must both match: an overwritten object (Silver --force)
    // gets a new timestamp even if its size happens to be unchanged. A hit counts as a use
    // for LRU pruning; a copy pruned meanwhile by another process is fetched again.
    if (st && st.size === f.size && sameSecond(st.mtimeMs, f.mtimeMs) && (await touch(path, f.mtimeMs > 0 ? f.mtimeMs : st.mtimeMs))) return false;
    if (sparse) {
      await fs.mkdir(dirname(path), { recursive: true });
      const tmp = tempPath(path);
      await writeSparseCopy(this.store, f.key, f.size, new Set(sparse), tmp).catch(async (e) => {
        await fs.rm(tmp, { force: true });
        throw e;
      });
      if (f.mtimeMs > 0) await fs.utimes(tmp, new Date(), new Date(f.mtimeMs));
      await fs.rename(tmp, path);
      return true;
    }
    const bytes = await this.store.get(f.key);
    if (bytes.byteLength !== f.size) {
      throw new LakeError(`S3 object ${f.key} changed while reading (listed ${f.size} bytes, got ${bytes.byteLength}); retry`);
    }
    await fs.mkdir(dirname(path), { recursive: true });
    const tmp = tempPath(path);
    await fs.writeFile(tmp, bytes);
    // atime = now marks the copy as just used (LRU); mtime = the object's, to validate hits.
    if (f.mtimeMs > 0) await fs.utimes(tmp, new Date(), new Date(f.mtimeMs));
    await fs.rename(tmp, path);
    return true;
  }
}

/**
 * Where the copy of `f` lives. With an ETag the copy's directory names it, so an object
 * replaced in place (even with the same size, within the same second) is a different copy;
 * the old one is left to LRU pruning. The file name stays the object's own.
 */
function cachePath(dir: string, f: LakeFile, sparse: readonly string[] | null = null): string {
  const parts = f.key.split("/");
  const tag = f.etag?.replace(/[^A-Za-z0-9-]/g, "");
  if (tag) parts.splice(parts.length - 1, 0, `etag=${tag}`);
  // A sparse copy is a different file from the whole copy: its own directory per column set.
  if (sparse) parts.splice(parts.length - 1, 0, `cols=${Bun.hash(sparse.join("\0")).toString(36)}`);
  return join(dir, ...parts);
}

function sameSecond(a: number, b: number): boolean {
  return b <= 0 || Math.floor(a / 1000) === Math.floor(b / 1000);
}

export function resolveStore(location: LakeLocation): Store {
  if (typeof location === "string") {
    if (location.startsWith("s3://")) {
      throw new UsageError(`S3 lake ${location}: pass its Config (with credentials) or a Store, not the bare URL`);
    }
    return new LocalStore(location);
  }
  if ("kind" in location && "list" in location) return location;
  return openStore(location);
}

function withPartition(o: ObjectInfo): LakeFile {
  let date: string | null = null;
  let hour: number | null = null;
  for (const seg of o.key.split("/")) {
    if (seg.startsWith("date=") && isValidDate(seg.slice(5))) date = seg.slice(5);
    else if (/^hour=([01]\d|2[0-3])$/.test(seg)) hour = Number(seg.slice(5));
  }
  return { ...o, date, hour };
}

/** Could a file of this partition hold a row with ts in [start, end]? Unknown partitions: yes. */
function overlaps(f: LakeFile, start?: bigint, end?: bigint): boolean {
  if (!f.date || (start === undefined && end === undefined)) return true;
  const day = BigInt(epochDayOf(f.date)!) * NS_PER_DAY;
  const lo = f.hour === null ? day : day + BigInt(f.hour) * NS_PER_HOUR;
  const hi = f.hour === null ? day + NS_PER_DAY - 1n : lo + NS_PER_HOUR - 1n;
  if (start !== undefined && hi < start) return false;
  if (end !== undefined && lo > end) return false;
  return true;
}

/** UTC dates from start to end inclusive; null when either bound is open. */
export function datesBetween(start?: bigint, end?: bigint): string[] | null {
  if (start === undefined || end === undefined) return null;
  if (end < start) return [];
  const d0 = floorDiv(start, NS_PER_DAY);
  const d1 = floorDiv(end, NS_PER_DAY);
  if (d1 - d0 > 100_000n) return null;
  const out: string[] = [];
  for (let d = d0; d <= d1; d++) out.push(formatEpochDay(Number(d)));
  return out;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}
