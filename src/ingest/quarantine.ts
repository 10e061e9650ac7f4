/**
 * Quarantine for bad input (contracts §1.10, §9 N-2/N-3): a message that fails decoding or
 * validation is never dropped silently and never fails its batch. It becomes one NDJSON line
 * in `_quarantine/{table}/date=YYYY-MM-DD/part-….ndjson` (date = UTC wall clock of the
 * flush: the message's own timestamp may be the very thing that is wrong), written by the
 * same flush — and under the same intent/commit protocol — as the good rows around it, so
 * the message is acked only once its quarantine line is durable.
 */
import { partFileName } from "./commit";

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

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/** Copy a bad message out of shared memory into one NDJSON line. */
export function quarantineLine(subject: Uint8Array | string, seq: number, reason: string, body: Uint8Array): string {
  let raw: string | null;
  try {
    raw = utf8.decode(body);
  } catch {
    raw = null;
  }
  const line: QuarantineLine = {
    subject: typeof subject === "string" ? subject : latin1.decode(subject),
    stream_seq: seq,
    reason,
    received_at: new Date().toISOString(),
    raw,
    raw_base64: Buffer.from(body).toString("base64"),
  };
  return JSON.stringify(line);
}

export function quarantineKey(table: string, writer: string, flushId: number, fromSeq: number, toSeq: number, now = new Date()): string {
  const date = now.toISOString().slice(0, 10);
  return `_quarantine/${table}/date=${date}/${partFileName(writer, flushId, fromSeq, toSeq, "ndjson", now)}`;
}
