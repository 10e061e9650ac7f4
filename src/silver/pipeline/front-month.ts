/**
 * Which ES contract a date's features are built from ([FIX] D-10, es-pipeline §11).
 *
 * The reference reads every contract. The corrected variant filters to one front month,
 * chosen by `session.frontMonthRule`:
 * - "calendar" (default): the quarterly roll calendar (contracts §6.4: the next contract is
 *   front from expiry − 8 days). Known before the session starts, so it is point-in-time.
 * - "day-volume": the contract with the most trades among the trades seen so far. Over a
 *   whole day this is the ContractSelector's choice, which uses trades after the event:
 *   the look-ahead analysis applies the rule to each cut and flags it.
 * The rule is a pure function of (date, trades known), so the look-ahead analysis can
 * apply it to each truncated day exactly as a live run would.
 */
import { epochDayOf } from "../../core/time/calendar";
import { frontContract } from "../../core/time/futures-contracts";
import { gatherValues } from "../../frame-gather";
import type { PipelineConfig } from "./config";
import type { TradesData } from "./context";

export const FRONT_MONTH_RULES = ["calendar", "day-volume"] as const;
export type FrontMonthRule = (typeof FRONT_MONTH_RULES)[number];

function ruleOf(cfg: PipelineConfig): FrontMonthRule {
  const r = cfg.session.frontMonthRule;
  if (!(FRONT_MONTH_RULES as readonly string[]).includes(r)) {
    throw new Error(`pipeline config "session.frontMonthRule" must be one of ${FRONT_MONTH_RULES.join(", ")}, got ${JSON.stringify(r)}`);
  }
  return r as FrontMonthRule;
}

/** The calendar front month of `date` (e.g. 2026-03-12 → ESM6, the roll day of ESH6). */
export function calendarFrontMonth(date: string): string {
  const day = epochDayOf(date);
  if (day === null) throw new Error(`not a date: ${JSON.stringify(date)}`);
  return frontContract(day).code;
}

/**
 * The contract to read before any trade of `date` is seen: the calendar front month, or
 * undefined when the variant reads every contract or the rule needs the trades first.
 */
export function contractBeforeTrades(cfg: PipelineConfig, date: string): string | undefined {
  if (!cfg.fixes.contractFilter) return undefined;
  return ruleOf(cfg) === "calendar" ? calendarFrontMonth(date) : undefined;
}

/** The front month of `date` given the trades known so far; undefined = no contract filter. */
export function frontMonthOf(cfg: PipelineConfig, date: string, known: TradesData): string | undefined {
  if (!cfg.fixes.contractFilter) return undefined;
  if (ruleOf(cfg) === "calendar") return calendarFrontMonth(date);
  const count = new Map<string, number>();
  for (const s of known.symbol) if (s !== null) count.set(s, (count.get(s) ?? 0) + 1);
  let best: string | undefined;
  let bestN = -1;
  // ties: the later contract code in sort order (deterministic; the roll moves forward)
  for (const [s, n] of [...count].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (n >= bestN) [best, bestN] = [s, n];
  return best ?? calendarFrontMonth(date);
}

/** The trades of one contract (all of them when every row already is). */
export function tradesOfContract(tr: TradesData, code: string): TradesData {
  const keep: number[] = [];
  for (let i = 0; i < tr.n; i++) if (tr.symbol[i] === code) keep.push(i);
  if (keep.length === tr.n) return tr;
  const rows = Uint32Array.from(keep);
  return {
    n: rows.length,
    ts: gatherValues(tr.ts, rows),
    t: gatherValues(tr.t, rows),
    price: gatherValues(tr.price, rows),
    size: gatherValues(tr.size, rows),
    aggressor: gatherValues(tr.aggressor, rows),
    symbol: gatherValues(tr.symbol, rows),
  };
}
