/**
 * The day's mid-price path for the front contract, one value per session step.
 *
 * mid = anchor + OU noise. The anchor follows a script of regimes (range, trend, reversal)
 * and — once the pre-market and opening-range levels exist — deliberate *tests* of those
 * levels and of the slow moving average (approach then bounce, break or chop). That is what
 * makes the Silver pipeline see events: it only looks at bars entering a ±5 pt zone around
 * PM/OR highs and lows and SMA_200/400 (es-pipeline §5.6, §6.1).
 *
 * The top of book follows the mid with hysteresis (it moves only when the mid leaves the
 * current one-tick bid/ask interval), which gives ES-like quote dynamics: a one-tick spread
 * that changes about once a second in RTH.
 */
import { Rng } from "./rng";
import type { SessionClock } from "./session";
import { STEPS_PER_SEC } from "./session";

export const TICK = 0.25;
/**
 * How far (points) the mid must leave the [bid, ask] interval before the quote moves:
 * suppresses tick flicker from high-frequency noise (ES BBO moves ~1/s in RTH, not 4/s).
 */
const QUOTE_HYSTERESIS = 0.1;

export type RegimeKind = "range" | "trend" | "reversal" | "test-bounce" | "test-break" | "test-chop" | "open-drive";

export interface RegimeSegment {
  readonly startStep: number;
  readonly kind: RegimeKind;
  /** For level tests: which level and its price at the time the test was scripted. */
  readonly level?: string;
  readonly levelPrice?: number;
}

export interface PricePath {
  readonly mid: Float64Array;
  /** Best bid in ticks (price = tick × 0.25); best ask = bidTick + 1. */
  readonly bidTick: Int32Array;
  readonly openMid: number;
  readonly closeMid: number;
  readonly script: RegimeSegment[];
  /** Prior 2-minute closes standing in for the previous sessions (SMA warm-up in signals). */
  readonly warmupCloses: Float64Array;
}

/**
 * Slow "macro" level of the market for an epoch day: a deterministic function of
 * (seed, day) so one day can be generated alone yet still chain onto its neighbours
 * (day D closes near macroLevel(D + 1), where day D + 1 opens).
 */
export function macroLevel(seed: number | string, day: number): number {
  const r = Rng.stream(seed, "macro");
  const p1 = r.uniform(0, 2 * Math.PI);
  const p2 = r.uniform(0, 2 * Math.PI);
  const p3 = r.uniform(0, 2 * Math.PI);
  const base = r.uniform(6500, 7100);
  const noise = Rng.stream(seed, "macro-day", String(day)).normal();
  return base + 260 * Math.sin(day / 41 + p1) + 90 * Math.sin(day / 9.3 + p2) + 30 * Math.sin(day / 2.7 + p3) + 12 * noise;
}

interface Levels {
  pmHigh: number;
  pmLow: number;
  orHigh: number;
  orLow: number;
  slow: number; // EMA standing in for SMA_200/400 of 2-minute closes
}

