/**
 * PipelineConfig — every tunable of es_pipeline in one typed object (es-pipeline §3),
 * so a Silver manifest can override any of them, and every [FIX] of §15 is a switch
 * in `fixes` (one place), never a fork of a stage.
 *
 * `referenceConfig()` reproduces the predecessor (all fixes off); `correctedConfig()`
 * turns every fix on. Overrides are merged shallowly per group.
 */
import type { Variant } from "../../core/variant";

/** Wall-clock ET time of day as minutes since local midnight (09:30 → 570). */
export type EtMinutes = number;

export interface SessionConfig {
  /** §3.1 RTH_START 09:30 ET: session open, anchor for minutes_since_open. */
  rthStart: EtMinutes;
  /** §3.1 RTH_END 13:30 ET: S16 keeps ts ≤ this. */
  rthEnd: EtMinutes;
  /** §3.1 PREMARKET_START 04:00 ET. */
  premarketStart: EtMinutes;
  /** §3.1 OR_END 09:45 ET (exclusive). */
  orEnd: EtMinutes;
  /** §3.1 MBP_LOAD_END 16:00 ET (before the W_b buffer). */
  mbpLoadEnd: EtMinutes;
  /** §3.1 SNAP_INTERVAL_MS: MBP-10 downsampling bucket. */
  snapIntervalMs: number;
  /** §3.1 SMA_WARMUP_DAYS: earlier weekday partitions added to the 2-minute series. */
  smaWarmupDays: number;
  /**
   * [FIX] D-10: how the corrected variant picks the front month — "calendar" (roll calendar,
   * point-in-time) or "day-volume" (most trades seen so far; see front-month.ts).
   */
  frontMonthRule: string;
}

export interface WindowConfig {
  /** §3.2 W_b seconds: barrier forward window and MBP load buffer. */
  barrierSec: number;
  /** §3.2 W_t seconds: tape forward window. */
  tapeSec: number;
  /** §3.2 ATR_WINDOW_MINUTES bars. */
  atrBars: number;
  /** §3.2 volatility window (bars; the series is unused by the output). */
  volatilityBars: number;
  kinematicsMin: readonly number[];
  ofiSec: readonly number[];
  barrierEvolutionMin: readonly number[];
  /** §3.2 LOOKBACK_MINUTES for S14 approach context. */
  lookbackMin: number;
  /** §3.2 CONFIRMATION_WINDOWS_MULTI: label horizons in seconds. */
  labelHorizonsSec: readonly number[];
  /** Primary horizon (unsuffixed label columns). */
  primaryHorizonSec: number;
  /** §3.2 LABEL_VOL_WINDOW_SECONDS → round(120/60) = 2 returns. */
  labelVolWindowSec: number;
  /** §3.2 TOUCH_CLUSTER_TIME_MINUTES. */
  touchClusterMin: number;
}

export interface BandConfig {
  /** §3.3 MONITOR_BAND: min zone half-width; label UNDEFINED gate. */
  monitorBand: number;
  /** Zone ATR multiplier (code): half-width = max(monitorBand, 0.1·ATR). */
  zoneAtrMult: number;
  /** §3.3 TOUCH_BAND: prior_touches qualification. */
  touchBand: number;
  tapeBand: number;
  barrierZoneTicks: number;
  tickSize: number;
  barrierLiqThreshold: number;
  barrierVacuumRatio: number;
  barrierWallRatio: number;
  barrierWeakDepth: number;
  fuelStrikeRange: number;
  fuelThreshold: number;
  strikeSpacing: number;
  optionMultiplier: number;
  stackingBands: readonly number[];
  /** §3.3 TOUCH_CLUSTER_PRICE_BAND (never fires, §15 D-21). */
  touchClusterPriceBand: number;
  /** Trade price sanity filter (code): lo < p < hi, OHLCV and spot only. */
  priceMin: number;
  priceMax: number;
  /** Spot when no trade passes the filter. */
  spotFallback: number;
}

export interface GreeksConfig {
  riskFreeRate: number;
  volatility: number;
  /** Expiry instant: this UTC hour on D for every option (§3.4). */
  expiryUtcHour: number;
  /** 252 × 6.5 × 3600 s. */
  yearSeconds: number;
}

export interface LabelConfig {
  barrierScale: number;
  barrierMinPoints: number;
  barrierMaxPoints: number;
  t1Fraction: number;
  /** OUTCOME_THRESHOLD: barrier when no volatility estimate exists. */
  outcomeThreshold: number;
}

export interface ForceMassConfig {
  tapeForceScale: number;
  outputScale: number;
  massFloor: number;
}

