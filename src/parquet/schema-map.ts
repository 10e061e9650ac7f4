/**
 * Lake column types ↔ Parquet schema elements (contracts §0 Arrow names, §2.1).
 *
 *   int64 → INT64                 int32 → INT32            float64 → DOUBLE
 *   int16 → INT32 (INT_16)        int8 → INT32 (INT_8)     bool → BOOLEAN
 *   utf8 → BYTE_ARRAY (UTF8/STRING)   date32 → INT32 (DATE)
 *   timestamp_ns → INT64 TIMESTAMP(isAdjustedToUTC=false, NANOS) — no converted type exists for ns
 *   list_int16 → optional group (LIST) { repeated group list { optional int32 element (INT_16) } }
 *     the standard 3-level layout pyarrow writes, so every reader maps it to list<int16>.
 */
import type { ColumnDef, ColumnType } from "../schemas/types";
import { ConvertedType, PhysicalType, Repetition } from "./format";

/** A Thrift SchemaElement in hyparquet-writer's `field_N` compact-object form. */
export type ThriftSchemaElement = Record<`field_${number}`, unknown>;

/** One leaf (physical) column in the file. */
export interface LeafColumn {
  readonly def: ColumnDef;
  readonly physical: number;
  readonly path: string[];
  readonly maxDef: number;
  readonly maxRep: number;
}

function element(
  name: string,
  repetition: number,
  physical?: number,
  converted?: number,
  logical?: Record<string, unknown>,
  numChildren?: number,
): ThriftSchemaElement {
  return {
    field_1: physical,
    field_3: repetition,
    field_4: name,
    field_5: numChildren,
    field_6: converted,
    field_10: logical,
  };
}

const STRING_LOGICAL = { field_1: {} };
const DATE_LOGICAL = { field_6: {} };
const LIST_LOGICAL = { field_3: {} };
const TIMESTAMP_NS_NAIVE = { field_8: { field_1: false, field_2: { field_3: {} } } };

export function physicalTypeOf(type: ColumnType): number {
  switch (type) {
    case "int64":
    case "timestamp_ns":
      return PhysicalType.INT64;
    case "float64":
      return PhysicalType.DOUBLE;
    case "bool":
      return PhysicalType.BOOLEAN;
    case "utf8":
      return PhysicalType.BYTE_ARRAY;
    default:
      return PhysicalType.INT32; // int32, int16, int8, date32, list_int16 elements
  }
}

/** Schema elements (depth-first, root first) and the leaf columns, in schema order. */
export function parquetSchemaFor(defs: readonly ColumnDef[]): { elements: ThriftSchemaElement[]; leaves: LeafColumn[] } {
  const elements: ThriftSchemaElement[] = [element("schema", Repetition.REQUIRED, undefined, undefined, undefined, defs.length)];
  // the root has no repetition type in files written by other tools; keep it out
  delete elements[0]!.field_3;
  const leaves: LeafColumn[] = [];
  for (const def of defs) {
    const rep = def.nullable ? Repetition.OPTIONAL : Repetition.REQUIRED;
    const optDef = def.nullable ? 1 : 0;
    switch (def.type) {
      case "list_int16":
        elements.push(element(def.name, rep, undefined, ConvertedType.LIST, LIST_LOGICAL, 1));
        elements.push(element("list", Repetition.REPEATED, undefined, undefined, undefined, 1));
        elements.push(element("element", Repetition.OPTIONAL, PhysicalType.INT32, ConvertedType.INT_16));
        leaves.push({ def, physical: PhysicalType.INT32, path: [def.name, "list", "element"], maxDef: optDef + 2, maxRep: 1 });
        continue;
      case "utf8":
        elements.push(element(def.name, rep, PhysicalType.BYTE_ARRAY, ConvertedType.UTF8, STRING_LOGICAL));
        break;
      case "date32":
        elements.push(element(def.name, rep, PhysicalType.INT32, ConvertedType.DATE, DATE_LOGICAL));
        break;
      case "timestamp_ns":
        elements.push(element(def.name, rep, PhysicalType.INT64, undefined, TIMESTAMP_NS_NAIVE));
        break;
      case "int8":
        elements.push(element(def.name, rep, PhysicalType.INT32, ConvertedType.INT_8));
        break;
      case "int16":
        elements.push(element(def.name, rep, PhysicalType.INT32, ConvertedType.INT_16));
        break;
      default:
        elements.push(element(def.name, rep, physicalTypeOf(def.type)));
    }
    leaves.push({ def, physical: physicalTypeOf(def.type), path: [def.name], maxDef: optDef, maxRep: 0 });
  }
  return { elements, leaves };
}
