/**
 * [FIX] D-8 (es-pipeline §15): option-derived features may use only the option trades
 * with ts ≤ the event's ts. Instead of re-aggregating the day per event, the option
 * trades are replayed once in ts order and merged with the events in ts order: live
 * per-strike tables are updated trade by trade and read when an event's turn comes.
 * O((options + events)·log + events·band).
 */
import type { Events, OptionsData } from "../../context";

/** Indices 0..n−1 ordered by t ascending (stable: equal t keep input order). */
export function orderByTime(t: Float64Array): Uint32Array {
  const idx = Uint32Array.from({ length: t.length }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < t.length && sorted; i++) if (t[i]! < t[i - 1]!) sorted = false;
  return sorted ? idx : idx.sort((a, b) => t[a]! - t[b]! || a - b);
}

/**
 * Calls `onOption(i)` for every option trade and `onEvent(e)` for every event, in time
 * order; an option trade at exactly the event's ts is applied before the event (ts ≤ event ts).
 */
export function replayCausally(ev: Events, opt: OptionsData, onOption: (i: number) => void, onEvent: (e: number) => void): void {
  const evOrder = orderByTime(ev.t);
  const optOrder = orderByTime(opt.t);
  let k = 0;
  for (const e of evOrder) {
    const t = ev.t[e]!;
    while (k < optOrder.length && opt.t[optOrder[k]!]! <= t) onOption(optOrder[k++]!);
    onEvent(e);
  }
}

/** Sorted unique strikes of the rows passing `keep`, and a strike → slot lookup. */
export function strikeSlots(opt: OptionsData, keep: (i: number) => boolean): { strikes: Float64Array; slotOf: Map<number, number> } {
  const set = new Set<number>();
  for (let i = 0; i < opt.n; i++) if (keep(i)) set.add(opt.strike[i]!);
  const strikes = Float64Array.from(set).sort();
  return { strikes, slotOf: new Map(Array.from(strikes, (k, j) => [k, j])) };
}
