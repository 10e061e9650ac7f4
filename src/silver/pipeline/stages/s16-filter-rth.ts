/**
 * S16 FilterRTH — es-pipeline §5.16 (output schema §12).
 * Keeps events with sessionStart(D) ≤ ts ≤ sessionEnd(D) (09:30–13:30 ET inclusive) in
 * ts order, drops the helper bar_idx, and emits exactly the columns of the config's Silver
 * schema (`silverSchemaFor(fixes)`: the 182, plus the columns a fix switch adds) in schema
 * order with their schema types ([FIX] strict: a wrong type fails the run). Float NaN is
 * stored as null (§0). Every stage is required: a column no stage wrote fails the run,
 * naming the column and the stage that owns it.
 */
import { Frame, type Column } from "../../../frame";
import { silverSchemaFor } from "../../../schemas/silver";
import type { PipelineContext, Stage } from "../context";
import { etInstantNs } from "../../../core/time/session";
import { takeColumn } from "../../../frame";
import { stageOfColumn } from "../registry";

export function rthSelection(ctx: PipelineContext): Uint32Array {
  const ev = ctx.events;
  if (!ev) return new Uint32Array(0);
  const lo = Number(etInstantNs(ctx.date, ctx.cfg.session.rthStart) - ctx.originNs);
  const hi = Number(etInstantNs(ctx.date, ctx.cfg.session.rthEnd) - ctx.originNs);
  const keep: number[] = [];
  for (let i = 0; i < ev.n; i++) if (ev.t[i]! >= lo && ev.t[i]! <= hi) keep.push(i);
  return Uint32Array.from(keep);
}

/** NaN → null for a float column (validity mask), leaving other columns untouched. */
function nanToNull(c: Column): Column {
  if (c.type !== "float64") return c;
  const v = c.values as Float64Array;
  let valid = c.valid;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i]!)) {
      if (!valid) valid = new Uint8Array(v.length).fill(1);
      valid[i] = 0;
    }
  }
  return valid === c.valid ? c : { ...c, valid };
}

export function assembleFrame(ctx: PipelineContext, rows: Uint32Array): Frame {
  const schema = silverSchemaFor(ctx.cfg.fixes);
  const unwritten = schema.columns.filter((def) => !ctx.out.has(def.name)).map((def) => `${def.name} (${stageOfColumn(def.name) ?? "no stage"})`);
  if (unwritten.length) {
    throw new Error(`${unwritten.length} Silver column(s) were not computed by their stage: ${unwritten.slice(0, 8).join(", ")}${unwritten.length > 8 ? ", …" : ""}`);
  }
  const total = ctx.events?.n ?? 0;
  const cols = schema.columns.map((def) => {
    const c = ctx.out.get(def.name)!;
    if (c.type !== def.type) {
      throw new Error(`pipeline column "${def.name}" has type ${c.type}, Silver schema says ${def.type} (fix the stage that writes it)`);
    }
    if (c.values.length !== total) {
      throw new Error(`pipeline column "${def.name}" has ${c.values.length} values for ${total} events`);
    }
    return nanToNull(takeColumn(c, rows));
  });
  return new Frame(cols, rows.length);
}

const stage: Stage = {
  name: "FilterRTH",
  section: "es-pipeline §5.16, §12",
  inputs: ["events", "out"],
  outputs: ["frame"],
  run(ctx) {
    const rows = rthSelection(ctx);
    ctx.eventsBeforeRth = ctx.events?.n ?? 0;
    ctx.frame = assembleFrame(ctx, rows);
  },
};
export default stage;
