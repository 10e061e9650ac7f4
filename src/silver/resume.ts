/**
 * Incremental and resumable Silver builds. Every finished date leaves a record
 * (`.dates/{date}.json`: the date's BuildDateResult) beside its Parquet file, in the staging
 * directory and in the published version. With those records:
 * - `lake silver` on an existing version builds only the dates the version is missing and
 *   carries the others over (hard links) into the next generation;
 * - an interrupted build leaves its staging directory (named by the build's key) behind, and
 *   the next build with the same key reuses each finished date whose Bronze inputs are
 *   unchanged; staging directories of other keys are stale and removed.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LakeError } from "../errors";
import { log } from "../log";
import { writeFileAtomic } from "../core/atomic-file";
import type { Variant } from "../core/variant";
import type { BuildDateResult } from "./build-date";
import { dateLineage, sha256Bytes, sha256File, type BronzeSource } from "./lineage";
import { manifestColumns, type FeatureManifest } from "./manifest";
import { PIPELINE_VERSION } from "./pipeline/registry";

export const RECORDS_DIR = ".dates";
const KEY_FILE = "build-key";

/**
 * What makes two builds of a version produce the same bytes per date: the selected columns,
 * the parameters (minus what a build records about itself), the variant and the pipeline.
 */
export function buildKey(m: FeatureManifest, variant: Variant): string {
  const { effective_config: _e, lineage: _l, ...custom } = (m.parameters.custom ?? {}) as Record<string, unknown>;
  const params = { ...m.parameters, custom };
  return sha256Bytes(JSON.stringify({ columns: manifestColumns(m), params, variant, pipeline: PIPELINE_VERSION })).slice(0, 16);
}

export function stagingName(version: string, key: string): string {
  return `${version}.build-${key}`;
}

/** Remove staging dirs of `version` that a build with `keep` cannot reuse (other keys, old temp dirs). */
export function removeStaleStaging(stagingRoot: string, version: string, keep: string | null): string[] {
  if (!existsSync(stagingRoot)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(stagingRoot)) {
    const ours = name.startsWith(`${version}.tmp-`) || name.startsWith(`${version}.build-`);
    if (!ours || name === keep || name.endsWith(".lock")) continue;
    rmSync(join(stagingRoot, name), { recursive: true, force: true });
    removed.push(name);
  }
  if (removed.length) log.info(`removed stale staging of ${version}: ${removed.join(", ")}`);
  return removed;
}

export function writeKey(dir: string, key: string): void {
  writeFileAtomic(join(dir, RECORDS_DIR, KEY_FILE), key + "\n");
}

export function readKey(dir: string): string | null {
  const p = join(dir, RECORDS_DIR, KEY_FILE);
  return existsSync(p) ? readFileSync(p, "utf8").trim() : null;
}

export function writeRecord(dir: string, r: BuildDateResult): void {
  writeFileAtomic(join(dir, RECORDS_DIR, `${r.date}.json`), JSON.stringify(r) + "\n");
}

/** The record of `date` in `dir`, if it and its file are whole (the file's hash matches). */
export async function readRecord(dir: string, date: string): Promise<BuildDateResult | null> {
  const p = join(dir, RECORDS_DIR, `${date}.json`);
  if (!existsSync(p)) return null;
  try {
    const r = JSON.parse(readFileSync(p, "utf8")) as BuildDateResult;
    if (r.date !== date) return null;
    if (r.file) {
      const f = join(dir, r.file);
      if (!existsSync(f) || (await sha256File(f)) !== r.sha256) return null;
    }
    return r;
  } catch {
    return null;
  }
}

/**
 * An existing version `out` built with `key`: its finished dates (carried over as they are)
 * and every date of the next generation — null when `dates` are all there already.
 * A version built with another key is refused (only --force may change what it holds).
 */
export async function planIncremental(out: string, version: string, key: string, previous: readonly string[], dates: readonly string[]): Promise<{ carried: Map<string, BuildDateResult>; all: string[] } | null> {
  const publishedKey = readKey(out);
  if (publishedKey && publishedKey !== key) {
    throw new LakeError(`${version} was built with other columns, parameters, variant or pipeline version than this build; run with --force to rebuild it`);
  }
  const carried = new Map<string, BuildDateResult>();
  if (publishedKey) {
    for (const d of recordedDates(out)) {
      const r = await readRecord(out, d);
      if (r) carried.set(d, r);
    }
  } else log.info(`${version} has no per-date build records (built by an older lake): rebuilding its dates once`);
  if (dates.every((d) => carried.has(d))) return null;
  return { carried, all: [...new Set([...previous, ...carried.keys(), ...dates])].sort() };
}

/** Dates of `dir` that have a record. */
export function recordedDates(dir: string): string[] {
  const d = join(dir, RECORDS_DIR);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((n) => /^\d{4}-\d{2}-\d{2}\.json$/.test(n))
    .map((n) => n.slice(0, 10))
    .sort();
}

/** Carry a finished date from `from` (a published version) into `to` (staging): hard link, else copy. */
export function carryOver(from: string, to: string, r: BuildDateResult): void {
  if (r.file) {
    const src = join(from, r.file);
    const dst = join(to, r.file);
    mkdirSync(join(dst, ".."), { recursive: true });
    rmSync(dst, { force: true });
    try {
      linkSync(src, dst);
    } catch {
      copyFileSync(src, dst);
    }
  }
  writeRecord(to, r);
}

/**
 * The finished dates of an interrupted build in `staging` that can be reused for `dates`:
 * record and file intact, Bronze inputs unchanged. Everything else in the staging dir
 * (records of other dates, half-written temp files) is removed.
 */
export async function reusableFromStaging(staging: string, dates: string[], bronze: BronzeSource, warmupDays: number): Promise<Map<string, BuildDateResult>> {
  const out = new Map<string, BuildDateResult>();
  const wanted = new Set(dates);
  for (const date of recordedDates(staging)) {
    const r = wanted.has(date) ? await readRecord(staging, date) : null;
    if (r && (await dateLineage(bronze, date, warmupDays)).inputs_sha256 === r.lineage.inputs_sha256) out.set(date, r);
    else dropDate(staging, date);
  }
  for (const e of readdirSync(staging, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith("date=") && !out.has(e.name.slice(5))) rmSync(join(staging, e.name), { recursive: true, force: true });
  }
  return out;
}

function dropDate(dir: string, date: string): void {
  rmSync(join(dir, RECORDS_DIR, `${date}.json`), { force: true });
  rmSync(join(dir, `date=${date}`), { recursive: true, force: true });
}
