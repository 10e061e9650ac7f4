/** `lake gold export`: a dataset as Parquet (copied byte-for-byte) or CSV (RFC 4180, nulls empty). */
import { copyFileSync } from "node:fs";
import { cellValue, type Frame } from "../frame";
import { writeFileAtomic } from "../silver/fsutil";

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isNaN(v) ? "" : String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Int16Array) v = `[${[...v].join(",")}]`;
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function frameToCsv(frame: Frame): string {
  const lines = [frame.columnNames.map(csvCell).join(",")];
  for (let i = 0; i < frame.numRows; i++) lines.push(frame.columns.map((c) => csvCell(cellValue(c, i))).join(","));
  return lines.join("\n") + "\n";
}

export function exportParquet(src: string, out: string): void {
  copyFileSync(src, out);
}

export function exportCsv(frame: Frame, out: string): void {
  writeFileAtomic(out, frameToCsv(frame));
}
