/**
 * `lake import dbn`: DBN files → Bronze, exactly once. Each file is one unit: its SHA-256
 * names the commit record (import-commit.ts), the decoder streams it into fixed-size
 * columnar batches, and every full batch is flushed as one ZSTD Parquet file per (table,
 * partition hour) — intent first, data files, and the commit record only after the last
 * one. Memory is bounded by the batch size, whatever the file size.
 */
import { statSync } from "node:fs";
import { basename, join } from "node:path";
import { LockTimeoutError, withFileLock } from "../core/atomic-file";
import { LakeError } from "../errors";
import type { Frame } from "../frame";
import { bronzeTable, type BronzeTable } from "../schemas/bronze";
import { partitionDir } from "../core/keys";
import type { Store } from "../storage/store";
import { IMPORT_PREFIX, schemaName } from "./constants";
import type { ImportSchema, SkipCounts } from "./bronze-rows";
import { collectIfLarge, encodeHere, type BatchEncoder, type EncodeJob } from "./encode-task";
import { ColumnPool, streamBronzeBatches } from "./frame-stream";
import { clearSpool, spoolInput, STDIN, STDIN_NAME } from "./stdin";
import {
  fileSha256, intentKeyFor, readImportCommit, recoverImports, writeImportCommit, writeImportIntent, type ImportCommit,
} from "./import-commit";
import { ExistingRows, splitByHour } from "./partition";
import { discardStaged, stages, writeKeyFor, writeStaged } from "./staging";
import { DbnReader } from "./reader";
import { Symbology } from "./symbology";

export interface ImportOptions {
  schema?: ImportSchema;
  /** Instrument definition files (options: strike, right, expiry, underlying). */
  definitions?: readonly string[];
  /** Rows per columnar batch (default 262 144, ~100 MB of MBP-10 columns): bounds memory; one file per hour per batch. */
  batchRows?: number;
  /** Where batches are encoded to Parquet (default: this thread); `poolEncoder(pool)` overlaps encode with decode. */
  encoder?: BatchEncoder;
  /** Batches encoding at once besides the one being decoded (default 1); each holds a batch of memory. */
  inFlight?: number;
  log?: (line: string) => void;
}

export interface FileReport {
  file: string;
  sha256: string;
  status: "imported" | "already imported";
  records: number;
  rows: Record<string, number>;
  skipped: SkipCounts;
  duplicatesDropped: number;
  files: number;
  seconds: number;
}

export interface ImportReport {
  recoveredKeys: string[];
  files: FileReport[];
}

const DEFAULT_BATCH = 262_144;

export async function loadDefinitions(paths: readonly string[], sym: Symbology): Promise<number> {
  let n = 0;
  for (const p of paths) {
    const r = new DbnReader(p);
    await r.run({ onDefinition: (d) => { sym.addDefinition(d); n++; }, onSymbolMapping: (m) => sym.addSymbolMapping(m) });
  }
  return n;
}

/**
 * Import DBN files in order, one commit per file. On a local lake one importer at a time holds
 * `_import/dbn/import.lock` (a lock left by a killed process is broken); on S3 run one
 * importer per lake.
 */
export async function importDbnFiles(store: Store, paths: readonly string[], opts: ImportOptions = {}): Promise<ImportReport> {
  checkInputs(paths, opts.definitions ?? []);
  if (store.kind !== "file" || !store.localRoot) return importUnlocked(store, paths, opts);
  try {
    return await withFileLock(join(store.localRoot, IMPORT_PREFIX, "import"), () => importUnlocked(store, paths, opts), 2_000);
  } catch (e) {
    if (e instanceof LockTimeoutError) throw new LakeError(`another lake import dbn (pid ${e.owner}) is importing into ${store.root}; wait for it to finish`);
    throw e;
  }
}

async function importUnlocked(store: Store, paths: readonly string[], opts: ImportOptions): Promise<ImportReport> {
  const recoveredKeys = await recoverImports(store);
  if (recoveredKeys.length) opts.log?.(`removed ${recoveredKeys.length} file(s) of an import that never committed`);
  const sym = new Symbology();
  if (opts.definitions?.length) await loadDefinitions(opts.definitions, sym);
  const files: FileReport[] = [];
  clearSpool(store);
  // one batch of columns for all the files (shared memory when a worker encodes)
  const columns = new ColumnPool(opts.batchRows ?? DEFAULT_BATCH, opts.encoder !== undefined);
  for (const p of paths) {
    if (p !== STDIN) {
      files.push(await importOne(store, p, sym, opts, columns));
      continue;
    }
    const spooled = await spoolInput(store);
    try {
      files.push(await importOne(store, spooled.path, sym, opts, columns, STDIN_NAME));
    } finally {
      spooled.remove();
    }
  }
  return { recoveredKeys, files };
}

