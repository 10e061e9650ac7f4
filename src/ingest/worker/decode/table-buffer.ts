/**
 * Growable columnar row buffer for one table, derived from its TableSchema: the decoders
 * write each message straight into slot `n` of these typed arrays and only advance `n`
 * once the whole message validated (all-or-nothing per message, contracts §3.2).
 * Each row also remembers its partition id and the JetStream stream sequence it came from.
 */
import { allocValues, Frame, type Column, type ColumnValues } from "../../../frame";
import { gatherColumn } from "../../../frame-gather";
import type { TableSchema } from "../../../schemas/types";

/**
 * Bytes one buffered row of `schema` holds: column slots, validity bytes, partition id and
 * stream sequence. Strings and lists count a pointer plus a short payload (an estimate: they
 * are JS values); a flush's row cap is derived from it (table-writer.ts).
 */
export function rowBytes(schema: TableSchema): number {
  let n = 2 + 8; // part + streamSeq
  for (const d of schema.columns) {
    if (d.nullable) n += 1;
    switch (d.type) {
      case "int64":
      case "timestamp_ns":
      case "float64":
        n += 8;
        break;
      case "int32":
      case "date32":
        n += 4;
        break;
      case "int16":
        n += 2;
        break;
      case "int8":
      case "bool":
        n += 1;
        break;
      case "utf8":
      case "list_int16":
        n += 8 + 24;
        break;
    }
  }
  return n;
}

export class TableBuffer {
  readonly schema: TableSchema;
  n = 0;
  capacity: number;
  cols: ColumnValues[];
  /** Validity masks for nullable columns (1 = present), null for required columns. */
  valid: (Uint8Array | null)[];
  /** Uint32 views of int64 columns (putInt64Parts writes through them). */
  words: (Uint32Array | null)[];
  part: Uint16Array;
  streamSeq: Float64Array;

  constructor(schema: TableSchema, capacity = 1024) {
    this.schema = schema;
    this.capacity = Math.max(16, capacity);
    this.cols = [];
    this.valid = [];
    this.words = [];
    this.part = new Uint16Array(0);
    this.streamSeq = new Float64Array(0);
    this.alloc(this.capacity, 0);
  }

  /**
   * Make room for `rows` rows; column arrays may be replaced, so re-read them after.
   * Copies the whole old capacity, not just [0, n): a multi-row decode (Gold) has already
   * written rows beyond n that are not accepted yet.
   */
  ensure(rows: number): void {
    if (rows <= this.capacity) return;
    let cap = this.capacity;
    while (cap < rows) cap *= 2;
    this.alloc(cap, this.capacity);
  }

  private alloc(cap: number, keep: number): void {
    const defs = this.schema.columns;
    const cols: ColumnValues[] = [];
    const valid: (Uint8Array | null)[] = [];
    const words: (Uint32Array | null)[] = [];
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i]!;
      const v = allocValues(d.type, cap);
      const old = this.cols[i];
      if (old) {
        if (Array.isArray(v)) for (let r = 0; r < keep; r++) (v as unknown[])[r] = (old as unknown[])[r];
        else (v as unknown as { set(a: ArrayLike<unknown>): void }).set((old as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(0, keep));
      }
      cols.push(v);
      let m: Uint8Array | null = null;
      if (d.nullable) {
        m = new Uint8Array(cap);
        const om = this.valid[i];
        if (om) m.set(om.subarray(0, keep));
      }
      valid.push(m);
      words.push(v instanceof BigInt64Array ? new Uint32Array(v.buffer, v.byteOffset, cap * 2) : null);
    }
    const part = new Uint16Array(cap);
    part.set(this.part.subarray(0, keep));
    const seq = new Float64Array(cap);
    seq.set(this.streamSeq.subarray(0, keep));
    this.cols = cols;
    this.valid = valid;
    this.words = words;
    this.part = part;
    this.streamSeq = seq;
    this.capacity = cap;
  }

  /** Rows [0, n) restricted to `indices` (ascending), as a Frame in schema column order. */
  frame(indices: Uint32Array): Frame {
    const defs = this.schema.columns;
    const k = indices.length;
    const out: Column[] = [];
    // The common case — one partition per flush — is a contiguous run: views, no copy. The
    // caller encodes a sealed batch, which nothing writes to until its flush has committed,
    // and the encoder keeps no reference to its input (a copy here was one more batch-sized
    // allocation per flush). Boxed columns (arrays) are copied: they have no views.
    const first = k ? indices[0]! : 0;
    const contiguous = k > 0 && indices[k - 1] === first + k - 1;
    for (let c = 0; c < defs.length; c++) {
      const d = defs[c]!;
      const src = this.cols[c]!;
      const m = this.valid[c];
      let v: ColumnValues;
      let valid: Uint8Array | undefined;
      if (contiguous) {
        v = Array.isArray(src) ? (src.slice(first, first + k) as ColumnValues) : ((src as unknown as { subarray(a: number, b: number): ColumnValues }).subarray(first, first + k));
        valid = m ? m.subarray(first, first + k) : undefined;
      } else {
        // One monomorphic loop per array kind (frame-gather.ts): a shared generic loop over
        // every typed-array class was 17% of an MBP-10 worker when a flush spans partitions.
        const g = gatherColumn({ name: d.name, type: d.type, values: src, valid: m ?? undefined }, indices);
        v = g.values;
        valid = g.valid;
      }
      if (valid) {
        let nulls = 0;
        for (let i = 0; i < k; i++) nulls += 1 - valid[i]!;
        if (nulls === 0) valid = undefined;
      }
      out.push({ name: d.name, type: d.type, values: v, valid });
    }
    return new Frame(out, k);
  }

  /** Empty the buffer, keeping the allocation (utf8/list slots are cleared for GC). */
  clear(): void {
    for (const c of this.cols) if (Array.isArray(c)) c.fill(null, 0, this.n);
    this.n = 0;
  }
}
