/**
 * S3 BuildOHLCV (2 min, all hours, with warm-up) — es-pipeline §5.3.
 * 2-minute bars of D, preceded by the bars of up to SMA_WARMUP_DAYS earlier weekday
 * partitions listed under futures/trades/symbol=ES (holidays present count, missing days
 * are not replaced; no warm-up when D itself is not listed). [REF] No contract filter;
 * [FIX] D-10: each warm-up day keeps its own front month.
 */
import type { Bars, PipelineContext, Stage } from "../context";
import { buildBars, concatBars } from "../bars";
import { warmupDatesOf } from "../warmup";
import { frontMonthOf, contractBeforeTrades, tradesOfContract } from "../front-month";
import { bronzeOf, tradesFromFrame } from "./s01-load-bronze";

const TWO_MIN_NS = 120e9;

async function warmupBars(day: string, ctx: PipelineContext): Promise<Bars> {
  const key = `${ctx.date}|${day}|${ctx.cfg.fixes.contractFilter && ctx.cfg.session.frontMonthRule}`;
  const cached = ctx.warmupBarsCache?.get(key);
  if (cached) return cached;
  const bars = await buildWarmupBars(day, ctx);
  ctx.warmupBarsCache?.set(key, bars);
  return bars;
}

async function buildWarmupBars(day: string, ctx: PipelineContext): Promise<Bars> {
  // A warm-up day is wholly in the past: any rule may use all of its trades.
  const all = tradesFromFrame(await bronzeOf(ctx).trades(day, contractBeforeTrades(ctx.cfg, day)), ctx.originNs);
  const front = frontMonthOf(ctx.cfg, day, all);
  const tr = front === undefined ? all : tradesOfContract(all, front);
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
