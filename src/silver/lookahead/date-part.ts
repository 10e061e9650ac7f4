/**
 * The look-ahead analysis of one date, and the merge of dates into the report's findings —
 * split so that dates can run anywhere (`lake silver lookahead --distributed` runs them on
 * `lake worker`s) and still give the report a local run gives:
 *
 *  - `prepareDate`: the date's Bronze and its whole-day run (the reference rows);
 *  - `chooseRows`: which events are analysed — all, or a seeded sample drawn over every date
 *    together from the per-date event counts only;
 *  - `analyseRows`: re-run the day cut at each chosen event's decision time and compare;
 *  - `mergeParts`: in date order, exactly what one pass over all dates accumulates.
 */
import { cellValue, type Column, type Frame } from "../../frame";
import { mulberry32 } from "../../core/mulberry32";
import type { Variant } from "../../core/variant";
import type { BronzeInput } from "../pipeline/bronze-input";
import { decisionTimeNs, type PipelineConfig } from "../pipeline/config";
import type { Bars, EventProbe } from "../pipeline/context";
import { TruncatableDay } from "./day";
import { contextFor, runAt, type DayRunner } from "./run-at";

export const EXAMPLES = 3;
/** Relative/absolute tolerance for "unchanged": float summation order may differ across cuts. */
const REL_TOL = 1e-9;
const ABS_TOL = 1e-12;

export interface Acc {
  compared: number;
  changed: number;
  maxAbs: number;
  maxRel: number;
  examples: string[];
}

/** What one date contributes to the report (structured-clone and JSON friendly). */
export interface DatePart {
  date: string;
  /** why the pipeline builds nothing for this date; the rest is then empty */
  skipped?: string;
  /** events of the whole-day run */
  events: number;
  /** pipeline re-runs (events sharing a decision time share one) */
  runs: number;
  checked: number;
  notDetected: number;
  missing: number;
  triggerExamples: string[];
  /** the run's columns, in order, with what changed in each */
  columns: ({ name: string } & Acc)[];
}

export interface PreparedDate {
  runner: DayRunner;
  full: Frame;
}

export async function prepareDate(bronze: BronzeInput, date: string, variant: Variant, cfg: PipelineConfig): Promise<PreparedDate | { skipped: string }> {
  const base = { date, variant, cfg, bronze };
  const ctx = contextFor(base);
  const day = await TruncatableDay.load(bronze, ctx);
  if (day.bookRows(ctx) === 0) return { skipped: "no MBP-10 rows in the book load window: the pipeline builds no rows for this date" };
  const runner: DayRunner = { ...base, day, warmupBars: new Map<string, Bars>() };
  return { runner, full: await runAt(runner, null) };
}

/**
 * Per date, the rows to analyse: every row (null) without a sample; else a seeded draw of
 * `sample` events over all dates' events in (date, row) order.
 */
export function chooseRows(counts: readonly number[], sample: number | undefined, seed: number): (number[] | null)[] {
  const total = counts.reduce((s, n) => s + n, 0);
  if (sample === undefined || sample >= total) return counts.map(() => null);
  const all: [number, number][] = counts.flatMap((n, d) => Array.from({ length: n }, (_, row) => [d, row] as [number, number]));
  const rand = mulberry32(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const out: number[][] = counts.map(() => []);
  for (const [d, row] of all.slice(0, sample)) out[d]!.push(row);
  return out.map((rows) => rows.sort((a, b) => a - b));
}

function compareCell(acc: Acc, a: unknown, b: unknown, id: string): void {
  acc.compared++;
  let changed: boolean;
  if (a === null || b === null) changed = a !== b;
  else if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) changed = Number.isNaN(a) !== Number.isNaN(b);
    else {
      const d = Math.abs(a - b);
      const rel = d / Math.max(Math.abs(a), Math.abs(b));
      changed = d > ABS_TOL && rel > REL_TOL;
      if (changed) {
        acc.maxAbs = Math.max(acc.maxAbs, d);
        acc.maxRel = Math.max(acc.maxRel, rel);
      }
    }
  } else if (typeof a === "bigint" && typeof b === "bigint") {
    changed = a !== b;
    if (changed) {
      const d = Math.abs(Number(a - b));
      acc.maxAbs = Math.max(acc.maxAbs, d);
      acc.maxRel = Math.max(acc.maxRel, d / Math.max(Math.abs(Number(a)), Math.abs(Number(b))));
    }
  } else changed = a !== b;
  if (changed) {
    acc.changed++;
    if (acc.examples.length < EXAMPLES) acc.examples.push(id);
  }
}

