/**
 * `lake silver lookahead`: proves, column by column, which features see the future. For
 * every event (or a seeded sample) the pipeline is re-run on Bronze cut at the event's
 * decision time (the variant's `decisionTimeNs`: the event ts [REF], the end of the entry
 * bar with the D-2 fix) and each column of the event's row is compared with the whole-day
 * run. A non-label column whose value changes LEAKS; label columns (group "label") are the
 * future by definition and are reported apart.
 *
 * The event itself is checked too ("event trigger"): if detection on the cut data does not
 * produce the event, S6 builds it from what was known (level price then, the last bar begun
 * by then) so its columns can still be compared, and the trigger is counted as a leak.
 */
import { memoInput, type BronzeInput } from "../pipeline/bronze-input";
import { resolveConfig, type ConfigOverrides, type PipelineConfig } from "../pipeline/config";
import { LABEL_COLUMNS as LABELS, silverSchemaFor } from "../../schemas/silver";
import type { Variant } from "../../core/variant";
import { analyseRows, chooseRows, emptyPart, mergeParts, prepareDate, type DatePart, type PreparedDate } from "./date-part";

export interface LookaheadOptions {
  bronze: BronzeInput;
  dates: readonly string[];
  variant: Variant;
  /** version name, for the report */
  version: string;
  config?: ConfigOverrides;
  /** analyse a seeded random sample of this many events (all dates together) */
  sample?: number;
  seed?: number;
  /** events done of the total (dates done of all dates when `runDates` runs them) */
  onProgress?: (done: number, total: number) => void;
  /** run the dates elsewhere (distributed); default: here, one after the other */
  runDates?: LookaheadDateRunner;
}

export type Verdict = "causal" | "LEAKS" | "label";

export interface ColumnFinding {
  column: string;
  label: boolean;
  compared: number;
  changed: number;
  /** largest |whole-day − cut| over numeric changes; null when only nullness/text changed */
  max_abs_change: number | null;
  max_rel_change: number | null;
  /** the first few event ids whose value changed */
  examples: string[];
  verdict: Verdict;
}

export interface TriggerFinding {
  checked: number;
  /** events detection does not produce on the cut data (built from what was known instead) */
  not_detected: number;
  /** events that cannot be built at all at their decision time (level unknown then) */
  missing: number;
  examples: string[];
  verdict: Exclude<Verdict, "label">;
}

export interface LookaheadReport {
  version: string;
  variant: Variant;
  decision_time: string;
  /** dates analysed */
  dates: string[];
  /** dates the pipeline cannot build (e.g. warm-up-only days without a book) */
  dates_skipped: { date: string; reason: string }[];
  events_total: number;
  events_checked: number;
  /** pipeline re-runs (events sharing a decision time share one run) */
  runs: number;
  trigger: TriggerFinding;
  columns: ColumnFinding[];
  /** non-label columns that leak, plus "event_trigger" when the event set itself leaks */
  leaking: string[];
  /** label columns whose value depends on data after the decision time (expected) */
  labels_future: string[];
  seconds: number;
}

const LABEL_COLUMNS = new Set(LABELS);

export function isLabelColumn(name: string): boolean {
  return LABEL_COLUMNS.has(name);
}

/** How the dates run somewhere else (`--distributed`): first their event counts (a sample needs them), then their parts. */
export interface LookaheadDateRunner {
  count(date: string): Promise<{ events: number; skipped?: string }>;
  analyse(date: string, rows: number[] | null): Promise<DatePart>;
}

