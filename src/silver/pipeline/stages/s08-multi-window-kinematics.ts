/**
 * S8 ComputeMultiWindowKinematics — es-pipeline §5.8 (defect D-1).
 *
 * Level-frame velocity / acceleration / jerk from the 1-minute closes whose bar start
 * lies in (ts − w, ts], entry bar included. [REF] these are the *last* finite
 * differences, so the window only decides whether enough bars exist: every `*_1min`
 * value is 0 (the window never holds 3 bars), `jerk_3min` is 0, and windows 3–20 agree
 * whenever bars are contiguous. Only the last four bars of a window are ever read, so an
 * event costs two binary searches per window. [FIX] D-1 `fittedKinematics`: least-squares fits.
 */
import type { Bars, Events, PipelineContext, Stage } from "../context";
import { need, putFloat } from "./physics/columns";
import { upperBound } from "../windows";
import { fittedKinematics } from "./physics/fitted-kinematics";

const NAME = "ComputeMultiWindowKinematics";
const DEFAULT_WINDOWS_MIN = [1, 3, 5, 10, 20] as const;

function columnNames(w: number): string[] {
  const base = [`velocity_${w}min`, `acceleration_${w}min`, `jerk_${w}min`];
  return w > 1 ? [...base, `momentum_trend_${w}min`] : base;
}

/** [FIX] D-1: fitted kinematics per window (see physics/fitted-kinematics.ts). */
function writeFitted(ctx: PipelineContext, ev: Events, bars: Bars): void {
  const n = ev.n;
  for (const w of ctx.cfg.windows.kinematicsMin) {
    const cols = { v: new Float64Array(n), a: new Float64Array(n), j: new Float64Array(n), tr: new Float64Array(n) };
    for (let e = 0; e < n; e++) {
      const hi = upperBound(bars.t, ev.t[e]!);
      const lo = upperBound(bars.t, ev.t[e]! - w * 60e9, 0, hi);
      const s = ev.dir[e]! > 0 ? 1 : -1;
      const L = ev.levelPrice[e]!;
      const tau: number[] = [];
      const pos: number[] = [];
      for (let k = lo; k < hi; k++) {
        tau.push((bars.t[k]! - bars.t[hi - 1]!) / 60e9);
        pos.push(s * (bars.close[k]! - L));
      }
      const r = fittedKinematics(tau, pos, lo < hi ? s * (bars.open[lo]! - L) : 0);
      cols.v[e] = r.velocity;
      cols.a[e] = r.acceleration;
      cols.j[e] = r.jerk;
      cols.tr[e] = r.trend;
    }
    putFloat(ctx, `velocity_${w}min`, cols.v);
    putFloat(ctx, `acceleration_${w}min`, cols.a);
    putFloat(ctx, `jerk_${w}min`, cols.j);
    if (w > 1) putFloat(ctx, `momentum_trend_${w}min`, cols.tr);
  }
}

const stage: Stage = {
  name: NAME,
  section: "es-pipeline §5.8",
  inputs: ["events", "ohlcv1m"],
  outputs: DEFAULT_WINDOWS_MIN.flatMap(columnNames),
  run(ctx: PipelineContext): void {
    const ev = need(ctx, "events", NAME);
    const bars = need(ctx, "ohlcv1m", NAME);
    const n = ev.n;
    if (ctx.cfg.fixes.fittedKinematics) return writeFitted(ctx, ev, bars);
    for (const w of ctx.cfg.windows.kinematicsMin) {
      const vel = new Float64Array(n);
      const acc = new Float64Array(n);
      const jerk = new Float64Array(n);
      const span = w * 60e9;
      for (let e = 0; e < n; e++) {
        const t0 = ev.t[e]!;
        const hi = upperBound(bars.t, t0); // bars with start ≤ ts
        const lo = upperBound(bars.t, t0 - span, 0, hi); // … and start > ts − w
        const m = hi - lo;
        if (m < 3) continue;
        const s = ev.dir[e]! > 0 ? 1 : -1;
        const level = ev.levelPrice[e]!;
        // Last four bars (k = m−4 … m−1) relative to the window; index −1 = absent.
        const pos = (k: number) => s * (bars.close[lo + k]! - level);
        const dt = (k: number) => (bars.t[lo + k + 1]! - bars.t[lo + k]!) / 1e9;
        const v = (k: number) => (pos(k + 1) - pos(k)) / dt(k);
        const a = (k: number) => (v(k + 1) - v(k)) / dt(k); // divides by the earlier interval
        vel[e] = v(m - 2);
        acc[e] = a(m - 3);
        if (m >= 4) jerk[e] = (a(m - 3) - a(m - 4)) / dt(m - 4);
      }
      putFloat(ctx, `velocity_${w}min`, vel);
      putFloat(ctx, `acceleration_${w}min`, acc);
      putFloat(ctx, `jerk_${w}min`, jerk);
      if (w > 1) putFloat(ctx, `momentum_trend_${w}min`, acc.slice());
    }
  },
};

export default stage;
