/**
 * The steps of `lake demo`, each one thing: find or start NATS, publish the simulated days,
 * wait until Bronze holds every published row, build Silver and curate Gold, then judge the
 * run. The command (src/cli/demo.ts) strings them together and renders the report.
 */
import { join } from "node:path";
import type { Subprocess } from "bun";
import { canConnect, freePort, waitForListening } from "../core/net";
import { LakeError } from "../errors";
import { GoldCurator } from "../gold/curator";
import { validateDataset, type ValidationReport } from "../gold/validate";
import { esPipelineManifest } from "../silver/baselines";
import { SilverFeatureBuilder, type BuildResult } from "../silver/builder";
import { localBronze, type BronzeSource } from "../silver/lineage";
import { isNotFound } from "../storage/store";
import { publishSilver, type BucketTiers } from "./bucket-tiers";
import { promoteInBucket } from "./bucket-gold";
import { LakeFiles } from "../read/lake-files";
import { findNatsServer, type Processes } from "./processes";
import { buildOnPool } from "./silver-build";

export interface DemoPlace {
  /** the work directory: lake/, logs/, nats/ */
  dir: string;
  root: string;
  logs: string;
}

const TABLE_DIRS = { trades: "bronze/futures/trades", mbp10: "bronze/futures/mbp10", options: "bronze/options/trades", signals: "gold/levels/signals" } as const;
type TableName = keyof typeof TABLE_DIRS;
export interface TableCount {
  rows: number;
  files: number;
  bytes: number;
}
export type TableCounts = Record<TableName, TableCount>;

/** Rows per Bronze table that the simulator published. */
export interface Published {
  trades: number;
  mbp10: number;
  options: number;
  /** messages (all subjects) */
  published: number;
}

export interface Simulated {
  seconds: number;
  dates: string[];
  want: Published;
}

/** An explicitly configured, reachable NATS; else a private nats-server (never the default shared one). */
export async function natsForDemo(configured: { url: string; explicit: boolean }, procs: Processes, place: DemoPlace, say: (m: string) => void): Promise<string> {
  if (configured.explicit && (await reachable(configured.url))) {
    say(`using NATS at ${configured.url}`);
    return configured.url;
  }
  const bin = findNatsServer();
  if (!bin) throw new LakeError("nats-server not found on PATH (or /usr/sbin): install it (e.g. apt-get install nats-server) or pass --nats-url of a running JetStream server");
  const port = await freePort();
  const p = procs.spawn("nats-server", [bin, "-js", "-a", "127.0.0.1", "-p", String(port), "-sd", join(place.dir, "nats")], place.logs);
  await waitForListening(p, port, 10_000, "nats-server");
  const url = `nats://127.0.0.1:${port}`;
  say(`started a private nats-server at ${url} (pid ${p.pid})`);
  return url;
}

function reachable(url: string, timeoutMs = 500): Promise<boolean> {
  const u = new URL(url);
  return canConnect(Number(u.port || 4222), u.hostname, timeoutMs);
}

/** `lake simulate --to nats` as a child; what it published. */
export async function publishSimulatedDays(self: string[], sim: { from: string; days: number; scale: string; seed: string }, natsUrl: string, logs: string): Promise<Simulated> {
  const p = Bun.spawn([...self, "simulate", "--from", sim.from, "--days", String(sim.days), "--scale", sim.scale, "--seed", sim.seed, "--to", "nats", "--nats-url", natsUrl, "--json"], {
    stdout: "pipe",
    stderr: Bun.file(join(logs, "simulate.log")),
  });
  const out = await new Response(p.stdout).text();
  if ((await p.exited) !== 0) throw new LakeError(`lake simulate failed (exit ${p.exitCode}); see ${join(logs, "simulate.log")}`);
  const res = JSON.parse(out) as { seconds: number; days: { date: string; trades: number; mbp10: number; options: number; published: number }[] };
  const want: Published = { trades: 0, mbp10: 0, options: 0, published: 0 };
  for (const d of res.days) {
    want.trades += d.trades;
    want.mbp10 += d.mbp10;
    want.options += d.options;
    want.published += d.published;
  }
  return { seconds: res.seconds, dates: res.days.map((d) => d.date), want };
}

/**
 * Wait until Bronze holds every published row, or give up: after 90 s, after 20 s without a
 * single new row (a stuck writer is reported, not waited on), or when `serve` exits.
 */
