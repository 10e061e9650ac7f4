/**
 * BronzeReader (contracts §6.1): futures trades, MBP-10 and option trades as Frames.
 *
 * Semantics beyond the reference (§9 R-1…R-8): partition values never shadow the file's
 * `symbol`; no files → an empty Frame with the declared columns, any other failure → a typed
 * error; inputs validated and bound; deterministic order; contracts never silently mixed —
 * front-month filtering runs the ContractSelector per date and refuses a roll-contaminated
 * day unless told otherwise (§6.1.2 Required).
 */
import { LakeError, UsageError } from "../errors";
import type { Frame } from "../frame";
import { log } from "../log";
import { BRONZE_TABLES, bronzeTable, futuresRoot, type BronzeTable } from "../schemas/bronze";
import { ContractSelector, SELECTION_COLUMNS, type ContractSelection, type ContractSelectorOptions, type SelectionMetric } from "./futures-contracts";
import { DuckSession, type SqlParam } from "./duck";
import { LakeFiles, type LakeFile, type LakeLocation } from "./lake-files";
import { checkBound, checkDate, checkLimit, checkPartitionValue } from "../core/validate";
import { buildScan, scanFrame, streamScan, type ScanRequest } from "./scan";
import { scanInThread, scansInThread } from "./thread-scan";
import type { TableSchema } from "../schemas/types";
import { epochDayOf, NS_PER_DAY } from "../core/time/calendar";

export interface TimeRange {
  date?: string;
  /** Inclusive lower bound on ts_event_ns. */
  startNs?: bigint;
  /** Inclusive upper bound on ts_event_ns. */
  endNs?: bigint;
  limit?: number;
  /**
   * Read only these columns (in schema order), plus the ones the scan orders and filters by
   * (`ts_event_ns`, `seq`, and `symbol` for futures); default every column of the table.
   */
  columns?: readonly string[];
}

export interface FuturesReadOptions extends TimeRange {
  /** Keep only each date's front-month contract (default true). */
  frontMonthOnly?: boolean;
  /** Keep only this contract (overrides frontMonthOnly), e.g. "ESH6". */
  specificContract?: string;
  /** A front month below the dominance threshold: refuse (default), warn, or allow. */
  onRollContamination?: "error" | "warn" | "allow";
  metric?: SelectionMetric;
}

/** What the last read did: the files it opened (proof of pruning) and its contract decisions. */
export interface ReadReport {
  files: string[];
  selections: ContractSelection[];
  warnings: string[];
}

export class RollContaminatedError extends LakeError {
  constructor(readonly selection: ContractSelection) {
    super(
      `front month for ${selection.date} is ambiguous: ${selection.reason}. ` +
        `Pass specificContract (CLI --contract), or onRollContamination "warn"/"allow" to take ${selection.frontMonthSymbol} anyway`,
      1,
    );
    this.name = "RollContaminatedError";
  }
}

/** `schema` restricted to `columns` (schema order); an unknown name is a usage error. */
export function projectSchema(schema: TableSchema, columns: readonly string[]): TableSchema {
  for (const c of columns) {
    if (!schema.columns.some((d) => d.name === c)) throw new UsageError(`${schema.name} has no column ${JSON.stringify(c)}`);
  }
  return { ...schema, columns: schema.columns.filter((d) => columns.includes(d.name)) };
}

function scanColumns(table: BronzeTable): string[] {
  return table.partitionKey === "symbol" ? ["ts_event_ns", "seq", "symbol"] : ["ts_event_ns", "seq"];
}

const CONTRACT_RE = /^[A-Z]{1,6}[FGHJKMNQUVXZ]?\d{0,2}$/;

export class BronzeReader {
  readonly files: LakeFiles;
  readonly selector: ContractSelector;
  lastRead: ReadReport = { files: [], selections: [], warnings: [] };

  constructor(location: LakeLocation | LakeFiles, opts: ContractSelectorOptions = {}) {
    this.files = location instanceof LakeFiles ? location : new LakeFiles(location, opts);
    this.selector = new ContractSelector(this.files, opts);
  }

  readFuturesTrades(symbol = "ES", opts: FuturesReadOptions = {}): Promise<Frame> {
    return this.read(bronzeTable("futures.trades"), symbol, opts);
  }

  readFuturesMbp10(symbol = "ES", opts: FuturesReadOptions = {}): Promise<Frame> {
    return this.read(bronzeTable("futures.mbp10"), symbol, opts);
  }

