/**
 * ES quarterly contract calendar (contracts §6.4, es-pipeline §11.2) and the
 * daylight-saving-correct RTH window (contracts §6.3 "Required"), in the readers' terms:
 * dates are `YYYY-MM-DD` strings and a bad date or time zone is a UsageError.
 * The arithmetic is shared with the simulator and the pipeline (calendar.ts, eastern.ts, futures-contracts.ts).
 */
import { UsageError } from "../../errors";
import { epochDayOf, formatEpochDay, isWeekdayDay, MS_PER_DAY, NS_PER_MS } from "./calendar";
import { NEW_YORK, wallClockToUtcMs } from "./eastern";
import { frontContract, thirdFridayDay } from "./futures-contracts";


function epochDay(date: string): number {
  const day = epochDayOf(date);
  if (day === null) throw new UsageError(`invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD`);
  return day;
}

/** Third Friday of (year, month 1–12) as epoch ms of its UTC midnight. */
export function thirdFriday(year: number, month: number): number {
  return thirdFridayDay(year, month) * MS_PER_DAY;
}

export interface EsContract {
  code: string; // e.g. ESH6
  year: number;
  month: number;
  /** Expiration date YYYY-MM-DD (third Friday). */
  expiration: string;
  /** First date on which the next contract is front (expiration − 8 calendar days). */
  rollDate: string;
}

/**
 * The front ES contract on `date` by calendar (§6.4): the nearest quarterly expiry on or
 * after the date, rolled to the next quarter from expiry − 8 calendar days. Holidays and
 * CME business days are ignored, as in the reference.
 */
export function esFrontMonth(date: string): EsContract {
  const c = frontContract(epochDay(date));
  return { code: c.code, year: c.year, month: c.month, expiration: formatEpochDay(c.expiry), rollDate: formatEpochDay(c.roll) };
}

/** `ES` + month code + last digit of the contract year, e.g. 2025-12-11 → ESH6. */
export function esFrontMonthCode(date: string): string {
  return esFrontMonth(date).code;
}

/** Reference `validate_contract(contract, date)` → is it the calendar's front month? */
export function validateContract(code: string, date: string): { ok: boolean; expected: string } {
  const expected = esFrontMonthCode(date);
  return { ok: code === expected, expected };
}

/** Mon–Fri for a calendar date. */
export function isWeekday(date: string): boolean {
  return isWeekdayDay(epochDay(date));
}

/** UTC epoch ns of wall-clock `hhmm` ("09:30") on `date` in IANA `timeZone`. */
export function zonedTimeToUtcNs(date: string, hhmm: string, timeZone: string): bigint {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new UsageError(`invalid time ${JSON.stringify(hhmm)}: expected HH:MM`);
  return BigInt(wallClockToUtcMs(epochDay(date) * MS_PER_DAY, Number(m[1]) * 60 + Number(m[2]), timeZone)) * NS_PER_MS;
}

export interface RthWindow {
  startNs: bigint;
  endNs: bigint;
}

/** The RTH window of `date` in UTC ns (both ends inclusive), or null on weekends (§6.3 step 2). */
export function rthWindow(date: string, opts: { start?: string; end?: string; timeZone?: string } = {}): RthWindow | null {
  if (!isWeekday(date)) return null;
  const tz = opts.timeZone ?? NEW_YORK;
  return { startNs: zonedTimeToUtcNs(date, opts.start ?? "09:30", tz), endNs: zonedTimeToUtcNs(date, opts.end ?? "13:30", tz) };
}