async function importOne(store: Store, path: string, sym: Symbology, opts: ImportOptions, columns: ColumnPool, name = basename(path)): Promise<FileReport> {
  const t0 = performance.now();
  const sha256 = await fileSha256(path);
  const prior = await readImportCommit(store, sha256);
  const file = name;
  if (prior) {
    return { file, sha256, status: "already imported", records: prior.records, rows: prior.rows, skipped: prior.skipped, duplicatesDropped: prior.duplicatesDropped, files: prior.keys.length, seconds: (performance.now() - t0) / 1000 };
  }
  const mode = opts.schema ?? "auto";
  const rows: Record<string, number> = {};
  const keys: string[] = [];
  const existing = new ExistingRows(store);
  const tag = `dbn${sha256.slice(0, 16)}`;
  let flushNo = 0;
  const inFlight = Math.max(1, opts.inFlight ?? 1);

  const encoder = opts.encoder ?? encodeHere;
  // A batch's files are written in flush order, one flush at a time (its keys join the intent
  // before its files are put), while up to `inFlight` later batches encode on the pool. When
  // writeFrames returns, at most `inFlight` batches still read their column set, so
  // `inFlight + 1` sets are enough for the decoder (frame-stream.ts).
  let written: Promise<void> = Promise.resolve();
  const staged = stages(store);
  let intentWritten = false;
  const pending: Promise<void>[] = [];
  let failed = false;

  const writeFrames = async (parts: [BronzeTable, Frame | null][], more: boolean): Promise<void> => {
    const n = flushNo++;
    const jobs: EncodeJob[] = [];
    const out: { key: string; table: string; rows: number }[] = [];
    for (const [table, frame] of parts) {
      if (!frame || frame.numRows === 0) continue;
      const idColumn = table.key === "options.trades" ? "option_symbol" : "symbol";
      for (const g of splitByHour(frame)) {
        const dir = partitionDir(`bronze/${table.schemaPath}`, table.partitionKey, "ES", g.date, g.hour);
        const fresh = await existing.filter(dir, idColumn, g.frame);
        if (fresh.numRows === 0) continue;
        jobs.push({ table: table.key, frame: fresh, metadata: { writer: "lake-import-dbn", "lake.dbn_sha256": sha256, "lake.dbn_file": file } });
        out.push({ key: `${dir}/part-${g.date.replaceAll("-", "")}T${g.hour}0000000000Z-${tag}-${n}.parquet`, table: table.key, rows: fresh.numRows });
      }
    }
    if (!jobs.length) return;
    // the last batch has nothing left to overlap with: encoding it here saves the hand-off
    const encoded = (more ? encoder : encodeHere)(jobs);
    encoded.catch(() => undefined); // awaited below, in order; a failure surfaces there
    written = written.then(async () => {
      const files = await encoded;
      if (failed) return;
      keys.push(...out.map((x) => x.key));
      if (!staged) {
        await writeImportIntent(store, { version: 1, sha256, file, keys, createdAt: new Date().toISOString() });
        // the puts of one flush overlap (each is temp + fsync + rename); the intent already names them all
        await Promise.all(out.map((x, i) => store.put(x.key, files[i]!)));
      } else {
        // Staged (local lake): recovery removes an uncommitted import's staging folder whole,
        // so the intent only has to exist before the first file, not list every key.
        if (!intentWritten) await writeImportIntent(store, { version: 1, sha256, file, keys: [], createdAt: new Date().toISOString() });
        intentWritten = true;
        await Promise.all(out.map((x, i) => writeStaged(store, sha256, x.key, files[i]!)));
      }
      for (const x of out) rows[x.table] = (rows[x.table] ?? 0) + x.rows;
      collectIfLarge();
    });
    pending.push(written);
    while (pending.length > inFlight) await pending.shift();
  };
  const allWritten = async (): Promise<void> => {
    try {
      await written;
    } catch (e) {
      failed = true;
      throw e;
    }
  };

  const { metadata: m, stats, skipped } = await undoOnError(store, sha256, keys, async () => {
    try {
      const r = await streamBronzeBatches(path, sym, { mode, batchRows: opts.batchRows ?? DEFAULT_BATCH, columnSets: opts.encoder ? inFlight + 1 : 1, pool: columns, name: name === STDIN_NAME ? name : path }, (b, more) =>
        writeFrames([[bronzeTable("futures.trades"), b.trades], [bronzeTable("options.trades"), b.options], [bronzeTable("futures.mbp10"), b.mbp10]], more));
      await allWritten();
      return r;
    } catch (e) {
      failed = true;
      await written.catch(() => undefined); // no put may land after the undo
      throw e;
    }
  });
  const commit: ImportCommit = {
    version: 1, sha256, file, bytes: Bun.file(path).size, dataset: m.dataset, schema: schemaName(m.schema), dbnVersion: m.version,
    records: stats.records, rows, skipped, duplicatesDropped: existing.dropped, keys, committedAt: new Date().toISOString(),
  };
  await writeImportCommit(store, commit);
  return { file, sha256, status: "imported", records: stats.records, rows, skipped, duplicatesDropped: existing.dropped, files: keys.length, seconds: (performance.now() - t0) / 1000 };
}

/** A file that fails mid-way (bad bytes after good ones) leaves nothing behind: its files and intent go. */
async function undoOnError<T>(store: Store, sha256: string, keys: string[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    for (const key of keys) await store.delete(writeKeyFor(store, sha256, key)).catch(() => undefined);
    discardStaged(store, sha256);
    await store.delete(intentKeyFor(sha256)).catch(() => undefined);
    throw e;
  }
}

/** `-` (standard input) at most once and only as a data file; every other input a readable file. */
function checkInputs(paths: readonly string[], definitions: readonly string[]): void {
  if (paths.filter((p) => p === STDIN).length > 1) throw new LakeError("standard input (-) can be given only once", 2);
  if (definitions.includes(STDIN)) throw new LakeError("standard input (-) can be a data file, not a --definitions file", 2);
  checkReadable([...paths.filter((p) => p !== STDIN), ...definitions]);
}

/** Every input is a readable regular file — checked before anything is imported. */
export function checkReadable(paths: readonly string[]): void {
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new LakeError(`cannot read DBN file ${p}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`, 2);
    }
    if (!st.isFile()) throw new LakeError(`cannot read DBN file ${p}: not a regular file`, 2);
  }
}
