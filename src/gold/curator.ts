/**
 * GoldCurator (contracts §5, issue 9): promote a Silver version to a training dataset —
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
import { fsyncDir, uniqueSuffix, writeFileAtomic } from "../silver/fsutil";
import { sha256Bytes, sha256File } from "../silver/lineage";
import { parametersToDict, parseManifest } from "../silver/manifest";
import { checkDatasetName, checkVersion, isoNowZ } from "../silver/names";
import { schemaHash } from "../silver/validation";
import { loadCatalog, resolveCatalogPath, updateCatalog, upsertEntry, type CatalogEntry, type HistoryEntry } from "./catalog";
import { conformToTraining } from "./schema";
import { selectBest, type BestSelection } from "./best";

export interface PromoteOptions {
  datasetName?: string;
  dates?: string[];
  notes?: string;
  force?: boolean;
}

export type PromoteResult =
  | { status: "success"; dataset_name: string; path: string; signal_count: number; feature_count: number; silver_version: string; sha256: string; replaced?: string }
  | { status: "skipped"; reason: string; path: string }
  | { status: "error"; reason: string; silver_version: string };

const NOT_FEATURES = new Set(["event_id", "ts_ns", "date", "symbol"]);

export class GoldCurator {
  readonly dataRoot: string;
  readonly trainingDir: string;
  readonly silver: SilverFeatureBuilder;

  constructor(dataRoot: string, silver?: SilverFeatureBuilder) {
    this.dataRoot = resolve(dataRoot);
    this.trainingDir = join(this.dataRoot, "gold", "training");
    this.silver = silver ?? new SilverFeatureBuilder(this.dataRoot);
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
    if (existsSync(path) && !opts.force) return { status: "skipped", reason: `Dataset ${name} already exists. Use force=True to overwrite.`, path };
    const versionDir = this.silver.versionDir(silverVersion);
    if (!existsSync(versionDir)) throw new LakeError(`Version ${silverVersion} not found`);
    // §5.2 "Required: run step 4 before step 2" — no manifest, no load
    const manifestPath = join(versionDir, "manifest.yaml");
    if (!existsSync(manifestPath)) return { status: "error", reason: `Manifest not found for ${silverVersion}`, silver_version: silverVersion };
    // read once: the hash recorded in lineage is of exactly the bytes that were parsed
    const manifestBytes = readFileSync(manifestPath);
    const manifest = parseManifest(manifestBytes.toString("utf8"), manifestPath);
    const manifestSha = sha256Bytes(manifestBytes);
    const df = await this.silver.loadFeatures(silverVersion, opts.dates);
    if (df.numRows === 0) return { status: "error", reason: "No data found in Silver version", silver_version: silverVersion };

    const { frame, schema } = conformToTraining(df);
    const { encodeParquet } = await import("../parquet");
    const createdAt = isoNowZ();
    const bytes = encodeParquet(frame, {
      schema,
      metadata: { dataset_name: name, silver_version: silverVersion, silver_manifest_sha256: manifestSha, lake_version: LAKE_VERSION },
    });
    const sha = sha256Bytes(bytes);
    const dates = distinctDates(frame);
    const featureCount = frame.columnNames.filter((c) => !NOT_FEATURES.has(c)).length;
    const metadata = {
      dataset_name: name,
      silver_version: silverVersion,
      created_at: createdAt,
      signal_count: frame.numRows,
      feature_count: featureCount,
      date_range: dates.length ? { start: dates[0]!, end: dates[dates.length - 1]! } : null,
      manifest: { version: manifest.version, description: manifest.description, parameters: parametersToDict(manifest.parameters) },
      notes: opts.notes ?? "",
      lineage: {
        silver_version: silverVersion,
        silver_manifest_sha256: manifestSha,
        silver_outputs: lineageOf(manifest)?.outputs ?? null,
        dates,
        row_count: frame.numRows,
        sha256: sha,
        file_bytes: bytes.length,
        schema_name: schema.name,
        schema_hash: schemaHash(schema.columns),
        columns: schema.columns.map((c) => c.name),
        lake_version: LAKE_VERSION,
        created_at: createdAt,
      },
    };

    // encode outside the lock; swap files + catalog inside it
    mkdirSync(this.trainingDir, { recursive: true });
    const tmp = join(this.trainingDir, `.${name}.parquet.tmp-${uniqueSuffix()}`);
    writeFileAtomic(tmp, bytes);
    let replaced: string | undefined;
    try {
      await updateCatalog(this.dataRoot, (cat) => {
        if (existsSync(path) && !opts.force) throw new LakeError(`Dataset ${name} already exists (created concurrently). Use --force to overwrite.`);
        const prev = cat.datasets.find((d) => d.name === name && d.type === "training");
        const history = [...(prev?.history ?? [])];
        if (existsSync(path)) {
          const n = history.reduce((m, h) => Math.max(m, h.n), 0) + 1;
          const hdir = join(this.trainingDir, "history");
          mkdirSync(hdir, { recursive: true });
          const hp = join(hdir, `${name}@${n}.parquet`);
          const hm = join(hdir, `${name}@${n}_metadata.json`);
          renameSync(path, hp);
          if (existsSync(this.metadataPath(name))) renameSync(this.metadataPath(name), hm);
          fsyncDir(hdir); // the moved-aside dataset must survive a crash as durably as the new one
          history.push({
            id: `${name}@${n}`,
            n,
            path: `gold/training/history/${name}@${n}.parquet`,
            metadata_path: `gold/training/history/${name}@${n}_metadata.json`,
            created_at: prev?.created_at ?? "",
            replaced_at: createdAt,
            signal_count: prev?.signal_count ?? 0,
            silver_version: prev?.silver_version ?? "",
            sha256: (prev?.sha256 as string | null) ?? null,
          });
          replaced = `${name}@${n}`;
        }
        renameSync(tmp, path);
        writeFileAtomic(this.metadataPath(name), JSON.stringify(metadata, null, 2) + "\n");
        const entry: CatalogEntry = {
          name,
          type: "training",
          path: `gold/training/${name}.parquet`,
          created_at: createdAt,
          signal_count: frame.numRows,
          silver_version: silverVersion,
          sha256: sha,
          history,
        };
        upsertEntry(cat, entry);
      });
    } finally {
      rmSync(tmp, { force: true });
    }
    return { status: "success", dataset_name: name, path, signal_count: frame.numRows, feature_count: featureCount, silver_version: silverVersion, sha256: sha, ...(replaced ? { replaced } : {}) };
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
    const promotion = await this.promoteToTraining(exp.version, {
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
