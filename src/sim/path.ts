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

  // OU noise around the anchor: stationary std ≈ sigma·sqrt(tau/2) ≈ 4 pts in RTH
  const tauSec = 420;
  const baseSigma = 0.2; // pts / sqrt(s) at RTH-average activity

  const lv: Levels = { pmHigh: -Infinity, pmLow: Infinity, orHigh: -Infinity, orLow: Infinity, slow: openMid };
  const slowAlpha = 1 / (400 * 60 * STEPS_PER_SEC); // ~400-minute EMA, like SMA_200 on 2-min bars

  const script: RegimeSegment[] = [];
  let anchor = openMid;
  let dev = 0;
  let seg: Segment = { vel: 0, end: 0, phase2At: -1, phase2Vel: 0 };
  let vel = 0; // anchor drift, pts per step

  const warmupCloses = warmup(rng, macroLevel(seed, clock.day - 1), openMid);
  {
    let s = 0;
    for (const c of warmupCloses) s += c;
    lv.slow = s / warmupCloses.length;
  }

  let bid = Math.floor(openMid / TICK);
  for (let i = 0; i < n; i++) {
    if (i >= seg.end || i === clock.rthOpenStep || i === clock.orEndStep) {
      seg = nextSegment(rng, clock, i, anchor, closeTarget, lv, script);
      vel = seg.vel;
    }
    if (i === seg.phase2At) vel = seg.phase2Vel;
    const act = clock.activity[i]!;
    const sigma = baseSigma * Math.sqrt(i < clock.rthOpenStep ? Math.max(act, 0.25) : act) ;
    anchor += vel;
    dev += (-dev * dt) / tauSec + sigma * Math.sqrt(dt) * rng.normal();
    const m = anchor + dev;
    mid[i] = m;
    bid = followQuote(bid, m);
    bidTick[i] = bid;
    trackLevels(lv, clock, i, bid * TICK);
    lv.slow += slowAlpha * (m - lv.slow);
  }
  return { mid, bidTick, openMid, closeMid: mid[n - 1]!, script, warmupCloses };
}

/** Hysteresis: the one-tick [bid, ask] interval moves only when the mid leaves it. */
function followQuote(bid: number, m: number): number {
  if (m > (bid + 1) * TICK + QUOTE_HYSTERESIS) return Math.floor(m / TICK);
  if (m < bid * TICK - QUOTE_HYSTERESIS) return Math.ceil(m / TICK) - 1;
  return bid;
}

/** Pre-market and opening-range extremes of the quoted bid, as the level tests see them. */
function trackLevels(lv: Levels, clock: SessionClock, i: number, px: number): void {
  if (i < clock.rthOpenStep) {
    if (px > lv.pmHigh) lv.pmHigh = px;
    if (px < lv.pmLow) lv.pmLow = px;
  } else if (i < clock.orEndStep) {
    if (px > lv.orHigh) lv.orHigh = px;
    if (px < lv.orLow) lv.orLow = px;
  }
}

/** One scripted regime: anchor drift per step until `end`, flipping to `phase2Vel` at `phase2At` (−1: never). */
interface Segment {
  vel: number;
  end: number;
  phase2At: number;
  phase2Vel: number;
}

function nextSegment(rng: Rng, clock: SessionClock, i: number, anchor: number, closeTarget: number, lv: Levels, script: RegimeSegment[]): Segment {
  if (i < clock.rthOpenStep) return premarketSegment(rng, clock, i, script);
  if (i < clock.orEndStep) return openDriveSegment(rng, clock, i, script);
  // A pull toward where the next session opens keeps multi-day runs coherent.
  const remaining = Math.max(1, clock.nSteps - i);
  const pull = ((closeTarget - anchor) / remaining) * 0.5;
  if (rng.chance(0.58)) return levelTestSegment(rng, i, anchor, pull, lv, script);
  return freeSegment(rng, i, pull, script);
}

function minutes(rng: Rng, a: number, b: number): number {
  return Math.round(rng.uniform(a, b) * 60 * STEPS_PER_SEC);
}

function premarketSegment(rng: Rng, clock: SessionClock, i: number, script: RegimeSegment[]): Segment {
  const len = Math.min(minutes(rng, 20, 70), clock.rthOpenStep - i);
  const trend = rng.chance(0.45);
  const pts = trend ? (rng.chance(0.5) ? 1 : -1) * rng.uniform(4, 12) : rng.normal() * 1.5;
  script.push({ startStep: i, kind: trend ? "trend" : "range" });
  return { vel: pts / len, end: i + len, phase2At: -1, phase2Vel: 0 };
}

function openDriveSegment(rng: Rng, clock: SessionClock, i: number, script: RegimeSegment[]): Segment {
  const len = clock.orEndStep - i;
  const vel = ((rng.chance(0.5) ? 1 : -1) * rng.uniform(6, 16)) / len;
  script.push({ startStep: i, kind: "open-drive" });
  return { vel, end: i + len, phase2At: -1, phase2Vel: 0 };
}

/** Approach a level (nearer ones likelier), then bounce off it, break through or chop around it. */
function levelTestSegment(rng: Rng, i: number, anchor: number, pull: number, lv: Levels, script: RegimeSegment[]): Segment {
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
  const len = minutes(rng, 8, 24);
  const approach = Math.round(len * rng.uniform(0.45, 0.7));
  const target =
    kind === "test-bounce" ? L - side * rng.uniform(0.25, 2) : kind === "test-break" ? L + side * rng.uniform(6, 13) : L + rng.normal() * 0.75;
  const vel = (target - anchor) / approach + pull;
  const phase2Vel = kind === "test-bounce" ? -side * rng.uniform(5, 12) / (len - approach) : kind === "test-break" ? (side * rng.uniform(0, 4)) / (len - approach) : 0;
  script.push({ startStep: i, kind, level: name, levelPrice: L });
  return { vel, end: i + len, phase2At: i + approach, phase2Vel };
}

/** Range, trend or reversal, each with the pull toward the next session's open. */
function freeSegment(rng: Rng, i: number, pull: number, script: RegimeSegment[]): Segment {
  const o = rng.next();
  if (o < 0.38) {
    const len = minutes(rng, 15, 45);
    script.push({ startStep: i, kind: "range" });
    return { vel: rng.normal() * 1.2 / len + pull, end: i + len, phase2At: -1, phase2Vel: 0 };
  }
  if (o < 0.75) {
    const len = minutes(rng, 15, 50);
    script.push({ startStep: i, kind: "trend" });
    return { vel: ((rng.chance(0.5) ? 1 : -1) * rng.uniform(8, 22)) / len + pull, end: i + len, phase2At: -1, phase2Vel: 0 };
  }
  const len = minutes(rng, 16, 40);
  const half = Math.round(len / 2);
  const pts = (rng.chance(0.5) ? 1 : -1) * rng.uniform(6, 15);
  const vel = pts / half + pull;
  const phase2Vel = (-pts * rng.uniform(0.8, 1.3)) / (len - half) + pull;
  script.push({ startStep: i, kind: "reversal" });
  return { vel, end: i + len, phase2At: i + half, phase2Vel };
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
