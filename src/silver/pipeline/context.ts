/**
 * The shared blackboard of the ES pipeline (es-pipeline §2). Each stage reads the
 * context keys it declares and writes its products; output columns accumulate in
 * `out` (one Column per Silver column, length = number of events, in event order).
 *
 * Time convention inside the pipeline: every timestamp is kept twice —
 *   `ts: BigInt64Array`  exact epoch ns (for ids and output), and
 *   `t: Float64Array`    ns relative to `originNs` (00:00 UTC of the session date),
 * which is an exact integer in float64 (|t| < 2^53), so window arithmetic
 * (`ts ≤ t ≤ ts + 60e9`, inclusive bounds) runs on plain doubles without rounding traps.
 *
 * The framework stages (S1–S6, S14–S16) and the physics stages (S7–S13) read the same keys.
 */
import type { Column, Frame } from "../../frame";
import type { Variant } from "../../core/variant";
import type { BronzeInput } from "./bronze-input";

/** Futures trades of the session date, sorted by (ts_event_ns, seq). */
export interface TradesData {
  n: number;
  ts: BigInt64Array;
  t: Float64Array;
  price: Float64Array;
  size: Float64Array;
  /** +1 buy, −1 sell, 0 unknown (null / out-of-set → 0, es-pipeline §1.2) */
  aggressor: Int8Array;
  symbol: (string | null)[];
}

/** Downsampled MBP-10 snapshots (S1 step 2), sorted by ts. Arrays indexed [level 0..9][row]. */
export interface MbpData {
  n: number;
  ts: BigInt64Array;
  t: Float64Array;
  bidPx: Float64Array[];
  bidSz: Float64Array[];
  askPx: Float64Array[];
  askSz: Float64Array[];
}

/** ES option trades of the session date, in table (ts) order. */
export interface OptionsData {
  n: number;
  ts: BigInt64Array;
  t: Float64Array;
  strike: Float64Array;
  /** "C" | "P" */
  right: (string | null)[];
  size: Float64Array;
  /** NaN when null (S4 skips those rows for flows) */
  aggressor: Float64Array;
  /** `YYYY-MM-DD` text (date32 and string storage both normalised to this) */
  expDate: string[];
  /** Black-76 gamma per row, added by S4 */
  gamma?: Float64Array;
  /** Black-76 delta per row, added by S4 (no output column uses it) */
  delta?: Float64Array;
}

/** OHLCV bars labelled by their start (es-pipeline §5.2). */
export interface Bars {
  n: number;
  ts: BigInt64Array;
  t: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export interface LevelInfo {
  /** the level's price; NaN for a moving level (see `series`) */
  price: number;
  kindCode: number;
  kindName: string;
  /** [FIX] D-3 moving level: its price at each 1-minute bar (NaN = not defined yet) */
  series?: Float64Array;
  /** [FIX] D-3: events of this level only from this instant (its defining window closed) */
  fromT?: number;
}

export type DynamicLevelName = "PM_HIGH" | "PM_LOW" | "OR_HIGH" | "OR_LOW" | "SMA_200" | "SMA_400";

/** S4 option flow aggregate per (strike, right, exp_date). */
export interface OptionFlow {
  strike: number;
  right: string;
  expDate: string;
  netGammaFlow: number;
}

/** The event table produced by S6 (whole UTC day, before the RTH filter). */
export interface Events {
  n: number;
  ts: BigInt64Array;
  t: Float64Array;
  barIdx: Int32Array;
  levelPrice: Float64Array;
  levelKind: Int8Array;
  levelKindName: string[];
  /** +1 = UP, −1 = DOWN */
  dir: Int8Array;
  entryPrice: Float64Array;
  zoneWidth: Float64Array;
  eventId: string[];
}

/**
 * An event the look-ahead analysis asks S6 to evaluate at a decision time. S6 reports whether
 * detection on the (truncated) data found it, or builds it at the last bar known then.
 */
export interface EventProbe {
  ts: bigint;
  kindName: string;
  /** +1 UP, −1 DOWN (as in the whole-day run) */
  dir: number;
  /** set by S6: the id of the row that answers this probe */
  eventId?: string;
  /** set by S6: detection did not find the event; it was built from what was known */
  forced?: boolean;
  /** set by S6: the event cannot be built at all (its level is not known yet) */
  missing?: string;
}

export interface PipelineContext {
  readonly date: string;
  readonly originNs: bigint;
  readonly variant: Variant;
  readonly cfg: import("./config").PipelineConfig;
  trades?: TradesData;
  mbp?: MbpData;
  options?: OptionsData;
  ohlcv1m?: Bars;
  /** ATR14 aligned with ohlcv1m */
  atr?: Float64Array;
  ohlcv2m?: Bars;
  warmupDates?: string[];
  spot?: number;
  optionFlows?: OptionFlow[];
  levelInfo?: LevelInfo[];
  /** per-1-min-bar series aligned with ohlcv1m; NaN = not defined yet */
  dynamicLevels?: Record<DynamicLevelName, Float64Array>;
  events?: Events;
  /** Output columns by Silver column name, each of length events.n */
  out: Map<string, Column>;
  /** Where S1/S3 read Bronze (set by runPipeline; tests may leave it unset). */
  bronze?: BronzeInput;
  /** [FIX] D-20 data-quality count: option rows whose aggressor was null/out of set (set by S4). */
  optionRowsWithoutAggressor?: number;
  /** Look-ahead analysis: events S6 must answer for (see EventProbe). */
  probes?: EventProbe[];
  /** Warm-up days' 2-minute bars shared across runs of one analysis (past days never change). */
  warmupBarsCache?: Map<string, Bars>;
  /** Whole-day events before the RTH filter (set by S16, for run metadata). */
  eventsBeforeRth?: number;
  /** S16 output: the final frame, the columns of `silverSchemaFor(cfg.fixes)` in schema order. */
  frame?: Frame;
}

export interface Stage {
  /** Stage name as in the spec, e.g. "ComputePhysics" */
  readonly name: string;
  /** Spec section, e.g. "es-pipeline §5.7" */
  readonly section: string;
  readonly inputs: readonly (keyof PipelineContext)[];
  readonly outputs: readonly string[];
  run(ctx: PipelineContext): void | Promise<void>;
}
