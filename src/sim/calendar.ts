/**
 * Calendar arithmetic for the simulator: America/New_York session times (DST-correct),
 * weekdays, and the ES quarterly contract calendar (lake-contracts §6.4).
 *
 * Dates are carried as integer "epoch days" (days since 1970-01-01 UTC) so that every
 * timestamp is computed by integer arithmetic; nothing depends on the host time zone.
 */

export const MS_PER_DAY = 86_400_000;
export const NS_PER_MS = 1_000_000n;

export function parseDate(s: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error(`invalid date ${JSON.stringify(s)}: expected YYYY-MM-DD`);
  const ms = Date.parse(`${s}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s) {
    throw new Error(`invalid date ${JSON.stringify(s)}: not a calendar date`);
  }
  return ms / MS_PER_DAY;
}

export function formatDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function isWeekday(day: number): boolean {
  const w = weekday(day);
  return w >= 1 && w <= 5;
}

/** The first `count` weekdays on or after `from` (weekends skipped; holidays are not modelled). */
export function weekdaysFrom(from: number, count: number): number[] {
  const out: number[] = [];
  for (let d = from; out.length < count; d++) if (isWeekday(d)) out.push(d);
  return out;
}

function daysFromCivil(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

/** n-th `wd` weekday (0 = Sunday) of month m (1-based) in year y. */
function nthWeekday(y: number, m: number, wd: number, n: number): number {
  const first = daysFromCivil(y, m, 1);
  return first + ((wd - weekday(first) + 7) % 7) + 7 * (n - 1);
}

/**
 * US daylight time (Energy Policy Act 2005, in force since 2007): from the second Sunday
 * of March to the first Sunday of November, switching at 02:00 local. Every simulated
 * event is at or after 04:00 local, so on a switch day the new offset already applies.
 */
export function isUsDaylightTime(day: number): boolean {
  const y = new Date(day * MS_PER_DAY).getUTCFullYear();
  return day >= nthWeekday(y, 3, 0, 2) && day < nthWeekday(y, 11, 0, 1);
}

/** UTC offset of New York wall time on `day` (after 02:00 local), in minutes: -240 or -300. */
export function etOffsetMinutes(day: number): number {
  return isUsDaylightTime(day) ? -240 : -300;
}

/** Epoch milliseconds of New York wall time `hh:mm` on `day`. */
export function etToUtcMs(day: number, hh: number, mm = 0): number {
  return day * MS_PER_DAY + (hh * 60 + mm - etOffsetMinutes(day)) * 60_000;
}

export function etToUtcNs(day: number, hh: number, mm = 0): bigint {
  return BigInt(etToUtcMs(day, hh, mm)) * NS_PER_MS;
}

// ---------------------------------------------------------------------------------------
// ES quarterly contracts (lake-contracts §6.4; es-pipeline §11.2)

const QUARTER_MONTHS = [3, 6, 9, 12] as const;
const MONTH_CODE: Record<number, string> = { 3: "H", 6: "M", 9: "U", 12: "Z" };

export interface EsContract {
  /** e.g. ESH6 */
  readonly code: string;
  readonly year: number;
  readonly month: number;
  /** Expiration: third Friday of the contract month (epoch day). */
  readonly expiry: number;
  /** Calendar roll date: expiry − 8 days (§6.4). */
  readonly roll: number;
}

export function esContract(year: number, month: number): EsContract {
  const expiry = nthWeekday(year, month, 5, 3);
  return { code: `ES${MONTH_CODE[month]}${year % 10}`, year, month, expiry, roll: expiry - 8 };
}

export function nextQuarterly(c: EsContract): EsContract {
  return c.month === 12 ? esContract(c.year + 1, 3) : esContract(c.year, c.month + 3);
}

export function previousQuarterly(c: EsContract): EsContract {
  return c.month === 3 ? esContract(c.year - 1, 12) : esContract(c.year, c.month - 3);
}

/** The nearest quarterly contract whose expiry is on or after `day`. */
function nearestExpiring(day: number): EsContract {
  const y = new Date(day * MS_PER_DAY).getUTCFullYear();
  for (const m of QUARTER_MONTHS) {
    const c = esContract(y, m);
    if (c.expiry >= day) return c;
  }
  return esContract(y + 1, 3);
}

/**
 * Front-month contract per §6.4: the nearest quarterly expiring on/after `day`, rolled to
 * the following one from expiry − 8 days. E.g. 2025-12-10 → ESZ5, 2025-12-11 → ESH6.
 */
export function frontContract(day: number): EsContract {
  const c = nearestExpiring(day);
  return day >= c.roll ? nextQuarterly(c) : c;
}

export function esFrontMonthCode(date: string): string {
  return frontContract(parseDate(date)).code;
}
