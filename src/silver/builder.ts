/**
 * SilverFeatureBuilder (contracts §4): immutable, reproducible, versioned feature
 * sets under `silver/features/{version}/`. A build stages the whole version in
 * `silver/features/.staging/{version}.tmp-{id}` and swaps it in atomically (§4.9); a failed
 * build leaves nothing behind; dates run concurrently through an injectable runner (the
 * shared WorkerPool in the CLI, in-process in tests).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { concatFrames, Frame } from "../frame";
import { LakeError } from "../errors";
import { log } from "../log";
import { LAKE_VERSION } from "../version";
import { buildDate, type BuildDatePayload, type BuildDateResult, type PipelineFn } from "./build-date";
import type { Variant } from "../core/variant";
import { runDates, sortOutcomes, type BuildProgress, type DateOutcomes } from "./build-dates";
import { loadExperiments, registerExperiment, type ExperimentRecord, type RegisterOptions } from "./experiments";
import { fsyncDir, LockTimeoutError, uniqueSuffix, withFileLock, writeFileAtomic } from "../core/atomic-file";
import { localBronze, type BronzeSource } from "./lineage";
import { manifestColumns, parseManifest, serializeManifest, type FeatureManifest } from "./manifest";
import { checkDate, checkVersion, isoNowZ, lexCompare, naturalCompare } from "../core/validate";
import { selectedFeatures } from "./selection";
import { SILVER_FEATURES, SILVER_FEATURES_ALL, silverSchemaFor } from "../schemas/silver";
import type { TableSchema } from "../schemas/types";
import { buildValidation, validationJson } from "./validation";
import { PIPELINE_NAME, PIPELINE_VERSION } from "./pipeline/registry";
import { buildKey, carryOver, planIncremental, removeStaleStaging, reusableFromStaging, stagingName, writeKey, writeRecord } from "./resume";

export type DateRunner = (payload: BuildDatePayload) => Promise<BuildDateResult>;

export type { BuildProgress } from "./build-dates";

export interface BuildOptions {
  force?: boolean;
  variant?: Variant;
  /** dates run at the same time (= pool size); default 1 */
  concurrency?: number;
  onProgress?: (p: BuildProgress) => void;
  reuse?: Map<string, BuildDateResult>; // finished dates taken as they are
}

export interface BuildResult {
  status: "success" | "partial" | "failed" | "skipped";
  version: string;
  output_dir: string;
  dates_processed: number;
  dates_empty: string[];
  signals_total: number;
  errors: string[];
  build_time_seconds: number;
  reason?: string;
  dates: BuildDateResult[];
  dates_built: string[]; // built by this run
  dates_reused: string[]; // carried over from the published version or an interrupted build
}

export interface VersionLineage {
  pipeline: string;
  pipeline_version: string;
  variant: Variant;
  lake_version: string;
  built_at: string;
  dates_requested: string[];
  bronze_inputs: Record<string, string>;
  outputs: Record<string, string>;
}

export interface CompareResult {
  version_a: string;
  version_b: string;
  features_added: string[];
  features_removed: string[];
  features_common: string[];
  feature_count_a: number;
  feature_count_b: number;
  parameters_a: FeatureManifest["parameters"];
  parameters_b: FeatureManifest["parameters"];
}

const STAGING = ".staging";

export class SilverFeatureBuilder {
  readonly dataRoot: string;
  readonly featuresDir: string;
  private readonly runDate: DateRunner;

  /** Where Bronze is read from: `bronze` in the constructor, else `bronze/` under dataRoot. */
  readonly bronze: BronzeSource;

  /**
   * `dataRoot`: the local directory Silver lives in. `bronze`: where to read Bronze when it is
   * not under dataRoot (the S3 bucket `lake serve` writes to). `runDate` defaults to running
   * the pipeline in this thread; `pipeline` replaces the ES pipeline (tests).
   */
  constructor(dataRoot: string, opts: { bronze?: BronzeSource; runDate?: DateRunner; pipeline?: PipelineFn } = {}) {
    this.dataRoot = resolve(dataRoot);
    this.bronze = opts.bronze ?? localBronze(this.dataRoot);
    this.featuresDir = join(this.dataRoot, "silver", "features");
    this.runDate = opts.runDate ?? ((p) => buildDate(p, opts.pipeline));
  }

  versionDir(version: string): string {
    return join(this.featuresDir, checkVersion(version));
  }

