/**
 * One compaction run over a lake (docs/compaction.md has the protocol and failure table):
 *
 *   0. lock; finish what earlier runs left: committed day switches (day-switch.ts), delete the
 *      inputs of committed records (roll forward), delete outputs that never got a record
 *      (roll back), drop spent records;
 *   per closed partition-hour with ≥ 2 live files:
 *   1. merge the inputs (sorted by ts_event_ns, seq) into outputs `compact-{run}-{i}.parquet`;
 *   2. put the outputs (never overwriting);
 *   3. put the record `compact-{run}.json` naming outputs and inputs — the commit point;
 *   then, once every hour is committed (after `deleteDelayMs`, for listings in flight):
 *   4. delete the inputs — or, with `retainInputsMs`, leave them to a run at least that much
 *      later (readers that listed before the commit can still open them).
 * A SIGKILL anywhere leaves either the inputs live (before 3) or the outputs live (after 3);
 * the next run finishes the job.
 */
import { errorMessage, LakeError } from "../errors";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { dirOf, outputKeyFor, outputRun, readRecord, recordKeyFor, type CompactionRecord, type Leaf } from "../read/superseding";
import type { BronzeTable } from "../schemas/bronze";
import type { Store } from "../storage/store";
import { acquireCompactionLock } from "./lock";
import { DEFAULT_MAX_FILE_BYTES, mergeHour, type MergedHour } from "./merge";
import { planCompaction, type HourPlan } from "./plan";
import { faultPoint } from "./faults";
import { finishSwitches } from "./day-switch";
import { newRunId } from "./run-id";

export { newRunId };

export interface CompactOptions {
  tables?: readonly BronzeTable[];
  dates?: readonly string[];
  graceMs?: number;
  /** Leave hours that received a file within this many ms (plan.ts quietMs). */
  quietMs?: number;
  maxFileBytes?: number;
  dryRun?: boolean;
  /** Wait between the last commit and deleting inputs, for listings that started before it. */
  deleteDelayMs?: number;
  /**
   * Keep the inputs of a committed record at least this long (ms after its commit) instead of
   * deleting them at the end of the run: a reader that listed the hour just before the commit
   * (a Silver build, a long query) can still open them. A later run deletes them.
   */
  retainInputsMs?: number;
  /**
   * Where an hour's inputs are decoded, merged and encoded (default: in this thread). `lake
   * compact` passes one that runs on the batch worker pool; committing stays here, in order.
   */
  merge?: HourMerger;
  /** Hours merging at once, ahead of the one being committed (default 1). */
  mergeAhead?: number;
  /** Stop starting new hours once this returns true (service shutdown). */
  shouldStop?: () => boolean;
  onHour?: (h: HourResult) => void;
  log?: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
}

export interface HourResult {
  table: string;
  dir: string;
  filesBefore: number;
  bytesBefore: number;
  filesAfter: number;
  bytesAfter: number | null;
  rows: number | null;
  ms: number;
}

export interface CompactReport {
  dryRun: boolean;
  hours: HourResult[];
  rows: number;
  filesBefore: number;
  filesAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Earlier runs finished: committed records rolled forward, orphan outputs removed. */
  recovered: { rolledForward: number; inputsDeleted: number; orphansDeleted: number; recordsDropped: number };
  inFlightFiles: number;
  alreadyCompactHours: number;
  ms: number;
}

export const DEFAULT_GRACE_MS = 10 * 60_000;
/** Deletes in flight at once: a local unlink or an S3 DELETE is latency, not work. */
const DELETE_CONCURRENCY = 16;

