/**
 * Parsed footers of local Parquet files, remembered while the file is unchanged (same device,
 * inode, size and mtime): Silver's book pass and its gather plan the same files one after the
 * other, and a book file's footer (46 columns per row group, with statistics) costs more to
 * parse than some of the reads it plans. Files are replaced by rename, never rewritten in
 * place, so a changed file is a new stamp.
 */
import { statSync } from "node:fs";
import { parquetMetadataAsync, type FileMetaData } from "hyparquet";
import { getSchemaPath } from "hyparquet/src/schema.js";
import type { SchemaTree } from "hyparquet/src/types.js";
import { fileBuffer } from "./ts-pages";

/** Footers kept per thread (a few days of hourly files of one table). */
const KEEP = 64;

const footers = new Map<string, { stamp: string; meta: Promise<FileMetaData> }>();

export function localFooter(path: string): Promise<FileMetaData> {
  const st = statSync(path, { bigint: true });
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  const hit = footers.get(path);
  footers.delete(path);
  if (hit?.stamp === stamp) {
    footers.set(path, hit); // most recently used last
    return hit.meta;
  }
  const meta = parquetMetadataAsync(fileBuffer(path));
  footers.set(path, { stamp, meta });
  meta.catch(() => footers.get(path)?.meta === meta && footers.delete(path));
  if (footers.size > KEEP) footers.delete(footers.keys().next().value!);
  return meta;
}

const schemaPaths = new WeakMap<FileMetaData, Map<string, SchemaTree[]>>();

/**
 * hyparquet's schema path of a top-level column, made once per footer: getSchemaPath builds
 * the whole schema tree on every call, which a gather of 40 columns × row groups repeats.
 */
export function columnSchemaPath(meta: FileMetaData, name: string): SchemaTree[] {
  let byName = schemaPaths.get(meta);
  if (!byName) schemaPaths.set(meta, (byName = new Map()));
  let path = byName.get(name);
  if (!path) byName.set(name, (path = getSchemaPath(meta.schema, [name])));
  return path;
}
