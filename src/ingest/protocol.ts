/** Messages between the ingest main thread (pipeline.ts) and workers/ingest.ts. */
import type { Config } from "../config";
import type { CommitRecord } from "./commit";
import type { RingBuffers } from "./ring";

/** Where a worker writes: what `openStore` needs (local root or S3 settings). */
export type StoreSettings = Pick<Config, "useS3" | "s3" | "dataRoot">;

export interface WorkerInit {
  type: "init";
  table: string;
  consumer: string;
  ring: RingBuffers;
  store: StoreSettings;
  bufferLimit: number;
  flushIntervalMs: number;
  writerId: string;
}

export type ToIngestWorker = WorkerInit | { type: "stop"; deadlineMs: number };

export interface WorkerStats {
  decoded: number;
  duplicates: number;
  bufferedRows: number;
  failedFlushes: number;
  truncatedLevels: number;
}

export type FromIngestWorker =
  | { type: "ready"; watermark: number; removed: number }
  | { type: "commit"; rows: number; quarantined: number; commit: CommitRecord; stats: WorkerStats }
  | { type: "flushed"; token: number; watermark: number }
  | { type: "stats"; stats: WorkerStats }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; msg: string; fields?: Record<string, unknown> }
  | { type: "stopped"; ok: boolean; watermark: number; error?: string }
  | { type: "fatal"; error: string };
