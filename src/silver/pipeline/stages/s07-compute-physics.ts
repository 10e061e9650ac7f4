/**
 * S7 ComputePhysics — es-pipeline §5.7 (constants §3.2/§3.3, gamma model §10).
 *
 * Barrier (4 cols), tape (5) and fuel (2) for every whole-day event. Inputs are the
 * ts-sorted trades, the downsampled MBP-10 snapshots and the S4 option flows; every
 * window is a binary search over sorted arrays (see ../windows.ts).
 *
 * The predecessor's degraded fallback (per-event recomputation from ring buffers after an
 * exception) is deliberately absent: a missing input or a failure aborts the run.
 */
import type { Events, OptionFlow, PipelineContext, Stage } from "../context";
import { LakeError } from "../../../errors";
import { computeBarrier, dayAverageDepthPerEvent, trailingAverageDepth } from "./physics/barrier";
import { need, putBool, putFloat, putInt64, putUtf8 } from "./physics/columns";
import { computeCausalFuel, computeFuel, strikeGammaTable, type FuelColumns } from "./physics/fuel";
import { computeTape } from "./physics/tape";

const NAME = "ComputePhysics";
/** [FIX] D-23 normaliser window: WEAK_LOOKBACK = 1800 s of the reference config (§15). */
const AVG_DEPTH_LOOKBACK_SEC = 1800;

/** [REF] whole-day S4 flows, or [FIX] D-8 a causal replay of the option trades. */
function fuelColumns(ctx: PipelineContext, ev: Events, causal: boolean, flows: readonly OptionFlow[]): FuelColumns {
  const { bands } = ctx.cfg;
  const params = { strikeRange: bands.fuelStrikeRange, threshold: bands.fuelThreshold };
  const opt = ctx.options;
  if (!causal || !opt || opt.n === 0) return computeFuel(ev, strikeGammaTable(causal ? [] : flows, ctx.date), params);
  if (!opt.gamma) throw new LakeError(`${NAME}: options have no gamma column (S4 InitMarketState must run first)`);
  return computeCausalFuel(ev, opt, ctx.date, bands.optionMultiplier, params);
}

const stage: Stage = {
  name: NAME,
  section: "es-pipeline §5.7",
  inputs: ["events", "trades", "mbp", "optionFlows"],
  outputs: [
    "barrier_state",
    "barrier_delta_liq",
    "barrier_replenishment_ratio",
    "wall_ratio",
    "tape_imbalance",
    "tape_buy_vol",
    "tape_sell_vol",
    "tape_velocity",
    "sweep_detected",
    "fuel_effect",
    "gamma_exposure",
  ],
  run(ctx: PipelineContext): void {
    const ev = need(ctx, "events", NAME);
    const trades = need(ctx, "trades", NAME);
    const mbp = need(ctx, "mbp", NAME);
    const flows = need(ctx, "optionFlows", NAME);
    const { windows, bands } = ctx.cfg;
    const fixes = ctx.cfg.fixes;

    const tape = computeTape(ev, trades, {
      originNs: ctx.originNs,
      windowNs: windows.tapeSec * 1e9,
      band: bands.tapeBand,
      trailing: fixes.trailingWindows,
      priceFilter: fixes.filteredTape ? { min: bands.priceMin, max: bands.priceMax } : null,
    });
    const avgDepth = fixes.trailingAvgDepth
      ? trailingAverageDepth(ev, mbp, AVG_DEPTH_LOOKBACK_SEC * 1e9)
      : dayAverageDepthPerEvent(ev, mbp);
    const barrier = computeBarrier(ev, mbp, avgDepth, {
      windowNs: windows.barrierSec * 1e9,
      zone: bands.barrierZoneTicks * bands.tickSize,
      trailing: fixes.trailingWindows,
      liqThreshold: bands.barrierLiqThreshold,
      vacuumRatio: bands.barrierVacuumRatio,
      wallRatio: bands.barrierWallRatio,
      weakDepth: bands.barrierWeakDepth,
    });
    const fuel = fuelColumns(ctx, ev, fixes.causalOptions, flows);

    putUtf8(ctx, "barrier_state", barrier.state);
    putFloat(ctx, "barrier_delta_liq", barrier.deltaLiq);
    // D-7: the replenishment ratio and sweep flag are constants in the reference.
    putFloat(ctx, "barrier_replenishment_ratio", new Float64Array(ev.n));
    putFloat(ctx, "wall_ratio", barrier.wallRatio);
    putFloat(ctx, "tape_imbalance", tape.imbalance);
    putInt64(ctx, "tape_buy_vol", tape.buyVol);
    putInt64(ctx, "tape_sell_vol", tape.sellVol);
    putFloat(ctx, "tape_velocity", tape.velocity);
    putBool(ctx, "sweep_detected", new Uint8Array(ev.n));
    putUtf8(ctx, "fuel_effect", fuel.effect);
    putFloat(ctx, "gamma_exposure", fuel.gammaExposure);
  },
};

export default stage;
