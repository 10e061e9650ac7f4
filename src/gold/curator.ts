/**
 * GoldCurator (contracts §5): promote a Silver version to a training dataset —
 * schema-enforced, sorted by (ts_ns, event_id), ZSTD — with metadata, lineage and a
 * catalog entry; the file swap and the catalog update happen under one lock, and a forced
 * re-promotion keeps the replaced dataset as history `{name}@{n}`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { LakeError } from "../errors";
import type { Frame } from "../frame";
import { LAKE_VERSION } from "../version";
import { SilverFeatureBuilder, lineageOf } from "../silver/builder";
import { findExperiment } from "../silver/experiments";
import { fsyncDir, uniqueSuffix, writeFileAtomic } from "../core/atomic-file";
import { sha256Bytes, sha256File } from "../silver/lineage";
import { parametersToDict, parseManifest } from "../silver/manifest";
import { checkDatasetName, checkVersion, isoNowZ } from "../core/validate";
import { schemaHash } from "../silver/validation";
import { loadCatalog, resolveCatalogPath, updateCatalog, upsertEntry, type CatalogEntry, type HistoryEntry } from "./catalog";
import { conformToTraining } from "./schema";
import { selectBest, type BestSelection } from "./best";
import { planAppend, removeStaleTemps, silverFileDates, type AppendPlan } from "./append";

export interface PromoteOptions {
  datasetName?: string;
  dates?: string[];
  notes?: string;
  force?: boolean;
}

export type Promoter = (silverVersion: string, opts: PromoteOptions) => Promise<PromoteResult>;

export type PromoteResult =
  | { status: "success"; dataset_name: string; path: string; signal_count: number; feature_count: number; silver_version: string; sha256: string; replaced?: string; appended_dates?: string[] }
  | { status: "skipped"; reason: string; path: string }
  | { status: "error"; reason: string; silver_version: string };

const NOT_FEATURES = new Set(["event_id", "ts_ns", "date", "symbol"]);

interface SilverInput {
  manifest: ReturnType<typeof parseManifest>;
  manifestSha: string;
  df: Frame;
}

interface EncodedDataset {
  frame: Frame;
  bytes: Uint8Array;
  sha: string;
  featureCount: number;
  metadata: ReturnType<typeof datasetMetadata>;
}

/** Conform the Silver rows to the training schema and encode them; the metadata that describes the file. */
async function encodeDataset(name: string, silverVersion: string, input: SilverInput, notes: string): Promise<EncodedDataset> {
  const { frame, schema } = conformToTraining(input.df);
  const { encodeParquet } = await import("../parquet");
  const bytes = encodeParquet(frame, {
    schema,
    metadata: { dataset_name: name, silver_version: silverVersion, silver_manifest_sha256: input.manifestSha, lake_version: LAKE_VERSION },
  });
  const sha = sha256Bytes(bytes);
  const featureCount = frame.columnNames.filter((c) => !NOT_FEATURES.has(c)).length;
  const metadata = datasetMetadata({ name, silverVersion, input, frame, schema, bytes, sha, featureCount, notes });
  return { frame, bytes, sha, featureCount, metadata };
}

/** `{name}_metadata.json`: the predecessor's fields plus the lineage that makes the file checkable. */
function datasetMetadata(a: {
  name: string;
  silverVersion: string;
  input: SilverInput;
  frame: Frame;
  schema: ReturnType<typeof conformToTraining>["schema"];
  bytes: Uint8Array;
  sha: string;
  featureCount: number;
  notes: string;
}) {
  const createdAt = isoNowZ();
  const dates = distinctDates(a.frame);
  const { manifest, manifestSha } = a.input;
  return {
    dataset_name: a.name,
    silver_version: a.silverVersion,
    created_at: createdAt,
    signal_count: a.frame.numRows,
    feature_count: a.featureCount,
    date_range: dates.length ? { start: dates[0]!, end: dates[dates.length - 1]! } : null,
    manifest: { version: manifest.version, description: manifest.description, parameters: parametersToDict(manifest.parameters) },
    notes: a.notes,
    lineage: {
      silver_version: a.silverVersion,
      silver_manifest_sha256: manifestSha,
      silver_outputs: lineageOf(manifest)?.outputs ?? null,
      dates,
      row_count: a.frame.numRows,
      sha256: a.sha,
      file_bytes: a.bytes.length,
      schema_name: a.schema.name,
      schema_hash: schemaHash(a.schema.columns),
      columns: a.schema.columns.map((c) => c.name),
      lake_version: LAKE_VERSION,
      created_at: createdAt,
    },
  };
}

