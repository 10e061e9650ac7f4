/**
 * Merge one partition-hour's files into sorted ZSTD Parquet outputs.
 *
 * Every input is decoded with the lake's own codec, normalised to the table's declared
 * schema (the same by-name unification of lake and predecessor files the readers apply),
 * concatenated in key order and stably sorted by (ts_event_ns, seq nulls last): exactly the
 * rows, in exactly the order, a reader returned from the inputs. Small files are decoded in
 * JS rather than through DuckDB: per-file overhead is what an hour of 720 flushes costs, so
 * the lake's own files take the fast decoder (parquet/fast) and only others go through
 * hyparquet.
 * A big hour is merged in time slices (below), so memory stays one slice of decoded rows;
 * the slices stream into one output file (a new one past the size cap).
 */
import { concatFrames, sortFrame, type Frame } from "../frame";
import { ParquetStreamWriter } from "../parquet/stream-writer";
import { concatLakeFiles, decodeParquetWithInfo, openLakeFile, readParquetInfo, type OpenLakeFile, type ParquetInfo } from "../parquet";
import { unionSeqRanges, type SeqRanges } from "../read/superseding";
import type { TableSchema } from "../schemas/types";
import { LakeError } from "../errors";

/** Rows per row group: big enough for few footer entries, small enough for pruning by ts. */
export const COMPACT_ROW_GROUP_ROWS = 131_072;
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
const READ_CONCURRENCY = 8;
/** An hour whose inputs total at most this is read once and held until decoded. */
const HOLD_INPUT_BYTES = 64 * 1024 * 1024;

export interface MergeInput {
  key: string;
  size: number;
  bytes: () => Promise<Uint8Array>;
}

export interface MergedHour {
  outputs: { data: Uint8Array; rows: number }[];
  rows: number;
  inputRows: Map<string, number>;
  /** SHA-256 of each input's bytes, by key. */
  inputSha256: Map<string, string>;
  seqRanges: SeqRanges;
  inputsWithoutSeq: number;
}

/**
 * Decoded rows merged at once: an hour beyond it is merged in time slices, one at a time, so
 * compaction memory does not grow with the hour (a busy MBP-10 hour holds millions of rows,
 * ~300 bytes each once decoded, and the merge holds them about three times over).
 */
export const DEFAULT_SLICE_ROWS = 131_072;

/** What the footer says of an input, read before any input is decoded. */
interface Inspected {
  rows: number;
  sha256: string;
  seq: SeqRanges | null;
  /** ts bounds from the lake's key/value metadata; null when the file does not say (predecessor files). */
  minTs: bigint | null;
  maxTs: bigint | null;
  /** The input, ready to decode, while the hour is small enough to hold (HOLD_INPUT_BYTES). */
  part: Part | null;
}

/**
 * `rewrite` replaces the concatenated rows before they are encoded (dedupe uses it to drop
 * exact duplicates); its result must keep the table's schema. It sees the whole hour, so an
 * hour with a rewrite is merged in one slice.
 *
 * Slices: inputs ordered by their first ts are cut where every row before the cut is earlier
 * than every row after it (a live feed's flushes follow each other in time), once a slice
 * holds `sliceRows`. Each slice is decoded, sorted and appended to the hour's output alone;
 * as no ts is shared across a cut, the output holds exactly the rows and order of one merge.
 * Inputs whose ranges overlap, or that carry no ts bounds, stay in one slice.
 */
