/**
 * Deterministic batches full of edge values for codec round trips: nulls in every
 * nullable column, NaN/±Infinity/-0, int64 near ±2^63, ns timestamps > 2^53, unicode,
 * empty and null lists, duplicate sort keys (stability) and unique strings (PLAIN path).
 */
import { allocValues, Frame, type Column } from "../../../src/frame";
import type { ColumnDef, TableSchema } from "../../../src/schemas/types";
import { mulberry32 as rng } from "../../../src/sim/rng";

const FLOATS = [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, 6845.25, 1.7976931348623157e308, 5e-324, 0.1];
const INT64S = [0n, -1n, 1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 63n - 2n, -(2n ** 63n) + 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n];
const INT32S = [0, 1, -1, 2147483647, -2147483648, 500];
const INT16S = [0, 1, -1, 32767, -32768];
const INT8S = [0, 1, -1, 127, -128];
const STRINGS = ["", "ES", "ESZ5", "CME", "日本語", "🚀 rocket", "é", "line\nbreak", "x".repeat(300), "\uffff", "😀"];
const DATES = [0, 20467, -1, 2932896, -719162];
const LISTS: (number[] | null)[] = [null, [], [1], [-32768, 32767, 0], Array.from({ length: 20 }, (_, i) => i * 3 - 10)];
const TS_BASE = 1_768_400_000_000_000_000n; // 2026-01-14, > 2^53

function pick<T>(r: () => number, pool: readonly T[]): T {
  return pool[Math.floor(r() * pool.length)]!;
}

function column(def: ColumnDef, n: number, r: () => number, schema: TableSchema, nullRate: number): Column {
  const values = allocValues(def.type, n);
  const valid = new Uint8Array(n).fill(1);
  let nulls = 0;
  const isSortKey = schema.sortKey[0] === def.name;
  for (let i = 0; i < n; i++) {
    if (def.nullable && r() < nullRate) {
      valid[i] = 0;
      nulls++;
      continue;
    }
    switch (def.type) {
      case "int64":
      case "timestamp_ns":
        // the leading sort key: few distinct, unsorted values so stability is exercised;
        // other int64s (incl. seq) also hit the extremes
        (values as BigInt64Array)[i] = isSortKey ? TS_BASE + BigInt(Math.floor(r() * 8)) * 1_000_003n : r() < 0.5 ? pick(r, INT64S) : TS_BASE + BigInt(i);
        break;
      case "float64":
        (values as Float64Array)[i] = r() < 0.6 ? pick(r, FLOATS) : Math.round(r() * 40000) / 4;
        break;
      case "int32":
        (values as Int32Array)[i] = pick(r, INT32S);
        break;
      case "int16":
        (values as Int16Array)[i] = pick(r, INT16S);
        break;
      case "int8":
        (values as Int8Array)[i] = pick(r, INT8S);
        break;
      case "bool":
        (values as Uint8Array)[i] = r() < 0.5 ? 1 : 0;
        break;
      case "date32":
        (values as Int32Array)[i] = pick(r, DATES);
        break;
      case "utf8":
        (values as (string | null)[])[i] = /(^|_)id$/.test(def.name) ? `id-${i}-ü-${Math.floor(r() * 1e9)}` : pick(r, STRINGS);
        break;
      case "list_int16": {
        const l = pick(r, LISTS);
        if (l === null && def.nullable) {
          valid[i] = 0;
          nulls++;
        } else (values as (Int16Array | null)[])[i] = Int16Array.from(l ?? []);
        break;
      }
    }
  }
  if (def.type === "utf8" || def.type === "list_int16") {
    const v = values as unknown[];
    for (let i = 0; i < n; i++) if (!valid[i]) v[i] = null;
    return { name: def.name, type: def.type, values };
  }
  return { name: def.name, type: def.type, values, valid: nulls ? valid : undefined };
}

export function edgeFrame(schema: TableSchema, n: number, seed = 1, nullRate = 0.15): Frame {
  const r = rng(seed);
  return new Frame(
    schema.columns.map((d) => column(d, n, r, schema, nullRate)),
    n,
  );
}
