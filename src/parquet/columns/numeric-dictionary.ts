/**
 * Dictionaries for DOUBLE and INT32 columns (contracts §2.1: "dictionary encoding on",
 * as the predecessor's writer did for every column). Book depth is the case that matters:
 * an MBP-10 price column holds ~80 distinct values over an hour and changes on 0.2 % of the
 * rows, a size column ~1000 values changing on 4–14 % of them. As RLE_DICTIONARY those pages
 * are runs of indices — a fraction of the PLAIN bytes — so a reader that wants a few cells
 * (Silver's bucket winners) decompresses and walks far less than 8 MB per million rows.
 *
 * Float keys are the values themselves, so −0 (equal to +0 under Map's SameValueZero) and
 * NaN (its payload would not survive) make the chunk PLAIN instead: values round-trip bit
 * for bit either way.
 */

import type { ColumnCodes } from "../../frame";

export interface NumericDictionary {
  /** Distinct values in order of first appearance, in the column's physical width. */
  readonly entries: Float64Array | Int32Array;
  /**
   * Dictionary index per row of the chunk (null rows: any value, skipped when written).
   * A view of a buffer the next call reuses: write the pages before building another.
   */
  readonly indices: Int32Array;
}

// One buffer for every chunk: an hour of MBP-10 has 40 depth columns of 1M+ rows each, and
// a fresh index array per column was ~200 MB of garbage per file.
let scratch = new Int32Array(0);

function scratchIndices(n: number): Int32Array {
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, scratch.length * 2));
  return scratch.subarray(0, n);
}

/**
 * Dictionary of rows [start, end) of a float64 or int32-backed column, or null when it would
 * not pay (more distinct values than `maxEntries`) or could not be exact (NaN, −0).
 * A run of equal values (most book rows) costs one lookup.
 */
export function numericDictionary(
  values: Float64Array | Int32Array,
  start: number,
  end: number,
  valid: Uint8Array | undefined,
  maxEntries: number,
): NumericDictionary | null {
  // one loop per array kind: a loop that sees both stays polymorphic and runs several times slower
  return values instanceof Float64Array ? floatDictionary(values, start, end, valid, maxEntries) : intDictionary(values, start, end, valid, maxEntries);
}

function floatDictionary(values: Float64Array, start: number, end: number, valid: Uint8Array | undefined, maxEntries: number): NumericDictionary | null {
  const ids = new Map<number, number>();
  const entries: number[] = [];
  const indices = scratchIndices(end - start);
  for (let i = start; i < end; ) {
    if (valid && !valid[i]) {
      i++;
      continue;
    }
    const v = values[i]!;
    if (v !== v || (v === 0 && 1 / v < 0)) return null;
    let id = ids.get(v);
    if (id === undefined) {
      if (entries.length >= maxEntries) return null;
      id = entries.length;
      ids.set(v, id);
      entries.push(v);
    }
    // the run of equal values (nulls inside it take the index too: they are skipped when
    // written); a −0 after a 0 ends it, since === calls them equal. A loop, not fill(): runs
    // of book sizes are a few rows, where the native call costs more than the stores. The
    // common case (no nulls, a non-zero value) gets a loop with nothing else to test.
    indices[i - start] = id;
    let j = i + 1;
    if (!valid && v !== 0) for (let k = j - start; j < end && values[j] === v; j++, k++) indices[k] = id;
    else for (; j < end && ((values[j] === v && (v !== 0 || 1 / values[j]! > 0)) || (valid && !valid[j])); j++) indices[j - start] = id;
    i = j;
  }
  return { entries: Float64Array.from(entries), indices };
}

/** Values below this index a flat table instead of the Map (book sizes, counts, day numbers are small). */
const SMALL = 4096;

function intDictionary(values: Int32Array, start: number, end: number, valid: Uint8Array | undefined, maxEntries: number): NumericDictionary | null {
  const small = new Int32Array(SMALL).fill(-1);
  const ids = new Map<number, number>();
  const entries: number[] = [];
  const indices = scratchIndices(end - start);
  for (let i = start; i < end; ) {
    if (valid && !valid[i]) {
      i++;
      continue;
    }
    const v = values[i]!;
    let id = v >= 0 && v < SMALL ? small[v]! : (ids.get(v) ?? -1);
    if (id < 0) {
      if (entries.length >= maxEntries) return null;
      id = entries.length;
      if (v >= 0 && v < SMALL) small[v] = id;
      else ids.set(v, id);
      entries.push(v);
    }
    indices[i - start] = id;
    let j = i + 1;
    if (!valid) for (let k = j - start; j < end && values[j] === v; j++, k++) indices[k] = id;
    else for (; j < end && (values[j] === v || !valid[j]); j++) indices[j - start] = id;
    i = j;
  }
  return { entries: Int32Array.from(entries), indices };
}

/** A chunk's dictionary from codes: which table entries it uses, in order of first appearance. */
export interface CodedDictionary {
  /** Table indices of the chunk's dictionary entries. */
  readonly order: Int32Array;
  /** Dictionary index per row of the chunk; reused like `NumericDictionary.indices`. */
  readonly indices: Int32Array;
}

/** Tables already checked to hold distinct, exact keys (one check per table, not per chunk). */
const exactTables = new WeakMap<Float64Array, boolean>();

/** Whether `table` holds distinct numbers, none NaN or −0: keys a dictionary keyed by number keeps exact. */
export function isExactTable(table: Float64Array): boolean {
  let ok = exactTables.get(table);
  if (ok === undefined) {
    const seen = new Set<number>();
    ok = true;
    for (const v of table) {
      if (v !== v || (v === 0 && 1 / v < 0) || seen.has(v)) ok = false;
      seen.add(v);
    }
    exactTables.set(table, ok);
  }
  return ok;
}

/**
 * The dictionary `numericDictionary` would build for rows [start, end) of a column given
 * as codes — the same entries in the same order, so the same bytes — from the codes alone:
 * one renumbering pass, no value compared. Null when it would not be exact or not pay.
 */
export function codedDictionary(codes: ColumnCodes, start: number, end: number, maxEntries: number): CodedDictionary | null {
  const { ids, table } = codes;
  if (!isExactTable(table)) return null;
  const local = new Int32Array(table.length).fill(-1);
  const order: number[] = [];
  const indices = scratchIndices(end - start);
  for (let i = start; i < end; ) {
    const g = ids[i]!;
    let id = local[g];
    if (id === undefined) throw new Error(`column codes: id ${g} at row ${i} is outside a table of ${table.length}`);
    if (id < 0) {
      if (order.length >= maxEntries) return null;
      id = local[g] = order.length;
      order.push(g);
    }
    indices[i - start] = id;
    let j = i + 1;
    for (let k = j - start; j < end && ids[j] === g; j++, k++) indices[k] = id;
    i = j;
  }
  return { order: Int32Array.from(order), indices };
}