export async function mergeHour(
  schema: TableSchema,
  inputs: readonly MergeInput[],
  maxFileBytes: number,
  metadata: Record<string, string>,
  rewrite?: (frame: Frame) => Promise<Frame>,
  limits: { sliceRows?: number; holdBytes?: number } = {},
): Promise<MergedHour> {
  const sliceRows = limits.sliceRows ?? DEFAULT_SLICE_ROWS;
  // An hour of live flushes is thousands of small files: each is read once and its footer
  // parsed once, unless the hour is too big to hold, when a slice reads its inputs again.
  const hold = inputs.reduce((n, f) => n + f.size, 0) <= (limits.holdBytes ?? HOLD_INPUT_BYTES);
  const inspected = await inParallel(inputs, async (input) => inspectInput(schema, await input.bytes(), input.key, hold));
  const seqParts = inspected.flatMap((d) => (d.seq ? [d.seq] : []));
  const seqRanges = unionSeqRanges(seqParts);
  const kv = { ...metadata, "lake.seq_ranges": JSON.stringify(seqRanges) };
  const out = new HourOutputs(schema, maxFileBytes, kv);
  let rows = 0;
  const slices = rewrite ? [inputs.map((_, i) => i)] : slicesOf(inspected, sliceRows);
  for (const slice of slices) {
    const parts = await inParallel(slice, async (i) => inspected[i]!.part ?? (await partOf(schema, await inputs[i]!.bytes(), inputs[i]!.key)));
    const concatenated = await concatInputs(schema, parts, slice.map((i) => inputs[i]!.key));
    const expected = slice.reduce((n, i) => n + inspected[i]!.rows, 0);
    if (concatenated.numRows !== expected) {
      throw new LakeError(`compaction read ${concatenated.numRows} rows from ${slice.length} files whose footers say ${expected}; nothing written`);
    }
    for (const i of slice) inspected[i]!.part = null; // decoded: its bytes can go
    const frame = rewrite ? await rewrite(concatenated) : concatenated;
    rows += frame.numRows;
    await out.append(sortFrame(frame, schema.sortKey));
    // the slice's decoded rows are garbage now: collect them before decoding the next
    // (left to itself the heap grows by several slices before the collector catches up)
    if (slices.length > 1) Bun.gc(true);
  }
  return {
    outputs: await out.close(),
    rows,
    inputRows: new Map(inputs.map((inp, i) => [inp.key, inspected[i]!.rows])),
    inputSha256: new Map(inputs.map((inp, i) => [inp.key, inspected[i]!.sha256])),
    seqRanges,
    inputsWithoutSeq: inspected.length - seqParts.length,
  };
}

/** Input indices per slice, in slice (time) order; each slice's inputs in key order. */
function slicesOf(inspected: readonly Inspected[], sliceRows: number): number[][] {
  if (inspected.some((d) => d.minTs === null || d.maxTs === null)) return [inspected.map((_, i) => i)];
  const order = inspected.map((_, i) => i).sort((a, b) => (inspected[a]!.minTs! < inspected[b]!.minTs! ? -1 : inspected[a]!.minTs! > inspected[b]!.minTs! ? 1 : a - b));
  const slices: number[][] = [];
  let cur: number[] = [];
  let curRows = 0;
  let curMax: bigint | null = null;
  for (const i of order) {
    const d = inspected[i]!;
    if (cur.length > 0 && curRows >= sliceRows && d.minTs! > curMax!) {
      slices.push(cur.sort((a, b) => a - b));
      cur = [];
      curRows = 0;
      curMax = null;
    }
    cur.push(i);
    curRows += d.rows;
    if (curMax === null || d.maxTs! > curMax) curMax = d.maxTs!;
  }
  if (cur.length > 0 || slices.length === 0) slices.push(cur.sort((a, b) => a - b));
  return slices;
}

/**
 * The hour's output files: sorted frames, in time order, streamed into one ZSTD Parquet
 * file of COMPACT_ROW_GROUP_ROWS-row groups; past `maxFileBytes` the next rows start a new
 * file (a cut between row groups, so each file stays sorted and files split by time).
 */