export class GoldCurator {
  readonly dataRoot: string;
  readonly trainingDir: string;
  readonly silver: SilverFeatureBuilder;

  /** How promoteBestExperiment promotes: promoteToTraining here, or a publication into a bucket. */
  private readonly promoter: Promoter;

  constructor(dataRoot: string, silver?: SilverFeatureBuilder, opts: { promote?: Promoter } = {}) {
    this.dataRoot = resolve(dataRoot);
    this.trainingDir = join(this.dataRoot, "gold", "training");
    this.silver = silver ?? new SilverFeatureBuilder(this.dataRoot);
    this.promoter = opts.promote ?? ((v, o) => this.promoteToTraining(v, o));
  }

  datasetPath(name: string): string {
    return join(this.trainingDir, `${checkDatasetName(name)}.parquet`);
  }
  metadataPath(name: string): string {
    return join(this.trainingDir, `${checkDatasetName(name)}_metadata.json`);
  }

  async promoteToTraining(silverVersion: string, opts: PromoteOptions = {}): Promise<PromoteResult> {
    const name = checkDatasetName(opts.datasetName ?? "signals_production");
    checkVersion(silverVersion);
    const path = this.datasetPath(name);
    const versionDir = this.silver.versionDir(silverVersion);
    if (!existsSync(versionDir)) {
      const known = this.silver.listVersions();
      throw new LakeError(`Silver version ${silverVersion} does not exist (${known.length ? `versions: ${known.join(", ")}` : "no Silver versions yet: run 'lake silver'"})`);
    }
    removeStaleTemps(this.trainingDir, name);
    // an existing dataset (without --force) gains the version's new dates, or is up to date
    let wantedDates = opts.dates;
    let append: Extract<AppendPlan, { kind: "append" }> | null = null;
    if (existsSync(path) && !opts.force) {
      const plan = planAppend(name, silverVersion, this.getDatasetMetadata(name), silverFileDates(this.silver.featureFiles(silverVersion)), opts.dates);
      if (plan.kind === "skip") return { status: "skipped", reason: plan.reason, path };
      append = plan;
      wantedDates = plan.dates;
    }
    const input = await this.readSilver(silverVersion, wantedDates);
    if ("reason" in input) return { status: "error", reason: input.reason, silver_version: silverVersion };
    const dataset = await encodeDataset(name, silverVersion, input, opts.notes ?? "");
    // encode outside the lock; swap files + catalog inside it
    const replaced = await this.swapIn(name, dataset, { force: opts.force ?? false, replacesSha: append?.replacesSha });
    const { frame, sha, featureCount } = dataset;
    return {
      status: "success",
      dataset_name: name,
      path,
      signal_count: frame.numRows,
      feature_count: featureCount,
      silver_version: silverVersion,
      sha256: sha,
      ...(replaced ? { replaced } : {}),
      ...(append ? { appended_dates: append.added } : {}),
    };
  }

