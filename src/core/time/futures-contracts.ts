/**
 * The ES quarterly contract calendar (contracts §6.4; es-pipeline §11.2): contract
 * codes, third-Friday expiries and the calendar front month. Days are epoch days
 * (see calendar.ts); holidays and CME business days are ignored, as in the reference.
 */
import { MS_PER_DAY, weekdayOf } from "./calendar";

export const QUARTER_CODES: ReadonlyArray<readonly [month: number, code: string]> = [
  [3, "H"],
  [6, "M"],
  [9, "U"],
  [12, "Z"],
];

const QUARTER_CODE = new Map<number, string>(QUARTER_CODES);

/** Epoch day of the n-th `wd` weekday (0 = Sunday) of month `month` (1–12) in `year`. */
export function nthWeekdayOfMonth(year: number, month: number, wd: number, n: number): number {
  const first = Date.UTC(year, month - 1, 1) / MS_PER_DAY;
  return first + ((wd - weekdayOf(first) + 7) % 7) + 7 * (n - 1);
}

/** Epoch day of the third Friday of (year, month 1–12) — the quarterly expiration. */
export function thirdFridayDay(year: number, month: number): number {
  return nthWeekdayOfMonth(year, month, 5, 3);
}

/** One ES quarterly contract, days as epoch days (the readers' `EsContract` is the same with date strings). */
export interface QuarterlyContract {
  /** e.g. ESH6 */
  readonly code: string;
  readonly year: number;
  readonly month: number;
  /** Expiration: third Friday of the contract month (epoch day). */
  readonly expiry: number;
  /** Calendar roll date: expiry − 8 days (§6.4), the first day the next contract is front. */
  readonly roll: number;
}

/** The quarterly contract of (year, month ∈ {3, 6, 9, 12}). */
export function esContract(year: number, month: number): QuarterlyContract {
  const expiry = thirdFridayDay(year, month);
  return { code: `ES${QUARTER_CODE.get(month)}${year % 10}`, year, month, expiry, roll: expiry - 8 };
}

export function nextQuarterly(c: QuarterlyContract): QuarterlyContract {
  return c.month === 12 ? esContract(c.year + 1, 3) : esContract(c.year, c.month + 3);
}

/** The nearest quarterly contract whose expiry is on or after `day`. */
export function quarterlyExpiringOnOrAfter(day: number): QuarterlyContract {
  const y = new Date(day * MS_PER_DAY).getUTCFullYear();
  for (const [m] of QUARTER_CODES) {
    const c = esContract(y, m);
    if (c.expiry >= day) return c;
  }
  return esContract(y + 1, 3);
}

/**
 * Front-month contract per §6.4: the nearest quarterly expiring on/after `day`, rolled to
 * the following one from expiry − 8 days. E.g. 2025-12-10 → ESZ5, 2025-12-11 → ESH6.
 */
export function frontContract(day: number): QuarterlyContract {
  const c = quarterlyExpiringOnOrAfter(day);
  return day >= c.roll ? nextQuarterly(c) : c;
}
