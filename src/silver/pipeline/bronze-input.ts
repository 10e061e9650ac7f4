/**
 * Where the pipeline gets Bronze: the readers module's `BronzeReader` (DuckDB, the file's
 * own `symbol`, deterministic (ts, seq, file, row) order — contracts §6.1), or in-memory
 * Frames for tests. Stages only see this interface and convert Frames to typed arrays.
 *
 * [REF] parity reads every contract (`frontMonthOnly: false`, D-10); the contractFilter fix
 * asks the reader for the selected front month per date instead.
 */
import { Frame } from "../../frame";
import { BronzeReader } from "../../read/bronze-reader";
import { DuckSession } from "../../read/duck";
import { LakeFiles, type LakeLocation } from "../../read/lake-files";
import { scanFrame } from "../../read/scan";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../schemas/bronze";
import type { TableSchema } from "../../schemas/types";
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export interface BronzeInput {
  /** All futures trades of UTC date D. */
  trades(date: string, frontMonthOnly: boolean): Promise<Frame>;
  /** MBP-10 rows of D with startNs ≤ ts ≤ endNs. */
  mbp10(date: string, startNs: bigint, endNs: bigint, frontMonthOnly: boolean): Promise<Frame>;
  /** All ES option trades of D (may be empty). */
  options(date: string): Promise<Frame>;
  /** Sorted `date=` values under futures/trades/symbol=ES (§5.3 warm-up listing). */
  tradeDates(): Promise<string[]>;
}

/**
 * Bronze through BronzeReader. `location` is a lake root (holding `bronze/`), a Store or a
 * Config; a path that is itself a Bronze root (`…/bronze` holding `futures/`) is accepted too.
 */
export function readerInput(location: LakeLocation): BronzeInput {
  let loc = location;
  if (typeof loc === "string" && !loc.startsWith("s3://") && !existsSync(join(loc, "bronze")) && basename(loc) === "bronze") {
    loc = dirname(loc);
  }
  const reader = new BronzeReader(loc);
  const onRoll = "warn" as const;
  const scan = projectedScan(reader.files);
  return {
    trades: (date, frontMonthOnly) =>
      frontMonthOnly
        ? reader.readFuturesTrades("ES", { date, frontMonthOnly, onRollContamination: onRoll })
        : scan(TRADES_USED, "bronze/futures/trades/symbol=ES", date),
    mbp10: (date, startNs, endNs, frontMonthOnly) =>
      frontMonthOnly
        ? reader.readFuturesMbp10("ES", { date, startNs, endNs, frontMonthOnly, onRollContamination: onRoll })
        : scan(MBP_USED, "bronze/futures/mbp10/symbol=ES", date, startNs, endNs),
    options: (date) => scan(OPTIONS_USED, "bronze/options/trades/underlying=ES", date),
    tradeDates: () => reader.getAvailableDates("futures/trades", "symbol=ES"),
  };
}

function project(schema: TableSchema, used: readonly string[]): TableSchema {
  return { ...schema, columns: schema.columns.filter((c) => used.includes(c.name)) };
}

// Only the columns the pipeline uses (§1.5): decoding Bronze's string/list columns into JS
// costs more than the whole compute of a day (measured: 360 → 125 ms on the fixture day).
const TRADES_USED = project(FUTURES_TRADES, ["ts_event_ns", "price", "size", "aggressor", "symbol", "seq"]);
const MBP_USED = project(FUTURES_MBP10, [
  "ts_event_ns",
  "seq",
  ...Array.from({ length: 10 }, (_, k) => [`bid_px_${k + 1}`, `bid_sz_${k + 1}`, `ask_px_${k + 1}`, `ask_sz_${k + 1}`]).flat(),
]);
const OPTIONS_USED = project(OPTION_TRADES, ["ts_event_ns", "strike", "right", "size", "aggressor", "exp_date", "seq"]);

/**
 * The readers' own scan (file pruning by LakeFiles, hive values ignored, (ts, seq NULLS LAST,
 * file, row) order) with a projected schema. BronzeReader has no column projection yet;
 * when it gets one, this collapses into `reader.read(...)`. No contract filter here (the
 * [REF] path); front-month reads go through BronzeReader itself.
 */
function projectedScan(files: LakeFiles) {
  return async (schema: TableSchema, base: string, date: string, startNs?: bigint, endNs?: bigint): Promise<Frame> => {
    const list = await files.filesFor(base, { date, startNs, endNs });
    if (list.length === 0) return Frame.empty(schema);
    using s = await DuckSession.open();
    return await scanFrame(s, { schema, paths: await files.localPaths(list), startNs, endNs, tieBreak: ["seq"] });
  };
}

export interface InMemoryBronze {
  trades?: Record<string, Frame>;
  mbp10?: Record<string, Frame>;
  options?: Record<string, Frame>;
}

/** Bronze from in-memory Frames (tests, simulated days). Contract filtering is not supported. */
export function frameInput(days: InMemoryBronze): BronzeInput {
  const pick = (m: Record<string, Frame> | undefined, date: string, empty: Frame) => m?.[date] ?? empty;
  return {
    async trades(date) {
      return pick(days.trades, date, Frame.empty(FUTURES_TRADES));
    },
    async mbp10(date, startNs, endNs) {
      const f = pick(days.mbp10, date, Frame.empty(FUTURES_MBP10));
      const ts = f.values<BigInt64Array>("ts_event_ns");
      return f.filter((i) => ts[i]! >= startNs && ts[i]! <= endNs);
    },
    async options(date) {
      return pick(days.options, date, Frame.empty(OPTION_TRADES));
    },
    async tradeDates() {
      return Object.keys(days.trades ?? {}).filter((d) => (days.trades![d]?.numRows ?? 0) > 0).sort();
    },
  };
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
    trades: (date, front) => once(`t|${date}|${front}`, () => input.trades(date, front)),
    mbp10: (date, a, b, front) => once(`m|${date}|${a}|${b}|${front}`, () => input.mbp10(date, a, b, front)),
    options: (date) => once(`o|${date}`, () => input.options(date)),
    tradeDates: () => (dates ??= input.tradeDates()),
  };
}
