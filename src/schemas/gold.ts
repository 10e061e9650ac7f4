/** Gold streaming level signals, contracts §3.3 (LevelSignal streaming row v1). */
import { col, type TableSchema } from "./types";

export const LEVEL_SIGNALS: TableSchema = {
  name: "levels.signals.v1",
  tier: "gold",
  sortKey: ["ts_event_ns"],
  columns: [
    col("ts_event_ns", "int64"),
    col("underlying", "utf8"),
    col("spot", "float64", true),
    col("bid", "float64", true),
    col("ask", "float64", true),
    col("level_id", "utf8"),
    col("level_kind", "utf8", true),
    col("level_price", "float64", true),
    col("direction", "utf8", true),
    col("distance", "float64", true),
    col("break_score_raw", "float64", true),
    col("break_score_smooth", "float64", true),
    col("signal", "utf8", true),
    col("confidence", "utf8", true),
    col("barrier_state", "utf8", true),
    col("barrier_delta_liq", "float64", true),
    col("barrier_replenishment_ratio", "float64", true),
    col("barrier_added", "float64", true),
    col("barrier_canceled", "float64", true),
    col("barrier_filled", "float64", true),
    col("tape_imbalance", "float64", true),
    col("tape_buy_vol", "int64", true),
    col("tape_sell_vol", "int64", true),
    col("tape_velocity", "float64", true),
    col("tape_sweep_detected", "bool", true),
    col("tape_sweep_direction", "utf8", true),
    col("tape_sweep_notional", "float64", true),
    col("fuel_effect", "utf8", true),
    col("fuel_net_dealer_gamma", "float64", true),
    col("fuel_call_wall", "float64", true),
    col("fuel_put_wall", "float64", true),
    col("fuel_hvl", "float64", true),
    col("runway_direction", "utf8", true),
    col("runway_next_level_id", "utf8", true),
    col("runway_next_level_price", "float64", true),
    col("runway_distance", "float64", true),
    col("runway_quality", "utf8", true),
    col("note", "utf8", true),
  ],
};

export const LEVEL_SIGNALS_SUBJECT = "levels.signals";
export const LEVEL_SIGNALS_DURABLE = "gold_writer_levels_signals";
export const LEVEL_SIGNALS_PATH = "gold/levels/signals"; // + /underlying=ES/date=/hour=
