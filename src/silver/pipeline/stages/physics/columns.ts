/**
 * Small helpers shared by S7–S13: fetch a required context key (failing loudly with the
 * stage that should have produced it — §5.7 forbids the predecessor's silent fallback)
 * and register output columns through the pipeline's `putColumn`, which checks each name
 * and type against the Silver schema.
 */
import { LakeError } from "../../../../errors";
import { putColumn } from "../../columns";
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
  putColumn(ctx, name, values, valid);
}

/** int64 column from whole-number doubles (volumes). */
export function putInt64(ctx: PipelineContext, name: string, values: Float64Array): void {
  putColumn(ctx, name, BigInt64Array.from(values, (v) => BigInt(v)));
}

export function putInt8(ctx: PipelineContext, name: string, values: Int8Array): void {
  putColumn(ctx, name, values);
}

export function putBool(ctx: PipelineContext, name: string, values: Uint8Array): void {
  putColumn(ctx, name, values);
}

export function putUtf8(ctx: PipelineContext, name: string, values: string[]): void {
  putColumn(ctx, name, values);
}
