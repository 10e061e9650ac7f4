/**
 * `lake silver …` (contracts §4.10): build versioned feature sets on the shared
 * worker pool and inspect them. Exit codes: 0 success/skipped, 1 failed, 3 partial.
 */
import { defineCommand } from "citty";
import { readFileSync } from "node:fs";
import { LakeError, UsageError } from "../errors";
import lookahead from "./silver-lookahead";
import { compareVersionData } from "../silver/compare-data";
import { formatDataComparison } from "../silver/compare-data-report";
import { BUILTIN_MANIFESTS, BUILTIN_VARIANTS } from "../silver/baselines";
import { isQuiet } from "../log";
import { SilverFeatureBuilder, type BuildResult } from "../silver/builder";
import { buildDistributed, buildOnPool, distributedSummary, withPoolBuilder, type SilverPlace } from "../app/silver-build";
import type { Config } from "../config";
import { bucketTiers, publishSilver, pullSilver, registerExperimentInBucket, type BucketTiers } from "../app/bucket-tiers";
import { requireConditionalWrites, type CurrentGeneration } from "../storage/generations";
import { LakeFiles } from "../read/lake-files";
import { bronzeTradeDates, type FileHashes } from "../silver/lineage";
import { parseManifest, manifestColumns, type FeatureManifest } from "../silver/manifest";
import { checkDate, checkVersion, dateRange } from "../core/validate";
import { fmtInt, fmtSeconds } from "../silver/report";
import { table } from "./table";
import { versionStatus, verifyVersion, type VersionStatus } from "../silver/status";
import type { Variant } from "../core/variant";
import { bronzeDatesArgs, configArgs, configFromArgs, lakeBackend, localRoot, parseWorkers, printResult, workersArg } from "./common";

export const PARTIAL_EXIT_CODE = 3;

const buildArgs = {
  ...configArgs,
  version: { type: "string", description: "version to build: es_pipeline (default), es_pipeline_pit (the corrected variant), v1.0_mechanics_only, v2.0_full_ensemble, or an existing version" },
  manifest: { type: "string", description: "build the version described by this manifest.yaml" },
  ...bronzeDatesArgs,
  force: { type: "boolean", description: "rebuild every date and replace the version atomically (default: build only the dates the version is missing)" },
  workers: workersArg,
  variant: { type: "string", description: "pipeline variant: reference (default) | corrected (alone: builds es_pipeline_pit)" },
  distributed: { type: "boolean", description: "queue one task per date on LAKE_TASKS for `lake worker` processes instead of the local pool" },
} as const;

