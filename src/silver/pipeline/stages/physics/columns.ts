/**
 * Small helpers shared by S7–S13: fetch a required context key (failing loudly with the
 * stage that should have produced it — §5.7 forbids the predecessor's silent fallback)
 * and register output columns in `ctx.out` with the Silver types (frame.ts conventions).
 */
import type { Column } from "../../../../frame";
import { LakeError } from "../../../../errors";
import type { PipelineContext } from "../../context";

const PRODUCER: Partial<Record<keyof PipelineContext, string>> = {
  trades: "S1 LoadBronze",
  mbp: "S1 LoadBronze",
  options: "S1 LoadBronze",
  ohlcv1m: "S2 BuildOHLCV",
  atr: "S2 BuildOHLCV",
  optionFlows: "S4 InitMarketState",
  dynamicLevels: "S5 GenerateLevels",
  events: "S6 DetectInteractionZones",
};

export function need<K extends keyof PipelineContext>(
  ctx: PipelineContext,
  key: K,
  stage: string,
): NonNullable<PipelineContext[K]> {
  const v = ctx[key];
  if (v === undefined || v === null) {
    const by = PRODUCER[key] ? ` (produced by ${PRODUCER[key]})` : "";
    throw new LakeError(`${stage}: context key "${String(key)}" is missing${by}; run the stages in es-pipeline §2 order`);
  }
  return v as NonNullable<PipelineContext[K]>;
}

export function putFloat(ctx: PipelineContext, name: string, values: Float64Array, valid?: Uint8Array): void {
  const c: Column = valid ? { name, type: "float64", values, valid } : { name, type: "float64", values };
  ctx.out.set(name, c);
}

/** int64 column from whole-number doubles (volumes). */
export function putInt64(ctx: PipelineContext, name: string, values: Float64Array): void {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  ctx.out.set(name, { name, type: "int64", values: out });
}

export function putInt8(ctx: PipelineContext, name: string, values: Int8Array): void {
  ctx.out.set(name, { name, type: "int8", values });
}

export function putBool(ctx: PipelineContext, name: string, values: Uint8Array): void {
  ctx.out.set(name, { name, type: "bool", values });
}

export function putUtf8(ctx: PipelineContext, name: string, values: string[]): void {
  ctx.out.set(name, { name, type: "utf8", values });
}
