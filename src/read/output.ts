/**
 * Printing query/reader results for the CLI: aligned table, CSV, JSON, Parquet.
 *
 * Results arrive as a stream of Frames and text formats are written batch by batch, so a
 * 50M-row result never sits in memory to be printed. The table takes its column widths
 * from the first batch (capped, long cells truncated with "…") and ends with the row count
 * and elapsed time. Parquet needs the whole result (one file, footer last): batches are
 * concatenated and encoded through the lake codec.
 */
import { cellValue, concatFrames, type Column, type Frame } from "../frame";
import { UsageError } from "../errors";
import { frameToParquet } from "./frame-export";
import { formatEpochDay } from "../time/calendar";

export type OutputFormat = "table" | "csv" | "json" | "parquet";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "csv", "json", "parquet"];

export function parseFormat(v: unknown, json?: boolean): OutputFormat {
  if (v === undefined || v === "") return json ? "json" : "table";
  if (!OUTPUT_FORMATS.includes(v as OutputFormat)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(", ")}, got ${JSON.stringify(v)}`);
  return v as OutputFormat;
}

interface Sink {
  write(s: string | Uint8Array): Promise<void>;
  end(): Promise<void>;
}

/**
 * Bun FileSink over stdout or a file, flushed every ~1 MiB so a slow reader of our
 * stdout (a pager, `head`) applies backpressure instead of the output piling up in memory.
 */
function openSink(out?: string): Sink {
  const w = out ? Bun.file(out).writer() : Bun.stdout.writer();
  let pending = 0;
  return {
    async write(s) {
      pending += await w.write(s);
      if (pending >= 1 << 20) {
        pending = 0;
        await w.flush();
      }
    },
    async end() {
      await w.flush();
      if (out) await w.end();
    },
  };
}

const MAX_CELL = 40;

/** A cell as text: int64 exact, dates ISO, timestamps ISO with ns, lists as [a,b]. */
export function cellText(c: Column, i: number): string {
  const v = cellValue(c, i);
  if (v === null) return "";
  switch (c.type) {
    case "date32":
      return formatEpochDay(v as number);
    case "timestamp_ns": {
      const ns = v as bigint;
      const ms = ns / 1_000_000n;
      const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
      return new Date(Number(ms)).toISOString().slice(0, 19) + "." + frac.toString().padStart(9, "0") + "Z";
    }
    case "list_int16":
      return `[${Array.from(v as Int16Array).join(",")}]`;
    default:
      return String(v);
  }
}

function jsonCell(c: Column, i: number): string {
  const v = cellValue(c, i);
  if (v === null) return "null";
  switch (c.type) {
    case "int64":
      return (v as bigint).toString(); // exact digits: ns timestamps exceed 2^53
    case "float64":
      return Number.isFinite(v as number) ? String(v) : "null";
    case "bool":
      return v ? "true" : "false";
    case "int8":
    case "int16":
    case "int32":
      return String(v);
    case "list_int16":
      return `[${Array.from(v as Int16Array).join(",")}]`;
    default:
      return JSON.stringify(cellText(c, i));
  }
}

/** RFC 4180 quoting of one CSV field (also used by `lake gold export`, src/gold/export.ts). */
export function csvQuote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const RIGHT_ALIGNED = new Set(["int8", "int16", "int32", "int64", "float64"]);

export interface WriteResultOptions {
  format: OutputFormat;
  out?: string;
  /** Set to print the footer "N rows (elapsed s)" after a table. */
  startedAt?: number;
}

/** Write a stream of Frames; returns the number of rows written. */
export async function writeResult(frames: AsyncIterable<Frame>, opts: WriteResultOptions): Promise<number> {
  if (opts.format === "parquet") return writeParquet(frames, opts.out);
  const sink = openSink(opts.out);
  let rows = 0;
  let widths: number[] | null = null;
  let first = true;
  for await (const f of frames) {
    if (opts.format === "table") {
      const right = f.columns.map((c) => RIGHT_ALIGNED.has(c.type));
      if (!widths) {
        widths = f.columns.map((c) => {
          let w = c.name.length;
          for (let i = 0; i < Math.min(f.numRows, 1000); i++) w = Math.max(w, Math.min(MAX_CELL, cellText(c, i).length));
          return w;
        });
        await sink.write(f.columns.map((c, j) => pad(c.name, widths![j]!, right[j]!)).join("  ") + "\n");
        await sink.write(widths.map((w) => "─".repeat(w)).join("  ") + "\n");
      }
      const lines: string[] = [];
      for (let i = 0; i < f.numRows; i++) {
        lines.push(f.columns.map((c, j) => pad(clip(cellText(c, i)), widths![j]!, right[j]!)).join("  "));
      }
      if (lines.length) await sink.write(lines.join("\n") + "\n");
    } else if (opts.format === "csv") {
      if (first) await sink.write(f.columns.map((c) => csvQuote(c.name)).join(",") + "\n");
      const lines: string[] = [];
      for (let i = 0; i < f.numRows; i++) lines.push(f.columns.map((c) => csvQuote(cellText(c, i))).join(","));
      if (lines.length) await sink.write(lines.join("\n") + "\n");
    } else {
      const names = f.columns.map((c) => JSON.stringify(c.name) + ":");
      const lines: string[] = [];
      for (let i = 0; i < f.numRows; i++) {
        lines.push("{" + f.columns.map((c, j) => names[j] + jsonCell(c, i)).join(",") + "}");
      }
      if (first) await sink.write("[");
      if (lines.length) await sink.write((rows > 0 ? ",\n" : "\n") + lines.join(",\n"));
    }
    rows += f.numRows;
    first = false;
  }
  if (opts.format === "json") await sink.write(first ? "[]\n" : "\n]\n");
  if (opts.format === "table" && opts.startedAt !== undefined) {
    const s = ((performance.now() - opts.startedAt) / 1000).toFixed(3);
    await sink.write(`(${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"}, ${s} s)\n`);
  }
  await sink.end();
  return rows;
}

async function writeParquet(frames: AsyncIterable<Frame>, out?: string): Promise<number> {
  if (!out && process.stdout.isTTY) throw new UsageError("--format parquet writes binary: give --out FILE or redirect stdout");
  const parts: Frame[] = [];
  for await (const f of frames) parts.push(f);
  const all = parts.length === 1 ? parts[0]! : concatFrames(parts);
  const sink = openSink(out);
  await sink.write(frameToParquet(all));
  await sink.end();
  return all.numRows;
}

function clip(s: string): string {
  return s.length > MAX_CELL ? s.slice(0, MAX_CELL - 1) + "…" : s;
}

function pad(s: string, w: number, right: boolean): string {
  return right ? s.padStart(w) : s.padEnd(w);
}
