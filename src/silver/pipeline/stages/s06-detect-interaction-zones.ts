/**
 * S6 DetectInteractionZones — es-pipeline §5.6, event identity §7.
 * Over the whole UTC day: an entry event fires at bar i (≥ 1) when the bar range reaches
 * the zone [L − w_i, L + w_i], w_i = max(5, 0.1·ATR_i), and the previous existing bar's did
 * not. direction = UP iff close_{i−1} < L. Events sort by (ts, level position) — the [FIX]
 * tie-break for the reference's unstable sort; it changes row order, never values.
 */
import type { EventProbe, Events, LevelInfo, PipelineContext, Stage } from "../context";
import { truncCentsText } from "../numeric";
import { putColumn } from "../columns";

export function eventId(date: string, kindName: string, levelPrice: number, ts: bigint, dir: number): string {
  return `${date}_${kindName}_${truncCentsText(levelPrice)}_${ts}_${dir > 0 ? "UP" : "DOWN"}`;
}

/** A level's price at 1-minute bar i (moving levels, [FIX] D-3, carry a per-bar series). */
export function levelPriceAt(lv: LevelInfo, i: number): number {
  return lv.series ? lv.series[i]! : lv.price;
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
    const at = (i: number) => (lv.series ? lv.series[i]! : lv.price); // a NaN level is never inside
    const from = lv.fromT ?? -Infinity;
    let prevInside = n > 0 && bars.low[0]! <= at(0) + width[0]! && bars.high[0]! >= at(0) - width[0]!;
    for (let i = 1; i < n; i++) {
      const L = at(i);
      const inside = bars.low[i]! <= L + width[i]! && bars.high[i]! >= L - width[i]!;
      if (inside && !prevInside && bars.t[i]! >= from) hits[li]!.push(i);
      prevInside = inside;
    }
  });
  const order: { bar: number; li: number }[] = [];
  hits.forEach((bs, li) => bs.forEach((bar) => order.push({ bar, li })));
  order.sort((a, b) => a.bar - b.bar || a.li - b.li);

  const m = order.length;
  const ev = newEvents(m);
  order.forEach(({ bar, li }, k) => {
    const lv = levels[li]!;
    const L = levelPriceAt(lv, bar);
    ev.ts[k] = bars.ts[bar]!;
    ev.t[k] = bars.t[bar]!;
    ev.barIdx[k] = bar;
    ev.levelPrice[k] = L;
    ev.levelKind[k] = lv.kindCode;
    ev.levelKindName[k] = lv.kindName;
    ev.dir[k] = bars.close[bar - 1]! < L ? 1 : -1;
    ev.entryPrice[k] = bars.close[bar]!;
    ev.zoneWidth[k] = width[bar]!;
    ev.eventId[k] = eventId(ctx.date, lv.kindName, L, ev.ts[k]!, ev.dir[k]!);
  });
  return ev;
}

/**
 * Answers the look-ahead probes (ctx.probes): a probe is found when detection on this run's
 * data produced the same (ts, kind, direction); otherwise it is built as a live system would
 * see it at ts — the level's current price, the last bar that has started by ts (the entry
 * bar itself when it has trades), direction from the last close before it — and marked
 * `forced`. A probe whose level does not exist yet is `missing`.
 */
export function answerProbes(ctx: PipelineContext, ev: Events, probes: EventProbe[]): Events {
  const bars = ctx.ohlcv1m!;
  const atr = ctx.atr!;
  const levels = ctx.levelInfo!;
  const { monitorBand, zoneAtrMult } = ctx.cfg.bands;
  const extra: { t: number; li: number; k: number }[] = [];
  const built: Omit<Events, "n">[] = [];
  for (const p of probes) {
    let found = -1;
    for (let k = 0; k < ev.n && found < 0; k++) if (ev.ts[k] === p.ts && ev.levelKindName[k] === p.kindName && ev.dir[k] === p.dir) found = k;
    if (found >= 0) {
      p.eventId = ev.eventId[found];
      p.forced = false;
      continue;
    }
    const li = levels.findIndex((l) => l.kindName === p.kindName);
    const t = Number(p.ts - ctx.originNs);
    let bar = -1;
    for (let i = 0; i < bars.n && bars.t[i]! <= t; i++) bar = i;
    const entryBar = bar >= 0 && bars.t[bar] === t;
    const prev = entryBar ? bar - 1 : bar;
    const lv = li >= 0 ? levels[li]! : undefined;
    const price = lv && bar >= 0 ? levelPriceAt(lv, bar) : NaN;
    if (!lv || prev < 0 || !Number.isFinite(price) || t < (lv.fromT ?? -Infinity)) {
      p.missing = !lv || !Number.isFinite(price) || t < (lv.fromT ?? -Infinity) ? `level ${p.kindName} not known at the decision time` : "no bar before the decision time";
      continue;
    }
    const dir = bars.close[prev]! < price ? 1 : -1;
    const id = eventId(ctx.date, lv.kindName, price, p.ts, dir);
    p.eventId = id;
    p.forced = true;
    extra.push({ t, li, k: built.length });
    built.push({
      ts: BigInt64Array.of(p.ts),
      t: Float64Array.of(t),
      barIdx: Int32Array.of(bar),
      levelPrice: Float64Array.of(price),
      levelKind: Int8Array.of(lv.kindCode),
      levelKindName: [lv.kindName],
      dir: Int8Array.of(dir),
      entryPrice: Float64Array.of(bars.close[bar]!),
      zoneWidth: Float64Array.of(Math.max(monitorBand, zoneAtrMult * atr[bar]!)),
      eventId: [id],
    });
  }
  if (!built.length) return ev;
  // merge, keeping the (ts, level position) order of detection
  const liOf = (name: string) => levels.findIndex((l) => l.kindName === name);
  const rows: { t: number; li: number; src: Omit<Events, "n">; k: number }[] = [];
  for (let k = 0; k < ev.n; k++) rows.push({ t: ev.t[k]!, li: liOf(ev.levelKindName[k]!), src: ev, k });
  for (const x of extra) rows.push({ t: x.t, li: x.li, src: built[x.k]!, k: 0 });
  rows.sort((a, b) => a.t - b.t || a.li - b.li);
  const m = rows.length;
  const out = newEvents(m);
  rows.forEach(({ src, k }, j) => {
    out.ts[j] = src.ts[k]!;
    out.t[j] = src.t[k]!;
    out.barIdx[j] = src.barIdx[k]!;
    out.levelPrice[j] = src.levelPrice[k]!;
    out.levelKind[j] = src.levelKind[k]!;
    out.levelKindName[j] = src.levelKindName[k]!;
    out.dir[j] = src.dir[k]!;
    out.entryPrice[j] = src.entryPrice[k]!;
    out.zoneWidth[j] = src.zoneWidth[k]!;
    out.eventId[j] = src.eventId[k]!;
  });
  return out;
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
    const detected = detectEvents(ctx);
    const ev = ctx.probes ? answerProbes(ctx, detected, ctx.probes) : detected;
    ctx.events = ev;
    writeIdentityColumns(ctx, ev);
  },
};
export default stage;

function newEvents(m: number): Events {
  return {
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
}
