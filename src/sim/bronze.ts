/**
 * Write a simulated day straight into Bronze (`lake simulate --to bronze`): the same schemas,
 * codec (encodeParquet: ZSTD 3, one row group, stable sort by (ts_event_ns, seq)) and
 * partition layout as the ingest service —
 *   bronze/{schema_path}/{key}={value}/date=YYYY-MM-DD/hour=HH/part-….parquet
 * with the futures partition on the product root `ES` while each row keeps its contract
 * code (§2.7), and date/hour the UTC of ts_event_ns by integer arithmetic (§2.1, §9 D-5).
 *
 * File names are deterministic (partition hour + seed) so the same simulation always
 * produces the same lake; re-running into a lake that has them fails with
 * ObjectExistsError instead of duplicating rows (`lake simulate --overwrite` replaces a day
 * through src/compact/day-switch.ts instead).
 */
import { Frame } from "../frame";
import { encodeParquet } from "../parquet";
import { BRONZE_TABLES, futuresRoot, type BronzeTable } from "../schemas/bronze";
import { partitionDir, utcDateHour } from "../core/keys";
import type { Store } from "../storage/store";
import type { SimDay } from "./day";
import { NS_PER_HOUR } from "../core/time/calendar";

export interface WriteBronzeOptions {
  overwrite?: boolean;
  /** Subset of tables: futures.trades | futures.mbp10 | options.trades (default all). */
  tables?: readonly BronzeTable["key"][];
  /**
   * Put each file somewhere else than its key (an atomic day switch stages it); the key is
   * still what the file is reported and known as.
   */
  put?: (key: string, bytes: Uint8Array, rows: number) => Promise<void>;
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

export function writerTag(seed: number | string): string {
  return `sim${String(seed).replace(/[^A-Za-z0-9]/g, "").slice(0, 24) || "0"}`;
}

/** One group per (partition value, UTC hour); the frame is time-sorted, so each group is a run of rows. */
export interface PartitionRun {
  dir: string;
  date: string;
  hour: string;
  /** Row indices of the group, ascending. */
  rows: Uint32Array;
}

const TWO32 = 4294967296;
const HOUR_NS = Number(NS_PER_HOUR);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Rows grouped by (partition value, UTC hour) in order of first appearance. Two passes over
 * typed arrays: a group id per row, then each group's indices. Timestamps are compared as
 * their two 32-bit words against the current hour's start (exact: the difference is far below
 * 2^53), so a 10M-row hour costs no BigInt per row; the partition value is recomputed only
 * when a row's key string differs from the previous row's.
 */
export function partitionRuns(table: BronzeTable, frame: Frame): PartitionRun[] {
  const ts = frame.values<BigInt64Array>("ts_event_ns");
  const keyVals = frame.values<(string | null)[]>(table.partitionKey);
  const words = LITTLE_ENDIAN ? new Uint32Array(ts.buffer, ts.byteOffset, ts.length * 2) : null;
  const groups: PartitionRun[] = [];
  const groupIds = new Map<string, number>();
  const groupOf = new Uint32Array(frame.numRows);
  const counts: number[] = [];
  let hourLabel = { date: "", hour: "" };
  let startHi = 0;
  let startLo = 0;
  let haveHour = false;
  let lastRaw: string | null | undefined = undefined;
  const roots = new Map<string, string>();
  let value = "";
  let group = -1;
  for (let i = 0; i < frame.numRows; i++) {
    let sameHour = false;
    if (haveHour && words) {
      const d = (words[2 * i + 1]! - startHi) * TWO32 + (words[2 * i]! - startLo);
      sameHour = d >= 0 && d < HOUR_NS;
    }
    if (!sameHour) {
      const t = ts[i]!;
      const start = t - (((t % NS_PER_HOUR) + NS_PER_HOUR) % NS_PER_HOUR);
      hourLabel = utcDateHour(t);
      startHi = Number(BigInt.asUintN(64, start) >> 32n);
      startLo = Number(BigInt.asUintN(64, start) & 0xffffffffn);
      haveHour = words !== null && start >= 0n;
      group = -1;
    }
    const raw = keyVals[i] ?? "";
    if (raw !== lastRaw) {
      lastRaw = raw;
      // rows alternate between the front and a back month: remember each code's root
      let v = roots.get(raw);
      if (v === undefined) {
        const root = table.partitionKey === "symbol" ? futuresRoot(raw) : raw;
        if (!root) throw new Error(`sim row ${i} of ${table.key} has no valid ${table.partitionKey} (${JSON.stringify(raw)})`);
        roots.set(raw, (v = root));
      }
      if (v !== value) group = -1;
      value = v;
    }
    if (group < 0) {
      const gk = `${value}|${hourLabel.date}|${hourLabel.hour}`;
      let g = groupIds.get(gk);
      if (g === undefined) {
        g = groups.length;
        groupIds.set(gk, g);
        groups.push({ dir: partitionDir(`bronze/${table.schemaPath}`, table.partitionKey, value, hourLabel.date, hourLabel.hour), date: hourLabel.date, hour: hourLabel.hour, rows: new Uint32Array(0) });
        counts.push(0);
      }
      group = g;
    }
    groupOf[i] = group;
    counts[group]++;
  }
  const fill = new Array<number>(groups.length).fill(0);
  for (let g = 0; g < groups.length; g++) groups[g]!.rows = new Uint32Array(counts[g]!);
  if (groups.length === 1) {
    const rows = groups[0]!.rows;
    for (let i = 0; i < rows.length; i++) rows[i] = i;
  } else {
    for (let i = 0; i < frame.numRows; i++) {
      const g = groupOf[i]!;
      groups[g]!.rows[fill[g]!++] = i;
    }
  }
  return groups;
}

