/**
 * S12 ComputeGEXFeatures — es-pipeline §5.12 and §10 (defects D-8, D-9).
 *
 * Dealer gamma exposure of the same-day (0DTE) option trades in fixed point bands around
 * the level: above = (L, L+b], below = [L−b, L), b = 5/10/15 points (bands 1/2/3 ×
 * ES_0DTE_STRIKE_SPACING), plus asymmetry, ratio and the ±15-point net. [REF] whole-day
 * trades with end-of-day-spot gamma (D-8) and the product-of-sums formula (D-9); both
 * are switches (PipelineConfig.fixes, config.ts). No same-day options → all 15 columns are 0.
 */
import type { PipelineContext, Stage } from "../context";
import { LakeError } from "../../../errors";
import { need, putFloat } from "./physics/columns";
import { computeGex, GEX_COLUMNS } from "./physics/gex";

const NAME = "ComputeGEXFeatures";

const stage: Stage = {
  name: NAME,
  section: "es-pipeline §5.12",
  inputs: ["events", "options"],
  outputs: GEX_COLUMNS,
  run(ctx: PipelineContext): void {
    const ev = need(ctx, "events", NAME);
    const fixes = ctx.cfg.fixes;
    const opt = ctx.options; // S1 may load no option trades at all (§5.1 step 3): all zeros
    let cols: Map<string, Float64Array> = new Map(GEX_COLUMNS.map((c) => [c, new Float64Array(ev.n)]));
    if (opt && opt.n > 0) {
      if (!opt.gamma) throw new LakeError(`${NAME}: options have no gamma column (S4 InitMarketState must run first)`);
      const { strikeSpacing, optionMultiplier } = ctx.cfg.bands;
      const params = { date: ctx.date, signed: fixes.signedGex, multiplier: optionMultiplier, strikeSpacing };
      cols = computeGex(ev, opt, opt.gamma, params, fixes.causalOptions);
    }
    for (const [name, values] of cols) putFloat(ctx, name, values);
  },
};

export default stage;
