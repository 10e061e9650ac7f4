/**
 * Read a stored Bronze day back as wire-message sources (`lake replay`): any
 * Bronze files — ours or the predecessor's physical variants (§2.5) — through BronzeReader
 * (by-name union, type widening, the file's own contract `symbol`, all contracts), one UTC
 * hour at a time so a heavy day never has to fit in memory. Each hour's frames come back
 * sorted by (ts_event_ns, seq); wireMessages merges them across schemas.
 */
import { UsageError } from "../errors";
import type { Frame } from "../frame";
import { BronzeReader } from "../read/bronze-reader";
import type { LakeLocation } from "../read/lake-files";
import { bronzeTable } from "../schemas/bronze";
import { etToUtcMs } from "../core/time/eastern";
import { parseDate } from "../core/time/dates";
import type { WireSchema, WireSource } from "./wire";
import { MS_PER_DAY, NS_PER_DAY, NS_PER_HOUR, NS_PER_MS } from "../core/time/calendar";

export type ReplaySchema = Exclude<WireSchema, "signals">;
export const REPLAY_SCHEMAS: readonly ReplaySchema[] = ["trades", "mbp10", "options"];

const TABLE_OF: Record<ReplaySchema, { key: string; keyValue: string }> = {
  trades: { key: "futures.trades", keyValue: "ES" },
  mbp10: { key: "futures.mbp10", keyValue: "ES" },
  options: { key: "options.trades", keyValue: "ES" },
};

/** `trades,mbp10` or schema names (`futures.trades`, `market.futures.mbp10`, `options.trades`…). */
export function parseReplaySchemas(s: string | undefined): ReplaySchema[] {
  if (s === undefined || s === "" || s === "all") return [...REPLAY_SCHEMAS];
  const out = new Set<ReplaySchema>();
  for (const raw of s.split(",").map((x) => x.trim()).filter(Boolean)) {
    const x = raw.replace(/^market\./, "");
    const hit: ReplaySchema | undefined =
      x === "trades" || x === "futures.trades" || x === "futures/trades" ? "trades"
      : x === "mbp10" || x === "futures.mbp10" || x === "futures/mbp10" ? "mbp10"
      : x === "options" || x === "options.trades" || x === "options/trades" ? "options"
      : undefined;
    if (!hit) throw new UsageError(`unknown schema ${JSON.stringify(raw)} in --schemas (expected trades, mbp10, options)`);
    out.add(hit);
  }
  return REPLAY_SCHEMAS.filter((x) => out.has(x));
}

/**
 * A time bound on `date`: `HH:MM[:SS]` is New York time (market time), a trailing `Z`
 * (`14:30Z`) means UTC, and a full ISO timestamp is taken as is.
 */
export function parseTimeBound(date: string, s: string | undefined, flag: string): bigint | undefined {
  if (s === undefined || s === "") return undefined;
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d{1,9})?))?(Z)?$/.exec(s.trim());
  if (m) {
    const [, hh, mm, ss, z] = m;
    if (Number(hh) > 23 || Number(mm) > 59) throw new UsageError(`--${flag} ${JSON.stringify(s)} is not a time of day`);
    const day = parseDate(date);
    const baseMs = z ? day * MS_PER_DAY + (Number(hh) * 60 + Number(mm)) * 60_000 : etToUtcMs(day, Number(hh), Number(mm));
    const secNs = ss ? BigInt(Math.round(Number(ss) * 1e9)) : 0n;
    return BigInt(baseMs) * NS_PER_MS + secNs;
  }
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new UsageError(`--${flag} must be HH:MM[:SS] (New York time), HH:MMZ (UTC) or an ISO timestamp, got ${JSON.stringify(s)}`);
  return BigInt(ms) * NS_PER_MS;
}

export interface ReplayReadOptions {
  location: LakeLocation;
  date: string;
  schemas?: readonly ReplaySchema[];
  /** Inclusive ts_event_ns bounds. */
  startNs?: bigint;
  endNs?: bigint;
}

/** Hour by hour: frames for the selected schemas, each sorted by (ts_event_ns, seq). */
export async function* readReplayChunks(opts: ReplayReadOptions): AsyncGenerator<WireSource & { rows: number }> {
  const reader = new BronzeReader(opts.location);
  using _held = reader.files.hold(); // one listing per table for the day, not one per hour
  const schemas = opts.schemas ?? REPLAY_SCHEMAS;
  const dayStart = BigInt(parseDate(opts.date)) * NS_PER_DAY;
  const lo = opts.startNs !== undefined && opts.startNs > dayStart ? opts.startNs : dayStart;
  const hi = opts.endNs !== undefined && opts.endNs < dayStart + NS_PER_DAY - 1n ? opts.endNs : dayStart + NS_PER_DAY - 1n;
  for (let h = dayStart; h < dayStart + NS_PER_DAY; h += NS_PER_HOUR) {
    const s = h > lo ? h : lo;
    const e = h + NS_PER_HOUR - 1n < hi ? h + NS_PER_HOUR - 1n : hi;
    if (s > e) continue;
    const chunk: { trades?: Frame; mbp10?: Frame; options?: Frame; rows: number } = { rows: 0 };
    for (const sc of schemas) {
      const t = TABLE_OF[sc];
      const f = await reader.read(bronzeTable(t.key), t.keyValue, { date: opts.date, startNs: s, endNs: e, frontMonthOnly: false });
      chunk[sc] = f;
      chunk.rows += f.numRows;
    }
    if (chunk.rows > 0) yield chunk;
  }
}
