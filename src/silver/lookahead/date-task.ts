/**
 * One date of `lake silver lookahead --distributed`, as a batch-pool task ("silver.lookaheadDate")
 * that a `lake worker` runs: count the date's events (a sample is drawn from every date's
 * counts), or analyse the chosen rows. Bronze is read from the lake's location the task
 * names, each file once for the date (its warm-up days included).
 */
import type { Variant } from "../../core/variant";
import { LakeFiles } from "../../read/lake-files";
import { memoInput, readerInput } from "../pipeline/bronze-input";
import { resolveConfig, type ConfigOverrides } from "../pipeline/config";
import type { BronzeSource } from "../lineage";
import { analyseRows, emptyPart, prepareDate, type DatePart } from "./date-part";

export interface LookaheadDatePayload {
  mode: "count" | "analyse";
  date: string;
  variant: Variant;
  config?: ConfigOverrides;
  bronze: BronzeSource;
  /** rows to analyse; null = every event */
  rows: number[] | null;
}

export type LookaheadDateResult = { events: number; skipped?: string } | DatePart;

export async function lookaheadDate(p: LookaheadDatePayload): Promise<LookaheadDateResult> {
  const cfg = resolveConfig(p.variant, p.config);
  const files = new LakeFiles(p.bronze);
  using _held = files.hold();
  const prepared = await prepareDate(memoInput(readerInput(files)), p.date, p.variant, cfg);
  if ("skipped" in prepared) return p.mode === "count" ? { events: 0, skipped: prepared.skipped } : emptyPart(p.date, 0, prepared.skipped);
  if (p.mode === "count") return { events: prepared.full.numRows };
  return analyseRows(prepared, p.rows, cfg);
}

export async function lookaheadDateTask(p: LookaheadDatePayload): Promise<LookaheadDateResult> {
  try {
    return await lookaheadDate(p);
  } finally {
    Bun.gc(true);
  }
}
