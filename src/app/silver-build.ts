/**
 * Silver builds on the batch worker pool: each date runs as the "silver.buildDate" task in a
 * worker thread. What `lake silver build|verify` and `lake demo` run — or, distributed, on
 * `lake worker` processes that pull the dates from a JetStream work queue.
 */
import type { Variant } from "../core/variant";
import { SilverFeatureBuilder, type BuildResult } from "../silver/builder";
import type { BronzeSource } from "../silver/lineage";
import type { FeatureManifest } from "../silver/manifest";
import type { Store } from "../storage";
import { progressPrinter } from "../silver/report";
import type { DateCoordination } from "./distributed-build";

/** Where a build reads and writes: Silver in a local root, Bronze from the lake's backend. */
export interface SilverPlace {
  root: string;
  bronze: BronzeSource;
}

/** A builder whose dates run on a WorkerPool of `workers` threads, closed when `fn` settles. */
export async function withPoolBuilder<T>(place: SilverPlace, workers: number, fn: (b: SilverFeatureBuilder) => Promise<T>): Promise<T> {
  const { openBatchPool } = await import("./pool");
  // every worker at once: a single date's build lends the consolidation of many-file hours to the others
  const pool = openBatchPool(workers).prestart();
  try {
    return await fn(new SilverFeatureBuilder(place.root, { bronze: place.bronze, runDate: (p) => pool.run("silver.buildDate", p) }));
  } finally {
    await pool.close();
  }
}

/** Build `dates` of `manifest` on the pool, with a progress line on stderr unless `quiet`. */
export async function buildOnPool(place: SilverPlace, manifest: FeatureManifest, dates: string[], o: { force?: boolean; workers: number; variant: Variant; quiet?: boolean }): Promise<BuildResult> {
  return withPoolBuilder(place, o.workers, async (b) => {
    const progress = o.quiet ? null : progressPrinter(`silver ${manifest.version}`);
    try {
      return await b.buildFeatureSet(manifest, dates, { force: o.force, concurrency: o.workers, variant: o.variant, onProgress: progress?.update });
    } finally {
      progress?.end();
    }
  });
}

/**
 * Build `dates` of `manifest` on `lake worker` processes (LAKE_TASKS); the same staging,
 * manifest and atomic swap as buildOnPool. With `bucket` (the lake's Silver is there) the
 * workers hand their dates over through it, so they need no access to this machine. Every date is queued at once: the workers'
 * pools decide how many run at a time.
 */
export async function buildDistributed(place: SilverPlace, nats: { natsUrl: string; natsReplicas: number }, manifest: FeatureManifest, dates: string[], o: { force?: boolean; variant: Variant; quiet?: boolean; bucket?: Store | null }): Promise<{ result: BuildResult; coordination: DateCoordination[] }> {
  const { withDistributedBuilder } = await import("./distributed-build");
  return withDistributedBuilder(place, { url: nats.natsUrl, replicas: nats.natsReplicas, bucket: o.bucket }, async (b, d) => {
    const progress = o.quiet ? null : progressPrinter(`silver ${manifest.version} (distributed)`);
    try {
      const result = await b.buildFeatureSet(manifest, dates, { force: o.force, concurrency: Math.max(1, dates.length), variant: o.variant, onProgress: progress?.update });
      return { result, coordination: d.coordination };
    } finally {
      progress?.end();
    }
  });
}

/** One line per worker: dates delivered, mean build time and coordination overhead per date. */
export function distributedSummary(c: readonly DateCoordination[]): string {
  const byWorker = new Map<string, DateCoordination[]>();
  for (const x of c) byWorker.set(x.worker, [...(byWorker.get(x.worker) ?? []), x]);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : 0);
  const lines = [...byWorker].sort(([a], [b]) => (a < b ? -1 : 1)).map(([w, xs]) => `  ${w}: ${xs.length} dates, build ${(mean(xs.map((x) => x.build_ms)) / 1000).toFixed(2)} s/date, overhead ${mean(xs.map((x) => x.overhead_ms)).toFixed(0)} ms/date`);
  const discarded = c.reduce((s, x) => s + x.discarded, 0);
  return [`workers ${byWorker.size}${discarded ? `, late results discarded ${discarded}` : ""}`, ...lines].join("\n");
}
