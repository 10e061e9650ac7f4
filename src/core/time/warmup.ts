/**
 * SMA warm-up day selection (es-pipeline §5.3 step 2): the one rule both the pipeline (which
 * reads the warm-up days) and Silver lineage (which hashes the same files) apply.
 */
import { isWeekday } from "./es-calendar";

/** Up to `count` weekday dates listed just before `date`; none when `date` is not listed. */
export function warmupDates(listed: readonly string[], date: string, count: number): string[] {
  const weekdays = [...listed].sort().filter(isWeekday);
  const at = weekdays.indexOf(date);
  if (at < 0) return [];
  return weekdays.slice(Math.max(0, at - count), at);
}
