/**
 * Front-month ContractSelector (contracts §6.3, es-pipeline §11.1).
 *
 * Counts Bronze futures trades per *file* contract code (never the hive `symbol=ES`
 * directory value, §9 R-1) inside the RTH window computed in America/New_York with
 * daylight saving (§6.3 Required; the reference's fixed 14:30–18:30 UTC is an hour off
 * all summer, §9 R-5). The dominant contract wins; exact ties go to the calendar's front
 * month (§6.4), then to the lower symbol. Every decision carries the volumes and a reason.
 */
import { LakeError } from "../errors";
import { log } from "../log";
import { DuckSession, type SqlParam } from "./duck";
import { esFrontMonthCode, rthWindow, type RthWindow } from "../core/time/es-calendar";
import { LakeFiles, type LakeFilesOptions, type LakeLocation } from "./lake-files";
import { checkDate, checkPartitionValue } from "../core/validate";
import { READ_OPTS } from "./scan";

export type SelectionMetric = "trade_count" | "volume";

export interface ContractVolume {
  symbol: string;
  trades: number;
  volume: number;
  /** Share of the metric's total, 0..1. */
  share: number;
}

export interface ContractSelection {
  date: string;
  frontMonthSymbol: string;
  dominanceRatio: number;
  rollContaminated: boolean;
  totalContracts: number;
  runnerUpSymbol: string | null;
  runnerUpRatio: number | null;
  /** Every file row carried the bare root (predecessor data, §2.5). */
  legacyRootSymbol: boolean;
  metric: SelectionMetric;
  /** The window counted (UTC ns, inclusive), or null for the whole day (weekend / fallback). */
  window: RthWindow | null;
  /** The calendar's front month for the date (§6.4), for comparison. */
  calendarSymbol: string;
  contracts: ContractVolume[];
  /** Why this contract: a sentence for logs and `lake contracts`. */
  reason: string;
}

/** No Bronze trades at all for the date, or none with a contract code. */
export class ContractNotFoundError extends LakeError {
  constructor(message: string) {
    super(message, 1);
    this.name = "ContractNotFoundError";
  }
}

export interface ContractSelectorOptions extends LakeFilesOptions {
  dominanceThreshold?: number;
  rthOnly?: boolean;
  /** RTH window in local time of `timeZone` (configuration, §6.3). */
  rthStart?: string;
  rthEnd?: string;
  timeZone?: string;
}

/** What the vote reads of the day's trades. */
export const SELECTION_COLUMNS: ReadonlySet<string> = new Set(["symbol", "ts_event_ns", "size"]);

export class ContractSelector {
  readonly files: LakeFiles;
  readonly dominanceThreshold: number;
  private readonly opts: ContractSelectorOptions;

  constructor(location: LakeLocation | LakeFiles, opts: ContractSelectorOptions = {}) {
    this.files = location instanceof LakeFiles ? location : new LakeFiles(location, opts);
    this.dominanceThreshold = opts.dominanceThreshold ?? 0.6;
    this.opts = opts;
  }

  /**
   * `fetch`: which columns of the day's trades to copy from S3 — by default only the vote's
   * own, by range; a reader about to read those trades passes what it will read (null: whole
   * objects), so one copy serves both.
   */
  async selectFrontMonth(date: string, metric: SelectionMetric = "trade_count", root = "ES", fetch: ReadonlySet<string> | null = SELECTION_COLUMNS): Promise<ContractSelection> {
    checkDate(date);
    checkPartitionValue("symbol", root);
    const files = await this.files.listParquet(`bronze/futures/trades/symbol=${root}/date=${date}/`);
    if (files.length === 0) {
      throw new ContractNotFoundError(`no Bronze futures trades for ${root} on ${date} (bronze/futures/trades/symbol=${root}/date=${date} is missing or empty)`);
    }
    const paths = await this.files.scanPaths(files, fetch);
    const rth = this.opts.rthOnly === false ? null : rthWindow(date, { start: this.opts.rthStart, end: this.opts.rthEnd, timeZone: this.opts.timeZone });
    using s = await DuckSession.open();
    let window = rth;
    let counts = await countBySymbol(s, paths, window);
    let fallback = false;
    if (counts.length === 0 && window) {
      // Trades exist but none in RTH (a half day, a feed gap): count the whole day rather than
      // refuse, and say so in the reason.
      window = null;
      fallback = true;
      counts = await countBySymbol(s, paths, null);
    }
    if (counts.length === 0) throw new ContractNotFoundError(`no contract data for ${root} on ${date}: the trade files hold no rows`);
    return decide(date, metric, counts, window, fallback, this.dominanceThreshold, root);
  }

