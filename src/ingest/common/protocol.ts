/** Messages between the ingest main thread (main/lane.ts) and its workers (workers/ingest.ts). */
import type { Config } from "../../config";
import type { CommitRecord, StreamIdentity } from "./commit";
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
  /** Fencing epoch of the lease this process holds on the durable (0: unfenced). */
  epoch: number;
}

/** The main thread's answer to a "fence" request (lease.ts Proof). */
export interface FenceReply {
  type: "fence-reply";
  id: number;
  ok: boolean;
  lost: boolean;
  validUntil: number;
  reason?: string;
}

export type ToIngestWorker =
  | WorkerInit
  | { type: "stop"; deadlineMs: number }
  | FenceReply
  | { type: "stream"; stream: StreamIdentity }
  | { type: "stream-reset"; token: number; stream: StreamIdentity };

export interface WorkerStats {
  decoded: number;
  duplicates: number;
  bufferedRows: number;
  failedFlushes: number;
  truncatedLevels: number;
}

export type FromIngestWorker =
  | { type: "ready"; watermark: number; removed: number; stream?: StreamIdentity }
  | {
      type: "commit";
      rows: number;
      quarantined: number;
      commit: CommitRecord;
      stats: WorkerStats;
      /** Parquet bytes this commit wrote (quarantine files excluded). */
      bytes: number;
      /** Seconds from the flush's start (encode) to its commit record being durable. */
      flushSeconds: number;
    }
  | { type: "flushed"; token: number; watermark: number }
  | { type: "stats"; stats: WorkerStats }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; msg: string; fields?: Record<string, unknown> }
  | { type: "stopped"; ok: boolean; watermark: number; error?: string }
  | { type: "fatal"; error: string }
  | { type: "fence"; id: number }
  | { type: "stream-reset-done"; token: number; watermark: number; error?: string };
