/** The summary table of `lake simulate` / `lake replay`: one row per day, numbers right-aligned with separators. */
export function printTable(rows: Record<string, unknown>[]): void {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const cells = [cols.map((c) => c.toUpperCase()), ...rows.map((r) => cols.map((c) => (typeof r[c] === "number" ? (r[c] as number).toLocaleString("en-US") : String(r[c] ?? ""))))];
  const widths = cols.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  for (const r of cells) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
}

/** Rows as left-aligned columns two spaces apart (the last column unpadded); null/undefined → "-". */
export function table(rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c))));
  const widths: number[] = [];
  for (const r of cells) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}
