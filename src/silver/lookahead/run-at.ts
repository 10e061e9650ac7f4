/**
 * The pipeline from S2 on, over a TruncatableDay cut at one instant: S1's products come from
 * memory, S3's warm-up bars from a cache shared by every run of the analysis (earlier days are
 * the past at any cut of D), so one run costs only the day's compute.
 */
import type { Frame } from "../../frame";
import type { BronzeInput } from "../pipeline/bronze-input";
import type { PipelineConfig } from "../pipeline/config";
import type { Bars, EventProbe, PipelineContext } from "../pipeline/context";
import { ES_PIPELINE } from "../pipeline/registry";
import { loadStage, newContext } from "../pipeline/run";
import type { Variant } from "../../core/variant";
import type { TruncatableDay } from "./day";

export interface DayRunner {
  date: string;
  variant: Variant;
  cfg: PipelineConfig;
  bronze: BronzeInput;
  day: TruncatableDay;
  warmupBars: Map<string, Bars>;
}

export function contextFor(r: Pick<DayRunner, "date" | "variant" | "cfg" | "bronze">, warmupBars?: Map<string, Bars>): PipelineContext {
  const ctx = newContext(r.date, r.variant, r.cfg, r.bronze);
  ctx.warmupBarsCache = warmupBars;
  return ctx;
}

/** Output frame (RTH rows, the config's Silver columns) of the run on Bronze known at `cutNs` (null = whole day). */
export async function runAt(r: DayRunner, cutNs: bigint | null, probes?: EventProbe[]): Promise<Frame> {
  const ctx = contextFor(r, r.warmupBars);
  const inputs = r.day.at(cutNs, ctx);
  ctx.trades = inputs.trades;
  ctx.mbp = inputs.mbp;
  ctx.options = inputs.options;
  ctx.probes = probes;
  for (const entry of ES_PIPELINE) {
    if (entry.id === "S1") continue;
    const stage = await loadStage(entry);
    if (!stage) continue;
    try {
      await stage.run(ctx);
    } catch (err) {
      if (err instanceof Error) err.message = `${entry.id} ${entry.name} (${r.date}, cut ${cutNs ?? "none"}): ${err.message}`;
      throw err;
    }
  }
  if (!ctx.frame) throw new Error("es_pipeline ended without a frame (S16 did not run)");
  return ctx.frame;
}