  /** Selections for many dates; a date that fails is logged and left out (§6.3 step 7). */
  async selectBatch(dates: readonly string[], metric: SelectionMetric = "trade_count"): Promise<Map<string, ContractSelection>> {
    const out = new Map<string, ContractSelection>();
    for (const d of dates) {
      try {
        out.set(d, await this.selectFrontMonth(d, metric));
      } catch (e) {
        if (!(e instanceof ContractNotFoundError)) throw e;
        log.warn("front-month selection skipped", { date: d, error: e.message });
      }
    }
    return out;
  }
}

async function countBySymbol(s: DuckSession, paths: string[], w: RthWindow | null): Promise<{ symbol: string; trades: number; volume: number }[]> {
  const where = w ? "WHERE ts_event_ns >= $start_ns AND ts_event_ns <= $end_ns" : "";
  const params: Record<string, SqlParam> = w ? { files: paths, start_ns: w.startNs, end_ns: w.endNs } : { files: paths };
  const f = await s.query(
    `SELECT symbol, count(*)::BIGINT AS trades, coalesce(sum(size), 0)::DOUBLE AS volume
     FROM read_parquet($files, ${READ_OPTS}) ${where} GROUP BY symbol`,
    params,
  );
  const sym = f.values<(string | null)[]>("symbol");
  const n = f.values<BigInt64Array>("trades");
  const v = f.values<Float64Array>("volume");
  const out: { symbol: string; trades: number; volume: number }[] = [];
  for (let i = 0; i < f.numRows; i++) {
    if (sym[i] === null) continue; // a row without a contract code cannot vote
    out.push({ symbol: sym[i]!, trades: Number(n[i]), volume: v[i]! });
  }
  return out;
}

function decide(
  date: string,
  metric: SelectionMetric,
  counts: { symbol: string; trades: number; volume: number }[],
  window: RthWindow | null,
  fallback: boolean,
  threshold: number,
  root: string,
): ContractSelection {
  const calendarSymbol = root === "ES" ? esFrontMonthCode(date) : "";
  const value = (c: { trades: number; volume: number }) => (metric === "volume" ? c.volume : c.trades);
  const total = counts.reduce((t, c) => t + value(c), 0);
  const sorted = [...counts].sort((a, b) => {
    const d = value(b) - value(a);
    if (d !== 0) return d;
    if (a.symbol === calendarSymbol) return -1; // exact tie: the calendar's front month wins
    if (b.symbol === calendarSymbol) return 1;
    return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
  });
  const contracts = sorted.map((c) => ({ ...c, share: total > 0 ? value(c) / total : 0 }));
  const top = contracts[0]!;
  const runner = contracts[1] ?? null;
  const legacy = contracts.length === 1 && top.symbol === root;
  const dominance = legacy ? 1 : top.share;
  const tied = runner !== null && value(runner) === value(top);
  const rollContaminated = !legacy && dominance < threshold;
  const where = window ? "in the RTH window" : fallback ? "over the whole UTC day (no trades in the RTH window)" : "over the whole UTC day (weekend)";
  let reason: string;
  if (legacy) {
    reason = `every trade carries the bare root "${root}" (legacy data without contract codes), so ${root} is used`;
  } else {
    reason = `${top.symbol} has ${(top.share * 100).toFixed(1)}% of ${metric === "volume" ? "contracts traded" : "trades"} ${where}`;
    if (tied) reason += `; tied with ${runner!.symbol}, broken by ${top.symbol === calendarSymbol ? "the ES calendar" : "symbol order"}`;
    if (rollContaminated) reason += `; below the ${(threshold * 100).toFixed(0)}% dominance threshold: roll-contaminated`;
    if (calendarSymbol && top.symbol !== calendarSymbol) reason += `; the calendar front month is ${calendarSymbol}`;
  }
  return {
    date,
    frontMonthSymbol: top.symbol,
    dominanceRatio: dominance,
    rollContaminated,
    totalContracts: contracts.length,
    runnerUpSymbol: runner?.symbol ?? null,
    runnerUpRatio: runner?.share ?? null,
    legacyRootSymbol: legacy,
    metric,
    window,
    calendarSymbol,
    contracts,
    reason,
  };
}
