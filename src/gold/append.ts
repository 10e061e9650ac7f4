/**
 * `lake gold promote` on a dataset that already exists: when its Silver version has gained
 * dates since the promotion, the dataset is promoted again over the union of its dates and
 * the new ones (a new catalog entry; the previous file is kept as history `{name}@{n}`).
 * Nothing new means up to date; another Silver version needs --force.
 */
import { readdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { log } from "../log";
import { pidAlive } from "../core/pid";

export type AppendPlan =
  | { kind: "skip"; reason: string }
  | { kind: "append"; dates: string[]; added: string[]; replacesSha: string | null };

/**
 * `metadata`: the dataset's metadata file (null when missing); `silverDates`: dates of the
 * version with a features file; `requested`: --dates, if given.
 */
export function planAppend(name: string, silverVersion: string, metadata: Record<string, any> | null, silverDates: string[], requested?: string[]): AppendPlan {
  const from = metadata?.silver_version as string | undefined;
  if (!metadata || from !== silverVersion) {
    const was = from ? `was promoted from ${from}` : "has no metadata to extend";
    return { kind: "skip", reason: `Dataset ${name} ${was}; use --force to replace it with ${silverVersion} (the current file is kept as history)` };
  }
  const have = new Set<string>(Array.isArray(metadata.lineage?.dates) ? metadata.lineage.dates : []);
  const wanted = requested ? silverDates.filter((d) => requested.includes(d)) : silverDates;
  const added = wanted.filter((d) => !have.has(d));
  if (!added.length) {
    return { kind: "skip", reason: `Dataset ${name} is up to date: it already has every date of ${silverVersion}${requested ? " that was asked for" : ""} (${have.size}). Use --force to rebuild it.` };
  }
  return { kind: "append", dates: [...new Set([...have, ...added])].sort(), added, replacesSha: (metadata.lineage?.sha256 as string | undefined) ?? null };
}

/** Dates of a Silver version directory that hold a features file. */
export function silverFileDates(files: string[]): string[] {
  return [...new Set(files.map((f) => /date=(\d{4}-\d{2}-\d{2})/.exec(f)?.[1]).filter((d): d is string => !!d))].sort();
}

/** Temp files of `name` left by promotions that died before their rename (their pid is gone). */
export function removeStaleTemps(trainingDir: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(trainingDir);
  } catch {
    return;
  }
  const prefix = `.${name}.parquet.tmp-`;
  for (const e of entries) {
    if (!e.startsWith(prefix)) continue;
    const pid = Number(e.slice(prefix.length).split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || pidAlive(pid))) continue;
    rmSync(join(trainingDir, e), { force: true });
    log.info(`removed ${basename(e)} left by an interrupted promotion`);
  }
}

