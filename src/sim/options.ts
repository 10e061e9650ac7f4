/**
 * ES options trades for one simulated day (OPTION_TRADES, contracts §2.4): calls and
 * puts on the 5-point strike grid around spot, mostly same-day expiry, premiums from
 * Black-76 on the front future's path (so they move with spot), plus one one-sided block
 * per day — the kind of dealer-gamma flow the pipeline's fuel metric reacts to
 * (fixture es-day-a: an end-of-day 0DTE call-buying block).
 */
import { OPTION_TRADES } from "../schemas/bronze";
import { Frame, allocValues, type Column } from "../frame";
import { black76Quote } from "../core/black76";
import { formatEpochDay, isWeekdayDay, MS_PER_DAY, weekdayOf } from "../core/time/calendar";
import { etToUtcMs } from "../core/time/eastern";
import { quarterlyExpiringOnOrAfter } from "../core/time/futures-contracts";
import { SIM_SOURCE, seqBase } from "./futures";
import type { PricePath } from "./path";
import { Rng } from "./rng";
import type { SimRates } from "./scale";
import { STEP_MS, STEP_NS, type SessionClock } from "./session";
import { TimeColumn } from "./time-column";

/** Rate the simulator prices options at (the pipeline takes its own from its config). */
const RISK_FREE_RATE = 0.045;

export const STRIKE_STEP = 5;
const YEAR_MS = 365 * MS_PER_DAY;
const MONTH_CODES = "FGHJKMNQUVXZ";

export interface OptionsDay {
  options: Frame;
  /** Black-76 gamma of each trade at its own time (not a Bronze column; feeds signal fuel). */
  gamma: Float64Array;
}

/** CME-style option product code for an expiry day, e.g. E2CF6 (2nd Wednesday, Jan 2026), EW3H6, ESH6. */
export function optionRoot(expDay: number): string {
  const d = new Date(expDay * MS_PER_DAY);
  const month = d.getUTCMonth() + 1;
  const mc = `${MONTH_CODES[month - 1]}${d.getUTCFullYear() % 10}`;
  const wd = weekdayOf(expDay);
  const nth = Math.floor((d.getUTCDate() - 1) / 7) + 1;
  if (wd === 5) {
    if (nth === 3) return (month % 3 === 0 ? "ES" : "EW") + mc;
    return `EW${nth}${mc}`;
  }
  return `E${nth}${"?ABCD"[wd]}${mc}`;
}

function nextWeekday(day: number): number {
  let d = day + 1;
  while (!isWeekdayDay(d)) d++;
  return d;
}

/** Expiry choices of a trading day: 0DTE dominates (fixture: 78 %). */
function expiryMenu(day: number): { days: number[]; weights: number[] } {
  const nd = nextWeekday(day);
  let fri = day + ((5 - weekdayOf(day) + 7) % 7);
  if (fri === day) fri += 7;
  const d = new Date(day * MS_PER_DAY);
  let monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0) / MS_PER_DAY;
  while (!isWeekdayDay(monthEnd)) monthEnd--;
  if (monthEnd <= day) monthEnd = nextWeekday(monthEnd + 7);
  const q = quarterlyExpiringOnOrAfter(day + 1).expiry; // next quarterly third Friday strictly after day
  return { days: [day, nd, fri, monthEnd, q], weights: [0.76, 0.08, 0.06, 0.05, 0.05] };
}

function roundPremium(p: number): number {
  // divide by an integer so the result is the double nearest the decimal (3.7, not 3.7000000000000006)
  if (p < 5) return Math.max(1, Math.round(p * 20)) / 20;
  return Math.round(p * 4) / 4;
}

function premiumTick(p: number): number {
  return p < 5 ? 0.05 : 0.25;
}

