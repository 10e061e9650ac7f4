/**
 * S9 ComputeMultiWindowOFI — es-pipeline §5.9 (defect D-18).
 *
 * [REF] "OFI" here is the top-5 depth imbalance Σbid_sz − Σask_sz per snapshot, summed
 * (`ofi_Ws`) and averaged (`ofi_near_level_Ws`, not level-specific) over the snapshots
 * with ts − W ≤ t ≤ ts. Prefix sums make every window O(log n); the sums are of
 * integers, hence exact whatever the order.
 *
 * [FIX] D-18 (`contOfi`): `ofi_Ws` is the order-flow imbalance of Cont et al. from best-level
 * price/size changes (physics/order-flow.ts) summed over the same window, `ofi_near_level_Ws`
 * its mean per snapshot; `boundedOfiAcceleration` keeps the 30 s / 120 s ratio in [−1, 1].
 */
import type { PipelineContext, Stage } from "../context";
import { need, putFloat } from "./physics/columns";
import { depthImbalance } from "./physics/depth";
import { bestLevelOfi } from "./physics/order-flow";
import { closedRange, prefixSums } from "../windows";
import { LakeError } from "../../../errors";

const NAME = "ComputeMultiWindowOFI";
const DEFAULT_WINDOWS_SEC = [30, 60, 120, 300] as const;
const BOOK_LEVELS = 5;
const EPS = 1e-6;

const stage: Stage = {
  name: NAME,
  section: "es-pipeline §5.9",
  inputs: ["events", "mbp"],
  outputs: [...DEFAULT_WINDOWS_SEC.flatMap((w) => [`ofi_${w}s`, `ofi_near_level_${w}s`]), "ofi_acceleration"],
  run(ctx: PipelineContext): void {
    const ev = need(ctx, "events", NAME);
    const mbp = need(ctx, "mbp", NAME);
    const fixes = ctx.cfg.fixes;
    const cum = prefixSums(fixes.contOfi ? bestLevelOfi(mbp) : depthImbalance(mbp, BOOK_LEVELS));
    const sums = new Map<number, Float64Array>();
    for (const w of ctx.cfg.windows.ofiSec) {
      const sum = new Float64Array(ev.n);
      const mean = new Float64Array(ev.n);
      for (let e = 0; e < ev.n; e++) {
        const t0 = ev.t[e]!;
        const [lo, hi] = closedRange(mbp.t, t0 - w * 1e9, t0);
        if (hi > lo) {
          sum[e] = cum[hi]! - cum[lo]!;
          mean[e] = sum[e]! / (hi - lo);
        }
      }
      sums.set(w, sum);
      putFloat(ctx, `ofi_${w}s`, sum);
      putFloat(ctx, `ofi_near_level_${w}s`, mean);
    }
    const fast = sums.get(30);
    const slow = sums.get(120);
    if (!fast || !slow) throw new LakeError(`${NAME}: ofi_acceleration needs the 30 s and 120 s windows (windows.ofiSec)`);
    const accel = new Float64Array(ev.n);
    for (let e = 0; e < ev.n; e++) {
      const a = fast[e]!;
      const b = slow[e]!;
      accel[e] = fixes.boundedOfiAcceleration ? (a - b) / (Math.abs(a) + Math.abs(b) + EPS) : a / (b + EPS);
    }
    putFloat(ctx, "ofi_acceleration", accel);
  },
};

export default stage;