export async function waitForBronze(files: LakeFiles, want: Published, serve: Subprocess): Promise<{ counts: () => Promise<TableCounts> }> {
  const footerRows = new Map<string, number>();
  const counts = () => rowCounts(files, footerRows);
  const t0 = performance.now();
  let c = await counts();
  let lastTotal = -1;
  let lastChange = performance.now();
  while (performance.now() - t0 < 90_000 && performance.now() - lastChange < 20_000 && serve.exitCode === null) {
    if (c.trades.rows >= want.trades && c.mbp10.rows >= want.mbp10 && c.options.rows >= want.options) break;
    await Bun.sleep(500);
    c = await counts();
    const total = c.trades.rows + c.mbp10.rows + c.options.rows;
    if (total !== lastTotal) {
      lastTotal = total;
      lastChange = performance.now();
    }
  }
  return { counts };
}

/**
 * Rows, files and bytes per table, on disk or in the bucket. This runs every 500 ms while
 * Bronze fills: only footers are read (by range), each file's once (`seen`; lake files are
 * never rewritten). The live files are listed, never globbed: `lake serve` compacts meanwhile.
 */
async function rowCounts(files: LakeFiles, seen: Map<string, number>): Promise<TableCounts> {
  const { readParquetInfo } = await import("../parquet");
  const out = {} as TableCounts;
  for (const [k, d] of Object.entries(TABLE_DIRS) as [TableName, string][]) {
    let rows = 0;
    let bytes = 0;
    const list = await files.listParquet(`${d}/`).catch((e) => (isNotFound(e) ? [] : Promise.reject(e)));
    for (const f of list) {
      let n = seen.get(f.key);
      if (n === undefined) {
        const slice = async (start: number, end?: number) => (await files.store.getRange(f.key, start, end ?? f.size)).slice().buffer as ArrayBuffer;
        n = (await readParquetInfo({ byteLength: f.size, slice })).numRows;
        seen.set(f.key, n);
      }
      rows += n;
      bytes += f.size;
    }
    out[k] = { rows, files: list.length, bytes };
  }
  return out;
}

export interface Curated {
  silver: BuildResult;
  promotion: Awaited<ReturnType<GoldCurator["promoteToTraining"]>> | null;
  validation: ValidationReport | null;
}

/**
 * Silver es_pipeline on the worker pool, then Gold signals_production promoted and validated.
 * On a bucket lake (`bucket`), Bronze is read from it and the version and the training set
 * are published into it, `root` being the working copy.
 */
export async function buildAndCurate(root: string, dates: string[], workers: number, quiet: boolean, bucket?: { tiers: BucketTiers; bronze: BronzeSource }): Promise<Curated> {
  const bronze = bucket?.bronze ?? localBronze(root);
  const silver = await buildOnPool({ root, bronze }, esPipelineManifest(), dates, { force: true, workers, variant: "reference", quiet });
  const builder = new SilverFeatureBuilder(root, { bronze });
  const curator = new GoldCurator(root, builder);
  if (bucket && silver.status !== "failed") await publishSilver(bucket.tiers, builder, "es_pipeline", null, true);
  const promote = () => (bucket ? promoteInBucket(bucket.tiers, root, builder, "es_pipeline", { force: true, notes: "lake demo" }) : curator.promoteToTraining("es_pipeline", { force: true, notes: "lake demo" }));
  const promotion = silver.signals_total > 0 ? await promote() : null;
  const validation = promotion?.status === "success" ? await validateDataset(curator, "signals_production") : null;
  return { silver, promotion, validation };
}

export interface Verdict {
  ok: boolean;
  passed: number;
  /** integrity checks that failed: any makes the demo fail */
  failed: string[];
  /** label balance: reported, never fatal (two simulated light days are too few events) */
  warnings: string[];
}

/** OK when Bronze holds exactly what was published, Silver succeeded and every integrity check passed. */
export function judge(want: Published, counts: TableCounts, c: Curated): Verdict {
  const failedChecks = c.validation?.checks.filter((x) => !x.pass) ?? [];
  const warnings = failedChecks.filter((x) => x.name === "label_distribution").map((x) => `${x.name}: ${x.detail}`);
  const failed = failedChecks.filter((x) => x.name !== "label_distribution").map((x) => `${x.name}: ${x.detail}`);
  const ok =
    counts.trades.rows === want.trades &&
    counts.mbp10.rows === want.mbp10 &&
    counts.options.rows === want.options &&
    c.silver.status === "success" &&
    c.validation !== null &&
    failed.length === 0;
  return { ok, passed: (c.validation?.checks.length ?? 0) - failedChecks.length, failed, warnings };
}
