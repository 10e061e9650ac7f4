/**
 * One date of a Silver build — the unit of work a batch worker runs (task
 * "silver.buildDate"): run the pipeline, keep the version's columns, encode through the
 * shared codec, write `date=D/features_D.parquet` into the staging directory, and return
 * only small numbers (row count, null counts, hashes). The frame never leaves the worker,
 * so peak memory is one day per worker.
 */
import { existsSync, mkdirSync } from "node:fs";
import { LakeError } from "../errors";
import { join } from "node:path";
import { Frame } from "../frame";
import type { ColumnDef } from "../schemas/types";
import { LAKE_VERSION } from "../version";
import { writeFileAtomic } from "../core/atomic-file";
import { LakeFiles } from "../read/lake-files";
import { dateLineage, INPUT_TABLES, sha256Bytes, type BronzeSource, type DateLineage } from "./lineage";
import { manifestFromObject, type FeatureManifest } from "./manifest";
import { checkDate } from "../core/validate";
import type { Variant } from "../core/variant";
import { projectToVersion, selectedFeatures } from "./selection";
import { nullCounts } from "./validation";
import { silverSchemaFor } from "../schemas/silver";

export interface BuildDatePayload {
  date: string;
  /** where Bronze is read from (the lake's backend: a directory or the S3 bucket) */
  bronze: BronzeSource;
  variant: Variant;
  /** directory the version is being staged in (absolute) */
  outDir: string;
  /** plain manifest object (structured-clone friendly) */
  manifest: FeatureManifest;
  /** pipeline config overrides from `parameters.custom.config_overrides` */
  configOverrides?: unknown;
}

export interface BuildDateResult {
  date: string;
  rows: number;
  /** relative to the version directory; null when the date produced no rows */
  file: string | null;
  bytes: number;
  sha256: string | null;
  columns: ColumnDef[];
  nullCounts: Record<string, number>;
  /** version columns the pipeline did not produce */
  missing: string[];
  lineage: DateLineage;
  seconds: number;
  peakRssBytes: number;
  /** why a date produced no rows, when known */
  note?: string;
}

/** What a pipeline call returns: a `{frame, …}` result (runPipeline's) or a bare Frame. */
export type PipelineFn = (args: { date: string; files: LakeFiles; variant: Variant; config?: unknown }) => Promise<
  Frame | { frame: Frame }
>;

async function defaultPipeline(): Promise<PipelineFn> {
  const mod = (await import("./pipeline/run")) as { runPipeline: PipelineFn };
  return mod.runPipeline;
}

export function featuresFileName(date: string): string {
  return `date=${date}/features_${date}.parquet`;
}

export async function buildDate(p: BuildDatePayload, pipeline?: PipelineFn): Promise<BuildDateResult> {
  const t0 = performance.now();
  checkDate(p.date);
  const manifest = manifestFromObject(p.manifest, `manifest of ${p.manifest.version}`);
  // Hash exactly the warm-up days the pipeline will read: its effective config decides
  // (manifest parameters are only recorded, §9 S-6), not the manifest's SMA_WARMUP_DAYS.
  const { resolveConfig } = await import("./pipeline/config");
  const config = resolveConfig(p.variant, p.configOverrides as never);
  const warmupDays = config.session.smaWarmupDays;
  // One snapshot of Bronze for the date: lineage and the pipeline list each prefix once and
  // read the same files (on S3: the same cached copies, kept until the date is done).
  const files = new LakeFiles(p.bronze);
  using _held = files.hold();
  // hash inputs first: if Bronze changes during the build, status will call it stale
  const lineage = await dateLineage(files, p.date, warmupDays);
  // a date with trades but no book is a warm-up day, not a failure (the pipeline needs MBP-10);
  // the lineage listing above already holds D's MBP-10 files, so don't walk the directory again
  const mbpDir = `${INPUT_TABLES[1].path}/date=${p.date}/`;
  if (!lineage.files.some((f) => f.key.startsWith(mbpDir))) {
    return { date: p.date, lineage, peakRssBytes: process.memoryUsage().rss, rows: 0, file: null, bytes: 0, sha256: null, columns: [], nullCounts: {}, missing: [], seconds: (performance.now() - t0) / 1000, note: "no MBP-10 for this date (warm-up input only)" };
  }
  const run = pipeline ?? (await defaultPipeline());
  const res = await run({ date: p.date, files, variant: p.variant, config: p.configOverrides });
  const frame = res instanceof Frame ? res : res.frame;
  const base = { date: p.date, lineage, peakRssBytes: process.memoryUsage().rss };
  if (frame.numRows === 0) {
    return { ...base, rows: 0, file: null, bytes: 0, sha256: null, columns: [], nullCounts: {}, missing: [], seconds: (performance.now() - t0) / 1000 };
  }
  // the run's own column set: the 182, plus the columns its fix switches add
  const projected = projectToVersion(frame, manifest, silverSchemaFor(config.fixes));
  const { encodeParquet } = await import("../parquet");
  const bytes = encodeParquet(projected.frame, {
    schema: projected.schema,
    metadata: {
      silver_version: manifest.version,
      date: p.date,
      variant: p.variant,
      lake_version: LAKE_VERSION,
      feature_count: String(selectedFeatures(manifest).features.length),
      bronze_inputs_sha256: lineage.inputs_sha256,
    },
  });
  const file = featuresFileName(p.date);
  // never recreate a staging folder its build has removed (abandoned, or a distributed build already over)
  if (!existsSync(p.outDir)) throw new LakeError(`the build's staging folder ${p.outDir} is gone (build finished or abandoned)`);
  mkdirSync(join(p.outDir, `date=${p.date}`), { recursive: true });
  writeFileAtomic(join(p.outDir, file), bytes);
  return {
    ...base,
    rows: projected.frame.numRows,
    file,
    bytes: bytes.length,
    sha256: sha256Bytes(bytes),
    columns: projected.schema.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    nullCounts: nullCounts(projected.frame),
    missing: projected.missing,
    seconds: (performance.now() - t0) / 1000,
    peakRssBytes: Math.max(base.peakRssBytes, process.memoryUsage().rss),
  };
}

let datesBuiltHere = 0;

/** Worker-pool entry (task "silver.buildDate"): always the real ES pipeline. */
export async function buildDateTask(p: BuildDatePayload): Promise<BuildDateResult> {
  // The last date's columns are garbage now: collect them before this date reads, so the
  // worker's peak stays one day. Collected here rather than after that date, because a full
  // collection there would delay its result (and a build's last date needs none at all).
  if (datesBuiltHere++ > 0) Bun.gc(true);
  return buildDate(p);
}