  /** Build `dates` into a staging dir, then swap it in as the version (§4.4, §4.9). */
  async buildFeatureSet(manifest: FeatureManifest, dates: string[], opts: BuildOptions = {}): Promise<BuildResult> {
    const version = checkVersion(manifest.version);
    dates.forEach((d) => checkDate(d));
    mkdirSync(join(this.featuresDir, STAGING), { recursive: true });
    // one build per version at a time (across processes): two swaps of the same directory would race
    const lock = join(this.featuresDir, STAGING, `${version}.build`);
    try {
      return await withFileLock(lock, () => this.buildLocked(manifest, version, dates, opts), 0);
    } catch (e) {
      if (e instanceof LockTimeoutError) {
        throw new LakeError(`another build of ${version} is running (${e.lock}); wait for it or remove the lock if that process is gone`);
      }
      throw e;
    }
  }

  private async buildLocked(manifest: FeatureManifest, version: string, dates: string[], opts: BuildOptions): Promise<BuildResult> {
    const t0 = performance.now();
    const out = this.versionDir(version);
    this.recoverInterruptedSwap(version);
    const variant = opts.variant ?? "reference";
    const key = buildKey(manifest, variant);
    const stagingRoot = join(this.featuresDir, STAGING);
    const staging = join(stagingRoot, stagingName(version, key));
    const base = { version, output_dir: out, dates_processed: 0, dates_empty: [], signals_total: 0, errors: [], dates: [] };
    // without --force an existing version keeps its dates and gains the ones it is missing
    let [carried, all] = [new Map<string, BuildDateResult>(), dates];
    if (existsSync(out) && !opts.force) {
      const plan = await planIncremental(out, version, key, lineageOf(this.getManifest(version)!)?.dates_requested ?? [], dates);
      if (!plan) {
        return { ...base, status: "skipped", reason: `Version ${version} is up to date: it already has all ${dates.length} requested date(s). Use --force to rebuild it.`, build_time_seconds: 0, dates_built: [], dates_reused: [] };
      }
      ({ carried, all } = plan);
    }
    const { resolveConfig } = await import("./pipeline/config");
    const config = resolveConfig(variant, manifest.parameters.custom?.config_overrides as never);
    checkFeatureSelection(manifest, silverSchemaFor(config.fixes), variant);
    removeStaleStaging(stagingRoot, version, opts.force ? null : stagingName(version, key));
    mkdirSync(staging, { recursive: true });
    // an exception leaves the staging dir: its finished dates are reused by the next build of this key
    const warmupDays = config.session.smaWarmupDays;
    const reuse = await reusableFromStaging(staging, all, this.bronze, warmupDays);
    if (reuse.size) log.info(`resuming ${version}: ${reuse.size} date(s) already built by an interrupted build`);
    for (const [d, r] of carried) if (!reuse.has(d)) (carryOver(out, staging, r), reuse.set(d, r));
    writeKey(staging, key);
    const res = await this.buildInto(staging, manifest, all, { ...opts, reuse });
    if (res.status === "failed") rmSync(staging, { recursive: true, force: true });
    else this.swapIn(staging, out, version);
    return { ...res, output_dir: out, build_time_seconds: (performance.now() - t0) / 1000 };
  }

  /** Build a version's files into `dir` (no swap). Shared by build and verify. */
  async buildInto(dir: string, manifest: FeatureManifest, dates: string[], opts: BuildOptions = {}): Promise<Omit<BuildResult, "build_time_seconds">> {
    const variant = opts.variant ?? "reference";
    const overrides = manifest.parameters.custom?.config_overrides;
    const effective = await effectiveConfig(variant, overrides);
    // each date's files record the manifest as it is before any lineage exists
    const initial = withLineage(manifest, null, effective, null);
    writeFileAtomic(join(dir, "manifest.yaml"), serializeManifest(initial));

    // dates already built (an interrupted or incremental build) are reused, the rest run
    const reuse = opts.reuse;
    const todo = dates.filter((d) => !reuse?.has(d));
    const run = async (date: string) => {
      const r = await this.runDate({ date, bronze: this.bronze, variant, outDir: dir, manifest: initial, configOverrides: overrides });
      writeRecord(dir, r);
      return r;
    };
    const ran = await runDates(todo, run, opts.concurrency ?? 1, opts.onProgress);
    const fromRun = new Map(todo.map((d, i) => [d, ran[i]!]));
    const outcomes = sortOutcomes(dates, dates.map((d) => reuse?.get(d) ?? fromRun.get(d)!));
    const { ok, empty, errors, signals, status, built } = outcomes;
    const reused = dates.filter((d) => reuse?.has(d));
    const fresh = built.map((r) => r.date).filter((d) => !reuse?.has(d));
    const common = { version: manifest.version, output_dir: dir, dates_processed: ok.length, dates_empty: empty, signals_total: signals, errors, dates: ok, dates_built: fresh, dates_reused: reused };
    if (status !== "failed") writeVersionRecords(dir, manifest, effective, versionLineage(variant, dates, outcomes), outcomes);
    return { ...common, status };
  }

