/**
 * One `levels.signals` snapshot read off the running market picture (signal-tape.ts): the
 * context every level shares (velocity, sweep, call/put walls, gamma flip) and each level's
 * approach, barrier, tape, fuel and break score (contracts §1.9).
 */
import { STRIKE_STEP } from "./options";
import type { Rng } from "./rng";
import { ewma, newState, r2, r4, type LevelState } from "./signal-levels";
import { tickOf, type DayColumns, type TapeState } from "./signal-tape";

const BARRIER_ZONE = 2.0; // ±8 ticks (es-pipeline §3.3)
const TAPE_BAND = 0.5;
const FUEL_RANGE = 15.0;
const FUEL_THRESHOLD = 10_000;
const TOUCH_BAND = 2.0;

/** The level set known at the snapshot: pre-market, opening range, 2-minute SMAs. */
export function knownLevels(st: TapeState): [string, number][] {
  const levels: [string, number][] = [];
  if (st.pmHigh > -Infinity) levels.push(["PM_HIGH", st.pmHigh], ["PM_LOW", st.pmLow]);
  if (st.orHigh > -Infinity) levels.push(["OR_HIGH", st.orHigh], ["OR_LOW", st.orLow]);
  levels.push(["SMA_200", r4(st.sum200 / 200)], ["SMA_400", r4(st.sum400 / 400)]);
  return levels;
}

export interface SharedContext {
  spot: number;
  velocity: number;
  sweepMove: number;
  sweepNotional: number;
  sweepPrints: number;
  sweepDetected: boolean;
  callWall: number | null;
  putWall: number | null;
  hvl: number | null;
}

export function sharedContext(st: TapeState, c: DayColumns, spot: number): SharedContext {
  const velocity = st.spotAtSec.length >= 10 ? (spot - st.spotAtSec[st.spotAtSec.length - 10]!) / 10 : 0;
  const sweepMove = st.sw < st.ti ? c.tPrice[st.ti - 1]! - c.tPrice[st.sw]! : 0;
  let sweepNotional = 0;
  let sweepPrints = 0;
  for (let j = st.sw; j < st.ti; j++) {
    if (c.tCon[j] !== 0) continue;
    sweepNotional += c.tPrice[j]! * c.tSize[j]! * 50;
    sweepPrints++;
  }
  const sweepDetected = Math.abs(sweepMove) >= 1.0 && sweepPrints >= 8;
  let callWall: number | null = null;
  let putWall: number | null = null;
  let cMax = 0;
  let pMax = 0;
  for (let s = 0; s < st.nStrikes; s++) {
    if (st.callVol[s]! > cMax) (cMax = st.callVol[s]!), (callWall = (s + st.strikeBase) * STRIKE_STEP);
    if (st.putVol[s]! > pMax) (pMax = st.putVol[s]!), (putWall = (s + st.strikeBase) * STRIKE_STEP);
  }
  return { spot, velocity, sweepMove, sweepNotional, sweepPrints, sweepDetected, callWall, putWall, hvl: gammaFlip(st, spot) };
}

/** Nearest strike to spot where cumulative net dealer gamma changes sign. */
function gammaFlip(st: TapeState, spot: number): number | null {
  let hvl: number | null = null;
  const s0 = Math.round(spot / STRIKE_STEP) - st.strikeBase;
  let cumBelow = 0;
  let best = Infinity;
  for (let s = Math.max(1, s0 - 10); s < Math.min(st.nStrikes, s0 + 11); s++) {
    const before = cumBelow;
    cumBelow += st.netGamma[s]!;
    if (before !== 0 && Math.sign(before) !== Math.sign(cumBelow) && Math.abs(s - s0) < best) {
      best = Math.abs(s - s0);
      hvl = (s + st.strikeBase) * STRIKE_STEP;
    }
  }
  return hvl;
}

/** Approach over the last 5 one-minute closes. */
function approach(closes1m: number[], spot: number, price: number, distance: number) {
  const n1 = closes1m.length;
  const back = Math.min(5, n1);
  const past = back > 0 ? closes1m[n1 - back]! : spot;
  const approachVelocity = back > 0 ? (Math.abs(past - price) - distance) / back : 0;
  let approachBars = 0;
  for (let j = n1 - 1; j > 0 && approachBars < 10; j--) {
    if (Math.abs(closes1m[j]! - price) < Math.abs(closes1m[j - 1]! - price)) approachBars++;
    else break;
  }
  return { past, approachVelocity, approachBars };
}