  readOptionTrades(underlying = "ES", opts: TimeRange = {}): Promise<Frame> {
    return this.read(bronzeTable("options.trades"), underlying, opts);
  }

  /** Any Bronze table by key / schema path / schema name (`futures.trades`, `futures/mbp10`…). */
  async read(table: BronzeTable, keyValue: string, opts: FuturesReadOptions = {}): Promise<Frame> {
    using _held = this.files.hold();
    const req = await this.plan(table, keyValue, opts);
    if (scansInThread(req)) return await scanInThread(req, table.schema);
    using s = await DuckSession.open();
    return await scanFrame(s, req);
  }

  /** Like `read`, in Frames of about `batchRows` rows — for results too big to hold. */
  async *stream(table: BronzeTable, keyValue: string, opts: FuturesReadOptions = {}, batchRows?: number): AsyncGenerator<Frame> {
    using _held = this.files.hold();
    yield* streamScan(await this.plan(table, keyValue, opts), batchRows);
  }

  /**
   * The scan `read` would run — pruned local paths, time bounds and contract predicate —
   * for callers that run their own query over the same rows (Silver's bucket winners).
   */
  async scanRequest(table: BronzeTable, keyValue: string, opts: FuturesReadOptions = {}): Promise<ScanRequest> {
    return this.plan(table, keyValue, opts);
  }

  /** DuckDB's EXPLAIN ANALYZE of the scan `read` would run (which files, rows, time per operator). */
  async explainRead(table: BronzeTable, keyValue: string, opts: FuturesReadOptions = {}): Promise<string> {
    using _held = this.files.hold();
    using s = await DuckSession.open();
    const req = await this.plan(table, keyValue, opts);
    if (req.paths.length === 0) return "no files: empty result, nothing scanned";
    const { sql, params } = await buildScan(s, req);
    const plan = await s.query(`EXPLAIN ANALYZE ${sql}`, params);
    return plan.values<(string | null)[]>("explain_value").join("\n");
  }

  /**
   * `date=` directories under `bronze/{schemaPath}/{partitionKey}` that are valid dates and
   * hold at least one .parquet (§6.1.3 Required). `partitionKey` is the full segment, `symbol=ES`.
   */
  async getAvailableDates(schemaPath: string, partitionKey: string): Promise<string[]> {
    const t = BRONZE_TABLES.find((x) => x.schemaPath === schemaPath || x.key === schemaPath);
    if (!t) throw new UsageError(`unknown Bronze schema path "${schemaPath}" (expected ${BRONZE_TABLES.map((x) => x.schemaPath).join(", ")})`);
    const m = /^([a-z_]+)=(.+)$/.exec(partitionKey);
    if (!m || m[1] !== t.partitionKey) {
      throw new UsageError(`invalid partition key ${JSON.stringify(partitionKey)} for ${t.schemaPath}: expected ${t.partitionKey}=VALUE`);
    }
    checkPartitionValue(t.partitionKey, m[2]!);
    return this.files.availableDates(`bronze/${t.schemaPath}/${partitionKey}`);
  }

  async getLatestDate(schemaPath: string, partitionKey: string): Promise<string | null> {
    const dates = await this.getAvailableDates(schemaPath, partitionKey);
    return dates.length ? dates[dates.length - 1]! : null;
  }

  private async plan(table: BronzeTable, keyValue: string, opts: FuturesReadOptions): Promise<ScanRequest> {
    checkPartitionValue(table.partitionKey, keyValue);
    const date = checkDate(opts.date);
    const startNs = checkBound("startNs", opts.startNs);
    const endNs = checkBound("endNs", opts.endNs);
    checkLimit(opts.limit);
    // A contract code where the root belongs (`ESH6`): read the root's partition for that
    // contract (§2.7), plus any `symbol=ESH6` directory the predecessor's streaming writer left.
    if (table.partitionKey === "symbol" && keyValue !== futuresRoot(keyValue) && futuresRoot(keyValue) !== null) {
      if (opts.specificContract !== undefined && opts.specificContract !== keyValue) {
        throw new UsageError(`symbol ${keyValue} is a contract, and specificContract ${opts.specificContract} names another`);
      }
      opts = { ...opts, specificContract: keyValue };
      const root = futuresRoot(keyValue)!;
      const [rooted, legacy] = await Promise.all([
        this.files.filesFor(`bronze/${table.schemaPath}/symbol=${root}`, { date, startNs, endNs }),
        this.files.filesFor(`bronze/${table.schemaPath}/symbol=${keyValue}`, { date, startNs, endNs }),
      ]);
      return this.request(table, root, [...rooted, ...legacy], { ...opts, startNs, endNs });
    }
    const base = `bronze/${table.schemaPath}/${table.partitionKey}=${keyValue}`;
    const files = await this.files.filesFor(base, { date, startNs, endNs });
    return this.request(table, keyValue, files, { ...opts, startNs, endNs });
  }

