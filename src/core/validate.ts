/**
 * Validation of caller values, as usage errors (exit 2): the names that become path segments
 * (contracts §4.3, §9 D-9: a Silver version, a Gold dataset name, an experiment id — anything
 * else would let `../x` or `a/b` escape the lake root), dates, partition values, timestamp
 * bounds and row limits (§6.1.1(8)).
 */
import { UsageError } from "../errors";
import { isSafeSegment } from "./keys";
import { epochDayOf, formatEpochDay } from "./time/calendar";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function checkSegment(kind: string, value: string): string {
  // the storage layer's rule (keys.ts safeSegment), reported as a usage error (exit 2)
  if (typeof value !== "string" || !isSafeSegment(value)) {
    throw new UsageError(
      `invalid ${kind} ${JSON.stringify(value)}: expected 1-128 chars of letters, digits, '.', '_', '-' (starting with a letter or digit, no '..')`,
    );
  }
  return value;
}

export const checkVersion = (v: string): string => checkSegment("Silver version", v);
export const checkDatasetName = (v: string): string => checkSegment("Gold dataset name", v);
export const checkExperimentId = (v: string): string => checkSegment("experiment id", v);

/**
 * A real calendar date `YYYY-MM-DD` (2026-02-30 is refused, not rolled over); `what` names
 * the value in the error. An absent optional date passes through as undefined.
 */
export function checkDate(d: string, what?: string): string;
export function checkDate(d: string | undefined, what?: string): string | undefined;
export function checkDate(d: string | undefined, what = "date"): string | undefined {
  if (d === undefined) return undefined;
  if (typeof d !== "string" || !DATE.test(d)) throw new UsageError(`invalid ${what} ${JSON.stringify(d)}: expected YYYY-MM-DD`);
  if (epochDayOf(d) === null) {
    throw new UsageError(`invalid ${what} ${JSON.stringify(d)}: not a calendar date`);
  }
  return d;
}

/** ISO-8601 UTC with `Z` and microseconds when non-zero (contracts §4.2 `created_at`). */
export function isoNowZ(now: Date = new Date()): string {
  const s = now.toISOString(); // 2025-12-17T14:03:22.123Z
  const ms = now.getUTCMilliseconds();
  return ms === 0 ? s.slice(0, 19) + "Z" : `${s.slice(0, 19)}.${String(ms).padStart(3, "0")}000Z`;
}

/** Natural ordering: `v2.0_x` before `v10.0_x` (§4.8 "additionally offer natural sort"). */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true, sensitivity: "variant" }) || (a < b ? -1 : a > b ? 1 : 0);
}

export function lexCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every calendar date from `from` to `to` inclusive. */
export function dateRange(from: string, to: string): string[] {
  checkDate(from);
  checkDate(to);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const out: string[] = [];
  for (let day = epochDayOf(from)!, last = epochDayOf(to)!; day <= last; day++) out.push(formatEpochDay(day));
  return out;
}

/** Validate a partition value (symbol / underlying) against `^[A-Za-z0-9_.-]+$` (§6.1.1(8)). */
export function checkPartitionValue(kind: string, v: string): string {
  if (typeof v !== "string" || !/^[A-Za-z0-9_.-]{1,64}$/.test(v) || v.includes("..")) {
    throw new UsageError(`invalid ${kind} ${JSON.stringify(v)}: expected 1-64 letters, digits, '_', '.', '-'`);
  }
  return v;
}

/** Bounds must be integers (bigint, or a safe-integer number) — §6.1.1(8). */
export function checkBound(name: string, v: bigint | number | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  throw new UsageError(`${name} must be an integer nanosecond timestamp (bigint), got ${String(v)}`);
}

/** A row limit must be a non-negative safe integer: a fraction or NaN is a caller's mistake. */
export function checkLimit(limit: number | undefined): number | undefined {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new UsageError(`limit must be a non-negative integer, got ${limit}`);
  }
  return limit;
}
