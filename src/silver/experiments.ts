/**
 * The experiment registry `silver/features/experiments.json` (contracts §4.6, §9 S-8):
 * tolerant loading (unknown keys ignored, a missing file is empty, a corrupt file is moved
 * aside), unique ids unless overwrite is asked, atomic rewrite under a file lock.
 */
import { join } from "node:path";
import { z } from "zod";
import { LakeError } from "../errors";
import { log } from "../log";
import { readJsonRegistry, withFileLock, writeFileAtomic } from "../core/atomic-file";
import { checkExperimentId, isoNowZ } from "../core/validate";

const recordSchema = z
  .object({
    id: z.string(),
    version: z.string(),
    created_at: z.string().default(""),
    status: z.string().default("completed"),
    metrics: z.record(z.string(), z.unknown()).nullable().default({}),
    parent: z.string().nullable().default(null),
    parent_version: z.string().nullable().optional(),
    tags: z.array(z.string()).default([]),
    notes: z.string().default(""),
    model_path: z.string().nullable().default(null),
    model_metrics: z.unknown().nullable().default(null),
  })
  .loose(); // keep predecessor keys we don't know so a rewrite does not drop them

export type ExperimentRecord = z.infer<typeof recordSchema>;

export interface RegisterOptions {
  status?: string;
  metrics?: Record<string, unknown> | null;
  modelPath?: string | null;
  notes?: string;
  /** Replace an existing record with the same id instead of refusing. */
  overwrite?: boolean;
  /** Parent experiment id (the predecessor stored the parent *version* here; see parent_version). */
  parent?: string | null;
  now?: Date;
}

export function registryPath(featuresDir: string): string {
  return join(featuresDir, "experiments.json");
}

/** Load the registry; records that fail validation are skipped with a warning naming them. */
export function loadExperiments(featuresDir: string): ExperimentRecord[] {
  return parseExperiments(readJsonRegistry<{ experiments?: unknown }>(registryPath(featuresDir), () => ({ experiments: [] })));
}

/** The valid records of a parsed registry (from disk or from the bucket). */
export function parseExperiments(raw: { experiments?: unknown } | null): ExperimentRecord[] {
  const list = Array.isArray(raw?.experiments) ? raw.experiments : [];
  const out: ExperimentRecord[] = [];
  list.forEach((r, i) => {
    const res = recordSchema.safeParse(r);
    if (res.success) out.push(res.data);
    else log.warn(`experiments.json: skipping record ${i}: ${res.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
  });
  return out;
}

/** The registry's JSON text; values that are not natively serialisable are written as strings (§4.6). */
export function experimentsJson(records: ExperimentRecord[]): string {
  return JSON.stringify({ experiments: records }, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}

function saveExperiments(featuresDir: string, records: ExperimentRecord[]): void {
  writeFileAtomic(registryPath(featuresDir), experimentsJson(records));
}

/** Lookup by id returns the first match (predecessor registries may hold duplicates). */
export function findExperiment(records: ExperimentRecord[], id: string): ExperimentRecord | undefined {
  return records.find((r) => r.id === id);
}

export async function registerExperiment(
  featuresDir: string,
  manifest: { version: string; parent_version: string | null; tags: string[] },
  expId: string,
  opts: RegisterOptions = {},
): Promise<ExperimentRecord> {
  checkExperimentId(expId);
  return withFileLock(registryPath(featuresDir), () => {
    const { records, rec } = withExperiment(loadExperiments(featuresDir), manifest, expId, opts);
    saveExperiments(featuresDir, records);
    return rec;
  });
}

/**
 * The registry with `expId` added (or replaced in place with `overwrite`): a function of the
 * records it is given, so a compare-and-swap retry can apply it again to newer ones.
 */
export function withExperiment(
  records: ExperimentRecord[],
  manifest: { version: string; parent_version: string | null; tags: string[] },
  expId: string,
  opts: RegisterOptions = {},
): { records: ExperimentRecord[]; rec: ExperimentRecord } {
  checkExperimentId(expId);
  const existing = records.findIndex((r) => r.id === expId);
  if (existing >= 0 && !opts.overwrite) {
    throw new LakeError(`experiment "${expId}" already exists (version ${records[existing]!.version}); pass overwrite to replace it`);
  }
  const rec: ExperimentRecord = {
    id: expId,
    version: manifest.version,
    created_at: isoNowZ(opts.now),
    status: opts.status ?? "completed",
    metrics: opts.metrics ?? {},
    parent: opts.parent ?? null,
    parent_version: manifest.parent_version,
    tags: [...manifest.tags],
    notes: opts.notes ?? "",
    model_path: opts.modelPath ?? null,
    model_metrics: null,
  };
  const next = existing >= 0 ? records.filter((r) => r.id !== expId) : [...records];
  if (existing >= 0) next.splice(existing, 0, rec);
  else next.push(rec);
  return { records: next, rec };
}
