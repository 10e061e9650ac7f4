/**
 * S10 ComputeBarrierEvolution — es-pipeline §5.10.
 *
 * Change of the whole top-5 book depth (bid + ask, not level-specific) between the last
 * snapshot at or before ts and the last snapshot at or before ts − w. Causal. With no
 * snapshot at or before ts every value is 0; with none before ts − w that window is 0
 * (events before ~09:31 ET, because MBP loading starts at 09:26, D-12).
 */
import type { PipelineContext, Stage } from "../context";
import { need, putFloat } from "./physics/columns";
import { totalDepth } from "./physics/depth";
import { upperBound } from "../windows";

const NAME = "ComputeBarrierEvolution";
const DEFAULT_WINDOWS_MIN = [1, 3, 5] as const;
const BOOK_LEVELS = 5;

const stage: Stage = {
  name: NAME,
  section: "es-pipeline §5.10",
  inputs: ["events", "mbp"],
  outputs: [
    ...DEFAULT_WINDOWS_MIN.flatMap((w) => [`barrier_delta_${w}min`, `barrier_pct_change_${w}min`]),
    "barrier_depth_current",
  ],
  run(ctx: PipelineContext): void {
    const ev = need(ctx, "events", NAME);
    const mbp = need(ctx, "mbp", NAME);
    const depth = totalDepth(mbp, BOOK_LEVELS);
    const cur = new Int32Array(ev.n);
    const current = new Float64Array(ev.n);
    for (let e = 0; e < ev.n; e++) {
      cur[e] = upperBound(mbp.t, ev.t[e]!) - 1; // −1: no snapshot yet
      if (cur[e]! >= 0) current[e] = depth[cur[e]!]!;
    }
    for (const w of ctx.cfg.windows.barrierEvolutionMin) {
      const delta = new Float64Array(ev.n);
      const pct = new Float64Array(ev.n);
      for (let e = 0; e < ev.n; e++) {
        const c = cur[e]!;
        if (c < 0) continue;
        const past = upperBound(mbp.t, ev.t[e]! - w * 60e9, 0, c + 1) - 1;
        if (past < 0) continue;
        delta[e] = depth[c]! - depth[past]!;
        pct[e] = depth[past]! > 0 ? delta[e]! / depth[past]! : 0;
      }
      putFloat(ctx, `barrier_delta_${w}min`, delta);
      putFloat(ctx, `barrier_pct_change_${w}min`, pct);
    }
    putFloat(ctx, "barrier_depth_current", current);
  },
};

export default stage;
