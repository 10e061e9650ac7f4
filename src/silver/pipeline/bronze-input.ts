/**
 * Where the pipeline gets Bronze: the readers module's `BronzeReader` (DuckDB, the file's
 * own `symbol`, deterministic (ts, seq, file, row) order — contracts §6.1), or in-memory
 * Frames for tests. Stages only see this interface and convert Frames to typed arrays.
 *
 * [REF] parity reads every contract (`contract` undefined, D-10); the contractFilter fix
 * reads the one contract front-month.ts picks (point-in-time, never the reader's whole-day
 * trade-count selection).
 */
import { Frame } from "../../frame";
import { BronzeReader } from "../../read/bronze-reader";
import { LakeFiles, type LakeLocation } from "../../read/lake-files";
import { bronzeTable, FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../schemas/bronze";
import { downsampledMbp, type Downsample } from "./mbp-winners";
import type { TableSchema } from "../../schemas/types";
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export type { Downsample };

export interface BronzeInput {
  /** All futures trades of UTC date D (of one contract code, e.g. "ESH6", when given). */
  trades(date: string, contract: string | undefined): Promise<Frame>;
  /**
   * MBP-10 rows of D with startNs ≤ ts ≤ endNs (extra rows outside are allowed: S1 applies
   * the window itself). With `downsample`, an input may return only
   * each bucket's winner (buckets counted from startNs, §5.1) — S1 selects winners again,
   * which is a no-op on an already downsampled set, so both paths give the same result.
   */
  mbp10(date: string, startNs: bigint, endNs: bigint, contract: string | undefined, downsample?: Downsample): Promise<Frame>;
  /** All ES option trades of D (may be empty). */
  options(date: string): Promise<Frame>;
  /** Sorted `date=` values under futures/trades/symbol=ES (§5.3 warm-up listing). */
  tradeDates(): Promise<string[]>;
}

/**
 * Bronze through BronzeReader. `location` is a lake root (holding `bronze/`), a Store, a
 * Config or a LakeFiles to share (the Silver build's, so lineage and pipeline see one listing);
 * a path that is itself a Bronze root (`…/bronze` holding `futures/`) is accepted too.
 *
 * Every read is projected to the columns the pipeline uses (§1.5): decoding Bronze's
 * string/list columns into JS costs more than the whole compute of a day. MBP-10 goes
 * through the bucket-winner load (mbp-winners.ts) whenever S1 asks for a downsampled window.
 */
export function readerInput(location: LakeLocation | LakeFiles): BronzeInput {
  let loc = location;
  if (typeof loc === "string" && !loc.startsWith("s3://") && !existsSync(join(loc, "bronze")) && basename(loc) === "bronze") {
    loc = dirname(loc);
  }
  const reader = new BronzeReader(loc);
  const onRollContamination = "warn" as const;
  const columnsOf = (s: TableSchema) => s.columns.map((c) => c.name);
  // specificContract overrides frontMonthOnly; without a contract every contract is read.
  const contractOpts = (contract: string | undefined) => ({ specificContract: contract, frontMonthOnly: false, onRollContamination });
  return {
    trades: (date, contract) => reader.readFuturesTrades("ES", { date, ...contractOpts(contract), columns: columnsOf(TRADES_USED) }),
    async mbp10(date, startNs, endNs, contract, downsample) {
      const opts = { date, startNs, endNs, ...contractOpts(contract), columns: columnsOf(MBP_USED) };
      if (!downsample) return reader.readFuturesMbp10("ES", opts);
      using _held = reader.files.hold();
      const req = await reader.scanRequest(bronzeTable("futures.mbp10"), "ES", opts);
      return await downsampledMbp(req, MBP_BOOK, startNs, endNs, downsample);
    },
    options: (date) => reader.readOptionTrades("ES", { date, columns: columnsOf(OPTIONS_USED) }),
    tradeDates: () => reader.getAvailableDates("futures/trades", "symbol=ES"),
  };
}

function project(schema: TableSchema, used: readonly string[]): TableSchema {
  return { ...schema, columns: schema.columns.filter((c) => used.includes(c.name)) };
}

const TRADES_USED = project(FUTURES_TRADES, ["ts_event_ns", "price", "size", "aggressor", "symbol", "seq"]);
const MBP_USED = project(FUTURES_MBP10, [
  "ts_event_ns",
  "seq",
  ...Array.from({ length: 10 }, (_, k) => [`bid_px_${k + 1}`, `bid_sz_${k + 1}`, `ask_px_${k + 1}`, `ask_sz_${k + 1}`]).flat(),
]);
/**
 * A downsampled book has one row per 250 ms bucket, so ts alone orders it: `seq` only breaks
 * ties inside a bucket (read for the tied rows there) and is not gathered for the winners —
 * decoding a delta-packed seq column means every row of its pages. The depth sizes are
 * gathered as float64, the pipeline's own arrays, so S1 takes them without a copy.
 */
const MBP_BOOK: TableSchema = {
  ...MBP_USED,
  columns: MBP_USED.columns.filter((c) => c.name !== "seq").map((c) => (c.type === "int32" ? { ...c, type: "float64" } : c)),
};
const OPTIONS_USED = project(OPTION_TRADES, ["ts_event_ns", "strike", "right", "size", "aggressor", "exp_date", "seq"]);

export interface InMemoryBronze {
  trades?: Record<string, Frame>;
  mbp10?: Record<string, Frame>;
  options?: Record<string, Frame>;
}

/** Bronze from in-memory Frames (tests, simulated days); a contract keeps that `symbol`'s rows. */
export function frameInput(days: InMemoryBronze): BronzeInput {
  const pick = (m: Record<string, Frame> | undefined, date: string, empty: Frame) => m?.[date] ?? empty;
  return {
    async trades(date, contract) {
      return ofContract(pick(days.trades, date, Frame.empty(FUTURES_TRADES)), contract);
    },
    async mbp10(date, _a, _b, contract) {
      // The whole day: S1 applies the window and picks bucket winners before converting any
      // depth column, which is far cheaper than gathering 46 columns of a heavy day here.
      return ofContract(pick(days.mbp10, date, Frame.empty(FUTURES_MBP10)), contract);
    },
    async options(date) {
      return pick(days.options, date, Frame.empty(OPTION_TRADES));
    },
    async tradeDates() {
      return Object.keys(days.trades ?? {}).filter((d) => (days.trades![d]?.numRows ?? 0) > 0).sort();
    },
  };
}

function ofContract(f: Frame, contract: string | undefined): Frame {
  if (contract === undefined || f.numRows === 0) return f;
  const sym = f.values<(string | null)[]>("symbol");
  return f.filter((i) => sym[i] === contract);
}

/**
 * Memoises reads for one run, so a prefetch (S1 starting S3's warm-up reads) and the real
 * read share one scan. Not shared across runs: Bronze may change between dates' builds.
 */
export function memoInput(input: BronzeInput): BronzeInput {
  const memo = new Map<string, Promise<Frame>>();
  const once = (key: string, read: () => Promise<Frame>) => {
    let p = memo.get(key);
    if (!p) memo.set(key, (p = read()));
    return p;
  };
  let dates: Promise<string[]> | undefined;
  return {
    trades: (date, contract) => once(`t|${date}|${contract}`, () => input.trades(date, contract)),
    mbp10: (date, a, b, contract, ds) =>
      once(`m|${date}|${a}|${b}|${contract}|${ds?.intervalNs}|${ds?.floor}`, () => input.mbp10(date, a, b, contract, ds)),
    options: (date) => once(`o|${date}`, () => input.options(date)),
    tradeDates: () => (dates ??= input.tradeDates()),
  };
}