export async function resolveDates(b: SilverFeatureBuilder, a: { dates?: string; from?: string; to?: string; all?: boolean }): Promise<string[]> {
  const chosen = [a.dates !== undefined, a.from !== undefined || a.to !== undefined, Boolean(a.all)].filter(Boolean).length;
  if (chosen > 1) throw new UsageError("use only one of --dates, --from/--to, --all");
  if (a.dates !== undefined) {
    const ds = a.dates.split(",").map((s) => s.trim()).filter(Boolean);
    if (!ds.length) throw new UsageError("--dates is empty");
    return ds.map((d) => checkDate(d));
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

function placeOf(cfg: Config): SilverPlace {
  return { root: localRoot(cfg), bronze: lakeBackend(cfg) };
}

/**
 * The builder for a command (dates would run in this thread), its working copy brought up
 * to the bucket first when the lake is on S3.
 */
async function silverBuilder(cfg: Config): Promise<SilverFeatureBuilder> {
  return (await openSilver(cfg)).b;
}

async function openSilver(cfg: Config): Promise<{ b: SilverFeatureBuilder; tiers: BucketTiers | null; published: Map<string, CurrentGeneration> }> {
  const p = placeOf(cfg);
  const b = new SilverFeatureBuilder(p.root, { bronze: p.bronze });
  const tiers = bucketTiers(cfg);
  return { b, tiers, published: tiers ? await pullSilver(tiers, b) : new Map() };
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

function parseVariant(v: string | undefined): Variant | undefined {
  if (v === undefined || v === "reference" || v === "corrected") return v;
  throw new UsageError(`--variant must be reference or corrected, got ${JSON.stringify(v)}`);
}

/**
 * The version and variant a build means: `--variant corrected` alone builds es_pipeline_pit;
 * a built-in version tied to a variant refuses the other one (es_pipeline is always the
 * reference, es_pipeline_pit always the corrected variant).
 */
export function versionAndVariant(a: { version?: string; manifest?: string; variant?: string }): { version?: string; variant: Variant } {
  const asked = parseVariant(a.variant);
  const version = a.version ?? (a.manifest ? undefined : asked === "corrected" ? "es_pipeline_pit" : undefined);
  const tied = BUILTIN_VARIANTS[version ?? (a.manifest ? "" : "es_pipeline")];
  if (tied && asked && asked !== tied) {
    throw new UsageError(`${version ?? "es_pipeline"} is built by the ${tied} variant; the ${asked} variant builds ${Object.entries(BUILTIN_VARIANTS).find(([, v]) => v === asked)![0]}`);
  }
  return { version, variant: asked ?? tied ?? "reference" };
}

function buildSummary(r: BuildResult): string {
  const lines = [
    `${r.status.toUpperCase()}: ${r.version} → ${r.output_dir}`,
    ...(r.reason ? [r.reason] : []),
    ...(r.status === "skipped" ? [] : [`built ${r.dates_built.length} date(s)${r.dates_built.length ? ` (${r.dates_built.length > 6 ? `${r.dates_built[0]} … ${r.dates_built[r.dates_built.length - 1]}` : r.dates_built.join(", ")})` : ""}, kept ${r.dates_reused.length} already built`]),
    `dates processed ${r.dates_processed}${r.dates_empty.length ? `, empty ${r.dates_empty.length} (${r.dates_empty.join(", ")})` : ""}, rows ${fmtInt(r.signals_total)}, ${fmtSeconds(r.build_time_seconds)}`,
    ...r.errors.map((e) => `  ${e}`),
  ];
  return lines.join("\n");
}

const build = defineCommand({
  meta: { name: "build", description: "Build a Silver version (default: es_pipeline over every Bronze date)" },
  args: buildArgs,
  async run({ args }) {
    const cfg = configFromArgs(args);
    const { b, tiers, published } = await openSilver(cfg);
    // refuse before hours of work that could not be published safely
    if (tiers) await requireConditionalWrites(tiers.store, tiers.singleWriter);
    const { version, variant } = versionAndVariant(args);
    const manifest = resolveManifest(b, { ...args, version });
    const dates = await resolveDates(b, args);
    const o = { force: args.force, workers: parseWorkers(args.workers), variant, quiet: isQuiet() };
    const { result: r, coordination } = args.distributed ? await buildDistributed(placeOf(cfg), cfg, manifest, dates, { ...o, bucket: tiers?.store ?? null }) : { result: await buildOnPool(placeOf(cfg), manifest, dates, o), coordination: null };
    if (tiers && r.status !== "failed" && r.status !== "skipped") await publishSilver(tiers, b, r.version, published.get(r.version) ?? null, Boolean(args.force));
    const { dates: perDate, ...summary } = r;
    const where = new Map((coordination ?? []).map((c) => [c.date, c]));
    printResult(
      args.json,
      { ...summary, dates: perDate.map((d) => ({ date: d.date, rows: d.rows, file: d.file, sha256: d.sha256, seconds: d.seconds, ...(coordination ? { coordination: where.get(d.date) ?? null } : {}) })), ...(coordination ? { coordination } : {}) },
      () => buildSummary(r) + (coordination ? `\n${distributedSummary(coordination)}` : ""),
    );
    if (r.status === "failed") process.exitCode = 1;
    else if (r.status === "partial") process.exitCode = PARTIAL_EXIT_CODE;
  },
});

const list = defineCommand({
  meta: { name: "list", description: "List Silver versions" },
  args: { ...configArgs, natural: { type: "boolean", description: "natural sort (v2 before v10) instead of lexicographic" } },
  async run({ args }) {
    const b = await silverBuilder(configFromArgs(args));
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
  async run({ args }) {
    const b = await silverBuilder(configFromArgs(args));
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
  meta: { name: "compare", description: "Compare two versions: feature columns, parameters and (when both are built) their data" },
  args: { ...configArgs, a: { type: "positional", required: true, description: "version A" }, b: { type: "positional", required: true, description: "version B" } },
  async run({ args }) {
    const b = await silverBuilder(configFromArgs(args));
    const r = b.compareVersions(args.a, args.b);
    const data = await compareVersionData(b.versionDir(args.a), b.versionDir(args.b));
    printResult(args.json, { ...r, data }, () =>
      [
        `${r.version_a} (${r.feature_count_a} feature columns) vs ${r.version_b} (${r.feature_count_b} feature columns)`,
        `added (${r.features_added.length}): ${r.features_added.join(", ") || "-"}`,
        `removed (${r.features_removed.length}): ${r.features_removed.join(", ") || "-"}`,
        `common (${r.features_common.length}): ${r.features_common.join(", ") || "-"}`,
        formatDataComparison(data, r.version_a, r.version_b),
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
    await openSilver(cfg);
    const r = await withPoolBuilder(placeOf(cfg), workers, (b) => verifyVersion(b, args.version, { concurrency: workers }));
    printResult(args.json, r, () => [table([["DATE", "IDENTICAL", "DETAIL"], ...r.dates.map((d) => [d.date, d.identical ? "yes" : "NO", d.detail])]), ...r.errors, r.identical ? `${r.version}: reproducible` : `${r.version}: NOT reproducible`].join("\n"));
    if (!r.identical) process.exitCode = 1;
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Per version: Bronze dates it is missing and dates whose inputs changed (exit 1 if either)" },
  args: { ...configArgs },
  async run({ args }) {
    const b = await silverBuilder(configFromArgs(args));
    const rows: VersionStatus[] = [];
    // versions built over the same dates share Bronze inputs: list and hash each file once per run
    const hashes: FileHashes = new Map();
    const bronze = new LakeFiles(b.bronze);
    using _held = bronze.hold();
    for (const v of b.listVersions()) rows.push(await versionStatus(b, v, hashes, bronze));
    printResult(args.json, rows, () =>
      rows.length ? table([["VERSION", "STATE", "MISSING", "CHANGED", "DETAIL"], ...rows.map((r) => [r.version, r.state, r.missing_dates.length, r.changed_dates.length, r.detail])]) : "no Silver versions",
    );
    if (rows.some((r) => r.missing_dates.length || r.changed_dates.length)) process.exitCode = 1;
  },
});

const expList = defineCommand({
  meta: { name: "list", description: "List registered experiments" },
  args: { ...configArgs, version: { type: "string", description: "only experiments of this version" } },
  async run({ args }) {
    const b = await silverBuilder(configFromArgs(args));
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
  async run({ args }) {
    const b = await silverBuilder(configFromArgs(args));
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
    const { b, tiers } = await openSilver(configFromArgs(args));
    const opts = { status: args.status, metrics: parseMetrics(args.metrics), modelPath: args["model-path"] ?? null, notes: args.notes, parent: args.parent ?? null, overwrite: args.overwrite };
    const rec = tiers ? await registerExperimentInBucket(tiers, b, args.version, args.id, opts) : await b.registerExperiment(args.version, args.id, opts);
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
  meta: { name: "silver", description: "Silver feature sets: build (default), list, show, compare, lookahead, verify, status, experiments" },
  args: buildArgs,
  subCommands: {
    build,
    list,
    show,
    compare,
    lookahead,
    verify,
    status,
    experiments,
  },
  run: (ctx) => build.run!(ctx as never),
});
