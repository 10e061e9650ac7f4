/**
 * Printing query/reader results for the CLI: aligned table, CSV, JSON, Parquet.
 *
 * Results arrive as a stream of Frames and text formats are written batch by batch, so a
 * 50M-row result never sits in memory to be printed. The table takes its column widths
 * from the first batch (capped, long cells truncated with "…") and ends with the row count
 * and elapsed time. Parquet is written row group by row group (footer last), so it streams too.
 */
import { cellValue, type Column, type Frame } from "../frame";
import { UsageError } from "../errors";
import { schemaOfFrame } from "./frame-export";
import { ParquetStreamWriter } from "../parquet/stream-writer";
import { formatEpochDay } from "../core/time/calendar";

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

/** How event times print in tables and CSV: ISO-8601 with all 9 digits, or integer ns. */
export type TsStyle = "iso" | "ns";

/** int64 nanosecond times by the lake's naming (ts_event_ns, ts_recv_ns, ts_ns). */
function isNsTimeColumn(c: Column): boolean {
  return c.type === "int64" && (c.name === "ts_ns" || /^ts_[a-z_]*_ns$/.test(c.name));
}

function isoNs(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  return new Date(Number(ms)).toISOString().slice(0, 19) + "." + frac.toString().padStart(9, "0") + "Z";
}

/**
 * A cell as text: int64 exact, dates ISO, lists as [a,b]; times (timestamp columns and the
 * int64 `ts_*_ns` columns) ISO with ns or integer ns per `ts` (default: ISO for timestamp
 * columns, ns for the int64 ones — what the file holds).
 */
export function cellText(c: Column, i: number, ts?: TsStyle): string {
  const v = cellValue(c, i);
  if (v === null) return "";
  if (ts === "iso" && isNsTimeColumn(c)) return isoNs(v as bigint);
  switch (c.type) {
    case "date32":
      return formatEpochDay(v as number);
    case "timestamp_ns":
      return ts === "ns" ? (v as bigint).toString() : isoNs(v as bigint);
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
  /** times in table/CSV output (default: iso in tables, ns in CSV) */
  ts?: TsStyle;
}

/** Write a stream of Frames; returns the number of rows written. */
export async function writeResult(frames: AsyncIterable<Frame>, opts: WriteResultOptions): Promise<number> {
  if (opts.format === "parquet") return writeParquet(frames, opts.out);
  const sink = openSink(opts.out);
  let rows = 0;
  let widths: number[] | null = null;
  let first = true;
  const ts: TsStyle = opts.ts ?? (opts.format === "table" ? "iso" : "ns");
  for await (const f of frames) {
    if (opts.format === "table") {
      const right = f.columns.map((c) => RIGHT_ALIGNED.has(c.type) && !(ts === "iso" && isNsTimeColumn(c)));
      if (!widths) {
        widths = f.columns.map((c) => {
          let w = c.name.length;
          for (let i = 0; i < Math.min(f.numRows, 1000); i++) w = Math.max(w, Math.min(MAX_CELL, cellText(c, i, ts).length));
          return w;
        });
        await sink.write(f.columns.map((c, j) => pad(c.name, widths![j]!, right[j]!)).join("  ") + "\n");
        await sink.write(widths.map((w) => "─".repeat(w)).join("  ") + "\n");
      }
      const lines: string[] = [];
      for (let i = 0; i < f.numRows; i++) {
        lines.push(f.columns.map((c, j) => pad(clip(cellText(c, i, ts)), widths![j]!, right[j]!)).join("  "));
      }
      if (lines.length) await sink.write(lines.join("\n") + "\n");
    } else if (opts.format === "csv") {
      if (first) await sink.write(f.columns.map((c) => csvQuote(c.name)).join(",") + "\n");
      const lines: string[] = [];
      for (let i = 0; i < f.numRows; i++) lines.push(f.columns.map((c) => csvQuote(cellText(c, i, ts))).join(","));
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

/** Rows per row group of an export: about 50 MB of MBP-10 columns held at once, and the size compaction writes. */
const EXPORT_ROW_GROUP_ROWS = 131_072;

/**
 * Row group by row group through the lake codec (ParquetStreamWriter): memory holds one
 * row group, whatever the result size. Columns as the first batch has them (all nullable).
 */
async function writeParquet(frames: AsyncIterable<Frame>, out?: string): Promise<number> {
  if (!out && process.stdout.isTTY) throw new UsageError("--format parquet writes binary: give --out FILE or redirect stdout");
  const sink = openSink(out);
  let writer: ParquetStreamWriter | null = null;
  for await (const f of frames) {
    writer ??= new ParquetStreamWriter({ schema: schemaOfFrame(f), rowGroupRows: EXPORT_ROW_GROUP_ROWS }, (b) => sink.write(b));
    await writer.append(f);
  }
  if (!writer) throw new Error("the result stream ended without a batch");
  await writer.close();
  await sink.end();
  return writer.numRows;
}

function clip(s: string): string {
  return s.length > MAX_CELL ? s.slice(0, MAX_CELL - 1) + "…" : s;
}

function pad(s: string, w: number, right: boolean): string {
  return right ? s.padStart(w) : s.padEnd(w);
}
