/**
 * The lake Parquet codec (foundation issue items 8–9). Every writer and reader goes
 * through these three functions; see docs/benchmarks.md "## encode" for the measured
 * encoding choices.
 */
export { encodeParquet, DEFAULT_ROW_GROUP_SIZE, type EncodeOptions } from "./encode";
export { decodeParquet, readParquetInfo, toAsyncBuffer, type DecodeOptions, type ParquetInfo } from "./decode";
export type { FileColumnType } from "./file-types";
