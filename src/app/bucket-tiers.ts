/**
 * Silver versions and the experiment registry in the bucket when the lake is on S3. The
 * builder keeps working on a local directory (LAKE_LOCAL_ROOT, now a working copy): commands
 * first pull the published generations into it, and a build publishes the version back as
 * one generation (storage/generations.ts) — compare-and-swap against the generation it
 * started from, or against whatever is current with --force. The experiment registry is a
 * read-modify-write of `silver/features/experiments.json` with If-Match, retried on 412.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config";
import { log } from "../log";
import { writeFileAtomic } from "../core/atomic-file";
import { openStore, type Store } from "../storage";
import {
  GENERATIONS_DIR,
  POINTER_NAME,
  localGeneration,
  markLocalGeneration,
  publishGeneration,
  pullGeneration,
  sweepGenerations,
  type CurrentGeneration,
  type PublishResult,
} from "../storage/generations";
import { updateJsonObject } from "../storage/registry-cas";
import { experimentsJson, parseExperiments, withExperiment, type ExperimentRecord, type RegisterOptions } from "../silver/experiments";
import type { SilverFeatureBuilder } from "../silver/builder";

export const SILVER_PREFIX = "silver/features";
export const EXPERIMENTS_KEY = `${SILVER_PREFIX}/experiments.json`;
/** Unreferenced generations younger than this are left alone: a reader may still be pulling one it saw current. */
export const SWEEP_GRACE_MS = 60 * 60 * 1000;

export interface BucketTiers {
  store: Store;
  singleWriter: boolean;
}

/**
 * The bucket Silver and Gold live in, or null when they live in a directory: the lake is
 * local, or DATA_ROOT is a directory with USE_S3=true (contracts §7: only the writers use
 * the bucket then, and the local root is derived from DATA_ROOT).
 */
export function bucketTiers(cfg: Pick<Config, "dataRoot" | "useS3" | "s3" | "singleWriter" | "sources">): BucketTiers | null {
  if (!cfg.useS3 || !cfg.dataRoot.startsWith("s3://") || cfg.sources.LAKE_LOCAL_ROOT === "derived") return null;
  return { store: openStore(cfg), singleWriter: cfg.singleWriter };
}

export const silverBase = (version: string) => `${SILVER_PREFIX}/${version}`;

/** Versions published in the bucket (those with a generation pointer). */
export async function publishedVersions(t: BucketTiers): Promise<string[]> {
  const suffix = `/${POINTER_NAME}`;
  const out: string[] = [];
  for (const o of await t.store.list(`${SILVER_PREFIX}/`)) {
    const rest = o.key.slice(SILVER_PREFIX.length + 1);
    if (rest.endsWith(suffix) && !rest.slice(0, -suffix.length).includes("/")) out.push(rest.slice(0, -suffix.length));
  }
  return out.sort();
}

/**
 * Bring the working copy up to the bucket: every published version's current generation
 * (unchanged ones cost one GET of their pointer), versions deleted from the bucket leave
 * the copy, and the experiment registry. Returns each version's pointer, for publishing
 * against it later.
 */
export async function pullSilver(t: BucketTiers, b: SilverFeatureBuilder): Promise<Map<string, CurrentGeneration>> {
  const current = new Map<string, CurrentGeneration>();
  const published = await publishedVersions(t);
  for (const v of published) {
    const cur = await pullGeneration(t.store, silverBase(v), b.versionDir(v));
    if (cur) current.set(v, cur);
  }
  // a local version that was pulled once but is no longer published was removed upstream
  if (existsSync(b.featuresDir)) {
    for (const e of readdirSync(b.featuresDir, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith(".") && !current.has(e.name) && localGeneration(join(b.featuresDir, e.name)) !== null) {
        await pullGeneration(t.store, silverBase(e.name), join(b.featuresDir, e.name), null);
      }
    }
  }
  const reg = await t.store.getVersioned(EXPERIMENTS_KEY);
  if (reg) writeFileAtomic(join(b.featuresDir, "experiments.json"), reg.data);
  return current;
}

/**
 * Publish the working copy of `version` as its next generation. Without `force` the
 * bucket must still hold `basedOn` (what this build started from): a version another
 * machine published meanwhile is not silently replaced.
 */
export async function publishSilver(t: BucketTiers, b: SilverFeatureBuilder, version: string, basedOn: CurrentGeneration | null, force: boolean): Promise<PublishResult> {
  const base = silverBase(version);
  const dir = b.versionDir(version);
  const r = await publishGeneration(t.store, base, dir, { mode: force ? { kind: "force" } : { kind: "replace", etag: basedOn?.etag ?? null }, singleWriter: t.singleWriter });
  markLocalGeneration(dir, r.generation);
  log.info(`published ${version} to ${t.store.root}/${base} (generation ${r.generation}, ${r.files} objects)`);
  const swept = await sweepGenerations(t.store, base, SWEEP_GRACE_MS);
  if (swept.length) log.info(`swept ${swept.length} unreferenced generation(s) of ${version}`);
  return r;
}

/** Register an experiment in the bucket's registry (compare-and-swap), then refresh the working copy. */
export async function registerExperimentInBucket(t: BucketTiers, b: SilverFeatureBuilder, version: string, expId: string, opts: RegisterOptions): Promise<ExperimentRecord> {
  const m = b.getManifest(version);
  if (!m) throw new Error(`Version ${version} not found`);
  const rec = await updateJsonObject(
    t.store,
    EXPERIMENTS_KEY,
    () => ({ experiments: [] as unknown[] }),
    (cur) => {
      const { records, rec } = withExperiment(parseExperiments(cur), m, expId, opts);
      return { value: JSON.parse(experimentsJson(records)) as { experiments: unknown[] }, result: rec };
    },
    { singleWriter: t.singleWriter },
  );
  const reg = await t.store.get(EXPERIMENTS_KEY);
  writeFileAtomic(join(b.featuresDir, "experiments.json"), reg);
  return rec;
}

/** Sweep abandoned staging of every published version (and of versions never published). */
export async function sweepSilver(t: BucketTiers, graceMs = SWEEP_GRACE_MS): Promise<Record<string, string[]>> {
  const bases = new Set<string>();
  for (const o of await t.store.list(`${SILVER_PREFIX}/`)) {
    const parts = o.key.slice(SILVER_PREFIX.length + 1).split("/");
    if (parts.length > 2 && parts[1] === GENERATIONS_DIR) bases.add(parts[0]!);
  }
  const out: Record<string, string[]> = {};
  for (const v of [...bases].sort()) {
    const swept = await sweepGenerations(t.store, silverBase(v), graceMs);
    if (swept.length) out[v] = swept;
  }
  return out;
}