export async function compactLake(store: Store, opts: CompactOptions = {}): Promise<CompactReport> {
  const t0 = performance.now();
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const report: CompactReport = {
    dryRun: !!opts.dryRun,
    hours: [],
    rows: 0,
    filesBefore: 0,
    filesAfter: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    recovered: { rolledForward: 0, inputsDeleted: 0, orphansDeleted: 0, recordsDropped: 0 },
    inFlightFiles: 0,
    alreadyCompactHours: 0,
    ms: 0,
  };
  const run = newRunId();
  await using _lock = opts.dryRun ? null : await acquireCompactionLock(store, run);
  // a day switch that committed and then died: its hours get their records, the replaced files go
  if (!opts.dryRun) report.recovered.rolledForward += await finishSwitches(store, opts.deleteDelayMs ?? 0);
  const plan = await planCompaction(store, { tables: opts.tables, dates: opts.dates, graceMs: opts.graceMs ?? DEFAULT_GRACE_MS, quietMs: opts.quietMs });
  report.inFlightFiles = plan.inFlight;
  report.alreadyCompactHours = plan.compactHours;

  if (opts.dryRun) {
    for (const h of plan.hours) {
      const r: HourResult = { table: h.table.key, dir: h.dir, filesBefore: h.inputs.length, bytesBefore: h.bytes, filesAfter: Math.max(1, Math.ceil(h.bytes / maxFileBytes)), bytesAfter: null, rows: null, ms: 0 };
      addHour(report, r);
    }
    report.ms = performance.now() - t0;
    return report;
  }

  const { leftovers } = plan;
  const retain = opts.retainInputsMs ?? 0;
  for (const c of leftovers.committed) {
    if (retain > 0 && Date.parse(c.record.createdAt) + retain > Date.now()) continue; // still retained
    await eachConcurrently(c.remaining, DELETE_CONCURRENCY, (k) => store.delete(k));
    report.recovered.inputsDeleted += c.remaining.length;
    report.recovered.rolledForward++;
  }
  for (const o of leftovers.orphans) {
    await store.delete(o.key);
    report.recovered.orphansDeleted++;
  }
  for (const k of leftovers.spent) {
    await store.delete(k);
    report.recovered.recordsDropped++;
  }
  if (report.recovered.rolledForward + report.recovered.orphansDeleted > 0) {
    opts.log?.("info", "finished an interrupted compaction", report.recovered);
  }

  const committed: CompactionRecord[] = [];
  const merge = opts.merge ?? inProcessMerger(store);
  const runOf = (n: number) => `${run}${n.toString(36)}`;
  // Merges run ahead (on other threads when `merge` says so); commits stay one at a time, in order.
  const merging: { promise: Promise<MergedHour>; started: number }[] = [];
  const startMerge = () => {
    const n = merging.length;
    if (n >= plan.hours.length || opts.shouldStop?.()) return;
    const h = plan.hours[n]!;
    const promise = merge(h, maxFileBytes, mergeMetadata(h, runOf(n)));
    promise.catch(() => {}); // awaited below, in order; a failure of a later hour must not go unhandled meanwhile
    merging.push({ promise, started: performance.now() });
  };
  for (let i = 0; i < Math.max(1, opts.mergeAhead ?? 1); i++) startMerge();
  for (let n = 0; n < merging.length; n++) {
    const h = plan.hours[n]!;
    const merged = await merging[n]!.promise;
    startMerge();
    const started = merging[n]!.started;
    const rec = await commitHour(store, h, runOf(n), merged);
    committed.push(rec);
    addHour(report, {
      table: h.table.key,
      dir: h.dir,
      filesBefore: h.inputs.length,
      bytesBefore: h.bytes,
      filesAfter: rec.outputs.length,
      bytesAfter: rec.outputs.reduce((s, o) => s + o.bytes, 0),
      rows: rec.rows,
      ms: performance.now() - started,
    });
    opts.onHour?.(report.hours[report.hours.length - 1]!);
  }
  if (committed.length && retain === 0 && (opts.deleteDelayMs ?? 0) > 0) await Bun.sleep(opts.deleteDelayMs!);
  // Committed inputs are invisible to the lake already, so they go in any order, many at a time.
  const doomed = (retain > 0 ? [] : committed).flatMap((rec) => rec.inputs.map((i) => i.key));
  await eachConcurrently(doomed, DELETE_CONCURRENCY, async (key) => {
    try {
      await store.delete(key);
    } catch (e) {
      opts.log?.("warn", "could not delete a compacted input; the next run retries", { key, error: errorMessage(e) });
    }
    faultPoint("after-delete");
  });
  report.ms = performance.now() - t0;
  return report;
}

