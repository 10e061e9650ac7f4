/**
 * The reference variant's look-ahead, predicted from es-pipeline §15 before running the
 * analysis (decision time = the event ts, the start of the entry bar). Each group names the
 * defect that makes its columns see data after ts.
 */
const KINEMATICS = ["velocity", "acceleration", "jerk", "momentum_trend"].flatMap((k) => [3, 5, 10, 20].map((w) => `${k}_${w}min`)).filter((c) => c !== "jerk_3min"); // _1min and jerk_3min are constants (D-1)
const GEX = [1, 2, 3].flatMap((k) => [`gex_above_${k}strike`, `gex_below_${k}strike`, `call_gex_above_${k}strike`, `put_gex_below_${k}strike`]).concat(["gex_asymmetry", "gex_ratio", "net_gex_2strike"]);

export const REFERENCE_LEAKS_BY_DEFECT: Record<string, readonly string[]> = {
  // D-2: the trigger, entry price/spot, the entry bar's ATR and everything normalised by them
  "D-2 entry-bar look-ahead": [
    "event_trigger", "entry_price", "spot", "atr", ...KINEMATICS,
    "approach_velocity", "approach_bars", "approach_distance", "approach_distance_atr", "approach_distance_pct",
    "distance_signed", "distance_signed_atr", "distance_signed_pct", "level_price_pct",
    "dist_to_pm_high_atr", "dist_to_pm_low_atr", "dist_to_or_high_atr", "dist_to_or_low_atr", "dist_to_sma_200_atr", "dist_to_sma_400_atr",
    "dist_to_pm_high_pct", "dist_to_pm_low_pct", "dist_to_sma_200_pct", "dist_to_sma_400_pct",
    "predicted_accel", "accel_residual", "force_mass_ratio",
  ],
  // D-3: end-of-day SMA levels and the unfinished opening range move the level itself
  "D-3 end-of-day SMA / incomplete OR": ["event_id", "level_price", "dist_to_pm_high", "dist_to_pm_low", "dist_to_or_high", "dist_to_or_low", "dist_to_sma_200", "dist_to_sma_400", "level_stacking_2pt", "level_stacking_5pt", "level_stacking_10pt"],
  // D-4 forward tape/barrier windows; D-23 day-average depth in wall_ratio
  "D-4 forward windows, D-23 whole-day normaliser": ["barrier_state", "barrier_delta_liq", "wall_ratio", "tape_imbalance", "tape_buy_vol", "tape_sell_vol", "tape_velocity", "wall_ratio_nonzero", "wall_ratio_log", "barrier_delta_liq_nonzero", "barrier_delta_liq_log"],
  // D-8 whole-day option trades, end-of-day spot
  "D-8 whole-day options": ["fuel_effect", "gamma_exposure", ...GEX],
  // Found by the analysis, not listed as a leak in §15: D-11's round-half-even buckets are
  // centred on T0 + k·250 ms, so the snapshot "at" ts may be a book row up to 125 ms later.
  "D-11 centred MBP buckets": [...[30, 60, 120, 300].flatMap((s) => [`ofi_${s}s`, `ofi_near_level_${s}s`]), "ofi_acceleration", ...[1, 3, 5].flatMap((m) => [`barrier_delta_${m}min`, `barrier_pct_change_${m}min`]), "barrier_depth_current"],
  // Found by the analysis: counts over earlier events inherit the event set's look-ahead
  // (D-2/D-3 events exist only with future bars/levels; D-21 whole-day clustering)
  "D-21 counts over a leaking event set": ["prior_touches", "attempt_index", "attempt_cluster_id", "barrier_delta_liq_trend", "tape_velocity_trend", "tape_imbalance_trend"],
};

export const REFERENCE_LEAKS = Object.values(REFERENCE_LEAKS_BY_DEFECT).flat();
