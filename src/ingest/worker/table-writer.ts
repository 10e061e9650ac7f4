/**
 * The worker-side writer of one consumer: decode → validate → buffer → flush → commit.
 *
 * Buffering follows contracts §2.1: one buffer per table; a flush seals it and writes one
 * Parquet file per partition directory plus a quarantine file, under the intent/commit
 * protocol of commit.ts. At most one flush is in flight (§9 F-2); while it runs a second
 * buffer fills, and once that one reaches its row limit (bufferLimit, or fewer rows when
 * they would exceed maxBatchBytes) the writer refuses input, which
 * stops the ring, which stops the JetStream pull: bounded memory end to end. A failed
 * commit (S3 down, disk full) is retried with backoff, keeping the sealed batch — nothing
 * is acked meanwhile.
 */
import { encodeParquet } from "../../parquet/index";
import { type PutData, type Store } from "../../storage/store";
import { putIdempotent } from "../../storage/put-idempotent";
import { errorMessage } from "../../errors";
import { seededRandom, testFaults, type IngestKillPoint } from "../../core/test-faults";
import { archiveCommit, FencedError, recover, writeCommit, writeIntent, partFileName, type CommitRecord, type StreamIdentity } from "../common/commit";
import { DecodeError, JsonCursor } from "./decode/cursor";
import { Partitions } from "./decode/partitions";
import { rowBytes, TableBuffer } from "./decode/table-buffer";
import type { TableDecoder } from "./decode/types";
import { QUARANTINE_BATCH_BYTES, QUARANTINE_GC_BYTES, QuarantineLines, quarantineKey, quarantineLine } from "./quarantine";

export interface TableWriterOptions {
  decoder: TableDecoder;
  consumer: string;
  store: Store;
  bufferLimit: number;
  /**
   * Decoded bytes one batch may hold (rowBytes × rows): a flush starts when either this or
   * bufferLimit is reached, so a large bufferLimit on a wide table cannot buffer hundreds of
   * MiB per batch. Default DEFAULT_BATCH_BYTES.
   */
  maxBatchBytes?: number;
  flushIntervalMs: number;
  writerId: string;
  /** Fencing epoch of this owner's lease (lease.ts), written into intent and commit records. */
  epoch?: number;
  /**
   * Proves the lease right before a record is written or a file deleted; resolves with the
   * wall-clock ms until which the proof holds, throws FencedError when the lease is lost
   * (or another Error while it cannot be proven: the flush is retried). Absent: unfenced.
   */
  fence?: () => Promise<number>;
  onCommit?: (p: CommitProgress) => void;
  onLog?: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

export interface CommitProgress {
  /** The new commit record: every message with stream seq ≤ commit.watermark is durable (ack up to it). */
  commit: CommitRecord;
  rows: number;
  quarantined: number;
  /** Parquet bytes written by this commit (quarantine files excluded). */
  bytes: number;
  /** Encode + put + commit record, in seconds. */
  flushSeconds: number;
}

interface Batch {
  buf: TableBuffer;
  parts: Partitions;
  quarantine: QuarantineLines;
  messages: number;
  firstSeq: number;
  lastSeq: number;
  /** Highest sequence seen when sealed: everything ≤ it is in this or an earlier batch. */
  upTo: number;
}

/**
 * Default decoded-bytes cap of one batch. A writer holds at most two batches (one open, one
 * flushing) plus the flush's sorted copy and its pages, so about four times this per lane;
 * 32 MiB is ~98,000 MBP-10 rows, enough that per-flush costs stay amortised (docs/ingest.md).
 */
export const DEFAULT_BATCH_BYTES = 32 * 1024 * 1024;

export class TableWriter {
  readonly opts: TableWriterOptions;
  /** Rows per batch: bufferLimit, or fewer when the table's rows are wide (maxBatchBytes). */
  readonly rowLimit: number;
  commit!: CommitRecord;
  /** Highest stream seq accepted (dedup floor: a redelivery at or below it is dropped). */
  highestSeen = 0;
  duplicates = 0;
  decoded = 0;
  failedFlushes = 0;
  private batch: Batch;
  private spare: Batch | null = null;
  private inflight: Promise<void> | null = null;
  private lastFlushAt = Date.now();
  private readonly cur = new JsonCursor();
  private readonly subjectBytes: Uint8Array;
  private giveUpAt = Infinity;
  private stream: StreamIdentity | undefined;

