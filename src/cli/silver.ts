/**
 * `lake silver …` (issue 8 §5, contracts §4.10): build versioned feature sets on the shared
 * worker pool and inspect them. Exit codes: 0 success/skipped, 1 failed, 3 partial.
 */
import { defineCommand } from "citty";
import { readFileSync } from "node:fs";
import { LakeError, UsageError } from "../errors";
import { BUILTIN_MANIFESTS } from "../silver/baselines";
import { SilverFeatureBuilder, type BuildResult, type DateRunner } from "../silver/builder";
import type { Config } from "../config";
import { LakeFiles } from "../read/lake-files";
import { bronzeTradeDates, type BronzeSource, type FileHashes } from "../silver/lineage";
import { parseManifest, manifestColumns, type FeatureManifest } from "../silver/manifest";
import { checkDate, checkVersion, dateRange } from "../silver/names";
import { fmtInt, fmtSeconds, progressPrinter } from "../silver/report";
import { table } from "./table";
import { versionStatus, verifyVersion, type VersionStatus } from "../silver/status";
import type { Variant } from "../silver/build-date";
import { configArgs, configFromArgs, lakeBackend, localRoot, parseWorkers, printResult, workersArg } from "./common";

export const PARTIAL_EXIT_CODE = 3;

const buildArgs = {
  ...configArgs,
  version: { type: "string", description: "version to build: es_pipeline (default), v1.0_mechanics_only, v2.0_full_ensemble, or an existing version" },
  manifest: { type: "string", description: "build the version described by this manifest.yaml" },
  dates: { type: "string", description: "comma-separated dates YYYY-MM-DD" },
  from: { type: "string", description: "first date (with --to): Bronze dates in the range" },
  to: { type: "string", description: "last date (with --from)" },
  all: { type: "boolean", description: "every Bronze date with futures trades (the default)" },
  force: { type: "boolean", description: "replace an existing version (atomically)" },
  workers: workersArg,
  variant: { type: "string", description: "pipeline variant: reference (default) | corrected" },
} as const;

export async function resolveDates(b: SilverFeatureBuilder, a: { dates?: string; from?: string; to?: string; all?: boolean }): Promise<string[]> {
  const chosen = [a.dates !== undefined, a.from !== undefined || a.to !== undefined, Boolean(a.all)].filter(Boolean).length;
  if (chosen > 1) throw new UsageError("use only one of --dates, --from/--to, --all");
  if (a.dates !== undefined) {
    const ds = a.dates.split(",").map((s) => s.trim()).filter(Boolean);
    if (!ds.length) throw new UsageError("--dates is empty");
    return ds.map(checkDate);
  }
  const available = await bronzeTradeDates(b.bronze);
  const where = `${b.bronze.dataRoot}/bronze`;
  if (a.from !== undefined || a.to !== undefined) {
    if (!a.from || !a.to) throw new UsageError("--from and --to go together");
    const range = new Set(dateRange(a.from, a.to));
    const ds = available.filter((d) => range.has(d));
    if (!ds.length) throw new LakeError(`no Bronze futures trades between ${a.from} and ${a.to} under ${where}`);
    return ds;
  }
  if (!available.length) throw new LakeError(`No Bronze data found: ${where}/futures/trades/symbol=ES has no dates (run \`lake simulate\` or \`lake serve\` first)`);
  return available;
}

/** Where a build reads and writes: Silver in a local root, Bronze from the lake's backend. */
export interface SilverPlace {
  root: string;
  bronze: BronzeSource;
}

function placeOf(cfg: Config): SilverPlace {
  return { root: localRoot(cfg), bronze: lakeBackend(cfg) };
}

/** The builder for a command (dates run in this thread unless `runDate` says otherwise). */
function silverBuilder(place: SilverPlace | Config, runDate?: DateRunner): SilverFeatureBuilder {
  const p = "root" in place ? place : placeOf(place);
  return new SilverFeatureBuilder(p.root, { bronze: p.bronze, runDate });
}

