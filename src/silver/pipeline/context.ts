/**
 * The shared blackboard of the ES pipeline (es-pipeline.md §2). Each stage reads the
 * context keys it declares and writes its products; output columns accumulate in
 * `out` (one Column per Silver column, length = number of events, in event order).
 *
 * Time convention inside the pipeline: every timestamp is kept twice —
 *   `ts: BigInt64Array`  exact epoch ns (for ids and output), and
 *   `t: Float64Array`    ns relative to `originNs` (00:00 UTC of the session date),
 * which is an exact integer in float64 (|t| < 2^53), so window arithmetic
 * (`ts ≤ t ≤ ts + 60e9`, inclusive bounds) runs on plain doubles without rounding traps.
 *
 * Owned by the pipeline (issue 6); part 2 (issue 7) adds stages that read the same keys.
 */
import type { Column, Frame } from "../../frame";
import type { BronzeInput } from "./bronze-input";

export type Variant = "reference" | "corrected";

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
  price: number;
  kindCode: number;
  kindName: string;
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
  /** Whole-day events before the RTH filter (set by S16, for run metadata). */
  eventsBeforeRth?: number;
  /** S16 output: the final 182-column frame in schema order. */
  frame?: Frame;
  /** S16 output: schema columns no stage produced, emitted as typed nulls. */
  missingColumns?: string[];
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
