/**
 * Flag parsing shared by the reader commands (`lake bronze read`, `lake gold signals`,
 * `lake query`, `lake contracts`). Values are validated here, with messages that name the
 * flag, so the readers only ever see typed, checked inputs.
 */
import type { ArgsDef } from "citty";
import { UsageError } from "../errors";
import { bigintSafe } from "../log";
import { checkDate } from "../core/validate";
import { parseFormat, type WriteResultOptions } from "./output";

export const outputArgs = {
  format: { type: "string", description: "table | csv | json | parquet (default table; json with --json)" },
  out: { type: "string", description: "write the result to FILE instead of stdout" },
  ts: { type: "string", description: "times in table/CSV output: iso | ns (default iso in tables, ns in CSV)" },
} as const satisfies ArgsDef;

/**
 * `--format/--out` (and `--json`) → how writeResult prints. `startedAt` (performance.now()
 * at command start) is kept for the table only, which ends with the elapsed time.
 */
export function parseOutput(args: Record<string, unknown>, startedAt: number): WriteResultOptions {
  const format = parseFormat(args.format, args.json as boolean | undefined);
  const ts = args.ts;
  if (ts !== undefined && ts !== "iso" && ts !== "ns") throw new UsageError(`--ts must be iso or ns, got ${JSON.stringify(ts)}`);
  return { format, out: args.out as string | undefined, startedAt: format === "table" ? startedAt : undefined, ts: ts as "iso" | "ns" | undefined };
}

export const rangeArgs = {
  date: { type: "string", description: "UTC partition date YYYY-MM-DD" },
  start: { type: "string", description: "inclusive lower bound on ts_event_ns: ISO-8601 time or integer ns" },
  end: { type: "string", description: "inclusive upper bound on ts_event_ns: ISO-8601 time or integer ns" },
  limit: { type: "string", description: "at most N rows" },
} as const satisfies ArgsDef;

/**
 * `--start/--end`: integer nanoseconds, or ISO-8601 (`2026-01-14T14:30:00Z`, up to 9
 * fractional digits; no zone means UTC).
 */
export function parseTimeArg(flag: string, v: unknown): bigint | undefined {
  if (v === undefined || v === "") return undefined;
  const s = String(v).trim();
  if (/^-?\d+$/.test(s)) return BigInt(s);
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) throw new UsageError(`--${flag} must be an ISO-8601 time (2026-01-14T14:30:00Z) or integer nanoseconds, got ${JSON.stringify(s)}`);
  checkDate(m[1], `--${flag} date`);
  const [, date, hh = "00", mi = "00", ss = "00", frac = "", zone = "Z"] = m;
  if (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) throw new UsageError(`--${flag}: invalid time of day in ${JSON.stringify(s)}`);
  const z = zone === "Z" ? "Z" : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = Date.parse(`${date}T${hh}:${mi}:${ss}${z}`);
  if (Number.isNaN(ms)) throw new UsageError(`--${flag}: cannot parse ${JSON.stringify(s)}`);
  return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, "0") || "0");
}

export function parseLimit(v: unknown): number | undefined {
  if (v === undefined || v === "") return undefined;
  const s = String(v);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new UsageError(`--limit must be a non-negative integer, got ${JSON.stringify(s)}`);
  return Number(s);
}

export function parseRange(args: Record<string, unknown>): { date?: string; startNs?: bigint; endNs?: bigint; limit?: number } {
  const date = args.date === undefined || args.date === "" ? undefined : checkDate(String(args.date), "--date");
  const startNs = parseTimeArg("start", args.start);
  const endNs = parseTimeArg("end", args.end);
  if (startNs !== undefined && endNs !== undefined && endNs < startNs) throw new UsageError(`--end is before --start`);
  return { date, startNs, endNs, limit: parseLimit(args.limit) };
}

/** JSON for humans and scripts: bigint as exact decimal strings. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, bigintSafe, 2);
}

/** `--columns a,b`: the names, or nothing when the flag is absent (read every column). */
export function parseColumns(v: unknown): { columns?: string[] } {
  if (v === undefined || v === false || v === "") return {};
  return { columns: String(v).split(",").map((c) => c.trim()).filter(Boolean) };
}
