/**
 * S6 DetectInteractionZones — es-pipeline.md §5.6, event identity §7.
 * Over the whole UTC day: an entry event fires at bar i (≥ 1) when the bar range reaches
 * the zone [L − w_i, L + w_i], w_i = max(5, 0.1·ATR_i), and the previous existing bar's did
 * not. direction = UP iff close_{i−1} < L. Events sort by (ts, level position) — the [FIX]
 * tie-break for the reference's unstable sort; it changes row order, never values.
 */
import type { Events, PipelineContext, Stage } from "../context";
import { truncCentsText } from "../numeric";
import { putColumn } from "../columns";

export function eventId(date: string, kindName: string, levelPrice: number, ts: bigint, dir: number): string {
  return `${date}_${kindName}_${truncCentsText(levelPrice)}_${ts}_${dir > 0 ? "UP" : "DOWN"}`;
}

export function detectEvents(ctx: PipelineContext): Events {
  const bars = ctx.ohlcv1m!;
  const atr = ctx.atr!;
  const levels = ctx.levelInfo!;
  const { monitorBand, zoneAtrMult } = ctx.cfg.bands;
  const n = bars.n;
  const width = new Float64Array(n);
  for (let i = 0; i < n; i++) width[i] = Math.max(monitorBand, zoneAtrMult * atr[i]!);

  // (bar index, level position) pairs; bar-major order is the sorted (ts, level) order.
  const hits: number[][] = levels.map(() => []);
  levels.forEach((lv, li) => {
    const L = lv.price;
    let prevInside = n > 0 && bars.low[0]! <= L + width[0]! && bars.high[0]! >= L - width[0]!;
    for (let i = 1; i < n; i++) {
      const inside = bars.low[i]! <= L + width[i]! && bars.high[i]! >= L - width[i]!;
      if (inside && !prevInside) hits[li]!.push(i);
      prevInside = inside;
    }
  });
  const order: { bar: number; li: number }[] = [];
  hits.forEach((bs, li) => bs.forEach((bar) => order.push({ bar, li })));
  order.sort((a, b) => a.bar - b.bar || a.li - b.li);

  const m = order.length;
  const ev: Events = {
    n: m,
    ts: new BigInt64Array(m),
    t: new Float64Array(m),
    barIdx: new Int32Array(m),
    levelPrice: new Float64Array(m),
    levelKind: new Int8Array(m),
    levelKindName: new Array<string>(m),
    dir: new Int8Array(m),
    entryPrice: new Float64Array(m),
    zoneWidth: new Float64Array(m),
    eventId: new Array<string>(m),
  };
  order.forEach(({ bar, li }, k) => {
    const lv = levels[li]!;
    ev.ts[k] = bars.ts[bar]!;
    ev.t[k] = bars.t[bar]!;
    ev.barIdx[k] = bar;
    ev.levelPrice[k] = lv.price;
    ev.levelKind[k] = lv.kindCode;
    ev.levelKindName[k] = lv.kindName;
    ev.dir[k] = bars.close[bar - 1]! < lv.price ? 1 : -1;
    ev.entryPrice[k] = bars.close[bar]!;
    ev.zoneWidth[k] = width[bar]!;
    ev.eventId[k] = eventId(ctx.date, lv.kindName, lv.price, ev.ts[k]!, ev.dir[k]!);
  });
  return ev;
}

export function writeIdentityColumns(ctx: PipelineContext, ev: Events): void {
  putColumn(ctx, "event_id", ev.eventId.slice());
  putColumn(ctx, "ts_ns", ev.ts.slice());
  putColumn(ctx, "timestamp", ev.ts.slice());
  putColumn(ctx, "level_price", ev.levelPrice.slice());
  putColumn(ctx, "level_kind", ev.levelKind.slice());
  putColumn(ctx, "level_kind_name", ev.levelKindName.slice());
  putColumn(ctx, "direction", Array.from(ev.dir, (d) => (d > 0 ? "UP" : "DOWN")));
  putColumn(ctx, "entry_price", ev.entryPrice.slice());
  putColumn(ctx, "spot", ev.entryPrice.slice());
  putColumn(ctx, "zone_width", ev.zoneWidth.slice());
  putColumn(ctx, "date", new Array<string>(ev.n).fill(ctx.date));
}

const stage: Stage = {
  name: "DetectInteractionZones",
  section: "es-pipeline §5.6, §7",
  inputs: ["ohlcv1m", "atr", "levelInfo"],
  outputs: ["events", "event_id", "ts_ns", "timestamp", "level_price", "level_kind", "level_kind_name", "direction", "entry_price", "zone_width", "date", "spot"],
  run(ctx) {
    if (!ctx.ohlcv1m || !ctx.atr || !ctx.levelInfo) throw new Error("DetectInteractionZones needs ohlcv1m/atr (S2) and levelInfo (S5)");
    const ev = detectEvents(ctx);
    ctx.events = ev;
    writeIdentityColumns(ctx, ev);
  },
};
export default stage;
