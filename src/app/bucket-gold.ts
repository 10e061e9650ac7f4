/**
 * Gold training sets and `gold/catalog.json` in the bucket when the lake is on S3. A
 * promotion is encoded by the ordinary curator in a scratch copy (holding only the dataset
 * it may append to), its two objects are uploaded create-only under a fresh generation
 * `gold/training/_gen/{generation}/`, and it becomes visible by one compare-and-swap of the
 * catalog, whose entry names those objects — so a reader of the catalog gets a dataset, its
 * metadata and its hash that belong together. The entry it replaces moves to the entry's
 * history in the same write: every promotion is in the catalog exactly once, current or
 * history, however many machines promote at once. Objects no entry names are swept after a
 * grace period (abandoned uploads, pruned history).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { LakeError } from "../errors";
import { log } from "../log";
import { isoNowZ } from "../core/validate";
import { writeFileAtomic } from "../core/atomic-file";
import { faultAfterUpload, newGeneration, requireConditionalWrites, sweepUnreferenced } from "../storage/generations";
import { updateJsonObject } from "../storage/registry-cas";
import { readJsonIfExists } from "../storage/store";
import { GoldCurator, type PromoteOptions, type PromoteResult } from "../gold/curator";
import type { Catalog, CatalogEntry, HistoryEntry } from "../gold/catalog";
import type { SilverFeatureBuilder } from "../silver/builder";
import { SWEEP_GRACE_MS, type BucketTiers } from "./bucket-tiers";

export const CATALOG_KEY = "gold/catalog.json";
export const GOLD_GENERATIONS = "gold/training/_gen";

/** The catalog entry of a bucket dataset: where its metadata object is, beside `path`. */
type BucketEntry = CatalogEntry & { metadata_path?: string };

const emptyCatalog = (): Catalog => ({ datasets: [], last_updated: null });
const localDataset = (name: string) => `gold/training/${name}.parquet`;
const localMetadata = (name: string) => `gold/training/${name}_metadata.json`;

class ChangedMeanwhile extends Error {}

/**
 * Bring the working copy's Gold up to the bucket: the catalog (paths rewritten to the local
 * layout the curator reads), every current dataset and its metadata, and history datasets
 * not yet copied (they never change).
 */
export async function pullGold(t: BucketTiers, root: string): Promise<Catalog> {
  const cat = (await readJsonIfExists<Catalog>(t.store, CATALOG_KEY)) ?? emptyCatalog();
  const local: Catalog = { datasets: [], last_updated: cat.last_updated };
  for (const e of cat.datasets as BucketEntry[]) {
    if (e.type !== "training") {
      local.datasets.push(e);
      continue;
    }
    await fetchIfChanged(t, e.path, join(root, localDataset(e.name)), e.sha256 ?? null);
    if (e.metadata_path) await fetchIfChanged(t, e.metadata_path, join(root, localMetadata(e.name)), null);
    const history: HistoryEntry[] = [];
    for (const h of e.history ?? []) {
      const lp = `gold/training/history/${h.id}.parquet`;
      const lm = `gold/training/history/${h.id}_metadata.json`;
      if (!existsSync(join(root, lp))) await fetchIfChanged(t, h.path, join(root, lp), h.sha256);
      if (!existsSync(join(root, lm))) await fetchIfChanged(t, h.metadata_path, join(root, lm), null);
      history.push({ ...h, path: lp, metadata_path: lm });
    }
    const { metadata_path: _m, ...rest } = e;
    local.datasets.push({ ...rest, path: localDataset(e.name), history });
  }
  writeFileAtomic(join(root, CATALOG_KEY), JSON.stringify(local, null, 2) + "\n");
  return cat;
}

async function fetchIfChanged(t: BucketTiers, key: string, path: string, sha: string | null): Promise<void> {
  if (sha && existsSync(path) && createHash("sha256").update(await Bun.file(path).bytes()).digest("hex") === sha) return;
  const data = await t.store.get(key).catch((e) => {
    log.warn(`gold: ${key} named by the catalog is unreadable: ${(e as Error).message}`);
    return null;
  });
  if (data) writeFileAtomic(path, data);
}

/**
 * `lake gold promote` on a bucket lake. Without `force` the promotion is based on the
 * dataset as it was read; if another promotion replaced it meanwhile, the whole promotion
 * runs again on the new state (an append re-plans its dates).
 */
