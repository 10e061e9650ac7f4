/**
 * Compaction as batch worker-pool tasks: one background pass ("compact.run", what
 * `lake serve --compact` runs off the main thread; src/app/compaction.ts schedules it), and
 * one hour's merge ("compact.mergeHour", how `lake compact` spreads hours over the pool).
 */
import { getPriority, setPriority } from "node:os";
import type { Config } from "../config";
import { errorMessage } from "../errors";
import { log } from "../log";
import { openStore } from "../storage";
import { CompactionBusyError } from "./lock";
import { compactLake, inProcessMerger, type CompactReport } from "./run";
import type { MergedHour } from "./merge";
import { bronzeTable } from "../schemas/bronze";

export interface CompactTaskPayload {
  backend: Pick<Config, "useS3" | "s3" | "dataRoot">;
  graceMs: number;
  /** Leave hours that received a file this recently (plan.ts quietMs). */
  quietMs?: number;
  maxFileBytes?: number;
  retainInputsMs: number;
  /**
   * Run this pass's worker thread at this nice value (Linux: per thread), so ingest threads
   * of the same process win the CPU whenever they want it. For a thread that runs nothing else.
   */
  niceness?: number;
}

/** Lower the calling thread's scheduling priority; where that is refused, run as before. */
function lowerThreadPriority(niceness: number): void {
  try {
    // pid 0 = the calling thread on Linux, where nice values are per thread
    if (getPriority(0) < niceness) setPriority(0, niceness);
  } catch (e) {
    log.debug("could not lower the compaction thread's priority", { error: errorMessage(e) });
  }
}

/** Worker-pool entry (task "compact.run"). A busy lock is a skipped pass, not an error. */
export type CompactTaskResult = Pick<CompactReport, "rows" | "filesBefore" | "filesAfter" | "bytesBefore" | "bytesAfter" | "ms" | "recovered"> & { hours: number; busy: boolean };

export async function compactTask(p: CompactTaskPayload): Promise<CompactTaskResult> {
  if (p.niceness !== undefined) lowerThreadPriority(p.niceness);
  try {
    const r = await compactLake(openStore(p.backend), { graceMs: p.graceMs, quietMs: p.quietMs, maxFileBytes: p.maxFileBytes, retainInputsMs: p.retainInputsMs, log: (level, msg, fields) => log[level](msg, fields) });
    return { rows: r.rows, filesBefore: r.filesBefore, filesAfter: r.filesAfter, bytesBefore: r.bytesBefore, bytesAfter: r.bytesAfter, ms: r.ms, recovered: r.recovered, hours: r.hours.length, busy: false };
  } catch (e) {
    if (e instanceof CompactionBusyError || (e as { name?: string }).name === "CompactionBusyError") {
      return { rows: 0, filesBefore: 0, filesAfter: 0, bytesBefore: 0, bytesAfter: 0, ms: 0, recovered: { rolledForward: 0, inputsDeleted: 0, orphansDeleted: 0, recordsDropped: 0 }, hours: 0, busy: true };
    }
    throw e;
  }
}


export interface MergeHourPayload {
  backend: Pick<Config, "useS3" | "s3" | "dataRoot">;
  table: string;
  dir: string;
  inputs: { key: string; size: number; mtimeMs: number }[];
  maxFileBytes: number;
  metadata: Record<string, string>;
}

/** Worker-pool entry (task "compact.mergeHour"): one hour's merge, read from the lake in the worker. */
export function mergeHourTask(p: MergeHourPayload): Promise<MergedHour> {
  return inProcessMerger(openStore(p.backend))({ table: bronzeTable(p.table), dir: p.dir, inputs: p.inputs }, p.maxFileBytes, p.metadata);
}
