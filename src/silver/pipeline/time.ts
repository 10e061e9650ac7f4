/**
 * Session time (es-pipeline §0, §4): UTC-day partitions, `ET(D, hh:mm)` instants and the
 * ET wall-clock time of bar starts, DST-aware through Intl (America/New_York).
 *
 * Inside the pipeline, times are float64 ns relative to `originNs` = 00:00 UTC of D
 * (exact integers, see context.ts); these helpers convert at the edges.
 */
const NY = "America/New_York";
const NS_PER_MS = 1_000_000n;

const partsFmt = new Intl.DateTimeFormat("en-US", {
  timeZone: NY,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** UTC offset of New York at an instant, in minutes (EST −300, EDT −240). */
export function nyOffsetMinutes(epochMs: number): number {
  const p: Record<string, number> = {};
  for (const part of partsFmt.formatToParts(new Date(epochMs))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  const floorSecond = Math.floor(epochMs / 1000) * 1000;
  return Math.round((wall - floorSecond) / 60000);
}

export function parseDate(date: string): { y: number; m: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`session date must be YYYY-MM-DD, got "${date}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw new Error(`not a calendar date: "${date}"`);
  return { y, m: mo, d };
}

/** 00:00:00 UTC of D in epoch ns — the pipeline's time origin. */
export function utcMidnightNs(date: string): bigint {
  const { y, m, d } = parseDate(date);
  return BigInt(Date.UTC(y, m - 1, d)) * NS_PER_MS;
}

/** `ET(D, hh:mm)`: the UTC instant (epoch ns) of New York wall time `minutes` on D. */
export function etInstantNs(date: string, minutesOfDay: number): bigint {
  const { y, m, d } = parseDate(date);
  const wallAsUtc = Date.UTC(y, m - 1, d) + minutesOfDay * 60_000;
  // Two fixed-point steps settle the offset on both sides of a DST switch.
  let utc = wallAsUtc - nyOffsetMinutes(wallAsUtc) * 60_000;
  utc = wallAsUtc - nyOffsetMinutes(utc) * 60_000;
  return BigInt(utc) * NS_PER_MS;
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

/** Mon–Fri by calendar date (§5.3 warm-up days). */
export function isWeekday(date: string): boolean {
  const { y, m, d } = parseDate(date);
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return dow >= 1 && dow <= 5;
}

/** Relative time (ns from origin, exact float) of an absolute epoch-ns instant. */
export function relNs(ts: bigint, originNs: bigint): number {
  return Number(ts - originNs);
}
