/** Human-readable `lake silver lookahead` report. */
import type { ColumnFinding, LookaheadReport } from "./analyse";

const num = (x: number | null) => (x === null ? "-" : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(4).replace(/\.?0+$/, ""));

function row(c: ColumnFinding): string {
  return `  ${c.column.padEnd(28)} ${String(c.changed).padStart(5)}/${String(c.compared).padEnd(5)} max|Δ| ${num(c.max_abs_change).padEnd(10)} max rel ${num(c.max_rel_change).padEnd(10)} ${c.examples.join(" ")}`;
}

export function formatLookahead(r: LookaheadReport): string {
  const features = r.columns.filter((c) => !c.label);
  const leaks = features.filter((c) => c.verdict === "LEAKS");
  const labels = r.columns.filter((c) => c.label);
  const t = r.trigger;
  const lines = [
    `${r.version} (${r.variant} variant) — decision time: ${r.decision_time}`,
    `dates ${r.dates.join(", ") || "none"}: ${r.events_checked} of ${r.events_total} events checked in ${r.runs} cut runs, ${r.seconds.toFixed(1)} s`,
    ...r.dates_skipped.map((s) => `skipped ${s.date}: ${s.reason}`),
    `event trigger: ${t.verdict}${t.verdict === "LEAKS" ? ` — ${t.not_detected} not detected on the cut data, ${t.missing} not buildable (${t.examples.join(" ")})` : ""}`,
    `feature columns: ${features.length - leaks.length} causal, ${leaks.length} LEAK`,
    ...(leaks.length ? ["LEAKS (events changed/compared, largest change, first events):", ...leaks.map(row)] : []),
    `label columns (future by definition): ${labels.length}, ${r.labels_future.length} differ at the decision time`,
    r.leaking.length ? `verdict: LEAKS (${r.leaking.length})` : "verdict: causal — no feature column changes when Bronze is cut at the decision time",
  ];
  return lines.join("\n");
}
