/**
 * What a compaction run does: per Bronze table, the closed partition-hours holding more than
 * one live file, and the leftovers of earlier runs to finish (docs/compaction.md).
 */
import { BRONZE_TABLES, type BronzeTable } from "../schemas/bronze";
import type { ObjectInfo, Store } from "../storage/store";
import { epochDayOf, NS_PER_DAY, NS_PER_HOUR } from "../core/time/calendar";
import { dirOf, resolveLive, type CompactionRecord } from "../read/superseding";
import { uncommittedIngestKeys } from "./ingest-state";

export interface HourPlan {
  table: BronzeTable;
  /** The partition-hour directory, e.g. `bronze/futures/trades/symbol=ES/date=2026-03-04/hour=14`. */
  dir: string;
  date: string;
  hour: number;
  inputs: ObjectInfo[];
  bytes: number;
}

export interface Leftovers {
  /** Committed records whose inputs are not all deleted yet: roll forward. */
  committed: { key: string; record: CompactionRecord; remaining: string[] }[];
  /** Outputs of runs that never committed: roll back (delete). */
  orphans: ObjectInfo[];
  /** Records whose outputs were all superseded and deleted, and whose inputs are gone. */
  spent: string[];
}

export interface PlanOptions {
  tables?: readonly BronzeTable[];
  dates?: readonly string[];
  /** Only hours that ended at least this long ago (ms). */
  graceMs: number;
  /**
   * Only hours none of whose files is younger than this (ms; default 0: no such rule). An
   * ingest draining a backlog keeps writing into hours that closed long ago: compacting one
   * then rewrites it again at every pass, and holds the rows merged so far in memory while
   * the drain needs it (docs/ingest.md, memory). `lake serve` waits for such hours to go quiet.
   */
  quietMs?: number;
  now?: number;
}

export interface Plan {
  hours: HourPlan[];
  leftovers: Leftovers;
  /** Files left out because a flush that wrote them has not committed yet. */
  inFlight: number;
  /** Closed hours that already are one file. */
  compactHours: number;
  /** Closed hours left for later because files still land in them (quietMs). */
  busyHours: number;
}

const HOUR_DIR_RE = /^(.*\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2}))\/[^/]+$/;

export async function planCompaction(store: Store, opts: PlanOptions): Promise<Plan> {
  const now = opts.now ?? Date.now();
  const tables = opts.tables ?? BRONZE_TABLES;
  const dates = opts.dates ? new Set(opts.dates) : null;
  const plan: Plan = { hours: [], leftovers: { committed: [], orphans: [], spent: [] }, inFlight: 0, compactHours: 0, busyHours: 0 };
  const listed = await Promise.all(tables.map(async (t) => ({ t, objs: await store.list(`bronze/${t.schemaPath}/`) })));
  // Read after listing: a flush writes its intent before its files, and one flush per
  // consumer is in flight, so every listed file of an unfinished flush is named here.
  const inFlight = await uncommittedIngestKeys(store);
  for (const { t, objs } of listed) {
    const scoped = dates ? objs.filter((o) => dates.has(HOUR_DIR_RE.exec(o.key)?.[2] ?? "")) : objs;
    const res = await resolveLive(store, scoped, { allRecords: true });
    collectLeftovers(res.records, scoped, res.uncommitted, plan.leftovers);
    const byHour = new Map<string, ObjectInfo[]>();
    for (const o of res.live) {
      if (inFlight.has(o.key)) {
        plan.inFlight++;
        continue;
      }
      const m = HOUR_DIR_RE.exec(o.key);
      if (!m) continue; // not in a partition-hour directory: not ours to merge
      const list = byHour.get(m[1]!);
      if (list) list.push(o);
      else byHour.set(m[1]!, [o]);
    }
    for (const [dir, inputs] of byHour) {
      const m = HOUR_DIR_RE.exec(`${dir}/x`)!;
      const date = m[2]!;
      const hour = Number(m[3]);
      const day = epochDayOf(date);
      if (day === null) continue;
      const endMs = Number((BigInt(day) * NS_PER_DAY + BigInt(hour + 1) * NS_PER_HOUR) / 1_000_000n);
      if (endMs + opts.graceMs > now) continue; // still open (or within the grace period)
      if (opts.quietMs && inputs.some((f) => f.mtimeMs + opts.quietMs! > now)) {
        plan.busyHours++;
        continue; // still receiving files (a backlog being drained): later
      }
      if (inputs.length < 2) {
        plan.compactHours++;
        continue;
      }
      plan.hours.push({ table: t, dir, date, hour, inputs, bytes: inputs.reduce((n, f) => n + f.size, 0) });
    }
  }
  plan.hours.sort((a, b) => (a.dir < b.dir ? -1 : 1));
  return plan;
}

function collectLeftovers(records: Map<string, CompactionRecord>, objs: readonly ObjectInfo[], uncommitted: ObjectInfo[], out: Leftovers): void {
  const present = new Set(objs.map((o) => o.key));
  for (const [key, record] of records) {
    if (!present.has(key)) continue; // re-checked, not listed: another run's, in flight
    const remaining = record.inputs.map((i) => i.key).filter((k) => present.has(k));
    if (remaining.length) out.committed.push({ key, record, remaining });
    else if (!record.outputs.some((o) => present.has(o.key))) out.spent.push(key);
  }
  out.orphans.push(...uncommitted);
}

export { dirOf };