  constructor(opts: TableWriterOptions) {
    this.opts = opts;
    const perRow = rowBytes(opts.decoder.schema);
    this.rowLimit = Math.max(1, Math.min(opts.bufferLimit, Math.floor((opts.maxBatchBytes ?? DEFAULT_BATCH_BYTES) / perRow)));
    this.batch = this.newBatch();
    this.subjectBytes = new TextEncoder().encode(opts.decoder.subject);
    this.cur.maxEventSec = Math.floor(Date.now() / 1000) + 86_400;
  }

  private newBatch(): Batch {
    const d = this.opts.decoder;
    return {
      buf: new TableBuffer(d.schema, Math.min(this.rowLimit + 64, 1 << 20)),
      parts: new Partitions(d.prefix, d.keyName),
      quarantine: new QuarantineLines(),
      messages: 0,
      firstSeq: 0,
      lastSeq: 0,
      upTo: 0,
    };
  }

  /** Start-up recovery (commit.ts); returns how many half-flushed files were removed. */
  async init(): Promise<number> {
    const fence = this.opts.fence;
    const { commit, removed } = await recover(this.opts.store, this.opts.consumer, this.opts.decoder.table, { epoch: this.opts.epoch, fence: fence && (async () => void (await fence())) });
    if (removed.length) this.opts.onLog?.("warn", "removed files of a flush that never committed", { consumer: this.opts.consumer, files: removed.length });
    this.commit = commit;
    this.highestSeen = commit.watermark;
    void this.sweepOrphans();
    return removed.length;
  }

  /** Temp files of dead processes (killed mid-put) in this consumer's directories; in the background (a big lake is a long walk). */
  private async sweepOrphans(): Promise<void> {
    const { store, consumer, decoder } = this.opts;
    if (!store.sweepOrphans) return;
    try {
      let n = 0;
      for (const prefix of [`_ingest/${consumer}/`, `_quarantine/${decoder.table}/`, `${decoder.prefix}/`]) n += await store.sweepOrphans(prefix);
      if (n) this.opts.onLog?.("info", "removed temp files left by dead processes", { consumer, files: n });
    } catch (e) {
      this.opts.onLog?.("warn", "temp-file sweep failed (harmless: readers skip temp files)", { consumer, error: errorMessage(e) });
    }
  }

  /** The stream the consumer reads (identity recorded in every commit record from now on). */
  setStream(stream: StreamIdentity): void {
    this.stream = stream;
  }

  /**
   * The stream was deleted and recreated and the operator accepted it: archive the commit
   * record and start counting from 0 in the new stream. Only between flushes.
   */
  async acceptStreamReset(stream: StreamIdentity): Promise<CommitRecord> {
    if (this.inflight || this.batch.messages > 0) throw new Error(`${this.opts.consumer}: stream reset while a flush is pending`);
    const old = this.commit;
    await this.opts.fence?.();
    const archived = await archiveCommit(this.opts.store, old);
    const next: CommitRecord = { ...old, watermark: 0, stream, epoch: this.opts.epoch, lastFiles: [], lastCommitAt: new Date().toISOString() };
    await this.opts.fence?.();
    await writeCommit(this.opts.store, next);
    this.commit = next;
    this.highestSeen = 0;
    this.stream = stream;
    this.opts.onLog?.("warn", "stream reset accepted: the old commit record is archived, ingest restarts at the stream's first sequence", { consumer: this.opts.consumer, archived, previousWatermark: old.watermark });
    return next;
  }

  get flushing(): boolean {
    return this.inflight !== null;
  }

  get bufferedRows(): number {
    return this.batch.buf.n;
  }

  /** False when the writer cannot take more input right now (backpressure: rows or quarantine bytes). */
  canAccept(): boolean {
    // Quarantine bytes stop input even with no flush in flight: one ring drain could
    // otherwise add a whole ring of large bad messages past the budget before maybeFlush.
    if (this.batch.quarantine.bytes >= QUARANTINE_BATCH_BYTES) return false;
    return !(this.inflight && this.batch.buf.n >= this.rowLimit);
  }

