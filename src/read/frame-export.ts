/**
 * Frame → Parquet bytes through the lake codec, so a hand-off file looks like every other
 * lake file (ZSTD, lake key/value metadata). Arrow IPC lives in frame-arrow.ts.
 */
import type { Frame } from "../frame";
import { encodeParquet } from "../parquet";
import type { TableSchema, Tier } from "../schemas/types";

/** A TableSchema describing a Frame as it is (all columns nullable, no sort). */
export function schemaOfFrame(frame: Frame, name = "lake.query_result.v1", tier: Tier = "gold"): TableSchema {
  return { name, tier, sortKey: [], columns: frame.columns.map((c) => ({ name: c.name, type: c.type, nullable: true })) };
}

/**
 * Parquet bytes through the lake codec (ZSTD, lake metadata). Pass the table's schema for
 * a lake table; without one the Frame is written as it is, in its current row order.
 */
export function frameToParquet(frame: Frame, schema?: TableSchema, metadata?: Record<string, string>): Uint8Array {
  return encodeParquet(frame, { schema: schema ?? schemaOfFrame(frame), sort: schema !== undefined, metadata });
}