  /** old → backup, staging → version, drop backup. A crash in between is repaired by recoverInterruptedSwap. */
  private swapIn(staging: string, out: string, version: string): void {
    const backup = join(this.featuresDir, STAGING, `${version}.old-${uniqueSuffix()}`);
    const hadOld = existsSync(out);
    if (hadOld) renameSync(out, backup);
    renameSync(staging, out);
    fsyncDir(this.featuresDir);
    if (hadOld) rmSync(backup, { recursive: true, force: true });
  }

  /** If a swap was interrupted after moving the old version aside, put it back. */
  private recoverInterruptedSwap(version: string): void {
    const dir = join(this.featuresDir, STAGING);
    if (!existsSync(dir)) return;
    const out = join(this.featuresDir, version);
    for (const name of readdirSync(dir).sort().reverse()) {
      if (!name.startsWith(`${version}.old-`) || name.endsWith(".lock")) continue;
      if (!existsSync(out) && existsSync(join(dir, name, "manifest.yaml"))) {
        log.warn(`restoring ${version} from an interrupted swap (${name})`);
        renameSync(join(dir, name), out);
      } else rmSync(join(dir, name), { recursive: true, force: true });
    }
  }

  /** Versions (dirs with manifest.yaml), lexicographic like the predecessor, or natural. */
  listVersions(opts: { natural?: boolean } = {}): string[] {
    if (!existsSync(this.featuresDir)) return [];
    const names = readdirSync(this.featuresDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && existsSync(join(this.featuresDir, e.name, "manifest.yaml")))
      .map((e) => e.name);
    return names.sort(opts.natural ? naturalCompare : lexCompare);
  }

  getManifest(version: string): FeatureManifest | null {
    const p = join(this.versionDir(version), "manifest.yaml");
    if (!existsSync(p)) return null;
    return parseManifest(readFileSync(p, "utf8"), p);
  }

  /** Parquet files of a version: `date=*` dirs then files, both lexicographic (§4.8). */
  featureFiles(version: string, dates?: string[]): string[] {
    const dir = this.versionDir(version);
    if (!existsSync(dir)) throw new LakeError(`Version ${version} not found`);
    const dateDirs = dates
      ? dates.map((d) => `date=${checkDate(d)}`)
      : readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory() && e.name.startsWith("date="))
          .map((e) => e.name)
          .sort();
    const out: string[] = [];
    for (const dd of dateDirs) {
      const p = join(dir, dd);
      if (!existsSync(p)) continue;
      for (const f of readdirSync(p).filter((f) => f.endsWith(".parquet")).sort()) out.push(join(p, f));
    }
    return out;
  }

  /** All dates when `dates` is omitted; union by name with type widening; empty frame if nothing. */
  async loadFeatures(version: string, dates?: string[]): Promise<Frame> {
    const { decodeParquet } = await import("../parquet");
    const frames: Frame[] = [];
    for (const f of this.featureFiles(version, dates)) frames.push(await decodeParquet(new Uint8Array(await Bun.file(f).arrayBuffer())));
    return frames.length ? concatFrames(frames) : new Frame([], 0);
  }

  listExperiments(): ExperimentRecord[] {
    return loadExperiments(this.featuresDir);
  }

  async registerExperiment(version: string, expId: string, opts: RegisterOptions = {}): Promise<ExperimentRecord> {
    const m = this.getManifest(version);
    if (!m) throw new LakeError(`Version ${version} not found`);
    return registerExperiment(this.featuresDir, m, expId, opts);
  }

  compareVersions(a: string, b: string): CompareResult {
    const ma = this.getManifest(a);
    const mb = this.getManifest(b);
    if (!ma || !mb) throw new LakeError("One or both versions not found");
    const A = new Set(manifestColumns(ma));
    const B = new Set(manifestColumns(mb));
    const sorted = (xs: Iterable<string>) => [...xs].sort(lexCompare);
    return {
      version_a: a,
      version_b: b,
      features_added: sorted([...B].filter((x) => !A.has(x))),
      features_removed: sorted([...A].filter((x) => !B.has(x))),
      features_common: sorted([...A].filter((x) => B.has(x))),
      feature_count_a: A.size,
      feature_count_b: B.size,
      parameters_a: ma.parameters,
      parameters_b: mb.parameters,
    };
  }
}

/**
 * §9 S-5: the predecessor silently fell back to all 108 features when none of a manifest's
 * columns exist. A manifest that lists columns but matches none is refused; one with no
 * columns at all means "every feature". Listed columns outside the schema are warned about,
 * and so are known columns this build's config does not produce (a column a fix switch adds,
 * built with that switch off).
 */