  /** Decode one message into the open batch (or the quarantine). Views are copied as needed. */
  accept(subject: Uint8Array, seq: number, body: Uint8Array, tooLarge = 0): void {
    if (seq <= this.highestSeen) {
      this.duplicates++;
      return;
    }
    this.highestSeen = seq;
    const b = this.batch;
    if (b.messages === 0) b.firstSeq = seq;
    b.messages++;
    b.lastSeq = seq;
    if (tooLarge > 0) {
      b.quarantine.push(seq, quarantineLine(subject, seq, `message of ${tooLarge} bytes exceeds the ring's record limit (first bytes kept)`, body));
      return;
    }
    if (!sameBytes(subject, this.subjectBytes)) {
      b.quarantine.push(seq, quarantineLine(subject, seq, `unknown subject for ${this.opts.decoder.table}`, body));
      return;
    }
    const buf = b.buf;
    try {
      this.cur.reset(body);
      const rows = this.opts.decoder.decode(this.cur, buf, b.parts);
      const seqs = buf.streamSeq;
      for (let i = 0; i < rows; i++) seqs[buf.n + i] = seq;
      buf.n += rows;
      this.decoded++;
    } catch (e) {
      const reason = e instanceof DecodeError ? e.message : `unexpected decoder error: ${errorMessage(e)}`;
      b.quarantine.push(seq, quarantineLine(subject, seq, reason, body));
    }
  }

  /** Size/time trigger (contracts §2.1); returns the flush promise if one started. */
  maybeFlush(now = Date.now()): Promise<void> | null {
    // Called after every ring drain: the receive-time limit for event timestamps stays current.
    this.cur.maxEventSec = Math.floor(now / 1000) + 86_400;
    if (this.inflight) return null;
    const b = this.batch;
    if (b.messages === 0) {
      this.lastFlushAt = now;
      return null;
    }
    const q = b.quarantine;
    if (b.buf.n >= this.rowLimit || q.count >= this.opts.bufferLimit || q.bytes >= QUARANTINE_BATCH_BYTES || now - this.lastFlushAt >= this.opts.flushIntervalMs) {
      return this.startFlush();
    }
    return null;
  }

  /** Flush everything accepted so far; resolves when it is committed. */
  async flushAll(deadlineMs = Infinity): Promise<void> {
    this.giveUpAt = deadlineMs;
    try {
      if (this.inflight) await this.inflight;
      if (this.batch.messages > 0) await this.startFlush();
    } finally {
      this.giveUpAt = Infinity;
    }
  }

  private startFlush(): Promise<void> {
    const sealed = this.batch;
    sealed.upTo = this.highestSeen;
    this.batch = this.spare ?? this.newBatch();
    this.spare = null;
    this.lastFlushAt = Date.now();
    const p = this.runFlush(sealed).finally(() => {
      this.inflight = null;
    });
    this.inflight = p;
    return p;
  }

  private async runFlush(b: Batch): Promise<void> {
    const { decoder, consumer, writerId } = this.opts;
    const started = performance.now();
    const flushId = this.commit.flushId + 1;
    const now = new Date();
    const files: { key: string; data: PutData }[] = [];
    const parts = b.parts.list;
    if (b.buf.n > 0) {
      // Group rows by partition, keeping arrival order (counting sort), then encode.
      const counts = new Uint32Array(parts.length);
      for (let i = 0; i < b.buf.n; i++) counts[b.buf.part[i]!]!++;
      const groups = Array.from(counts, (c) => ({ idx: new Uint32Array(c), k: 0 }));
      for (let i = 0; i < b.buf.n; i++) {
        const g = groups[b.buf.part[i]!]!;
        g.idx[g.k++] = i;
      }
      for (let p = 0; p < parts.length; p++) {
        const idx = groups[p]!.idx;
        if (idx.length === 0) continue;
        let lo = Infinity;
        let hi = 0;
        for (let i = 0; i < idx.length; i++) {
          const s = b.buf.streamSeq[idx[i]!]!;
          if (s < lo) lo = s;
          if (s > hi) hi = s;
        }
        const data = encodeParquet(b.buf.frame(idx), {
          schema: decoder.schema,
          metadata: {
            "lake.consumer": consumer,
            "lake.subject": decoder.subject,
            "lake.stream_seq_min": String(lo),
            "lake.stream_seq_max": String(hi),
            "lake.writer": writerId,
            "lake.flush_id": String(flushId),
          },
        });
        files.push({ key: `${parts[p]!.dir}/${partFileName(writerId, flushId, lo, hi, "parquet", now)}`, data });
      }
    }
    const dataFiles = files.length;
    let bytes = 0;
    for (const f of files) bytes += putDataBytes(f.data);
    for (const q of b.quarantine.files()) files.push({ key: quarantineKey(decoder.table, writerId, flushId, q.fromSeq, q.toSeq, now), data: q.lines });
    const next: CommitRecord = {
      ...this.commit,
      flushId,
      watermark: Math.max(this.commit.watermark, b.upTo),
      filesTotal: this.commit.filesTotal + dataFiles,
      rowsTotal: this.commit.rowsTotal + b.buf.n,
      quarantinedTotal: this.commit.quarantinedTotal + b.quarantine.count,
      lastCommitAt: now.toISOString(),
      lastFiles: files.map((f) => f.key),
      ...(this.opts.epoch ? { epoch: this.opts.epoch } : {}),
      ...(this.stream ?? this.commit.stream ? { stream: this.stream ?? this.commit.stream } : {}),
    };
    await this.commitWithRetry(b, flushId, files, next);
    this.commit = next;
    this.opts.onCommit?.({ commit: next, rows: b.buf.n, quarantined: b.quarantine.count, bytes, flushSeconds: (performance.now() - started) / 1000 });
    // Large bad messages leave megabytes of short-lived strings (base64, decoded text): ask
    // for a collection now rather than when the heap has grown by hundreds of MiB.
    if (b.quarantine.bytes >= QUARANTINE_GC_BYTES) Bun.gc(false);
    // Recycle the sealed batch's allocation for the next seal.
    b.buf.clear();
    b.parts.clear();
    b.quarantine.clear();
    b.messages = 0;
    this.spare = b;
  }

