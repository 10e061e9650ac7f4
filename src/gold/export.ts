/** `lake gold export`: a dataset as Parquet (copied byte-for-byte) or CSV (RFC 4180, nulls empty). */
import { cellValue, type Frame } from "../frame";
import { csvQuote } from "../read/output";
import { copyFileAtomic, writeFileAtomic } from "../core/atomic-file";

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isNaN(v) ? "" : String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Int16Array) v = `[${[...v].join(",")}]`;
  return csvQuote(String(v));
}

export function frameToCsv(frame: Frame): string {
  const lines = [frame.columnNames.map(csvCell).join(",")];
  for (let i = 0; i < frame.numRows; i++) lines.push(frame.columns.map((c) => csvCell(cellValue(c, i))).join(","));
  return lines.join("\n") + "\n";
}

export function exportParquet(src: string, out: string): void {
  copyFileAtomic(src, out);
}

export function exportCsv(frame: Frame, out: string): void {
  writeFileAtomic(out, frameToCsv(frame));
}