/** Encode and commit every Bronze file of a simulated day; returns the files written. */
export async function writeBronzeDay(store: Store, day: Pick<SimDay, "trades" | "mbp10" | "options" | "seed">, opts: WriteBronzeOptions = {}): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  for (const table of BRONZE_TABLES) {
    if (opts.tables && !opts.tables.includes(table.key)) continue;
    await writeTableFiles(store, table, frameFor(day, table.key), day.seed, opts, out);
  }
  return out;
}

/**
 * The same files as `writeBronzeDay(generateDay(…))`, written from `generateDayByHour`: each
 * MBP-10 hour is encoded as it comes, so peak memory is one hour of book updates.
 * Returns the day (with an empty `mbp10`), its MBP-10 row count and the files written.
 */
export async function writeBronzeDayByHour(
  store: Store,
  hours: Generator<Frame, SimDay>,
  seed: number | string,
  opts: WriteBronzeOptions = {},
): Promise<{ day: SimDay; mbpRows: number; files: WrittenFile[] }> {
  const out: WrittenFile[] = [];
  const mbpTable = BRONZE_TABLES.find((t) => t.key === "futures.mbp10")!;
  const wantMbp = !opts.tables || opts.tables.includes("futures.mbp10");
  let mbpRows = 0;
  let step = hours.next();
  for (; !step.done; step = hours.next()) {
    mbpRows += step.value.numRows;
    if (wantMbp) await writeTableFiles(store, mbpTable, step.value, seed, opts, out);
    // An hour's encode leaves hundreds of MB of garbage (timestamps, string columns, pages);
    // collect it before the next hour instead of letting the heap grow with the day.
    Bun.gc(true);
  }
  const day = step.value;
  for (const table of BRONZE_TABLES) {
    if (table.key === "futures.mbp10" || (opts.tables && !opts.tables.includes(table.key))) continue;
    await writeTableFiles(store, table, frameFor(day, table.key), seed, opts, out);
  }
  return { day, mbpRows, files: out };
}

async function writeTableFiles(store: Store, table: BronzeTable, frame: Frame, seed: number | string, opts: WriteBronzeOptions, out: WrittenFile[]): Promise<void> {
  const tag = writerTag(seed);
  for (const run of partitionRuns(table, frame)) {
    const part = isContiguous(run.rows) ? rowRange(frame, run.rows[0] ?? 0, run.rows.length) : frame.take(run.rows);
    const bytes = encodeParquet(part, { schema: table.schema, metadata: { writer: "lake-sim", sim_seed: String(seed) } });
    const stamp = `${run.date.replaceAll("-", "")}T${run.hour}0000000000Z`;
    const key = `${run.dir}/part-${stamp}-${tag}-0.parquet`;
    if (opts.put) await opts.put(key, bytes, part.numRows);
    else await store.put(key, bytes, { overwrite: opts.overwrite });
    out.push({ key, table: table.key, rows: part.numRows, bytes: bytes.length });
    opts.onFile?.(key, part.numRows, bytes.length);
  }
}

function isContiguous(rows: Uint32Array): boolean {
  return rows.length === 0 || rows[rows.length - 1]! - rows[0]! === rows.length - 1;
}

/**
 * Rows [start, start + n) without copying typed columns: the encoder only reads them, and
 * copying an hour of MBP-10 (46 columns) cost as much as encoding it.
 */
function rowRange(frame: Frame, start: number, n: number): Frame {
  if (start === 0 && n === frame.numRows) return frame;
  const view = <T>(v: T): T => (ArrayBuffer.isView(v) ? ((v as unknown as Uint8Array).subarray(start, start + n) as unknown as T) : ((v as unknown as unknown[]).slice(start, start + n) as unknown as T));
  return new Frame(
    frame.columns.map((c) => ({ name: c.name, type: c.type, values: view(c.values), valid: c.valid ? view(c.valid) : undefined })),
    n,
  );
}
