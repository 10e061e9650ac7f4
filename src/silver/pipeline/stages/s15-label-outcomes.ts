/**
 * S15 LabelOutcomes — es-pipeline §5.15 / §9.
 * Horizons 2/4/8 min (suffixes _2min/_4min/_8min) over the all-hours 1-minute bars; the
 * unsuffixed columns copy the primary (4 min) horizon. [REF] The window includes the bar
 * starting at ts + H (D-14), σ includes the entry bar (D-15), same-bar ties use strength.
 * [FIX] D-13 range gate, D-14 window after the entry bar, D-15 σ over LABEL_VOL_WINDOW = 10 min.
 */
import type { PipelineContext, Stage } from "../context";
import { putColumn } from "../columns";
import { LABEL_FIELDS, labelHorizon, type HorizonLabels } from "../labels";

function write(ctx: PipelineContext, suffix: string, l: HorizonLabels): void {
  const cols: Record<(typeof LABEL_FIELDS)[number], ArrayLike<unknown>> = {
    outcome: l.outcome,
    excursion_max: l.excursionMax,
    excursion_min: l.excursionMin,
    strength_signed: l.strengthSigned,
    strength_abs: l.strengthAbs,
    time_to_threshold_1: l.timeToThreshold1,
    time_to_threshold_2: l.timeToThreshold2,
    time_to_break_1: l.timeToBreak1,
    time_to_break_2: l.timeToBreak2,
    time_to_bounce_1: l.timeToBounce1,
    time_to_bounce_2: l.timeToBounce2,
    tradeable_1: l.tradeable1,
    tradeable_2: l.tradeable2,
    confirm_ts_ns: l.confirmTs,
    anchor_spot: l.anchorSpot,
    future_price: l.futurePrice,
  };
  for (const f of LABEL_FIELDS) {
    const v = cols[f];
    const copy = Array.isArray(v) ? v.slice() : (v as Float64Array).slice();
    putColumn(ctx, `${f}${suffix}`, copy as never, f === "confirm_ts_ns" ? l.confirmValid.slice() : undefined);
  }
}

const stage: Stage = {
  name: "LabelOutcomes",
  section: "es-pipeline §5.15, §9",
  inputs: ["events", "ohlcv1m"],
  outputs: ["outcome*", "excursion_*", "strength_*", "time_to_*", "tradeable_*", "confirm_ts_ns*", "anchor_spot*", "future_price*"],
  run(ctx) {
    const ev = ctx.events;
    const bars = ctx.ohlcv1m;
    if (!ev || !bars) throw new Error("LabelOutcomes needs events (S6) and ohlcv1m (S2)");
    const { windows, labels, bands } = ctx.cfg;
    const volReturns = Math.round(windows.labelVolWindowSec / 60);
    for (const h of windows.labelHorizonsSec) {
      const fx = ctx.cfg.fixes;
      const l = labelHorizon(ev, bars, h, labels, bands.monitorBand, volReturns, windows.atrBars, { rangeGate: fx.consistentLabelGate, windowAfterEntry: fx.labelWindowAfterEntry });
      write(ctx, `_${Math.round(h / 60)}min`, l);
      if (h === windows.primaryHorizonSec) write(ctx, "", l);
    }
  },
};
export default stage;
