/** Parsing of the pacing flags shared by `lake simulate --to nats` and `lake replay`. */
import { UsageError } from "../errors";

/** `--speed 1x|10x|0.5|max` → event-time multiplier, or undefined for "as fast as possible". */
export function parseSpeed(s: string | undefined): number | undefined {
  if (s === undefined || s === "" || s === "max") return undefined;
  const m = /^(\d+(?:\.\d+)?)x?$/.exec(s.trim());
  const v = m ? Number(m[1]) : NaN;
  if (!(v > 0)) throw new UsageError(`--speed must be like 1x, 10x, 0.5 or max, got ${JSON.stringify(s)}`);
  return v;
}

export function parsePositive(flag: string, s: string | undefined): number | undefined {
  if (s === undefined || s === "") return undefined;
  const v = Number(s);
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--${flag} must be a positive number, got ${JSON.stringify(s)}`);
  return v;
}

export function parseNonNegative(flag: string, s: string | undefined): number | undefined {
  if (s === undefined || s === "") return undefined;
  const v = Number(s);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`--${flag} must be a non-negative number, got ${JSON.stringify(s)}`);
  return v;
}

/** Human form of an event time: `2026-03-02 10:31:05 UTC`. */
export function formatSimTime(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}
