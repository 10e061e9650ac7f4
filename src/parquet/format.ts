/**
 * Parquet Thrift enum values (parquet-format `parquet.thrift`). We serialize the footer
 * and page headers ourselves (with hyparquet-writer's compact-protocol writer) so we
 * control every field — hyparquet-writer's `logical_type INTEGER` writes `bitWidth` as
 * an i32 where the Parquet format says i8, which DuckDB rejects, so integer widths go
 * through `converted_type` only.
 */
export const PhysicalType = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export const ConvertedType = { UTF8: 0, LIST: 3, DATE: 6, INT_8: 15, INT_16: 16 } as const;
export const Encoding = {
  PLAIN: 0,
  RLE: 3,
  DELTA_BINARY_PACKED: 5,
  RLE_DICTIONARY: 8,
  BYTE_STREAM_SPLIT: 9,
} as const;
export const Codec = { UNCOMPRESSED: 0, ZSTD: 6 } as const;
export const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;
