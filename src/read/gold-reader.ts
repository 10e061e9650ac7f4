/**
 * GoldReader (contracts §6.2): streamed level signals under
 * `gold/levels/signals/underlying={U}/date=/hour=/`.
 *
 * Fixes over the reference (§9 R-6, G-1, G-3): default root is the configured lake; files are
 * unified by name with null-typed columns cast to the §3.3 types (the reference failed the
 * whole query and returned empty); duplicates of (ts_event_ns, level_id) — the core
 * republishes an unchanged `ts` every 250 ms — are dropped on read unless `dedupe: false`.
 *
 * Training sets `gold/training/{name}.parquet` are read where the catalog says they are: on a
 * bucket lake the catalog names the dataset's generation object, so a reader never sees a
 * dataset and a catalog that do not belong together. With `columns`, an S3 object is read by
 * byte range — its footer and those columns' chunks — instead of copied whole (LAKE_CACHE=full
 * keeps whole copies).
 */
import { LakeError } from "../errors";
import type { Frame } from "../frame";
import { LEVEL_SIGNALS, LEVEL_SIGNALS_PATH } from "../schemas/gold";
import { GOLD_TRAINING_PIT, trainingSchemaHolding } from "../schemas/silver";
import { readJsonIfExists } from "../storage/store";
import { DuckSession } from "./duck";
import { LakeFiles, type LakeFilesOptions, type LakeLocation } from "./lake-files";
import { checkBound, checkDate, checkLimit, checkPartitionValue } from "../core/validate";
import { onDiskTypes, projection, READ_OPTS, scanFrame, streamScan, type ScanRequest } from "./scan";
import { projectSchema, type TimeRange } from "./bronze-reader";

export interface SignalReadOptions extends TimeRange {
  /** Keep the first row per (ts_event_ns, level_id); default true. */
  dedupe?: boolean;
}

export interface TrainingReadOptions {
  /** Read only these columns (in schema order); default every column the dataset holds. */
  columns?: readonly string[];
  limit?: number;
}

/** What a reader needs of `gold/catalog.json`: where each training set's object is. */
interface CatalogView {
  datasets: { name: string; type: string; path: string }[];
}

const CATALOG_KEY = "gold/catalog.json";
/** What the scan orders and dedupes signals by: read whatever the caller projects. */
const SIGNAL_SCAN_COLUMNS = ["ts_event_ns", "level_id"];

export class GoldReader {
  readonly files: LakeFiles;
  lastRead: { files: string[] } = { files: [] };

  constructor(location: LakeLocation | LakeFiles, opts: LakeFilesOptions = {}) {
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

  /**
   * A Gold training set, in its stored row order (ts_ns, event_id). Columns absent from an
   * older dataset read as NULL of their declared type.
   */
  async readTrainingSet(name = "signals_production", opts: TrainingReadOptions = {}): Promise<Frame> {
    checkPartitionValue("dataset", name);
    const limit = checkLimit(opts.limit);
    const schemaOf = opts.columns ? projectSchema(GOLD_TRAINING_PIT, opts.columns) : null;
    const key = await this.trainingKey(name);
    const info = await this.files.store.stat(key);
    if (!info) throw new LakeError(`Gold training dataset '${name}' not found (${key} is missing)`);
    this.lastRead = { files: [key] };
    using _held = this.files.hold();
    const columns = schemaOf ? new Set(schemaOf.columns.map((c) => c.name)) : null;
    const paths = await this.files.localPaths([{ ...info, date: null, hour: null }], columns);
    using s = await DuckSession.open();
    const types = await onDiskTypes(s, paths);
    const schema = schemaOf ?? trainingSchemaHolding([...types.keys()]) ?? GOLD_TRAINING_PIT;
    const sql = [
      `SELECT ${projection(schema, types).join(", ")}`,
      `FROM read_parquet($files, ${READ_OPTS}, file_row_number=true)`,
      `ORDER BY file_row_number`,
      limit !== undefined ? `LIMIT ${limit}` : "",
    ].join("\n");
    return await s.query(sql, { files: paths });
  }

  /** The object the catalog names for `name`; the conventional key when no catalog lists it. */
  private async trainingKey(name: string): Promise<string> {
    const cat = await readJsonIfExists<CatalogView>(this.files.store, CATALOG_KEY);
    const entry = cat?.datasets.find((d) => d.name === name && d.type === "training");
    return entry?.path ?? `gold/training/${name}.parquet`;
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
    const schema = opts.columns ? projectSchema(LEVEL_SIGNALS, [...opts.columns, ...SIGNAL_SCAN_COLUMNS]) : LEVEL_SIGNALS;
    return {
      schema,
      // a projection reads only its columns' chunks (by range on S3), everything whole objects
      paths: await this.files.localPaths(files, opts.columns ? new Set(schema.columns.map((c) => c.name)) : null),
      startNs,
      endNs,
      tieBreak: ["level_id"],
      dedupeOn: opts.dedupe === false ? undefined : ["ts_event_ns", "level_id"],
      limit,
    };
  }
}
