/**
 * Outcome labelling for one horizon (es-pipeline §9, used by S15). Pure function of the
 * 1-minute bars and the event table; times in seconds from the first touch bar.
 */
import type { Bars, Events } from "./context";
import type { LabelConfig } from "./config";
import { popstd } from "./numeric";
import { lowerBound, upperBound } from "./windows";

export const LABEL_FIELDS = [
  "outcome", "excursion_max", "excursion_min", "strength_signed", "strength_abs",
  "time_to_threshold_1", "time_to_threshold_2", "time_to_break_1", "time_to_break_2",
  "time_to_bounce_1", "time_to_bounce_2", "tradeable_1", "tradeable_2",
  "confirm_ts_ns", "anchor_spot", "future_price",
] as const;

export interface HorizonLabels {
  outcome: string[];
  excursionMax: Float64Array;
  excursionMin: Float64Array;
  strengthSigned: Float64Array;
  strengthAbs: Float64Array;
  timeToThreshold1: Float64Array;
  timeToThreshold2: Float64Array;
  timeToBreak1: Float64Array;
  timeToBreak2: Float64Array;
  timeToBounce1: Float64Array;
  timeToBounce2: Float64Array;
  tradeable1: Int8Array;
  tradeable2: Int8Array;
  confirmTs: BigInt64Array;
  confirmValid: Uint8Array;
  anchorSpot: Float64Array;
  futurePrice: Float64Array;
}

function alloc(n: number): HorizonLabels {
  const f = () => new Float64Array(n).fill(NaN);
  return {
    outcome: new Array<string>(n).fill("UNDEFINED"),
    excursionMax: f(), excursionMin: f(), strengthSigned: f(), strengthAbs: f(),
    timeToThreshold1: f(), timeToThreshold2: f(), timeToBreak1: f(), timeToBreak2: f(),
    timeToBounce1: f(), timeToBounce2: f(),
    tradeable1: new Int8Array(n), tradeable2: new Int8Array(n),
    confirmTs: new BigInt64Array(n), confirmValid: new Uint8Array(n),
    anchorSpot: f(), futurePrice: f(),
  };
}

/**
 * §9 step 3: σ from the closes [max(1, a−2) .. a] (≥ 2 differences), else the mean TR of
 * bars [max(1, a−14) .. a] (first bar of the slice uses its own close as previous close).
 */
export function labelSigma(bars: Bars, a: number, volReturns: number, atrBars: number): number {
  const s0 = Math.max(1, a - volReturns);
  if (a - s0 >= 2) {
    const diffs = new Float64Array(a - s0);
    for (let k = s0 + 1; k <= a; k++) diffs[k - s0 - 1] = bars.close[k]! - bars.close[k - 1]!;
    const sd = popstd(diffs);
    if (sd > 0) return sd;
  }
  if (a >= 1) {
    const from = Math.max(1, a - atrBars);
    let s = 0;
    for (let k = from; k <= a; k++) {
      const prevC = k === from ? bars.close[k]! : bars.close[k - 1]!;
      const h = bars.high[k]!;
      const l = bars.low[k]!;
      s += Math.max(h - l, Math.abs(h - prevC), Math.abs(l - prevC));
    }
    const mean = s / (a - from + 1);
    if (mean > 0) return mean;
  }
  return NaN;
}

function firstHit(bars: Bars, from: number, to: number, above: boolean, level: number): number {
  for (let k = from; k < to; k++) {
    if (above ? bars.high[k]! >= level : bars.low[k]! <= level) return k;
  }
  return -1;
}

/** Corrected labelling (es-pipeline §15); all false = the reference. */
export interface LabelFixes {
  /** D-13: UNDEFINED only when the entry bar's range stays outside the event's zone (the trigger's own test), not when its close is > 5 pt away. */
  rangeGate: boolean;
  /**
   * D-14: the window is the bars starting in [ts + 60 s, ts + 60 s + H) — after the entry bar,
   * exactly H long; times count from the end of the entry bar to the end of the hitting bar.
   * σ is measured on the bars up to the entry bar.
   */
  windowAfterEntry: boolean;
}

const NO_FIXES: LabelFixes = { rangeGate: false, windowAfterEntry: false };
const BAR_NS = 60e9;

