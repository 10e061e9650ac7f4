/**
 * ES quarterly contract calendar (contracts §6.4, es-pipeline §11.2) and the
 * daylight-saving-correct RTH window (contracts §6.3 "Required").
 *
 * Dates are calendar dates `YYYY-MM-DD` handled as UTC midnights, so no local time zone
 * of the machine running lake can shift them.
 */
import { UsageError } from "../errors";
import { isValidDate } from "../storage/keys";

const MS_PER_DAY = 86_400_000;
export const QUARTER_CODES: ReadonlyArray<readonly [month: number, code: string]> = [
  [3, "H"],
  [6, "M"],
  [9, "U"],
  [12, "Z"],
];

function utcMidnight(date: string): number {
  if (!isValidDate(date)) throw new UsageError(`invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD`);
  return Date.parse(`${date}T00:00:00Z`);
}

/** Third Friday of (year, month 1–12): first Friday on or after the 1st, plus 14 days. */
export function thirdFriday(year: number, month: number): number {
  const first = Date.UTC(year, month - 1, 1);
  const dow = new Date(first).getUTCDay(); // Sun = 0 … Fri = 5
  return first + (((5 - dow + 7) % 7) + 14) * MS_PER_DAY;
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

function contract(year: number, qi: number): EsContract {
  const [month, letter] = QUARTER_CODES[qi]!;
  const exp = thirdFriday(year, month);
  return {
    code: `ES${letter}${year % 10}`,
    year,
    month,
    expiration: iso(exp),
    rollDate: iso(exp - 8 * MS_PER_DAY),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The front ES contract on `date` by calendar (§6.4): the nearest quarterly expiry on or
 * after the date, rolled to the next quarter from expiry − 8 calendar days. Holidays and
 * CME business days are ignored, as in the reference.
 */
export function esFrontMonth(date: string): EsContract {
  const d = utcMidnight(date);
  const year = new Date(d).getUTCFullYear();
  let qi = QUARTER_CODES.findIndex(([m]) => thirdFriday(year, m) >= d);
  let y = year;
  if (qi < 0) {
    qi = 0;
    y = year + 1;
  }
  const next = contract(y, qi);
  if (d >= Date.parse(`${next.rollDate}T00:00:00Z`)) return qi === 3 ? contract(y + 1, 0) : contract(y, qi + 1);
  return next;
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
  const dow = new Date(utcMidnight(date)).getUTCDay();
  return dow >= 1 && dow <= 5;
}

/**
 * UTC epoch ns of wall-clock `hhmm` ("09:30") on `date` in IANA `timeZone`.
 * Offsets come from Intl (the tz database), so daylight saving is right on every date.
 */
export function zonedTimeToUtcNs(date: string, hhmm: string, timeZone: string): bigint {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new UsageError(`invalid time ${JSON.stringify(hhmm)}: expected HH:MM`);
  const wall = utcMidnight(date) + (Number(m[1]) * 60 + Number(m[2])) * 60_000;
  // wall − offset(at the instant) = instant; iterate once more for instants near a transition.
  let instant = wall - tzOffsetMs(wall, timeZone);
  instant = wall - tzOffsetMs(instant, timeZone);
  return BigInt(instant) * 1_000_000n;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset (local − UTC) in ms of `timeZone` at instant `ms`. */
export function tzOffsetMs(ms: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      throw new UsageError(`unknown time zone ${JSON.stringify(timeZone)}`);
    }
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

export interface RthWindow {
  startNs: bigint;
  endNs: bigint;
}

/** The RTH window of `date` in UTC ns (both ends inclusive), or null on weekends (§6.3 step 2). */
export function rthWindow(date: string, opts: { start?: string; end?: string; timeZone?: string } = {}): RthWindow | null {
  if (!isWeekday(date)) return null;
  const tz = opts.timeZone ?? "America/New_York";
  return { startNs: zonedTimeToUtcNs(date, opts.start ?? "09:30", tz), endNs: zonedTimeToUtcNs(date, opts.end ?? "13:30", tz) };
}
