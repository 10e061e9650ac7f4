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
import { DuckSession, sqlIdent } from "../../read/duck";
import { LakeFiles, type LakeLocation } from "../../read/lake-files";
import { onDiskTypes, projection, READ_OPTS, scanFrame } from "../../read/scan";
import { FUTURES_MBP10, FUTURES_TRADES, OPTION_TRADES } from "../../schemas/bronze";
import type { TableSchema } from "../../schemas/types";
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** §5.1 bucket rule: width, and floor ([FIX] D-11) instead of round-half-even. */
export interface Downsample {
  intervalNs: bigint;
  floor: boolean;
}

export interface BronzeInput {
  /** All futures trades of UTC date D. */
  trades(date: string, frontMonthOnly: boolean): Promise<Frame>;
  /**
   * MBP-10 rows of D with startNs ≤ ts ≤ endNs (extra rows outside are allowed: S1 applies
   * the window itself). With `downsample`, an input may return only
   * each bucket's winner (buckets counted from startNs, §5.1) — S1 selects winners again,
   * which is a no-op on an already downsampled set, so both paths give the same result.
   */
  mbp10(date: string, startNs: bigint, endNs: bigint, frontMonthOnly: boolean, downsample?: Downsample): Promise<Frame>;
  /** All ES option trades of D (may be empty). */
  options(date: string): Promise<Frame>;
  /** Sorted `date=` values under futures/trades/symbol=ES (§5.3 warm-up listing). */
  tradeDates(): Promise<string[]>;
}

/**
 * Bronze through BronzeReader. `location` is a lake root (holding `bronze/`), a Store, a
 * Config or a LakeFiles to share (the Silver build's, so lineage and pipeline see one listing);
 * a path that is itself a Bronze root (`…/bronze` holding `futures/`) is accepted too.
 */
export function readerInput(location: LakeLocation | LakeFiles): BronzeInput {
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
    mbp10: (date, startNs, endNs, frontMonthOnly, downsample) =>
      frontMonthOnly
        ? reader.readFuturesMbp10("ES", { date, startNs, endNs, frontMonthOnly, onRollContamination: onRoll })
        : downsample
          ? downsampledMbp(reader.files, date, startNs, endNs, downsample)
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

/**
 * §5.1 step 2 inside DuckDB, so a heavy day's millions of book rows never reach JS: per
 * bucket the row with the largest ts, then the highest seq (a missing seq ranks lowest),
 * then the last in file order. The bucket index uses exact integer arithmetic: with
 * x = ts − T0 and I the width, round-half-even(x / I) = q + (2r > I ? 1 : 2r = I ? q mod 2 : 0)
 * for q = x div I, r = x mod I — the same value as the float division of the reference
 * (x < 2^53, and a quotient within 1/I of a half is never rounded onto it).
 */
async function downsampledMbp(files: LakeFiles, date: string, t0: bigint, t1: bigint, d: Downsample): Promise<Frame> {
  const list = await files.filesFor("bronze/futures/mbp10/symbol=ES", { date, startNs: t0, endNs: t1 });
  if (list.length === 0) return Frame.empty(MBP_USED);
  using s = await DuckSession.open();
  const paths = await files.localPaths(list);
  const types = await onDiskTypes(s, paths);
  const x = "(ts_event_ns - $t0)";
  const q = `(${x} // $iv)`;
  const bucket = d.floor ? q : `${q} + CASE WHEN 2 * (${x} % $iv) > $iv THEN 1 WHEN 2 * (${x} % $iv) = $iv THEN ${q} % 2 ELSE 0 END`;
  const sql = [
    `SELECT ${MBP_USED.columns.map((c) => sqlIdent(c.name)).join(", ")} FROM (`,
    `  SELECT ${projection(MBP_USED, types).join(", ")}, file_index, file_row_number`,
    `  FROM read_parquet($files, ${READ_OPTS})`,
    `) t`,
    `WHERE ts_event_ns >= $t0 AND ts_event_ns <= $t1`,
    `QUALIFY row_number() OVER (PARTITION BY ${bucket} ORDER BY ts_event_ns DESC, seq DESC NULLS LAST, file_index DESC, file_row_number DESC) = 1`,
    `ORDER BY ts_event_ns, seq NULLS FIRST, file_index, file_row_number`,
  ].join("\n");
  return await s.query(sql, { files: paths, t0, t1, iv: d.intervalNs });
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
    async mbp10(date) {
      // The whole day: S1 applies the window and picks bucket winners before converting any
      // depth column, which is far cheaper than gathering 46 columns of a heavy day here.
      return pick(days.mbp10, date, Frame.empty(FUTURES_MBP10));
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
    mbp10: (date, a, b, front, ds) =>
      once(`m|${date}|${a}|${b}|${front}|${ds?.intervalNs}|${ds?.floor}`, () => input.mbp10(date, a, b, front, ds)),
    options: (date) => once(`o|${date}`, () => input.options(date)),
    tradeDates: () => (dates ??= input.tradeDates()),
  };
}