export function generateOptions(seed: number | string, clock: SessionClock, path: PricePath, rates: SimRates): OptionsDay {
  const n = clock.nSteps;
  const dayKey = String(clock.day);
  const counts = Rng.stream(seed, dayKey, "options-counts");
  const rng = Rng.stream(seed, dayKey, "options");
  const lambda = (rates.optionsPerSec * STEP_MS) / 1000;

  const block = planBlock(counts, clock, rates);
  const { perStep, total } = drawPerStep(counts, clock, lambda, block.steps);

  const menu = expiryMenu(clock.day);
  const expIso = menu.days.map(formatEpochDay);
  const expMs = menu.days.map((d) => etToUtcMs(d, 16, 0));
  const expRoots = menu.days.map(optionRoot);
  const cum: number[] = [];
  menu.weights.reduce((s, w, i) => (cum[i] = s + w), 0);

  const ts = new TimeColumn(total);
  const recv = new TimeColumn(total);
  const symbol = new Array<string | null>(total);
  const expDate = new Int32Array(total);
  const strike = new Float64Array(total);
  const right = new Array<string | null>(total);
  const price = new Float64Array(total);
  const size = new Int32Array(total);
  const optBid = new Float64Array(total);
  const optAsk = new Float64Array(total);
  const quoteValid = new Uint8Array(total);
  const aggr = new Int8Array(total);
  const seq = new BigInt64Array(total);
  const gamma = new Float64Array(total);
  let seqN = seqBase(clock.day);

  let t = 0;
  const offs: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = perStep[i]!;
    if (c === 0) continue;
    placeStepEvents(offs, c, rng);
    const spot = path.mid[i]!;
    const tMs = clock.startMs + i * STEP_MS;
    for (let j = 0; j < c; j++) {
      const isBlock = j === c - 1 && block.steps.has(i);
      const { e, K, isCall, sz, ag } = isBlock ? blockPrint(block, spot, rng) : flowPrint(cum, spot, rng);
      const T = Math.max(0, expMs[e]! - tMs) / YEAR_MS;
      const moneyness = (K - spot) / spot;
      const sigma = Math.max(0.08, 0.15 - 0.9 * moneyness + 6 * moneyness * moneyness);
      const q = black76Quote(isCall, spot, K, T, sigma, RISK_FREE_RATE);
      const px = roundPremium(q.price * (1 + 0.03 * rng.normal()));
      const tick = premiumTick(px);

      const off = i * STEP_NS + offs[j]!;
      ts.set(t, off);
      recv.set(t, off + 30_000 + (rng.nextU32() & 0x7ffff));
      symbol[t] = `${expRoots[e]} ${isCall ? "C" : "P"}${K}`;
      expDate[t] = menu.days[e]!;
      strike[t] = K;
      right[t] = isCall ? "C" : "P";
      price[t] = px;
      size[t] = sz;
      aggr[t] = ag;
      if (rng.next() >= 0.25) {
        const below = rng.int(0, 1) * tick;
        optBid[t] = Math.max(0, roundTo(px - below, tick));
        optAsk[t] = roundTo(optBid[t]! + tick * rng.int(1, 2), tick);
        if (optAsk[t]! < px) optAsk[t] = px;
        quoteValid[t] = 1;
      }
      seqN += 1 + (rng.nextU32() & 15);
      seq[t] = BigInt(seqN);
      gamma[t] = q.gamma;
      t++;
    }
  }
  void expIso;

  const startNs = BigInt(clock.startMs) * 1_000_000n;
  const options = optionsFrame(total, startNs, { ts, recv, symbol, expDate, strike, right, price, size, optBid, optAsk, quoteValid, aggr, seq });
  return { options, gamma };
}

function roundTo(x: number, tick: number): number {
  const perPoint = Math.round(1 / tick);
  return Math.round(x * perPoint) / perPoint;
}

interface BlockPlan {
  steps: Set<number>;
  right: string;
  aggr: number;
  strikeOffset: number;
}

/**
 * The day's block: 14–24 prints of 500–1500 lots (≈ 10–30k contracts; the fixture's end-of-day
 * call buying was 6.9k in its last 10 minutes), one strike, one side, 20–60 s apart — enough
 * dealer gamma for the pipeline's fuel to read AMPLIFY/DAMPEN near that strike.
 */
function planBlock(counts: Rng, clock: SessionClock, rates: SimRates): BlockPlan {
  const n = clock.nSteps;
  const blockStart = counts.chance(0.6)
    ? clock.nSteps - Math.round(counts.uniform(12, 60) * 60_000 / STEP_MS)
    : clock.rthOpenStep + Math.round(counts.uniform(30, 300) * 60_000 / STEP_MS);
  const blockPrints = rates.optionsPerSec > 0 ? counts.int(14, 24) : 0;
  const blockSteps = new Set<number>();
  for (let b = 0, s = blockStart; b < blockPrints && s < n; b++, s += Math.round(counts.uniform(20, 60) * 1000 / STEP_MS)) blockSteps.add(s);
  const blockRight = counts.chance(0.6) ? "C" : "P";
  const blockAggr = counts.chance(0.7) ? 1 : -1;
  const blockStrikeOffset = STRIKE_STEP * counts.int(-2, 2);
  return { steps: blockSteps, right: blockRight, aggr: blockAggr, strikeOffset: blockStrikeOffset };
}