export function labelHorizon(ev: Events, bars: Bars, horizonSec: number, cfg: LabelConfig, monitorBand: number, volReturns: number, atrBars: number, fixes: LabelFixes = NO_FIXES): HorizonLabels {
  const out = alloc(ev.n);
  const H = horizonSec * 1e9;
  for (let i = 0; i < ev.n; i++) {
    const L = ev.levelPrice[i]!;
    if (fixes.rangeGate) {
      const e = ev.barIdx[i]!;
      const w = ev.zoneWidth[i]!;
      if (!(bars.low[e]! <= L + w && bars.high[e]! >= L - w)) continue;
    } else if (Math.abs(ev.entryPrice[i]! - L) > monitorBand) continue; // step 1: UNDEFINED gate
    const start = fixes.windowAfterEntry ? ev.t[i]! + BAR_NS : ev.t[i]!;
    const a = lowerBound(bars.t, start);
    const b = fixes.windowAfterEntry ? lowerBound(bars.t, start + H) : upperBound(bars.t, ev.t[i]! + H);
    if (a >= bars.n || a >= b) continue;

    const sigma = labelSigma(bars, fixes.windowAfterEntry ? ev.barIdx[i]! : a, volReturns, atrBars);
    const barrier = Number.isFinite(sigma) && sigma > 0
      ? Math.min(cfg.barrierMaxPoints, Math.max(cfg.barrierMinPoints, sigma * Math.sqrt(horizonSec / 60) * cfg.barrierScale))
      : cfg.outcomeThreshold;
    const thr = [Math.max(1e-6, cfg.t1Fraction * barrier), barrier];

    out.outcome[i] = "CHOP";
    out.futurePrice[i] = bars.close[b - 1]!;
    let j = -1;
    for (let k = a; k < b; k++) {
      if (bars.low[k]! <= L && L <= bars.high[k]!) {
        j = k;
        break;
      }
    }
    if (j < 0) continue; // step 4: no touch → CHOP
    out.confirmTs[i] = bars.ts[j]!;
    out.confirmValid[i] = 1;
    out.anchorSpot[i] = bars.close[j]!;

    const up = ev.dir[i]! > 0;
    const tj = fixes.windowAfterEntry ? ev.t[i]! : bars.t[j]!; // from the entry bar's end to the hitting bar's end
    const sec = (k: number) => (k < 0 ? NaN : (bars.t[k]! - tj) / 1e9);
    const brk = [0, 1].map((q) => sec(up ? firstHit(bars, j, b, true, L + thr[q]!) : firstHit(bars, j, b, false, L - thr[q]!)));
    const bnc = [0, 1].map((q) => sec(up ? firstHit(bars, j, b, false, L - thr[q]!) : firstHit(bars, j, b, true, L + thr[q]!)));
    out.timeToBreak1[i] = brk[0]!;
    out.timeToBreak2[i] = brk[1]!;
    out.timeToBounce1[i] = bnc[0]!;
    out.timeToBounce2[i] = bnc[1]!;
    const minOf = (x: number, y: number) => (Number.isNaN(x) ? y : Number.isNaN(y) ? x : Math.min(x, y));
    out.timeToThreshold1[i] = minOf(brk[0]!, bnc[0]!);
    out.timeToThreshold2[i] = minOf(brk[1]!, bnc[1]!);
    out.tradeable1[i] = Number.isNaN(out.timeToThreshold1[i]!) ? 0 : 1;
    out.tradeable2[i] = Number.isNaN(out.timeToThreshold2[i]!) ? 0 : 1;

    let hi = -Infinity;
    let lo = Infinity;
    for (let k = j; k < b; k++) {
      if (bars.high[k]! > hi) hi = bars.high[k]!;
      if (bars.low[k]! < lo) lo = bars.low[k]!;
    }
    const upEx = Math.max(hi - L, 0);
    const dnEx = Math.max(L - lo, 0);
    out.excursionMax[i] = up ? upEx : dnEx;
    out.excursionMin[i] = up ? dnEx : upEx;
    const signed = up ? upEx - dnEx : dnEx - upEx;
    out.strengthSigned[i] = signed;
    out.strengthAbs[i] = Math.max(upEx, dnEx);

    const tb = brk[1]!;
    const tn = bnc[1]!;
    if (!Number.isNaN(tb) && !Number.isNaN(tn)) {
      out.outcome[i] = tb < tn ? "BREAK" : tn < tb ? "BOUNCE" : signed > 0 ? "BREAK" : signed < 0 ? "BOUNCE" : "CHOP";
    } else if (!Number.isNaN(tb)) out.outcome[i] = "BREAK";
    else if (!Number.isNaN(tn)) out.outcome[i] = "BOUNCE";
  }
  return out;
}
