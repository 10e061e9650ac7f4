/**
 * S3 BuildOHLCV (2 min, all hours, with warm-up) — es-pipeline.md §5.3.
 * 2-minute bars of D, preceded by the bars of up to SMA_WARMUP_DAYS earlier weekday
 * partitions listed under futures/trades/symbol=ES (holidays present count, missing days
 * are not replaced; no warm-up when D itself is not listed). [REF] No contract filter.
 */
import type { Bars, PipelineContext, Stage } from "../context";
import { buildBars, concatBars } from "../bars";
import { warmupDatesOf } from "../warmup";
import { bronzeOf, tradesFromFrame } from "./s01-load-bronze";

const TWO_MIN_NS = 120e9;

export { warmupDates } from "../warmup";

async function warmupBars(day: string, ctx: PipelineContext): Promise<Bars> {
  const tr = tradesFromFrame(await bronzeOf(ctx).trades(day, ctx.cfg.fixes.contractFilter), ctx.originNs);
  return buildBars(tr.t, tr.price, tr.size, TWO_MIN_NS, ctx.originNs, ctx.cfg.bands);
}

const stage: Stage = {
  name: "BuildOHLCV2m",
  section: "es-pipeline §5.3",
  inputs: ["trades"],
  outputs: ["ohlcv2m", "warmupDates"],
  async run(ctx) {
    const tr = ctx.trades;
    if (!tr) throw new Error("BuildOHLCV2m needs ctx.trades (S1)");
    const today = buildBars(tr.t, tr.price, tr.size, TWO_MIN_NS, ctx.originNs, ctx.cfg.bands);
    bronzeOf(ctx);
    const days = await warmupDatesOf(ctx);
    const warm = await Promise.all(days.map((d) => warmupBars(d, ctx)));
    ctx.warmupDates = days;
    ctx.ohlcv2m = concatBars([...warm.filter((b) => b.n > 0), today]);
  },
};
export default stage;
