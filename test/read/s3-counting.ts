/**
 * Helpers of the S3 reader tests: every file under a directory, a store that counts what it
 * fetched, and what a projected read of a Parquet object must fetch.
 */
import { readdirSync, statSync } from "node:fs";
import { parquetMetadata } from "hyparquet";
import { join } from "node:path";
import type { S3Settings } from "../../src/config";
import { S3Store, type Store } from "../../src/storage";

export function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The S3 store, counting the bytes every get / ranged get returned. */
export function countingStore(settings: S3Settings): { store: Store; fetched: () => number } {
  const inner = new S3Store(settings);
  let fetched = 0;
  const store = Object.create(inner) as Store;
  store.get = async (k) => {
    const b = await inner.get(k);
    fetched += b.byteLength;
    return b;
  };
  store.getRange = async (k, a, e) => {
    const b = await inner.getRange(k, a, e);
    fetched += b.byteLength;
    return b;
  };
  return { store, fetched: () => fetched };
}

/**
 * What a reader of `columns` must read from a Parquet object: the footer (metadata,
 * its length and the magic) and those columns' chunks with their page indexes.
 */
export function neededBytes(buf: Uint8Array, columns: ReadonlySet<string>): number {
  const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  let n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(buf.byteLength - 8, true) + 8;
  for (const rg of meta.row_groups) {
    for (const c of rg.columns) {
      if (!columns.has(c.meta_data!.path_in_schema[0]!)) continue;
      n += Number(c.meta_data!.total_compressed_size) + Number(c.column_index_length ?? 0) + Number(c.offset_index_length ?? 0);
    }
  }
  return n;
}
