/**
 * `levels.signals` snapshots (lake-contracts §1.9) computed from the simulated day itself,
 * so every field is plausible *and* consistent with the tape and book the same run
 * publishes: spot is the last front-contract trade, bid/ask the latest front MBP-10 touch,
 * barrier depth is read off the latest book, tape volumes off a sliding 60 s trade
 * window, fuel off the option trades' dealer-gamma flow so far.
 *
 * The levels are the v1 set the core emits: PM_HIGH/PM_LOW (from 04:00 ET), OR_HIGH/OR_LOW
 * (from 09:30 ET) and SMA_200/SMA_400 of 2-minute closes (with a warm-up history), sorted
 * by ascending distance. Snapshots are taken every `intervalMs`; `ts` is the latest event
 * time floored to ms (so consecutive payloads can repeat a ts, as in the reference).
 */
import type { FuturesDay } from "./futures";
import type { OptionsDay } from "./options";
import { STRIKE_STEP } from "./options";
import type { PricePath } from "./path";
import { Rng } from "./rng";
import type { SessionClock } from "./session";
import { ewma, linkLevels, newState, r2, r4, type LevelState } from "./signal-levels";

export type SignalPayload = Record<string, unknown> & { ts: number };

const NS_PER_MS = 1_000_000;
const TAPE_WINDOW_NS = 60_000 * NS_PER_MS;
const SWEEP_WINDOW_NS = 2_000 * NS_PER_MS;
const BARRIER_ZONE = 2.0; // ±8 ticks (es-pipeline §3.3)
const TAPE_BAND = 0.5;
const FUEL_RANGE = 15.0;
const FUEL_THRESHOLD = 10_000;
const TOUCH_BAND = 2.0;

