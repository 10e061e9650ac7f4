/**
 * SMA warm-up day selection (es-pipeline §5.3 step 2) and its prefetch. S1 starts reading
 * the warm-up days' trades while it loads D (DuckDB scans in parallel with S1's JS work);
 * S3 awaits the same memoised reads (see `memoInput`).
 */
import type { PipelineContext } from "./context";
import { isWeekday } from "./time";

/** Up to `count` weekday dates listed just before `date`; none when `date` is not listed. */
export function warmupDates(listed: readonly string[], date: string, count: number): string[] {
  const weekdays = [...listed].sort().filter(isWeekday);
  const at = weekdays.indexOf(date);
  if (at < 0) return [];
  return weekdays.slice(Math.max(0, at - count), at);
}

export async function warmupDatesOf(ctx: PipelineContext): Promise<string[]> {
  if (!ctx.bronze) return [];
  return warmupDates(await ctx.bronze.tradeDates(), ctx.date, ctx.cfg.session.smaWarmupDays);
}

/** Fire-and-forget: start the warm-up reads; errors surface where S3 awaits them. */
export function prefetchWarmup(ctx: PipelineContext): void {
  const src = ctx.bronze;
  if (!src) return;
  warmupDatesOf(ctx)
    .then((days) => Promise.all(days.map((d) => src.trades(d, ctx.cfg.fixes.contractFilter))))
    .catch(() => undefined);
}
