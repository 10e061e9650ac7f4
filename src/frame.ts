/**
 * Frame: the columnar currency of lake. Readers return it, the pipeline passes it
 * between stages, the Parquet codec encodes it. Typed arrays only — a row object per
 * tick in a hot loop is what made the predecessor slow.
 *
 * Value arrays by type:
 *   int64, timestamp_ns → BigInt64Array      float64 → Float64Array
 *   int32, date32 → Int32Array   int16 → Int16Array   int8 → Int8Array
 *   bool → Uint8Array (0/1)      utf8 → (string | null)[]
 *   list_int16 → (Int16Array | null)[]
 * `valid` is an optional validity mask (1 = present). Absent means "no nulls", except
 * for utf8/list columns where a JS null in the array also means null.
 */
import type { ColumnDef, ColumnType, TableSchema } from "./schemas/types";
import { gatherColumn } from "./frame-gather";
import { sortForSchema } from "./frame-sort";

export type ColumnValues =
  | BigInt64Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | (string | null)[]
  | (Int16Array | null)[];

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly values: ColumnValues;
  readonly valid?: Uint8Array;
  /**
   * The same float64 values given as codes into a table of distinct values, for a producer
   * that has them anyway (the simulator's price ladders): the Parquet writer builds the
   * dictionary from them without reading `values`, which may then be made on first read.
   */
  readonly codes?: ColumnCodes;
}

/** `values[i] === table[ids[i]]` for every row; `table` holds distinct numbers, none NaN or −0. */
export interface ColumnCodes {
  readonly ids: Int32Array;
  readonly table: Float64Array;
}

/** Rows of a column, read without making values a coded column has not made yet. */
export function columnLength(c: Column): number {
  return c.codes ? c.codes.ids.length : c.values.length;
}

export function allocValues(type: ColumnType, n: number): ColumnValues {
  switch (type) {
    case "int64":
    case "timestamp_ns":
      return new BigInt64Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
    case "date32":
      return new Int32Array(n);
    case "int16":
      return new Int16Array(n);
    case "int8":
      return new Int8Array(n);
    case "bool":
      return new Uint8Array(n);
    case "utf8":
      return new Array<string | null>(n).fill(null);
    case "list_int16":
      return new Array<Int16Array | null>(n).fill(null);
  }
}

export function isNullAt(c: Column, i: number): boolean {
  if (c.valid && c.valid[i] === 0) return true;
  if (c.type === "utf8" || c.type === "list_int16") return (c.values as unknown[])[i] === null;
  return false;
}

/** The JS value of one cell: bigint for int64, number, boolean, string, Int16Array, or null. */
export function cellValue(c: Column, i: number): unknown {
  if (isNullAt(c, i)) return null;
  const v = (c.values as ArrayLike<unknown>)[i];
  return c.type === "bool" ? v === 1 : v;
}

export class Frame {
  readonly numRows: number;
  readonly columns: readonly Column[];
  private readonly byName: Map<string, Column>;

  constructor(columns: readonly Column[], numRows?: number) {
    this.columns = columns;
    this.numRows = numRows ?? (columns.length ? columnLength(columns[0]!) : 0);
    this.byName = new Map();
    for (const c of columns) {
      if (columnLength(c) !== this.numRows) {
        throw new Error(`column ${c.name} has ${columnLength(c)} values, frame has ${this.numRows} rows`);
      }
      if (this.byName.has(c.name)) throw new Error(`duplicate column name ${c.name}`);
      this.byName.set(c.name, c);
    }
  }

  static empty(schema: TableSchema | readonly ColumnDef[]): Frame {
    const defs = "columns" in schema ? schema.columns : schema;
    return new Frame(defs.map((d) => ({ name: d.name, type: d.type, values: allocValues(d.type, 0) })), 0);
  }

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  column(name: string): Column {
    const c = this.byName.get(name);
    if (!c) throw new Error(`no column "${name}" (have: ${this.columnNames.join(", ")})`);
    return c;
  }

  /** Typed access for hot loops: `frame.values<Float64Array>("price")`. */
  values<T extends ColumnValues>(name: string): T {
    return this.column(name).values as T;
  }

  select(names: readonly string[]): Frame {
    return new Frame(names.map((n) => this.column(n)), this.numRows);
  }

  /** Rows as plain objects — for small results, tests and printing only. */
  *rows(): IterableIterator<Record<string, unknown>> {
    for (let i = 0; i < this.numRows; i++) yield this.row(i);
  }

  row(i: number): Record<string, unknown> {
    const r: Record<string, unknown> = {};
    for (const c of this.columns) r[c.name] = cellValue(c, i);
    return r;
  }

  toRows(): Record<string, unknown>[] {
    return [...this.rows()];
  }

  /** Gather rows by index (used for sorting and filtering). */
  take(indices: ArrayLike<number>): Frame {
    return new Frame(this.columns.map((c) => takeColumn(c, indices)), indices.length);
  }

  slice(start: number, end = this.numRows): Frame {
    const idx = new Uint32Array(Math.max(0, end - start));
    for (let i = 0; i < idx.length; i++) idx[i] = start + i;
    return this.take(idx);
  }

  filter(pred: (i: number) => boolean): Frame {
    const idx: number[] = [];
    for (let i = 0; i < this.numRows; i++) if (pred(i)) idx.push(i);
    return this.take(idx);
  }
}

/** Rows `indices` of one column, as a new column (values and validity copied). */
export function takeColumn(c: Column, indices: ArrayLike<number>): Column {
  return gatherColumn(c, indices instanceof Uint32Array ? indices : Uint32Array.from(indices));
}

/**
 * Stable sort by sort-key columns, ascending, nulls last (contracts §2.1) — the same
 * order the codec writes (src/frame-sort.ts); returns `frame` itself when already sorted.
 */