  /** The fence's proof (valid until), or Infinity when unfenced. */
  private async prove(): Promise<number> {
    return this.opts.fence ? await this.opts.fence() : Infinity;
  }

  private async commitWithRetry(b: Batch, flushId: number, files: { key: string; data: PutData }[], next: CommitRecord): Promise<void> {
    const { store, consumer, writerId } = this.opts;
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        this.opts.onLog?.("debug", "flush: writing intent", { consumer, flushId, files: files.length });
        if (files.length) {
          const validUntil = await this.prove();
          await writeIntent(store, {
            version: 1, consumer, flushId, writer: writerId, fromSeq: b.firstSeq, toSeq: b.lastSeq,
            keys: files.map((f) => f.key), createdAt: new Date().toISOString(), ...(this.opts.epoch ? { epoch: this.opts.epoch } : {}),
          });
          this.opts.onLog?.("debug", "flush: intent written", { consumer, flushId });
          faultPoint("after-intent");
          for (const f of files) {
            // A proof older than the lease's safe span may be stale: prove again (retry).
            if (Date.now() > validUntil) throw new Error("the ownership proof expired during the flush (slow store or paused process)");
            await putIdempotent(store, f.key, f.data);
            faultPoint("after-file");
          }
        }
        this.opts.onLog?.("debug", "flush: files written", { consumer, flushId });
        await this.prove();
        await writeCommit(store, next);
        this.opts.onLog?.("debug", "flush: committed", { consumer, flushId });
        faultPoint("after-commit");
        if (attempt > 1) this.opts.onLog?.("info", "commit succeeded after retry", { consumer, attempt });
        return;
      } catch (e) {
        if (e instanceof FencedError) throw e;
        this.failedFlushes++;
        if (Date.now() + delay > this.giveUpAt) throw new Error(`${consumer}: flush not committed before the shutdown deadline: ${errorMessage(e)}`);
        this.opts.onLog?.("warn", "commit failed, will retry (nothing acked)", { consumer, attempt, delayMs: delay, error: errorMessage(e) });
        await Bun.sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }
}

/**
 * Test-only crash injection, behind LAKE_TEST_FAULTS=ingest-kill=… (src/core/test-faults.ts):
 * SIGKILL the whole process at a commit-protocol step, so every step boundary gets exercised
 * rather than only the ones a random external kill happens to hit. Inert when unset.
 */
const KILL = testFaults().ingestKill;
const killDraw = KILL ? seededRandom(testFaults().seed ?? (Math.random() * 2 ** 32) >>> 0) : null;
function faultPoint(point: IngestKillPoint): void {
  if (KILL && (KILL.point === point || KILL.point === "any") && killDraw!() < KILL.probability) process.kill(process.pid, "SIGKILL");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function putDataBytes(d: PutData): number {
  if (typeof d === "string") return Buffer.byteLength(d);
  if (d instanceof Uint8Array) return d.byteLength;
  let n = 0;
  for (const c of d) n += c.byteLength;
  return n;
}