/** A touch starts within 2 pts and ends beyond 4 pts (hysteresis: no double counting of chop). */
function priorTouchesOf(lv: LevelState, distance: number): number {
  const touchingNow = lv.touching ? distance <= 2 * TOUCH_BAND : distance <= TOUCH_BAND;
  if (touchingNow && !lv.touching) lv.touches++;
  lv.touching = touchingNow;
  return Math.max(0, lv.touches - (touchingNow ? 1 : 0));
}

/** Barrier: defending side of the latest book within ±2 pts of the level. */
function barrier(st: TapeState, c: DayColumns, lv: LevelState, price: number, resistance: boolean, rng: Rng) {
  let depth = 0;
  let defPx = 0;
  let defSz = 0;
  if (st.lastMbp >= 0) {
    const pxs = resistance ? c.askPx : c.bidPx;
    const szs = resistance ? c.askSz : c.bidSz;
    for (let k = 0; k < 10; k++) {
      const p = pxs[k]![st.lastMbp]!;
      if (p >= price - BARRIER_ZONE && p <= price + BARRIER_ZONE) {
        const s = szs[k]![st.lastMbp]!;
        depth += s;
        if (s > defSz) (defSz = s), (defPx = p);
      }
    }
  }
  let filled = 0;
  for (const [tick, v] of st.filledByTick) if (Math.abs(tick / 4 - price) <= BARRIER_ZONE) filled += v;
  const change = lv.prevDepth < 0 ? 0 : depth - lv.prevDepth;
  const churnNoise = Math.round(rng.exponential(6));
  const added = Math.max(0, change + filled) + churnNoise;
  const canceled = Math.max(0, -(change + filled)) + churnNoise;
  const deltaLiq = added - canceled - filled;
  const repl = added / (canceled + filled + 1e-6);
  lv.prevDepth = depth;
  lv.deltaSmooth = ewma(lv.deltaSmooth, deltaLiq, 0.2);
  lv.replSmooth = ewma(lv.replSmooth, Math.min(repl, 50), 0.2);
  const barrierState =
    deltaLiq < -100 ? (depth < 50 ? "VACUUM" : "CONSUMED") : deltaLiq > 100 ? (depth > 300 ? "WALL" : "ABSORPTION") : depth >= 400 ? "WALL" : depth > 0 && depth < 50 ? "WEAK" : "NEUTRAL";
  return {
    state: barrierState,
    delta_liq: deltaLiq,
    delta_liq_smooth: r2(lv.deltaSmooth),
    replenishment_ratio: r4(Math.min(repl, 1e6)),
    replenishment_ratio_smooth: r4(lv.replSmooth),
    added,
    canceled,
    filled,
    defending_quote: { price: defPx, size: defSz },
    churn: added + canceled + filled,
    depth_in_zone: depth,
  };
}

/** Tape near the level: buy/sell volume of the 60 s window within ±2 ticks. */
function tapeNear(st: TapeState, price: number) {
  let bv = 0;
  let sv = 0;
  const lt = tickOf(price) - st.baseTick;
  const band = Math.round(TAPE_BAND * 4);
  for (let k = lt - band; k <= lt + band; k++) {
    if (k < 0 || k >= st.span) continue;
    bv += st.buyVol[k]!;
    sv += st.sellVol[k]!;
  }
  return { bv, sv, imbalance: (bv - sv) / (bv + sv + 1e-6) };
}

/** Fuel: dealer gamma within ±15 pts of the level. */
function gammaNearLevel(st: TapeState, price: number): number {
  let gammaNear = 0;
  const sLo = Math.ceil((price - FUEL_RANGE) / STRIKE_STEP) - st.strikeBase;
  const sHi = Math.floor((price + FUEL_RANGE) / STRIKE_STEP) - st.strikeBase;
  for (let s = Math.max(0, sLo); s <= Math.min(st.nStrikes - 1, sHi); s++) gammaNear += st.netGamma[s]!;
  return gammaNear;
}

/** Score: approach speed, tape pressure through the level, thin book, dealer amplification. */
function breakScore(approachVelocity: number, imbalance: number, toward: number, barrierState: string, fuelEffect: string, distance: number): number {
  return Math.max(
    0,
    Math.min(
      100,
      50 +
        22 * Math.tanh(approachVelocity / 1.5) +
        18 * imbalance * toward +
        (barrierState === "VACUUM" || barrierState === "CONSUMED" ? 10 : barrierState === "WALL" ? -12 : 0) +
        (fuelEffect === "AMPLIFY" ? 8 : fuelEffect === "DAMPEN" ? -8 : 0) -
        Math.min(15, distance),
    ),
  );
}

