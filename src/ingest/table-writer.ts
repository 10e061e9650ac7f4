/**
 * The worker-side writer of one consumer: decode → validate → buffer → flush → commit.
 *
 * Buffering follows contracts §2.1: one buffer per table; a flush seals it and writes one
 * Parquet file per partition directory plus a quarantine file, under the intent/commit
 * protocol of commit.ts. At most one flush is in flight (§9 F-2); while it runs a second
 * buffer fills, and once that one reaches bufferLimit the writer refuses input, which
 * stops the ring, which stops the JetStream pull: bounded memory end to end. A failed
 * commit (S3 down, disk full) is retried with backoff, keeping the sealed batch — nothing
 * is acked meanwhile.
 */
import { encodeParquet } from "../parquet/index";
import { ObjectExistsError, type Store } from "../storage/store";
import { errorMessage } from "../errors";
import { recover, writeCommit, writeIntent, partFileName, type CommitRecord } from "./commit";
import { DecodeError, JsonCursor } from "./decode/cursor";
import { Partitions } from "./decode/partitions";
import { TableBuffer } from "./decode/table-buffer";
import type { TableDecoder } from "./decode/types";
import { quarantineKey, quarantineLine } from "./quarantine";

export interface TableWriterOptions {
  decoder: TableDecoder;
  consumer: string;
  store: Store;
  bufferLimit: number;
  flushIntervalMs: number;
  writerId: string;
  onCommit?: (p: CommitProgress) => void;
  onLog?: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

export interface CommitProgress {
  /** The new commit record: every message with stream seq ≤ commit.watermark is durable (ack up to it). */
  commit: CommitRecord;
  rows: number;
  quarantined: number;
}

interface Batch {
  buf: TableBuffer;
  parts: Partitions;
  quarantine: string[];
  messages: number;
  firstSeq: number;
  lastSeq: number;
  /** Highest sequence seen when sealed: everything ≤ it is in this or an earlier batch. */
  upTo: number;
}

export class TableWriter {
  readonly opts: TableWriterOptions;
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

  constructor(opts: TableWriterOptions) {
    this.opts = opts;
    this.batch = this.newBatch();
    this.subjectBytes = new TextEncoder().encode(opts.decoder.subject);
  }

  private newBatch(): Batch {
    const d = this.opts.decoder;
    return {
      buf: new TableBuffer(d.schema, Math.min(this.opts.bufferLimit + 64, 1 << 20)),
      parts: new Partitions(d.prefix, d.keyName),
      quarantine: [],
      messages: 0,
      firstSeq: 0,
      lastSeq: 0,
      upTo: 0,
    };
  }

  /** Start-up recovery (commit.ts); returns how many half-flushed files were removed. */
  async init(): Promise<number> {
    const { commit, removed } = await recover(this.opts.store, this.opts.consumer, this.opts.decoder.table);
    if (removed.length) this.opts.onLog?.("warn", "removed files of a flush that never committed", { consumer: this.opts.consumer, files: removed.length });
    this.commit = commit;
    this.highestSeen = commit.watermark;
    return removed.length;
  }

  get flushing(): boolean {
    return this.inflight !== null;
  }

  get bufferedRows(): number {
    return this.batch.buf.n;
  }

  /** False when the writer cannot take more input right now (backpressure). */
  canAccept(): boolean {
    return !(this.inflight && this.batch.buf.n >= this.opts.bufferLimit);
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
      b.quarantine.push(quarantineLine(subject, seq, `message of ${tooLarge} bytes exceeds the ring's record limit (first bytes kept)`, body.slice()));
      return;
    }
    if (!sameBytes(subject, this.subjectBytes)) {
      b.quarantine.push(quarantineLine(subject, seq, `unknown subject for ${this.opts.decoder.table}`, body.slice()));
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
      b.quarantine.push(quarantineLine(subject, seq, reason, body.slice()));
    }
  }

