/**
 * S11 ComputeLevelDistances — es-pipeline §5.11 (defects D-5, D-6).
 *
 * Distances from the tested level to the six dynamic levels at the event's entry bar,
 * and level stacking counts. [REF] the "spot" here is the tested level price itself
 * (`L − dyn[X][i]`, D-5). Nulls: a dynamic level that is not defined yet at bar i (NaN)
 * gives a null distance.
 *
 * §5.11 also computes `dist_to_{pm,sma}_*_atr`, but S14 overwrites all four
 * unconditionally (§5.14 d), so silver-columns.json assigns them to S14 and this stage
 * emits only the OR variants.
 *
 * [FIX] D-5 (`fixes.spotDistances`): the true spot-relative distances as NEW columns
 * `spot_dist_to_x = spot − dyn[X][i]` (spot = the entry bar's close, as S6/S14), null where
 * X is undefined; the 182 `dist_to_*` keep their `L − X` meaning.
 */
import type { DynamicLevelName, PipelineContext, Stage } from "../context";
import { need, putFloat, putInt8 } from "./physics/columns";

const NAME = "ComputeLevelDistances";
const DEFAULT_STACKING_BANDS = [2, 5, 10] as const;

export const LEVELS: readonly { key: DynamicLevelName; col: string; atr: boolean }[] = [
  { key: "PM_HIGH", col: "dist_to_pm_high", atr: false },
  { key: "PM_LOW", col: "dist_to_pm_low", atr: false },
  { key: "OR_HIGH", col: "dist_to_or_high", atr: true },
  { key: "OR_LOW", col: "dist_to_or_low", atr: true },
  { key: "SMA_200", col: "dist_to_sma_200", atr: false },
  { key: "SMA_400", col: "dist_to_sma_400", atr: false },
];

/** D-5: `spot_dist_to_x = spot − dyn[X][bar]` per event; null where X is not defined. */
export function putSpotDistances(ctx: PipelineContext, barIdx: ArrayLike<number>, spot: Float64Array, dyn: Partial<Record<DynamicLevelName, Float64Array>>): void {
  for (const level of LEVELS) {
    const series = dyn[level.key] as Float64Array | undefined;
    const d = new Float64Array(spot.length).fill(NaN);
    const valid = new Uint8Array(spot.length);
    for (let e = 0; e < spot.length; e++) {
      const x = series ? series[barIdx[e]!]! : NaN;
      if (!Number.isFinite(x) || !Number.isFinite(spot[e]!)) continue;
      d[e] = spot[e]! - x;
      valid[e] = 1;
    }
    putFloat(ctx, `spot_${level.col}`, d, valid);
  }
}

const stage: Stage = {
  name: NAME,
  section: "es-pipeline §5.11",
  inputs: ["events", "dynamicLevels", "atr"],
  outputs: [
    ...LEVELS.flatMap((l) => (l.atr ? [l.col, `${l.col}_atr`] : [l.col])),
    "dist_to_tested_level",
    ...DEFAULT_STACKING_BANDS.map((b) => `level_stacking_${b}pt`),
  ],
  run(ctx: PipelineContext): void {
    const ev = need(ctx, "events", NAME);
    const dyn = need(ctx, "dynamicLevels", NAME);
    const atr = need(ctx, "atr", NAME);
    const n = ev.n;
    const bands = ctx.cfg.bands.stackingBands;
    const stacking = bands.map(() => new Int8Array(n));

    for (const level of LEVELS) {
      const series = dyn[level.key] as Float64Array | undefined; // absent series → all null
      const dist = new Float64Array(n).fill(NaN);
      const distValid = new Uint8Array(n);
      const distAtr = new Float64Array(n).fill(NaN);
      const atrValid = new Uint8Array(n);
      for (let e = 0; e < n; e++) {
        const i = ev.barIdx[e]!;
        const x = series ? series[i]! : NaN;
        if (!Number.isFinite(x)) continue;
        const L = ev.levelPrice[e]!;
        const d = L - x;
        dist[e] = d;
        distValid[e] = 1;
        const a = atr[i]!;
        if (a > 0) {
          distAtr[e] = d / a;
          atrValid[e] = 1;
        }
        const gap = Math.abs(x - L);
        if (gap > 0) {
          for (let b = 0; b < bands.length; b++) if (gap <= bands[b]!) stacking[b]![e] = stacking[b]![e]! + 1;
        }
      }
      putFloat(ctx, level.col, dist, distValid);
      if (level.atr) putFloat(ctx, `${level.col}_atr`, distAtr, atrValid);
    }
    putFloat(ctx, "dist_to_tested_level", new Float64Array(n)); // D-7: always 0
    if (ctx.cfg.fixes.spotDistances) putSpotDistances(ctx, ev.barIdx, ev.entryPrice, dyn);
    bands.forEach((b, k) => putInt8(ctx, `level_stacking_${b}pt`, stacking[k]!));
  },
};

export default stage;
