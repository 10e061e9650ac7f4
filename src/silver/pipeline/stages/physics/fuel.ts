/**
 * Fuel metric of S7 (es-pipeline §5.7 "Fuel", §10): same-day (0DTE) dealer gamma flow per
 * strike, summed over strikes within ±15 points of the level.
 *
 * [REF] the whole-day S4 flow aggregates, including trades after the event (D-8). A flow
 * key whose exp_date text differs from D never counts (string compare, §10).
 * [FIX] causalOptions: the same per-trade flow −(aggressor·size·γ·multiplier), replayed so
 * that each event sees only option trades with ts ≤ its ts.
 */
import type { Events, OptionFlow, OptionsData } from "../../context";
import { replayCausally, strikeSlots } from "./causal-replay";
import { candidateRange, sortedStrikeTable, type StrikeTable } from "./strikes";

export interface FuelParams {
  strikeRange: number;
  threshold: number;
}

export interface FuelColumns {
  gammaExposure: Float64Array;
  effect: string[];
}

/** strikeGamma[K] = Σ netGammaFlow over flow keys (calls and puts) expiring on `date`. */
export function strikeGammaTable(flows: readonly OptionFlow[], date: string): StrikeTable {
  const acc = new Map<number, Float64Array>();
  for (const f of flows) {
    if (f.expDate !== date) continue;
    let slot = acc.get(f.strike);
    if (!slot) acc.set(f.strike, (slot = new Float64Array(1)));
    slot[0] = slot[0]! + f.netGammaFlow;
  }
  return sortedStrikeTable(acc, ["gamma"]);
}

function newColumns(n: number): FuelColumns {
  return { gammaExposure: new Float64Array(n), effect: new Array<string>(n).fill("NEUTRAL") };
}

/** One event: Σ strikeGamma over present strikes with |K − L| ≤ range, and the effect. */
function fuelAt(out: FuelColumns, e: number, level: number, table: StrikeTable, p: FuelParams): void {
  const { strikes, present } = table;
  const gamma = table.values.gamma!;
  const [lo, hi] = candidateRange(strikes, level, p.strikeRange);
  let inRange = 0;
  let exposure = 0;
  for (let j = lo; j < hi; j++) {
    if ((!present || present[j]) && Math.abs(strikes[j]! - level) <= p.strikeRange) {
      inRange++;
      exposure += gamma[j]!;
    }
  }
  out.gammaExposure[e] = exposure;
  if (inRange > 0) {
    if (exposure < -p.threshold) out.effect[e] = "AMPLIFY";
    else if (exposure > p.threshold) out.effect[e] = "DAMPEN";
  }
}

export function computeFuel(ev: Events, table: StrikeTable, p: FuelParams): FuelColumns {
  const out = newColumns(ev.n);
  for (let e = 0; e < ev.n; e++) fuelAt(out, e, ev.levelPrice[e]!, table, p);
  return out;
}

/** [FIX] D-8: fuel from the option trades with ts ≤ each event's ts (S4 skip rules kept). */
export function computeCausalFuel(ev: Events, opt: OptionsData, date: string, multiplier: number, p: FuelParams): FuelColumns {
  const out = newColumns(ev.n);
  const gammaOf = opt.gamma;
  const counts = (i: number) => {
    const a = opt.aggressor[i]!;
    return opt.expDate[i] === date && (a === 1 || a === -1 || a === 0); // D-20 rule of §5.4 step 3
  };
  const { strikes, slotOf } = strikeSlots(opt, counts);
  const table: StrikeTable = { strikes, values: { gamma: new Float64Array(strikes.length) }, present: new Uint8Array(strikes.length) };
  const gamma = table.values.gamma!;
  replayCausally(
    ev,
    opt,
    (i) => {
      if (!counts(i)) return;
      const j = slotOf.get(opt.strike[i]!)!;
      gamma[j] = gamma[j]! + -(opt.aggressor[i]! * opt.size[i]! * gammaOf![i]! * multiplier);
      table.present![j] = 1;
    },
    (e) => fuelAt(out, e, ev.levelPrice[e]!, table, p),
  );
  return out;
}
