/**
 * The column-definition language every table in the lake is described in.
 * One TableSchema per table is the single source of truth: the Parquet schema
 * (src/parquet), the per-message validators (src/ingest) and the column
 * builders (src/frame.ts) are all derived from it.
 */

/** Logical column types (contracts §0 type names). */
export type ColumnType =
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "float64"
  | "bool"
  | "utf8"
  | "date32" // days since 1970-01-01, Int32Array
  | "timestamp_ns" // naive timestamp[ns], BigInt64Array (Silver `timestamp`)
  | "list_int16"; // list<int16>, e.g. Bronze `conditions`

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

export type Tier = "bronze" | "silver" | "gold";

export interface TableSchema {
  /** Registry name, e.g. `futures.trades.v1` (written as Parquet `schema_name`). */
  readonly name: string;
  readonly tier: Tier;
  readonly columns: readonly ColumnDef[];
  /** Columns every file is stably sorted by, ascending. */
  readonly sortKey: readonly string[];
  /** Extra key/value metadata written into every file of this table. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export function col(name: string, type: ColumnType, nullable = false): ColumnDef {
  return { name, type, nullable };
}

/** `name:arrowType` joined by `,` — the input of the portable schema hash (contracts §4.5). */
export function arrowTypeName(t: ColumnType): string {
  switch (t) {
    case "timestamp_ns":
      return "timestamp[ns]";
    case "list_int16":
      return "list<int16>";
    case "float64":
      return "double";
    case "utf8":
      return "string";
    default:
      return t;
  }
}
