/**
 * `gold/catalog.json` (contracts §5.4, §9 G-6): entries upserted by (name, type) under a
 * file lock and rewritten atomically; paths stored relative to the lake root (absolute ones
 * from the predecessor are still resolved); a forced re-promotion keeps the replaced file as
 * history `{name}@{n}` until pruned.
 */
import { isAbsolute, join } from "node:path";
import { readJsonRegistry, withFileLock, writeFileAtomic } from "../core/atomic-file";
import { isoNowZ } from "../core/validate";

export interface HistoryEntry {
  /** `{name}@{n}` */
  id: string;
  n: number;
  path: string;
  metadata_path: string;
  created_at: string;
  replaced_at: string;
  signal_count: number;
  silver_version: string;
  sha256: string | null;
}

export interface CatalogEntry {
  name: string;
  type: string;
  path: string;
  created_at: string;
  signal_count: number;
  silver_version: string;
  sha256?: string | null;
  history?: HistoryEntry[];
  [k: string]: unknown;
}

export interface Catalog {
  datasets: CatalogEntry[];
  last_updated: string | null;
}

export function catalogPath(root: string): string {
  return join(root, "gold", "catalog.json");
}

export function loadCatalog(root: string): Catalog {
  const raw = readJsonRegistry<Catalog>(catalogPath(root), () => ({ datasets: [], last_updated: null }));
  return { datasets: Array.isArray(raw.datasets) ? raw.datasets : [], last_updated: raw.last_updated ?? null };
}

/** Resolve a catalog path: relative to the lake root (ours) or absolute (predecessor). */
export function resolveCatalogPath(root: string, p: string): string {
  return isAbsolute(p) ? p : join(root, p);
}

/**
 * Read-modify-write the catalog under its lock. `fn` may also move dataset files: doing
 * the file swap inside the same lock keeps files, metadata and catalog consistent between
 * concurrent promotions.
 */
export async function updateCatalog<T>(root: string, fn: (c: Catalog) => Promise<T> | T): Promise<T> {
  const path = catalogPath(root);
  return withFileLock(path, async () => {
    const cat = loadCatalog(root);
    const out = await fn(cat);
    cat.last_updated = isoNowZ();
    writeFileAtomic(path, JSON.stringify(cat, null, 2) + "\n");
    return out;
  });
}

export function upsertEntry(cat: Catalog, entry: CatalogEntry): void {
  const i = cat.datasets.findIndex((d) => d.name === entry.name && d.type === entry.type);
  if (i >= 0) cat.datasets[i] = entry;
  else cat.datasets.push(entry);
  // drop predecessor duplicates of the same (name, type): the upsert is the one truth now
  cat.datasets = cat.datasets.filter((d, j) => !(d.name === entry.name && d.type === entry.type) || j === (i >= 0 ? i : cat.datasets.length - 1));
}
