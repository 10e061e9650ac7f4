/**
 * Lineage of a Silver version: which Bronze content each date was built from, so
 * `lake silver status` can tell when Bronze changed under a version and `lake silver verify`
 * can prove a rebuild is identical.
 *
 * The identity is logical: the files as first written (ingest flushes, backfills,
 * predecessor files), each hashed by content. A compacted file stands for the files its
 * record names as leaves (docs/compaction.md), so compaction — new files, same rows — leaves
 * a date's identity unchanged, while any added, removed or altered original file changes it.
 *
 * Inputs of date D (es-pipeline §1.1, §5.3): every file of D in futures/trades, futures/mbp10
 * and options/trades, plus futures/trades of the up-to-SMA_WARMUP_DAYS weekday dates just
 * before D (warm-up; only when D itself has trades).
 */
import { readFileSync } from "node:fs";
import type { Config } from "../config";
import { LakeError } from "../errors";
import { LakeFiles, type LakeFile } from "../read/lake-files";
import { dirOf, outputRun, readRecord, recordKeyFor } from "../read/superseding";
import { warmupDates as selectWarmupDates } from "../core/time/warmup";
import { FileHashCache } from "./hash-cache";

export const INPUT_TABLES = [
  { path: "bronze/futures/trades/symbol=ES", role: "trades" },
  { path: "bronze/futures/mbp10/symbol=ES", role: "mbp10" },
  { path: "bronze/options/trades/underlying=ES", role: "options" },
] as const;

/**
 * Where a Silver build reads Bronze: the lake's own backend (a directory, or the S3 bucket
 * `lake serve` writes to). Plain data, so it crosses into the batch workers as it is.
 */
export type BronzeSource = Pick<Config, "useS3" | "s3" | "dataRoot">;

export function localBronze(dir: string): BronzeSource {
  return { useS3: false, s3: null, dataRoot: dir };
}

/**
 * Listing and local copies of Bronze. A build passes the one `LakeFiles` it also gives the
 * pipeline (build-date.ts, under a hold), so lineage lists, and hashes, exactly the files the
 * build reads (on S3 the hash is taken from the cached copy the pipeline then reads).
 */
export function bronzeFiles(src: BronzeSource | LakeFiles): LakeFiles {
  return src instanceof LakeFiles ? src : new LakeFiles(src);
}

export interface InputFile {
  key: string; // relative to the lake root
  size: number;
  sha256: string;
}

export interface DateLineage {
  date: string;
  warmup_dates: string[];
  /** The original files (a compacted file's leaves in its place), in key order. */
  files: InputFile[];
  /** sha256 over `key\tsize\tsha256\n` of every input file in key order */
  inputs_sha256: string;
}

/** Bronze dates that have futures trades — the default date list of `lake silver`. */
export async function bronzeTradeDates(src: BronzeSource | LakeFiles): Promise<string[]> {
  return bronzeFiles(src).availableDates(INPUT_TABLES[0].path);
}

/**
 * es-pipeline §5.3 step 2: up to N weekday trade dates just before D, if D has trades — the
 * pipeline's own selection (src/core/time/warmup.ts) over the same listing it reads
 * (dates holding futures trades files), so lineage hashes exactly the Bronze files a build read.
 */
export async function bronzeWarmupDates(src: BronzeSource | LakeFiles, date: string, days = 3): Promise<string[]> {
  return selectWarmupDates(await bronzeTradeDates(src), date, days);
}

/** Files up to this size are hashed from one synchronous read, larger ones streamed. */
const WHOLE_READ_MAX = 4 << 20;

export async function sha256File(path: string, size?: number): Promise<string> {
  // An uncompacted day is ~20,000 flush files of a few KB: a stream per file costs 2–3 times
  // the CPU of reading it whole and hashing the bytes.
  if (size !== undefined && size <= WHOLE_READ_MAX) return sha256Bytes(readFileSync(path));
  const h = new Bun.CryptoHasher("sha256");
  const stream = Bun.file(path).stream();
  for await (const chunk of stream) h.update(chunk);
  return h.digest("hex");
}

export function sha256Bytes(data: Uint8Array | string): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

/** This thread's handle on the machine's hash cache (undefined: not opened yet; null: unusable). */
let hashCache: FileHashCache | null | undefined;

/**
 * Smaller files are hashed every time: a flush file of a few KB hashes in less time than two
 * stats and a cache lookup take, and a day of 20,000 of them would fill the cache for nothing.
 */
const CACHED_MIN_BYTES = 256 << 10;

/** sha256 of a Bronze file, from the hash cache when its stat is unchanged (hash-cache.ts). */
export async function sha256BronzeFile(path: string, size?: number): Promise<string> {
  if (size !== undefined && size < CACHED_MIN_BYTES) return sha256File(path, size);
  if (hashCache === undefined) hashCache = FileHashCache.open();
  return hashCache ? hashCache.hashed(path, () => sha256File(path, size)) : sha256File(path, size);
}

/** sha256 per local path, shared by the dateLineage calls of one run (status over many versions). */
export type FileHashes = Map<string, Promise<string>>;

/**
 * `hashes` memoises file hashes across calls: adjacent dates share warm-up trade files.
 * Only for one read-only pass (status) — a build hashes afresh so it sees Bronze as it is.
 */
export async function dateLineage(src: BronzeSource | LakeFiles, date: string, warmupDays = 3, hashes?: FileHashes): Promise<DateLineage> {
  const files = bronzeFiles(src);
  const warm = await bronzeWarmupDates(files, date, warmupDays);
  const lists = await Promise.all([
    ...INPUT_TABLES.map((t) => files.listParquet(`${t.path}/date=${date}/`)),
    ...warm.map((d) => files.listParquet(`${INPUT_TABLES[0].path}/date=${d}/`)),
  ]);
  const listed: LakeFile[] = lists.flat();
  const out: InputFile[] = [];
  // compacted files: their records' leaves (read once per process), no hashing
  const records = new Set<string>();
  const originals: LakeFile[] = [];
  for (const f of listed) {
    const run = outputRun(f.key);
    if (run === null) {
      originals.push(f);
      continue;
    }
    const recKey = recordKeyFor(dirOf(f.key), run);
    if (records.has(recKey)) continue; // the outputs of a split hour share one record
    records.add(recKey);
    const rec = await readRecord(files.store, recKey);
    if (!rec?.leaves) throw new LakeError(`compaction record ${recKey} is missing or names no leaves: cannot identify the Bronze inputs of ${date}`);
    out.push(...rec.leaves);
  }
  using _held = files.hold(); // S3: the copies stay cached for the pipeline that reads them next
  const paths = await files.localPaths(originals);
  for (const [i, f] of originals.entries()) {
    const path = paths[i]!;
    let sha = hashes?.get(path);
    if (!sha) {
      sha = sha256BronzeFile(path, f.size);
      hashes?.set(path, sha);
    }
    out.push({ key: f.key, size: f.size, sha256: await sha });
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const inputs_sha256 = sha256Bytes(out.map((f) => `${f.key}\t${f.size}\t${f.sha256}\n`).join(""));
  return { date, warmup_dates: warm, files: out, inputs_sha256 };
}
