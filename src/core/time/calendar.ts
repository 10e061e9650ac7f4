/**
 * Calendar dates as integer "epoch days" (days since 1970-01-01 UTC) — one implementation
 * for every module, so that nothing depends on the host's time zone and a date string is
 * validated the same way everywhere.
 */

export const MS_PER_DAY = 86_400_000;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_HOUR = 3_600_000_000_000n;
export const NS_PER_DAY = 86_400_000_000_000n;

/** Epoch day of a calendar date `YYYY-MM-DD`, or null when it is not one (e.g. 2026-02-30). */
export function epochDayOf(date: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return null;
  return ms / MS_PER_DAY;
}

/** `YYYY-MM-DD` of an epoch day. */
export function formatEpochDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Mon–Fri (holidays are not modelled anywhere in lake, as in the reference). */
export function isWeekdayDay(day: number): boolean {
  const w = weekdayOf(day);
  return w >= 1 && w <= 5;
}