  private async request(table: BronzeTable, keyValue: string, files: LakeFile[], opts: FuturesReadOptions): Promise<ScanRequest> {
    const { startNs, endNs } = opts;
    this.lastRead = { files: files.map((f) => f.key), selections: [], warnings: [] };
    const schema = opts.columns ? projectSchema(table.schema, [...opts.columns, ...scanColumns(table)]) : table.schema;
    // a projection reads only its columns' chunks (by range on S3), everything whole objects;
    // a trades read also holds what the front-month vote reads, so one copy serves both
    const columns = opts.columns ? new Set([...schema.columns.map((c) => c.name), ...(table.key === "futures.trades" ? SELECTION_COLUMNS : [])]) : null;
    const req: ScanRequest = {
      schema,
      paths: await this.files.scanPaths(files, columns),
      startNs,
      endNs,
      tieBreak: ["seq"],
      limit: opts.limit,
      timeSlices: await this.hourSlices(files, columns),
    };
    if (table.partitionKey === "symbol" && files.length > 0) req.where = await this.contractFilter(keyValue, files, opts, table.key === "futures.trades" ? columns : SELECTION_COLUMNS);
    return req;
  }

  /**
   * Files grouped by partition (date, hour), in time order: the partition hour is the UTC
   * hour of every row's ts_event_ns (§2.1), so groups never interleave. Undefined when a
   * file carries no hour (predecessor layouts): then the stream sorts everything at once.
   */
  private async hourSlices(files: LakeFile[], columns: ReadonlySet<string> | null): Promise<string[][] | undefined> {
    if (files.length < 2 || files.some((f) => f.date === null || f.hour === null)) return undefined;
    const groups = new Map<string, LakeFile[]>();
    for (const f of files) {
      const k = `${f.date}T${String(f.hour).padStart(2, "0")}`;
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(f);
    }
    const out: string[][] = [];
    for (const k of [...groups.keys()].sort()) out.push(await this.files.scanPaths(groups.get(k)!, columns));
    return out;
  }

  /** §6.1.2: a predicate on the file's own `symbol` column. */
  private async contractFilter(root: string, files: LakeFile[], opts: FuturesReadOptions, fetch: ReadonlySet<string> | null): Promise<ScanRequest["where"]> {
    if (opts.specificContract !== undefined) {
      if (!CONTRACT_RE.test(opts.specificContract)) {
        throw new UsageError(`invalid contract ${JSON.stringify(opts.specificContract)}: expected a code such as ESH6`);
      }
      return { sql: "symbol = $p_contract", params: { p_contract: opts.specificContract } };
    }
    if (opts.frontMonthOnly === false) return undefined;
    const dates = [...new Set(files.map((f) => f.date).filter((d): d is string => d !== null))].sort();
    if (dates.length === 0) throw new LakeError(`cannot pick a front month: the files under bronze/…/symbol=${root} carry no date= partition`);
    const mode = opts.onRollContamination ?? "error";
    const parts: string[] = [];
    const params: Record<string, SqlParam> = {};
    for (const [i, date] of dates.entries()) {
      const sel = await this.selector.selectFrontMonth(date, opts.metric, root, fetch);
      this.lastRead.selections.push(sel);
      if (sel.rollContaminated) {
        if (mode === "error") throw new RollContaminatedError(sel);
        if (mode === "warn") {
          const msg = `roll-contaminated ${date}: ${sel.reason}`;
          this.lastRead.warnings.push(msg);
          log.warn(msg);
        }
      }
      params[`p_c${i}`] = sel.frontMonthSymbol;
      if (dates.length === 1) {
        parts.push(`symbol = $p_c0`);
      } else {
        const day = BigInt(epochDayOf(date)!) * NS_PER_DAY;
        params[`p_s${i}`] = day;
        params[`p_e${i}`] = day + NS_PER_DAY;
        parts.push(`(symbol = $p_c${i} AND ts_event_ns >= $p_s${i} AND ts_event_ns < $p_e${i})`);
      }
    }
    return { sql: parts.join(" OR "), params };
  }
}
