/**
 * GoldReader (contracts §6.2): streamed level signals under
 * `gold/levels/signals/underlying={U}/date=/hour=/`.
 *
 * Fixes over the reference (§9 R-6, G-1, G-3): default root is the configured lake; files are
 * unified by name with null-typed columns cast to the §3.3 types (the reference failed the
 * whole query and returned empty); duplicates of (ts_event_ns, level_id) — the core
 * republishes an unchanged `ts` every 250 ms — are dropped on read unless `dedupe: false`.
 */
import type { Frame } from "../frame";
import { LEVEL_SIGNALS, LEVEL_SIGNALS_PATH } from "../schemas/gold";
import { DuckSession } from "./duck";
import { checkBound, checkDate, checkLimit, checkPartitionValue, LakeFiles, type LakeFilesOptions, type LakeLocation } from "./lake-files";
import { buildScan, scanFrame, streamScan, type ScanRequest } from "./scan";
import type { TimeRange } from "./bronze-reader";

export interface SignalReadOptions extends TimeRange {
  /** Keep the first row per (ts_event_ns, level_id); default true. */
  dedupe?: boolean;
}

export class GoldReader {
  readonly files: LakeFiles;
  lastRead: { files: string[] } = { files: [] };

  constructor(location?: LakeLocation | LakeFiles, opts: LakeFilesOptions = {}) {
    this.files = location instanceof LakeFiles ? location : new LakeFiles(location, opts);
  }

  async readLevelSignals(underlying = "ES", opts: SignalReadOptions = {}): Promise<Frame> {
    using _held = this.files.hold();
    using s = await DuckSession.open();
    return await scanFrame(s, await this.plan(underlying, opts));
  }

  async *streamLevelSignals(underlying = "ES", opts: SignalReadOptions = {}, batchRows?: number): AsyncGenerator<Frame> {
    using _held = this.files.hold();
    yield* streamScan(await this.plan(underlying, opts), batchRows);
  }

  async getAvailableDates(underlying = "ES"): Promise<string[]> {
    checkPartitionValue("underlying", underlying);
    return this.files.availableDates(`${LEVEL_SIGNALS_PATH}/underlying=${underlying}`);
  }

  private async plan(underlying: string, opts: SignalReadOptions): Promise<ScanRequest> {
    checkPartitionValue("underlying", underlying);
    const date = checkDate(opts.date);
    const startNs = checkBound("startNs", opts.startNs);
    const endNs = checkBound("endNs", opts.endNs);
    const limit = checkLimit(opts.limit);
    const files = await this.files.filesFor(`${LEVEL_SIGNALS_PATH}/underlying=${underlying}`, { date, startNs, endNs });
    this.lastRead = { files: files.map((f) => f.key) };
    return {
      schema: LEVEL_SIGNALS,
      paths: await this.files.localPaths(files),
      startNs,
      endNs,
      tieBreak: ["level_id"],
      dedupeOn: opts.dedupe === false ? undefined : ["ts_event_ns", "level_id"],
      limit,
    };
  }
}