/** Analyse `rows` of the date (null = every event); `onEvents` after each re-run with the events it checked. */
export async function analyseRows(p: PreparedDate, rows: readonly number[] | null, cfg: PipelineConfig, onEvents?: (n: number) => void): Promise<DatePart> {
  const { full, runner } = p;
  const ids = full.values<string[]>("event_id");
  const ts = full.values<BigInt64Array>("ts_ns");
  const kind = full.values<string[]>("level_kind_name");
  const dir = full.values<string[]>("direction");
  const names = full.columnNames;
  const accs = names.map((name) => ({ name, compared: 0, changed: 0, maxAbs: 0, maxRel: 0, examples: [] as string[] }));
  const part: DatePart = { date: runner.date, events: full.numRows, runs: 0, checked: 0, notDetected: 0, missing: 0, triggerExamples: [], columns: accs };
  const groups = new Map<bigint, number[]>();
  for (const row of rows ?? Array.from({ length: full.numRows }, (_, i) => i)) {
    const cut = decisionTimeNs(cfg, ts[row]!);
    let g = groups.get(cut);
    if (!g) groups.set(cut, (g = []));
    g.push(row);
  }
  part.runs = groups.size;
  for (const [cut, group] of groups) {
    const probes: EventProbe[] = group.map((row) => ({ ts: ts[row]!, kindName: kind[row]!, dir: dir[row] === "UP" ? 1 : -1 }));
    const cutFrame = await runAt(runner, cut, probes);
    const rowOf = new Map(cutFrame.values<string[]>("event_id").map((id, i) => [id, i]));
    group.forEach((row, k) => {
      const probe = probes[k]!;
      const id = ids[row]!;
      part.checked++;
      const at = probe.eventId !== undefined ? rowOf.get(probe.eventId) : undefined;
      if (probe.missing || at === undefined) {
        part.missing++;
        if (part.triggerExamples.length < EXAMPLES) part.triggerExamples.push(id);
        return;
      }
      if (probe.forced) {
        part.notDetected++;
        if (part.triggerExamples.length < EXAMPLES) part.triggerExamples.push(id);
      }
      names.forEach((name, c) => compareCell(accs[c]!, cellValue(full.column(name) as Column, row), cellValue(cutFrame.column(name) as Column, at), id));
    });
    onEvents?.(group.length);
  }
  return part;
}

export interface MergedParts {
  dates: string[];
  skipped: { date: string; reason: string }[];
  eventsTotal: number;
  runs: number;
  trigger: { checked: number; notDetected: number; missing: number; examples: string[] };
  names: string[];
  accs: Map<string, Acc>;
}

/** Sum the dates' parts in date order: examples keep the first few across dates, as one pass would. */
export function mergeParts(parts: readonly DatePart[], schemaNames: readonly string[]): MergedParts {
  const built = parts.filter((p) => !p.skipped);
  // a date none of whose events was chosen contributes no columns (it was never run)
  const names = built.find((p) => p.columns.length)?.columns.map((c) => c.name) ?? [...schemaNames];
  const accs = new Map<string, Acc>(names.map((n) => [n, { compared: 0, changed: 0, maxAbs: 0, maxRel: 0, examples: [] }]));
  const trigger = { checked: 0, notDetected: 0, missing: 0, examples: [] as string[] };
  for (const p of built) {
    trigger.checked += p.checked;
    trigger.notDetected += p.notDetected;
    trigger.missing += p.missing;
    trigger.examples.push(...p.triggerExamples.slice(0, EXAMPLES - trigger.examples.length));
    for (const c of p.columns) {
      const a = accs.get(c.name);
      if (!a) continue;
      a.compared += c.compared;
      a.changed += c.changed;
      a.maxAbs = Math.max(a.maxAbs, c.maxAbs);
      a.maxRel = Math.max(a.maxRel, c.maxRel);
      a.examples.push(...c.examples.slice(0, EXAMPLES - a.examples.length));
    }
  }
  return {
    dates: built.map((p) => p.date),
    skipped: parts.filter((p) => p.skipped).map((p) => ({ date: p.date, reason: p.skipped! })),
    eventsTotal: built.reduce((s, p) => s + p.events, 0),
    runs: built.reduce((s, p) => s + p.runs, 0),
    trigger,
    names,
    accs,
  };
}

/** An empty part: a date skipped, or with no chosen event. */
export function emptyPart(date: string, events: number, skipped?: string): DatePart {
  return { date, events, runs: 0, checked: 0, notDetected: 0, missing: 0, triggerExamples: [], columns: [], ...(skipped ? { skipped } : {}) };
}