  /** The Silver version's manifest (hashed as read) and feature rows, or why there are none. */
  private async readSilver(silverVersion: string, dates?: string[]): Promise<SilverInput | { reason: string }> {
    const versionDir = this.silver.versionDir(silverVersion);
    // §5.2 "Required: run step 4 before step 2" — no manifest, no load
    const manifestPath = join(versionDir, "manifest.yaml");
    if (!existsSync(manifestPath)) return { reason: `Manifest not found for ${silverVersion}` };
    // read once: the hash recorded in lineage is of exactly the bytes that were parsed
    const manifestBytes = readFileSync(manifestPath);
    const manifest = parseManifest(manifestBytes.toString("utf8"), manifestPath);
    const df = await this.silver.loadFeatures(silverVersion, dates);
    if (df.numRows === 0) return { reason: "No data found in Silver version" };
    return { manifest, manifestSha: sha256Bytes(manifestBytes), df };
  }

  /**
   * Under the catalog lock: move an existing dataset aside to history (forced re-promotion or
   * an append), rename the new file into place, write its metadata and the catalog entry.
   * An append replaces only the dataset it was planned from (`replacesSha`). Returns the
   * history id of the replaced dataset, if any.
   */
  private async swapIn(name: string, d: EncodedDataset, how: { force: boolean; replacesSha?: string | null }): Promise<string | undefined> {
    const path = this.datasetPath(name);
    mkdirSync(this.trainingDir, { recursive: true });
    const tmp = join(this.trainingDir, `.${name}.parquet.tmp-${uniqueSuffix()}`);
    writeFileAtomic(tmp, d.bytes);
    let replaced: string | undefined;
    try {
      await updateCatalog(this.dataRoot, (cat) => {
        const prev = cat.datasets.find((e) => e.name === name && e.type === "training");
        if (existsSync(path) && !how.force && (how.replacesSha === undefined || (prev?.sha256 ?? null) !== how.replacesSha)) {
          throw new LakeError(`Dataset ${name} was changed by another promotion meanwhile; run the command again (or use --force to overwrite)`);
        }
        const history = [...(prev?.history ?? [])];
        if (existsSync(path)) {
          const moved = this.moveToHistory(name, prev, history, d.metadata.created_at);
          history.push(moved);
          replaced = moved.id;
        }
        renameSync(tmp, path);
        writeFileAtomic(this.metadataPath(name), JSON.stringify(d.metadata, null, 2) + "\n");
        upsertEntry(cat, {
          name,
          type: "training",
          path: `gold/training/${name}.parquet`,
          created_at: d.metadata.created_at,
          signal_count: d.frame.numRows,
          silver_version: d.metadata.silver_version,
          sha256: d.sha,
          history,
        });
      });
    } finally {
      rmSync(tmp, { force: true });
    }
    return replaced;
  }

  /** Rename the current dataset and its metadata to history/{name}@{n}; the catalog's record of it. */
  private moveToHistory(name: string, prev: CatalogEntry | undefined, history: readonly HistoryEntry[], replacedAt: string): HistoryEntry {
    const n = history.reduce((m, h) => Math.max(m, h.n), 0) + 1;
    const hdir = join(this.trainingDir, "history");
    mkdirSync(hdir, { recursive: true });
    renameSync(this.datasetPath(name), join(hdir, `${name}@${n}.parquet`));
    if (existsSync(this.metadataPath(name))) renameSync(this.metadataPath(name), join(hdir, `${name}@${n}_metadata.json`));
    fsyncDir(hdir); // the moved-aside dataset must survive a crash as durably as the new one
    return {
      id: `${name}@${n}`,
      n,
      path: `gold/training/history/${name}@${n}.parquet`,
      metadata_path: `gold/training/history/${name}@${n}_metadata.json`,
      created_at: prev?.created_at ?? "",
      replaced_at: replacedAt,
      signal_count: prev?.signal_count ?? 0,
      silver_version: prev?.silver_version ?? "",
      sha256: (prev?.sha256 as string | null) ?? null,
    };
  }