function noteOf(barrierState: string, fuelEffect: string, ctx: SharedContext, toward: number): string {
  const notes: string[] = [];
  if (barrierState === "VACUUM") notes.push("Vacuum");
  else if (barrierState === "WALL" || barrierState === "ABSORPTION") notes.push("Wall holding");
  else if (barrierState === "CONSUMED") notes.push("Being consumed");
  if (fuelEffect === "AMPLIFY") notes.push("dealers chase");
  else if (fuelEffect === "DAMPEN") notes.push("dealers fade");
  if (ctx.sweepDetected && Math.sign(ctx.sweepMove) === toward) notes.push("sweep confirms");
  return notes.length ? notes.join("; ") : "Monitoring";
}

/** One level's payload object; updates that level's smoothing state. */
export function levelView(
  id: string,
  price: number,
  st: TapeState,
  c: DayColumns,
  ctx: SharedContext,
  levelStates: Map<string, LevelState>,
  rng: Rng,
) {
  const spot = ctx.spot;
  const lv = levelStates.get(id) ?? newState();
  levelStates.set(id, lv);
  const distance = Math.abs(spot - price);
  const resistance = spot <= price;
  const direction = resistance ? "RESISTANCE" : "SUPPORT";
  const toward = resistance ? 1 : -1; // sign of a price move toward/through the level

  const { past, approachVelocity, approachBars } = approach(st.closes1m, spot, price, distance);
  const priorTouches = priorTouchesOf(lv, distance);
  const barrierOut = barrier(st, c, lv, price, resistance, rng);
  const barrierState = barrierOut.state;
  const { bv, sv, imbalance } = tapeNear(st, price);
  lv.velSmooth = ewma(lv.velSmooth, ctx.velocity, 0.3);
  const gammaNear = gammaNearLevel(st, price);
  lv.gammaSmooth = ewma(lv.gammaSmooth, gammaNear, 0.2);
  const fuelEffect = gammaNear < -FUEL_THRESHOLD ? "AMPLIFY" : gammaNear > FUEL_THRESHOLD ? "DAMPEN" : "NEUTRAL";

  const raw = breakScore(approachVelocity, imbalance, toward, barrierState, fuelEffect, distance);
  lv.smooth = ewma(lv.smooth, raw, 0.25);
  const signal = distance > 3 ? "NEUTRAL" : raw >= 65 ? "BREAK" : raw <= 35 ? "REJECT" : "CONTESTED";
  const conf = Math.abs(raw - 50) >= 25 ? "HIGH" : Math.abs(raw - 50) >= 12 ? "MEDIUM" : "LOW";

  return {
    id,
    price,
    kind: id,
    direction,
    distance: r4(distance),
    break_score_raw: r2(raw),
    break_score_smooth: r2(lv.smooth),
    signal,
    confidence: conf,
    approach_velocity: r4(approachVelocity),
    approach_bars: approachBars,
    approach_distance: r4(Math.abs(spot - past)),
    prior_touches: priorTouches,
    barrier: barrierOut,
    tape: {
      imbalance: r4(imbalance),
      buy_vol: bv,
      sell_vol: sv,
      velocity: r4(ctx.velocity),
      velocity_smooth: r4(lv.velSmooth),
      sweep: ctx.sweepDetected
        ? { detected: true, direction: ctx.sweepMove > 0 ? "UP" : "DOWN", notional: ctx.sweepNotional, num_prints: ctx.sweepPrints, window_ms: 2000 }
        : { detected: false, direction: "NONE", notional: 0, num_prints: 0, window_ms: 0 },
    },
    fuel: {
      effect: fuelEffect,
      net_dealer_gamma: r2(gammaNear),
      net_dealer_gamma_smooth: r2(lv.gammaSmooth),
      call_wall: ctx.callWall,
      put_wall: ctx.putWall,
      hvl: ctx.hvl,
    },
    runway: { direction: resistance ? "UP" : "DOWN", distance: Infinity, next_obstacle: null as { id: string; price: number } | null, quality: "CLEAR" },
    confluence_count: 0,
    confluence_pressure: 0,
    confluence_alignment: 0,
    confluence_level: 0,
    confluence_level_name: "UNDEFINED",
    note: noteOf(barrierState, fuelEffect, ctx, toward),
  };
}