export function generatePath(seed: number | string, clock: SessionClock): PricePath {
  const rng = Rng.stream(seed, String(clock.day), "path");
  const n = clock.nSteps;
  const mid = new Float64Array(n);
  const bidTick = new Int32Array(n);
  const dt = 1 / STEPS_PER_SEC;

  const openMid = macroLevel(seed, clock.day) + rng.normal() * 4;
  const closeTarget = macroLevel(seed, clock.day + 1);
  const rthSteps = n - clock.rthOpenStep;

  // OU noise around the anchor: stationary std ≈ sigma·sqrt(tau/2) ≈ 4 pts in RTH
  const tauSec = 420;
  const baseSigma = 0.2; // pts / sqrt(s) at RTH-average activity

  const lv: Levels = { pmHigh: -Infinity, pmLow: Infinity, orHigh: -Infinity, orLow: Infinity, slow: openMid };
  const slowAlpha = 1 / (400 * 60 * STEPS_PER_SEC); // ~400-minute EMA, like SMA_200 on 2-min bars

  const script: RegimeSegment[] = [];
  let anchor = openMid;
  let dev = 0;
  let vel = 0; // anchor drift, pts per step
  let segEnd = 0;
  let phase2At = -1; // for reversals and bounces: step at which the drift flips
  let phase2Vel = 0;

  const warmupCloses = warmup(rng, macroLevel(seed, clock.day - 1), openMid);
  {
    let s = 0;
    for (const c of warmupCloses) s += c;
    lv.slow = s / warmupCloses.length;
  }

  const newSegment = (i: number): void => {
    const inPm = i < clock.rthOpenStep;
    const minutes = (a: number, b: number) => Math.round(rng.uniform(a, b) * 60 * STEPS_PER_SEC);
    phase2At = -1;
    if (inPm) {
      const len = Math.min(minutes(20, 70), clock.rthOpenStep - i);
      const trend = rng.chance(0.45);
      const pts = trend ? (rng.chance(0.5) ? 1 : -1) * rng.uniform(4, 12) : rng.normal() * 1.5;
      vel = pts / len;
      segEnd = i + len;
      script.push({ startStep: i, kind: trend ? "trend" : "range" });
      return;
    }
    if (i < clock.orEndStep) {
      const len = clock.orEndStep - i;
      vel = ((rng.chance(0.5) ? 1 : -1) * rng.uniform(6, 16)) / len;
      segEnd = i + len;
      script.push({ startStep: i, kind: "open-drive" });
      return;
    }
    // A pull toward where the next session opens keeps multi-day runs coherent.
    const remaining = Math.max(1, n - i);
    const pull = ((closeTarget - anchor) / remaining) * 0.5;
    if (rng.chance(0.58)) {
      const cands: [string, number][] = [
        ["PM_HIGH", lv.pmHigh],
        ["PM_LOW", lv.pmLow],
        ["OR_HIGH", lv.orHigh],
        ["OR_LOW", lv.orLow],
        ["SMA", lv.slow],
      ];
      const weights = cands.map(([, p]) => Math.exp(-Math.abs(p - anchor) / 14));
      let u = rng.next() * weights.reduce((a, b) => a + b, 0);
      let k = 0;
      while (k < cands.length - 1 && (u -= weights[k]!) > 0) k++;
      const [name, L] = cands[k]!;
      const side = anchor < L ? 1 : -1; // +1: approaching from below
      const o = rng.next();
      const kind: RegimeKind = o < 0.4 ? "test-bounce" : o < 0.72 ? "test-break" : "test-chop";
      const len = minutes(8, 24);
      const approach = Math.round(len * rng.uniform(0.45, 0.7));
      const target =
        kind === "test-bounce" ? L - side * rng.uniform(0.25, 2) : kind === "test-break" ? L + side * rng.uniform(6, 13) : L + rng.normal() * 0.75;
      vel = (target - anchor) / approach + pull;
      phase2At = i + approach;
      phase2Vel = kind === "test-bounce" ? -side * rng.uniform(5, 12) / (len - approach) : kind === "test-break" ? (side * rng.uniform(0, 4)) / (len - approach) : 0;
      segEnd = i + len;
      script.push({ startStep: i, kind, level: name, levelPrice: L });
      return;
    }
    const o = rng.next();
    if (o < 0.38) {
      const len = minutes(15, 45);
      vel = rng.normal() * 1.2 / len + pull;
      segEnd = i + len;
      script.push({ startStep: i, kind: "range" });
    } else if (o < 0.75) {
      const len = minutes(15, 50);
      vel = ((rng.chance(0.5) ? 1 : -1) * rng.uniform(8, 22)) / len + pull;
      segEnd = i + len;
      script.push({ startStep: i, kind: "trend" });
    } else {
      const len = minutes(16, 40);
      const half = Math.round(len / 2);
      const pts = (rng.chance(0.5) ? 1 : -1) * rng.uniform(6, 15);
      vel = pts / half + pull;
      phase2At = i + half;
      phase2Vel = (-pts * rng.uniform(0.8, 1.3)) / (len - half) + pull;
      segEnd = i + len;
      script.push({ startStep: i, kind: "reversal" });
    }
  };

  let bid = Math.floor(openMid / TICK);
  for (let i = 0; i < n; i++) {
    if (i >= segEnd || i === clock.rthOpenStep || i === clock.orEndStep) newSegment(i);
    if (i === phase2At) vel = phase2Vel;
    const act = clock.activity[i]!;
    const sigma = baseSigma * Math.sqrt(i < clock.rthOpenStep ? Math.max(act, 0.25) : act) ;
    anchor += vel;
    dev += (-dev * dt) / tauSec + sigma * Math.sqrt(dt) * rng.normal();
    const m = anchor + dev;
    mid[i] = m;
    // hysteresis: the one-tick [bid, ask] interval moves only when the mid leaves it
    if (m > (bid + 1) * TICK + QUOTE_HYSTERESIS) bid = Math.floor(m / TICK);
    else if (m < bid * TICK - QUOTE_HYSTERESIS) bid = Math.ceil(m / TICK) - 1;
    bidTick[i] = bid;

    const px = bid * TICK;
    if (i < clock.rthOpenStep) {
      if (px > lv.pmHigh) lv.pmHigh = px;
      if (px < lv.pmLow) lv.pmLow = px;
    } else if (i < clock.orEndStep) {
      if (px > lv.orHigh) lv.orHigh = px;
      if (px < lv.orLow) lv.orLow = px;
    }
    lv.slow += slowAlpha * (m - lv.slow);
  }
  void rthSteps;
  return { mid, bidTick, openMid, closeMid: mid[n - 1]!, script, warmupCloses };
}

/**
 * 2-minute closes of the previous ~2 sessions (overnight included), from the previous
 * day's macro level to today's open — enough history for SMA_400 at 04:00.
 */
function warmup(rng: Rng, from: number, to: number): Float64Array {
  const n = 720;
  const out = new Float64Array(n);
  let dev = 0;
  for (let i = 0; i < n; i++) {
    dev = dev * 0.97 + rng.normal() * 1.2;
    out[i] = from + ((to - from) * i) / (n - 1) + dev;
  }
  return out;
}