  /** `name` or a history id `name@n`. */
  resolveDataset(nameOrId: string): { path: string; metadataPath: string } {
    const hist = this.historyPaths(nameOrId);
    if (hist) return hist;
    const entry = loadCatalog(this.dataRoot).datasets.find((d) => d.name === nameOrId && d.type === "training");
    const path = entry ? resolveCatalogPath(this.dataRoot, entry.path) : this.datasetPath(nameOrId);
    return { path, metadataPath: this.metadataPath(nameOrId) };
  }

  /** `{name}@{n}`: a superseded copy under history/ (no catalog lookup needed). */
  private historyPaths(nameOrId: string): { path: string; metadataPath: string } | null {
    const m = /^(.+)@(\d+)$/.exec(nameOrId);
    if (!m) return null;
    const name = checkDatasetName(m[1]!);
    const h = join(this.trainingDir, "history");
    return { path: join(h, `${name}@${m[2]}.parquet`), metadataPath: join(h, `${name}@${m[2]}_metadata.json`) };
  }

  async loadTrainingData(name = "signals_production"): Promise<Frame> {
    const { path } = this.resolveDataset(name);
    if (!existsSync(path)) throw new LakeError(`Gold training dataset '${name}' not found`);
    const { decodeParquet } = await import("../parquet");
    return decodeParquet(new Uint8Array(await Bun.file(path).arrayBuffer()));
  }

  listTrainingDatasets(): CatalogEntry[] {
    return loadCatalog(this.dataRoot).datasets.filter((d) => d.type === "training");
  }

  getDatasetMetadata(name: string): Record<string, any> | null {
    // the metadata file sits beside the dataset's name, wherever the catalog points the data
    const metadataPath = this.historyPaths(name)?.metadataPath ?? this.metadataPath(name);
    return existsSync(metadataPath) ? JSON.parse(readFileSync(metadataPath, "utf8")) : null;
  }

  async fileSha256(name: string): Promise<string | null> {
    const { path } = this.resolveDataset(name);
    return existsSync(path) ? sha256File(path) : null;
  }

  /** Drop history entries of `name`, keeping the newest `keep`. */
  async pruneHistory(name: string, keep = 0): Promise<HistoryEntry[]> {
    checkDatasetName(name);
    return updateCatalog(this.dataRoot, (cat) => {
      const e = cat.datasets.find((d) => d.name === name && d.type === "training");
      if (!e?.history?.length) return [];
      const sorted = [...e.history].sort((a, b) => a.n - b.n);
      const drop = sorted.slice(0, Math.max(0, sorted.length - keep));
      for (const h of drop) {
        rmSync(resolveCatalogPath(this.dataRoot, h.path), { force: true });
        rmSync(resolveCatalogPath(this.dataRoot, h.metadata_path), { force: true });
      }
      e.history = sorted.slice(drop.length);
      return drop;
    });
  }

  /** By id (the predecessor's behaviour, now returning the result and honouring force) or best by metric. */
  async promoteBestExperiment(
    selector: string | { metric: string; higherIsBetter?: boolean },
    datasetName = "signals_production",
    opts: { force?: boolean; dates?: string[] } = {},
  ): Promise<{ experiment: string; version: string; selection: BestSelection | null; promotion: PromoteResult }> {
    const records = this.silver.listExperiments();
    let selection: BestSelection | null = null;
    let exp;
    if (typeof selector === "string") {
      exp = findExperiment(records, selector);
      if (!exp) throw new LakeError(`Experiment ${selector} not found`);
    } else {
      selection = selectBest(records, selector.metric, selector.higherIsBetter ?? true);
      exp = selection.selected;
    }
    const promotion = await this.promoter(exp.version, {
      datasetName,
      notes: `Promoted from experiment ${exp.id}: ${exp.notes}`,
      force: opts.force,
      dates: opts.dates,
    });
    return { experiment: exp.id, version: exp.version, selection, promotion };
  }
}

function distinctDates(frame: Frame): string[] {
  if (!frame.has("date")) return [];
  const s = new Set<string>();
  for (const d of frame.values<(string | null)[]>("date")) if (d) s.add(d);
  return [...s].sort();
}