/** Prints per step: Poisson flow (half rate before the open) plus the block's prints. */
function drawPerStep(counts: Rng, clock: SessionClock, lambda: number, blockSteps: Set<number>): { perStep: Uint16Array; total: number } {
  const n = clock.nSteps;
  const perStep = new Uint16Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = clock.activity[i]! * (i < clock.rthOpenStep ? 0.5 : 1);
    perStep[i] = counts.poisson(lambda * a) + (blockSteps.has(i) ? 1 : 0);
    total += perStep[i]!;
  }
  return { perStep, total };
}

/** 90 % of the step for event times, the rest absorbs the spacing that keeps them unique. */
function placeStepEvents(offs: number[], c: number, rng: Rng): void {
  offs.length = 0;
  const spacing = Math.max(1, Math.min(4096, Math.floor((STEP_NS * 0.1 - 1) / c)));
  for (let j = 0; j < c; j++) offs.push(Math.floor(rng.next() * STEP_NS * 0.9));
  offs.sort((a, b) => a - b);
  for (let j = 1; j < c; j++) if (offs[j]! < offs[j - 1]! + spacing) offs[j] = offs[j - 1]! + spacing;
}

interface PrintDraw {
  e: number; // index into the expiry menu
  K: number;
  isCall: boolean;
  sz: number;
  ag: number;
}

function blockPrint(block: BlockPlan, spot: number, rng: Rng): PrintDraw {
  const K = Math.round(spot / STRIKE_STEP) * STRIKE_STEP + block.strikeOffset;
  const isCall = block.right === "C";
  const sz = rng.int(500, 1500);
  return { e: 0, K, isCall, sz, ag: block.aggr };
}

/** Flow print: expiry by menu weight, strike around the money, OTM side favoured. */
function flowPrint(cum: number[], spot: number, rng: Rng): PrintDraw {
  let e = 0;
  const u = rng.next();
  while (e < cum.length - 1 && u >= cum[e]!) e++;
  const atm = Math.round(spot / STRIKE_STEP) * STRIKE_STEP;
  const K = atm + STRIKE_STEP * Math.round(rng.normal() * (e === 0 ? 3 : 6));
  const isCall = K > spot ? rng.chance(0.72) : K < spot ? !rng.chance(0.72) : rng.chance(0.5);
  const sz = rng.heavyTailInt(1.2, 1.6, 500);
  const a = rng.next();
  const ag = a < 0.1 ? 0 : a < 0.56 ? 1 : -1;
  return { e, K, isCall, sz, ag };
}

interface OptionColumns {
  ts: TimeColumn;
  recv: TimeColumn;
  symbol: (string | null)[];
  expDate: Int32Array;
  strike: Float64Array;
  right: (string | null)[];
  price: Float64Array;
  size: Int32Array;
  optBid: Float64Array;
  optAsk: Float64Array;
  quoteValid: Uint8Array;
  aggr: Int8Array;
  seq: BigInt64Array;
}

function optionsFrame(total: number, startNs: bigint, c: OptionColumns): Frame {
  const cols: Column[] = OPTION_TRADES.columns.map((def): Column => {
    switch (def.name) {
      case "ts_event_ns": return { name: def.name, type: def.type, values: c.ts.toBigInt(startNs) };
      case "ts_recv_ns": return { name: def.name, type: def.type, values: c.recv.toBigInt(startNs) };
      case "source": return { name: def.name, type: def.type, values: new Array<string | null>(total).fill(SIM_SOURCE) };
      case "underlying": return { name: def.name, type: def.type, values: new Array<string | null>(total).fill("ES") };
      case "option_symbol": return { name: def.name, type: def.type, values: c.symbol };
      case "exp_date": return { name: def.name, type: def.type, values: c.expDate };
      case "strike": return { name: def.name, type: def.type, values: c.strike };
      case "right": return { name: def.name, type: def.type, values: c.right };
      case "price": return { name: def.name, type: def.type, values: c.price };
      case "size": return { name: def.name, type: def.type, values: c.size };
      case "opt_bid": return { name: def.name, type: def.type, values: c.optBid, valid: c.quoteValid };
      case "opt_ask": return { name: def.name, type: def.type, values: c.optAsk, valid: c.quoteValid };
      case "aggressor": return { name: def.name, type: def.type, values: c.aggr };
      case "conditions": return { name: def.name, type: def.type, values: allocValues("list_int16", total) };
      case "seq": return { name: def.name, type: def.type, values: c.seq };
      default: throw new Error(`sim: no generator for options.trades column ${def.name}`);
    }
  });
  return new Frame(cols, total);
}
