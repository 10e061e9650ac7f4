/**
 * `lake gold …` (contracts §5.8): promote Silver versions to training
 * datasets, validate, list, show, promote the best experiment, export, prune history.
 * Exit codes: 0 ok, 1 failure (including any failed validation check).
 */
import { defineCommand } from "citty";
import { existsSync } from "node:fs";
import { LakeError, UsageError } from "../errors";
import { GoldCurator, type Promoter, type PromoteResult } from "../gold/curator";
import { SilverFeatureBuilder } from "../silver/builder";
import { bucketTiers, pullSilver, type BucketTiers } from "../app/bucket-tiers";
import { promoteInBucket, pruneInBucket, pullGold } from "../app/bucket-gold";
import { exportCsv, exportParquet } from "../gold/export";
import { validateDataset, type ValidationReport } from "../gold/validate";
import { checkDate } from "../core/validate";
import { fmtInt } from "../silver/report";
import { table } from "./table";
import { configArgs, configFromArgs, lakeBackend, localRoot, numberFlag, printResult } from "./common";

/**
 * The curator of the working copy; on a bucket lake the copy is first brought up to the
 * bucket, and promotions publish into it (`bucket` is then set).
 */
async function goldFor(args: Record<string, unknown>): Promise<{ c: GoldCurator; promote: Promoter; bucket: BucketTiers | null; root: string }> {
  const cfg = configFromArgs(args);
  const root = localRoot(cfg);
  const silver = new SilverFeatureBuilder(root, { bronze: lakeBackend(cfg) });
  const bucket = bucketTiers(cfg);
  if (!bucket) {
    const c = new GoldCurator(root, silver);
    return { c, promote: (v, o) => c.promoteToTraining(v, o), bucket, root };
  }
  await pullSilver(bucket, silver);
  await pullGold(bucket, root);
  const promote: Promoter = (v, o) => promoteInBucket(bucket, root, silver, v, o);
  return { c: new GoldCurator(root, silver, { promote }), promote, bucket, root };
}
const curatorFor = async (args: Record<string, unknown>) => (await goldFor(args)).c;
const datasetArg = { type: "string", description: "dataset name (default signals_production)" } as const;

function promoteText(r: PromoteResult): string {
  if (r.status === "success") {
    const added = r.appended_dates ? `; added ${r.appended_dates.length} date(s): ${r.appended_dates.join(", ")}` : "";
    return `Status: success — ${r.dataset_name}: ${fmtInt(r.signal_count)} rows, ${r.feature_count} feature columns from ${r.silver_version}${added}${r.replaced ? ` (previous kept as ${r.replaced})` : ""}\n${r.path}`;
  }
  return `Status: ${r.status} — ${r.reason}`;
}

function exitFor(r: PromoteResult): void {
  if (r.status === "error") process.exitCode = 1;
}

const promote = defineCommand({
  meta: { name: "promote", description: "Promote a Silver version to a Gold training dataset (an existing one gains the version's new dates)" },
  args: {
    ...configArgs,
    version: { type: "positional", required: true, description: "Silver version (e.g. es_pipeline)" },
    dataset: datasetArg,
    dates: { type: "string", description: "comma-separated dates (default: all)" },
    notes: { type: "string", description: "free text stored in the metadata" },
    force: { type: "boolean", description: "replace an existing dataset (the old one is kept as {name}@{n})" },
  },
  async run({ args }) {
    const dates = args.dates?.split(",").map((d) => checkDate(d.trim()));
    const r = await (await goldFor(args)).promote(args.version, { datasetName: args.dataset, dates, notes: args.notes, force: args.force });
    printResult(args.json, r, () => promoteText(r));
    exitFor(r);
  },
});

function validationText(r: ValidationReport): string {
  const rows = r.checks.map((c) => [c.name, c.pass ? "PASS" : "FAIL", c.detail]);
  return [
    `${r.dataset_name}: ${fmtInt(r.row_count)} rows × ${r.column_count} columns; labels ${JSON.stringify(r.label_distribution)}`,
    table([["CHECK", "RESULT", "DETAIL"], ...rows]),
    r.ok ? "all checks passed" : `${r.checks.filter((c) => !c.pass).length} check(s) FAILED`,
  ].join("\n");
}

const validate = defineCommand({
  meta: { name: "validate", description: "Check a training dataset (hash, schema, counts, ids, order, nulls, labels, ranges, lineage)" },
  args: {
    ...configArgs,
    dataset: { type: "positional", required: false, description: "dataset name or name@n (default signals_production)" },
    "max-null-rate": { type: "string", description: "max null fraction of a non-nullable feature column (default 0.5)" },
    "max-class-share": { type: "string", description: "max share of one outcome class (default 0.8)" },
  },
  async run({ args }) {
    const num = (k: "max-null-rate" | "max-class-share") => numberFlag(k, args[k], { min: 0, max: 1 });
    const r = await validateDataset(await curatorFor(args), args.dataset ?? "signals_production", { maxNullRate: num("max-null-rate"), maxClassShare: num("max-class-share") });
    printResult(args.json, r, () => validationText(r));
    if (!r.ok) process.exitCode = 1;
  },
});

const list = defineCommand({
  meta: { name: "list", description: "List Gold training datasets" },
  args: { ...configArgs },
  async run({ args }) {
    const rows = (await curatorFor(args)).listTrainingDatasets();
    printResult(args.json, rows, () =>
      rows.length
        ? table([["DATASET", "SILVER", "ROWS", "CREATED", "HISTORY"], ...rows.map((d) => [d.name, d.silver_version, d.signal_count, d.created_at, (d.history ?? []).map((h) => h.id).join(" ") || "-"])])
        : "no Gold training datasets",
    );
  },
});

