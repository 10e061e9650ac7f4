/**
 * Batch task CONSOLIDATE_TASK: one Bronze hour's consolidated copy, written on an idle worker
 * for a reader on another (LakeFiles.scanPaths lends hours this way). The copy lands where
 * the reader looks for it, under the same read cache; the reader pins and prunes it.
 */
import { bronzeTable } from "../schemas/bronze";
import type { ConsolidatePayload } from "./consolidate";
import { LakeFiles } from "./lake-files";

export function consolidateHourTask(p: ConsolidatePayload): Promise<boolean> {
  const files = new LakeFiles(p.lake.location, { cacheDir: p.lake.cacheDir, maxCacheBytes: p.lake.maxCacheBytes });
  return files.consolidateHour({ path: p.path, table: bronzeTable(p.table), files: p.files }, p.columns ? new Set(p.columns) : null);
}
