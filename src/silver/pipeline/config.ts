/**
 * PipelineConfig — every tunable of es_pipeline in one typed object (es-pipeline.md §3),
 * so a Silver manifest can override any of them, and every [FIX] of §15 is a switch
 * in `fixes` (one place), never a fork of a stage.
 *
 * `referenceConfig()` reproduces the predecessor (all fixes off); `correctedConfig()`
 * turns on the fixes that are implemented. Overrides are merged shallowly per group.
 */
import type { Variant } from "./context";

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
  /** D-10 (S1): filter trades/MBP/warm-up to the ContractSelector front month. */
  contractFilter: boolean;
  /** D-11 (S1): floor MBP buckets instead of round-half-even. */
  floorMbpBuckets: boolean;
  /** D-3 (S5): SMA levels from the causal per-bar series (not end-of-day). */
  causalSmaLevels: boolean;
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
  /** D-18 (S9): bounded ofi_acceleration (a−b)/(|a|+|b|+ε) instead of a/(b+ε). */
  boundedOfiAcceleration: boolean;
  /** D-8 (S7 fuel, S12): only option trades with ts ≤ event ts (ordered replay). */
  causalOptions: boolean;
  /** D-1 (S8): fitted multi-window kinematics. Not implemented yet. */
  fittedKinematics: boolean;
  /** D-23 (S7): trailing 30-min average depth for wall_ratio instead of the day-level constant. */
  trailingAvgDepth: boolean;
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
      contractFilter: false,
      floorMbpBuckets: false,
      causalSmaLevels: false,
      causalSpot: false,
      singleAtrDistance: false,
      rthAttemptClustering: false,
      trailingWindows: false,
      filteredTape: false,
      signedGex: false,
      boundedOfiAcceleration: false,
      causalOptions: false,
      fittedKinematics: false,
      trailingAvgDepth: false,
    },
  };
}

/** The corrected variant: reference constants with the implemented §15 fixes on. */
export function correctedConfig(): PipelineConfig {
  const c = referenceConfig();
  for (const k of IMPLEMENTED_FIXES) c.fixes[k] = true;
  return c;
}

/**
 * Fixes a stage honours today. Turning on any other switch fails the run instead of
 * silently producing reference values under a "corrected" label.
 */
export const IMPLEMENTED_FIXES: ReadonlySet<keyof FixSwitches> = new Set<keyof FixSwitches>([
  "contractFilter",
  "floorMbpBuckets",
  "causalSpot",
  "singleAtrDistance",
  "trailingWindows",
  "filteredTape",
  "signedGex",
  "boundedOfiAcceleration",
  "causalOptions",
  "trailingAvgDepth",
]);

export function assertFixesImplemented(cfg: PipelineConfig): void {
  const missing = (Object.keys(cfg.fixes) as (keyof FixSwitches)[]).filter((k) => cfg.fixes[k] && !IMPLEMENTED_FIXES.has(k));
  if (missing.length) {
    throw new Error(`pipeline fix(es) ${missing.join(", ")} (es-pipeline §15) not implemented yet — turn them off in the config/manifest`);
  }
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
