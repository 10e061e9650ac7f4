/**
 * A Bronze decoder's wire fields, derived from its table schema (the one source of truth):
 * field numbers, the schema column each field writes, and the bitmask of fields a message
 * must carry. Decoders switch on these numbers and index `buf.cols` with these column
 * positions; nothing is counted by hand, so reordering or adding a schema column moves them
 * with it, and a binding that no longer fits the schema fails when the module loads.
 *
 * Field i is bit i of a decoder's `seen` mask. A field is required when its column is not
 * nullable, unless the decoder fills a default when it is absent (`defaulted`, e.g.
 * `ts_recv_ns` → the event time). A wire-only field (MBP-10 `levels`, which fills the 40
 * depth columns) has no column of its own and is always required.
 */
import type { TableSchema } from "../../../schemas/types";
import { fieldLookup, type FieldLookup } from "./fields";

export interface WireFieldsSpec {
  /** Wire keys in field-number order; default: the schema's column names, in schema order. */
  readonly names?: readonly string[];
  /** Non-nullable columns the decoder fills itself when the field is absent. */
  readonly defaulted?: readonly string[];
  /** Wire-only field → the schema columns it fills (always required). */
  readonly wireOnly?: Readonly<Record<string, readonly string[]>>;
}

export interface WireFields {
  readonly schema: TableSchema;
  /** Wire keys in field-number order. */
  readonly names: readonly string[];
  /** Bits of the fields every message must carry. */
  readonly required: number;
  readonly lookup: FieldLookup;
  /** Field number (bit in `seen`) of a wire key; throws for an unknown key. */
  field(name: string): number;
  /** Schema column position of a column; throws for an unknown column. */
  column(name: string): number;
}

export function wireFields(schema: TableSchema, spec: WireFieldsSpec = {}): WireFields {
  const colNames = schema.columns.map((c) => c.name);
  const names = spec.names ?? colNames;
  const where = `${schema.name} decoder`;
  if (names.length > 31) throw new Error(`${where}: ${names.length} wire fields do not fit a 31-bit seen mask`);
  if (new Set(names).size !== names.length) throw new Error(`${where}: duplicate wire field in [${names.join(", ")}]`);
  const written = new Set<string>();
  let required = 0;
  names.forEach((name, i) => {
    const fills = spec.wireOnly?.[name];
    if (fills) {
      if (colNames.includes(name)) throw new Error(`${where}: wire-only field "${name}" is also a column`);
      for (const c of fills) written.add(c);
      required |= 1 << i;
      return;
    }
    const def = schema.columns.find((c) => c.name === name);
    if (!def) throw new Error(`${where}: field "${name}" is not a column of the schema`);
    written.add(name);
    if (!def.nullable && !spec.defaulted?.includes(name)) required |= 1 << i;
  });
  for (const name of spec.defaulted ?? []) {
    if (!names.includes(name)) throw new Error(`${where}: defaulted field "${name}" is not a wire field`);
  }
  const unwritten = colNames.filter((c) => !written.has(c));
  if (unwritten.length) throw new Error(`${where}: no wire field writes column(s) ${unwritten.join(", ")}`);
  const position = (list: readonly string[], name: string, what: string): number => {
    const i = list.indexOf(name);
    if (i < 0) throw new Error(`${where}: no ${what} "${name}"`);
    return i;
  };
  return {
    schema,
    names,
    required,
    lookup: fieldLookup(names),
    field: (name) => position(names, name, "wire field"),
    column: (name) => position(colNames, name, "column"),
  };
}