function resolveManifest(b: SilverFeatureBuilder, a: { version?: string; manifest?: string }): FeatureManifest {
  if (a.manifest) {
    const m = parseManifest(readFileSync(a.manifest, "utf8"), a.manifest);
    checkVersion(m.version);
    if (a.version && a.version !== m.version) throw new UsageError(`--version ${a.version} does not match the manifest's version ${m.version}`);
    return m;
  }
  const v = checkVersion(a.version ?? "es_pipeline");
  const builtin = BUILTIN_MANIFESTS[v];
  if (builtin) return builtin();
  const existing = b.getManifest(v);
  if (existing) return { ...existing, validation: null };
  throw new UsageError(`unknown version "${v}": not built-in (${Object.keys(BUILTIN_MANIFESTS).join(", ")}) and not in ${b.featuresDir}; pass --manifest FILE`);
}

function parseVariant(v: string | undefined): Variant {
  if (v === undefined || v === "reference" || v === "corrected") return (v ?? "reference") as Variant;
  throw new UsageError(`--variant must be reference or corrected, got ${JSON.stringify(v)}`);
}

/** A builder whose dates run on a WorkerPool of `workers` threads, closed when `fn` settles. */
async function withPoolBuilder<T>(place: SilverPlace | Config, workers: number, fn: (b: SilverFeatureBuilder) => Promise<T>): Promise<T> {
  const { WorkerPool } = await import("../runtime/pool");
  const pool = new WorkerPool({ size: workers });
  try {
    return await fn(silverBuilder(place, (p) => pool.run("silver.buildDate", p)));
  } finally {
    await pool.close();
  }
}

/** Build on the shared WorkerPool; exported for `lake demo`. */
export async function buildOnPool(place: SilverPlace | Config, manifest: FeatureManifest, dates: string[], o: { force?: boolean; workers: number; variant: Variant; quiet?: boolean }): Promise<BuildResult> {
  return withPoolBuilder(place, o.workers, async (b) => {
    const progress = o.quiet ? null : progressPrinter(`silver ${manifest.version}`);
    try {
      return await b.buildFeatureSet(manifest, dates, { force: o.force, concurrency: o.workers, variant: o.variant, onProgress: progress?.update });
    } finally {
      progress?.end();
    }
  });
}

function buildSummary(r: BuildResult): string {
  const lines = [
    `${r.status.toUpperCase()}: ${r.version} → ${r.output_dir}`,
    ...(r.reason ? [r.reason] : []),
    `dates processed ${r.dates_processed}${r.dates_empty.length ? `, empty ${r.dates_empty.length} (${r.dates_empty.join(", ")})` : ""}, rows ${fmtInt(r.signals_total)}, ${fmtSeconds(r.build_time_seconds)}`,
    ...r.errors.map((e) => `  ${e}`),
  ];
  const nullStage = [...new Set(r.dates.flatMap((d) => d.nullStageColumns))];
  if (nullStage.length) lines.push(`note: ${nullStage.length} columns are typed nulls (pipeline stage not available): ${nullStage.slice(0, 6).join(", ")}${nullStage.length > 6 ? ", …" : ""}`);
  return lines.join("\n");
}

const build = defineCommand({
  meta: { name: "build", description: "Build a Silver version (default: es_pipeline over every Bronze date)" },
  args: buildArgs,
  async run({ args }) {
    const cfg = configFromArgs(args);
    const b = silverBuilder(cfg);
    const manifest = resolveManifest(b, args);
    const dates = await resolveDates(b, args);
    const r = await buildOnPool(cfg, manifest, dates, { force: args.force, workers: parseWorkers(args.workers), variant: parseVariant(args.variant), quiet: args.json });
    const { dates: perDate, ...summary } = r;
    printResult(args.json, { ...summary, dates: perDate.map((d) => ({ date: d.date, rows: d.rows, file: d.file, sha256: d.sha256, seconds: d.seconds })) }, () => buildSummary(r));
    if (r.status === "failed") process.exitCode = 1;
    else if (r.status === "partial") process.exitCode = PARTIAL_EXIT_CODE;
  },
});

