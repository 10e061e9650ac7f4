/**
 * Dealer GEX per strike and its point bands for S12 (es-pipeline §5.12, §10).
 *
 * Per (strike, right) over the 0DTE trades: [REF] dealerGEX = −(Σγ)·(Σsize), a product of
 * sums (D-9) with no aggressor and no multiplier; [FIX] signedGex: −Σ(aggressor·size·γ·
 * multiplier), the fuel convention. Per strike: all = Σ_right, call = right C, put = right P.
 * [REF] whole-day trades; [FIX] causalOptions (D-8): a replay so each event sees only the
 * option trades with ts ≤ its ts.
 */
import type { Events, OptionsData } from "../../context";
import { replayCausally, strikeSlots } from "./causal-replay";
import { candidateRange, type StrikeTable } from "./strikes";

export const GEX_BANDS = [1, 2, 3] as const;
const EPS = 1e-6;

export const GEX_COLUMNS = [
  ...GEX_BANDS.flatMap((b) => [`gex_above_${b}strike`, `gex_below_${b}strike`, `call_gex_above_${b}strike`, `put_gex_below_${b}strike`]),
  "gex_asymmetry",
  "gex_ratio",
  "net_gex_2strike",
];

export interface GexParams {
  date: string;
  signed: boolean;
  multiplier: number;
  strikeSpacing: number;
}

const RIGHTS = 3; // 0 = C, 1 = P, 2 = anything else (in `all` only)
const rightSlot = (r: string | null | undefined) => (r === "C" ? 0 : r === "P" ? 1 : 2);

/**
 * Live per-(strike, right) accumulators over a fixed strike universe; `table` holds the
 * per-strike all/call/put values and is refreshed for a strike whenever it is traded.
 */
class GexAccumulator {
  readonly table: StrikeTable;
  private readonly g: Float64Array;
  private readonly n: Float64Array;
  private readonly flow: Float64Array;
  private readonly seen: Uint8Array;

  constructor(
    private readonly opt: OptionsData,
    private readonly gamma: Float64Array,
    private readonly slotOf: Map<number, number>,
    strikes: Float64Array,
    private readonly p: GexParams,
  ) {
    const s = strikes.length;
    this.table = { strikes, values: { all: new Float64Array(s), call: new Float64Array(s), put: new Float64Array(s) } };
    this.g = new Float64Array(s * RIGHTS);
    this.n = new Float64Array(s * RIGHTS);
    this.flow = new Float64Array(s * RIGHTS);
    this.seen = new Uint8Array(s * RIGHTS);
  }

  add(i: number): void {
    const opt = this.opt;
    const j = this.slotOf.get(opt.strike[i]!)!;
    const k = j * RIGHTS + rightSlot(opt.right[i]);
    const size = Number.isFinite(opt.size[i]!) ? opt.size[i]! : 0; // null contracts → 0
    const aggr = Number.isFinite(opt.aggressor[i]!) ? opt.aggressor[i]! : 0;
    this.g[k] = this.g[k]! + this.gamma[i]!;
    this.n[k] = this.n[k]! + size;
    this.flow[k] = this.flow[k]! + -(aggr * size * this.gamma[i]! * this.p.multiplier);
    this.seen[k] = 1;
  }

  /** Recompute strike j's all/call/put from its rights. */
  refresh(j: number): void {
    const v = this.table.values;
    let all = 0;
    for (let r = 0; r < RIGHTS; r++) {
      const k = j * RIGHTS + r;
      if (!this.seen[k]) continue;
      const dealer = this.p.signed ? this.flow[k]! : -this.g[k]! * this.n[k]!;
      all += dealer;
      if (r === 0) v.call![j] = dealer;
      if (r === 1) v.put![j] = dealer;
    }
    v.all![j] = all;
  }
}

/** Write the 15 GEX columns of event e at level L from a per-strike table. */
function gexAt(cols: Map<string, Float64Array>, e: number, L: number, table: StrikeTable, spacing: number): void {
  const { strikes } = table;
  const all = table.values.all!;
  const call = table.values.call!;
  const put = table.values.put!;
  const reach = GEX_BANDS[GEX_BANDS.length - 1]! * spacing;
  const [lo, hi] = candidateRange(strikes, L, reach);
  for (const band of GEX_BANDS) {
    const b = band * spacing;
    let above = 0;
    let callAbove = 0;
    let below = 0;
    let putBelow = 0;
    for (let j = lo; j < hi; j++) {
      const K = strikes[j]!;
      if (K > L && K <= L + b) {
        above += all[j]!;
        callAbove += call[j]!;
      } else if (K >= L - b && K < L) {
        below += all[j]!;
        putBelow += put[j]!;
      }
    }
    cols.get(`gex_above_${band}strike`)![e] = above;
    cols.get(`gex_below_${band}strike`)![e] = below;
    cols.get(`call_gex_above_${band}strike`)![e] = callAbove;
    cols.get(`put_gex_below_${band}strike`)![e] = putBelow;
  }
  let net = 0; // a strike exactly at L counts here but in neither above nor below
  for (let j = lo; j < hi; j++) if (Math.abs(strikes[j]! - L) <= reach) net += all[j]!;
  const above3 = cols.get("gex_above_3strike")![e]!;
  const below3 = cols.get("gex_below_3strike")![e]!;
  cols.get("gex_asymmetry")![e] = above3 - below3;
  cols.get("gex_ratio")![e] = above3 / (Math.abs(below3) + EPS);
  cols.get("net_gex_2strike")![e] = net;
}

/** The 15 GEX columns for every event; all 0 when no option trade expires on D. */
export function computeGex(ev: Events, opt: OptionsData, gamma: Float64Array, p: GexParams, causal: boolean): Map<string, Float64Array> {
  const cols = new Map(GEX_COLUMNS.map((c) => [c, new Float64Array(ev.n)]));
  const sameDay = (i: number) => opt.expDate[i] === p.date;
  const { strikes, slotOf } = strikeSlots(opt, sameDay);
  if (strikes.length === 0) return cols;
  const acc = new GexAccumulator(opt, gamma, slotOf, strikes, p);
  if (causal) {
    replayCausally(
      ev,
      opt,
      (i) => {
        if (!sameDay(i)) return;
        acc.add(i);
        acc.refresh(slotOf.get(opt.strike[i]!)!);
      },
      (e) => gexAt(cols, e, ev.levelPrice[e]!, acc.table, p.strikeSpacing),
    );
    return cols;
  }
  for (let i = 0; i < opt.n; i++) if (sameDay(i)) acc.add(i);
  for (let j = 0; j < strikes.length; j++) acc.refresh(j);
  for (let e = 0; e < ev.n; e++) gexAt(cols, e, ev.levelPrice[e]!, acc.table, p.strikeSpacing);
  return cols;
}
