/**
 * The per-date part of a Silver build: run every date through a DateRunner, `concurrency`
 * at a time (a failed date is recorded, never fatal to the others), reporting progress as
 * dates finish; then sort the outcomes into built / with rows / empty / errors.
 */
import { log } from "../log";
import type { BuildDateResult } from "./build-date";

export interface BuildProgress {
  date: string;
  ok: boolean;
  rows: number;
  error?: string;
  done: number;
  total: number;
  rowsTotal: number;
  elapsedS: number;
  etaS: number | null;
}

/** Each date's result, or the error it failed with, in `dates` order. */
export async function runDates(
  dates: readonly string[],
  run: (date: string) => Promise<BuildDateResult>,
  concurrency: number,
  onProgress?: (p: BuildProgress) => void,
): Promise<(BuildDateResult | Error)[]> {
  const t0 = performance.now();
  const results: (BuildDateResult | Error)[] = new Array(dates.length);
  let next = 0;
  let done = 0;
  let rowsTotal = 0;
  const lane = async () => {
    while (next < dates.length) {
      const i = next++;
      const date = dates[i]!;
      let r: BuildDateResult | Error;
      try {
        r = await run(date);
      } catch (e) {
        r = e instanceof Error ? e : new Error(String(e));
      }
      results[i] = r;
      done++;
      if (!(r instanceof Error)) rowsTotal += r.rows;
      const elapsedS = (performance.now() - t0) / 1000;
      onProgress?.({
        date,
        ok: !(r instanceof Error),
        rows: r instanceof Error ? 0 : r.rows,
        error: r instanceof Error ? r.message : undefined,
        done,
        total: dates.length,
        rowsTotal,
        elapsedS,
        etaS: done ? (elapsedS / done) * (dates.length - done) : null,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, dates.length)) }, lane));
  return results;
}

export interface DateOutcomes {
  /** every date that ran (with or without rows): its inputs are part of the lineage */
  built: BuildDateResult[];
  /** dates that produced rows */
  ok: BuildDateResult[];
  empty: string[];
  errors: string[];
  signals: number;
  status: "success" | "partial" | "failed";
}

export function sortOutcomes(dates: readonly string[], results: readonly (BuildDateResult | Error)[]): DateOutcomes {
  const out: DateOutcomes = { built: [], ok: [], empty: [], errors: [], signals: 0, status: "success" };
  results.forEach((r, i) => {
    if (r instanceof Error) return void out.errors.push(`Error processing ${dates[i]}: ${r.message}`);
    out.built.push(r);
    if (r.rows === 0) {
      out.empty.push(r.date);
      log.info(`no signals for ${r.date}${r.note ? ` (${r.note})` : ""}`);
    } else out.ok.push(r);
  });
  out.signals = out.ok.reduce((s, r) => s + r.rows, 0);
  out.status = out.ok.length === 0 && out.errors.length > 0 ? "failed" : out.errors.length > 0 ? "partial" : "success";
  return out;
}

