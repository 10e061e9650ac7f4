/**
 * Ranged S3 reads for DuckDB: instead of copying a whole object, write a local *sparse* file
 * of the object's size holding only the bytes a query will read — the header magic, the footer,
 * and the column chunks of the columns the SQL names — fetched by HTTP range. Every offset in
 * the footer stays valid, so DuckDB opens it as the original; the columns it never reads are
 * holes (no disk, no transfer). DuckDB reads a column chunk only for columns the query
 * projects or filters, so the set of columns must be a superset of those: `sqlColumns` takes
 * every column reference anywhere in the statement, and gives up (null → whole object) on `*`.
 */
import * as fs from "node:fs/promises";
import { parquetMetadataAsync, type AsyncBuffer, type FileMetaData } from "hyparquet";
import type { Store } from "../storage/store";

/** Ranges closer than this are fetched as one request (fewer round trips, little waste). */
const MERGE_GAP = 4 * 1024;
/**
 * First footer fetch; hyparquet fetches the rest when the metadata is longer. A lake footer
 * is 2–6 KiB (10–46 columns, one row group per hour): a bigger guess is bytes of other
 * columns' chunks read for nothing, on every object.
 */
const FOOTER_GUESS = 8 * 1024;
/**
 * After the first object of a table, the next footer fetch is the longest footer seen for that
 * table plus this slack: footers of one table differ only by their statistics and row-group
 * count, and a guess too short costs one more request, never extra bytes.
 */
const FOOTER_SLACK = 512;
/** Longest footer (metadata + length + magic) seen per table: the key before its partitions. */
const footerSeen = new Map<string, number>();
/** Ranged GETs of one object in flight at once (latency, not bandwidth, bounds small ranges). */
const RANGE_CONCURRENCY = 8;

export interface SparseCopy {
  /** Bytes fetched from the store (footer + column chunks). */
  fetched: number;
  /** Bytes of the needed column chunks alone. */
  needed: number;
}

/**
 * Write `out` (a temp file the caller renames into place) as a sparse copy of `key` (size
 * `size`) holding the footer and the chunks of `columns` (top-level column names).
 */
export async function writeSparseCopy(store: Store, key: string, size: number, columns: ReadonlySet<string>, out: string): Promise<SparseCopy> {
  let fetched = 0;
  const pieces: { at: number; bytes: Uint8Array }[] = [];
  const buffer: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number) {
      const bytes = await store.getRange(key, start, end ?? size);
      fetched += bytes.byteLength;
      pieces.push({ at: start, bytes });
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  const table = tableOf(key);
  const seen = footerSeen.get(table);
  const meta = await parquetMetadataAsync(buffer, { initialFetchSize: Math.min(size, seen !== undefined ? seen + FOOTER_SLACK : FOOTER_GUESS) });
  footerSeen.set(table, Math.max(seen ?? 0, meta.metadata_length + 8));
  const ranges = chunkRanges(meta, columns);
  const needed = ranges.reduce((s, [a, b]) => s + (b - a), 0);
  // the footer fetch may already hold the tail of the last chunks: do not fetch those bytes twice
  const tail = Math.min(...pieces.map((p) => p.at));
  const merged = mergeRanges(ranges.map(([a, b]): [number, number] => [a, Math.min(b, tail)]).filter(([a, b]) => b > a));
  let next = 0;
  const worker = async () => {
    while (next < merged.length) {
      const [a, b] = merged[next++]!;
      const bytes = await store.getRange(key, a, b);
      if (bytes.byteLength !== b - a) throw new Error(`S3 object ${key} is shorter than its footer says (changed while reading?); retry`);
      fetched += bytes.byteLength;
      pieces.push({ at: a, bytes });
    }
  };
  await Promise.all(Array.from({ length: Math.min(RANGE_CONCURRENCY, merged.length) }, worker));
  const fh = await fs.open(out, "w");
  try {
    await fh.truncate(size);
    await fh.write(new TextEncoder().encode("PAR1"), 0, 4, 0);
    for (const p of pieces) await fh.write(p.bytes, 0, p.bytes.byteLength, p.at);
  } finally {
    await fh.close();
  }
  return { fetched, needed };
}

/**
 * [start, end) of every column chunk of `columns` (dictionary page included), and of the
 * structures a reader may consult for those columns besides the pages: the page indexes
 * (column/offset index) and the bloom filter. A hole where DuckDB looks for them would be
 * read as zeros.
 */
function chunkRanges(meta: FileMetaData, columns: ReadonlySet<string>): [number, number][] {
  const out: [number, number][] = [];
  const add = (offset: bigint | undefined, length: number | bigint | undefined) => {
    if (offset !== undefined && length !== undefined && Number(length) > 0) out.push([Number(offset), Number(offset) + Number(length)]);
  };
  for (const rg of meta.row_groups) {
    for (const c of rg.columns) {
      const md = c.meta_data;
      if (!md || !columns.has(md.path_in_schema[0]!)) continue;
      const data = Number(md.data_page_offset);
      const dict = md.dictionary_page_offset !== undefined ? Number(md.dictionary_page_offset) : data;
      const start = Math.min(data, dict > 0 ? dict : data);
      out.push([start, start + Number(md.total_compressed_size)]);
      add(c.column_index_offset, c.column_index_length);
      add(c.offset_index_offset, c.offset_index_length);
      add(md.bloom_filter_offset, md.bloom_filter_length);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** `bronze/futures/mbp10/symbol=ES` of `bronze/futures/mbp10/symbol=ES/date=…/hour=…/part.parquet`. */
function tableOf(key: string): string {
  const i = key.search(/\/(date|hour)=/);
  return i >= 0 ? key.slice(0, i) : key.slice(0, key.lastIndexOf("/") + 1);
}

function mergeRanges(sorted: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a - last[1] <= MERGE_GAP) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * Every name the statement uses as a column (qualified names by their last part), from
 * DuckDB's own parse tree; null when it selects `*` / COLUMNS(…) or cannot be parsed — then
 * the caller reads whole objects.
 */
export function columnsOfParseTree(tree: unknown): Set<string> | null {
  const names = new Set<string>();
  let star = false;
  const walk = (n: unknown): void => {
    if (star || n === null || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    const o = n as Record<string, unknown>;
    if (o.class === "STAR" || o.type === "STAR") star = true;
    if (o.class === "COLUMN_REF" && Array.isArray(o.column_names)) {
      const parts = o.column_names as string[];
      names.add(parts[parts.length - 1]!);
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(tree);
  return star ? null : names;
}
