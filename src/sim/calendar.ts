/**
 * Calendar arithmetic for the simulator: epoch-day dates, weekdays, New York session times
 * and the ES quarterly calendar. The arithmetic lives in src/time (shared with the readers
 * and the pipeline); this module adds the simulator's date parsing and weekday runs.
 */
import { epochDayOf, formatEpochDay, isWeekdayDay } from "../time/calendar";
import { frontContract } from "../time/es-contracts";

export { MS_PER_DAY, weekdayOf as weekday, isWeekdayDay as isWeekday } from "../time/calendar";
export { etToUtcMs } from "../time/eastern";
export { esContract, frontContract, nextQuarterly, type EsContract } from "../time/es-contracts";

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
