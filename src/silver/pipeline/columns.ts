/**
 * Helpers for writing output columns into `ctx.out` with the exact Silver types
 * (src/schemas/silver.ts). Float columns carry NaN for null; S16 turns NaN into nulls.
 */
import type { Column, ColumnValues } from "../../frame";
import type { ColumnType } from "../../schemas/types";
import { SILVER_FEATURES_ALL } from "../../schemas/silver";
import type { PipelineContext } from "./context";

const TYPES = new Map(SILVER_FEATURES_ALL.columns.map((c) => [c.name, c.type]));

export function silverType(name: string): ColumnType {
  const t = TYPES.get(name);
  if (!t) throw new Error(`"${name}" is not a Silver feature column (silver-columns.json, silver-columns-pit.json)`);
  return t;
}

/** Put a column, checking the name and type against the Silver schema. */
export function putColumn(ctx: PipelineContext, name: string, values: ColumnValues, valid?: Uint8Array): void {
  const type = silverType(name);
  ctx.out.set(name, { name, type, values, valid } satisfies Column);
}
