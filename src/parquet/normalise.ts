/**
 * Normalise a decoded Frame to a table schema (contracts §2.5 "readers resolve columns by
 * name and widen types"): schema order, integer widening (and range-checked narrowing of
 * the backfill tool's int64 sizes back to int32), null-typed or missing columns → typed
 * nulls, utf8 `exp_date` (YYYY-MM-DD, or a date-time whose date part is that) → date32.
 */
import { castColumn, Frame, nullColumn, type Column } from "../frame";
import type { ColumnDef, TableSchema } from "../schemas/types";
import { epochDayOf } from "../core/time/calendar";

function allNull(c: Column): boolean {
  if (c.type === "utf8" || c.type === "list_int16") return (c.values as unknown[]).every((v) => v === null);
  return c.valid !== undefined && !c.valid.includes(1);
}

/** The date part (a calendar date: 2026-02-30 is refused, as DuckDB's CAST does) as epoch days. */
function parseDays(s: string, column: string): number {
  const day = epochDayOf(s.slice(0, 10));
  if (day === null) throw new Error(`column ${column}: "${s}" is not a YYYY-MM-DD date`);
  return day;
}

function utf8ToDate(c: Column): Column {
  const src = c.values as (string | null)[];
  const out = new Int32Array(src.length);
  const seen = new Map<string, number>();
  let valid: Uint8Array | undefined;
  for (let i = 0; i < src.length; i++) {
    const s = src[i];
    if (s === null) {
      valid ??= new Uint8Array(src.length).fill(1);
      valid[i] = 0;
    } else {
      // a column holds few distinct dates (expiries): validate each once
      let d = seen.get(s);
      if (d === undefined) seen.set(s, (d = parseDays(s, c.name)));
      out[i] = d;
    }
  }
  return { name: c.name, type: "date32", values: out, valid };
}

export function conformTo(c: Column, def: ColumnDef, n: number): Column {
  if (c.type === def.type) return c;
  if (allNull(c)) return nullColumn(def.name, def.type, n);
  if (def.type === "date32" && c.type === "utf8") return utf8ToDate(c);
  return castColumn(c, def.type); // retag, widen, or range-checked narrowing; anything else throws
}

/** Columns of `schema` (or the `columns` subset, in that order); names outside the schema pass through. */
export function normaliseToSchema(frame: Frame, schema: TableSchema, columns?: readonly string[]): Frame {
  const defs = new Map(schema.columns.map((d) => [d.name, d]));
  const names = columns ?? schema.columns.map((d) => d.name);
  const out: Column[] = [];
  for (const name of names) {
    const def = defs.get(name);
    const have = frame.has(name) ? frame.column(name) : undefined;
    if (!def) {
      if (have) out.push(have);
      continue;
    }
    out.push(have ? conformTo(have, def, frame.numRows) : nullColumn(def.name, def.type, frame.numRows));
  }
  return new Frame(out, frame.numRows);
}
