/**
 * The lake Parquet codec (contracts §2.1). Every writer and reader goes
 * through these three functions; see docs/benchmarks.md "## encode" for the measured
 * encoding choices.
 */
export { encodeParquet, DEFAULT_ROW_GROUP_SIZE, type EncodeOptions } from "./encode";
export { decodeParquet, decodeParquetWithInfo, readParquetInfo, toAsyncBuffer, type DecodeOptions, type ParquetInfo } from "./decode";
export type { FileColumnType } from "./file-types";
export { decodeLakeFile, openLakeFile, type OpenLakeFile } from "./fast/lake-file";
export { concatLakeFiles } from "./fast/concat";