export async function analyseLookahead(o: LookaheadOptions): Promise<LookaheadReport> {
  const t0 = performance.now();
  const cfg = resolveConfig(o.variant, o.config);
  const parts = o.runDates ? await remoteParts(o, o.runDates) : await localParts(o, cfg);
  // with no date run, every column of the variant's schema, including those its fix switches add
  const m = mergeParts(parts, silverSchemaFor(cfg.fixes).columns.map((c) => c.name));
  const { names, accs } = m;
  const trigger: TriggerFinding = { checked: m.trigger.checked, not_detected: m.trigger.notDetected, missing: m.trigger.missing, examples: m.trigger.examples, verdict: "causal" };
  if (trigger.not_detected + trigger.missing > 0) trigger.verdict = "LEAKS";

  const columns: ColumnFinding[] = names.map((column) => {
    const a = accs.get(column)!;
    const label = isLabelColumn(column);
    const numeric = a.maxAbs > 0;
    return {
      column,
      label,
      compared: a.compared,
      changed: a.changed,
      max_abs_change: numeric ? a.maxAbs : null,
      max_rel_change: numeric ? a.maxRel : null,
      examples: a.examples,
      verdict: label ? "label" : a.changed > 0 ? "LEAKS" : "causal",
    };
  });
  return {
    version: o.version,
    variant: o.variant,
    decision_time: cfg.fixes.barEndDecision ? "end of the entry bar (ts + 60 s − 1 ns)" : "event ts (start of the entry bar)",
    dates: m.dates,
    dates_skipped: m.skipped,
    events_total: m.eventsTotal,
    events_checked: trigger.checked,
    runs: m.runs,
    trigger,
    columns,
    leaking: [...(trigger.verdict === "LEAKS" ? ["event_trigger"] : []), ...columns.filter((c) => c.verdict === "LEAKS").map((c) => c.column)],
    labels_future: columns.filter((c) => c.label && c.changed > 0).map((c) => c.column),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Every date here, each read once (memoInput: a date is also the next dates' warm-up). */
async function localParts(o: LookaheadOptions, cfg: PipelineConfig): Promise<DatePart[]> {
  const bronze = memoInput(o.bronze);
  const prepared: (PreparedDate | { date: string; skipped: string })[] = [];
  for (const date of o.dates) {
    const p = await prepareDate(bronze, date, o.variant, cfg);
    prepared.push("skipped" in p ? { date, skipped: p.skipped } : p);
  }
  const built = prepared.filter((p): p is PreparedDate => !("skipped" in p));
  const rows = chooseRows(built.map((p) => p.full.numRows), o.sample, o.seed ?? 0);
  const total = rows.reduce((s, r, i) => s + (r ? r.length : built[i]!.full.numRows), 0);
  let done = 0;
  const parts: DatePart[] = [];
  for (const p of prepared) {
    if ("skipped" in p) {
      parts.push(emptyPart(p.date, 0, p.skipped));
      continue;
    }
    parts.push(await analyseRows(p, rows[built.indexOf(p)]!, cfg, (n) => o.onProgress?.((done += n), total)));
  }
  return parts;
}

/** Every date on the runner: counts first when sampling (the draw needs every date's events), then the parts. */
async function remoteParts(o: LookaheadOptions, run: LookaheadDateRunner): Promise<DatePart[]> {
  let rows: (number[] | null)[] = o.dates.map(() => null);
  let counts: { events: number; skipped?: string }[] | null = null;
  if (o.sample !== undefined) {
    counts = await Promise.all(o.dates.map((d) => run.count(d)));
    const builtIdx = o.dates.map((_, i) => i).filter((i) => !counts![i]!.skipped);
    const chosen = chooseRows(builtIdx.map((i) => counts![i]!.events), o.sample, o.seed ?? 0);
    rows = o.dates.map((_, i) => (builtIdx.includes(i) ? chosen[builtIdx.indexOf(i)]! : []));
  }
  let done = 0;
  return Promise.all(
    o.dates.map(async (date, i) => {
      const c = counts?.[i];
      if (c?.skipped) return emptyPart(date, 0, c.skipped);
      if (c && rows[i]!.length === 0) return emptyPart(date, c.events);
      const part = await run.analyse(date, rows[i]!);
      o.onProgress?.(++done, o.dates.length);
      return part;
    }),
  );
}