const list = defineCommand({
  meta: { name: "list", description: "List Silver versions" },
  args: { ...configArgs, natural: { type: "boolean", description: "natural sort (v2 before v10) instead of lexicographic" } },
  run({ args }) {
    const b = silverBuilder(configFromArgs(args));
    const rows = b.listVersions({ natural: args.natural }).map((v) => {
      const m = b.getManifest(v)!;
      return { version: v, description: m.description, columns: manifestColumns(m).length, signal_count: m.validation?.signal_count ?? null, date_range: m.validation?.date_range ?? null };
    });
    printResult(args.json, rows, () =>
      rows.length ? table([["VERSION", "COLUMNS", "ROWS", "DATES", "DESCRIPTION"], ...rows.map((r) => [r.version, r.columns, r.signal_count, r.date_range ? `${r.date_range.start}..${r.date_range.end}` : null, r.description])]) : `no Silver versions under ${b.featuresDir}`,
    );
  },
});

const show = defineCommand({
  meta: { name: "show", description: "Show a version's manifest and validation" },
  args: { ...configArgs, version: { type: "positional", required: true, description: "version" } },
  run({ args }) {
    const b = silverBuilder(configFromArgs(args));
    const m = b.getManifest(args.version);
    if (!m) throw new LakeError(`Version ${args.version} not found`);
    const { effective_config: _e, ...custom } = m.parameters.custom;
    printResult(args.json, m, () =>
      [
        `${m.version} — ${m.description}`,
        `created ${m.created_at} by ${m.created_by}; parent ${m.parent_version ?? "-"}; tags ${m.tags.join(", ") || "-"}`,
        `feature groups: ${m.feature_groups.map((g) => `${g.name}(${g.columns.length})`).join(", ")}`,
        m.validation
          ? `validation: ${m.validation.signal_count} rows, ${m.validation.feature_count} features, ${m.validation.date_range.start}..${m.validation.date_range.end}, schema_hash ${m.validation.schema_hash}`
          : "validation: none",
        `lineage: ${JSON.stringify((custom as Record<string, unknown>).lineage ?? null)}`,
      ].join("\n"),
    );
  },
});

const compare = defineCommand({
  meta: { name: "compare", description: "Compare the feature columns and parameters of two versions" },
  args: { ...configArgs, a: { type: "positional", required: true, description: "version A" }, b: { type: "positional", required: true, description: "version B" } },
  run({ args }) {
    const b = silverBuilder(configFromArgs(args));
    const r = b.compareVersions(args.a, args.b);
    printResult(args.json, r, () =>
      [
        `${r.version_a} (${r.feature_count_a} columns) vs ${r.version_b} (${r.feature_count_b} columns)`,
        `added (${r.features_added.length}): ${r.features_added.join(", ") || "-"}`,
        `removed (${r.features_removed.length}): ${r.features_removed.join(", ") || "-"}`,
        `common (${r.features_common.length}): ${r.features_common.join(", ") || "-"}`,
      ].join("\n"),
    );
  },
});

