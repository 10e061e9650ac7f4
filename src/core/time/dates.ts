/**
 * The simulator's calendar terms: `YYYY-MM-DD` ⇄ epoch day with the simulator's error
 * messages, and runs of weekdays. The arithmetic (and the ES front month) is
 * shared with the readers and the pipeline (calendar.ts, futures-contracts.ts).
 */
import { epochDayOf, formatEpochDay, isWeekdayDay } from "./calendar";

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
