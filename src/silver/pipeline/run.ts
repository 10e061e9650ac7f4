/**
 * runPipeline — one session date through es_pipeline v2.0.0 (es-pipeline §2).
 * Worker-safe: no main-thread-only APIs; Bronze is read through the readers' BronzeReader
 * (a lake directory, Store or Config) or any BronzeInput. Returns the Frame of the config's Silver schema (the 182, plus the D-5/D-32 columns in the corrected variant)
 * (every column computed by its stage: a stage that fails to load or leaves a column unwritten
 * fails the run) and the per-stage timings.
 */
import type { Frame } from "../../frame";
import type { LakeFiles } from "../../read/lake-files";
import type { Store } from "../../storage/store";
import { resolveConfig, type ConfigOverrides, type PipelineConfig } from "./config";
import type { Variant } from "../../core/variant";
import type { PipelineContext, Stage } from "./context";
import { memoInput, readerInput, type BronzeInput } from "./bronze-input";
import { ES_PIPELINE, PIPELINE_NAME, PIPELINE_VERSION, type StageEntry } from "./registry";
import { utcMidnightNs } from "../../core/time/session";

export interface RunPipelineOptions {
  date: string;
  /** Lake root (holding bronze/) or Bronze root (holding futures/). */
  dataRoot?: string;
  store?: Store;
  /** Or the lake's files as the caller already lists them (one snapshot per Silver date). */
  files?: LakeFiles;
  /** Or any Bronze input (tests, simulated days). */
  bronze?: BronzeInput;
  variant?: Variant;
  config?: ConfigOverrides;
}

export interface StageTiming {
  id: string;
  name: string;
  ms: number;
}

export interface PipelineResult {
  pipeline: string;
  version: string;
  variant: Variant;
  frame: Frame;
  timings: StageTiming[];
  totalMs: number;
  eventsBeforeRth: number;
  warmupDates: string[];
  config: PipelineConfig;
}

const loaded = new Map<string, Promise<Stage>>();

export function loadStage(entry: StageEntry): Promise<Stage> {
  let p = loaded.get(entry.id);
  if (!p) {
    p = entry.load();
    loaded.set(entry.id, p);
    p.catch(() => loaded.delete(entry.id));
  }
  return p;
}

export function newContext(date: string, variant: Variant, cfg: PipelineConfig, bronze?: BronzeInput): PipelineContext {
  return { date, originNs: utcMidnightNs(date), variant, cfg, out: new Map(), bronze };
}

export async function runPipeline(opts: RunPipelineOptions): Promise<PipelineResult> {
  const variant = opts.variant ?? "reference";
  const cfg = resolveConfig(variant, opts.config);
  const location = opts.files ?? opts.store ?? opts.dataRoot;
  const bronze = opts.bronze ?? (location !== undefined ? readerInput(location) : undefined);
  if (!bronze) throw new Error("runPipeline needs dataRoot, store, files or bronze");
  const ctx = newContext(opts.date, variant, cfg, memoInput(bronze));

  const timings: StageTiming[] = [];
  const t0 = performance.now();
  for (const entry of ES_PIPELINE) {
    const stage = await loadStage(entry);
    const start = performance.now();
    try {
      await stage.run(ctx);
    } catch (err) {
      if (err instanceof Error) err.message = `${entry.id} ${entry.name} (${opts.date}): ${err.message}`;
      throw err;
    }
    timings.push({ id: entry.id, name: entry.name, ms: performance.now() - start });
  }
  const totalMs = performance.now() - t0;
  if (!ctx.frame) throw new Error("es_pipeline ended without a frame (S16 did not run)");

  return {
    pipeline: PIPELINE_NAME,
    version: PIPELINE_VERSION,
    variant,
    frame: ctx.frame,
    timings,
    totalMs,
    eventsBeforeRth: ctx.eventsBeforeRth ?? 0,
    warmupDates: ctx.warmupDates ?? [],
    config: cfg,
  };
}
