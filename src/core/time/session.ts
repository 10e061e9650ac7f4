/**
 * Session time (es-pipeline §0, §4): UTC-day partitions, `ET(D, hh:mm)` instants and the
 * ET wall-clock time of bar starts, DST-aware through Intl (America/New_York).
 *
 * Inside the pipeline, times are float64 ns relative to `originNs` = 00:00 UTC of D
 * (exact integers, see context.ts); these helpers convert at the edges.
 */
import { epochDayOf, MS_PER_DAY, NS_PER_DAY, NS_PER_MS } from "./calendar";
import { nyOffsetMinutes, wallClockToUtcMs } from "./eastern";

/** Epoch day of session date D; throws on anything that is not a calendar date `YYYY-MM-DD`. */
export function sessionDay(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`session date must be YYYY-MM-DD, got "${date}"`);
  const day = epochDayOf(date);
  if (day === null) throw new Error(`not a calendar date: "${date}"`);
  return day;
}

/** 00:00:00 UTC of D in epoch ns — the pipeline's time origin. */
export function utcMidnightNs(date: string): bigint {
  return BigInt(sessionDay(date)) * NS_PER_DAY;
}

/** `ET(D, hh:mm)`: the UTC instant (epoch ns) of New York wall time `minutes` on D. */
export function etInstantNs(date: string, minutesOfDay: number): bigint {
  return BigInt(wallClockToUtcMs(sessionDay(date) * MS_PER_DAY, minutesOfDay)) * NS_PER_MS;
}

/**
 * ET wall-clock minute of day (0..1439.x) for each relative time `t` (ns from originNs).
 * The offset is looked up once per UTC hour, which is exact because NY offsets change
 * only on whole UTC hours.
 */
export function etMinuteOfDay(t: Float64Array, originNs: bigint): Float64Array {
  const originMs = Number(originNs / NS_PER_MS);
  const out = new Float64Array(t.length);
  const cache = new Map<number, number>();
  for (let i = 0; i < t.length; i++) {
    const ms = originMs + t[i]! / 1e6;
    const hourKey = Math.floor(ms / 3_600_000);
    let off = cache.get(hourKey);
    if (off === undefined) {
      off = nyOffsetMinutes(hourKey * 3_600_000);
      cache.set(hourKey, off);
    }
    const localMin = (ms / 60_000 + off) % 1440;
    out[i] = localMin < 0 ? localMin + 1440 : localMin;
  }
  return out;
}
