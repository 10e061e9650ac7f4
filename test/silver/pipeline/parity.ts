/**
 * Column-by-column comparison of a pipeline Frame with the reference output, joined on
 * event_id (es-pipeline §16; fixture README "Comparing").
 */
import { cellValue, isNullAt, type Frame } from "../../../src/frame";
import { duckQuery } from "../../../src/read/duck";

export interface Expected {
  n: number;
  ids: string[];
  cols: Record<string, ArrayLike<unknown>>;
}

/** The reference output, decoded by DuckDB; NaN/null → null, bools → 0/1, int64 → bigint. */
export async function readExpected(path: string): Promise<Expected> {
  const f = await duckQuery("SELECT * FROM read_parquet($1)", [path]);
  const cols: Record<string, unknown[]> = {};
  for (const c of f.columns) cols[c.name] = Array.from({ length: f.numRows }, (_, i) => cellValue(c, i));
  return { n: f.numRows, ids: cols.event_id as string[], cols };
}

/** Relative tolerance per column (README: summation-order columns need 1e-6). */
export function toleranceOf(name: string): number {
  if (name === "gamma_exposure" || name.startsWith("gex_") || name.startsWith("call_gex_") || name.startsWith("put_gex_") || name === "net_gex_2strike") return 1e-6;
  if (name === "tape_velocity" || name === "tape_velocity_trend") return 1e-6;
  return 1e-9;
}

export function floatsClose(a: number, b: number, rel: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(a - b);
  return diff <= 1e-12 || diff <= rel * Math.max(Math.abs(a), Math.abs(b));
}

export interface ColumnMismatch {
  column: string;
  count: number;
  examples: { event_id: string; ours: unknown; expected: unknown }[];
}

function normalise(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return v;
  return v ?? null;
}

/** Compare one column; rows of `ours` are matched to expected rows by event_id. */
export function compareColumn(ours: Frame, exp: Expected, name: string, rowOf: Map<string, number>): ColumnMismatch {
  const col = ours.column(name);
  const ids = ours.values<string[]>("event_id");
  const want = exp.cols[name];
  const mm: ColumnMismatch = { column: name, count: 0, examples: [] };
  const rel = toleranceOf(name);
  for (let i = 0; i < ours.numRows; i++) {
    const j = rowOf.get(ids[i]!);
    if (j === undefined) continue;
    const e = normalise(want?.[j]);
    const o = isNullAt(col, i) ? null : normalise((col.values as ArrayLike<unknown>)[i]);
    let ok: boolean;
    if (o === null || e === null) ok = o === e;
    else if (col.type === "float64") ok = floatsClose(o as number, Number(e), rel);
    else if (col.type === "int64" || col.type === "timestamp_ns") ok = BigInt(o as bigint) === BigInt(e as bigint | number);
    else ok = o === e || Number(o) === Number(e);
    if (!ok) {
      mm.count++;
      if (mm.examples.length < 3) mm.examples.push({ event_id: ids[i]!, ours: o, expected: e });
    }
  }
  return mm;
}
