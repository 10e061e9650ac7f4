/** The summary table of `lake simulate` / `lake replay`: one row per day, numbers right-aligned with separators. */
export function printTable(rows: Record<string, unknown>[]): void {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const cells = [cols.map((c) => c.toUpperCase()), ...rows.map((r) => cols.map((c) => (typeof r[c] === "number" ? (r[c] as number).toLocaleString("en-US") : String(r[c] ?? ""))))];
  const widths = cols.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  for (const r of cells) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
}
