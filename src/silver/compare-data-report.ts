/** Text of the data part of `lake silver compare`. */
import type { DataComparison } from "./compare-data";

const num = (x: number | null) => (x === null ? "-" : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(4).replace(/\.?0+$/, ""));

export function formatDataComparison(d: DataComparison, a: string, b: string): string {
  if (!d.dates.length) return "data: no date built in both versions";
  const lines = [
    `data: ${d.dates.length} common date(s)${d.dates_only_a.length ? `, only in ${a}: ${d.dates_only_a.join(", ")}` : ""}${d.dates_only_b.length ? `, only in ${b}: ${d.dates_only_b.join(", ")}` : ""}`,
    `events: ${a} ${d.events_a}, ${b} ${d.events_b} (${d.events_b - d.events_a >= 0 ? "+" : ""}${d.events_b - d.events_a}); matched on (ts, level kind, direction): ${d.matched}`,
  ];
  for (const [side, u] of [[a, d.only_a], [b, d.only_b]] as const) {
    if (!u.count) continue;
    lines.push(`  only in ${side}: ${u.count}`);
    for (const [why, n] of Object.entries(u.reasons).sort((x, y) => y[1] - x[1])) lines.push(`    ${String(n).padStart(5)}  ${why}`);
  }
  const changed = d.columns.filter((c) => c.rows_changed > 0).sort((x, y) => y.rows_changed - x.rows_changed);
  lines.push(`columns changed on matched rows: ${changed.length} of ${d.columns.length}`);
  for (const c of changed) lines.push(`  ${c.column.padEnd(28)} ${String(c.rows_changed).padStart(6)}/${String(c.rows_compared).padEnd(6)} max|Δ| ${num(c.max_abs_change).padEnd(10)} mean|Δ| ${num(c.mean_abs_change)}`);
  lines.push("label distributions:");
  for (const l of d.labels) {
    const keys = [...new Set([...Object.keys(l.a), ...Object.keys(l.b)])].sort();
    lines.push(`  ${l.column.padEnd(14)} ${keys.map((k) => `${k} ${l.a[k] ?? 0}→${l.b[k] ?? 0}`).join("  ")}`);
  }
  return lines.join("\n");
}