function checkFeatureSelection(m: FeatureManifest, built: TableSchema, variant: Variant): void {
  const listed = manifestColumns(m);
  const { features, fellBack } = selectedFeatures(m);
  if (fellBack && listed.length > 0) {
    throw new LakeError(`manifest ${m.version}: none of its ${listed.length} feature columns is in ${SILVER_FEATURES.name} (e.g. ${listed.slice(0, 3).join(", ")}); fix the column names or list no columns to select every feature`);
  }
  if (fellBack) log.info(`manifest ${m.version} lists no feature columns: selecting all ${features.length} schema features`);
  const has = (s: TableSchema, c: string) => s.columns.some((d) => d.name === c);
  const unknown = [...new Set(listed)].filter((c) => !has(SILVER_FEATURES_ALL, c));
  if (unknown.length) log.warn(`manifest ${m.version}: ${unknown.length} listed column(s) are not in the Silver schema and are skipped: ${unknown.join(", ")}`);
  const unbuilt = features.filter((c) => !has(built, c));
  if (unbuilt.length) log.warn(`manifest ${m.version}: ${unbuilt.length} column(s) are not produced by the ${variant} variant with this config and are skipped: ${unbuilt.join(", ")}`);
}

function unionColumns(results: BuildDateResult[]) {
  const seen = new Map<string, BuildDateResult["columns"][number]>();
  for (const r of results) for (const c of r.columns) if (!seen.has(c.name)) seen.set(c.name, c);
  return [...seen.values()];
}

/** The pipeline's effective constants for this variant (§9 S-6); null if the pipeline can't say. */
async function effectiveConfig(variant: Variant, overrides: unknown): Promise<unknown> {
  try {
    const { resolveConfig } = await import("./pipeline/config");
    return resolveConfig(variant, overrides as never);
  } catch (e) {
    throw new LakeError(`invalid parameters.custom.config_overrides: ${(e as Error).message}`);
  }
}

/** What a version was built from: pipeline, variant, each date's Bronze inputs and output hashes. */
function versionLineage(variant: Variant, dates: readonly string[], o: DateOutcomes): VersionLineage {
  return {
    pipeline: PIPELINE_NAME,
    pipeline_version: PIPELINE_VERSION,
    variant,
    lake_version: LAKE_VERSION,
    built_at: isoNowZ(),
    dates_requested: [...dates],
    bronze_inputs: Object.fromEntries(o.built.map((r) => [r.date, r.lineage.inputs_sha256])),
    outputs: Object.fromEntries(o.ok.map((r) => [r.date, r.sha256!])),
  };
}

/** validation.json (when any date has rows), the manifest with its lineage, and lineage.json. */
function writeVersionRecords(dir: string, manifest: FeatureManifest, effective: unknown, lineage: VersionLineage, o: DateOutcomes): void {
  let validation = null;
  if (o.ok.length) {
    const totals: Record<string, number> = {};
    for (const r of o.ok) for (const [k, v] of Object.entries(r.nullCounts)) totals[k] = (totals[k] ?? 0) + v;
    const columns = unionColumns(o.ok);
    validation = buildValidation({
      datesProcessed: o.ok.map((r) => r.date),
      totalRows: o.signals,
      featureCount: selectedFeatures(manifest).features.filter((f) => columns.some((c) => c.name === f)).length,
      columns,
      nullCountTotals: totals,
    });
    writeFileAtomic(join(dir, "validation.json"), validationJson(validation));
  }
  writeFileAtomic(join(dir, "manifest.yaml"), serializeManifest(withLineage(manifest, validation, effective, lineage)));
  const files = o.built.map((r) => ({ date: r.date, rows: r.rows, file: r.file, sha256: r.sha256, inputs: r.lineage }));
  writeFileAtomic(join(dir, "lineage.json"), JSON.stringify({ ...lineage, dates: files }, null, 2) + "\n");
}

/** Lineage lives under parameters.custom so the predecessor's strict loader still reads the manifest. */
function withLineage(m: FeatureManifest, validation: FeatureManifest["validation"], effective: unknown, lineage: VersionLineage | null): FeatureManifest {
  const custom: Record<string, unknown> = { ...m.parameters.custom, effective_config: effective };
  if (lineage) custom.lineage = lineage;
  else delete custom.lineage;
  return { ...m, validation, parameters: { ...m.parameters, custom } };
}

export function lineageOf(m: FeatureManifest): VersionLineage | null {
  const l = m.parameters.custom?.lineage as VersionLineage | undefined;
  return l && typeof l === "object" && l.bronze_inputs ? l : null;
}
