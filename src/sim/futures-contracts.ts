/**
 * Which ES contracts trade on a simulated day and how the volume splits between them
 * (front + next, the next taking a small share, a roll where the share flips).
 *
 * Before the roll the front is the expiring quarterly and the next one gains share on the
 * last sessions before the roll date; from the roll date the next contract is the front
 * and the expiring one fades until it expires. Roll date = expiry − 8 days (§6.4), so the
 * dominant contract always agrees with `frontContract(date)` (src/core/time/futures-contracts) unless a test overrides
 * the roll date.
 */
import { isWeekdayDay, MS_PER_DAY } from "../core/time/calendar";
import { esContract, frontContract, nextQuarterly, type QuarterlyContract } from "../core/time/futures-contracts";
import { parseDate } from "../core/time/dates";

export interface DayContract {
  readonly symbol: string;
  /** Share of the day's futures volume (contracts) traded on this contract. */
  readonly share: number;
  /** Share of trade prints (and quote updates) — see countShare. */
  readonly tradeShare: number;
  /** Size multiplier of this contract's prints, so few prints still carry `share` of the volume. */
  readonly sizeMultiplier: number;
  /** Price offset from the front contract's path, in ticks (calendar spread). */
  readonly offsetTicks: number;
}

/**
 * Share of prints for a volume share s: s³ / (s³ + (1 − s)³). A 5 % back month prints rarely
 * but in size (fixture es-day-a: 7 prints, 5 % of volume) — which matters because the
 * reference pipeline does not filter contracts (D-10): every back-month print is a ~60 pt
 * spike in its 1-minute bars. Near the roll the shares converge and flip with the volume.
 */
export function countShare(s: number): number {
  const a = s ** 3;
  const b = (1 - s) ** 3;
  return a / (a + b);
}

function contract(symbol: string, share: number, offsetTicks: number): DayContract {
  const tradeShare = countShare(share);
  const odds = (x: number) => x / (1 - x);
  const sizeMultiplier = share >= 1 ? 1 : odds(share) / odds(tradeShare);
  return { symbol, share, tradeShare, sizeMultiplier, offsetTicks };
}

/** Weekdays strictly between a and b (a < b), i.e. sessions left before b. */
function sessionsBetween(a: number, b: number): number {
  let k = 0;
  for (let d = a; d < b; d++) if (isWeekdayDay(d)) k++;
  return k;
}

const PRE_ROLL_SHARE = [0.45, 0.3, 0.15, 0.08]; // next contract's share 1, 2, 3, 4 sessions before the roll
const POST_ROLL_SHARE = [0.3, 0.15, 0.08]; // expiring contract's share on roll day, +1, +2 sessions
const BASE_SHARE = 0.05;

export interface ContractPlanOptions {
  /** Override the calendar roll date (YYYY-MM-DD) of the contract expiring next. */
  rollDate?: string;
  /** Explicit contract codes: [front, second]; shares then default to 95/5. */
  symbols?: readonly string[];
}

/**
 * The two contracts of `day`. `spreadPts` is the calendar spread (later contract − earlier
 * one), about 60 pts at ES ≈ 6800 (carry ≈ 3.5 %/yr over a quarter).
 */
export function dayContracts(day: number, spreadPts: number, opts: ContractPlanOptions = {}): DayContract[] {
  const spreadTicks = Math.round(spreadPts * 4);
  if (opts.symbols && opts.symbols.length) {
    const [a, b] = opts.symbols;
    const out: DayContract[] = [contract(a!, b ? 1 - BASE_SHARE : 1, 0)];
    if (b) out.push(contract(b, BASE_SHARE, spreadTicks));
    return out;
  }
  const y = new Date(day * MS_PER_DAY).getUTCFullYear();
  let expiring: QuarterlyContract | undefined;
  for (const c of [esContract(y, 3), esContract(y, 6), esContract(y, 9), esContract(y, 12), esContract(y + 1, 3)]) {
    if (c.expiry >= day) {
      expiring = c;
      break;
    }
  }
  const c = expiring!;
  const roll = opts.rollDate ? parseDate(opts.rollDate) : c.roll;
  const next = nextQuarterly(c);
  if (day < roll) {
    const left = sessionsBetween(day, roll);
    const share = PRE_ROLL_SHARE[left - 1] ?? BASE_SHARE;
    return [contract(c.code, 1 - share, 0), contract(next.code, share, spreadTicks)];
  }
  const since = sessionsBetween(roll, day);
  const share = POST_ROLL_SHARE[since] ?? BASE_SHARE;
  if (day <= c.expiry) {
    return [contract(next.code, 1 - share, 0), contract(c.code, share, -spreadTicks)];
  }
  const front = frontContract(day);
  return [contract(front.code, 1 - BASE_SHARE, 0), contract(nextQuarterly(front).code, BASE_SHARE, spreadTicks)];
}
