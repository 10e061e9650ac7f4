/**
 * S2 BuildOHLCV (1 min, all hours) — es-pipeline §5.2.
 * Bars of every trade of D with 3000 < price < 10000, labelled by start; ATR14 on the
 * all-hours series (D-32 [REF]). The unused `volatility` series is not built.
 */
import type { Stage } from "../context";
import { atr, buildBars } from "../bars";

const stage: Stage = {
  name: "BuildOHLCV1m",
  section: "es-pipeline §5.2",
  inputs: ["trades"],
  outputs: ["ohlcv1m", "atr"],
  run(ctx) {
    const tr = ctx.trades;
    if (!tr) throw new Error("BuildOHLCV1m needs ctx.trades (S1)");
    const bars = buildBars(tr.t, tr.price, tr.size, 60e9, ctx.originNs, ctx.cfg.bands);
    ctx.ohlcv1m = bars;
    ctx.atr = atr(bars, ctx.cfg.windows.atrBars);
  },
};
export default stage;