export async function promoteInBucket(t: BucketTiers, root: string, silver: SilverFeatureBuilder, silverVersion: string, opts: PromoteOptions): Promise<PromoteResult> {
  await requireConditionalWrites(t.store, t.singleWriter);
  const name = opts.datasetName ?? "signals_production";
  for (let attempt = 1; ; attempt++) {
    const cat = (await readJsonIfExists<Catalog>(t.store, CATALOG_KEY)) ?? emptyCatalog();
    const basedOn = (cat.datasets as BucketEntry[]).find((d) => d.name === name && d.type === "training") ?? null;
    mkdirSync(join(root, ".gold-work"), { recursive: true });
    const scratch = mkdtempSync(join(root, ".gold-work", `${name}-`));
    try {
      if (basedOn && !opts.force) await seedScratch(t, scratch, basedOn);
      const res = await new GoldCurator(scratch, silver).promoteToTraining(silverVersion, { ...opts, datasetName: name });
      if (res.status !== "success") return res.status === "skipped" ? { ...res, path: basedOn?.path ?? res.path } : res;
      const gen = newGeneration();
      const path = `${GOLD_GENERATIONS}/${gen}/${name}.parquet`;
      const metadataPath = `${GOLD_GENERATIONS}/${gen}/${name}_metadata.json`;
      await t.store.put(path, await Bun.file(join(scratch, localDataset(name))).bytes());
      faultAfterUpload(1);
      await t.store.put(metadataPath, await Bun.file(join(scratch, localMetadata(name))).bytes());
      faultAfterUpload(2);
      const made = (JSON.parse(await Bun.file(join(scratch, CATALOG_KEY)).text()) as Catalog).datasets.find((d) => d.name === name && d.type === "training")!;
      const fresh: BucketEntry = { ...made, path, metadata_path: metadataPath, history: [] };
      const replaced = await updateJsonObject(
        t.store,
        CATALOG_KEY,
        emptyCatalog,
        (c: Catalog) => {
          const prev = (c.datasets as BucketEntry[]).find((d) => d.name === name && d.type === "training");
          if (!opts.force && (prev?.sha256 ?? null) !== (basedOn?.sha256 ?? null)) throw new ChangedMeanwhile();
          const history = [...(prev?.history ?? [])];
          if (prev) history.push(historyOf(prev, history, fresh.created_at));
          const datasets = c.datasets.filter((d) => !(d.name === name && d.type === "training"));
          return { value: { datasets: [...datasets, { ...fresh, history }], last_updated: isoNowZ() }, result: prev ? history[history.length - 1]!.id : undefined };
        },
        { singleWriter: t.singleWriter },
      );
      await pullGold(t, root);
      const swept = await sweepGold(t);
      if (swept.length) log.info(`gold: swept ${swept.length} unreferenced generation(s)`);
      return { ...res, path, ...(replaced ? { replaced } : {}) };
    } catch (e) {
      if (!(e instanceof ChangedMeanwhile)) throw e;
      if (attempt >= 5) throw new LakeError(`Dataset ${name} kept changing under concurrent promotions; run the command again (or use --force)`);
      log.info(`gold: ${name} was promoted by another writer meanwhile; promoting again on its new state`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** The scratch root holds only the dataset a promotion without --force appends to. */
async function seedScratch(t: BucketTiers, scratch: string, e: BucketEntry): Promise<void> {
  const put = (rel: string, data: Uint8Array | string) => {
    mkdirSync(dirname(join(scratch, rel)), { recursive: true });
    writeFileSync(join(scratch, rel), data);
  };
  put(localDataset(e.name), await t.store.get(e.path));
  if (e.metadata_path) put(localMetadata(e.name), await t.store.get(e.metadata_path));
  const { metadata_path: _m, ...rest } = e;
  put(CATALOG_KEY, JSON.stringify({ datasets: [{ ...rest, path: localDataset(e.name), history: [] }], last_updated: null }));
}

function historyOf(prev: BucketEntry, history: readonly HistoryEntry[], replacedAt: string): HistoryEntry {
  const n = history.reduce((m, h) => Math.max(m, h.n), 0) + 1;
  return {
    id: `${prev.name}@${n}`,
    n,
    path: prev.path,
    metadata_path: prev.metadata_path ?? "",
    created_at: prev.created_at,
    replaced_at: replacedAt,
    signal_count: prev.signal_count,
    silver_version: prev.silver_version,
    sha256: prev.sha256 ?? null,
  };
}

/** `lake gold prune` on a bucket lake: drop history entries (the objects go with the next sweep). */
export async function pruneInBucket(t: BucketTiers, root: string, name: string, keep: number): Promise<HistoryEntry[]> {
  await requireConditionalWrites(t.store, t.singleWriter);
  const dropped = await updateJsonObject(
    t.store,
    CATALOG_KEY,
    emptyCatalog,
    (c: Catalog) => {
      const e = c.datasets.find((d) => d.name === name && d.type === "training");
      if (!e?.history?.length) return { value: c, result: [] as HistoryEntry[] };
      const sorted = [...e.history].sort((a, b) => a.n - b.n);
      const drop = sorted.slice(0, Math.max(0, sorted.length - keep));
      const datasets = c.datasets.map((d) => (d === e ? { ...d, history: sorted.slice(drop.length) } : d));
      return { value: { datasets, last_updated: isoNowZ() }, result: drop };
    },
    { singleWriter: t.singleWriter },
  );
  for (const h of dropped) for (const p of [`gold/training/history/${h.id}.parquet`, `gold/training/history/${h.id}_metadata.json`]) rmSync(join(root, p), { force: true });
  await sweepGold(t);
  await pullGold(t, root);
  return dropped;
}

/** Delete generations no catalog entry (current or history) names, once older than the grace period. */
export async function sweepGold(t: BucketTiers, graceMs = SWEEP_GRACE_MS, now = Date.now()): Promise<string[]> {
  const cat = (await readJsonIfExists<Catalog>(t.store, CATALOG_KEY)) ?? emptyCatalog();
  const named = new Set<string>();
  for (const e of cat.datasets as BucketEntry[]) for (const p of [e.path, ...(e.history ?? []).map((h) => h.path)]) named.add(p.split("/")[3] ?? "");
  return sweepUnreferenced(t.store, `${GOLD_GENERATIONS}/`, (gen) => named.has(gen), graceMs, now);
}
