/**
 * Write a simulated day straight into Bronze (issue 5 `--to bronze`): the same schemas,
 * codec (encodeParquet: ZSTD 3, one row group, stable sort by (ts_event_ns, seq)) and
 * partition layout as the ingest service —
 *   bronze/{schema_path}/{key}={value}/date=YYYY-MM-DD/hour=HH/part-….parquet
 * with the futures partition on the product root `ES` while each row keeps its contract
 * code (§2.7), and date/hour the UTC of ts_event_ns by integer arithmetic (§2.1, §9 D-5).
 *
 * File names are deterministic (partition hour + seed) so the same simulation always
 * produces the same lake; re-running into a lake that has them fails with
 * ObjectExistsError instead of duplicating rows (pass `overwrite` to replace).
 */
import type { Frame } from "../frame";
import { encodeParquet } from "../parquet";
import { BRONZE_TABLES, futuresRoot, type BronzeTable } from "../schemas/bronze";
import { partitionDir, utcDateHour } from "../storage/keys";
import type { Store } from "../storage/store";
import type { SimDay } from "./day";
import { NS_PER_HOUR } from "../time/calendar";

export interface WriteBronzeOptions {
  overwrite?: boolean;
  /** Subset of tables: futures.trades | futures.mbp10 | options.trades (default all). */
  tables?: readonly BronzeTable["key"][];
  /** Called after each file is committed. */
  onFile?: (key: string, rows: number, bytes: number) => void;
}

export interface WrittenFile {
  key: string;
  table: BronzeTable["key"];
  rows: number;
  bytes: number;
}

function frameFor(day: Pick<SimDay, "trades" | "mbp10" | "options">, key: BronzeTable["key"]): Frame {
  return key === "futures.trades" ? day.trades : key === "futures.mbp10" ? day.mbp10 : day.options;
}

function writerTag(seed: number | string): string {
  return `sim${String(seed).replace(/[^A-Za-z0-9]/g, "").slice(0, 24) || "0"}`;
}

/** One group per (partition value, UTC hour); the frame is time-sorted, so each group is a run of rows. */
export interface PartitionRun {
  dir: string;
  date: string;
  hour: string;
  rows: number[];
}

export function partitionRuns(table: BronzeTable, frame: Frame): PartitionRun[] {
  const ts = frame.values<BigInt64Array>("ts_event_ns");
  const keyVals = frame.values<(string | null)[]>(table.partitionKey);
  const groups = new Map<string, PartitionRun>();
  let hourEnd = -1n;
  let hourLabel = { date: "", hour: "" };
  for (let i = 0; i < frame.numRows; i++) {
    const t = ts[i]!;
    if (t >= hourEnd || t < hourEnd - NS_PER_HOUR) {
      hourLabel = utcDateHour(t);
      const start = t - (((t % NS_PER_HOUR) + NS_PER_HOUR) % NS_PER_HOUR);
      hourEnd = start + NS_PER_HOUR;
    }
    const raw = keyVals[i] ?? "";
    const value = table.partitionKey === "symbol" ? futuresRoot(raw) : raw;
    if (!value) throw new Error(`sim row ${i} of ${table.key} has no valid ${table.partitionKey} (${JSON.stringify(raw)})`);
    const gk = `${value}|${hourLabel.date}|${hourLabel.hour}`;
    let g = groups.get(gk);
    if (!g) {
      g = { dir: partitionDir(`bronze/${table.schemaPath}`, table.partitionKey, value, hourLabel.date, hourLabel.hour), date: hourLabel.date, hour: hourLabel.hour, rows: [] };
      groups.set(gk, g);
    }
    g.rows.push(i);
  }
  return [...groups.values()];
}

/** Encode and commit every Bronze file of a simulated day; returns the files written. */
export async function writeBronzeDay(store: Store, day: Pick<SimDay, "trades" | "mbp10" | "options" | "seed">, opts: WriteBronzeOptions = {}): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  const tag = writerTag(day.seed);
  for (const table of BRONZE_TABLES) {
    if (opts.tables && !opts.tables.includes(table.key)) continue;
    const frame = frameFor(day, table.key);
    for (const run of partitionRuns(table, frame)) {
      const part = isContiguous(run.rows) ? frame.slice(run.rows[0]!, run.rows[0]! + run.rows.length) : frame.take(run.rows);
      const bytes = encodeParquet(part, { schema: table.schema, metadata: { writer: "lake-sim", sim_seed: String(day.seed) } });
      const stamp = `${run.date.replaceAll("-", "")}T${run.hour}0000000000Z`;
      const key = `${run.dir}/part-${stamp}-${tag}-0.parquet`;
      await store.put(key, bytes, { overwrite: opts.overwrite });
      out.push({ key, table: table.key, rows: part.numRows, bytes: bytes.length });
      opts.onFile?.(key, part.numRows, bytes.length);
    }
  }
  return out;
}

function isContiguous(rows: readonly number[]): boolean {
  return rows.length === 0 || rows[rows.length - 1]! - rows[0]! === rows.length - 1;
}