/**
 * §15 fixes. Each flag is read by exactly one stage (named in the comment). Fixes that
 * only pick a deterministic tie-break without changing values are always on and have
 * no flag (es-pipeline §5.1/§5.2/§5.6 [FIX] tie-breaks).
 */
export interface FixSwitches {
  /**
   * D-2: a row is known at the END of its entry bar (ts + 60 s), not at ts (the bar start):
   * the decision time the look-ahead analysis truncates at. ts keeps its bar-start meaning.
   */
  barEndDecision: boolean;
  /** D-10 (S1, S3): filter trades/MBP/warm-up to one front month, picked by session.frontMonthRule. */
  contractFilter: boolean;
  /** D-11 (S1): floor MBP buckets instead of round-half-even. */
  floorMbpBuckets: boolean;
  /**
   * D-3 (S5, S6): causal levels — SMA levels move per bar with the last COMPLETED 2-minute
   * bar's SMA (not the day's last value); PM/OR events fire only once their window closed
   * (PM from 09:30 ET, OR from 09:45 ET, never on the previous evening).
   */
  causalLevels: boolean;
  /** D-8 (S4): spot at option-trade time for greeks (not end-of-day). */
  causalSpot: boolean;
  /** D-6 (S14): one dist_to_*_atr formula (/ATR, null if ATR ≤ 0). */
  singleAtrDistance: boolean;
  /** D-21 (S14): attempt clustering from 04:00 ET only, global cluster ids. */
  rthAttemptClustering: boolean;
  // S7–S13
  /** D-4 (S7): trailing tape/barrier windows [ts−W, ts] instead of forward [ts, ts+W]. */
  trailingWindows: boolean;
  /** D-26 (S7): price-filter (priceMin < p < priceMax) the tape before band sums and regression. */
  filteredTape: boolean;
  /** D-9 (S12): GEX = −Σ(aggressor·size·γ·multiplier) instead of −(Σγ)·(Σsize). */
  signedGex: boolean;
  /** D-18 (S9): ofi_* = Cont-style order-flow imbalance from best bid/ask price and size changes, not top-5 depth imbalance. */
  contOfi: boolean;
  /** D-18 (S9): bounded ofi_acceleration (a−b)/(|a|+|b|+ε) instead of a/(b+ε). */
  boundedOfiAcceleration: boolean;
  /** D-8 (S7 fuel, S12): only option trades with ts ≤ event ts (ordered replay). */
  causalOptions: boolean;
  /** D-13 (S15): label UNDEFINED gate tests the entry bar's range against the event's zone (the trigger's test). */
  consistentLabelGate: boolean;
  /** D-14 (S15): label window [ts + 60 s, ts + 60 s + H); times from the entry bar's end. D-15 rides on windows.labelVolWindowSec. */
  labelWindowAfterEntry: boolean;
  /** D-12 (S1): read MBP-10 from 09:20 ET (09:30 − max(W_b, 600 s)) so the early windows are whole. */
  earlyMbpLoad: boolean;
  /** D-19 (S4): price each option to 16:00 ET (DST-aware) of its own exp_date, not 21:00 UTC of D. */
  perOptionExpiry: boolean;
  /** D-20 (S4): option rows with a null/out-of-set aggressor stay in fuel with aggressor 0 (counted). */
  keepNullAggressor: boolean;
  /** D-1 (S8): least-squares multi-window kinematics over bars ending with the entry bar, real trend. */
  fittedKinematics: boolean;
  /** D-23 (S7): trailing 30-min average depth for wall_ratio instead of the day-level constant. */
  trailingAvgDepth: boolean;
  /** D-5 (S11): NEW columns `spot_dist_to_*` = spot − level (the 182 `dist_to_*` keep `L − X`). */
  spotDistances: boolean;
  /** D-32 (S14): NEW column `atr_rth`, ATR14 over regular-session bars (`atr` stays all-hours). */
  rthAtr: boolean;
}

export interface PipelineConfig {
  session: SessionConfig;
  windows: WindowConfig;
  bands: BandConfig;
  greeks: GreeksConfig;
  labels: LabelConfig;
  forceMass: ForceMassConfig;
  fixes: FixSwitches;
}

const hm = (h: number, m: number): EtMinutes => h * 60 + m;

