/**
 * Parquet file schema → lake column types, for files we wrote and files the predecessor
 * (pyarrow) or the backfill tool wrote (contracts §2.5: int64 sizes, Arrow null-typed
 * columns, utf8 exp_date, interleaved column order).
 */
import type { SchemaTree } from "hyparquet";
import type { ColumnType } from "../schemas/types";

/** A lake type, or "null" for an Arrow null-typed column (every value null). */
export type FileColumnType = ColumnType | "null";

function intType(bitWidth: number | undefined): ColumnType {
  return bitWidth === 8 ? "int8" : bitWidth === 16 ? "int16" : "int32";
}

function leafType(node: SchemaTree): FileColumnType {
  const e = node.element;
  const lt = e.logical_type;
  if (lt?.type === "NULL") return "null";
  switch (e.type) {
    case "BOOLEAN":
      return "bool";
    case "INT32":
      if (e.converted_type === "DATE" || lt?.type === "DATE") return "date32";
      if (e.converted_type === "INT_8") return "int8";
      if (e.converted_type === "INT_16") return "int16";
      if (lt?.type === "INTEGER") return intType(lt.bitWidth);
      return "int32";
    case "INT64":
      if (lt?.type === "TIMESTAMP" || e.converted_type === "TIMESTAMP_MICROS" || e.converted_type === "TIMESTAMP_MILLIS") return "timestamp_ns";
      return "int64";
    case "INT96":
      return "timestamp_ns";
    case "FLOAT":
    case "DOUBLE":
      return "float64";
    case "BYTE_ARRAY":
    case "FIXED_LEN_BYTE_ARRAY":
      return "utf8";
    default:
      throw new Error(`unsupported Parquet column ${e.name}: ${e.type ?? "group"}`);
  }
}

/** The lake type of a top-level column (lists of integers map to list_int16). */
export function columnTypeOf(node: SchemaTree): FileColumnType {
  if (node.children.length === 0) return leafType(node);
  let leaf = node;
  while (leaf.children.length === 1) leaf = leaf.children[0]!;
  const isList = node.element.converted_type === "LIST" || node.element.logical_type?.type === "LIST";
  if (isList && leaf.children.length === 0) {
    const t = leafType(leaf);
    if (t === "null" || t === "int8" || t === "int16" || t === "int32") return "list_int16";
  }
  throw new Error(`unsupported nested Parquet column "${node.element.name}" (only list<int16> is part of the lake contracts)`);
}
