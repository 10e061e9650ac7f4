/**
 * Compaction inside `lake serve` (`--compact`, on by default): every `intervalS` one pass
 * over the closed hours runs as a task on a one-thread batch worker pool, so decoding and
 * encoding never run on the main thread that moves ingest bytes, and that thread runs at
 * the lowest priority, so it only uses CPU that ingest leaves. Only committed files of
 * hours closed for `graceMs` are touched — never a flush in flight, never the current hour —
 * and only once no file has landed in the hour for `graceMs` either: a backlog drain writes
 * into long-closed hours, and compacting those while they grow redid the work at every pass
 * and held the merged rows in memory next to the drain's (docs/ingest.md, memory). The
 * lake-wide compaction lock keeps two instances from compacting at once.
 * Stopping aborts a running pass: the protocol is safe to cut at any instant, and the next
 * pass (or `lake compact`) finishes it.
 */
import type { Config } from "../config";
import { errorMessage } from "../errors";
import { log } from "../log";
import type { CompactTaskPayload, CompactTaskResult, MergeHourPayload } from "../compact/task";
import type { HourMerger } from "../compact/run";
import type { MergedHour } from "../compact/merge";
import type { WorkerPool } from "../runtime/pool";
import { openBatchPool } from "./pool";

export interface BackgroundCompactionOptions {
  intervalS: number;
  graceMs: number;
  maxFileBytes?: number;
  /** How long compacted inputs stay after their commit (readers that listed before it); default 5 min. */
  retainInputsMs?: number;
}

export const DEFAULT_RETAIN_INPUTS_MS = 5 * 60_000;
/** The compaction thread's nice value: ingest's threads take the CPU first (measured in bench:ingest --compaction). */
const COMPACTION_NICENESS = 19;

export interface CompactionStats {
  passes: number;
  hoursCompacted: number;
  filesRemoved: number;
  failures: number;
  lastPassAt: string | null;
}

export class BackgroundCompaction {
  readonly stats: CompactionStats = { passes: 0, hoursCompacted: 0, filesRemoved: 0, failures: 0, lastPassAt: null };
  private readonly pool = openBatchPool(1);
  private readonly abort = new AbortController();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly cfg: Pick<Config, "useS3" | "s3" | "dataRoot">,
    private readonly opts: BackgroundCompactionOptions,
  ) {}

  start(): void {
    log.info("background compaction on", { intervalS: this.opts.intervalS, graceMin: this.opts.graceMs / 60_000 });
    this.schedule(Math.min(5_000, this.opts.intervalS * 1000));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = null;
        this.schedule(this.opts.intervalS * 1000);
      });
    }, ms);
  }

  private async pass(): Promise<void> {
    const payload: CompactTaskPayload = { backend: { useS3: this.cfg.useS3, s3: this.cfg.s3, dataRoot: this.cfg.dataRoot }, graceMs: this.opts.graceMs, quietMs: this.opts.graceMs, maxFileBytes: this.opts.maxFileBytes, retainInputsMs: this.opts.retainInputsMs ?? DEFAULT_RETAIN_INPUTS_MS, niceness: COMPACTION_NICENESS };
    try {
      const r = await this.pool.run<CompactTaskResult>("compact.run", payload, { signal: this.abort.signal });
      this.stats.passes++;
      this.stats.lastPassAt = new Date().toISOString();
      if (r.busy) log.debug("compaction pass skipped: another compaction holds the lock");
      else if (r.hours > 0) {
        this.stats.hoursCompacted += r.hours;
        this.stats.filesRemoved += r.filesBefore - r.filesAfter;
        log.info("compacted closed hours", { hours: r.hours, rows: r.rows, files: `${r.filesBefore} → ${r.filesAfter}`, ms: Math.round(r.ms) });
      }
    } catch (e) {
      if (this.stopped) return;
      this.stats.failures++;
      // Ingest does not depend on compaction: log and try again at the next interval.
      log.warn("compaction pass failed; ingest continues, the next pass retries", { error: errorMessage(e) });
    }
  }

  /** Stop scheduling; abort a pass in flight (safe at any step) and close the worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running) this.abort.abort();
    await this.running?.catch(() => {});
    await this.pool.close();
  }
}

/** An HourMerger that runs each hour's merge as a "compact.mergeHour" task on `pool`. */
export function poolMerger(pool: WorkerPool, backend: Pick<Config, "useS3" | "s3" | "dataRoot">): HourMerger {
  return (h, maxFileBytes, metadata) => {
    const payload: MergeHourPayload = {
      backend: { useS3: backend.useS3, s3: backend.s3, dataRoot: backend.dataRoot },
      table: h.table.key,
      dir: h.dir,
      inputs: h.inputs.map((f) => ({ key: f.key, size: f.size, mtimeMs: f.mtimeMs })),
      maxFileBytes,
      metadata,
    };
    return pool.run<MergedHour>("compact.mergeHour", payload);
  };
}
