/**
 * `lake bronze dedupe --dates …`: rewrite the hour partitions that hold exact duplicate rows
 * (identical in every column) without them. Duplicates share ts_event_ns, hence their UTC
 * hour partition, so each hour is rewritten on its own, through the same commit protocol as
 * compaction (docs/compaction.md): the deduplicated output `compact-{run}-0.parquet` is
 * written, then the record `compact-{run}.json` naming it and the files it replaces — the
 * commit point — then those files are deleted. Every lake reader sees the old files before
 * the record exists and only the output after, never both; a process killed at any step
 * leaves one or the other, and the next `lake compact` finishes the leftovers.
 * `dryRun` only reports.
 */
import { BRONZE_TABLES } from "../schemas/bronze";
import { DuckSession, duckQuery } from "../read/duck";
import { LakeFiles, type LakeFile, type LakeLocation } from "../read/lake-files";
import { READ_OPTS, scanFrame } from "../read/scan";
import { tablePrefix } from "../read/bronze-stats";
import { faultPoint } from "./faults";
import { acquireCompactionLock } from "./lock";
import { DEFAULT_MAX_FILE_BYTES, mergeHour } from "./merge";
import { commitHour, newRunId } from "./run";

export interface DedupeAction {
  date: string;
  table: string;
  hour: number | null;
  files: number;
  rows: number;
  duplicates: number;
  /** key of the rewritten file (null on a dry run) */
  written: string | null;
}

const sqlList = (paths: readonly string[]) => `[${paths.map((p) => `'${p.replaceAll("'", "''")}'`).join(", ")}]`;

export async function dedupeBronze(location: LakeLocation, dates: readonly string[], opts: { dryRun?: boolean } = {}): Promise<DedupeAction[]> {
  const files = new LakeFiles(location);
  const store = files.store;
  const runBase = newRunId();
  // the lock keeps a concurrent compaction from taking our uncommitted output for an orphan
  await using _lock = opts.dryRun ? null : await acquireCompactionLock(store, runBase);
  const out: DedupeAction[] = [];
  let n = 0;
  for (const date of dates) {
    for (const t of BRONZE_TABLES) {
      const list = await files.listParquet(`${tablePrefix(t)}/date=${date}/`);
      const byHour = new Map<string, LakeFile[]>();
      for (const f of list) {
        const dir = f.key.slice(0, f.key.lastIndexOf("/"));
        byHour.set(dir, [...(byHour.get(dir) ?? []), f]);
      }
      for (const [dir, group] of byHour) {
        const paths = await files.localPaths(group);
        const counts = await duckQuery(`select count(*) n, (select count(*) from (select distinct * from read_parquet(${sqlList(paths)}, ${READ_OPTS}))) d from read_parquet(${sqlList(paths)}, ${READ_OPTS})`);
        const rows = Number((counts.column("n").values as ArrayLike<unknown>)[0]);
        const duplicates = rows - Number((counts.column("d").values as ArrayLike<unknown>)[0]);
        if (duplicates === 0) continue;
        const action: DedupeAction = { date, table: t.key, hour: group[0]!.hour, files: group.length, rows, duplicates, written: null };
        out.push(action);
        if (opts.dryRun) continue;
        const run = `${runBase}${(n++).toString(36)}`;
        const distinct = async () => {
          using s = await DuckSession.open(); // open until the scan has resolved
          return await scanFrame(s, { schema: t.schema, paths, tieBreak: ["seq"], dedupeOn: t.schema.columns.map((c) => c.name) });
        };
        const merged = await mergeHour(
          t.schema,
          group.map((f) => ({ key: f.key, size: f.size, bytes: () => store.get(f.key) })),
          DEFAULT_MAX_FILE_BYTES,
          { writer: "lake-dedupe", "lake.compaction_run": run, "lake.deduplicated_from": JSON.stringify(group.map((f) => f.key.slice(dir.length + 1))) },
          distinct,
        );
        const record = await commitHour(store, { table: t, dir, inputs: group }, run, merged);
        for (const f of group) {
          await store.delete(f.key);
          faultPoint("after-delete");
        }
        action.written = record.outputs[0]!.key;
      }
    }
  }
  return out;
}
