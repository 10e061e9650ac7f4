/**
 * The message protocol between WorkerPool (main thread) and workers/batch.ts, and the
 * structured-clone helpers both sides share. Structured clone drops class prototypes, so
 * Frames travel as tagged plain objects and are rebuilt on arrival; errors travel as
 * {name, message, stack} and are rebuilt as the same lake error class (exit codes survive).
 */
import { Frame } from "../frame";
import { ConfigError, LakeError, UsageError } from "../errors";

export type ToWorker =
  | { type: "init"; workerIndex: number; duckdbThreads: number }
  | { type: "run"; id: number; task: string; payload: unknown }
  /** The answer to a `lend`: ran on another worker (ok / err), or declined (no worker was idle). */
  | { type: "lent"; callId: number; outcome: "ok" | "err" | "declined"; value?: unknown; error?: SerializedError };

export type FromWorker =
  | { type: "ready" }
  | { type: "ok"; id: number; value: unknown }
  | { type: "err"; id: number; error: SerializedError }
  | { type: "progress"; id: number; info: unknown }
  /** A running task asks for `task` to run on an idle worker of the same pool (TaskContext.lend). */
  | { type: "lend"; callId: number; task: string; payload: unknown }
  /** Sent just before the worker dies of an uncaught exception outside a task's promise. */
  | { type: "fatal"; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  exitCode?: number;
}

const FRAME_TAG = "__lakeFrame";
/** Arrays longer than this are leaves: we never walk a million-row utf8 column element-wise. */
const MAX_WALK_ARRAY = 1024;
const MAX_DEPTH = 6;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Replace Frames by tagged plain objects; collect transferable buffers when `buffers` is given. */
export function pack(value: unknown, buffers?: Set<ArrayBuffer>, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (ArrayBuffer.isView(value)) {
    if (buffers && value.buffer instanceof ArrayBuffer && value.buffer.byteLength > 0) buffers.add(value.buffer);
    return value;
  }
  if (value instanceof ArrayBuffer) {
    if (buffers && value.byteLength > 0) buffers.add(value);
    return value;
  }
  if (value instanceof Frame) {
    return { [FRAME_TAG]: true, numRows: value.numRows, columns: pack([...value.columns], buffers, depth + 1) };
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_WALK_ARRAY) return value;
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const p = pack(value[i], buffers, depth + 1);
      if (p !== value[i]) (out ??= value.slice())[i] = p;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | null = null;
    for (const k of Object.keys(value)) {
      const p = pack(value[k], buffers, depth + 1);
      if (p !== value[k]) (out ??= { ...value })[k] = p;
    }
    return out ?? value;
  }
  return value;
}

/** Inverse of pack: rebuild Frames (in place — the value is a fresh structured clone). */
export function unpack(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    if (value.length > MAX_WALK_ARRAY) return value;
    for (let i = 0; i < value.length; i++) value[i] = unpack(value[i], depth + 1);
    return value;
  }
  if (isPlainObject(value)) {
    if (value[FRAME_TAG] === true) return new Frame(value.columns as Frame["columns"], value.numRows as number);
    for (const k of Object.keys(value)) value[k] = unpack(value[k], depth + 1);
  }
  return value;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    return {
      name: e.name,
      message: e.message,
      stack: e.stack,
      exitCode: e instanceof LakeError ? e.exitCode : undefined,
    };
  }
  return { name: "Error", message: String(e) };
}

/** Rebuild an error sent by the other thread, keeping lake error classes so CLI exit codes survive. */
export function deserializeError(w: SerializedError, context?: string): Error {
  let e: Error;
  if (w.name === "UsageError") e = new UsageError(w.message);
  else if (w.name === "ConfigError") e = new ConfigError(w.message);
  else if (w.name === "LakeError" || w.exitCode !== undefined) {
    e = new LakeError(w.message, w.exitCode ?? 1);
    e.name = w.name; // a LakeError subclass keeps its name (not its class) across threads
  } else {
    e = new Error(w.message);
    e.name = w.name;
  }
  if (w.stack) e.stack = `${w.stack}${context ? `\n    -- ${context}` : ""}`;
  return e;
}
