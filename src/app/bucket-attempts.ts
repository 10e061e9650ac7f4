/**
 * Attempts of a distributed Silver build in the lake's bucket, for a lake whose Silver lives
 * there: a worker on any machine (its own empty working copy, no access to the coordinator's
 * disk) builds a date in a private temporary folder, uploads the file under the build's
 * attempts prefix and hands the key over; the coordinator downloads the accepted one into
 * its staging folder and publishes as a local build does.
 *
 * The prefix is a generation of the version that no pointer ever names
 * (`silver/features/{v}/_gen/{g}/attempts-{build}/`), so whatever a killed build or a late
 * worker leaves there is removed by the ordinary sweep of unreferenced generations. An `_open`
 * object marks a build in progress: the coordinator writes it first and deletes it first when
 * the build ends, and a worker neither starts nor hands over an attempt without it — the
 * bucket's counterpart of the local attempts folder, whose removal ends the build.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic-file";
import { LakeError } from "../errors";
import { featuresFileName } from "../silver/build-date";
import type { Store } from "../storage";
import { generationPrefix, newGeneration } from "../storage/generations";
import { silverBase } from "./bucket-tiers";

const OPEN_MARKER = "_open";

/** The attempts prefix of one build of `version`; the marker is written by `openAttempts`. */
export function attemptsPrefix(version: string, buildId: string): string {
  return `${generationPrefix(silverBase(version), newGeneration())}attempts-${buildId}/`;
}

export async function openAttempts(store: Store, prefix: string): Promise<void> {
  await store.put(`${prefix}${OPEN_MARKER}`, new Date().toISOString());
}

/** False once the build has ended (or never started here): nothing may be written or handed over then. */
export function attemptsOpen(store: Store, prefix: string): Promise<boolean> {
  return store.exists(`${prefix}${OPEN_MARKER}`);
}

/** One attempt's own prefix: unique per worker and delivery, like the local attempt folder. */
export const attemptKey = (prefix: string, date: string, worker: string, delivery: number) => `${prefix}${date}.${worker.replace(/[^A-Za-z0-9.-]/g, "_")}.${delivery}/`;

/** Upload the date's file built in `localDir`; the key of the attempt is what the worker hands over. */
export async function uploadAttempt(store: Store, key: string, localDir: string, date: string): Promise<void> {
  const file = featuresFileName(date);
  await store.put(`${key}${file}`, new Uint8Array(await Bun.file(join(localDir, file)).arrayBuffer()));
}

/** Bring an accepted attempt's file into the staging folder, checked against the hash the worker reported. */
export async function collectAttempt(store: Store, key: string, date: string, sha256: string | null, outDir: string): Promise<void> {
  const file = featuresFileName(date);
  const bytes = await store.get(`${key}${file}`);
  const got = createHash("sha256").update(bytes).digest("hex");
  if (sha256 && got !== sha256) throw new LakeError(`${key}${file} does not match the hash its worker reported (${got} ≠ ${sha256})`);
  writeFileAtomic(join(outDir, file), bytes);
}

/** Delete every object under `prefix` (an attempt, or the whole build's attempts). */
export async function dropPrefix(store: Store, prefix: string): Promise<void> {
  for (const o of await store.list(prefix)) await store.delete(o.key);
}

/** End the build's attempts: the marker first, so no worker starts or hands over another one. */
export async function closeAttempts(store: Store, prefix: string): Promise<void> {
  await store.delete(`${prefix}${OPEN_MARKER}`);
  await dropPrefix(store, prefix);
}
