/**
 * "Best experiment by metric" (contracts §5.7 Recommended): among `completed`
 * experiments that carry a finite numeric value for the metric, the highest (or lowest);
 * ties broken by the latest `created_at`, then by registry order (first wins). Experiments
 * without the metric, or not completed, are listed with the reason they were passed over.
 */
import { LakeError } from "../errors";
import type { ExperimentRecord } from "../silver/experiments";

export interface BestSelection {
  metric: string;
  higher_is_better: boolean;
  selected: ExperimentRecord;
  value: number;
  /** other experiments with exactly the same metric value */
  tied_with: string[];
  tie_break: "none" | "latest_created_at" | "registry_order";
  skipped: { id: string; reason: string }[];
}

function metricValue(r: ExperimentRecord, metric: string): number | null {
  const v = r.metrics?.[metric];
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

export function selectBest(records: ExperimentRecord[], metric: string, higherIsBetter = true): BestSelection {
  const skipped: { id: string; reason: string }[] = [];
  const cands: { r: ExperimentRecord; v: number; i: number }[] = [];
  records.forEach((r, i) => {
    if (r.status !== "completed") return void skipped.push({ id: r.id, reason: `status is ${r.status}` });
    const v = metricValue(r, metric);
    if (v === null) return void skipped.push({ id: r.id, reason: r.metrics && metric in r.metrics ? `metric ${metric} is not a finite number` : `no metric ${metric}` });
    cands.push({ r, v, i });
  });
  if (!cands.length) {
    throw new LakeError(
      `no completed experiment has a numeric metric "${metric}"` + (skipped.length ? ` (skipped: ${skipped.map((s) => `${s.id}: ${s.reason}`).join("; ")})` : " (the registry is empty)"),
    );
  }
  const best = cands.reduce((b, c) => (higherIsBetter ? (c.v > b ? c.v : b) : c.v < b ? c.v : b), cands[0]!.v);
  const top = cands.filter((c) => c.v === best);
  let tie_break: BestSelection["tie_break"] = "none";
  let winner = top[0]!;
  if (top.length > 1) {
    const latest = top.reduce((a, c) => (c.r.created_at > a ? c.r.created_at : a), "");
    const newest = top.filter((c) => c.r.created_at === latest);
    winner = newest[0]!;
    tie_break = newest.length > 1 ? "registry_order" : "latest_created_at";
  }
  return {
    metric,
    higher_is_better: higherIsBetter,
    selected: winner.r,
    value: winner.v,
    tied_with: top.filter((c) => c !== winner).map((c) => c.r.id),
    tie_break,
    skipped,
  };
}
