/**
 * The Gold training schema a dataset is held to (contracts §5.9): the
 * 182-column GoldTrainingESPipelineV1, or the subset a Silver manifest selects — always in
 * schema order, always with schema types. A dataset from a point-in-time version that holds
 * the columns its fixes add (D-5, D-32) is held to the point-in-time training schema instead.
 */
import { LakeError } from "../errors";
import { Frame, castColumn } from "../frame";
import { GOLD_TRAINING, GOLD_TRAINING_PIT, trainingSchemaHolding } from "../schemas/silver";
import type { TableSchema } from "../schemas/types";

/** The schema subset for these column names, in training-schema order; unknown names are drift. */
export function trainingSchemaFor(names: readonly string[]): TableSchema {
  const base = trainingSchemaHolding(names);
  if (!base) {
    const unknown = names.filter((n) => !GOLD_TRAINING_PIT.columns.some((c) => c.name === n));
    throw new LakeError(`schema drift: column(s) ${unknown.join(", ")} are not in ${GOLD_TRAINING.name} or ${GOLD_TRAINING_PIT.name}`);
  }
  const defs = new Map(base.columns.map((c, i) => [c.name, { def: c, index: i }]));
  const columns = [...names].sort((a, b) => defs.get(a)!.index - defs.get(b)!.index).map((n) => defs.get(n)!.def);
  return { ...base, columns };
}

const INT = new Set(["int8", "int16", "int32", "int64"]);

/** Reorder and type a frame to the training schema; a type that can't be widened/narrowed losslessly is an error. */
export function conformToTraining(frame: Frame): { frame: Frame; schema: TableSchema } {
  const schema = trainingSchemaFor(frame.columnNames);
  const cols = schema.columns.map((d) => {
    const c = frame.column(d.name);
    // integers (range-checked) and int64 ⇄ timestamp_ns convert losslessly; nothing else does
    const lossless = (t: string) => INT.has(t) || t === "timestamp_ns";
    if (c.type === d.type || (lossless(c.type) && lossless(d.type))) return castColumn(c, d.type);
    throw new LakeError(`schema drift: column "${d.name}" is ${c.type}, ${schema.name} requires ${d.type}`);
  });
  return { frame: new Frame(cols, frame.numRows), schema };
}
