/**
 * Frame column → pipeline typed array conversions (S1/S3). Nulls are decoded explicitly:
 * numeric nulls become `fill` (NaN or 0, as each input contract says, es-pipeline §1.2–§1.4).
 */
import { isNullAt, type Frame } from "../../frame";
import { formatEpochDay } from "../../core/time/calendar";

export function int64Column(f: Frame, name: string): BigInt64Array {
  const c = f.column(name);
  if (c.values instanceof BigInt64Array) return c.values;
  return BigInt64Array.from(c.values as ArrayLike<number>, (v) => BigInt(v));
}

/** Any numeric column as float64; null or missing column → `fill`. */
export function numberColumn(f: Frame, name: string, fill: number): Float64Array {
  const out = new Float64Array(f.numRows);
  if (!f.has(name)) return out.fill(fill);
  const c = f.column(name);
  const v = c.values;
  if (v instanceof Float64Array || v instanceof Int32Array || v instanceof Int16Array || v instanceof Int8Array || v instanceof Uint8Array) {
    out.set(v); // native widening copy
  } else if (v instanceof BigInt64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(v[i]!);
  } else {
    const a = v as ArrayLike<unknown>;
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = typeof x === "number" ? x : typeof x === "bigint" ? Number(x) : fill;
    }
  }
  if (c.valid) for (let i = 0; i < out.length; i++) if (c.valid[i] === 0) out[i] = fill;
  return out;
}

/** Like numberColumn, but a float64 column without nulls is returned itself: read-only uses only. */
export function float64Column(f: Frame, name: string, fill: number): Float64Array {
  const c = f.has(name) ? f.column(name) : undefined;
  if (c && c.values instanceof Float64Array && !c.valid?.includes(0)) return c.values;
  return numberColumn(f, name, fill);
}

export function stringColumn(f: Frame, name: string): (string | null)[] {
  if (!f.has(name)) return new Array<string | null>(f.numRows).fill(null);
  const c = f.column(name);
  // a utf8 column's cells are already strings or null
  if (c.type === "utf8" && !c.valid) return (c.values as (string | null)[]).slice();
  const out = new Array<string | null>(f.numRows);
  for (let i = 0; i < f.numRows; i++) out[i] = isNullAt(c, i) ? null : String((c.values as ArrayLike<unknown>)[i]);
  return out;
}

/** exp_date as `YYYY-MM-DD` text whatever its storage (date32 days, string, timestamp text) — D-19. */
export function isoDateColumn(f: Frame, name: string): string[] {
  const out = new Array<string>(f.numRows).fill("");
  if (!f.has(name)) return out;
  const c = f.column(name);
  for (let i = 0; i < f.numRows; i++) {
    if (isNullAt(c, i)) continue;
    const v = (c.values as ArrayLike<unknown>)[i];
    if (c.type === "date32") out[i] = formatEpochDay(Number(v));
    else {
      const s = String(v);
      out[i] = /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : s;
    }
  }
  return out;
}

/**
 * ts − origin for every element, as exact float64 (|result| < 2^53), without per-element
 * BigInt arithmetic (which dominates a 50k-row load): the int64s are read as (hi, lo)
 * 32-bit halves of the same buffer. Little-endian layout (x86-64, arm64).
 */
export function relativeNs(ts: BigInt64Array, originNs: bigint): Float64Array {
  const n = ts.length;
  const out = new Float64Array(n);
  const lo = new Uint32Array(ts.buffer, ts.byteOffset, n * 2);
  const hi = new Int32Array(ts.buffer, ts.byteOffset, n * 2);
  const oHi = Number(BigInt.asIntN(32, originNs >> 32n));
  const oLo = Number(BigInt.asUintN(32, originNs));
  for (let i = 0; i < n; i++) out[i] = (hi[2 * i + 1]! - oHi) * 4294967296 + (lo[2 * i]! - oLo);
  return out;
}

/** Any numeric column gathered at `rows` as float64; null → `fill`. */
export function gatherNumber(f: Frame, name: string, rows: ArrayLike<number>, fill: number): Float64Array {
  const m = rows.length;
  const out = new Float64Array(m);
  if (!f.has(name)) return out.fill(fill);
  const c = f.column(name);
  const v = c.values;
  if (v instanceof Float64Array || v instanceof Int32Array || v instanceof Int16Array || v instanceof Int8Array || v instanceof Uint8Array) {
    for (let k = 0; k < m; k++) out[k] = v[rows[k]!]!;
  } else if (v instanceof BigInt64Array) {
    for (let k = 0; k < m; k++) out[k] = Number(v[rows[k]!]!);
  } else {
    const a = v as ArrayLike<unknown>;
    for (let k = 0; k < m; k++) {
      const x = a[rows[k]!];
      out[k] = typeof x === "number" ? x : typeof x === "bigint" ? Number(x) : fill;
    }
  }
  if (c.valid) for (let k = 0; k < m; k++) if (c.valid[rows[k]!] === 0) out[k] = fill;
  return out;
}
