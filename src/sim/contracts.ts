/**
 * Which ES contracts trade on a simulated day and how the volume splits between them
 * (issue 5: front + next, the next taking a small share, a roll where the share flips).
 *
 * Before the roll the front is the expiring quarterly and the next one gains share on the
 * last sessions before the roll date; from the roll date the next contract is the front
 * and the expiring one fades until it expires. Roll date = expiry − 8 days (§6.4), so the
 * dominant contract always agrees with `esFrontMonthCode(date)` unless a test overrides
 * the roll date.
 */
import { esContract, frontContract, isWeekday, nextQuarterly, parseDate, type EsContract } from "./calendar";

export interface DayContract {
  readonly symbol: string;
  /** Share of futures trades/quote updates printed on this contract. */
  readonly share: number;
  /** Price offset from the front contract's path, in ticks (calendar spread). */
  readonly offsetTicks: number;
}

/** Weekdays strictly between a and b (a < b), i.e. sessions left before b. */
function sessionsBetween(a: number, b: number): number {
  let k = 0;
  for (let d = a; d < b; d++) if (isWeekday(d)) k++;
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
    const out: DayContract[] = [{ symbol: a!, share: b ? 1 - BASE_SHARE : 1, offsetTicks: 0 }];
    if (b) out.push({ symbol: b, share: BASE_SHARE, offsetTicks: spreadTicks });
    return out;
  }
  const y = new Date(day * 86_400_000).getUTCFullYear();
  let expiring: EsContract | undefined;
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
    return [
      { symbol: c.code, share: 1 - share, offsetTicks: 0 },
      { symbol: next.code, share, offsetTicks: spreadTicks },
    ];
  }
  const since = sessionsBetween(roll, day);
  const share = POST_ROLL_SHARE[since] ?? BASE_SHARE;
  if (day <= c.expiry) {
    return [
      { symbol: next.code, share: 1 - share, offsetTicks: 0 },
      { symbol: c.code, share, offsetTicks: -spreadTicks },
    ];
  }
  const front = frontContract(day);
  return [
    { symbol: front.code, share: 1 - BASE_SHARE, offsetTicks: 0 },
    { symbol: nextQuarterly(front).code, share: BASE_SHARE, offsetTicks: spreadTicks },
  ];
}
