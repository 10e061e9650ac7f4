/**
 * A Parquet file written as it is produced: each row group is encoded and handed to `write`
 * as soon as enough rows arrived, and the footer goes last — so an export of any size holds
 * one row group in memory, not the whole result. Same codec as encodeParquet (ZSTD pages,
 * statistics, lake key/value metadata with the min/max ts_event_ns over all groups); rows
 * are written in arrival order (no sort).
 */
import { concatFrames, type Frame } from "../frame";
import type { TableSchema } from "../schemas/types";
import { LAKE_VERSION } from "../version";
import { FileSink, thriftBytes, writeColumnChunk, type ThriftObject } from "./columns/chunk";
import { conformColumn, int64Range } from "./encode";
import { parquetSchemaFor } from "./schema-map";

export interface StreamWriterOptions {
  schema: TableSchema;
  /** Rows per row group (default 262 144: ~100 MB of MBP-10 columns in memory at most). */
  rowGroupRows?: number;
  zstdLevel?: number;
  pageBytes?: number;
  metadata?: Record<string, string>;
}

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

export class ParquetStreamWriter {
  private offset = 0;
  private rows = 0;
  private pending: Frame[] = [];
  private pendingRows = 0;
  private readonly rowGroups: ThriftObject[] = [];
  private readonly leaves;
  private readonly elements;
  private minTs: bigint | undefined;
  private maxTs: bigint | undefined;
  private readonly rowGroupRows: number;

  constructor(
    private readonly opts: StreamWriterOptions,
    private readonly write: (bytes: Uint8Array) => Promise<void>,
  ) {
    ({ elements: this.elements, leaves: this.leaves } = parquetSchemaFor(opts.schema.columns));
    this.rowGroupRows = opts.rowGroupRows ?? 262_144;
  }

  /** Rows so far (written or buffered). */
  get numRows(): number {
    return this.rows + this.pendingRows;
  }

  async append(frame: Frame): Promise<void> {
    if (this.offset === 0) await this.emit([MAGIC]);
    if (frame.numRows === 0) return;
    this.pending.push(frame);
    this.pendingRows += frame.numRows;
    if (this.pendingRows >= this.rowGroupRows) await this.flushGroup();
  }

  /** The last row group, then the footer. */
  async close(): Promise<void> {
    if (this.offset === 0) await this.emit([MAGIC]);
    if (this.pendingRows > 0) await this.flushGroup();
    const kv: [string, string][] = [
      ["schema_name", this.opts.schema.name],
      ["tier", this.opts.schema.tier],
      ["lake_writer", `lake/${LAKE_VERSION}`],
    ];
    if (this.minTs !== undefined) kv.push(["min_ts_event_ns", this.minTs.toString()], ["max_ts_event_ns", this.maxTs!.toString()]);
    for (const [k, v] of Object.entries({ ...this.opts.schema.metadata, ...this.opts.metadata })) kv.push([k, String(v)]);
    const head = { field_1: 2, field_2: this.elements, field_3: BigInt(this.rows) };
    const footer = thriftBytes({
      ...head,
      field_4: this.rowGroups,
      field_5: kv.map(([k, v]) => ({ field_1: k, field_2: v })),
      field_6: `lake version ${LAKE_VERSION}`,
      field_7: this.leaves.map(() => ({ field_1: {} })),
    });
    if (this.rowGroups.length === 0) {
      // Same patch as encodeParquet: an empty row_groups list must say STRUCT for arrow-rs.
      const at = thriftBytes(head).length;
      if (footer[at - 1] !== 0x19 || (footer[at]! & 0xf0) !== 0) throw new Error("unexpected footer layout for an empty file");
      footer[at] = 0x0c;
    }
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, footer.length, true);
    await this.emit([footer, len, MAGIC]);
  }

  private async flushGroup(): Promise<void> {
    const frame = this.pending.length === 1 ? this.pending[0]! : concatFrames(this.pending, this.opts.schema.columns);
    this.pending = [];
    this.pendingRows = 0;
    const n = frame.numRows;
    const columns = this.opts.schema.columns.map((d) => conformColumn(frame, d, this.opts.schema.name));
    const ts = columns.find((c) => c.name === "ts_event_ns" && c.type === "int64");
    if (ts) {
      const [min, max] = int64Range(ts);
      if (min !== undefined && (this.minTs === undefined || min < this.minTs)) this.minTs = min;
      if (max !== undefined && (this.maxTs === undefined || max > this.maxTs)) this.maxTs = max;
    }
    // Chunk offsets are absolute: the sink starts counting where the file is now.
    const sink = new FileSink();
    sink.offset = this.offset;
    const groupStart = this.offset;
    let totalBytes = 0n;
    const chunks = this.leaves.map((leaf, i) => {
      const chunk = writeColumnChunk(sink, leaf, columns[i]!, 0, n, { zstdLevel: this.opts.zstdLevel ?? 3, pageBytes: this.opts.pageBytes ?? 1 << 20 });
      totalBytes += (chunk.field_3 as ThriftObject).field_6 as bigint;
      return chunk;
    });
    this.rowGroups.push({
      field_1: chunks,
      field_2: totalBytes,
      field_3: BigInt(n),
      field_5: BigInt(groupStart),
      field_6: BigInt(sink.offset - groupStart),
    });
    this.rows += n;
    await this.emit(sink.parts);
    if (sink.offset !== this.offset) throw new Error(`row group bytes ${sink.offset - groupStart} ≠ parts written`);
  }

  private async emit(parts: readonly Uint8Array[]): Promise<void> {
    for (const p of parts) {
      await this.write(p);
      this.offset += p.length;
    }
  }
}
