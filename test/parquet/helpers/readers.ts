/**
 * The three independent readers of the round-trip tests, each returning canonical cells
 * (bigint for int64/timestamps, number for ints/floats/date days, boolean, string,
 * number[] for lists, null) so every value can be compared exactly.
 *   (a) our decodeParquet (hyparquet)  (b) DuckDB read_parquet  (c) parquet-wasm → Arrow
 */
import { tableFromIPC, type Data, type Vector } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { cellValue, type Frame } from "../../../src/frame";
import { loadDuckDB } from "../../../src/runtime/duckdb-native";

export type Cells = Record<string, unknown[]>;

export function frameCells(f: Frame): Cells {
  const out: Cells = {};
  for (const c of f.columns) {
    const col: unknown[] = new Array(f.numRows);
    for (let i = 0; i < f.numRows; i++) {
      const v = cellValue(c, i);
      col[i] = v instanceof Int16Array ? Array.from(v) : v;
    }
    out[c.name] = col;
  }
  return out;
}

function duckCell(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if ("items" in o) return (o.items as unknown[]).map(duckCell);
  if ("nanos" in o) return o.nanos;
  if ("days" in o) return o.days;
  throw new Error(`unexpected DuckDB value ${String(v)}`);
}

export async function duckCells(path: string): Promise<Cells> {
  const duck = await loadDuckDB();
  const inst = await duck.DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  try {
    const reader = await con.runAndReadAll(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}', hive_partitioning = false)`);
    const names = reader.columnNames();
    const cols = reader.getColumns();
    const out: Cells = {};
    names.forEach((n, i) => (out[n] = (cols[i] ?? []).map(duckCell)));
    return out;
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

/** One Arrow chunk's cells, read from the raw buffers (Arrow JS lossily turns ns timestamps into ms numbers). */
function arrowChunkCells(d: Data, out: unknown[]): void {
  const type = String(d.type);
  const isNull = (i: number) => d.nullBitmap !== undefined && d.nullBitmap.length > 0 && ((d.nullBitmap[(d.offset + i) >> 3]! >> ((d.offset + i) & 7)) & 1) === 0;
  for (let i = 0; i < d.length; i++) {
    if (isNull(i)) {
      out.push(null);
      continue;
    }
    const k = d.offset + i;
    if (type.startsWith("List")) {
      const offs = d.valueOffsets as Int32Array;
      const child = d.children[0]!;
      const vals = child.values as Int16Array;
      out.push(Array.from(vals.subarray(child.offset + offs[k]!, child.offset + offs[k + 1]!)));
    } else if (type === "Utf8") {
      const offs = d.valueOffsets as Int32Array;
      out.push(new TextDecoder().decode((d.values as Uint8Array).subarray(offs[k]!, offs[k + 1]!)));
    } else if (type === "Bool") {
      out.push((((d.values as Uint8Array)[k >> 3]! >> (k & 7)) & 1) === 1);
    } else {
      out.push((d.values as ArrayLike<unknown>)[k]);
    }
  }
}

export function wasmCells(bytes: Uint8Array): { cells: Cells; types: Record<string, string> } {
  const table = tableFromIPC(readParquet(bytes).intoIPCStream());
  const cells: Cells = {};
  const types: Record<string, string> = {};
  for (const f of table.schema.fields) {
    const vec = table.getChild(f.name) as Vector;
    const out: unknown[] = [];
    for (const d of vec.data) arrowChunkCells(d, out);
    cells[f.name] = out;
    types[f.name] = String(f.type);
  }
  return { cells, types };
}

function sameCell(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b) || (a === b && a !== 0);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** Every value of every expected column, or a message naming the first mismatch. */
export function diffCells(actual: Cells, expected: Cells, reader: string): string | null {
  for (const [name, exp] of Object.entries(expected)) {
    const act = actual[name];
    if (!act) return `${reader}: column ${name} missing (have ${Object.keys(actual).join(", ")})`;
    if (act.length !== exp.length) return `${reader}: column ${name} has ${act.length} rows, expected ${exp.length}`;
    for (let i = 0; i < exp.length; i++) {
      if (!sameCell(act[i], exp[i])) return `${reader}: ${name}[${i}] = ${fmt(act[i])}, expected ${fmt(exp[i])}`;
    }
  }
  return null;
}

function fmt(v: unknown): string {
  return typeof v === "bigint" ? `${v}n` : JSON.stringify(v) ?? String(v);
}
