/**
 * Quarantine for bad input (contracts §1.10, §9 N-2/N-3): a message that fails decoding or
 * validation is never dropped silently and never fails its batch. It becomes one NDJSON line
 * in `_quarantine/{table}/date=YYYY-MM-DD/part-….ndjson` (date = UTC wall clock of the
 * flush: the message's own timestamp may be the very thing that is wrong), written by the
 * same flush — and under the same intent/commit protocol — as the good rows around it, so
 * the message is acked only once its quarantine line is durable.
 *
 * Bounded: lines are bytes counted against QUARANTINE_BATCH_BYTES (flush trigger and
 * backpressure, like rows), written as a list of chunks (never joined into one string) and
 * rotated into files of at most QUARANTINE_FILE_BYTES.
 */
import { partFileName } from "../common/commit";

export interface QuarantineLine {
  subject: string;
  stream_seq: number;
  reason: string;
  received_at: string;
  /** The body as text when it is valid UTF-8 (convenient to read), else null. */
  raw: string | null;
  /** The exact raw bytes. */
  raw_base64: string;
}

/** A batch's quarantine triggers a flush (and, while one is in flight, backpressure) at this size. */
export const QUARANTINE_BATCH_BYTES = 16 * 1024 * 1024;
/** A quarantine file holds at most this many bytes (one line may exceed it alone): larger batches rotate into more files. */
export const QUARANTINE_FILE_BYTES = 8 * 1024 * 1024;
/** A flush that quarantined at least this many bytes asks for a garbage collection. */
export const QUARANTINE_GC_BYTES = 4 * 1024 * 1024;
/** Above this size `raw` is null: raw_base64 already has the bytes, and escaped text would double the line. */
export const QUARANTINE_RAW_TEXT_MAX = 64 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * Copy a bad message out of shared memory into one NDJSON line (bytes, newline included).
 * The small fields go through JSON.stringify; the base64 of the body is written straight
 * into the line's buffer, so a 1 MiB message costs one base64 string and the line itself.
 */
export function quarantineLine(subject: Uint8Array | string, seq: number, reason: string, body: Uint8Array): Uint8Array {
  let raw: string | null = null;
  if (body.length <= QUARANTINE_RAW_TEXT_MAX) {
    try {
      raw = utf8.decode(body);
    } catch {
      raw = null;
    }
  }
  const head: Omit<QuarantineLine, "raw_base64"> = {
    subject: typeof subject === "string" ? subject : latin1.decode(subject),
    stream_seq: seq,
    reason,
    received_at: new Date().toISOString(),
    raw,
  };
  const b64 = Buffer.from(body.buffer, body.byteOffset, body.length).toString("base64");
  const prefix = JSON.stringify(head).slice(0, -1) + ',"raw_base64":"';
  const out = Buffer.allocUnsafe(Buffer.byteLength(prefix) + b64.length + 3);
  let o = out.write(prefix, 0, "utf8");
  o += out.write(b64, o, "latin1");
  out.write('"}\n', o, "latin1");
  return out;
}

/** The quarantine lines of one batch, kept as bytes and counted, so memory is bounded by bytes, not lines. */
export class QuarantineLines {
  lines: Uint8Array[] = [];
  seqs: number[] = [];
  bytes = 0;

  get count(): number {
    return this.lines.length;
  }

  push(seq: number, line: Uint8Array): void {
    this.lines.push(line);
    this.seqs.push(seq);
    this.bytes += line.length;
  }

  clear(): void {
    this.lines = [];
    this.seqs = [];
    this.bytes = 0;
  }

  /** Split into files of at most `cap` bytes each (rotation), in arrival order. */
  files(cap = QUARANTINE_FILE_BYTES): { lines: Uint8Array[]; fromSeq: number; toSeq: number }[] {
    const out: { lines: Uint8Array[]; fromSeq: number; toSeq: number }[] = [];
    let cur: { lines: Uint8Array[]; fromSeq: number; toSeq: number } | null = null;
    let size = 0;
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      if (!cur || (size > 0 && size + line.length > cap)) {
        cur = { lines: [], fromSeq: this.seqs[i]!, toSeq: this.seqs[i]! };
        out.push(cur);
        size = 0;
      }
      cur.lines.push(line);
      cur.toSeq = this.seqs[i]!;
      size += line.length;
    }
    return out;
  }
}

export function quarantineKey(table: string, writer: string, flushId: number, fromSeq: number, toSeq: number, now = new Date()): string {
  const date = now.toISOString().slice(0, 10);
  return `_quarantine/${table}/date=${date}/${partFileName(writer, flushId, fromSeq, toSeq, "ndjson", now)}`;
}