const verify = defineCommand({
  meta: { name: "verify", description: "Rebuild a version into a temp dir and check every output is identical" },
  args: { ...configArgs, version: { type: "positional", required: true, description: "version" }, workers: workersArg },
  async run({ args }) {
    const cfg = configFromArgs(args);
    const workers = parseWorkers(args.workers);
    const r = await withPoolBuilder(cfg, workers, (b) => verifyVersion(b, args.version, { concurrency: workers }));
    printResult(args.json, r, () => [table([["DATE", "IDENTICAL", "DETAIL"], ...r.dates.map((d) => [d.date, d.identical ? "yes" : "NO", d.detail])]), ...r.errors, r.identical ? `${r.version}: reproducible` : `${r.version}: NOT reproducible`].join("\n"));
    if (!r.identical) process.exitCode = 1;
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Flag versions whose Bronze inputs changed since they were built (stale)" },
  args: { ...configArgs },
  async run({ args }) {
    const b = silverBuilder(configFromArgs(args));
    const rows: VersionStatus[] = [];
    // versions built over the same dates share Bronze inputs: list and hash each file once per run
    const hashes: FileHashes = new Map();
    const bronze = new LakeFiles(b.bronze);
    using _held = bronze.hold();
    for (const v of b.listVersions()) rows.push(await versionStatus(b, v, hashes, bronze));
    printResult(args.json, rows, () => (rows.length ? table([["VERSION", "STATE", "DETAIL"], ...rows.map((r) => [r.version, r.state, r.detail])]) : "no Silver versions"));
    if (rows.some((r) => r.state === "stale")) process.exitCode = 1;
  },
});

const expList = defineCommand({
  meta: { name: "list", description: "List registered experiments" },
  args: { ...configArgs, version: { type: "string", description: "only experiments of this version" } },
  run({ args }) {
    const b = silverBuilder(configFromArgs(args));
    const rows = b.listExperiments().filter((e) => !args.version || e.version === args.version);
    printResult(args.json, rows, () =>
      rows.length
        ? table([["ID", "VERSION", "STATUS", "CREATED", "METRICS"], ...rows.map((e) => [e.id, e.version, e.status, e.created_at, JSON.stringify(e.metrics ?? {})])])
        : "no experiments registered",
    );
  },
});

const expShow = defineCommand({
  meta: { name: "show", description: "Show one experiment (first match by id)" },
  args: { ...configArgs, id: { type: "positional", required: true, description: "experiment id" } },
  run({ args }) {
    const b = silverBuilder(configFromArgs(args));
    const e = b.listExperiments().find((x) => x.id === args.id);
    if (!e) throw new LakeError(`Experiment ${args.id} not found`);
    printResult(args.json, e, () => JSON.stringify(e, null, 2));
  },
});

function parseMetrics(pairs: string | undefined): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const p of (pairs ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=]+)=(.*)$/.exec(p);
    if (!m) throw new UsageError(`--metrics expects name=value pairs separated by commas, got ${JSON.stringify(p)}`);
    const n = Number(m[2]);
    out[m[1]!.trim()] = m[2]!.trim() !== "" && Number.isFinite(n) ? n : m[2]!.trim();
  }
  return out;
}

const expAdd = defineCommand({
  meta: { name: "add", description: "Register an experiment for a version (refuses duplicate ids unless --overwrite)" },
  args: {
    ...configArgs,
    version: { type: "positional", required: true, description: "Silver version" },
    id: { type: "positional", required: true, description: "experiment id" },
    status: { type: "string", description: "running | completed (default) | failed | archived" },
    metrics: { type: "string", description: "e.g. auc=0.72,precision=0.68" },
    "model-path": { type: "string", description: "path of the trained model" },
    notes: { type: "string", description: "free text" },
    parent: { type: "string", description: "parent experiment id" },
    overwrite: { type: "boolean", description: "replace an existing experiment with the same id" },
  },
  async run({ args }) {
    const b = silverBuilder(configFromArgs(args));
    const rec = await b.registerExperiment(args.version, args.id, {
      status: args.status,
      metrics: parseMetrics(args.metrics),
      modelPath: args["model-path"] ?? null,
      notes: args.notes,
      parent: args.parent ?? null,
      overwrite: args.overwrite,
    });
    printResult(args.json, rec, () => `registered ${rec.id} for ${rec.version} (${rec.status})`);
  },
});

const experiments = defineCommand({
  meta: { name: "experiments", description: "Experiment registry: list (default), add, show" },
  args: { ...configArgs, version: { type: "string", description: "only experiments of this version" } },
  subCommands: { list: expList, add: expAdd, show: expShow },
  run: (ctx) => expList.run!(ctx as never),
});

export default defineCommand({
  meta: { name: "silver", description: "Silver feature sets: build (default), list, show, compare, verify, status, experiments" },
  args: buildArgs,
  subCommands: {
    build,
    list,
    show,
    compare,
    verify,
    status,
    experiments,
  },
  run: (ctx) => build.run!(ctx as never),
});
