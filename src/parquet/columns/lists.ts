/**
 * list<int16> (Bronze `conditions`) as the 3-level LIST layout. Levels per row:
 *   null list → def 0 · empty list → def base · each element → def base+2 (rep 0 first, 1 after)
 * where base = 1 for a nullable list, 0 otherwise (contracts §2.2 keeps empty as null
 * upstream; the codec still round-trips both).
 */
import type { ChunkStats } from "./fixed";

export interface ListLevels {
  readonly rep: Uint8Array;
  readonly def: Uint8Array;
  readonly count: number; // level entries (= num_values of the page)
  readonly elements: Int32Array; // non-null leaf values, widened to INT32
  readonly nullLeaves: number; // entries with def < maxDef
}

/** Levels of rows [start, end); a null list is a JS null (encodeParquet's conformColumn folds any `valid` mask into it). */
export function listLevels(values: readonly (Int16Array | null)[], start: number, end: number, maxDef: number): ListLevels {
  const base = maxDef - 2;
  let count = 0;
  let total = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    const len = v ? v.length : 0;
    count += len || 1;
    total += len;
  }
  const rep = new Uint8Array(count);
  const def = new Uint8Array(count);
  const elements = new Int32Array(total);
  let li = 0;
  let ei = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (!v || v.length === 0) {
      def[li++] = v ? base : 0;
      continue;
    }
    for (let k = 0; k < v.length; k++) {
      rep[li] = k === 0 ? 0 : 1;
      def[li++] = maxDef;
      elements[ei++] = v[k]!;
    }
  }
  return { rep, def, count, elements, nullLeaves: count - total };
}

export function listStats(levels: ListLevels): ChunkStats {
  const e = levels.elements;
  if (e.length === 0) return { nullCount: levels.nullLeaves };
  let min = e[0]!;
  let max = e[0]!;
  for (let i = 1; i < e.length; i++) {
    const v = e[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, min, true);
  dv.setInt32(4, max, true);
  return { nullCount: levels.nullLeaves, min: b.slice(0, 4), max: b.slice(4, 8) };
}
