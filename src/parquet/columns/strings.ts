import { compareUtf8 } from "../../frame-sort";
/**
 * utf8 columns: dictionary (RLE_DICTIONARY) for low-cardinality strings such as
 * `source`, `symbol`, `direction`, PLAIN byte arrays otherwise (unique ids). Statistics
 * compare in UTF-8 byte order, which is Unicode code point order.
 */
import type { PageBuffer } from "./buffer";
import type { ChunkStats } from "./fixed";

const encoder = new TextEncoder();

/** Encode `s` as UTF-8 into `out` with a 4-byte length prefix (PLAIN BYTE_ARRAY). */
export function appendByteArray(out: PageBuffer, s: string): void {
  const n = s.length;
  out.ensure(4 + n * 3);
  const at = out.length;
  let pos = at + 4;
  const bytes = out.bytes;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) break;
    bytes[pos++] = c;
  }
  if (i < n) pos += encoder.encodeInto(s.slice(i), bytes.subarray(pos)).written;
  out.view.setUint32(at, pos - at - 4, true);
  out.length = pos;
}

export interface StringDictionary {
  readonly entries: string[];
  /** Dictionary index per row of the chunk (null rows: 0, skipped when written). */
  readonly indices: Int32Array;
}

/**
 * Dictionary of rows [start, end), or null when it would not pay (more distinct values
 * than `maxEntries`). Consecutive equal strings (sorted feeds) skip the Map lookup.
 */
export function buildDictionary(values: readonly (string | null)[], start: number, end: number, maxEntries: number): StringDictionary | null {
  const ids = new Map<string, number>();
  const entries: string[] = [];
  const indices = new Int32Array(end - start);
  let prev: string | null = null;
  let prevId = 0;
  for (let i = start; i < end; i++) {
    const s = values[i];
    if (s === null || s === undefined) continue;
    if (s !== prev) {
      let id = ids.get(s);
      if (id === undefined) {
        if (entries.length >= maxEntries) return null;
        id = entries.length;
        ids.set(s, id);
        entries.push(s);
      }
      prev = s;
      prevId = id;
    }
    indices[i - start] = prevId;
  }
  return { entries, indices };
}


/** Statistics longer than this are left out rather than truncated (readers may treat truncated bounds as exact). */
const MAX_STAT_BYTES = 256;

export function stringStats(candidates: Iterable<string | null>, nullCount: number): ChunkStats {
  let min: string | null = null;
  let max: string | null = null;
  for (const s of candidates) {
    if (s === null || s === undefined) continue;
    if (min === null || compareUtf8(s, min) < 0) min = s;
    if (max === null || compareUtf8(s, max) > 0) max = s;
  }
  if (min === null || max === null) return { nullCount };
  const minB = encoder.encode(min);
  const maxB = encoder.encode(max);
  if (minB.length > MAX_STAT_BYTES || maxB.length > MAX_STAT_BYTES) return { nullCount };
  return { nullCount, min: minB, max: maxB };
}
