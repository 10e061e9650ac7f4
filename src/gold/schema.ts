/**
 * The Gold training schema a dataset is held to (contracts §5.9, issue 9 §2): the
 * 182-column GoldTrainingESPipelineV1, or the subset a Silver manifest selects — always in
 * schema order, always with schema types.
 */
import { LakeError } from "../errors";
import { Frame, castColumn } from "../frame";
import { GOLD_TRAINING } from "../schemas/silver";
import type { TableSchema } from "../schemas/types";

const DEFS = new Map(GOLD_TRAINING.columns.map((c, i) => [c.name, { def: c, index: i }]));

/** The schema subset for these column names, in GOLD_TRAINING order; unknown names are drift. */
export function trainingSchemaFor(names: readonly string[]): TableSchema {
  const unknown = names.filter((n) => !DEFS.has(n));
  if (unknown.length) throw new LakeError(`schema drift: column(s) ${unknown.join(", ")} are not in ${GOLD_TRAINING.name}`);
  const columns = [...names].sort((a, b) => DEFS.get(a)!.index - DEFS.get(b)!.index).map((n) => DEFS.get(n)!.def);
  return { ...GOLD_TRAINING, columns };
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
    throw new LakeError(`schema drift: column "${d.name}" is ${c.type}, ${GOLD_TRAINING.name} requires ${d.type}`);
  });
  return { frame: new Frame(cols, frame.numRows), schema };
}