export function generateSignals(
  seed: number | string,
  clock: SessionClock,
  path: PricePath,
  fut: FuturesDay,
  opt: OptionsDay,
  intervalMs: number,
): SignalPayload[] {
  const rng = Rng.stream(seed, String(clock.day), "signals");
  const out: SignalPayload[] = [];
  const startMs = clock.startMs;
  const rthOpenNs = (clock.rthOpenMs - startMs) * NS_PER_MS;
  const orEndNs = (clock.orEndMs - startMs) * NS_PER_MS;

  const tOff = fut.tradeOffNs;
  const tCon = fut.tradeContract;
  const tPrice = fut.trades.values<Float64Array>("price");
  const tSize = fut.trades.values<Int32Array>("size");
  const tAggr = fut.trades.values<Int8Array>("aggressor");
  const mOff = fut.mbpOffNs;
  const mCon = fut.mbpContract;
  const bidPx = Array.from({ length: 10 }, (_, k) => fut.mbp10.values<Float64Array>(`bid_px_${k + 1}`));
  const bidSz = Array.from({ length: 10 }, (_, k) => fut.mbp10.values<Int32Array>(`bid_sz_${k + 1}`));
  const askPx = Array.from({ length: 10 }, (_, k) => fut.mbp10.values<Float64Array>(`ask_px_${k + 1}`));
  const askSz = Array.from({ length: 10 }, (_, k) => fut.mbp10.values<Int32Array>(`ask_sz_${k + 1}`));
  const oTs = opt.options.values<BigInt64Array>("ts_event_ns");
  const oStrike = opt.options.values<Float64Array>("strike");
  const oRight = opt.options.values<(string | null)[]>("right");
  const oSize = opt.options.values<Int32Array>("size");
  const oAggr = opt.options.values<Int8Array>("aggressor");
  const startNs = BigInt(startMs) * 1_000_000n;

  // tape window: volume by price tick, front contract only
  const tickOf = (p: number) => Math.round(p * 4);
  const baseTick = path.bidTick.reduce((m, x) => Math.min(m, x), Infinity) - 200;
  const span = path.bidTick.reduce((m, x) => Math.max(m, x), -Infinity) - baseTick + 400;
  const buyVol = new Float64Array(span);
  const sellVol = new Float64Array(span);

  // option flow: net dealer gamma and volume by strike
  const strikeBase = Math.floor((baseTick / 4 - 500) / STRIKE_STEP);
  const nStrikes = Math.ceil((span / 4 + 1000) / STRIKE_STEP);
  const netGamma = new Float64Array(nStrikes);
  const callVol = new Float64Array(nStrikes);
  const putVol = new Float64Array(nStrikes);

  // 1-minute and 2-minute closes (front contract last trade)
  const closes1m: number[] = [];
  const closes2m: number[] = Array.from(path.warmupCloses);
  let sum200 = 0;
  let sum400 = 0;
  for (let k = closes2m.length - 400; k < closes2m.length; k++) {
    sum400 += closes2m[k]!;
    if (k >= closes2m.length - 200) sum200 += closes2m[k]!;
  }
  const push2m = (c: number) => {
    closes2m.push(c);
    const n = closes2m.length;
    sum200 += c - closes2m[n - 201]!;
    sum400 += c - closes2m[n - 401]!;
  };
  const spotAtSec: number[] = []; // per-second spot for velocity

  let ti = 0; // next trade to absorb
  let tw = 0; // oldest trade still in the tape window
  let sw = 0; // oldest trade in the sweep window
  let mi = 0;
  let lastMbp = -1;
  let oi = 0;
  let spot: number | null = null;
  let lastEventNs = -1;
  let pmHigh = -Infinity;
  let pmLow = Infinity;
  let orHigh = -Infinity;
  let orLow = Infinity;
  let nextMinuteNs = 60_000 * NS_PER_MS;
  let nextTwoMinNs = 120_000 * NS_PER_MS;
  let nextSecNs = 1_000 * NS_PER_MS;
  const state = new Map<string, LevelState>();
  let filledByTick = new Map<number, number>(); // volume traded per tick since the last snapshot

  const endNs = (clock.closeMs - startMs) * NS_PER_MS;
  for (let tNs = intervalMs * NS_PER_MS; tNs <= endNs; tNs += intervalMs * NS_PER_MS) {
    // ---- absorb events up to tNs ----
    while (ti < tOff.length && tOff[ti]! <= tNs) {
      const off = tOff[ti]!;
      while (off >= nextSecNs) {
        if (spot !== null) spotAtSec.push(spot);
        nextSecNs += 1_000 * NS_PER_MS;
      }
      while (off >= nextMinuteNs) {
        if (spot !== null) closes1m.push(spot);
        nextMinuteNs += 60_000 * NS_PER_MS;
      }
      while (off >= nextTwoMinNs) {
        if (spot !== null) push2m(spot);
        nextTwoMinNs += 120_000 * NS_PER_MS;
      }
      if (tCon[ti] === 0) {
        const p = tPrice[ti]!;
        spot = p;
        const k = tickOf(p) - baseTick;
        if (tAggr[ti] === 1) buyVol[k]! += tSize[ti]!;
        else if (tAggr[ti] === -1) sellVol[k]! += tSize[ti]!;
        filledByTick.set(tickOf(p), (filledByTick.get(tickOf(p)) ?? 0) + tSize[ti]!);
        if (off < rthOpenNs) {
          if (p > pmHigh) pmHigh = p;
          if (p < pmLow) pmLow = p;
        } else if (off < orEndNs) {
          if (p > orHigh) orHigh = p;
          if (p < orLow) orLow = p;
        }
      }
      lastEventNs = Math.max(lastEventNs, off);
      ti++;
    }
    while (tw < ti && tOff[tw]! < tNs - TAPE_WINDOW_NS) {
      if (tCon[tw] === 0) {
        const k = tickOf(tPrice[tw]!) - baseTick;
        if (tAggr[tw] === 1) buyVol[k]! -= tSize[tw]!;
        else if (tAggr[tw] === -1) sellVol[k]! -= tSize[tw]!;
      }
      tw++;
    }
    while (sw < ti && tOff[sw]! < tNs - SWEEP_WINDOW_NS) sw++;
    while (mi < mOff.length && mOff[mi]! <= tNs) {
      if (mCon[mi] === 0) lastMbp = mi;
      lastEventNs = Math.max(lastEventNs, mOff[mi]!);
      mi++;
    }
    while (oi < oTs.length && Number(oTs[oi]! - startNs) <= tNs) {
      const s = Math.round(oStrike[oi]! / STRIKE_STEP) - strikeBase;
      if (s >= 0 && s < nStrikes) {
        netGamma[s]! += -oAggr[oi]! * oSize[oi]! * opt.gamma[oi]! * 50;
        if (oRight[oi] === "C") callVol[s]! += oSize[oi]!;
        else putVol[s]! += oSize[oi]!;
      }
      oi++;
    }

    const tsMs = Math.floor(startMs + (lastEventNs >= 0 ? lastEventNs : tNs) / NS_PER_MS);
    if (spot === null) {
      out.push({ ts: tsMs, spy: { spot: null, bid: null, ask: null }, levels: [] });
      continue;
    }
    const bid = lastMbp >= 0 ? bidPx[0]![lastMbp]! : null;
    const ask = lastMbp >= 0 ? askPx[0]![lastMbp]! : null;

    // ---- the level set known at tNs ----
    const levels: [string, number][] = [];
    if (pmHigh > -Infinity) levels.push(["PM_HIGH", pmHigh], ["PM_LOW", pmLow]);
    if (orHigh > -Infinity) levels.push(["OR_HIGH", orHigh], ["OR_LOW", orLow]);
    levels.push(["SMA_200", r4(sum200 / 200)], ["SMA_400", r4(sum400 / 400)]);

    // shared context
    const velocity = spotAtSec.length >= 10 ? (spot - spotAtSec[spotAtSec.length - 10]!) / 10 : 0;
    const sweepMove = sw < ti ? tPrice[ti - 1]! - tPrice[sw]! : 0;
    let sweepNotional = 0;
    let sweepPrints = 0;
    for (let j = sw; j < ti; j++) {
      if (tCon[j] !== 0) continue;
      sweepNotional += tPrice[j]! * tSize[j]! * 50;
      sweepPrints++;
    }
    const sweepDetected = Math.abs(sweepMove) >= 1.0 && sweepPrints >= 8;
    let callWall: number | null = null;
    let putWall: number | null = null;
    let cMax = 0;
    let pMax = 0;
    for (let s = 0; s < nStrikes; s++) {
      if (callVol[s]! > cMax) (cMax = callVol[s]!), (callWall = (s + strikeBase) * STRIKE_STEP);
      if (putVol[s]! > pMax) (pMax = putVol[s]!), (putWall = (s + strikeBase) * STRIKE_STEP);
    }
    let hvl: number | null = null;
    {
      // gamma flip: nearest strike to spot where cumulative net dealer gamma changes sign
      const s0 = Math.round(spot / STRIKE_STEP) - strikeBase;
      let cumBelow = 0;
      let best = Infinity;
      for (let s = Math.max(1, s0 - 10); s < Math.min(nStrikes, s0 + 11); s++) {
        const before = cumBelow;
        cumBelow += netGamma[s]!;
        if (before !== 0 && Math.sign(before) !== Math.sign(cumBelow) && Math.abs(s - s0) < best) {
          best = Math.abs(s - s0);
          hvl = (s + strikeBase) * STRIKE_STEP;
        }
      }
    }

    const objs = levels.map(([id, price]) => {
      const st = state.get(id) ?? newState();
      state.set(id, st);
      const distance = Math.abs(spot! - price);
      const resistance = spot! <= price;
      const direction = resistance ? "RESISTANCE" : "SUPPORT";
      const toward = resistance ? 1 : -1; // sign of a price move toward/through the level

      // approach over the last 5 one-minute closes
      const n1 = closes1m.length;
      const back = Math.min(5, n1);
      const past = back > 0 ? closes1m[n1 - back]! : spot!;
      const approachVelocity = back > 0 ? (Math.abs(past - price) - distance) / back : 0;
      let approachBars = 0;
      for (let j = n1 - 1; j > 0 && approachBars < 10; j--) {
        if (Math.abs(closes1m[j]! - price) < Math.abs(closes1m[j - 1]! - price)) approachBars++;
        else break;
      }
      // a touch starts within 2 pts and ends beyond 4 pts (hysteresis: no double counting of chop)
      const touchingNow = st.touching ? distance <= 2 * TOUCH_BAND : distance <= TOUCH_BAND;
      if (touchingNow && !st.touching) st.touches++;
      st.touching = touchingNow;
      const priorTouches = Math.max(0, st.touches - (touchingNow ? 1 : 0));

      // barrier: defending side of the latest book within ±2 pts of the level
      let depth = 0;
      let defPx = 0;
      let defSz = 0;
      if (lastMbp >= 0) {
        const pxs = resistance ? askPx : bidPx;
        const szs = resistance ? askSz : bidSz;
        for (let k = 0; k < 10; k++) {
          const p = pxs[k]![lastMbp]!;
          if (p >= price - BARRIER_ZONE && p <= price + BARRIER_ZONE) {
            const s = szs[k]![lastMbp]!;
            depth += s;
            if (s > defSz) (defSz = s), (defPx = p);
          }
        }
      }
      let filled = 0;
      for (const [tick, v] of filledByTick) if (Math.abs(tick / 4 - price) <= BARRIER_ZONE) filled += v;
      const change = st.prevDepth < 0 ? 0 : depth - st.prevDepth;
      const churnNoise = Math.round(rng.exponential(6));
      const added = Math.max(0, change + filled) + churnNoise;
      const canceled = Math.max(0, -(change + filled)) + churnNoise;
      const deltaLiq = added - canceled - filled;
      const repl = added / (canceled + filled + 1e-6);
      st.prevDepth = depth;
      st.deltaSmooth = ewma(st.deltaSmooth, deltaLiq, 0.2);
      st.replSmooth = ewma(st.replSmooth, Math.min(repl, 50), 0.2);
      const barrierState =
        deltaLiq < -100 ? (depth < 50 ? "VACUUM" : "CONSUMED") : deltaLiq > 100 ? (depth > 300 ? "WALL" : "ABSORPTION") : depth >= 400 ? "WALL" : depth > 0 && depth < 50 ? "WEAK" : "NEUTRAL";

      // tape near the level
      let bv = 0;
      let sv = 0;
      const lt = tickOf(price) - baseTick;
      const band = Math.round(TAPE_BAND * 4);
      for (let k = lt - band; k <= lt + band; k++) {
        if (k < 0 || k >= span) continue;
        bv += buyVol[k]!;
        sv += sellVol[k]!;
      }
      const imbalance = (bv - sv) / (bv + sv + 1e-6);
      st.velSmooth = ewma(st.velSmooth, velocity, 0.3);

      // fuel: dealer gamma within ±15 pts of the level
      let gammaNear = 0;
      const sLo = Math.ceil((price - FUEL_RANGE) / STRIKE_STEP) - strikeBase;
      const sHi = Math.floor((price + FUEL_RANGE) / STRIKE_STEP) - strikeBase;
      for (let s = Math.max(0, sLo); s <= Math.min(nStrikes - 1, sHi); s++) gammaNear += netGamma[s]!;
      st.gammaSmooth = ewma(st.gammaSmooth, gammaNear, 0.2);
      const fuelEffect = gammaNear < -FUEL_THRESHOLD ? "AMPLIFY" : gammaNear > FUEL_THRESHOLD ? "DAMPEN" : "NEUTRAL";

      // score: approach speed, tape pressure through the level, thin book, dealer amplification
      const raw = Math.max(
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
      st.smooth = ewma(st.smooth, raw, 0.25);
      const signal = distance > 3 ? "NEUTRAL" : raw >= 65 ? "BREAK" : raw <= 35 ? "REJECT" : "CONTESTED";
      const conf = Math.abs(raw - 50) >= 25 ? "HIGH" : Math.abs(raw - 50) >= 12 ? "MEDIUM" : "LOW";

      const notes: string[] = [];
      if (barrierState === "VACUUM") notes.push("Vacuum");
      else if (barrierState === "WALL" || barrierState === "ABSORPTION") notes.push("Wall holding");
      else if (barrierState === "CONSUMED") notes.push("Being consumed");
      if (fuelEffect === "AMPLIFY") notes.push("dealers chase");
      else if (fuelEffect === "DAMPEN") notes.push("dealers fade");
      if (sweepDetected && Math.sign(sweepMove) === toward) notes.push("sweep confirms");

      return {
        id,
        price,
        kind: id,
        direction,
        distance: r4(distance),
        break_score_raw: r2(raw),
        break_score_smooth: r2(st.smooth),
        signal,
        confidence: conf,
        approach_velocity: r4(approachVelocity),
        approach_bars: approachBars,
        approach_distance: r4(Math.abs(spot! - past)),
        prior_touches: priorTouches,
        barrier: {
          state: barrierState,
          delta_liq: deltaLiq,
          delta_liq_smooth: r2(st.deltaSmooth),
          replenishment_ratio: r4(Math.min(repl, 1e6)),
          replenishment_ratio_smooth: r4(st.replSmooth),
          added,
          canceled,
          filled,
          defending_quote: { price: defPx, size: defSz },
          churn: added + canceled + filled,
          depth_in_zone: depth,
        },
        tape: {
          imbalance: r4(imbalance),
          buy_vol: bv,
          sell_vol: sv,
          velocity: r4(velocity),
          velocity_smooth: r4(st.velSmooth),
          sweep: sweepDetected
            ? { detected: true, direction: sweepMove > 0 ? "UP" : "DOWN", notional: sweepNotional, num_prints: sweepPrints, window_ms: 2000 }
            : { detected: false, direction: "NONE", notional: 0, num_prints: 0, window_ms: 0 },
        },
        fuel: {
          effect: fuelEffect,
          net_dealer_gamma: r2(gammaNear),
          net_dealer_gamma_smooth: r2(st.gammaSmooth),
          call_wall: callWall,
          put_wall: putWall,
          hvl,
        },
        runway: { direction: resistance ? "UP" : "DOWN", distance: Infinity, next_obstacle: null as { id: string; price: number } | null, quality: "CLEAR" },
        confluence_count: 0,
        confluence_pressure: 0,
        confluence_alignment: 0,
        confluence_level: 0,
        confluence_level_name: "UNDEFINED",
        note: notes.length ? notes.join("; ") : "Monitoring",
      };
    });

    linkLevels(objs);
    objs.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
    out.push({ ts: tsMs, spy: { spot, bid, ask }, levels: objs });
    filledByTick = new Map();
  }
  return out;
}
