/**
 * The simulator's calendar terms: `YYYY-MM-DD` ⇄ epoch day with the simulator's error
 * messages, runs of weekdays, and the calendar front month of a date. The arithmetic is
 * shared with the readers and the pipeline (src/time).
 */
import { epochDayOf, formatEpochDay, isWeekdayDay } from "../time/calendar";
import { frontContract } from "../time/es-contracts";

export function parseDate(s: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error(`invalid date ${JSON.stringify(s)}: expected YYYY-MM-DD`);
  const day = epochDayOf(s);
  if (day === null) throw new Error(`invalid date ${JSON.stringify(s)}: not a calendar date`);
  return day;
}

export const formatDate = formatEpochDay;

/** The first `count` weekdays on or after `from` (weekends skipped; holidays are not modelled). */
export function weekdaysFrom(from: number, count: number): number[] {
  const out: number[] = [];
  for (let d = from; out.length < count; d++) if (isWeekdayDay(d)) out.push(d);
  return out;
}

export function esFrontMonthCode(date: string): string {
  return frontContract(parseDate(date)).code;
}
