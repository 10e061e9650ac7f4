/**
 * Helpers of the `levels.signals` generator (signals.ts): per-level smoothing state, number
 * rounding for payload values, and the cross-level fields (runway to the next obstacle,
 * confluence) that need the whole level set of a snapshot (contracts §1.9).
 */

export interface LinkableLevel {
  id: string;
  price: number;
  direction: string;
  distance: number;
  runway: { direction: string; distance: number; next_obstacle: { id: string; price: number } | null; quality: string };
  confluence_count: number;
  confluence_pressure: number;
  confluence_alignment: number;
  confluence_level: number;
  confluence_level_name: string;
}

export interface LevelState {
  smooth: number;
  deltaSmooth: number;
  replSmooth: number;
  velSmooth: number;
  gammaSmooth: number;
  prevDepth: number;
  touching: boolean;
  touches: number;
}

export function newState(): LevelState {
  return { smooth: NaN, deltaSmooth: 0, replSmooth: 1, velSmooth: 0, gammaSmooth: 0, prevDepth: -1, touching: false, touches: 0 };
}

export function ewma(prev: number, x: number, a: number): number {
  return Number.isNaN(prev) ? x : prev + a * (x - prev);
}

// `+ 0` folds -0 into 0 so payloads never print "-0.0"
export function r2(x: number): number {
  return Math.round(x * 100) / 100 + 0;
}

export function r4(x: number): number {
  return Math.round(x * 10000) / 10000 + 0;
}

export function confluenceName(level: number): string {
  if (level === 0) return "UNDEFINED";
  if (level <= 2) return "ULTRA_PREMIUM";
  if (level <= 4) return "PREMIUM";
  if (level <= 6) return "STRONG";
  if (level <= 8) return "MODERATE";
  return "CONSOLIDATION";
}

/** Runway (next level beyond this one in the break direction) and confluence (levels within 5 pts). */
export function linkLevels(objs: LinkableLevel[]): void {
  for (const o of objs) {
    const up = o.runway.direction === "UP";
    let next: { id: string; price: number } | null = null;
    for (const p of objs) {
      if (p === o) continue;
      const beyond = up ? p.price > o.price : p.price < o.price;
      if (beyond && (!next || Math.abs(p.price - o.price) < Math.abs(next.price - o.price))) next = { id: p.id, price: p.price };
    }
    o.runway.next_obstacle = next;
    o.runway.distance = next ? r4(Math.abs(next.price - o.price)) : Infinity;
    o.runway.quality = next && o.runway.distance < 5 ? "OBSTRUCTED" : "CLEAR";
    const near = objs.filter((p) => p !== o && Math.abs(p.price - o.price) <= 5);
    o.confluence_count = near.length;
    o.confluence_pressure = r4(Math.min(1, near.length * 0.25 + (o.distance < 2 ? 0.2 : 0)));
    o.confluence_alignment = near.length === 0 ? 0 : near.every((p) => p.direction === o.direction) ? 1 : -1;
    const lvl = o.distance > 10 ? 0 : Math.max(1, Math.min(10, 9 - 3 * near.length - (o.distance < 2 ? 2 : 0) + (o.distance > 5 ? 1 : 0)));
    o.confluence_level = lvl;
    o.confluence_level_name = confluenceName(lvl);
  }
}
