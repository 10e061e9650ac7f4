/**
 * Stable sort of a batch by the table's sort key before encoding (contracts §2.1: sorted
 * by ts_event_ns, stable w.r.t. arrival/seq; §9 D-4). Batches almost always arrive
 * sorted already, so a linear check comes first. Otherwise int64 keys are ordered by an
 * LSD radix sort on 16-bit digits of their 32-bit halves (stable, no BigInt allocation,
 * ~1M rows in tens of ms where a comparator sort took >1 s); keys of other types order
 * the runs of equal int64 prefix with a comparator. Nulls sort last; ties keep input order.
 * The one sort order of the lake: the codec applies it before encoding, `sortFrame` exposes it.
 */
import { isNullAt, type Column } from "./frame";
import { gatherColumn } from "./frame-gather";

type Cmp = (a: number, b: number) => number;

/** Code point order (= UTF-8 byte order, Parquet's string order); JS `<` is UTF-16 order, which differs for astral characters. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate (astral) sorts above every BMP char
    return x - y;
  }
  return a.length - b.length;
}

function comparator(c: Column): Cmp {
  let cmp: Cmp;
  if (c.values instanceof BigInt64Array) {
    const w = new Int32Array(c.values.buffer, c.values.byteOffset, c.values.length * 2);
    cmp = (a, b) => {
      const ha = w[a * 2 + 1]!;
      const hb = w[b * 2 + 1]!;
      if (ha !== hb) return ha < hb ? -1 : 1;
      const la = w[a * 2]! >>> 0;
      const lb = w[b * 2]! >>> 0;
      return la === lb ? 0 : la < lb ? -1 : 1;
    };
  } else if (c.type === "utf8") {
    const v = c.values as (string | null)[];
    cmp = (a, b) => compareUtf8(v[a]!, v[b]!);
  } else if (c.type === "list_int16") {
    cmp = () => 0;
  } else {
    const v = c.values as Float64Array;
    cmp = (a, b) => (v[a]! < v[b]! ? -1 : v[a]! > v[b]! ? 1 : 0);
  }
  if (c.valid === undefined && c.type !== "utf8") return cmp;
  return (a, b) => {
    const na = isNullAt(c, a);
    const nb = isNullAt(c, b);
    if (na || nb) return na === nb ? 0 : na ? 1 : -1;
    return cmp(a, b);
  };
}

/**
 * Stable LSD radix sort of `idx` by one int64 column (nulls last). The key words travel
 * with the row numbers so every pass reads sequentially instead of chasing `idx`.
 */
function radixByInt64(idx: Uint32Array, c: Column): void {
  const n = idx.length;
  const v = c.values as BigInt64Array;
  const w = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
  const valid = c.valid;
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n); // sign bit flipped: unsigned order = signed order
  let rows = idx.slice();
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    lo[i] = w[r * 2]!;
    hi[i] = (w[r * 2 + 1]! ^ 0x80000000) >>> 0;
  }
  let nul: Uint8Array<ArrayBufferLike> | undefined;
  if (valid) {
    nul = new Uint8Array(n);
    for (let i = 0; i < n; i++) nul[i] = 1 - valid[rows[i]!]!;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let rows2 = new Uint32Array(n);
  let nul2: Uint8Array<ArrayBufferLike> | undefined = nul ? new Uint8Array(n) : undefined;
  const digits = new Uint16Array(n);
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < (nul ? 5 : 4); pass++) {
    if (pass === 0) for (let i = 0; i < n; i++) digits[i] = lo[i]! & 0xffff;
    else if (pass === 1) for (let i = 0; i < n; i++) digits[i] = lo[i]! >>> 16;
    else if (pass === 2) for (let i = 0; i < n; i++) digits[i] = hi[i]! & 0xffff;
    else if (pass === 3) for (let i = 0; i < n; i++) digits[i] = hi[i]! >>> 16;
    else for (let i = 0; i < n; i++) digits[i] = nul![i]!;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[digits[i]!]!++;
    if (counts[digits[0]!] === n) continue; // constant digit: the pass would not move anything
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const k = counts[d]!;
      counts[d] = sum;
      sum += k;
    }
    for (let i = 0; i < n; i++) {
      const to = counts[digits[i]!]!++;
      rows2[to] = rows[i]!;
      lo2[to] = lo[i]!;
      hi2[to] = hi[i]!;
      if (nul) nul2![to] = nul[i]!;
    }
    [rows, rows2] = [rows2, rows];
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [nul, nul2] = [nul2, nul];
  }
  idx.set(rows);
}

/** Columns reordered by `keys` (missing keys ignored); the input when already in order. */
export function sortForSchema(columns: Column[], n: number, keys: readonly string[]): Column[] {
  const keyCols = keys.map((k) => columns.find((c) => c.name === k)).filter((c): c is Column => !!c);
  if (keyCols.length === 0 || n < 2) return columns;
  const cmps = keyCols.map(comparator);
  const cmpAll: Cmp = (a, b) => {
    for (const cmp of cmps) {
      const r = cmp(a, b);
      if (r !== 0) return r;
    }
    return a - b;
  };
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (cmpAll(i - 1, i) > 0) sorted = false;
  if (sorted) return columns;

  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  // radix over the longest all-int64 prefix of the key, least significant key first
  let prefix = 0;
  while (prefix < keyCols.length && keyCols[prefix]!.values instanceof BigInt64Array) prefix++;
  for (let k = prefix - 1; k >= 0; k--) radixByInt64(idx, keyCols[k]!);
  if (prefix < keyCols.length) {
    const headCmps = cmps.slice(0, prefix);
    const head = (a: number, b: number) => headCmps.reduce((r, c) => r || c(a, b), 0);
    // order each run of equal int64 prefix by the full comparator
    let runStart = 0;
    for (let i = 1; i <= n; i++) {
      if (i < n && head(idx[runStart]!, idx[i]!) === 0) continue;
      if (i - runStart > 1) idx.subarray(runStart, i).sort(cmpAll);
      runStart = i;
    }
  }
  return columns.map((c) => gatherColumn(c, idx));
}