class HourOutputs {
  private readonly done: MergedHour["outputs"] = [];
  private writer: ParquetStreamWriter | null = null;
  private parts: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    private readonly schema: TableSchema,
    private readonly maxFileBytes: number,
    private readonly metadata: Record<string, string>,
  ) {}

  async append(sorted: Frame): Promise<void> {
    for (let start = 0; start < sorted.numRows; start += COMPACT_ROW_GROUP_ROWS) {
      if (this.writer && this.bytes >= this.maxFileBytes) await this.finish();
      this.writer ??= new ParquetStreamWriter({ schema: this.schema, rowGroupRows: COMPACT_ROW_GROUP_ROWS, metadata: this.metadata }, async (b) => {
        this.parts.push(b);
        this.bytes += b.byteLength;
      });
      await this.writer.append(start === 0 && sorted.numRows <= COMPACT_ROW_GROUP_ROWS ? sorted : sorted.slice(start, Math.min(sorted.numRows, start + COMPACT_ROW_GROUP_ROWS)));
    }
  }

  async close(): Promise<MergedHour["outputs"]> {
    if (this.writer || this.done.length === 0) {
      this.writer ??= new ParquetStreamWriter({ schema: this.schema, rowGroupRows: COMPACT_ROW_GROUP_ROWS, metadata: this.metadata }, async (b) => void this.parts.push(b));
      await this.finish();
    }
    return this.done;
  }

  private async finish(): Promise<void> {
    const w = this.writer!;
    const rows = w.numRows;
    await w.close();
    this.done.push({ data: Buffer.concat(this.parts), rows });
    this.writer = null;
    this.parts = [];
    this.bytes = 0;
  }
}

/** `fn` over every item, at most READ_CONCURRENCY at a time, results in item order. */
async function inParallel<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
  return out;
}

/**
 * An input ready to concatenate: a lake-written file opened by its footer (its pages are
 * decoded straight into the hour's columns), or any other Parquet file decoded the general way.
 */
type Part = OpenLakeFile | { frame: Frame; info: ParquetInfo };

async function partOf(schema: TableSchema, bytes: Uint8Array, key: string): Promise<Part> {
  try {
    return openLakeFile(bytes, schema) ?? (await decodeParquetWithInfo(bytes, { schema }));
  } catch (e) {
    throw unreadable(key, e);
  }
}

function unreadable(key: string, e: unknown): LakeError {
  return new LakeError(`cannot compact ${key}: not a readable Parquet file (${(e as Error).message}); nothing written for its hour`);
}

/** An input's footer facts; with `hold`, the input ready to decode too (else another writer's file is not decoded twice). */
async function inspectInput(schema: TableSchema, bytes: Uint8Array, key: string, hold: boolean): Promise<Inspected> {
  const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  let part: Part | null = null;
  let info: ParquetInfo;
  try {
    const open = openLakeFile(bytes, schema);
    if (open || hold) part = open ?? (await decodeParquetWithInfo(bytes, { schema }));
    info = part ? part.info : await readParquetInfo(bytes);
  } catch (e) {
    throw unreadable(key, e);
  }
  if (part && "frame" in part && part.frame.numRows !== info.numRows) throw new LakeError(`${key}: decoded ${part.frame.numRows} rows, footer says ${info.numRows}`);
  const kv = info.kv;
  let seq: SeqRanges | null = null;
  const lo = Number(kv["lake.stream_seq_min"]);
  const hi = Number(kv["lake.stream_seq_max"]);
  if (kv["lake.seq_ranges"]) seq = JSON.parse(kv["lake.seq_ranges"]) as SeqRanges;
  else if (kv["lake.consumer"] && Number.isSafeInteger(lo) && Number.isSafeInteger(hi)) seq = { [kv["lake.consumer"]]: [[lo, hi]] };
  const ts = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? BigInt(v) : null);
  return { rows: info.numRows, seq, sha256, minTs: ts(kv["min_ts_event_ns"]), maxTs: ts(kv["max_ts_event_ns"]), part: hold ? part : null };
}

/** The slice's parts as one Frame of `schema`, in input order. */
async function concatInputs(schema: TableSchema, parts: readonly Part[], keys: readonly string[]): Promise<Frame> {
  try {
    return await concatLakeFiles(schema, parts.map((p) => ("bytes" in p ? p : p.frame)));
  } catch (e) {
    if (e instanceof LakeError) throw e;
    throw new LakeError(`cannot compact ${keys[0]}…(${keys.length} files): a page does not decode (${(e as Error).message}); nothing written for its hour`);
  }
}