  /** Size/time trigger (contracts §2.1); returns the flush promise if one started. */
  maybeFlush(now = Date.now()): Promise<void> | null {
    if (this.inflight) return null;
    const b = this.batch;
    if (b.messages === 0) {
      this.lastFlushAt = now;
      return null;
    }
    if (b.buf.n >= this.opts.bufferLimit || b.quarantine.length >= this.opts.bufferLimit || now - this.lastFlushAt >= this.opts.flushIntervalMs) {
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
    const flushId = this.commit.flushId + 1;
    const now = new Date();
    const files: { key: string; data: Uint8Array | string }[] = [];
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
    if (b.quarantine.length) {
      files.push({ key: quarantineKey(decoder.table, writerId, flushId, b.firstSeq, b.lastSeq, now), data: b.quarantine.join("\n") + "\n" });
    }
    const next: CommitRecord = {
      ...this.commit,
      flushId,
      watermark: Math.max(this.commit.watermark, b.upTo),
      filesTotal: this.commit.filesTotal + files.length - (b.quarantine.length ? 1 : 0),
      rowsTotal: this.commit.rowsTotal + b.buf.n,
      quarantinedTotal: this.commit.quarantinedTotal + b.quarantine.length,
      lastCommitAt: now.toISOString(),
      lastFiles: files.map((f) => f.key),
    };
    await this.commitWithRetry(b, flushId, files, next);
    this.commit = next;
    this.opts.onCommit?.({ commit: next, rows: b.buf.n, quarantined: b.quarantine.length });
    // Recycle the sealed batch's allocation for the next seal.
    b.buf.clear();
    b.parts.clear();
    b.quarantine = [];
    b.messages = 0;
    this.spare = b;
  }

  private async commitWithRetry(b: Batch, flushId: number, files: { key: string; data: Uint8Array | string }[], next: CommitRecord): Promise<void> {
    const { store, consumer, writerId } = this.opts;
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        this.opts.onLog?.("debug", "flush: writing intent", { consumer, flushId, files: files.length });
        if (files.length) {
          await writeIntent(store, {
            version: 1, consumer, flushId, writer: writerId, fromSeq: b.firstSeq, toSeq: b.lastSeq,
            keys: files.map((f) => f.key), createdAt: new Date().toISOString(),
          });
          this.opts.onLog?.("debug", "flush: intent written", { consumer, flushId });
          faultPoint("after-intent");
          for (const f of files) {
            await putOnce(store, f.key, f.data);
            faultPoint("after-file");
          }
        }
        this.opts.onLog?.("debug", "flush: files written", { consumer, flushId });
        await writeCommit(store, next);
        this.opts.onLog?.("debug", "flush: committed", { consumer, flushId });
        faultPoint("after-commit");
        if (attempt > 1) this.opts.onLog?.("info", "commit succeeded after retry", { consumer, attempt });
        return;
      } catch (e) {
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
 * Test-only crash injection (the crash test sets LAKE_INGEST_FAULT=random): SIGKILL the
 * whole process at a commit-protocol step, so every step boundary gets exercised rather
 * than only the ones a random external kill happens to hit.
 */
const FAULT = process.env.LAKE_INGEST_FAULT;
const FAULT_P = Number(process.env.LAKE_INGEST_FAULT_P ?? 0.05);
function faultPoint(point: "after-intent" | "after-file" | "after-commit"): void {
  if (FAULT && (FAULT === point || FAULT === "random") && Math.random() < FAULT_P) process.kill(process.pid, "SIGKILL");
}

/** A retried put whose earlier attempt completed finds its own object: that is success. */
async function putOnce(store: Store, key: string, data: Uint8Array | string): Promise<void> {
  try {
    await store.put(key, data);
  } catch (e) {
    if (e instanceof ObjectExistsError || (e as { name?: string }).name === "ObjectExistsError") return;
    throw e;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