/** Decode, merge and encode one hour's inputs: what may run on another thread. */
export type HourMerger = (h: Pick<HourPlan, "table" | "dir" | "inputs">, maxFileBytes: number, metadata: Record<string, string>) => Promise<MergedHour>;

/**
 * The merger that reads the inputs from `store` and merges them on the calling thread. Local
 * inputs are read synchronously: a flush file is a few KiB, and an async read costs several
 * times the read itself (this runs on a worker thread, or is the whole of `lake compact --threads 0`).
 */
export function inProcessMerger(store: Store): HourMerger {
  const root = store.localRoot;
  return (h, maxFileBytes, metadata) =>
    mergeHour(
      h.table.schema,
      h.inputs.map((f) => ({ key: f.key, size: f.size, bytes: root !== undefined ? async () => readFileSync(join(root, ...f.key.split("/"))) : () => store.get(f.key) })),
      maxFileBytes,
      metadata,
    );
}

function mergeMetadata(h: HourPlan, run: string): Record<string, string> {
  return { "lake.compaction_run": run, "lake.compacted_from": JSON.stringify(h.inputs.map((f) => f.key.slice(h.dir.length + 1))) };
}

/** Write a merged hour's outputs, then its record (the commit point); the inputs stay for the caller to delete. */
export async function commitHour(store: Store, h: Pick<HourPlan, "table" | "dir" | "inputs">, run: string, merged: MergedHour): Promise<CompactionRecord> {
  const inputs = h.inputs;
  const leaves = await leavesOf(store, h, merged.inputSha256);
  faultPoint("after-merge");
  const outputs: CompactionRecord["outputs"] = [];
  for (const [i, o] of merged.outputs.entries()) {
    const key = outputKeyFor(h.dir, run, i);
    await store.put(key, o.data);
    outputs.push({ key, rows: o.rows, bytes: o.data.byteLength });
    faultPoint("after-output");
  }
  const record: CompactionRecord = {
    version: 1,
    kind: "lake.compaction",
    table: h.table.schema.name,
    run,
    createdAt: new Date().toISOString(),
    outputs,
    inputs: inputs.map((f) => ({ key: f.key, size: f.size, rows: merged.inputRows.get(f.key) ?? 0 })),
    rows: merged.rows,
    seqRanges: merged.seqRanges,
    inputsWithoutSeq: merged.inputsWithoutSeq,
    leaves,
  };
  await store.put(recordKeyFor(h.dir, run), JSON.stringify(record, null, 1), { contentType: "application/json" });
  faultPoint("after-record");
  return record;
}

/** The original files behind the inputs: an earlier compaction's output stands for its record's leaves. */
export async function leavesOf(store: Store, h: Pick<HourPlan, "dir" | "inputs">, sha: Map<string, string>): Promise<Leaf[]> {
  const out: Leaf[] = [];
  const seen = new Set<string>();
  for (const f of h.inputs) {
    const run = outputRun(f.key);
    if (run === null) {
      out.push({ key: f.key, size: f.size, sha256: sha.get(f.key)! });
      continue;
    }
    const recKey = recordKeyFor(dirOf(f.key), run);
    if (seen.has(recKey)) continue; // the outputs of a split hour share one record
    seen.add(recKey);
    const rec = await readRecord(store, recKey);
    if (!rec?.leaves) throw new LakeError(`compaction record of ${f.key} is missing or has no leaves; not compacting ${h.dir}`);
    out.push(...rec.leaves);
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function addHour(r: CompactReport, h: HourResult): void {
  r.hours.push(h);
  r.rows += h.rows ?? 0;
  r.filesBefore += h.filesBefore;
  r.filesAfter += h.filesAfter;
  r.bytesBefore += h.bytesBefore;
  r.bytesAfter += h.bytesAfter ?? 0;
}
/** `fn` over `items`, at most `limit` at once; the first failure is thrown once all have settled. */
export async function eachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
}