export function sortFrame(frame: Frame, keys: readonly string[]): Frame {
  const cols = sortForSchema([...frame.columns], frame.numRows, keys);
  return cols.every((c, i) => c === frame.columns[i]) ? frame : new Frame(cols, frame.numRows);
}

/** Widening order for union-by-name (contracts §2.5): int8 → int16 → int32 → int64. */
const INT_RANK: Partial<Record<ColumnType, number>> = { int8: 1, int16: 2, int32: 3, int64: 4 };

export function widerType(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  const ra = INT_RANK[a];
  const rb = INT_RANK[b];
  if (ra && rb) return ra > rb ? a : b;
  if ((ra || a === "float64") && (rb || b === "float64")) return "float64";
  throw new Error(`cannot unify column types ${a} and ${b}`);
}

const INT_RANGE: Partial<Record<ColumnType, [number, number]>> = { int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647] };
const is64 = (t: ColumnType) => t === "int64" || t === "timestamp_ns";

/**
 * Convert a column without losing a value: int64 ⇄ timestamp_ns is a retag (same bits, no
 * copy); integers widen, or narrow with every non-null value range-checked (an overflow is an
 * error naming the row, never a wrapped value); integers and float64 go to float64. Anything
 * else (float → int, strings, lists…) is an error.
 */
export function castColumn(c: Column, type: ColumnType): Column {
  if (c.type === type) return c;
  if (is64(c.type) && is64(type)) return { ...c, type };
  const n = c.values.length;
  const src = c.values as ArrayLike<number | bigint>;
  if (type === "float64" && (INT_RANK[c.type] || c.type === "float64")) {
    const o = new Float64Array(n);
    for (let i = 0; i < n; i++) o[i] = Number(src[i]);
    return { name: c.name, type, values: o, valid: c.valid };
  }
  if (!INT_RANK[c.type] || !INT_RANK[type]) throw new Error(`column ${c.name}: cannot convert ${c.type} to ${type}`);
  const out = allocValues(type, n);
  if (type === "int64") {
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) o[i] = BigInt(src[i] as number);
  } else {
    const [lo, hi] = INT_RANGE[type]!;
    const o = out as unknown as { [k: number]: number };
    for (let i = 0; i < n; i++) {
      if (c.valid && !c.valid[i]) continue;
      const v = Number(src[i]);
      if (v < lo || v > hi) throw new Error(`column ${c.name}: value ${src[i]} at row ${i} does not fit ${type}`);
      o[i] = v;
    }
  }
  return { name: c.name, type, values: out, valid: c.valid };
}

/** A column of `n` nulls of the given type. */
export function nullColumn(name: string, type: ColumnType, n: number): Column {
  return { name, type, values: allocValues(type, n), valid: new Uint8Array(n) };
}

/**
 * Concatenate frames by column name (DuckDB `union_by_name` semantics): a column
 * missing from a frame is null there; integer types widen. Column order: first
 * appearance, or `schema` order when given (extra columns appended).
 */
export function concatFrames(frames: readonly Frame[], schema?: readonly ColumnDef[]): Frame {
  const order: string[] = schema ? schema.map((d) => d.name) : [];
  const types = new Map<string, ColumnType>(schema?.map((d) => [d.name, d.type]));
  for (const f of frames) {
    for (const c of f.columns) {
      if (!types.has(c.name)) {
        order.push(c.name);
        types.set(c.name, c.type);
      } else if (!schema || !schema.some((d) => d.name === c.name)) {
        types.set(c.name, widerType(types.get(c.name)!, c.type));
      }
    }
  }
  const total = frames.reduce((s, f) => s + f.numRows, 0);
  const cols: Column[] = order.map((name) => {
    const type = types.get(name)!;
    const out = allocValues(type, total);
    let valid: Uint8Array | undefined;
    let off = 0;
    for (const f of frames) {
      const src0 = f.has(name) ? f.column(name) : undefined;
      if (!src0) {
        valid ??= new Uint8Array(total).fill(1, 0, off);
        off += f.numRows;
        continue;
      }
      const src = castColumn(src0, type);
      if (Array.isArray(out)) {
        const s = src.values as unknown[];
        for (let i = 0; i < s.length; i++) (out as unknown[])[off + i] = s[i];
      } else {
        (out as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(src.values as ArrayLike<unknown>, off);
      }
      if (src.valid) {
        valid ??= new Uint8Array(total).fill(1, 0, off);
        valid.set(src.valid, off);
      } else if (valid) {
        valid.fill(1, off, off + f.numRows);
      }
      off += f.numRows;
    }
    return { name, type, values: out, valid };
  });
  return new Frame(cols, total);
}

/**
 * Build a Frame from row objects — tests and small payloads only.
 * int64 cells accept bigint or number; null/undefined become nulls.
 */
export function frameFromRows(defs: readonly ColumnDef[], rows: readonly Record<string, unknown>[]): Frame {
  const n = rows.length;
  const cols = defs.map((d) => {
    const values = allocValues(d.type, n);
    const valid = new Uint8Array(n).fill(1);
    let hasNull = false;
    for (let i = 0; i < n; i++) {
      const v = rows[i]![d.name];
      if (v === null || v === undefined) {
        valid[i] = 0;
        hasNull = true;
        continue;
      }
      if (d.type === "int64" || d.type === "timestamp_ns") (values as BigInt64Array)[i] = BigInt(v as number | bigint);
      else if (d.type === "bool") (values as Uint8Array)[i] = v ? 1 : 0;
      else (values as unknown as { [k: number]: unknown })[i] = v;
    }
    return { name: d.name, type: d.type, values, valid: hasNull ? valid : undefined };
  });
  return new Frame(cols, n);
}
