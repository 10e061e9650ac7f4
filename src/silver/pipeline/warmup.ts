/**
 * SMA warm-up days of the pipeline's date (es-pipeline §5.3 step 2) and their prefetch. S1 starts reading
 * the warm-up days' trades while it loads D (DuckDB scans in parallel with S1's JS work);
 * S3 awaits the same memoised reads (see `memoInput`).
 */
import type { PipelineContext } from "./context";
import { warmupDates } from "../../core/time/warmup";
import { contractBeforeTrades } from "./front-month";

export async function warmupDatesOf(ctx: PipelineContext): Promise<string[]> {
  if (!ctx.bronze) return [];
  return warmupDates(await ctx.bronze.tradeDates(), ctx.date, ctx.cfg.session.smaWarmupDays);
}

/** Fire-and-forget: start the warm-up reads; errors surface where S3 awaits them. */
export function prefetchWarmup(ctx: PipelineContext): void {
  const src = ctx.bronze;
  if (!src) return;
  warmupDatesOf(ctx)
    .then((days) => Promise.all(days.map((d) => src.trades(d, contractBeforeTrades(ctx.cfg, d)))))
    .catch(() => undefined);
}