export function referenceConfig(): PipelineConfig {
  return {
    session: {
      rthStart: hm(9, 30),
      rthEnd: hm(13, 30),
      premarketStart: hm(4, 0),
      orEnd: hm(9, 45),
      mbpLoadEnd: hm(16, 0),
      snapIntervalMs: 250,
      smaWarmupDays: 3,
      frontMonthRule: "calendar",
    },
    windows: {
      barrierSec: 240,
      tapeSec: 60,
      atrBars: 14,
      volatilityBars: 20,
      kinematicsMin: [1, 3, 5, 10, 20],
      ofiSec: [30, 60, 120, 300],
      barrierEvolutionMin: [1, 3, 5],
      lookbackMin: 10,
      labelHorizonsSec: [120, 240, 480],
      primaryHorizonSec: 240,
      labelVolWindowSec: 120,
      touchClusterMin: 15,
    },
    bands: {
      monitorBand: 5.0,
      zoneAtrMult: 0.1,
      touchBand: 2.0,
      tapeBand: 0.5,
      barrierZoneTicks: 8,
      tickSize: 0.25,
      barrierLiqThreshold: 100,
      barrierVacuumRatio: 0.3,
      barrierWallRatio: 1.5,
      barrierWeakDepth: 50,
      fuelStrikeRange: 15.0,
      fuelThreshold: 10_000,
      strikeSpacing: 5.0,
      optionMultiplier: 50,
      stackingBands: [2, 5, 10],
      touchClusterPriceBand: 0.1,
      priceMin: 3000,
      priceMax: 10000,
      spotFallback: 6000.0,
    },
    greeks: { riskFreeRate: 0.045, volatility: 0.2, expiryUtcHour: 21, yearSeconds: 252 * 6.5 * 3600 },
    labels: { barrierScale: 1.0, barrierMinPoints: 5.0, barrierMaxPoints: 50.0, t1Fraction: 0.33, outcomeThreshold: 15.0 },
    forceMass: { tapeForceScale: 10.0, outputScale: 0.01, massFloor: 1.0 },
    fixes: {
      barEndDecision: false,
      contractFilter: false,
      floorMbpBuckets: false,
      causalLevels: false,
      causalSpot: false,
      singleAtrDistance: false,
      rthAttemptClustering: false,
      trailingWindows: false,
      filteredTape: false,
      signedGex: false,
      contOfi: false,
      boundedOfiAcceleration: false,
      causalOptions: false,
      fittedKinematics: false,
      trailingAvgDepth: false,
      consistentLabelGate: false,
      labelWindowAfterEntry: false,
      perOptionExpiry: false,
      keepNullAggressor: false,
      earlyMbpLoad: false,
      spotDistances: false,
      rthAtr: false,
    },
  };
}

/** The corrected variant: reference constants, every §15 switch on, D-15's 10-minute label σ. */
export function correctedConfig(): PipelineConfig {
  const c = referenceConfig();
  for (const k of Object.keys(c.fixes) as (keyof FixSwitches)[]) c.fixes[k] = true;
  c.windows.labelVolWindowSec = 600; // D-15: σ over 10 one-minute returns, not 2
  return c;
}

export type ConfigOverrides = { [G in keyof PipelineConfig]?: Partial<PipelineConfig[G]> };

/** Defaults of `variant`, with per-group overrides (e.g. from a Silver manifest) applied. */
export function resolveConfig(variant: Variant, overrides?: ConfigOverrides): PipelineConfig {
  const base = variant === "reference" ? referenceConfig() : correctedConfig();
  if (!overrides) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [group, values] of Object.entries(overrides)) {
    if (!(group in base)) throw new Error(`unknown pipeline config group "${group}" (have: ${Object.keys(base).join(", ")})`);
    const defaults = base[group as keyof PipelineConfig] as unknown as Record<string, unknown>;
    for (const [key, v] of Object.entries(values ?? {})) {
      if (!(key in defaults)) throw new Error(`unknown pipeline config key "${group}.${key}"`);
      const want = defaults[key];
      const ok = Array.isArray(want) ? Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x)) : typeof v === typeof want && (typeof v !== "number" || Number.isFinite(v));
      if (!ok) throw new Error(`pipeline config "${group}.${key}" must be ${Array.isArray(want) ? "a list of numbers" : `a ${typeof want}`}, got ${JSON.stringify(v)}`);
    }
    out[group] = { ...defaults, ...values };
  }
  return out as unknown as PipelineConfig;
}

const BAR_NS = 60_000_000_000n;

/**
 * The instant at which a row anchored at `tsNs` is known, i.e. the latest Bronze ts its
 * features may use: ts itself [REF], or the last ns of the entry bar (D-2 fix).
 */
export function decisionTimeNs(cfg: PipelineConfig, tsNs: bigint): bigint {
  return cfg.fixes.barEndDecision ? tsNs + BAR_NS - 1n : tsNs;
}
