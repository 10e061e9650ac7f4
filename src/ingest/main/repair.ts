/**
 * `lake ingest repair --durable NAME`: rebuild a torn (empty, truncated, unparseable)
 * `commit.json` or `intent.json` of one consumer from the files themselves. Every file a
 * flush writes names its flush id and stream-sequence range (`part-…-{writer}-{flush}-
 * {fromSeq}-{toSeq}.{parquet|ndjson}`), and each Parquet file repeats them in its key/value
 * metadata with its consumer and row count, so the record can be recomputed:
 *
 *  - commit readable, intent torn: files of flushes newer than the commit never committed
 *    (never acked) → deleted; the torn intent is removed.
 *  - commit torn, intent readable: the intent's flush is kept if every file it lists
 *    exists (its data is complete), else its files are deleted; the commit is rebuilt
 *    from the files that remain: watermark = highest stream sequence in them.
 *  - both torn: which files the newest flush meant to write is unknown, so keeping them
 *    could skip messages of a file it never wrote: refused unless --trust-files.
 *
 * A rebuilt watermark may be lower than the lost one (duplicates that were dropped, bad
 * messages at the end of a flush are covered by the quarantine file's range); JetStream's
 * ack floor still bounds re-delivery (positioning uses max(ackFloor, W)).
 */
import { LakeError } from "../../errors";
import { readParquetInfo } from "../../parquet/decode";
import type { Store } from "../../storage/store";
import { commitKey, emptyCommit, intentKey, readCommit, readIntent, TornRecordError, writeCommit, type CommitRecord, type Intent } from "../common/commit";
import { decoderForTable } from "../worker/decode/index";
import { BRONZE_CONSUMERS, GOLD_CONSUMERS } from "./streams";

export interface RepairReport {
  durable: string;
  table: string;
  commitWas: "ok" | "missing" | "torn";
  intentWas: "ok" | "missing" | "torn";
  /** Files of a flush that never committed, deleted. */
  removed: string[];
  /** The commit record after the repair (rebuilt, or the readable one). */
  commit: CommitRecord;
  rebuilt: boolean;
  filesScanned: number;
}

interface FlushFile {
  key: string;
  flushId: number;
  fromSeq: number;
  toSeq: number;
  rows: number;
  quarantine: boolean;
}

const PART_NAME = /part-\d{8}T\d+Z-[0-9a-z]+-(\d+)-(\d+)-(\d+)\.(parquet|ndjson)$/;

async function state<T>(read: () => Promise<T | null>): Promise<{ was: "ok" | "missing" | "torn"; value: T | null }> {
  try {
    const value = await read();
    return { was: value ? "ok" : "missing", value };
  } catch (e) {
    if (e instanceof TornRecordError) return { was: "torn", value: null };
    throw e;
  }
}

export async function repairIngest(store: Store, durable: string, opts: { trustFiles?: boolean } = {}): Promise<RepairReport> {
  const spec = [...BRONZE_CONSUMERS, ...GOLD_CONSUMERS].find((c) => c.durable === durable);
  if (!spec) throw new LakeError(`unknown durable "${durable}" (lake's consumers: ${[...BRONZE_CONSUMERS, ...GOLD_CONSUMERS].map((c) => c.durable).join(", ")})`, 2);
  const commit = await state(() => readCommit(store, durable));
  const intent = await state<Intent>(() => readIntent(store, durable));
  const report: RepairReport = {
    durable, table: spec.table, commitWas: commit.was, intentWas: intent.was, removed: [],
    commit: commit.value ?? emptyCommit(durable, spec.table), rebuilt: false, filesScanned: 0,
  };
  if (commit.was !== "torn" && intent.was !== "torn") return report; // nothing torn: leave it to start-up recovery
  if (commit.was === "torn" && intent.was === "torn" && !opts.trustFiles) {
    throw new LakeError(
      `both ${commitKey(durable)} and ${intentKey(durable)} are unreadable: which files the newest flush meant to write is unknown, so rebuilding could skip messages of a file it never wrote. ` +
        `If JetStream no longer holds the un-acked messages anyway, rerun with --trust-files to rebuild from every file present.`,
    );
  }

  const files = await scanFiles(store, durable, spec.table);
  report.filesScanned = files.length;
  let drop: (f: FlushFile) => boolean = () => false;
  if (commit.was !== "torn") {
    const committed = commit.value?.flushId ?? 0; // no record yet: no flush ever committed
    drop = (f) => f.flushId > committed;
  } else if (intent.value) {
    const newest = intent.value;
    let complete = true;
    for (const k of newest.keys) if (!(await store.exists(k))) complete = false;
    drop = (f) => f.flushId > newest.flushId || (!complete && f.flushId === newest.flushId);
  }
  const kept: FlushFile[] = [];
  for (const f of files) {
    if (drop(f)) {
      await store.delete(f.key);
      report.removed.push(f.key);
    } else kept.push(f);
  }
  if (commit.was === "torn") {
    const rec = emptyCommit(durable, spec.table);
    for (const f of kept) {
      rec.flushId = Math.max(rec.flushId, f.flushId);
      rec.watermark = Math.max(rec.watermark, f.toSeq);
      if (f.quarantine) rec.quarantinedTotal += f.rows;
      else {
        rec.filesTotal++;
        rec.rowsTotal += f.rows;
      }
    }
    rec.lastFiles = kept.filter((f) => f.flushId === rec.flushId).map((f) => f.key);
    rec.lastCommitAt = new Date().toISOString();
    await writeCommit(store, rec);
    report.commit = rec;
    report.rebuilt = true;
  }
  // The intent is either torn or describes a flush settled above: start-up needs neither.
  if (intent.was === "torn" || commit.was === "torn") await store.delete(intentKey(durable));
  return report;
}

/** This consumer's Parquet files (by their `lake.consumer` metadata) and its table's quarantine files. */
async function scanFiles(store: Store, durable: string, table: string): Promise<FlushFile[]> {
  const out: FlushFile[] = [];
  const decoder = decoderForTable(table);
  for (const obj of await store.list(`${decoder.prefix}/`)) {
    const m = PART_NAME.exec(obj.key);
    if (!m || m[4] !== "parquet") continue;
    const info = await readParquetInfo({ byteLength: obj.size, slice: async (s: number, e?: number) => (await store.getRange(obj.key, s, e ?? obj.size)).slice().buffer as ArrayBuffer });
    if (info.kv["lake.consumer"] !== durable) continue;
    out.push({
      key: obj.key,
      flushId: Number(info.kv["lake.flush_id"] ?? m[1]),
      fromSeq: Number(info.kv["lake.stream_seq_min"] ?? m[2]),
      toSeq: Number(info.kv["lake.stream_seq_max"] ?? m[3]),
      rows: info.numRows,
      quarantine: false,
    });
  }
  for (const obj of await store.list(`_quarantine/${table}/`)) {
    const m = PART_NAME.exec(obj.key);
    if (!m || m[4] !== "ndjson") continue;
    const bytes = await store.get(obj.key);
    let lines = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lines++;
    out.push({ key: obj.key, flushId: Number(m[1]), fromSeq: Number(m[2]), toSeq: Number(m[3]), rows: lines, quarantine: true });
  }
  return out;
}