const show = defineCommand({
  meta: { name: "show", description: "Show a dataset's metadata and lineage" },
  args: { ...configArgs, dataset: { type: "positional", required: true, description: "dataset name or name@n" } },
  async run({ args }) {
    const m = (await curatorFor(args)).getDatasetMetadata(args.dataset);
    if (!m) throw new LakeError(`Gold training dataset '${args.dataset}' not found`);
    printResult(args.json, m, () =>
      [
        `${m.dataset_name} from Silver ${m.silver_version} (created ${m.created_at})`,
        `rows ${fmtInt(m.signal_count)}, feature columns ${m.feature_count}, dates ${m.date_range ? `${m.date_range.start}..${m.date_range.end}` : "-"}`,
        `sha256 ${m.lineage?.sha256 ?? "-"}; silver manifest sha256 ${m.lineage?.silver_manifest_sha256 ?? "-"}; lake ${m.lineage?.lake_version ?? "-"}`,
        m.notes ? `notes: ${m.notes}` : "",
      ].filter(Boolean).join("\n"),
    );
  },
});

const promoteBest = defineCommand({
  meta: { name: "promote-best", description: "Promote the Silver version of an experiment: by id, or best by metric among completed ones" },
  args: {
    ...configArgs,
    experiment: { type: "string", description: "experiment id" },
    metric: { type: "string", description: "metric name, e.g. auc" },
    "lower-is-better": { type: "boolean", description: "pick the lowest metric value (e.g. loss)" },
    dataset: datasetArg,
    force: { type: "boolean", description: "replace an existing dataset" },
  },
  async run({ args }) {
    if (Boolean(args.experiment) === Boolean(args.metric)) throw new UsageError("give exactly one of --experiment ID or --metric NAME");
    const sel = args.experiment ?? { metric: args.metric!, higherIsBetter: !args["lower-is-better"] };
    const r = await (await curatorFor(args)).promoteBestExperiment(sel, args.dataset ?? "signals_production", { force: args.force });
    printResult(args.json, r, () => {
      const s = r.selection;
      const why = s ? `best by ${s.metric} (${s.higher_is_better ? "higher" : "lower"} is better) = ${s.value}${s.tied_with.length ? `, tied with ${s.tied_with.join(", ")} → ${s.tie_break}` : ""}${s.skipped.length ? `; skipped ${s.skipped.map((x) => `${x.id} (${x.reason})`).join(", ")}` : ""}` : "by id";
      return `experiment ${r.experiment} → Silver ${r.version} (${why})\n${promoteText(r.promotion)}`;
    });
    exitFor(r.promotion);
  },
});

const exportCmd = defineCommand({
  meta: { name: "export", description: "Export a dataset as Parquet or CSV" },
  args: {
    ...configArgs,
    dataset: { type: "positional", required: true, description: "dataset name or name@n" },
    format: { type: "string", description: "parquet | csv (default parquet)" },
    out: { type: "string", required: true, description: "output file" },
  },
  async run({ args }) {
    const fmt = args.format ?? "parquet";
    if (fmt !== "parquet" && fmt !== "csv") throw new UsageError(`--format must be parquet or csv, got ${JSON.stringify(fmt)}`);
    if (!args.out) throw new UsageError("--out FILE is required");
    const c = await curatorFor(args);
    const { path } = c.resolveDataset(args.dataset);
    if (!existsSync(path)) throw new LakeError(`Gold training dataset '${args.dataset}' not found`);
    let rows: number | null = null;
    if (fmt === "parquet") exportParquet(path, args.out);
    else {
      const f = await c.loadTrainingData(args.dataset);
      rows = f.numRows;
      exportCsv(f, args.out);
    }
    printResult(args.json, { dataset: args.dataset, format: fmt, out: args.out, rows }, () => `wrote ${args.out} (${fmt}${rows !== null ? `, ${fmtInt(rows)} rows` : ""})`);
  },
});

const prune = defineCommand({
  meta: { name: "prune", description: "Delete a dataset's history ({name}@{n}), keeping the newest --keep" },
  args: { ...configArgs, dataset: { type: "positional", required: true, description: "dataset name" }, keep: { type: "string", description: "history entries to keep (default 0)" } },
  async run({ args }) {
    const keep = args.keep === undefined ? 0 : Number(args.keep);
    if (!Number.isInteger(keep) || keep < 0) throw new UsageError(`--keep must be a non-negative integer, got ${JSON.stringify(args.keep)}`);
    const { c, bucket, root } = await goldFor(args);
    const dropped = bucket ? await pruneInBucket(bucket, root, args.dataset, keep) : await c.pruneHistory(args.dataset, keep);
    printResult(args.json, dropped, () => (dropped.length ? `deleted ${dropped.map((h) => h.id).join(", ")}` : "nothing to prune"));
  },
});

export default defineCommand({
  meta: { name: "gold", description: "Gold: training datasets (promote, validate, list, show, promote-best, export, prune, read) and live signals" },
  // `gold signals` is the readers' command (src/cli/gold-signals.ts), mounted here
  subCommands: { promote, validate, list, show, "promote-best": promoteBest, export: exportCmd, prune, read: () => import("./gold-read").then((m) => m.default), signals: () => import("./gold-signals").then((m) => m.default) },
});
